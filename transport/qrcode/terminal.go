package qrcode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Half blocks: one character cell shows two modules stacked, which keeps
// modules square in the usual 1:2 terminal cell.
const (
	blockFull  = '█'
	blockUpper = '▀'
	blockLower = '▄'
	blockNone  = ' '
)

// termScale is the pixels per module of the picture the terminal rendering
// is read back from.
const termScale = 4

// RenderTerminal writes text as one QR code drawn with half-block
// characters (▀ ▄ █ and space), quiet zone of QuietZone modules included,
// one line per two module rows, each line ending in "\n". Codes use opts'
// level (auto: L). By default the light modules are the drawn ones, for the
// usual light-on-dark terminal; set opts.DarkOnLight for the opposite. The
// characters are parsed back into a picture and decoded before they are
// written: a mismatch is an error and nothing is written.
func RenderTerminal(w io.Writer, text string, opts Options) error {
	m, err := Encode(text, opts.Level, false)
	if err != nil {
		return err
	}
	s, err := termFrame(m, text, opts.DarkOnLight, "code")
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, s)
	return err
}

// termFrame renders m and checks that the characters read back as want.
func termFrame(m Matrix, want string, darkOnLight bool, label string) (string, error) {
	s := termString(m, darkOnLight)
	back, err := parseTerm(s, darkOnLight)
	if err != nil {
		return "", fmt.Errorf("%s: terminal rendering does not parse back: %v", label, err)
	}
	if err := checkReadBack(back.Image(termScale), want, label); err != nil {
		return "", err
	}
	return s, nil
}

// termString draws the matrix. A module row past the bottom edge counts as
// quiet zone (light).
func termString(m Matrix, darkOnLight bool) string {
	n := m.Size()
	ink := func(y, x int) bool {
		dark := y < n && m[y][x]
		return dark == darkOnLight
	}
	var b strings.Builder
	for y := 0; y < n; y += 2 {
		for x := 0; x < n; x++ {
			top, bottom := ink(y, x), ink(y+1, x)
			switch {
			case top && bottom:
				b.WriteRune(blockFull)
			case top:
				b.WriteRune(blockUpper)
			case bottom:
				b.WriteRune(blockLower)
			default:
				b.WriteRune(blockNone)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// parseTerm turns half-block text back into modules (the inverse of
// termString), so the read-back checks the characters actually written.
func parseTerm(s string, darkOnLight bool) (Matrix, error) {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	var m Matrix
	width := -1
	for i, line := range lines {
		top := make([]bool, 0, len(line))
		bottom := make([]bool, 0, len(line))
		for _, r := range line {
			var t, b bool
			switch r {
			case blockFull:
				t, b = true, true
			case blockUpper:
				t = true
			case blockLower:
				b = true
			case blockNone:
			default:
				return nil, fmt.Errorf("line %d: unexpected character %q", i+1, r)
			}
			// ink is light by default: dark = ink == darkOnLight
			top = append(top, t == darkOnLight)
			bottom = append(bottom, b == darkOnLight)
		}
		if width == -1 {
			width = len(top)
		} else if len(top) != width {
			return nil, fmt.Errorf("line %d has %d cells, want %d", i+1, len(top), width)
		}
		m = append(m, top, bottom)
	}
	if width <= 0 {
		return nil, errors.New("no lines")
	}
	// Square up: the last line's lower half is padding.
	if len(m) > width {
		m = m[:width]
	}
	return m, nil
}

// pad centres m in a light square of size n (n ≥ m.Size()), so frames of
// different sizes overwrite each other completely when animated.
func (m Matrix) pad(n int) Matrix {
	if m.Size() >= n {
		return m
	}
	off := (n - m.Size()) / 2
	out := make(Matrix, n)
	for y := range out {
		out[y] = make([]bool, n)
		if y >= off && y < off+m.Size() {
			copy(out[y][off:], m[y-off])
		}
	}
	return out
}

// Animate shows frames one after another in the terminal, each for
// interval (0 means DefaultDelay; MinDelay–MaxDelay), redrawing in place by
// moving the cursor up, with a "frame i/n" line under the code. Every frame
// is rendered and read back before the first is shown. It loops until ctx
// is cancelled (then it returns nil, the normal way to stop) or, when
// opts.Cycles > 0, after that many passes through the frames; it returns
// early only on a write error.
func Animate(ctx context.Context, w io.Writer, frames []string, interval time.Duration, opts Options) error {
	if err := checkFrames(frames); err != nil {
		return err
	}
	interval, err := checkDelay(interval)
	if err != nil {
		return err
	}
	if opts.Cycles < 0 {
		return fmt.Errorf("animation cycles %d: want 0 (until stopped) or more", opts.Cycles)
	}
	ms := make([]Matrix, len(frames))
	size := 0
	for i, f := range frames {
		m, err := Encode(f, opts.Level, false)
		if err != nil {
			return fmt.Errorf("%s: %w", frameLabel(i, len(frames)), err)
		}
		ms[i] = m
		if m.Size() > size {
			size = m.Size()
		}
	}
	pics := make([]string, len(frames))
	err = parallel(len(frames), func(i int) error {
		s, err := termFrame(ms[i].pad(size), frames[i], opts.DarkOnLight, frameLabel(i, len(frames)))
		pics[i] = s + fmt.Sprintf("frame %d/%d\x1b[K\n", i+1, len(frames))
		return err
	})
	if err != nil {
		return err
	}
	lines := strings.Count(pics[0], "\n")
	if _, err := io.WriteString(w, "\x1b[?25l"); err != nil { // hide the cursor
		return err
	}
	defer io.WriteString(w, "\x1b[?25h")
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for shown := 0; opts.Cycles == 0 || shown < opts.Cycles*len(frames); shown++ {
		if ctx.Err() != nil {
			return nil
		}
		prefix := ""
		if shown > 0 {
			prefix = fmt.Sprintf("\x1b[%dA\r", lines)
		}
		if _, err := io.WriteString(w, prefix+pics[shown%len(pics)]); err != nil {
			return err
		}
		timer.Reset(interval)
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
	}
	return nil
}
