package qrcode

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNoCode is returned (wrapped, with the file or frame named) when an
// image holds no QR code this package can read.
var ErrNoCode = errors.New("no QR code found")

// maxUpscalePixels is the largest picture the upscaling passes enlarge:
// they help codes of 2–4 px per module in camera frames; a bigger picture
// quadrupled would cost hundreds of megabytes for no gain.
const maxUpscalePixels = 4 << 20

// MaxPixels bounds the pictures the decoder accepts (about 50 megapixels,
// far above any camera frame or scan). Larger ones are refused before they
// are decoded, so a crafted file cannot make us allocate gigabytes.
const MaxPixels = 50 << 20

// A pass is one way of looking at the picture. The decoder tries them in
// order and stops at the first that finds a code. gozxing alone misses codes
// that zbar reads, chiefly small modules, sensor noise and blur; the later
// passes are there for those.
type pass struct {
	name   string
	prep   string // key into the variant cache: which transformed picture
	global bool   // GlobalHistogramBinarizer instead of HybridBinarizer
	pure   bool   // PURE_BARCODE: an axis-aligned, noise-free generated code
}

// passes is the order that came out of measuring on the degraded camera
// set (camera_bench_test.go, TestCameraPasses): cheap passes that pay off
// on camera frames first, then those for clean or unusual pictures, then
// expensive ones. On that set (noise σ 5–16 grey levels at 3–4 px/module)
// gozxing on the raw frame reads 19 %; a 3×3 box blur alone 65 %, a 3×3
// median 75 %; the first four passes together 90.5 %, all of them 97.5 %
// (zbarimg 75 % on the same files). A frame without a code costs all
// passes: about 450 ms at 1280×720, 75 ms for DecodeVideoFrame.
var passes = []pass{
	{name: "blur", prep: "blur"},                 // sensor noise
	{name: "median", prep: "median"},             // heavier noise, keeps edges
	{name: "up+blur", prep: "up+blur"},           // small modules
	{name: "global", prep: "orig", global: true}, // even light, low contrast
	{name: "hybrid", prep: "orig"},               // clean pictures, 1–2 px modules
	{name: "up", prep: "up"},                     // small, clean modules (2–3 px)
	{name: "pure", prep: "orig", pure: true},     // generated, axis-aligned codes
	{name: "double+blur+median", prep: "double+blur+median"},
	{name: "double+median2", prep: "double+median+median"},
	{name: "median+double", prep: "median+double"},
	{name: "half", prep: "half"},                 // large, soft codes (phone photos)
	{name: "median+rot90", prep: "median+rot90"}, // other scan direction
	{name: "blur+inv", prep: "blur+inv"},         // light-on-dark codes
	{name: "inv", prep: "inv"},
}

// videoPasses are the passes worth their time on a live video frame: if
// they miss, the next frame comes within milliseconds. Measured on both
// the degraded set (camera_gen_test.go) and the independent corpus
// (corpus_test.go, TestCorpusPasses): the picture as it is, with the
// hybrid binarizer, reads more corpus frames alone than any other pass and
// costs least, so it goes first; then blur (noise), up (small modules)
// and median. Against the first four of passes (blur, median, up+blur,
// global) this read 15 instead of 14 of 36 corpus frames, the same 34 of
// 36 degraded ones, in about three quarters of the time.
var videoPasses = []pass{
	{name: "hybrid", prep: "orig"},
	{name: "blur", prep: "blur"},
	{name: "up", prep: "up"},
	{name: "median", prep: "median"},
}

// variants caches the transformed pictures for one decode, built on demand.
type variants struct {
	m map[string]gray
}

func (v *variants) get(key string) gray {
	if g, ok := v.m[key]; ok {
		return g
	}
	// "a+b" is op b applied to variant a.
	base, op := v.m["orig"], key
	if i := strings.LastIndexByte(key, '+'); i >= 0 {
		base, op = v.get(key[:i]), key[i+1:]
	}
	var g gray
	switch op {
	case "orig":
		g = base
	case "blur":
		g = base.boxBlur3()
	case "half":
		g = base.downscale2()
	case "double":
		g = base.upscale2()
	case "sharp":
		g = base.sharpen()
	case "inv":
		g = base.invert()
	case "rot90":
		g = base.rotate90()
	case "rot180":
		g = base.rotate180()
	case "rot270":
		g = base.rotate180().rotate90()
	case "median":
		g = base.median3()
	case "up":
		g = base.upscale2Smooth()
	default:
		panic("qrcode: unknown picture transform " + op) // a typo in passes; TestPassesKnown
	}
	v.m[key] = g
	return g
}

// DecodeImage returns the text of every QR code it finds in img (usually
// one; a photo of a printed page may hold several), in no particular order
// and without duplicates. Byte-mode payloads come back as their exact bytes
// (no character-set guessing), so binary-ish text survives unchanged. It
// returns an error wrapping ErrNoCode when there is none.
func DecodeImage(img image.Image) ([]string, error) {
	if err := checkSize(img); err != nil {
		return nil, err
	}
	return decodeGray(toGray(img), passes)
}

func checkSize(img image.Image) error {
	if img == nil || img.Bounds().Empty() {
		return fmt.Errorf("empty image: %w", ErrNoCode)
	}
	b := img.Bounds()
	if int64(b.Dx())*int64(b.Dy()) > MaxPixels {
		return fmt.Errorf("image of %d×%d pixels is too large to decode (limit %d megapixels)", b.Dx(), b.Dy(), MaxPixels>>20)
	}
	return nil
}

// DecodeVideoFrame is DecodeImage for frames of a live camera stream: it
// tries only the few passes that read most camera frames (under 100 ms on
// a 1280×720 frame), since another frame follows at once. Use DecodeImage
// for files, where there is no second chance.
func DecodeVideoFrame(img image.Image) ([]string, error) {
	if err := checkSize(img); err != nil {
		return nil, err
	}
	return decodeGray(toGray(img), videoPasses)
}

// decodeGray runs the passes over g until one finds a code.
func decodeGray(g gray, ps []pass) ([]string, error) {
	v := &variants{m: map[string]gray{"orig": g}}
	var lastErr error
	for _, p := range ps {
		if g.w*g.h > maxUpscalePixels && (strings.Contains(p.prep, "up") || strings.Contains(p.prep, "double")) {
			continue // modules of a picture this large are not too small
		}
		pic := v.get(p.prep)
		res, err := readOne(pic, p)
		if err != nil {
			continue
		}
		text, err := resultText(res)
		if err != nil {
			// A code whose data we cannot reproduce exactly: keep
			// looking (another pass will not change that, but a
			// second code might be elsewhere), report it if nothing
			// else turns up.
			lastErr = err
			continue
		}
		out := []string{text}
		if !p.pure && coversLittle(res, pic) {
			out = addMore(out, pic, p)
		}
		return out, nil
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, ErrNoCode
}

// coversLittle reports whether the code found takes up a small part of the
// picture, so that another code may sit beside it (a photographed page).
func coversLittle(res *gozxing.Result, g gray) bool {
	pts := res.GetResultPoints()
	if len(pts) < 3 {
		return false
	}
	// Finder centres: bottom-left, top-left, top-right.
	dx := pts[2].GetX() - pts[1].GetX()
	dy := pts[2].GetY() - pts[1].GetY()
	side := math.Hypot(dx, dy)
	return side*side*4 < float64(g.w*g.h)
}

// addMore looks for further codes with the multi reader.
func addMore(found []string, g gray, p pass) []string {
	bmp, err := bitmap(g, p.global)
	if err != nil {
		return found
	}
	var results []*gozxing.Result
	func() {
		defer func() { _ = recover() }()
		results, _ = multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints(false))
	}()
	for _, r := range results {
		text, err := resultText(r)
		if err != nil {
			continue
		}
		dup := false
		for _, f := range found {
			if f == text {
				dup = true
				break
			}
		}
		if !dup {
			found = append(found, text)
		}
	}
	return found
}

func hints(pure bool) map[gozxing.DecodeHintType]interface{} {
	h := map[gozxing.DecodeHintType]interface{}{
		gozxing.DecodeHintType_TRY_HARDER: true,
		// We re-read byte segments from the raw codewords; this only
		// stops gozxing from failing on bytes that are invalid in the
		// charset it would guess.
		gozxing.DecodeHintType_CHARACTER_SET: "ISO-8859-1",
	}
	if pure {
		h[gozxing.DecodeHintType_PURE_BARCODE] = true
	}
	return h
}

func bitmap(g gray, global bool) (*gozxing.BinaryBitmap, error) {
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.pix, g.w, g.h, 0, 0, g.w, g.h, false)
	if err != nil {
		return nil, err
	}
	if global {
		return gozxing.NewBinaryBitmap(gozxing.NewGlobalHistgramBinarizer(src))
	}
	return gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
}

// readOne runs gozxing's QR reader once. gozxing is a port of Java code
// that signals some failures by panicking on odd input; a panic there is a
// failed pass, never a crash of the signer.
func readOne(g gray, p pass) (res *gozxing.Result, err error) {
	if g.w < 21 || g.h < 21 {
		return nil, ErrNoCode
	}
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("QR reader failed: %v", r)
		}
	}()
	bmp, err := bitmap(g, p.global)
	if err != nil {
		return nil, err
	}
	return zxqr.NewQRCodeReader().Decode(bmp, hints(p.pure))
}

// resultText rebuilds the exact payload of a decoded symbol from its data
// codewords, and checks it against gozxing's own BYTE_SEGMENTS.
func resultText(res *gozxing.Result) (string, error) {
	md := res.GetResultMetadata()
	ecName, _ := md[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string)
	ec, err := parseECLevel(ecName)
	if err != nil {
		return "", err
	}
	raw := res.GetRawBytes()
	version, err := versionFor(len(raw), ec)
	if err != nil {
		return "", err
	}
	segs, err := parseSegments(raw, version)
	if err != nil {
		return "", err
	}
	var mine [][]byte
	for _, s := range segs {
		if s.mode == modeByte {
			mine = append(mine, s.data)
		}
	}
	theirs, _ := md[gozxing.ResultMetadataType_BYTE_SEGMENTS].([][]byte)
	if len(mine) != len(theirs) {
		return "", fmt.Errorf("QR byte segments disagree (%d read, gozxing says %d)", len(mine), len(theirs))
	}
	for i := range mine {
		if !bytes.Equal(mine[i], theirs[i]) {
			return "", fmt.Errorf("QR byte segment %d disagrees with gozxing's", i+1)
		}
	}
	text := payload(segs)
	if text == "" {
		return "", errors.New("QR code holds no data")
	}
	return text, nil
}
