package qrcode

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"image"
	"image/gif"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/airsign/airsign/transport/file"
)

// CheckFrameDir refuses a directory that already holds frames, so frames of
// two payloads cannot mix. Callers run it before any expensive or
// irreversible step (rebuilding a key from shares); WritePNGs runs it again.
func CheckFrameDir(dir string) error {
	old, err := filepath.Glob(filepath.Join(globEscape(dir), "frame-*.png"))
	if err != nil {
		return err
	}
	if len(old) > 0 {
		return fmt.Errorf("%s already holds %d frame-*.png files from an earlier run: remove them or choose another directory, so frames of two payloads cannot mix", dir, len(old))
	}
	return nil
}

// WritePNGs writes frames as numbered PNG files frame-001.png, frame-002.png,
// … in dir (created if missing), one code per frame at opts' level (auto: L).
// Every frame is rendered and read back first; only when all read back
// exactly is anything written, each file atomically. dir must not already
// hold frame-*.png files: frames of two payloads in one directory would mix.
// It returns the paths written.
func WritePNGs(dir string, frames []string, opts Options) ([]string, error) {
	if err := checkFrames(frames); err != nil {
		return nil, err
	}
	pngs := make([][]byte, len(frames))
	err := parallel(len(frames), func(i int) error {
		b, _, err := renderPNG(frames[i], opts, false, frameLabel(i, len(frames)))
		pngs[i] = b
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := CheckFrameDir(dir); err != nil {
		return nil, err
	}
	paths := make([]string, len(frames))
	for i, b := range pngs {
		paths[i] = filepath.Join(dir, frameName(i, len(frames)))
		if err := file.WriteAtomic(paths[i], b, 0o644); err != nil {
			return paths[:i], err
		}
	}
	return paths, nil
}

// frameName numbers frames from 1 with at least three digits, and more when
// there are 1,000 frames or more, so that names sort in frame order.
func frameName(i, n int) string {
	width := max(len(strconv.Itoa(n)), 3)
	return fmt.Sprintf("frame-%0*d.png", width, i+1)
}

func globEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// WriteGIF writes frames as one animated GIF that loops forever, each frame
// shown for opts.Delay (default 250 ms, 100 ms–2 s), codes at opts' level
// (auto: L). All frames share one size (that of the largest code), centred,
// so the picture does not jump. The finished GIF is decoded again, frame by
// frame, and must read back exactly before a byte reaches w.
func WriteGIF(w io.Writer, frames []string, opts Options) error {
	if err := checkFrames(frames); err != nil {
		return err
	}
	delay, err := opts.delay()
	if err != nil {
		return err
	}
	scale, err := opts.modulePixels()
	if err != nil {
		return err
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
	px := size * scale
	anim := &gif.GIF{
		Config:    image.Config{ColorModel: palette, Width: px, Height: px},
		LoopCount: 0,
	}
	centi := int((delay + 5e6) / 1e7) // GIF delays are in 1/100 s
	for _, m := range ms {
		img := image.NewPaletted(image.Rect(0, 0, px, px), palette)
		code := m.Image(scale)
		off := (px - code.Rect.Dx()) / 2
		for y := 0; y < code.Rect.Dy(); y++ {
			copy(img.Pix[(y+off)*img.Stride+off:], code.Pix[y*code.Stride:y*code.Stride+code.Rect.Dx()])
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, centi)
		anim.Disposal = append(anim.Disposal, gif.DisposalNone)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, anim); err != nil {
		return err
	}
	back, err := gif.DecodeAll(bytes.NewReader(buf.Bytes()))
	if err != nil {
		return fmt.Errorf("the GIF just written does not decode: %v", err)
	}
	if len(back.Image) != len(frames) {
		return fmt.Errorf("the GIF just written has %d frames, want %d", len(back.Image), len(frames))
	}
	err = parallel(len(frames), func(i int) error {
		return checkReadBack(back.Image[i], frames[i], frameLabel(i, len(frames)))
	})
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// HTML page layout: a module is printed at least htmlModuleMM wide (0.5 mm
// reads well with any phone camera and most scanners), codes are never
// narrower than htmlMinMM (small codes get bigger modules) and never wider
// than a printed A4/Letter column.
const (
	htmlModuleMM = 0.5
	htmlMinMM    = 45.0
	htmlMaxMM    = 170.0
)

// WriteHTML writes a self-contained printable page: every frame as a
// numbered code captioned "i/n · digest", where opts.Digest (required)
// names the payload so pages of two transactions cannot be mixed. Codes use
// opts' level (auto: M, for paper) and are embedded as PNG data URIs read
// back before the page is written; the page loads nothing from outside.
// Print CSS keeps each code with its caption on one page.
func WriteHTML(w io.Writer, frames []string, opts Options) error {
	if err := checkFrames(frames); err != nil {
		return err
	}
	if opts.Digest == "" {
		return fmt.Errorf("HTML page needs a digest to print under every code (Options.Digest), so pages of two payloads cannot be mixed")
	}
	title := opts.Title
	if title == "" {
		title = "airsign QR codes"
	}
	if opts.ModulePixels == 0 {
		opts.ModulePixels = 4 // the browser scales; keep the page small
	}
	n := len(frames)
	pngs := make([][]byte, n)
	sizes := make([]int, n)
	err := parallel(n, func(i int) error {
		var err error
		pngs[i], sizes[i], err = renderPNG(frames[i], opts, true, frameLabel(i, n))
		return err
	})
	if err != nil {
		return err
	}
	var body bytes.Buffer
	for i, b := range pngs {
		modules := sizes[i]
		mm := float64(modules) * htmlModuleMM
		if mm < htmlMinMM {
			mm = htmlMinMM
		}
		if mm > htmlMaxMM {
			mm = htmlMaxMM
		}
		caption := fmt.Sprintf("code %d of %d · %s", i+1, n, opts.Digest)
		fmt.Fprintf(&body, `<figure><img src="data:image/png;base64,%s" style="width:%.1fmm" alt="QR code %d of %d"><figcaption>%s</figcaption></figure>`+"\n",
			base64.StdEncoding.EncodeToString(b), mm, i+1, n, html.EscapeString(caption))
	}
	var details bytes.Buffer
	if len(opts.Details) > 0 {
		details.WriteString("<ul class=\"details\">\n")
		for _, d := range opts.Details {
			fmt.Fprintf(&details, "<li>%s</li>\n", html.EscapeString(d))
		}
		details.WriteString("</ul>\n")
	}
	codes := "1 code"
	if n != 1 {
		codes = fmt.Sprintf("%d codes", n)
	}
	_, err = fmt.Fprintf(w, htmlPage,
		html.EscapeString(title), html.EscapeString(title), details.Bytes(), codes, html.EscapeString(opts.Digest), body.Bytes())
	return err
}

const htmlPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%s</title>
<style>
body { font-family: sans-serif; margin: 10mm; color: #000; background: #fff; }
h1 { font-size: 14pt; margin: 0 0 2mm 0; }
p.note { font-size: 10pt; margin: 0 0 6mm 0; }
ul.details { font-size: 11pt; margin: 0 0 4mm 0; padding-left: 5mm; font-family: monospace; }
main { display: flex; flex-wrap: wrap; gap: 8mm; align-items: flex-start; }
figure { margin: 0; padding: 0; break-inside: avoid; page-break-inside: avoid; text-align: center; }
img { display: block; image-rendering: pixelated; image-rendering: crisp-edges; max-width: 100%%; height: auto; }
figcaption { font-family: monospace; font-size: 12pt; margin-top: 1mm; }
@page { margin: 10mm; }
@media print {
  body { margin: 0; }
  figure { break-inside: avoid; page-break-inside: avoid; }
  p.note { break-after: avoid; page-break-after: avoid; }
}
</style>
</head>
<body>
<h1>%s</h1>
%s<p class="note">%s · <b>%s</b> under each · scan in any order; every code must show the same.</p>
<main>
%s</main>
</body>
</html>
`
