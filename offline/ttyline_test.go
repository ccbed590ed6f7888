package offline

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/airsign/airsign/ceremony"
)

func TestLineEditor(t *testing.T) {
	tests := []struct {
		name, keys string
		mode       echoMode
		have       int
		want       string
		err        error
		screen     string
	}{
		{"backspace and refused keys in dice", "12\x7f3 x9 456\r", echoDice, 0, "13456", nil, "   5 rolls   12 bits 94 more |   13456"},
		{"dice count starts at the rolls kept", "666\r", echoDice, 98, "666", nil, " 101 rolls  261 bits enough |   666"},
		{"arrow keys ignored, Ctrl-U clears", "ab\x1b[D\x15cd\r", echoText, 0, "cd", nil, "ab\b \b\b \bcd"},
		{"backspace removes a whole UTF-8 character", "Zoë\x7f\x7fe\r", echoText, 0, "Ze", nil, ""},
		{"hidden input echoes nothing", "secret\r", echoNone, 0, "secret", nil, "\x00"},
		{"Ctrl-C ends at once", "12\x03", echoDice, 0, "", ceremony.ErrCtrlC, ""},
		{"Ctrl-C in hidden input", "abc\x03def\r", echoNone, 0, "", ceremony.ErrCtrlC, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			e := &lineEditor{out: &out, mode: tt.mode, have: tt.have, buf: make([]byte, 0, maxLineBytes)}
			got, err := e.read(strings.NewReader(tt.keys))
			if !errors.Is(err, tt.err) || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
			switch {
			case tt.screen == "\x00":
				if out.Len() != 0 {
					t.Fatalf("hidden input echoed %q", out.String())
				}
			case tt.screen != "" && !strings.HasSuffix(out.String(), tt.screen):
				t.Fatalf("screen ends %q, want %q", out.String(), tt.screen)
			}
		})
	}
}

// The dice line fits 80 columns however many rolls are typed.
func TestDiceLineFits(t *testing.T) {
	var out bytes.Buffer
	e := &lineEditor{out: &out, mode: echoDice, have: 900, buf: make([]byte, 0, maxLineBytes)}
	if _, err := e.read(strings.NewReader(strings.Repeat("123456", 16) + "\r")); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(out.String(), "\r\x1b[K") {
		if n := len([]rune(l)); n > 79 {
			t.Fatalf("dice line of %d columns: %q", n, l)
		}
	}
}

// FuzzLineEditor: any keystrokes give a line within the buffer, holding only
// what the mode accepts, or Ctrl-C / the end of input; never a panic.
func FuzzLineEditor(f *testing.F) {
	f.Add([]byte("12\x7f3 x9 456\r"), uint8(echoDice))
	f.Add([]byte("ab\x1b[D\x15cd\r"), uint8(echoText))
	f.Add([]byte("Zoë\x7f\x7fe\x03"), uint8(echoNone))
	f.Fuzz(func(t *testing.T, keys []byte, mode uint8) {
		m := echoMode(mode % 3)
		e := &lineEditor{out: io.Discard, mode: m, buf: make([]byte, 0, maxLineBytes)}
		got, err := e.read(bytes.NewReader(keys))
		if err != nil {
			return
		}
		if len(got) > maxLineBytes || bytes.ContainsAny(got, "\r\n\x03") {
			t.Fatalf("line %q", got)
		}
		if m == echoDice && len(bytes.Trim(got, "123456")) > 0 {
			t.Fatalf("dice line holds a non-face: %q", got)
		}
	})
}
