// Package ceremony runs airsign's key ceremonies — key generation, recovery
// drill, share re-issue and key rotation — as numbered steps that the
// program, the operator, the witnesses and the share holders walk together,
// and keeps the hash-chained log that proves afterwards what was done.
//
// A ceremony is defined once, in Go (Keygen, Drill, Reshare, Rotate): acts
// of numbered steps, each with a plain-words instruction, who acts and how it
// is confirmed. Run walks a definition through a Prompter (the CLI's
// terminal, an answers file, or a script in tests) and an Actions
// implementation (the CLI's: key arithmetic, files, printers); WriteChecklist
// prints the same definition as the paper checklist in CEREMONY.md. The
// package reads no files, flags, environment or terminal.
//
// # The log
//
// The log itself — writing, verifying, head words, seals, locking — is
// package chainlog, shared with the signing log; this package names its
// types (Record, Head, LogWriter) and adds what ceremonies need on top (runs,
// checkpoints, Verify with the head words of any act).
//
// A log is a file of JSON Lines, one record per line, each a JSON object with
// exactly the fields seq, time, ceremony, step, actor, event, data and prev
// (see Record). seq counts from 1 and equals the line number. prev is the
// lower-case hex SHA-256 of the previous line's exact bytes without its
// newline; the first record's prev is SHA-256("airsign ceremony log v1")
// (GenesisHash). Anyone can check a log without airsign:
//
//	sed -n 1p LOG | tr -d '\n' | sha256sum     # equals line 2's prev
//
// The head of a log is the SHA-256 of its last line. At the end of every act
// the program shows the head's first six bytes as Bytewords (HeadWords) and
// the witnesses write them on the checklist; Verify checks a log against
// them, which also catches edits of the last record, cut-off ends and forged
// records appended with a correct chain.
//
// # Secrets
//
// Dice rolls, entropy and share texts are []byte, wiped when no longer
// needed and when a run ends for any reason; they never reach the log, an
// error or the public screen (a share card goes only to Prompter.ShowSecret).
package ceremony
