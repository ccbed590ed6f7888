package qrcode

import (
	"errors"
	"fmt"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// Data modes of QR segments (ISO/IEC 18004 table 2), the 4-bit indicators.
const (
	modeTerminator   = 0x0
	modeNumeric      = 0x1
	modeAlphanumeric = 0x2
	modeStructured   = 0x3
	modeByte         = 0x4
	modeFNC1First    = 0x5
	modeECI          = 0x7
	modeKanji        = 0x8
	modeFNC1Second   = 0x9
	modeHanzi        = 0xd
)

const alphanumericChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// segment is one run of a QR payload in one mode.
type segment struct {
	mode byte
	data []byte
}

// dataCodewords returns the number of data codewords of version v at level.
func dataCodewords(v *decoder.Version, level decoder.ErrorCorrectionLevel) int {
	return v.GetTotalCodewords() - v.GetECBlocksForLevel(level).GetTotalECCodewords()
}

func parseECLevel(s string) (decoder.ErrorCorrectionLevel, error) {
	switch s {
	case "L":
		return decoder.ErrorCorrectionLevel_L, nil
	case "M":
		return decoder.ErrorCorrectionLevel_M, nil
	case "Q":
		return decoder.ErrorCorrectionLevel_Q, nil
	case "H":
		return decoder.ErrorCorrectionLevel_H, nil
	}
	return 0, fmt.Errorf("unknown error-correction level %q", s)
}

// versionFor finds the QR version from the number of data codewords, which
// grows strictly with the version at a fixed level, so it is unambiguous.
func versionFor(n int, level decoder.ErrorCorrectionLevel) (int, error) {
	for i := 1; i <= 40; i++ {
		v, err := decoder.Version_GetVersionForNumber(i)
		if err != nil {
			return 0, err
		}
		if dataCodewords(v, level) == n {
			return i, nil
		}
	}
	return 0, fmt.Errorf("no QR version has %d data codewords", n)
}

// countBits is the width of the character count field (ISO/IEC 18004 table 3).
func countBits(mode byte, version int) int {
	r := 0
	switch {
	case version >= 27:
		r = 2
	case version >= 10:
		r = 1
	}
	switch mode {
	case modeNumeric:
		return [...]int{10, 12, 14}[r]
	case modeAlphanumeric:
		return [...]int{9, 11, 13}[r]
	case modeByte:
		return [...]int{8, 16, 16}[r]
	case modeKanji, modeHanzi:
		return [...]int{8, 10, 12}[r]
	}
	return 0
}

// bitReader reads big-endian bit fields from the data codewords.
type bitReader struct {
	b   []byte
	pos int // in bits
}

func (r *bitReader) left() int { return 8*len(r.b) - r.pos }

func (r *bitReader) read(n int) (int, error) {
	if n > r.left() {
		return 0, errors.New("QR data ends inside a segment")
	}
	v := 0
	for i := 0; i < n; i++ {
		bit := (r.b[r.pos/8] >> (7 - uint(r.pos%8))) & 1
		v = v<<1 | int(bit)
		r.pos++
	}
	return v, nil
}

// parseSegments re-reads the data codewords of a decoded symbol and returns
// its segments with their exact bytes: byte-mode segments as the raw bytes
// they carry, with no character-set guessing (gozxing's text would have
// guessed one), numeric and alphanumeric segments as ASCII.
//
// Kanji, Hanzi and FNC1 (GS1) payloads are refused: none of our formats uses
// them and their text cannot be reproduced byte for byte. ECI designators and
// structured-append headers are skipped: the bytes are what counts.
func parseSegments(codewords []byte, version int) ([]segment, error) {
	r := &bitReader{b: codewords}
	var segs []segment
	for r.left() >= 4 {
		mode, _ := r.read(4)
		switch mode {
		case modeTerminator:
			return segs, nil
		case modeECI:
			first, err := r.read(8)
			if err != nil {
				return nil, err
			}
			switch {
			case first&0x80 == 0:
			case first&0xc0 == 0x80:
				_, err = r.read(8)
			case first&0xe0 == 0xc0:
				_, err = r.read(16)
			default:
				err = errors.New("bad ECI designator")
			}
			if err != nil {
				return nil, err
			}
		case modeStructured:
			if _, err := r.read(16); err != nil {
				return nil, err
			}
		case modeNumeric, modeAlphanumeric, modeByte:
			n, err := r.read(countBits(byte(mode), version))
			if err != nil {
				return nil, err
			}
			var data []byte
			switch mode {
			case modeNumeric:
				data, err = readNumeric(r, n)
			case modeAlphanumeric:
				data, err = readAlphanumeric(r, n)
			default:
				data, err = readBytes(r, n)
			}
			if err != nil {
				return nil, err
			}
			segs = append(segs, segment{mode: byte(mode), data: data})
		case modeKanji, modeHanzi:
			return nil, errors.New("QR code uses Kanji/Hanzi mode, which no airsign format uses")
		case modeFNC1First, modeFNC1Second:
			return nil, errors.New("QR code is a GS1 (FNC1) code, which no airsign format uses")
		default:
			return nil, fmt.Errorf("QR code uses unknown mode %#x", mode)
		}
	}
	return segs, nil
}

func readNumeric(r *bitReader, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	for n > 0 {
		digits, bits := 3, 10
		switch n {
		case 2:
			digits, bits = 2, 7
		case 1:
			digits, bits = 1, 4
		}
		v, err := r.read(bits)
		if err != nil {
			return nil, err
		}
		s := fmt.Sprintf("%0*d", digits, v)
		if len(s) != digits {
			return nil, errors.New("QR numeric segment holds a value out of range")
		}
		out = append(out, s...)
		n -= digits
	}
	return out, nil
}

func readAlphanumeric(r *bitReader, n int) ([]byte, error) {
	out := make([]byte, 0, n)
	for n > 0 {
		if n >= 2 {
			v, err := r.read(11)
			if err != nil {
				return nil, err
			}
			a, b := v/45, v%45
			if a >= 45 {
				return nil, errors.New("QR alphanumeric segment holds a value out of range")
			}
			out = append(out, alphanumericChars[a], alphanumericChars[b])
			n -= 2
			continue
		}
		v, err := r.read(6)
		if err != nil {
			return nil, err
		}
		if v >= 45 {
			return nil, errors.New("QR alphanumeric segment holds a value out of range")
		}
		out = append(out, alphanumericChars[v])
		n--
	}
	return out, nil
}

func readBytes(r *bitReader, n int) ([]byte, error) {
	if 8*n > r.left() {
		return nil, errors.New("QR data ends inside a byte segment")
	}
	out := make([]byte, n)
	for i := range out {
		v, _ := r.read(8)
		out[i] = byte(v)
	}
	return out, nil
}

// payload joins the segments' bytes.
func payload(segs []segment) string {
	n := 0
	for _, s := range segs {
		n += len(s.data)
	}
	b := make([]byte, 0, n)
	for _, s := range segs {
		b = append(b, s.data...)
	}
	return string(b)
}
