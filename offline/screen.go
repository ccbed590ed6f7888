package offline

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/airsign/airsign/psbt"
)

// The signer's own messages fit the screen as its analysis does: an 80×24
// console wraps a long line wherever it ends, which splits a command or a
// path the operator must copy.

// sayf prints a message wrapped to psbt.ScreenWidth columns: each of its
// lines is wrapped at spaces, its continuation lines indented by two
// spaces more than the line they continue.
func sayf(w io.Writer, format string, args ...any) {
	fmt.Fprint(w, screenText(fmt.Sprintf(format, args...)))
}

// screenText wraps every line of text to psbt.ScreenWidth columns.
func screenText(text string) string { return psbt.WrapText(text, psbt.ScreenWidth) }

// warnf is Env.Warnf wrapped to the screen, for the signing session's
// screens.
func (e *Env) warnf(format string, args ...any) {
	sayf(e.Stderr, "warning: "+format+"\n", args...)
}

// ceremonyText is screenText for the ceremony's screens, whose lines carry
// values people copy (a path, a command line, an address): a word too long
// for a wrapped line is not cut but gets a line of its own, at the line's
// indent when it fits there, else at the left edge. Only a word of more
// than psbt.ScreenWidth characters, which cannot be split without being
// broken, passes the edge.
func ceremonyText(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = ceremonyLine(l)
	}
	return strings.Join(lines, "\n")
}

func ceremonyLine(l string) string {
	indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
	room := psbt.ScreenWidth - utf8.RuneCountInString(indent) - 2 // a continuation line's
	words := strings.Split(l[len(indent):], " ")
	for i, w := range words {
		if utf8.RuneCountInString(w) <= room {
			continue
		}
		var parts []string
		if before := strings.Join(words[:i], " "); before != "" {
			parts = append(parts, screenText(indent+before))
		}
		if utf8.RuneCountInString(indent+w) <= psbt.ScreenWidth {
			w = indent + w
		}
		parts = append(parts, w)
		if after := strings.Join(words[i+1:], " "); after != "" {
			parts = append(parts, ceremonyLine(indent+after))
		}
		return strings.Join(parts, "\n")
	}
	return screenText(l)
}

// consoleWriter passes each write through ceremonyText: for a writer that
// gets whole lines in each write, as an answers-file ceremony's transcript
// does.
type consoleWriter struct{ w io.Writer }

func (c consoleWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(c.w, ceremonyText(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
