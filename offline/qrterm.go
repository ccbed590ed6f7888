package offline

import (
	"os"

	"github.com/airsign/airsign/transport"
	"golang.org/x/term"
)

// fitQRTerm tells --qr-term the size of the terminal it draws in, so each
// code fits with its quiet zone; output that is not a terminal gets codes
// for an 80×24 console, each drawn once.
func fitQRTerm(env *Env, q *transport.QROptions) {
	if !q.Term {
		return
	}
	if f, ok := env.Stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if cols, rows, err := term.GetSize(int(f.Fd())); err == nil {
			q.TermCols, q.TermRows = cols, rows
			return
		}
	}
	q.TermCycles = 1
}

// qrTermKeys gives --qr-term the operator's keys when it draws on a
// terminal; stop restores the terminal.
func qrTermKeys(env *Env, q *transport.QROptions) (stop func()) {
	if !q.Term || q.TermCycles > 0 {
		return func() {}
	}
	keys, stop, err := readKeys()
	if err != nil {
		return func() {}
	}
	q.TermKeys = keys
	return stop
}
