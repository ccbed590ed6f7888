package offline

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/airsign/airsign/ceremony"
	"golang.org/x/term"
)

// echoMode is how a raw-mode line shows what is typed.
type echoMode int

const (
	// echoText shows each character (names, acknowledgements, values).
	echoText echoMode = iota
	// echoNone shows nothing (shares, an Enter to go on).
	echoNone
	// echoDice accepts only the faces 1 to 6 and shows the rolls typed, the
	// running count and the entropy gathered.
	echoDice
)

// maxLineBytes bounds one typed line; a share or 1000 dice rolls fit.
const maxLineBytes = 4096

// readRawLine shows prompt and reads one line from the terminal f in raw mode, so that
// Ctrl-C ends the prompt at once (ceremony.ErrCtrlC) instead of waiting for
// Enter, backspace and Ctrl-U edit what is typed, and the echo is ours to
// choose. have is, for echoDice, the rolls already kept from earlier lines.
// The buffer is allocated once at its full size so no copy of a secret is
// left behind by growing it; the caller wipes the result.
//
// The prompt is written once the terminal is raw, so nothing typed after
// it can reach the terminal's own line editing (where Ctrl-C would be a
// signal the blocked read never sees).
func readRawLine(f *os.File, prompt string, mode echoMode, have int) ([]byte, error) {
	fd := int(f.Fd())
	state, err := term.MakeRaw(fd)
	if err != nil {
		return nil, ErrNoTerminal
	}
	defer term.Restore(fd, state)
	fmt.Fprint(f, strings.ReplaceAll(prompt, "\n", "\r\n")) // raw mode: no newline translation
	e := &lineEditor{out: f, mode: mode, have: have, buf: make([]byte, 0, maxLineBytes)}
	lockSecret(e.buf[:cap(e.buf)]) // a typed share or passphrase: keep it out of swap
	e.redraw()
	b, err := e.read(f)
	fmt.Fprint(f, "\r\n")
	return b, err
}

// lineEditor is the state of one raw-mode line; read is separate from the
// terminal so tests can feed it keystrokes.
type lineEditor struct {
	out  io.Writer
	mode echoMode
	have int
	buf  []byte
}

func (e *lineEditor) read(in io.Reader) ([]byte, error) {
	var one [1]byte
	inEscape := false
	for {
		if _, err := in.Read(one[:]); err != nil {
			wipe(e.buf)
			if err == io.EOF {
				return nil, fmt.Errorf("the terminal input ended")
			}
			return nil, fmt.Errorf("reading from the terminal: %w", err)
		}
		c := one[0]
		switch {
		case inEscape:
			// An escape sequence (arrow keys, function keys) is ignored up to
			// its final byte.
			if c >= 0x40 && c <= 0x7e && c != '[' && c != 'O' {
				inEscape = false
			}
		case c == 0x1b:
			inEscape = true
		case c == 0x03: // Ctrl-C
			wipe(e.buf)
			return nil, ceremony.ErrCtrlC
		case c == 0x04 && len(e.buf) == 0: // Ctrl-D on an empty line
			return nil, fmt.Errorf("the terminal input ended (Ctrl-D)")
		case c == '\r' || c == '\n':
			return e.buf, nil
		case c == 0x7f || c == 0x08: // backspace
			e.erase(1)
		case c == 0x15: // Ctrl-U
			e.erase(len(e.buf))
		case c < 0x20 || len(e.buf) == cap(e.buf):
			fmt.Fprint(e.out, "\a")
		case e.mode == echoDice && c == ' ':
			// Spaces are allowed between rolls and not needed: ignored.
		case e.mode == echoDice && (c < '1' || c > '6'):
			fmt.Fprint(e.out, "\a") // not a face: refused at the key, nothing to retype
		default:
			e.buf = append(e.buf, c)
			e.echo(c)
		}
	}
}

// erase removes n characters (whole UTF-8 runes for text) from the end.
func (e *lineEditor) erase(n int) {
	for ; n > 0 && len(e.buf) > 0; n-- {
		i := len(e.buf) - 1
		for i > 0 && e.buf[i]&0xc0 == 0x80 {
			i--
		}
		clear(e.buf[i:])
		e.buf = e.buf[:i]
		if e.mode == echoText {
			fmt.Fprint(e.out, "\b \b")
		}
	}
	if e.mode == echoDice {
		e.redraw()
	}
}

func (e *lineEditor) echo(c byte) {
	switch e.mode {
	case echoText:
		e.out.Write([]byte{c})
	case echoDice:
		e.redraw()
	}
}

// redraw rewrites the dice line: count, bits and the last rolls in groups
// of five, within 80 columns.
func (e *lineEditor) redraw() {
	if e.mode != echoDice {
		return
	}
	n := e.have + len(e.buf)
	status := fmt.Sprintf("%4d rolls %4d bits", n, int(float64(n)*math.Log2(6)))
	if n >= ceremony.MinDiceRolls {
		status += " enough"
	} else {
		status += fmt.Sprintf(" %2d more", ceremony.MinDiceRolls-n)
	}
	const shown = 35
	tail := e.buf[max(0, len(e.buf)-shown):]
	skip := len(e.buf) - len(tail)
	var g strings.Builder
	for i, c := range tail {
		if i > 0 && (skip+i)%5 == 0 {
			g.WriteByte(' ')
		}
		g.WriteByte(c)
	}
	lead := "  "
	if skip > 0 {
		lead = "… "
	}
	fmt.Fprintf(e.out, "\r\x1b[K%s | %s%s", status, lead, g.String())
}
