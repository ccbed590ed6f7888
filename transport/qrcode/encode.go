package qrcode

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"runtime"
	"sync"
	"sync/atomic"

	skip2 "github.com/skip2/go-qrcode"
)

// palette is black and white only: frames stay small and every pixel is
// exactly one of the two module colours.
var palette = color.Palette{color.White, color.Black}

// Matrix is one QR symbol as modules, quiet zone included: Matrix[y][x] is
// true for a dark module. It is what every writer draws from.
type Matrix [][]bool

// Size returns the width (= height) in modules, quiet zone included.
func (m Matrix) Size() int { return len(m) }

// Version returns the QR version (1–40) of the symbol.
func (m Matrix) Version() int { return (len(m) - 2*QuietZone - 17) / 4 }

// Encode makes the QR matrix for text at the given level. paper selects what
// LevelAuto means (M on paper, L on screens). go-qrcode chooses the data
// modes itself: text made only of 0-9, A-Z, space and $%*+-./: (uppercase
// UR and BBQr parts) goes in alphanumeric mode, digit runs in numeric mode,
// anything else in byte mode with the text's bytes unchanged; there is no
// way to force a mode, nor any need.
func Encode(text string, level Level, paper bool) (Matrix, error) {
	if text == "" {
		return nil, errors.New("empty text: nothing to put in a QR code")
	}
	lvl, err := level.resolve(paper)
	if err != nil {
		return nil, err
	}
	q, err := skip2.New(text, lvl)
	if err != nil {
		return nil, fmt.Errorf("%d characters do not fit one QR code at level %s: use smaller parts", len(text), levelLetter(lvl))
	}
	q.DisableBorder = false
	m := Matrix(q.Bitmap())
	if want := 17 + 4*q.VersionNumber + 2*QuietZone; m.Size() != want {
		return nil, fmt.Errorf("QR encoder returned a %d-module symbol, want %d (version %d with a %d-module quiet zone)", m.Size(), want, q.VersionNumber, QuietZone)
	}
	return m, nil
}

func levelLetter(l skip2.RecoveryLevel) string {
	return [...]string{"L", "M", "Q", "H"}[l]
}

// Image draws the matrix with scale pixels per module, dark modules black.
func (m Matrix) Image(scale int) *image.Paletted {
	n := m.Size() * scale
	img := image.NewPaletted(image.Rect(0, 0, n, n), palette)
	for y, row := range m {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < scale; dy++ {
				off := img.PixOffset(x*scale, y*scale+dy)
				for dx := 0; dx < scale; dx++ {
					img.Pix[off+dx] = 1
				}
			}
		}
	}
	return img
}

// checkReadBack decodes img with this package's reader and fails unless it
// holds exactly want. label names the frame in the error; the text itself
// never appears there, as it may be secret (a share card).
func checkReadBack(img image.Image, want, label string) error {
	got, err := DecodeImage(img)
	if err != nil {
		return fmt.Errorf("%s: read-back of the rendered code failed: %v", label, err)
	}
	if len(got) != 1 {
		return fmt.Errorf("%s: read-back found %d codes in the rendered image, want 1", label, len(got))
	}
	if got[0] != want {
		return fmt.Errorf("%s: read-back of the rendered code gives different text (%d bytes, want %d): not shown or saved", label, len(got[0]), len(want))
	}
	return nil
}

// renderPNG encodes text as a PNG and checks that the PNG, decoded again,
// reads back as text.
func renderPNG(text string, opts Options, paper bool, label string) ([]byte, int, error) {
	scale, err := opts.modulePixels()
	if err != nil {
		return nil, 0, err
	}
	m, err := Encode(text, opts.Level, paper)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", label, err)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, m.Image(scale)); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", label, err)
	}
	img, err := png.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: the PNG just written does not decode: %v", label, err)
	}
	if err := checkReadBack(img, text, label); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), m.Size(), nil
}

func frameLabel(i, n int) string {
	return fmt.Sprintf("frame %d/%d", i+1, n)
}

func checkFrames(frames []string) error {
	if len(frames) == 0 {
		return errors.New("no frames to write")
	}
	return nil
}

// parallel runs fn(0) … fn(n-1) on all CPUs (rendering and reading back
// hundreds of frames is the slow part of writing an animation) and returns
// the error of the lowest-numbered frame that failed, so the message does
// not depend on scheduling.
func parallel(n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				errs[i] = fn(i)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
