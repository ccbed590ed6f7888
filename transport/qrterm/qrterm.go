// Package qrterm fits --qr-term to the terminal it draws in and reads the
// operator's keys while a series of codes is shown. Both binaries use it,
// so a code shown by airsign-online and one shown by airsign-offline fit
// the same 80×24 console and answer the same keys (space pauses, the
// arrows step, q quits).
package qrterm

import (
	"io"
	"os"

	"github.com/airsign/airsign/transport"
	"golang.org/x/term"
)

// Fit tells --qr-term the size of the terminal out is, so each code fits
// with its quiet zone and caption; output that is not a terminal (a pipe,
// a file, a test) gets codes for an 80×24 console, each drawn once, so a
// script is never left waiting on an animation. Call it before the QR
// options are checked: a terminal too small for any code is then said
// before the work is done.
func Fit(out io.Writer, q *transport.QROptions) {
	if !q.Term {
		return
	}
	if f, ok := out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, rows, err := term.GetSize(int(f.Fd())); err == nil {
			q.TermCols, q.TermRows = cols, rows
			return
		}
	}
	q.TermCycles = 1
}

// Keys gives --qr-term the operator's keys when it draws on a terminal
// (after Fit). Call it just before the codes are shown, never while a
// prompt is waiting for a line: the terminal reads keys without Enter
// until stop puts it back as it was.
func Keys(q *transport.QROptions) (stop func()) {
	if !q.Term || q.TermCycles > 0 {
		return func() {}
	}
	keys, stop, err := readKeys()
	if err != nil {
		return func() {} // no /dev/tty: the codes animate until Ctrl-C
	}
	q.TermKeys = keys
	return stop
}
