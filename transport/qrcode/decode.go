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

// workPixels is the size the reader works at: larger pictures (a phone's
// photo of a code, 12 megapixels) are first shrunk by a whole factor to at
// most this, which leaves their modules several pixels wide and makes every
// pass many times cheaper; one late pass looks at the full picture.
const workPixels = 1600 * 1000

// shrinkFactor is the smallest whole factor that brings w×h to workPixels.
func shrinkFactor(w, h int) int {
	f := 1
	for (w/f)*(h/f) > workPixels {
		f++
	}
	return f
}

// MaxPixels bounds the pictures the decoder accepts (about 50 megapixels,
// far above any camera frame or scan). Larger ones are refused before they
// are decoded, so a crafted file cannot make us allocate gigabytes.
const MaxPixels = 50 << 20

// A pass is one way of looking at the picture: a transformed copy of it
// (prep, a key into the variant cache) and a binarizer. The reader tries
// passes in order and stops at the first that finds a code.
type pass struct {
	name  string
	prep  string // which transformed picture
	bin   binarizer
	pure  bool    // PURE_BARCODE: an axis-aligned, noise-free generated code
	cost  float64 // time relative to the first pass, for the video budget
	clean bool    // only for pictures of few grey levels (made, not filmed)
}

// binarizer names how a grey picture becomes black and white modules.
type binarizer int

const (
	hybrid binarizer = iota // gozxing's: per 8×8 block, from the block's range
	global                  // gozxing's: one threshold per row from its histogram
	local                   // ours: per pixel, from the window's mean and spread
)

// passes is the reader, in order: the common case first and alone, then
// second looks, cheapest per frame rescued first, only when the ones before
// failed. The order is what a greedy choice gave on the corpus's tuning
// generators (corpus_test.go, TestCorpusPasses: the pass that reads most
// frames not yet read per millisecond, next); the held-out generators
// were not looked at. cost is the pass's time relative to the first,
// measured there, and is what the video budget counts.
var passes = []pass{
	// Half size with gozxing's hybrid binarizer: at a camera's 1280×720
	// the code's modules are then 1.5–8 px; the cheapest pass, and it
	// reads large, soft and motion-blurred codes best.
	{name: "half", prep: "half", cost: 0.45},
	// The code's region (found by texture, see codeRegion) with our local
	// (Sauvola) binarizer: glare, vignetting, moiré, light falling off
	// across the code.
	{name: "roi+local", prep: "roi", bin: local, cost: 0.85},
	// The region at twice the size, interpolated and sharpened: modules
	// of 2–4 px, which the hybrid binarizer's 8×8 blocks smear together.
	{name: "roi+up+sharp", prep: "roi+up+sharp", cost: 1.5},
	// The picture as it is (a large one shrunk to workPixels first).
	{name: "hybrid", prep: "orig", cost: 1},
	// A 3×3 box blur: sensor noise that breaks up the finder patterns.
	{name: "blur", prep: "blur", cost: 1},
	// Turned 20° either way: finder patterns squeezed by perspective, or
	// seen near 45°, pass gozxing's row and column checks better turned.
	{name: "roi+rot20", prep: "roi+rot20", cost: 0.95},
	{name: "rot-20", prep: "rot-20", cost: 2.5},
	// Pictures our own writers make (few grey levels, clean only):
	// axis-aligned codes of 1–2 px per module, light-on-dark codes.
	{name: "pure", prep: "orig", pure: true, clean: true, cost: 1},
	{name: "inv", prep: "inv", clean: true, cost: 1},
	// A large picture that was shrunk, at its full size.
	{name: "full", prep: "full", cost: 4},
}

// videoBudget is how much of passes (in cost units) a live video frame
// gets: the first five passes, through blur. A frame that needs more is
// given up, since the next one follows at once; a frame without a code
// costs about five plain passes (10–15 ms on one core at 1280×720).
const videoBudget = 5

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
	case "orig", "full": // "full" is set apart only for a shrunk picture
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
	case "rot20":
		g = base.rotate(20)
	case "rot-20":
		g = base.rotate(-20)
	case "rot45":
		g = base.rotate(45)
	case "stretch":
		g = base.stretch()
	case "roi":
		g = base.roi()
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
	return decodeGray(toGray(img), passes, 0)
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

// DecodeVideoFrame is DecodeImage for frames of a live camera stream: the
// same reader, stopped once the passes tried cost videoBudget, since
// another frame follows at once. Use DecodeImage for files, where there is
// no second chance.
func DecodeVideoFrame(img image.Image) ([]string, error) {
	if err := checkSize(img); err != nil {
		return nil, err
	}
	return decodeGray(toGray(img), passes, videoBudget)
}

// decodeGray runs the passes over g until one finds a code or, when budget
// is above zero, until the next pass would take the cost over it.
func decodeGray(g gray, ps []pass, budget float64) ([]string, error) {
	v := &variants{m: map[string]gray{"orig": g, "full": g}}
	f := shrinkFactor(g.w, g.h)
	if f > 1 {
		v.m["orig"] = g.shrink(f)
	}
	var lastErr error
	spent := 0.0
	cleanPic := isClean(g)
	for i, p := range ps {
		if budget > 0 && i > 0 && spent+p.cost > budget {
			break
		}
		if p.prep == "full" && f == 1 || p.clean && !cleanPic {
			continue // the same picture as "orig"; a camera frame
		}
		spent += p.cost
		if pic := v.m["orig"]; pic.w*pic.h > maxUpscalePixels && (strings.Contains(p.prep, "up") || strings.Contains(p.prep, "double")) {
			continue // modules of a picture this large are not too small
		}
		if budget > 0 && strings.HasPrefix(p.prep, "roi+up") {
			if r, o := v.get("roi"), v.m["orig"]; r.w == o.w && r.h == o.h {
				// No code region stands out (a cluttered scene, or no
				// code): the whole frame upscaled costs several plain
				// passes, more than a video frame is worth.
				continue
			}
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

// isClean reports whether g has at most 32 grey levels: a picture a
// program drew (PNG or GIF frames of codes), not a photo or camera frame,
// which has sensor noise in every level.
func isClean(g gray) bool {
	var seen [256]bool
	n := 0
	for _, v := range g.pix {
		if !seen[v] {
			seen[v] = true
			if n++; n > 32 {
				return false
			}
		}
	}
	return true
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
	bmp, err := bitmap(g, p.bin)
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

// localRadius and localK set the local binarizer's window (41×41 pixels:
// several modules of a camera frame's code, and a finder pattern's centre
// of 3×3 modules up to about 12 px per module) and how far below the mean,
// by spread, a dark pixel lies (Sauvola's k).
const (
	localRadius = 20
	localK      = 0.3
)

func bitmap(g gray, b binarizer) (*gozxing.BinaryBitmap, error) {
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.pix, g.w, g.h, 0, 0, g.w, g.h, false)
	if err != nil {
		return nil, err
	}
	switch b {
	case global:
		return gozxing.NewBinaryBitmap(gozxing.NewGlobalHistgramBinarizer(src))
	case local:
		return gozxing.NewBinaryBitmap(newLocalBinarizer(g, src, localRadius, localK))
	}
	return gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
}

// readOne runs gozxing's QR reader once, through detectAndDecode, which
// retries the geometry. gozxing is a port of Java code that signals some
// failures by panicking on odd input; a panic there is a failed pass,
// never a crash of the signer.
func readOne(g gray, p pass) (res *gozxing.Result, err error) {
	if g.w < 21 || g.h < 21 {
		return nil, ErrNoCode
	}
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("QR reader failed: %v", r)
		}
	}()
	bmp, err := bitmap(g, p.bin)
	if err != nil {
		return nil, err
	}
	if p.pure {
		return zxqr.NewQRCodeReader().Decode(bmp, hints(true))
	}
	bits, err := bmp.GetBlackMatrix()
	if err != nil {
		return nil, err
	}
	return detectAndDecode(bits, hints(false))
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
