// Package qrcode turns frame strings into QR code images (PNG frames, an
// animated GIF, a printable HTML page, the terminal) and reads them back from
// images, at the level "list of strings ↔ images".
//
// What the strings mean (UR parts, BBQr parts, a single base64 PSBT) is the
// business of the text codecs in the sibling transport packages; this package
// only guarantees that what it draws decodes to exactly the string it was
// given: every writer decodes each code it renders with this package's own
// reader before anything is shown or saved, and fails if the read-back
// differs.
//
// Matrices come from github.com/skip2/go-qrcode (which picks numeric or
// alphanumeric mode by itself when the text allows it, so uppercase UR parts
// travel in alphanumeric mode), decoding from github.com/makiuchi-d/gozxing
// with extra passes for camera-grade images.
package qrcode

import (
	"fmt"
	"strings"
	"time"

	skip2 "github.com/skip2/go-qrcode"
)

// Level is the QR error-correction level. The zero value, LevelAuto, picks
// the level that suits the medium: L for screens (PNG frames, GIF, the
// terminal), where the picture is sharp and density matters, and M for paper
// (the HTML page), which gets folded, smudged and photographed at an angle.
type Level int

// The error-correction levels, from least to most redundant.
const (
	LevelAuto Level = iota // L on screens, M on paper
	LevelL                 // ~7 % of codewords recoverable
	LevelM                 // ~15 %
	LevelQ                 // ~25 %
	LevelH                 // ~30 %
)

// ParseLevel reads a level as written on a command line ("L", "M", "Q", "H"
// or "auto", any case), so the CLIs need no table of their own.
func ParseLevel(s string) (Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "AUTO":
		return LevelAuto, nil
	case "L":
		return LevelL, nil
	case "M":
		return LevelM, nil
	case "Q":
		return LevelQ, nil
	case "H":
		return LevelH, nil
	}
	return LevelAuto, fmt.Errorf("QR error-correction level %q: want L, M, Q or H", s)
}

// String returns the level's letter, as QR literature and ParseLevel spell it.
func (l Level) String() string {
	switch l {
	case LevelL:
		return "L"
	case LevelM:
		return "M"
	case LevelQ:
		return "Q"
	case LevelH:
		return "H"
	case LevelAuto:
		return "auto"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// resolve maps the level to go-qrcode's, with auto meaning screen or paper.
func (l Level) resolve(paper bool) (skip2.RecoveryLevel, error) {
	switch l {
	case LevelAuto:
		if paper {
			return skip2.Medium, nil
		}
		return skip2.Low, nil
	case LevelL:
		return skip2.Low, nil
	case LevelM:
		return skip2.Medium, nil
	case LevelQ:
		return skip2.High, nil
	case LevelH:
		return skip2.Highest, nil
	}
	return 0, fmt.Errorf("QR error-correction level %d is not one of L, M, Q, H", int(l))
}

// Frame delays for animations: slower than 2 s and a phone loses patience,
// faster than 100 ms and screens and cameras drop frames.
const (
	MinDelay     = 100 * time.Millisecond
	MaxDelay     = 2 * time.Second
	DefaultDelay = 250 * time.Millisecond
)

// Pixels per module for PNG and GIF frames, and the quiet zone every output
// keeps around a code. The QR standard asks for a 4-module quiet zone; less
// makes readers miss codes near other content.
const (
	DefaultModulePixels = 8
	MaxModulePixels     = 64
	QuietZone           = 4
)

// Options adjusts the writers. The zero value is a sensible default for
// every writer.
type Options struct {
	// Level is the error-correction level; LevelAuto means L on screens, M
	// on paper.
	Level Level

	// ModulePixels is the size of one module in PNG and GIF frames, in
	// pixels (0 means DefaultModulePixels).
	ModulePixels int

	// Delay is the time each GIF frame stays up (0 means DefaultDelay; it
	// must lie within MinDelay..MaxDelay).
	Delay time.Duration

	// Digest is a short string identifying the whole payload (for example
	// the first hex digits of the PSBT's hash). WriteHTML prints it under
	// every code, so that printed pages of two transactions cannot be
	// mixed up unnoticed. It is required by WriteHTML.
	Digest string

	// Title heads the HTML page (default "airsign QR codes").
	Title string
	// Details are lines printed under the title of the HTML page.
	Details []string

	// DarkOnLight tells RenderTerminal and Animate that the terminal draws
	// dark characters on a light background. By default they assume the
	// common light-on-dark terminal and draw the code's light modules with
	// block characters, so the code shows dark-on-light either way.
	DarkOnLight bool

	// Cycles stops Animate after that many passes through the frames
	// (0: run until its context is cancelled).
	Cycles int
}

func (o Options) modulePixels() (int, error) {
	switch {
	case o.ModulePixels == 0:
		return DefaultModulePixels, nil
	case o.ModulePixels < 1 || o.ModulePixels > MaxModulePixels:
		return 0, fmt.Errorf("QR module size %d px: want 1 to %d", o.ModulePixels, MaxModulePixels)
	}
	return o.ModulePixels, nil
}

func (o Options) delay() (time.Duration, error) {
	return checkDelay(o.Delay)
}

func checkDelay(d time.Duration) (time.Duration, error) {
	if d == 0 {
		return DefaultDelay, nil
	}
	if d < MinDelay || d > MaxDelay {
		return 0, fmt.Errorf("QR frame time %v: want %v to %v", d, MinDelay, MaxDelay)
	}
	return d, nil
}
