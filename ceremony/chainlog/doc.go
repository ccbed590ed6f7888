// Package chainlog is airsign's append-only, hash-chained log: the ceremony
// logs and the signing log are both written and verified here.
//
// A log is JSON Lines, one Record per line; each record's prev is the
// SHA-256 of the line before (GenesisHash for the first), so any edit,
// deletion, insertion or reordering before the last record breaks the chain.
// What the chain cannot show — records cut from the end, or a whole log
// rewritten with a fresh chain — is caught two ways:
//
//   - against a head kept outside the log: the words a witness or the
//     operator wrote on paper (HeadWords, ParseHead, Options.ExpectHead);
//   - by seals: records carrying a MAC keyed from a secret only the key's
//     owner can rebuild (MACKey, Writer.SealWith, Options.MAC). A seal vouches
//     for the whole log up to it, so a rewrite by someone without the key
//     fails at the next sealed record it covers.
//
// Several processes may append to one file: NewSharedWriter takes the log
// exclusively (the caller's Shared, a file lock) for every append, reads its
// real end and chains onto it, so concurrent writers queue and the chain never
// forks. Records are small by construction (hashes and bounded summaries);
// MaxLineLen bounds what the reader accepts.
//
// The package reads no files, flags, environment or terminal, and imports
// nothing of airsign: ceremony and offline build on it.
package chainlog
