// Package bbqr reads and writes BBQr ("Better Bitcoin QR", Coinkite, public
// domain spec BBQr.md), the multi-code format Coldcard and others use: each
// code is "B$" + encoding + file type + part count + part index (two base-36
// digits each) + a slice of the encoded file, all in the QR alphanumeric set.
//
// Reading supports the three encodings every receiver must: H (hex),
// 2 (base32) and Z (raw DEFLATE with a 1 KiB window, then base32). Writing
// uses Z when it is smaller, else base32. The package deals only in text.
package bbqr

import (
	"bytes"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/klauspost/compress/flate"
)

// Encoding is the third header character: how the file bytes became text.
type Encoding byte

// The encodings of the BBQr spec.
const (
	Hex    Encoding = 'H' // uppercase hex
	Base32 Encoding = '2' // RFC 4648 base32 without padding
	Zlib   Encoding = 'Z' // raw DEFLATE, 1 KiB window (wbits=10), then base32
)

// FileType is the fourth header character: what the file is.
type FileType byte

// The file types this package reads (P and T are the ones airsign writes).
const (
	PSBT        FileType = 'P'
	Transaction FileType = 'T'
	JSON        FileType = 'J'
	CBOR        FileType = 'C'
	Unicode     FileType = 'U'
	Binary      FileType = 'B'
)

// String names the file type for messages ("PSBT", "transaction", …).
func (t FileType) String() string {
	switch t {
	case PSBT:
		return "PSBT"
	case Transaction:
		return "transaction"
	case JSON:
		return "JSON"
	case CBOR:
		return "CBOR"
	case Unicode:
		return "text"
	case Binary:
		return "binary"
	}
	return fmt.Sprintf("type %q", string(rune(t)))
}

const (
	// HeaderLen is the length of the "B$" header every part starts with.
	HeaderLen = 8
	// MaxParts is the largest part count two base-36 digits can express.
	MaxParts = 1295
	// MaxFileLen caps the decoded (and, for Z, the decompressed) file size,
	// so a hostile series or a zlib bomb cannot exhaust memory.
	MaxFileLen = 16 << 20
	// zlibWindow is the DEFLATE window BBQr fixes (wbits=10).
	zlibWindow = 1 << 10
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// splitMod is the part length granularity that keeps every part decodable
// on its own: whole bytes per part.
func splitMod(enc Encoding) int {
	if enc == Hex {
		return 2
	}
	return 8
}

// Encode turns a file into the text that is split across parts, returning
// the encoding actually used: Zlib falls back to Base32 when compressing does
// not make the file smaller.
func Encode(data []byte, enc Encoding) (Encoding, string, error) {
	if len(data) == 0 || len(data) > MaxFileLen {
		return 0, "", fmt.Errorf("bbqr: file of %d bytes (must be 1..%d)", len(data), MaxFileLen)
	}
	switch enc {
	case Hex:
		return Hex, strings.ToUpper(hex.EncodeToString(data)), nil
	case Base32:
		return Base32, b32.EncodeToString(data), nil
	case Zlib:
		z, err := deflate1K(data)
		if err != nil {
			return 0, "", err
		}
		if len(z) >= len(data) {
			return Base32, b32.EncodeToString(data), nil
		}
		return Zlib, b32.EncodeToString(z), nil
	}
	return 0, "", fmt.Errorf("bbqr: unknown encoding %q", string(rune(enc)))
}

// deflate1K compresses with a 1 KiB window and checks the result with the
// window-enforcing inflater, so nothing we write can fail on a receiver that
// allocates only the window BBQr promises.
func deflate1K(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := flate.NewWriterWindow(&buf, zlibWindow)
	if err != nil {
		return nil, fmt.Errorf("bbqr: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return nil, fmt.Errorf("bbqr: compress: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("bbqr: compress: %w", err)
	}
	back, err := inflateWindow(buf.Bytes(), zlibWindow, len(data))
	if err != nil || !bytes.Equal(back, data) {
		return nil, fmt.Errorf("bbqr: compressed data does not inflate with a 1 KiB window (%v)", err)
	}
	return buf.Bytes(), nil
}

// Split encodes a file and cuts it into parts of at most maxChars characters
// each, header included — maxChars being what one QR code of the chosen
// version and error-correction level holds in alphanumeric mode (see
// AlphanumericCapacity). All parts but the last have the same length, a
// multiple of the encoding's granularity, and the data is spread evenly so
// the last part is not a tiny runt.
func Split(data []byte, ft FileType, enc Encoding, maxChars int) ([]string, error) {
	if ft != PSBT && ft != Transaction && ft != JSON && ft != CBOR && ft != Unicode && ft != Binary {
		return nil, fmt.Errorf("bbqr: unknown file type %q", string(rune(ft)))
	}
	enc, body, err := Encode(data, enc)
	if err != nil {
		return nil, err
	}
	count, per, err := partLayout(len(body), splitMod(enc), maxChars)
	if err != nil {
		return nil, err
	}
	parts := make([]string, count)
	for i := range parts {
		end := min((i+1)*per, len(body))
		parts[i] = "B$" + string(rune(enc)) + string(rune(ft)) + base36(count) + base36(i) + body[i*per:end]
	}
	return parts, nil
}

// partLayout chooses the number of parts and the length of every part but
// the last for an encoded body of n characters.
func partLayout(n, mod, maxChars int) (count, per int, err error) {
	room := maxChars - HeaderLen
	aligned := room - room%mod
	if aligned <= 0 {
		return 0, 0, fmt.Errorf("bbqr: %d characters per code leave no room for data", maxChars)
	}
	if n <= room {
		return 1, n, nil
	}
	count = (n + aligned - 1) / aligned
	per = (n + count - 1) / count
	per += (mod - per%mod) % mod // ≤ aligned, since aligned is a multiple of mod
	count = (n + per - 1) / per
	if count > MaxParts {
		return 0, 0, fmt.Errorf("bbqr: %d parts needed, more than the %d the header can count", count, MaxParts)
	}
	return count, per, nil
}

func base36(n int) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	return string([]byte{digits[n/36], digits[n%36]})
}

func parseBase36(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d int
		switch {
		case c >= '0' && c <= '9':
			d = int(c - '0')
		case c >= 'A' && c <= 'Z':
			d = int(c-'A') + 10
		default:
			return 0, false
		}
		v = v*36 + d
	}
	return v, true
}

// IsPart reports whether text looks like a BBQr part (starts with "B$").
func IsPart(text string) bool {
	t := strings.TrimSpace(text)
	return len(t) >= 2 && (t[0] == 'B' || t[0] == 'b') && t[1] == '$'
}

// ErrMessageChanged is wrapped by the error Decoder.Add returns when a part
// belongs to another series (other encoding, file type or part count, or a
// different body for an index already held). The decoder has then dropped
// the old parts and started over with the new one.
var ErrMessageChanged = errors.New("part belongs to a different BBQr series: started over")

// header is the parsed fixed part of a BBQr code.
type header struct {
	enc   Encoding
	ft    FileType
	count int
	index int
}

// parsePart validates one part on its own and returns its header and body.
func parsePart(text string) (header, string, error) {
	t := strings.ToUpper(strings.TrimSpace(text))
	if !strings.HasPrefix(t, "B$") {
		return header{}, "", errors.New("bbqr: not a BBQr code (does not start with \"B$\")")
	}
	if len(t) < HeaderLen {
		return header{}, "", fmt.Errorf("bbqr: code of %d characters is shorter than the %d-character header", len(t), HeaderLen)
	}
	h := header{enc: Encoding(t[2]), ft: FileType(t[3])}
	switch h.enc {
	case Hex, Base32, Zlib:
	default:
		return header{}, "", fmt.Errorf("bbqr: unknown encoding %q", t[2:3])
	}
	switch h.ft {
	case PSBT, Transaction, JSON, CBOR, Unicode, Binary:
	default:
		return header{}, "", fmt.Errorf("bbqr: unsupported file type %q", t[3:4])
	}
	var ok1, ok2 bool
	h.count, ok1 = parseBase36(t[4:6])
	h.index, ok2 = parseBase36(t[6:8])
	switch {
	case !ok1:
		return header{}, "", fmt.Errorf("bbqr: part count %q is not base 36", t[4:6])
	case !ok2:
		return header{}, "", fmt.Errorf("bbqr: part index %q is not base 36", t[6:8])
	case h.count == 0:
		return header{}, "", errors.New("bbqr: part count is zero")
	case h.index >= h.count:
		return header{}, "", fmt.Errorf("bbqr: part index %d but only %d parts", h.index, h.count)
	}
	body := t[HeaderLen:]
	if body == "" {
		return header{}, "", fmt.Errorf("bbqr: part %d/%d carries no data", h.index+1, h.count)
	}
	if err := checkBody(h, body); err != nil {
		return header{}, "", err
	}
	return h, body, nil
}

// checkBody verifies a part's characters and that it decodes to whole bytes.
func checkBody(h header, body string) error {
	where := fmt.Sprintf("bbqr: part %d/%d", h.index+1, h.count)
	if h.enc == Hex {
		if len(body)%2 != 0 {
			return fmt.Errorf("%s: odd number of hex digits", where)
		}
		for i := 0; i < len(body); i++ {
			if c := body[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
				return fmt.Errorf("%s: character %d is not a hex digit", where, HeaderLen+i+1)
			}
		}
		return nil
	}
	for i := 0; i < len(body); i++ {
		if c := body[i]; !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return fmt.Errorf("%s: character %d is not base32", where, HeaderLen+i+1)
		}
	}
	switch len(body) % 8 {
	case 1, 3, 6:
		return fmt.Errorf("%s: %d base32 characters do not make whole bytes", where, len(body))
	}
	return nil
}

// Decoder collects the parts of one BBQr series in any order, with
// duplicates.
type Decoder struct {
	hdr    *header
	parts  []string // by index; "" until received
	got    int
	result []byte
}

// NewDecoder returns an empty Decoder.
func NewDecoder() *Decoder { return &Decoder{} }

// Reset forgets every part received.
func (d *Decoder) Reset() { *d = Decoder{} }

// Add takes one scanned code. A duplicate is accepted silently. A malformed
// part is rejected with an error and changes nothing. A valid part of
// another series resets the decoder to it and returns an error wrapping
// ErrMessageChanged. When the last missing part arrives the file is decoded;
// if that fails (bad layout, corrupt compressed data, too large) the error
// is returned and the decoder is reset.
func (d *Decoder) Add(text string) error {
	h, body, err := parsePart(text)
	if err != nil {
		return err
	}
	var notice error
	if d.hdr != nil {
		switch {
		case h.enc != d.hdr.enc || h.ft != d.hdr.ft || h.count != d.hdr.count:
			notice = fmt.Errorf("bbqr: part %d/%d is %c%c with %d parts, expected %c%c with %d: %w",
				h.index+1, h.count, h.enc, h.ft, h.count, d.hdr.enc, d.hdr.ft, d.hdr.count, ErrMessageChanged)
		case d.parts[h.index] != "" && d.parts[h.index] != body:
			notice = fmt.Errorf("bbqr: part %d/%d differs from the copy already scanned: %w", h.index+1, h.count, ErrMessageChanged)
		case d.parts[h.index] != "":
			return nil // duplicate
		}
	}
	if d.hdr == nil || notice != nil {
		*d = Decoder{hdr: &h, parts: make([]string, h.count)}
	}
	d.parts[h.index] = body
	d.got++
	if d.got < d.hdr.count {
		return notice
	}
	data, err := decodeBody(*d.hdr, d.parts)
	if err != nil {
		d.Reset()
		return err
	}
	d.result = data
	return notice
}

// decodeBody checks the layout of a complete series and decodes the file.
func decodeBody(h header, parts []string) ([]byte, error) {
	per := len(parts[0])
	for i, p := range parts[:len(parts)-1] {
		if len(p) != per {
			return nil, fmt.Errorf("bbqr: part %d/%d has %d characters but part 1 has %d (all parts but the last must be equal)", i+1, h.count, len(p), per)
		}
	}
	if last := len(parts[len(parts)-1]); last > per {
		return nil, fmt.Errorf("bbqr: last part has %d characters, more than the %d of the others", last, per)
	}
	if len(parts) > 1 && per%splitMod(h.enc) != 0 {
		return nil, fmt.Errorf("bbqr: parts of %d characters do not split the %c encoding on whole bytes", per, h.enc)
	}
	body := strings.Join(parts, "")
	var raw []byte
	var err error
	if h.enc == Hex {
		if len(body)/2 > MaxFileLen {
			return nil, fmt.Errorf("bbqr: file exceeds the %d-byte limit", MaxFileLen)
		}
		raw, err = hex.DecodeString(body)
	} else {
		if len(body)*5/8 > MaxFileLen {
			return nil, fmt.Errorf("bbqr: file exceeds the %d-byte limit", MaxFileLen)
		}
		raw, err = b32.DecodeString(body)
	}
	if err != nil {
		return nil, fmt.Errorf("bbqr: %w", err)
	}
	if h.enc == Zlib {
		raw, err = inflateWindow(raw, zlibWindow, MaxFileLen)
		if err != nil {
			return nil, fmt.Errorf("bbqr: Z-encoded data: %w", err)
		}
	}
	if len(raw) == 0 {
		return nil, errors.New("bbqr: the series decodes to an empty file")
	}
	return raw, nil
}

// Progress reports how many distinct parts are held and how many there are.
func (d *Decoder) Progress() (received, total int) {
	if d.hdr == nil {
		return 0, 0
	}
	return d.got, d.hdr.count
}

// Complete reports whether every part has arrived and the file decoded.
func (d *Decoder) Complete() bool { return d.result != nil }

// Result returns the file type and the file once Complete.
func (d *Decoder) Result() (FileType, []byte, error) {
	if d.result == nil {
		r, t := d.Progress()
		return 0, nil, fmt.Errorf("bbqr: series incomplete (%d of %d parts)", r, t)
	}
	return d.hdr.ft, bytes.Clone(d.result), nil
}

// Join decodes a whole series at once (any order, duplicates allowed).
func Join(parts []string) (FileType, []byte, error) {
	d := NewDecoder()
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		if err := d.Add(p); err != nil {
			return 0, nil, err
		}
	}
	return d.Result()
}
