package shamir

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error this package returns wraps exactly one of them
// (test with errors.Is), so a caller can print a hint for each kind of mistake.
// The messages themselves already name the share and, for typing mistakes, the
// block on the card.
var (
	// ErrPrefix: the text does not start with "ash1", so it is not an
	// airsign share or its first block is mistyped.
	ErrPrefix = errors.New("not an airsign share")
	// ErrCharacter: a character that never appears in a share (b, i, o, 1
	// after the prefix, punctuation, non-ASCII).
	ErrCharacter = errors.New("character outside the share alphabet")
	// ErrLength: the share has the wrong number of characters (one was left
	// out or typed twice).
	ErrLength = errors.New("wrong number of characters")
	// ErrChecksum: the checksum does not match; a character is mistyped.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrPadding: the checksum matches but the unused bits at the end are not
	// zero; the text was not written by an airsign encoder.
	ErrPadding = errors.New("non-zero padding bits")
	// ErrVersion: a share format this airsign does not know.
	ErrVersion = errors.New("unknown share format version")
	// ErrField: threshold, count, index or payload size out of range.
	ErrField = errors.New("share field out of range")
	// ErrIndexZero: share index 0 would be the secret itself in Shamir's
	// scheme; no valid share has it.
	ErrIndexZero = errors.New("share index 0")
	// ErrSecretLength: Split was given something that is not BIP39 entropy
	// (16, 20, 24, 28 or 32 bytes).
	ErrSecretLength = errors.New("secret is not 16, 20, 24, 28 or 32 bytes")
	// ErrParams: Split was asked for a threshold or share count outside
	// 2 ≤ threshold ≤ count ≤ 16.
	ErrParams = errors.New("need 2 ≤ threshold ≤ count ≤ 16")
	// ErrMixedSets: shares of two or more different splits were given together.
	ErrMixedSets = errors.New("shares of different sets")
	// ErrDuplicate: the same share was given twice.
	ErrDuplicate = errors.New("duplicate share")
	// ErrConflict: two different shares claim the same index; one of them
	// is corrupted or forged.
	ErrConflict = errors.New("two shares with the same index differ")
	// ErrDisagree: shares of one set disagree on threshold, count,
	// fingerprint, version or secret size.
	ErrDisagree = errors.New("shares disagree")
	// ErrTooFew: fewer shares than the threshold.
	ErrTooFew = errors.New("not enough shares")
	// ErrForged: the shares combine to a secret whose digest does not match,
	// and no subset of them does better; at least one share is forged,
	// corrupted or from a different split.
	ErrForged = errors.New("recovered secret fails its digest")
	// ErrBadShares: with more shares than the threshold, some shares do not
	// fit the others; SetError.Shares names them.
	ErrBadShares = errors.New("shares do not fit the others")
	// ErrFingerprint: the shares are for another master key than the one the
	// caller expected.
	ErrFingerprint = errors.New("master key fingerprint mismatch")
)

// ShareError is a problem with one share on its own: its text or its fields.
// Its message names the share by the caller's label and, for typing mistakes,
// the 4-character blocks that look wrong, counted as printed on the card
// ("ash1" is block 1). It never contains share characters.
type ShareError struct {
	Label  string // the caller's name for the share: "share 3", "share-3.txt"
	Blocks []int  // 1-based blocks that look wrong; nil if they cannot be told
	Err    error  // one of the sentinel errors
	msg    string
}

func (e *ShareError) Error() string { return e.msg }

// Unwrap returns the sentinel error, for errors.Is.
func (e *ShareError) Unwrap() error { return e.Err }

// SetError is a problem with shares taken together (mixed sets, duplicates,
// too few, forged). Shares names the ones at fault when they can be told.
type SetError struct {
	Shares []string // labels of the shares at fault; empty if none can be blamed alone
	Err    error    // one of the sentinel errors
	msg    string
}

func (e *SetError) Error() string { return e.msg }

// Unwrap returns the sentinel error, for errors.Is.
func (e *SetError) Unwrap() error { return e.Err }

func shareErr(label string, blocks []int, err error, format string, args ...any) *ShareError {
	return &ShareError{Label: label, Blocks: blocks, Err: err, msg: fmt.Sprintf(format, args...)}
}

func setErr(shares []string, err error, format string, args ...any) *SetError {
	return &SetError{Shares: shares, Err: err, msg: fmt.Sprintf(format, args...)}
}

// blockList renders "block 7", "blocks 4 and 9", "blocks 2, 5 and 9".
func blockList(blocks []int) string {
	if len(blocks) == 1 {
		return fmt.Sprintf("block %d", blocks[0])
	}
	s := make([]string, len(blocks))
	for i, b := range blocks {
		s[i] = fmt.Sprint(b)
	}
	return "blocks " + andList(s)
}

// andList renders "a", "a and b", "a, b and c".
func andList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
