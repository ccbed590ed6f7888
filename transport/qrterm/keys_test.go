package qrterm

import (
	"slices"
	"testing"

	"github.com/airsign/airsign/transport/qrcode"
)

// TestParseKeys: what a terminal sends while codes are shown becomes the
// keys --qr-term knows; anything else, cut sequences included, is ignored.
func TestParseKeys(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []qrcode.Key
	}{
		{" ", []qrcode.Key{qrcode.KeyPause}},
		{"q", []qrcode.Key{qrcode.KeyQuit}},
		{"Q", []qrcode.Key{qrcode.KeyQuit}},
		{"\x1b[C\x1b[D", []qrcode.Key{qrcode.KeyNext, qrcode.KeyPrev}},
		{"\x1bOC", []qrcode.Key{qrcode.KeyNext}}, // application cursor mode
		{"\x1b[A\x1b[B", nil},                    // up and down mean nothing
		{"\x1b[", nil},                           // a sequence cut short
		{"\x1b", nil},
		{"x\r\n", nil},
		{"  q", []qrcode.Key{qrcode.KeyPause, qrcode.KeyPause, qrcode.KeyQuit}},
	} {
		if got := parseKeys([]byte(tc.in)); !slices.Equal(got, tc.want) {
			t.Errorf("parseKeys(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzParseKeys: any bytes from the terminal give known keys, at most one
// per byte, and never a panic.
func FuzzParseKeys(f *testing.F) {
	for _, s := range []string{" ", "q", "\x1b[C", "\x1b[D", "\x1bO", "\x1b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		keys := parseKeys(b)
		if len(keys) > len(b) {
			t.Fatalf("%d keys from %d bytes", len(keys), len(b))
		}
		for _, k := range keys {
			if k < qrcode.KeyPause || k > qrcode.KeyQuit {
				t.Fatalf("unknown key %d", k)
			}
		}
	})
}
