package offline

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// ceremonyText wraps between words and never cuts a value: a path stays
// whole on one line, and a word too long for any line gets one of its own.
func TestCeremonyTextKeepsValuesWhole(t *testing.T) {
	path := "/media/usb/" + strings.Repeat("d", 32) + "/wallet-sheet-a667e60f.html" // 70 columns
	huge := strings.Repeat("x", 90)
	text := "wrote the wallet backup sheet " + path + " (and .txt): print it with docs/shares.md and docs/recovery.md and keep a copy\n" +
		"  an indented line with " + huge + " in it, which cannot be split"
	got := ceremonyText(text)
	lines := strings.Split(got, "\n")
	var whole, hugeWhole bool
	for _, l := range lines {
		if strings.Contains(l, path) {
			whole = true
		}
		if l == huge {
			hugeWhole = true
			continue
		}
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	if !whole || !hugeWhole {
		t.Errorf("a value was cut:\n%s", got)
	}
	if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(text), " ") {
		t.Errorf("words changed:\n%s", got)
	}
}
