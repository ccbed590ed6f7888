package chainlog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// VerifyError says at which record a log stops being trustworthy and why.
// Record is the 1-based line number, which in an intact log is also the seq.
type VerifyError struct {
	Record int
	Reason string
}

func (e *VerifyError) Error() string { return fmt.Sprintf("record %d: %s", e.Record, e.Reason) }

// Summary is what Verify learned about a log, also when it fails (then it
// covers the records before the failing one).
type Summary struct {
	Records int
	Head    Head
	// HeadChecked is true when an expected head was given and matched the
	// last record.
	HeadChecked bool
	// Sealed counts the records whose MAC was checked with Options.MAC.
	Sealed int
}

// Options say what Verify checks beyond the chain.
type Options struct {
	// ExpectHead is the head the witnesses or the operator wrote down
	// (words or hex, see ParseHead): the log must end exactly there. ""
	// skips the check.
	ExpectHead string
	// MAC, when set, checks the records sealed with it: every record whose
	// data["mac_key"] is MAC.ID must carry a MAC made with MAC.Key.
	MAC *MACKey
	// AllowEmpty accepts an empty log (as a writer appending to a new file
	// does); otherwise an empty log is an error.
	AllowEmpty bool
	// Each, if set, is called with every record that passed the checks and
	// the SHA-256 of its line.
	Each func(rec Record, hash [32]byte)
}

// Verify reads a whole log and checks that every record is well formed, that
// seq counts 1, 2, 3, … and that every prev is the SHA-256 of the line before
// (GenesisHash for the first). That detects any edit, deletion, insertion or
// reordering of records before the last one. An edit of the last record, lines
// cut from the end, or forged lines appended with a correct chain can only be
// detected against a head kept elsewhere (Options.ExpectHead) or, for records
// sealed with a key, by their MAC (Options.MAC): a log rewritten by someone
// without the key fails there.
func Verify(r io.Reader, opts Options) (Summary, error) {
	var want []byte
	if opts.ExpectHead != "" {
		var err error
		if want, err = ParseHead(opts.ExpectHead); err != nil {
			return Summary{}, err
		}
	}
	var sum Summary
	sum.Head = GenesisHead()
	seen := map[[32]byte]int{} // line hash -> line number
	var hashes [][32]byte
	br := bufio.NewReaderSize(r, 4096)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, &VerifyError{Record: n, Reason: err.Error()}
		}
		rec, err := parseRecord(line)
		if err != nil {
			return sum, &VerifyError{Record: n, Reason: err.Error()}
		}
		if err := checkLink(n, rec, sum.Head, seen); err != nil {
			return sum, err
		}
		if opts.MAC != nil && rec.Data[MACKeyField] == opts.MAC.ID {
			if !opts.MAC.check(rec) {
				return sum, &VerifyError{Record: n, Reason: "its MAC does not match: the log was rewritten by someone without the key (or the record was edited); keep it as evidence"}
			}
			sum.Sealed++
		} else if rec.MAC != "" && rec.Data[MACKeyField] == "" {
			return sum, &VerifyError{Record: n, Reason: "it carries a MAC but names no key for it: the record was edited"}
		}
		h := sha256.Sum256(line)
		if _, dup := seen[h]; !dup {
			seen[h] = n
		}
		hashes = append(hashes, h)
		sum.Records = n
		sum.Head = Head{Seq: rec.Seq, Hash: h}
		if opts.Each != nil {
			opts.Each(rec, h)
		}
	}
	if sum.Records == 0 && !opts.AllowEmpty {
		return sum, &VerifyError{Record: 1, Reason: "the log is empty"}
	}
	if want == nil {
		return sum, nil
	}
	if bytes.HasPrefix(sum.Head.Hash[:], want) {
		sum.HeadChecked = true
		return sum, nil
	}
	for i := len(hashes) - 2; i >= 0; i-- {
		if bytes.HasPrefix(hashes[i][:], want) {
			return sum, &VerifyError{Record: i + 2, Reason: fmt.Sprintf(
				"the head written down is record %d's, but the log goes on to record %d: records %d to %d were added after it "+
					"(if they are a later ceremony's, check them against that ceremony's head words)", i+1, sum.Records, i+2, sum.Records)}
		}
	}
	return sum, &VerifyError{Record: sum.Records, Reason: fmt.Sprintf(
		"the log ends here with head %q, which is not the head written down, and no record of the log has that head: "+
			"the last record was edited, records were cut from the end, or the words were copied wrong", sum.Head.Words())}
}

// readLine returns one line without its newline, refusing lines longer than
// MaxLineLen, a last line without a newline (a cut-off write), carriage
// returns (a converted file no longer hashes the same) and invalid UTF-8.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineLen+1 {
			return nil, fmt.Errorf("line is longer than %d bytes: not a log record", MaxLineLen)
		}
		line = append(line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(line) == 0 {
				return nil, io.EOF
			}
			return nil, errors.New("the record is cut off (no line end): the log was truncated, or the last write did not finish")
		}
		if err != nil {
			return nil, fmt.Errorf("reading the log: %v", err)
		}
		break
	}
	line = line[:len(line)-1]
	if len(line) == 0 {
		return nil, errors.New("empty line: a log has no empty lines, so one was added or a record emptied")
	}
	if bytes.IndexByte(line, '\r') >= 0 {
		return nil, errors.New("the line has a carriage return: the file was converted (Windows line ends?) and no longer hashes as written; verify the original")
	}
	if !utf8.Valid(line) {
		return nil, errors.New("the line is not valid UTF-8: the record was damaged or edited")
	}
	return line, nil
}

func parseRecord(line []byte) (Record, error) {
	var rec Record
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		return rec, fmt.Errorf("not a valid log record (%s): the record was damaged or edited", jsonProblem(err))
	}
	if dec.More() {
		return rec, errors.New("extra data after the record on the same line: the record was edited")
	}
	if line[0] != '{' {
		return rec, errors.New("not a JSON object: the record was damaged or edited")
	}
	switch {
	case rec.Ceremony == "":
		return rec, errors.New("the record has no ceremony")
	case rec.Actor == "":
		return rec, errors.New("the record has no actor")
	case rec.Event == "":
		return rec, errors.New("the record has no event")
	}
	if len(rec.Prev) != 64 || !isLowerHex(rec.Prev) {
		return rec, errors.New("prev is not 64 lower-case hex digits: the record was damaged or edited")
	}
	if rec.MAC != "" && (len(rec.MAC) != 64 || !isLowerHex(rec.MAC)) {
		return rec, errors.New("mac is not 64 lower-case hex digits: the record was damaged or edited")
	}
	if _, err := ParseTime(rec.Time); err != nil {
		return rec, err
	}
	return rec, nil
}

// jsonProblem describes a decode error without quoting the line, which could
// be long or hostile.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("JSON syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q has the wrong type", clip(te.Field, 40))
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	default:
		return clip(err.Error(), 80)
	}
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// checkLink checks record n's prev and seq against the record before it, and
// words the error so a person knows what probably happened.
func checkLink(n int, rec Record, prev Head, seen map[[32]byte]int) error {
	got, _ := hex.DecodeString(rec.Prev) // checked by parseRecord
	if !bytes.Equal(got, prev.Hash[:]) {
		if n == 1 {
			return &VerifyError{Record: 1, Reason: "prev is not the genesis value, so this is not the first record of a log: " +
				"records were removed from the start, or this is a piece cut from a longer log"}
		}
		var g [32]byte
		copy(g[:], got)
		reason := fmt.Sprintf("prev hash does not match record %d — the log was edited, reordered or has a line removed", n-1)
		if m, ok := seen[g]; ok {
			reason = fmt.Sprintf("prev hash does not match record %d: it is record %d's hash, so the records between were inserted or moved — the log was edited or reordered", n-1, m)
		} else if rec.Seq > uint64(n) {
			reason += fmt.Sprintf(" (this record says it is number %d)", rec.Seq)
		}
		return &VerifyError{Record: n, Reason: reason}
	}
	if rec.Seq != uint64(n) {
		return &VerifyError{Record: n, Reason: fmt.Sprintf("seq is %d, expected %d: the record was edited or forged", rec.Seq, n)}
	}
	return nil
}
