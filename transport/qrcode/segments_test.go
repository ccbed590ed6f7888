package qrcode

import (
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

// bits packs a string of '0'/'1' (spaces ignored) into codewords,
// zero-padded to whole bytes.
func bits(s string) []byte {
	s = strings.ReplaceAll(s, " ", "")
	out := make([]byte, (len(s)+7)/8)
	for i, c := range s {
		if c == '1' {
			out[i/8] |= 0x80 >> (i % 8)
		}
	}
	return out
}

func TestParseSegments(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cw      []byte
		version int
		want    string
	}{
		// ISO/IEC 18004 7.4.3 example: "01234567" in numeric mode, v1.
		{"numeric", bits("0001 0000001000 0000001100 0101011001 1000011 0000"), 1, "01234567"},
		// 7.4.4 example: "AC-42" in alphanumeric mode, v1.
		{"alphanumeric", bits("0010 000000101 00111001110 11100111001 000010 0000"), 1, "AC-42"},
		{"byte", bits("0100 00000010 11111111 00000000 0000"), 1, "\xff\x00"},
		{"byte v10 16-bit count", bits("0100 0000000000000001 01000001 0000"), 10, "A"},
		{"ECI then byte", bits("0111 00011010 0100 00000001 01000001 0000"), 1, "A"},
		{"structured append", bits("0011 0000000100000000 0100 00000001 01000010"), 1, "B"},
		{"mixed", bits("0010 000000001 001010 0001 0000000010 0101010 0000"), 1, "A42"},
		{"no terminator", bits("0100 00000001 01000011"), 1, "C"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			segs, err := parseSegments(tc.cw, tc.version)
			if err != nil {
				t.Fatal(err)
			}
			if got := payload(segs); got != tc.want {
				t.Fatalf("payload %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseSegmentsBad(t *testing.T) {
	for _, tc := range []struct {
		name string
		cw   []byte
		want string
	}{
		{"truncated byte segment", bits("0100 00001000 01000001"), "ends inside a byte segment"},
		{"truncated count", bits("0001 0000"), "ends inside a segment"},
		{"numeric out of range", bits("0001 0000000011 1111111111"), "out of range"},
		{"alphanumeric out of range", bits("0010 000000001 111111"), "out of range"},
		{"alphanumeric pair out of range", bits("0010 000000010 11111111111"), "out of range"},
		{"kanji", bits("1000 00000001 0000000000000"), "Kanji"},
		{"hanzi", bits("1101 0001 00000001"), "Kanji/Hanzi"},
		{"FNC1", bits("0101 0100 00000001 01000001"), "GS1"},
		{"FNC1 second", bits("1001 00000000"), "GS1"},
		{"bad ECI", bits("0111 11100000 00000000"), "ECI"},
		{"unknown mode", bits("1111 0000"), "unknown mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseSegments(tc.cw, 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestVersionFor(t *testing.T) {
	// Data codewords per version at level L / H (ISO/IEC 18004 table 7).
	for _, tc := range []struct {
		n     int
		level decoder.ErrorCorrectionLevel
		want  int
	}{
		{19, decoder.ErrorCorrectionLevel_L, 1},
		{9, decoder.ErrorCorrectionLevel_H, 1},
		{274, decoder.ErrorCorrectionLevel_L, 10},
		{2956, decoder.ErrorCorrectionLevel_L, 40},
		{1276, decoder.ErrorCorrectionLevel_H, 40},
	} {
		v, err := versionFor(tc.n, tc.level)
		if err != nil || v != tc.want {
			t.Errorf("versionFor(%d, %v) = %d, %v; want %d", tc.n, tc.level, v, err, tc.want)
		}
	}
	if _, err := versionFor(20, decoder.ErrorCorrectionLevel_L); err == nil {
		t.Error("20 data codewords at L accepted")
	}
	// Strictly increasing at every level, so the inverse is unique.
	for _, l := range []decoder.ErrorCorrectionLevel{decoder.ErrorCorrectionLevel_L, decoder.ErrorCorrectionLevel_M, decoder.ErrorCorrectionLevel_Q, decoder.ErrorCorrectionLevel_H} {
		prev := 0
		for i := 1; i <= 40; i++ {
			v, _ := decoder.Version_GetVersionForNumber(i)
			n := dataCodewords(v, l)
			if n <= prev {
				t.Fatalf("level %v: version %d has %d data codewords, version %d had %d", l, i, n, i-1, prev)
			}
			prev = n
		}
	}
}
