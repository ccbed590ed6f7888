// Package ur reads and writes Uniform Resources (Blockchain Commons
// BCR-2020-005), the text form in which Sparrow, SeedSigner, Passport and
// Keystone pass PSBTs through QR codes: a CBOR message, Bytewords with a
// CRC32 (BCR-2020-012), split when large into fountain-coded parts
// (bcr-2024-001) so that a camera can pick them up in any order, with
// gaps, and still finish.
//
// It is written from the specifications (no maintained Go module exists) and
// checked against the reference test vectors of bc-ur and Hummingbird. It
// deals only in text: QR images are another package's concern.
package ur

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// UR types this package knows how to interpret as a PSBT.
const (
	TypeCryptoPSBT = "crypto-psbt" // BCR-2020-006, what most wallets read today
	TypePSBT       = "psbt"        // the newer registry name for the same body
	TypeBytes      = "bytes"       // undifferentiated bytes (BCR-2020-005)
)

var psbtMagic = []byte("psbt\xff")

// ErrNotUR reports text that is not a UR at all (no "ur:" scheme).
var ErrNotUR = errors.New("not a UR (does not start with \"ur:\")")

// ErrMessageChanged is wrapped by the error Decoder.Receive returns when a
// part belongs to a different message than the parts before it. The decoder
// has then discarded the old parts and started over with the new one; the
// caller should tell the user and keep scanning.
var ErrMessageChanged = errors.New("part belongs to a different message: started over")

// IsUR reports whether text is written as a UR (the "ur:" scheme, any
// case), so every reader routes it the same way before decoding it.
func IsUR(text string) bool { return len(text) >= 3 && strings.EqualFold(text[:3], "ur:") }

// validType reports whether t is a legal UR type: lowercase letters, digits
// and hyphens, not empty, and (our own limit) at most 64 characters.
func validType(t string) bool {
	if t == "" || len(t) > 64 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Encode returns the single-part UR for a CBOR message, in uppercase so that
// a QR code can hold it in alphanumeric mode.
func Encode(urType string, cbor []byte) (string, error) {
	urType = strings.ToLower(urType)
	if !validType(urType) {
		return "", fmt.Errorf("ur: invalid type %q (letters, digits and '-' only)", urType)
	}
	if len(cbor) == 0 || len(cbor) > MaxMessageLen {
		return "", fmt.Errorf("ur: message of %d bytes (must be 1..%d)", len(cbor), MaxMessageLen)
	}
	return strings.ToUpper("ur:" + urType + "/" + EncodeBytewords(cbor)), nil
}

// Encoder produces the parts of one UR message for an animated or printed
// series. Parts 1..SeqLen() each carry one fragment and together are the
// whole message; later parts are fountain-coded mixes that let a receiver
// that missed some frames finish without waiting for them to come round.
type Encoder struct {
	urType string
	f      *fountainEncoder
	single string
}

// NewEncoder splits a CBOR message into fragments of at most maxFragmentLen
// bytes (at least MinFragmentLen), choosing the fragment length as bc-ur does.
// A message that fits one fragment gives a single-part UR.
func NewEncoder(urType string, cbor []byte, maxFragmentLen int) (*Encoder, error) {
	single, err := Encode(urType, cbor)
	if err != nil {
		return nil, err
	}
	if maxFragmentLen < MinFragmentLen {
		return nil, fmt.Errorf("ur: maximum fragment length %d is below the minimum %d", maxFragmentLen, MinFragmentLen)
	}
	fl := findNominalFragmentLength(len(cbor), MinFragmentLen, maxFragmentLen)
	if n := (len(cbor) + fl - 1) / fl; n > MaxSeqLen {
		return nil, fmt.Errorf("ur: %d parts exceed the limit of %d; use longer fragments", n, MaxSeqLen)
	}
	f := newFountainEncoder(cbor, maxFragmentLen)
	e := &Encoder{urType: strings.ToLower(urType), f: f}
	if f.seqLen() == 1 {
		e.single = single
	}
	return e, nil
}

// SeqLen is the number of fragments: the minimum number of parts a receiver
// needs, and the length of the plain (unmixed) run of parts.
func (e *Encoder) SeqLen() int { return e.f.seqLen() }

// FragmentLen is the fragment length chosen, at most the requested maximum.
func (e *Encoder) FragmentLen() int { return e.f.fragmentLen }

// IsSinglePart reports whether the message fits one part, in which case
// every part is the same single-part UR.
func (e *Encoder) IsSinglePart() bool { return e.single != "" }

// NextPart returns the next part of the endless series (1-N, 2-N, …, then
// mixed parts N+1-N, N+2-N, …), uppercase for alphanumeric QR mode.
func (e *Encoder) NextPart() string {
	if e.single != "" {
		return e.single
	}
	return e.format(e.f.nextPart())
}

// Part returns the part with sequence number seqNum (from 1) without moving
// the NextPart position, for building a fixed list of frames.
func (e *Encoder) Part(seqNum uint32) string {
	if e.single != "" {
		return e.single
	}
	if seqNum == 0 {
		seqNum = 1
	}
	return e.format(e.f.part(seqNum))
}

func (e *Encoder) format(p *fountainPart) string {
	return strings.ToUpper("ur:" + e.urType + "/" + strconv.FormatUint(uint64(p.seqNum), 10) + "-" +
		strconv.Itoa(p.seqLen) + "/" + EncodeBytewords(p.cbor()))
}

// EncodePSBT is NewEncoder for a PSBT: the PSBT is wrapped as a CBOR byte
// string under urType TypeCryptoPSBT (the default wallets read) or TypePSBT.
func EncodePSBT(psbt []byte, urType string, maxFragmentLen int) (*Encoder, error) {
	if urType != TypeCryptoPSBT && urType != TypePSBT {
		return nil, fmt.Errorf("ur: a PSBT is sent as %q or %q, not %q", TypeCryptoPSBT, TypePSBT, urType)
	}
	if !bytes.HasPrefix(psbt, psbtMagic) {
		return nil, errors.New("ur: data to encode is not a PSBT (no psbt\\xff magic)")
	}
	return NewEncoder(urType, EncodeCBORBytes(psbt), maxFragmentLen)
}

// DecodePSBTPayload extracts the PSBT from a decoded UR of type crypto-psbt,
// psbt or bytes (a CBOR byte string) and checks its magic bytes.
func DecodePSBTPayload(urType string, cbor []byte) ([]byte, error) {
	switch strings.ToLower(urType) {
	case TypeCryptoPSBT, TypePSBT, TypeBytes:
	default:
		return nil, fmt.Errorf("ur: type %q does not carry a PSBT (want crypto-psbt, psbt or bytes)", urType)
	}
	data, err := DecodeCBORBytes(cbor)
	if err != nil {
		return nil, fmt.Errorf("ur: %s body: %w", urType, err)
	}
	if !bytes.HasPrefix(data, psbtMagic) {
		return nil, fmt.Errorf("ur: %s body is %d bytes but not a PSBT (no psbt\\xff magic)", urType, len(data))
	}
	return data, nil
}

// Decoder collects the parts of one UR, single-part or multipart, given in
// any order, with duplicates and gaps. Input is case-insensitive.
type Decoder struct {
	urType   string
	fountain *fountainDecoder
	result   []byte // CBOR message once complete
	single   bool   // result came from a single-part UR
	legacy   *legacyState
}

// NewDecoder returns an empty Decoder.
func NewDecoder() *Decoder { return &Decoder{} }

// Reset forgets every part received.
func (d *Decoder) Reset() { *d = Decoder{} }

// Receive adds one scanned part. A duplicate or a part arriving after
// completion (of the same message) is accepted silently. A malformed part is
// rejected with an error and changes nothing. A valid part of another
// message (other type, length, checksum or part count) resets the decoder to
// that message and returns an error wrapping ErrMessageChanged.
func (d *Decoder) Receive(part string) error {
	if lp, ok := parseLegacy(part); ok {
		return d.receiveLegacy(lp)
	}
	urType, comps, err := parse(part)
	if err != nil {
		return err
	}
	if len(comps) == 1 {
		cbor, err := DecodeBytewords(comps[0])
		if err != nil {
			return fmt.Errorf("ur:%s: %w", urType, err)
		}
		if d.single && d.urType == urType && bytes.Equal(d.result, cbor) {
			return nil
		}
		changed := d.started()
		*d = Decoder{urType: urType, result: cbor, single: true}
		if changed {
			return fmt.Errorf("ur:%s: a single-part code arrived while collecting another message: %w", urType, ErrMessageChanged)
		}
		return nil
	}

	seqNum, seqLen, err := parseSeq(comps[0])
	if err != nil {
		return fmt.Errorf("ur:%s/%s: %w", urType, clip(comps[0]), err)
	}
	where := fmt.Sprintf("ur:%s part %d/%d", urType, seqNum, seqLen)
	body, err := DecodeBytewords(comps[1])
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	p, err := decodeFountainPart(body)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	if p.seqNum != seqNum || p.seqLen != seqLen {
		return fmt.Errorf("%s: its content says part %d of %d", where, p.seqNum, p.seqLen)
	}
	if err := checkPartShape(p); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}

	var notice error
	if d.fountain == nil || d.urType != urType || !d.fountain.sameMessage(p) {
		if d.started() {
			notice = fmt.Errorf("%s: %s: %w", where, d.difference(urType, p), ErrMessageChanged)
		}
		*d = Decoder{urType: urType, fountain: newFountainDecoder(p)}
	}
	if d.result != nil {
		return notice
	}
	if err := d.fountain.receive(p); err != nil {
		*d = Decoder{}
		return fmt.Errorf("%s: %w; discarded all parts", where, err)
	}
	if d.fountain.message != nil {
		d.result = d.fountain.message
	}
	return notice
}

// difference names what makes p another message than the current one.
func (d *Decoder) difference(urType string, p *fountainPart) string {
	switch {
	case d.legacy != nil:
		return "a current UR series after legacy UR parts"
	case d.single:
		return "multipart series after a single-part code"
	case d.urType != urType:
		return fmt.Sprintf("type %s, expected %s", urType, d.urType)
	case p.seqLen != d.fountain.seqLen:
		return fmt.Sprintf("%d parts, expected %d", p.seqLen, d.fountain.seqLen)
	case p.messageLen != d.fountain.messageLen:
		return fmt.Sprintf("%d-byte message, expected %d", p.messageLen, d.fountain.messageLen)
	case p.checksum != d.fountain.checksum:
		return fmt.Sprintf("checksum %08x, expected %08x", p.checksum, d.fountain.checksum)
	}
	return fmt.Sprintf("%d-byte fragments, expected %d", len(p.data), d.fountain.fragmentLen)
}

func (d *Decoder) started() bool { return d.fountain != nil || d.result != nil || d.legacy != nil }

// Progress reports how many fragments' worth of independent information has
// arrived (a mixed part counts as soon as it adds something new), out of the
// number of fragments, and that ratio (1 when complete; 0 before any part).
func (d *Decoder) Progress() (received, total int, fraction float64) {
	switch {
	case d.single:
		return 1, 1, 1
	case d.legacy != nil && d.result != nil:
		return d.legacy.seq, d.legacy.seq, 1
	case d.legacy != nil:
		return len(d.legacy.frags), d.legacy.seq, float64(len(d.legacy.frags)) / float64(d.legacy.seq)
	case d.fountain == nil:
		return 0, 0, 0
	case d.result != nil:
		return d.fountain.seqLen, d.fountain.seqLen, 1
	}
	return d.fountain.rank(), d.fountain.seqLen, float64(d.fountain.rank()) / float64(d.fountain.seqLen)
}

// Complete reports whether the whole message has been recovered.
func (d *Decoder) Complete() bool { return d.result != nil }

// Result returns the UR type and the CBOR message once Complete.
func (d *Decoder) Result() (urType string, cbor []byte, err error) {
	if d.result == nil {
		r, t, _ := d.Progress()
		return "", nil, fmt.Errorf("ur: message incomplete (%d of %d parts)", r, t)
	}
	return d.urType, bytes.Clone(d.result), nil
}

// parse splits a UR into its lowercase type and remaining path components
// (one for a single part, two for seq/fragment).
func parse(s string) (urType string, comps []string, err error) {
	s = strings.ToLower(strings.TrimSpace(s))
	rest, ok := strings.CutPrefix(s, "ur:")
	if !ok {
		return "", nil, ErrNotUR
	}
	comps = strings.Split(rest, "/")
	if len(comps) < 2 || len(comps) > 3 {
		return "", nil, fmt.Errorf("ur: %d path components, want type/body or type/seq/body", len(comps))
	}
	if !validType(comps[0]) {
		return "", nil, fmt.Errorf("ur: invalid type %q", clip(comps[0]))
	}
	return comps[0], comps[1:], nil
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// parseSeq parses "seqNum-seqLen" strictly: decimal digits only, both ≥ 1.
func parseSeq(s string) (uint32, int, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, errors.New("sequence is not N-M")
	}
	num, err1 := parseDecimal(a, math.MaxUint32)
	n, err2 := parseDecimal(b, MaxSeqLen)
	if err1 != nil {
		return 0, 0, fmt.Errorf("part number: %w", err1)
	}
	if err2 != nil {
		return 0, 0, fmt.Errorf("part count: %w", err2)
	}
	if num < 1 || n < 1 {
		return 0, 0, errors.New("part number and count start at 1")
	}
	return uint32(num), int(n), nil
}

func parseDecimal(s string, limit uint64) (uint64, error) {
	if s == "" || len(s) > 10 {
		return 0, fmt.Errorf("%q is not a number in range", s)
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not a decimal number", s)
		}
		v = v*10 + uint64(s[i]-'0')
	}
	if v > limit {
		return 0, fmt.Errorf("%d exceeds the limit %d", v, limit)
	}
	return v, nil
}
