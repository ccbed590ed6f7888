package qrcode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
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

// Key is what the operator presses while codes are shown in the terminal.
type Key int

// The keys Play understands; the caller reads the terminal (raw mode) and
// sends them.
const (
	KeyPause Key = iota + 1 // space: pause or go on
	KeyNext                 // right arrow: the next code (and pause)
	KeyPrev                 // left arrow: the previous code (and pause)
	KeyQuit                 // q: stop showing
)

// TermFitVersion is the largest QR version whose code, quiet zone
// included, fits a terminal of cols×rows character cells with one caption
// line under it (half blocks: two module rows per line); 0 if none does.
func TermFitVersion(cols, rows int) int {
	fit := 0
	for v := 1; v <= 40; v++ {
		n := 17 + 4*v + 2*QuietZone
		if n > cols || (n+1)/2+1 > rows {
			break
		}
		fit = v
	}
	return fit
}

// TermSize is the size in character cells of the code Animate draws for
// frames: width and lines, caption included.
func TermSize(frames []string, opts Options) (cols, rows int, err error) {
	size := 0
	for i, f := range frames {
		m, err := Encode(f, opts.Level, false)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", frameLabel(i, len(frames)), err)
		}
		size = max(size, m.Size())
	}
	return size, (size+1)/2 + 1, nil
}

// Animate shows frames one after another in the terminal, each for
// interval (0 means DefaultDelay; MinDelay–MaxDelay), redrawing in place by
// moving the cursor up, with a "frame i/n" line under the code. Every frame
// is rendered and read back before the first is shown. It loops until ctx
// is cancelled (then it returns nil, the normal way to stop) or, when
// opts.Cycles > 0, after that many passes through the frames; it returns
// early only on a write error.
func Animate(ctx context.Context, w io.Writer, frames []string, interval time.Duration, opts Options) error {
	return Play(ctx, w, frames, interval, opts, nil)
}

// Play is Animate with the operator at the keys: space pauses and goes on,
// the arrows step code by code (pausing), q stops (Play returns nil). A
// nil keys channel is Animate. The caption says "code i of n" and, with
// keys, which keys do what.
func Play(ctx context.Context, w io.Writer, frames []string, interval time.Duration, opts Options, keys <-chan Key) error {
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
		pics[i] = s
		return err
	})
	if err != nil {
		return err
	}
	caption := func(i int, paused bool) string {
		c := fmt.Sprintf("code %d of %d", i+1, len(frames))
		if keys != nil {
			if paused {
				c += " (paused)  space: go on"
			} else {
				c += "  space: pause"
			}
			c += "  ←/→: step  q: quit"
		}
		// No newline after the caption: in a terminal exactly as tall as
		// code and caption, a newline would scroll the code's top off.
		return c + "\x1b[K"
	}
	lines := strings.Count(pics[0], "\n")
	if _, err := io.WriteString(w, "\x1b[?25l"); err != nil { // hide the cursor
		return err
	}
	defer io.WriteString(w, "\n\x1b[?25h")
	timer := time.NewTimer(interval)
	defer timer.Stop()
	i, paused, drawn := 0, false, 0
	for opts.Cycles == 0 || drawn < opts.Cycles*len(frames) {
		if ctx.Err() != nil {
			return nil
		}
		prefix := ""
		if drawn > 0 {
			prefix = fmt.Sprintf("\x1b[%dA\r", lines)
		}
		if _, err := io.WriteString(w, prefix+pics[i]+caption(i, paused)); err != nil {
			return err
		}
		drawn++
		if !paused {
			timer.Reset(interval)
		}
		var tick <-chan time.Time
		if !paused {
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			i = (i + 1) % len(pics)
		case k, ok := <-keys:
			if !ok {
				keys = nil
				continue
			}
			switch k {
			case KeyQuit:
				return nil
			case KeyPause:
				paused = !paused
			case KeyNext:
				paused, i = true, (i+1)%len(pics)
			case KeyPrev:
				paused, i = true, (i+len(pics)-1)%len(pics)
			}
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
	}
	return nil
}

// DecodeTerminal reads back a code drawn by RenderTerminal or Play: lines
// of half blocks (light ink on a dark terminal unless darkOnLight), as
// captured from a terminal. Tests use it to prove that what reached the
// screen scans.
func DecodeTerminal(text string, darkOnLight bool) ([]string, error) {
	m, err := parseTerm(text, darkOnLight)
	if err != nil {
		return nil, err
	}
	return DecodeImage(m.Image(termScale))
}

// terminalEscapes are the cursor controls Play writes between frames.
var terminalEscapes = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]|\r`)

// TerminalFrames splits what a terminal received from Play (or
// RenderTerminal) into the codes as drawn, each the lines of half blocks
// above its "code i of n" caption (or at the end), for DecodeTerminal.
// Other lines (text before and after) are left out.
func TerminalFrames(output string) []string {
	var frames []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			frames = append(frames, strings.Join(cur, "\n"))
		}
		cur = nil
	}
	for _, line := range strings.Split(terminalEscapes.ReplaceAllString(output, "\n"), "\n") {
		switch {
		case line == "": // between \r and \n, or around a cursor move
		case strings.HasPrefix(line, "code "):
			flush()
		case strings.Trim(line, string([]rune{blockFull, blockUpper, blockLower, blockNone})) == "":
			cur = append(cur, line)
		default:
			flush()
		}
	}
	flush()
	return frames
}
