package shamir

import (
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
)

// Format constants; docs/shares.md specifies the layout they describe.
const (
	// Version is the share format this package writes and reads.
	Version = 1
	// MaxShares bounds the share count (and so the threshold and index).
	MaxShares = 16
	// DigestLen is the size of the integrity digest appended to the secret
	// before splitting.
	DigestLen = 4
	// headerLen is the size of the fields before the payload:
	// version, set id, threshold, count, fingerprint, index.
	headerLen = 1 + 4 + 1 + 1 + 4 + 1
	// setHeaderLen is the part of the header that is the same on every share
	// of a set (everything but the index); it keys the digest.
	setHeaderLen = headerLen - 1
)

// SetID identifies one split: a random value drawn anew by every Split, so
// shares of an old and a re-issued set can never be combined by mistake.
type SetID [4]byte

// String returns the set id as 8 upper-case hex digits, as printed on cards.
func (id SetID) String() string { return strings.ToUpper(hex.EncodeToString(id[:])) }

// Fingerprint is the BIP32 master key fingerprint (first 4 bytes of
// HASH160 of the master public key). The caller computes it; this package
// only carries and compares it, so a share tells which key it belongs to.
type Fingerprint [4]byte

// String returns the fingerprint as 8 lower-case hex digits, as in output
// descriptors ([73c5da0a/84h/0h/0h]).
func (fp Fingerprint) String() string { return hex.EncodeToString(fp[:]) }

// Share is one holder's piece of a split secret, with everything needed to
// check it on its own and to combine it with others of its set.
//
// Payload is secret material. Share deliberately formats as a redacted
// description with fmt (%v, %s, %x, %#v all print "share 3 of 5 (set …)"), so
// a share in a log line or error message never leaks; use MarshalText for
// the text a holder copies.
type Share struct {
	Version     int         // format version; Version for shares written by Split
	SetID       SetID       // random id of the split this share belongs to
	Threshold   int         // T: how many shares recover the secret (2..16)
	Count       int         // N: how many shares the split made (T..16)
	Index       int         // i: this share's number, 1..N; its x-coordinate
	Fingerprint Fingerprint // master key the secret belongs to
	Payload     []byte      // P(i) for every byte of secret||digest
	// Label names where the share came from ("share 3", "share-3.txt") in
	// error messages. It is not part of the encoding. Empty means
	// "share <Index>".
	Label string
}

// name is how errors refer to the share.
func (s Share) name() string {
	if s.Label != "" {
		return s.Label
	}
	return fmt.Sprintf("share %d", s.Index)
}

// String describes the share without its payload: safe to log.
func (s Share) String() string {
	return fmt.Sprintf("share %d of %d (set %s, threshold %d, master %s)",
		s.Index, s.Count, s.SetID, s.Threshold, s.Fingerprint)
}

// Format makes every fmt verb print String(), never the payload.
func (s Share) Format(f fmt.State, verb rune) { fmt.Fprint(f, s.String()) }

// Wipe zeroes the payload. Call it when the share is no longer needed.
func (s *Share) Wipe() {
	clear(s.Payload)
	s.Payload = nil
}

// SecretLen is the size of the secret this share helps recover.
func (s Share) SecretLen() int { return len(s.Payload) - DigestLen }

// validSecretLen reports whether n is a BIP39 entropy size.
func validSecretLen(n int) bool { return n >= 16 && n <= 32 && n%4 == 0 }

// Validate checks the fields of one share on their own: version, ranges,
// index 0, payload size. Combine and Verify call it on every share, so
// shares built by hand (not by ParseShare) cannot reach the arithmetic.
func (s Share) Validate() error {
	n := s.name()
	switch {
	case s.Version != Version:
		return shareErr(n, nil, ErrVersion,
			"%s uses share format version %d; this airsign reads version %d (use the airsign that wrote it, or a newer one)", n, s.Version, Version)
	case s.Threshold < 2 || s.Threshold > MaxShares:
		return shareErr(n, nil, ErrField, "%s says threshold %d; it must be 2..%d", n, s.Threshold, MaxShares)
	case s.Count < s.Threshold || s.Count > MaxShares:
		return shareErr(n, nil, ErrField, "%s says %d of %d shares; the count must be %d..%d", n, s.Threshold, s.Count, s.Threshold, MaxShares)
	case s.Index == 0:
		return shareErr(n, nil, ErrIndexZero, "%s has index 0, which no share can have (indexes run 1..%d)", n, s.Count)
	case s.Index < 0 || s.Index > s.Count:
		return shareErr(n, nil, ErrField, "%s has index %d, outside 1..%d", n, s.Index, s.Count)
	case !validSecretLen(s.SecretLen()):
		return shareErr(n, nil, ErrField, "%s has a %d-byte payload; it must be 20, 24, 28, 32 or 36", n, len(s.Payload))
	}
	return nil
}

// setHeader returns the 11 bytes every share of the set has in common.
func (s Share) setHeader() []byte {
	h := make([]byte, 0, setHeaderLen)
	h = append(h, byte(s.Version))
	h = append(h, s.SetID[:]...)
	h = append(h, byte(s.Threshold), byte(s.Count))
	h = append(h, s.Fingerprint[:]...)
	return h
}

// bytes returns the binary layout: set header, index, payload.
func (s Share) bytes() []byte {
	b := make([]byte, 0, headerLen+len(s.Payload))
	b = append(b, s.setHeader()...)
	b = append(b, byte(s.Index))
	return append(b, s.Payload...)
}

// words returns the 5-bit data part including the checksum.
func (s Share) words() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	b := s.bytes()
	w := appendChecksum(toWords(b))
	clear(b)
	return w, nil
}

// AppendText appends the text a holder copies by hand: lower case, "ash1"
// and then the rest in blocks of four characters separated by single spaces,
// e.g. "ash1 pqq3 …". It implements encoding.TextAppender.
func (s Share) AppendText(b []byte) ([]byte, error) {
	w, err := s.words()
	if err != nil {
		return b, err
	}
	defer clear(w)
	b = append(b, Prefix...)
	for i, v := range w {
		if (len(Prefix)+i)%BlockSize == 0 {
			b = append(b, ' ')
		}
		b = append(b, charset[v])
	}
	return b, nil
}

// MarshalText returns AppendText(nil). It implements encoding.TextMarshaler.
func (s Share) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// MarshalCompact returns the text in upper case without spaces, the form
// to put in a QR code: it fits QR's alphanumeric mode and ParseShare reads
// it like any other grouping.
func (s Share) MarshalCompact() ([]byte, error) {
	w, err := s.words()
	if err != nil {
		return nil, err
	}
	defer clear(w)
	b := make([]byte, 0, len(Prefix)+len(w))
	b = append(b, strings.ToUpper(Prefix)...)
	for _, v := range w {
		c := charset[v]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return b, nil
}

// UnmarshalText parses a share with ParseShare and no label.
// It implements encoding.TextUnmarshaler.
func (s *Share) UnmarshalText(text []byte) error {
	v, err := ParseShare(text, "")
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// dataLens lists the valid data-part lengths (payload characters plus
// checksum) for the five secret sizes.
var dataLens = func() (m map[int]bool) {
	m = make(map[int]bool)
	for n := 16; n <= 32; n += 4 {
		m[(8*(headerLen+n+DigestLen)+4)/5+checksumLen] = true
	}
	return m
}()

// isSeparator reports the characters people put between blocks.
func isSeparator(c byte) bool {
	return c == ' ' || c == '-' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// ParseShare reads a share's text in any case, grouping and spacing
// (spaces, dashes, line breaks). label names the share in error messages
// ("share 3", a file name); empty means "share". It checks the checksum,
// the format version and every field, and never corrects anything: a
// mistyped text gives a *ShareError naming the block(s) that look wrong.
func ParseShare(text []byte, label string) (Share, error) {
	if label == "" {
		label = "share"
	}
	norm := make([]byte, 0, len(text))
	defer func() { clear(norm) }()
	for _, c := range text {
		if isSeparator(c) {
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		norm = append(norm, c)
	}
	if len(norm) == 0 {
		return Share{}, shareErr(label, nil, ErrLength, "%s is empty", label)
	}
	if len(norm) < len(Prefix) || string(norm[:len(Prefix)]) != Prefix {
		return Share{}, shareErr(label, []int{1}, ErrPrefix,
			"%s, block 1 should read %q: this is not an airsign share, or its start is mistyped", label, Prefix)
	}
	data := norm[len(Prefix):]

	var bad []int
	for i, c := range data {
		if charValue[c] < 0 {
			bad = appendBlock(bad, blockOf(i))
		}
	}
	if bad != nil {
		return Share{}, shareErr(label, bad, ErrCharacter,
			"%s, %s: a character that never appears in shares (after ash1 there is no b, i, o or 1: o is probably 0, i and 1 probably l, b probably 8)", label, blockList(bad))
	}
	w := make([]byte, len(data))
	defer clear(w)
	for i, c := range data {
		w[i] = byte(charValue[c])
	}

	if !dataLens[len(w)] {
		return Share{}, lengthError(label, w)
	}
	if residue(w) != 0 {
		pos := locateErrors(w)
		if pos == nil {
			return Share{}, shareErr(label, nil, ErrChecksum,
				"%s does not match its checksum: several characters look mistyped; compare every block with the card", label)
		}
		var blocks []int
		for _, p := range pos {
			blocks = appendBlock(blocks, blockOf(p))
		}
		verb := "looks"
		if len(blocks) > 1 {
			verb = "look"
		}
		return Share{}, shareErr(label, blocks, ErrChecksum, "%s, %s %s mistyped", label, blockList(blocks), verb)
	}

	b, ok := fromWords(w[:len(w)-checksumLen])
	defer clear(b)
	if !ok {
		return Share{}, shareErr(label, []int{blockOf(len(w) - checksumLen - 1)}, ErrPadding,
			"%s has a valid checksum but non-zero padding bits: it was not written by airsign", label)
	}
	s := Share{
		Version:   int(b[0]),
		Threshold: int(b[5]),
		Count:     int(b[6]),
		Index:     int(b[11]),
		Payload:   append([]byte(nil), b[headerLen:]...),
		Label:     label,
	}
	copy(s.SetID[:], b[1:5])
	copy(s.Fingerprint[:], b[7:11])
	if err := s.Validate(); err != nil {
		s.Wipe()
		return Share{}, err
	}
	return s, nil
}

// appendBlock appends b to a sorted list of blocks unless already last.
func appendBlock(blocks []int, b int) []int {
	if len(blocks) > 0 && blocks[len(blocks)-1] == b {
		return blocks
	}
	return append(blocks, b)
}

// lengthError explains a data part of the wrong length. If one character
// too many or too few would make a valid share, it says which block; it
// tries every deletion and insertion, but reports only where, never what.
func lengthError(label string, w []byte) error {
	n := len(w)
	var blocks []int
	var what string
	cand := make([]byte, 0, n+1)
	defer func() { clear(cand) }()
	switch {
	case dataLens[n-1]:
		what = "one character too many"
		for i := range w {
			cand = append(append(cand[:0], w[:i]...), w[i+1:]...)
			if residue(cand) == 0 {
				blocks = appendBlock(blocks, blockOf(i))
			}
		}
	case dataLens[n+1]:
		what = "one character too few"
		for i := 0; i <= n; i++ {
			for v := byte(0); v < 32; v++ {
				cand = append(append(append(cand[:0], w[:i]...), v), w[i:]...)
				if residue(cand) == 0 {
					blocks = appendBlock(blocks, blockOf(i))
					break
				}
			}
		}
	}
	total := len(Prefix) + n
	if what != "" && len(blocks) > 0 && len(blocks) <= 2 {
		verb := "looks"
		if len(blocks) > 1 {
			verb = "look"
		}
		return shareErr(label, blocks, ErrLength, "%s has %s: %s %s wrong", label, what, blockList(blocks), verb)
	}
	return shareErr(label, nil, ErrLength,
		"%s has %d characters; a share has 62, 68, 74, 81 or 87 (count the blocks against the card)", label, total)
}

// equalPayload compares payloads in constant time.
func equalPayload(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
