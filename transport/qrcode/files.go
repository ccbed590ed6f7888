package qrcode

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	_ "image/jpeg" // DecodeFile reads JPEG photos of codes
	_ "image/png"  // and PNG frames
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxFileSize bounds the image files read (256 MiB): no honest frame,
// photo or GIF of QR codes comes near it.
const MaxFileSize = 256 << 20

// maxGIFPixels bounds the sum of the frame areas of one GIF, which is what
// decoding it allocates (a GIF of 10,000 tiny-compressing full-screen
// frames is a few kilobytes on disk).
const maxGIFPixels = 512 << 20

// imageExts are the file names DecodePaths picks up inside a directory.
var imageExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true}

// DecodeFile reads the QR codes in one PNG, JPEG or GIF file (the format is
// recognised by content, not by name). For an animated GIF every frame is
// decoded and the texts are returned in frame order, without duplicates.
//
// Errors name the file (and the GIF frame): "frame-007.png: no QR code
// found". For a GIF in which only some frames hold a code, the texts found
// are returned together with an error naming the frames without one, so a
// caller collecting fountain-coded parts can go on with what it has.
func DecodeFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory (use DecodePaths)", path)
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%s: %d bytes is too large for an image of QR codes (limit %d MiB)", path, st.Size(), MaxFileSize>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return decodeBytes(path, data)
}

// DecodeBytes reads the QR codes in an image held in memory, as DecodeFile
// does for a file; name labels it in errors.
func DecodeBytes(name string, data []byte) ([]string, error) {
	return decodeBytes(name, data)
}

func decodeBytes(name string, data []byte) ([]string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: not a PNG, JPEG or GIF image (%v)", name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%s: empty image: %w", name, ErrNoCode)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, fmt.Errorf("%s: image of %d×%d pixels is too large to decode (limit %d megapixels)", name, cfg.Width, cfg.Height, MaxPixels>>20)
	}
	if format == "gif" {
		return decodeGIF(name, data)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: broken %s image: %v", name, strings.ToUpper(format), err)
	}
	texts, err := DecodeImage(img)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return texts, nil
}

// gifScreenArea is the GIF's logical screen size from its header.
func gifScreenArea(data []byte) int64 {
	if len(data) < 10 {
		return 0
	}
	return (int64(data[6]) | int64(data[7])<<8) * (int64(data[8]) | int64(data[9])<<8)
}

// decodeGIF decodes every frame of a (possibly animated) GIF as it would be
// shown: frames drawn over each other, honouring their disposal methods.
func decodeGIF(name string, data []byte) ([]string, error) {
	area, frames, err := gifFrameArea(data)
	if err != nil {
		return nil, fmt.Errorf("%s: broken GIF: %v", name, err)
	}
	if area > maxGIFPixels {
		return nil, fmt.Errorf("%s: GIF frames add up to more than %d megapixels, too many to decode", name, maxGIFPixels>>20)
	}
	// Each frame is decoded on the whole screen, so the work is frames x
	// screen area: 1,000 frames of 1x1 pixels on a 4000x4000 screen are
	// 23 KB on disk and minutes of decoding.
	if screen := gifScreenArea(data); frames*screen > maxGIFPixels {
		return nil, fmt.Errorf("%s: %d frames on a %d-megapixel screen are too many to decode (limit %d megapixels in all); write the frames as PNG files instead", name, frames, screen>>20, maxGIFPixels>>20)
	}
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: broken GIF: %v", name, err)
	}
	screen := image.Rect(0, 0, g.Config.Width, g.Config.Height)
	canvas := image.NewRGBA(screen)
	var texts []string
	seen := map[string]bool{}
	var missing []int
	var firstErr error
	for i, frame := range g.Image {
		disposal := byte(0)
		if i < len(g.Disposal) {
			disposal = g.Disposal[i]
		}
		var saved *image.RGBA
		if disposal == gif.DisposalPrevious {
			saved = image.NewRGBA(screen)
			copy(saved.Pix, canvas.Pix)
		}
		draw.Draw(canvas, frame.Bounds(), frame, frame.Bounds().Min, draw.Over)
		found, err := DecodeImage(canvas)
		if err != nil {
			missing = append(missing, i+1)
			if firstErr == nil {
				firstErr = err
			}
		}
		for _, t := range found {
			if !seen[t] {
				seen[t] = true
				texts = append(texts, t)
			}
		}
		switch disposal {
		case gif.DisposalBackground:
			draw.Draw(canvas, frame.Bounds(), image.Transparent, image.Point{}, draw.Src)
		case gif.DisposalPrevious:
			canvas = saved
		}
	}
	if len(g.Image) == 1 && firstErr != nil {
		return nil, fmt.Errorf("%s: %w", name, firstErr)
	}
	if len(missing) > 0 {
		if len(texts) == 0 {
			return nil, fmt.Errorf("%s: %w in any of its %d frames", name, ErrNoCode, len(g.Image))
		}
		return texts, fmt.Errorf("%s: %w in frame %s of %d", name, ErrNoCode, listInts(missing), len(g.Image))
	}
	return texts, nil
}

func listInts(v []int) string {
	const show = 10
	var b strings.Builder
	for i, n := range v {
		if i == show {
			fmt.Fprintf(&b, " and %d more", len(v)-show)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprint(&b, n)
	}
	return b.String()
}

// gifFrameArea walks the GIF block structure without decoding pixels and
// adds up the frame areas, so a GIF bomb is refused before gif.DecodeAll
// allocates its frames.
func gifFrameArea(data []byte) (area, frames int64, err error) {
	r := bufio.NewReader(bytes.NewReader(data))
	hdr := make([]byte, 13)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return 0, 0, errors.New("short header")
	}
	if flags := hdr[10]; flags&0x80 != 0 {
		if _, err := r.Discard(3 << (flags&7 + 1)); err != nil {
			return 0, 0, errors.New("short colour table")
		}
	}
	skipSub := func() error {
		for {
			n, err := r.ReadByte()
			if err != nil {
				return errors.New("truncated data")
			}
			if n == 0 {
				return nil
			}
			if _, err := r.Discard(int(n)); err != nil {
				return errors.New("truncated data")
			}
		}
	}
	for {
		b, err := r.ReadByte()
		if err != nil {
			return area, frames, nil // a missing trailer is gif.DecodeAll's business
		}
		switch b {
		case 0x3b: // trailer
			return area, frames, nil
		case 0x21: // extension
			if _, err := r.ReadByte(); err != nil {
				return 0, 0, errors.New("truncated extension")
			}
			if err := skipSub(); err != nil {
				return 0, 0, err
			}
		case 0x2c: // image descriptor
			d := make([]byte, 9)
			if _, err := io.ReadFull(r, d); err != nil {
				return 0, 0, errors.New("truncated image descriptor")
			}
			w := int64(d[4]) | int64(d[5])<<8
			h := int64(d[6]) | int64(d[7])<<8
			area += w * h
			frames++
			if area > maxGIFPixels {
				return area, frames, nil
			}
			if d[8]&0x80 != 0 {
				if _, err := r.Discard(3 << (d[8]&7 + 1)); err != nil {
					return 0, 0, errors.New("short local colour table")
				}
			}
			if _, err := r.ReadByte(); err != nil { // LZW minimum code size
				return 0, 0, errors.New("truncated image data")
			}
			if err := skipSub(); err != nil {
				return 0, 0, err
			}
		default:
			return 0, 0, fmt.Errorf("unknown block %#x", b)
		}
	}
}

// DecodePaths reads the QR codes in the given files and directories, in
// any order. Directories are walked (subdirectories too) and their PNG,
// JPEG and GIF files (by name) are read in name order; other files in them
// are ignored. A file named explicitly is read whatever its name.
//
// The texts come back in the order found, without duplicates. Files or
// frames without a readable code do not stop the walk: the texts found are
// returned together with an error that names each of them, so a caller
// assembling fountain-coded parts can use what arrived and report the rest.
// With no texts at all the error says why.
func DecodePaths(paths []string) ([]string, error) {
	var files []string
	var errs []error
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var inDir []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			if d.Type().IsRegular() && imageExts[strings.ToLower(filepath.Ext(path))] {
				inDir = append(inDir, path)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, err)
		}
		if len(inDir) == 0 {
			errs = append(errs, fmt.Errorf("%s: no PNG, JPEG or GIF files in this directory", p))
		}
		sort.Strings(inDir)
		files = append(files, inDir...)
	}
	var texts []string
	seen := map[string]bool{}
	for _, f := range files {
		found, err := DecodeFile(f)
		if err != nil {
			errs = append(errs, err)
		}
		for _, t := range found {
			if !seen[t] {
				seen[t] = true
				texts = append(texts, t)
			}
		}
	}
	return texts, errors.Join(errs...)
}
