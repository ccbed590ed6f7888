// Package bip329 reads and writes BIP329 wallet labels: JSON Lines, one
// record per line, {"type", "ref", "label", "origin", "spendable"}, the
// format Sparrow and other wallets export and import labels in.
//
// Reading is strict where a mistake would put a label on the wrong thing
// (a ref that is not a txid, an outpoint or a key of its type) and lenient
// where BIP329 asks for it: unknown types, spscan records (no airsign
// wallet has a silent payments scan key) and extra fields (Sparrow's
// height, time, fee, value, keypath, heights, fmv…) are passed over, and a
// missing label or spendable means "leave it as it is". Any bad line makes
// the whole file bad, so an import is all or nothing.
package bip329

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Types are the record types BIP329 defines.
var Types = []string{"tx", "addr", "pubkey", "input", "output", "xpub"}

// TypeSilentPayments is the BIP329 type of a silent payments scan key
// expression, which no airsign wallet has: it is read and passed over.
const TypeSilentPayments = "spscan"

// Record is one label record.
type Record struct {
	Type string
	Ref  string
	// Label is nil when the record has none (BIP329: do not alter the
	// label); an empty label removes one.
	Label *string
	// Origin is the abbreviated descriptor of the wallet the record is
	// for, e.g. wpkh([d34db33f/84'/0'/0']) ("" when absent).
	Origin string
	// Spendable is nil when absent; false freezes an output.
	Spendable *bool
	// Line is where the record is in the file read (its first line when
	// later lines changed it), for messages; 0 for records not read.
	Line int
}

// MaxLabel is BIP329's suggested longest label; longer ones are cut (the
// caller is told which lines).
const MaxLabel = 255

// Limits on what is read before anything is parsed.
const (
	MaxFile = 64 << 20 // bytes
	MaxLine = 64 << 10 // bytes
)

// Code says what is wrong with a line.
type Code int

// The problems a line can have.
const (
	ErrNotJSON   Code = iota + 1 // not a JSON object
	ErrField                     // a field of the wrong JSON type
	ErrNoType                    // no "type"
	ErrNoRef                     // no "ref"
	ErrRef                       // a ref that does not fit its type
	ErrLabel                     // a label with a line break or control character
	ErrNotUTF8                   // the line is not UTF-8
	ErrTooLong                   // the line or the file is too long
	ErrSpendable                 // "spendable" on a record other than an output
)

// Error is a bad line: its number, what is wrong, and what to do.
type Error struct {
	Name string // the file, for messages
	Line int
	Code Code
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Name, e.Msg)
	}
	return fmt.Sprintf("%s line %d: %s; nothing was imported (fix or delete the line and import again)", e.Name, e.Line, e.Msg)
}

// Result is a file read whole.
type Result struct {
	Records []Record
	// Ignored counts records of types BIP329 does not define (future
	// ones, other wallets' own), which BIP329 says to pass over.
	Ignored int
	// SilentPayments counts spscan records: BIP329 defines them (the
	// scan key of a BIP352 silent payments wallet), but airsign's wallets
	// have no such key, so they are passed over too.
	SilentPayments int
	// Truncated lists the lines whose label was cut to MaxLabel.
	Truncated []int
}

// Read reads a whole BIP329 file; name is for messages. A record of the
// same type and ref as an earlier one replaces it (a later line is a later
// edit), so the result holds no duplicates.
func Read(r io.Reader, name string) (*Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxFile {
		return nil, &Error{Name: name, Code: ErrTooLong, Msg: fmt.Sprintf("larger than %d MiB: not a label export", MaxFile>>20)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	res := &Result{}
	at := map[[2]string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), MaxLine)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		rec, known, cut, err := parseLine(line)
		if err != nil {
			err.Name, err.Line = name, n
			return nil, err
		}
		if !known && rec.Type == TypeSilentPayments {
			res.SilentPayments++
			continue
		}
		if !known {
			res.Ignored++
			continue
		}
		if cut {
			res.Truncated = append(res.Truncated, n)
		}
		rec.Line = n
		key := [2]string{rec.Type, rec.Ref}
		if i, ok := at[key]; ok {
			res.Records[i] = merge(res.Records[i], rec)
			continue
		}
		at[key] = len(res.Records)
		res.Records = append(res.Records, rec)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &Error{Name: name, Code: ErrTooLong, Msg: fmt.Sprintf("a line is longer than %d KiB: not a label export", MaxLine>>10)}
		}
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return res, nil
}

// merge applies a later record of the same type and ref over an earlier
// one: what the later one says wins, what it leaves out stays.
func merge(old, new Record) Record {
	if new.Label != nil {
		old.Label = new.Label
	}
	if new.Origin != "" {
		old.Origin = new.Origin
	}
	if new.Spendable != nil {
		old.Spendable = new.Spendable
	}
	return old
}

// fields are the members of a record airsign reads; others are skipped.
type fields struct {
	Type      json.RawMessage `json:"type"`
	Ref       json.RawMessage `json:"ref"`
	Label     json.RawMessage `json:"label"`
	Origin    json.RawMessage `json:"origin"`
	Spendable json.RawMessage `json:"spendable"`
}

func bad(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// parseLine reads one non-blank line. known is false for a type BIP329
// does not define; cut reports a label cut to MaxLabel.
func parseLine(line []byte) (rec Record, known, cut bool, err *Error) {
	if !utf8.Valid(line) {
		return rec, false, false, bad(ErrNotUTF8, "not UTF-8 text")
	}
	if line[0] != '{' {
		return rec, false, false, bad(ErrNotJSON, "not a JSON object (a BIP329 line looks like {\"type\": \"addr\", \"ref\": \"bc1q…\", \"label\": \"…\"})")
	}
	var f fields
	if e := json.Unmarshal(line, &f); e != nil {
		return rec, false, false, bad(ErrNotJSON, "not a JSON object: %v", e)
	}
	typ, ok, e := str(f.Type, "type")
	if e != nil {
		return rec, false, false, e
	}
	if !ok || typ == "" {
		return rec, false, false, bad(ErrNoType, "no \"type\" (one of %s)", strings.Join(Types, ", "))
	}
	if !isType(typ) {
		rec.Type = typ // for the caller to count, not to store
		return rec, false, false, nil
	}
	rec.Type = typ
	ref, ok, e := str(f.Ref, "ref")
	if e != nil {
		return rec, false, false, e
	}
	if !ok || strings.TrimSpace(ref) == "" {
		return rec, false, false, bad(ErrNoRef, "no \"ref\" (what the %s label is for)", typ)
	}
	if rec.Ref, e = checkRef(typ, ref); e != nil {
		return rec, false, false, e
	}
	if label, ok, e := str(f.Label, "label"); e != nil {
		return rec, false, false, e
	} else if ok {
		if r, has := controlIn(label); has {
			return rec, false, false, badLabel(r)
		}
		if utf8.RuneCountInString(label) > MaxLabel {
			label, cut = string([]rune(label)[:MaxLabel]), true
		}
		rec.Label = &label
	}
	if origin, ok, e := str(f.Origin, "origin"); e != nil {
		return rec, false, false, e
	} else if ok {
		if r, has := controlIn(origin); has {
			return rec, false, false, bad(ErrField, "the origin holds a control character (%U)", r)
		}
		rec.Origin = origin
	}
	if len(f.Spendable) > 0 && string(f.Spendable) != "null" {
		var sp bool
		if json.Unmarshal(f.Spendable, &sp) != nil {
			return rec, false, false, bad(ErrField, "\"spendable\" is %s, not true or false", clip(f.Spendable))
		}
		// BIP329: spendable only where type is output; elsewhere it is
		// passed over (some wallets write it on addresses).
		if typ == "output" {
			rec.Spendable = &sp
		}
	}
	return rec, true, cut, nil
}

func badLabel(r rune) *Error {
	return bad(ErrLabel, "the label holds a line break or control character (%U); BIP329 labels are one line of text", r)
}

// str reads an optional string member; null counts as absent.
func str(raw json.RawMessage, name string) (string, bool, *Error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false, bad(ErrField, "%q is %s, not a string", name, clip(raw))
	}
	return s, true, nil
}

func clip(b []byte) string {
	s := string(b)
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func controlIn(s string) (rune, bool) {
	for _, r := range s {
		if unicode.IsControl(r) {
			return r, true
		}
	}
	return 0, false
}

func isType(t string) bool {
	for _, k := range Types {
		if t == k {
			return true
		}
	}
	return false
}

// checkRef checks a ref fits its type and returns it in the form airsign
// stores: txids lower case, outpoints txid:index.
func checkRef(typ, ref string) (string, *Error) {
	switch typ {
	case "tx":
		if !isTxid(ref) {
			return "", bad(ErrRef, "tx ref %q is not a txid (64 hex digits)", clip([]byte(ref)))
		}
		return strings.ToLower(ref), nil
	case "input", "output":
		txid, idx, ok := strings.Cut(ref, ":")
		n, err := strconv.ParseUint(idx, 10, 32)
		if !ok || !isTxid(txid) || err != nil || idx == "" || idx[0] == '+' {
			return "", bad(ErrRef, "%s ref %q is not TXID:INDEX (64 hex digits, a colon, a number)", typ, clip([]byte(ref)))
		}
		return strings.ToLower(txid) + ":" + strconv.FormatUint(n, 10), nil
	case "pubkey":
		b, err := hex.DecodeString(ref)
		if err != nil || (len(b) != 32 && len(b) != 33 && len(b) != 65) {
			return "", bad(ErrRef, "pubkey ref %q is not a 32, 33 or 65 byte public key in hex", clip([]byte(ref)))
		}
		return strings.ToLower(ref), nil
	case "addr", "xpub":
		if strings.ContainsFunc(ref, func(r rune) bool { return r > unicode.MaxASCII || unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return "", bad(ErrRef, "%s ref %q holds spaces or characters no %s has", typ, clip([]byte(ref)), map[string]string{"addr": "address", "xpub": "extended key"}[typ])
		}
	}
	return ref, nil
}

func isTxid(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// record is a Record as written: BIP329's order of members.
type record struct {
	Type      string  `json:"type"`
	Ref       string  `json:"ref"`
	Label     *string `json:"label,omitempty"`
	Origin    string  `json:"origin,omitempty"`
	Spendable *bool   `json:"spendable,omitempty"`
}

// Write writes records as BIP329 JSON Lines.
func Write(w io.Writer, records []Record) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, r := range records {
		if err := enc.Encode(record{Type: r.Type, Ref: r.Ref, Label: r.Label, Origin: r.Origin, Spendable: r.Spendable}); err != nil {
			return err
		}
	}
	return bw.Flush()
}
