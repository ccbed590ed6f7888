package offline

import (
	"fmt"
	"io"

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
