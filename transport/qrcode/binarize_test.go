package qrcode

import (
	"image"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

// lit draws m at scale px per module into a w×h picture lit from the left
// edge (factor lo) to the right edge (factor hi), at (x0, y0).
func lit(m Matrix, scale, w, h, x0, y0 int, lo, hi float64) gray {
	g := gray{pix: make([]byte, w*h), w: w, h: h}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 220.0
			mx, my := (x-x0)/scale, (y-y0)/scale
			if x >= x0 && y >= y0 && mx < m.Size() && my < m.Size() && m[my][mx] {
				v = 40
			}
			g.pix[y*w+x] = byte(v * (lo + (hi-lo)*float64(x)/float64(w)))
		}
	}
	return g
}

// localBits binarizes g with the local binarizer.
func localBits(t *testing.T, g gray) (*gozxing.BinaryBitmap, *gozxing.BitMatrix) {
	t.Helper()
	bmp, err := bitmap(g, local)
	if err != nil {
		t.Fatal(err)
	}
	bits, err := bmp.GetBlackMatrix()
	if err != nil {
		t.Fatal(err)
	}
	return bmp, bits
}

// TestLocalBinarizerFollowsTheLight: under light falling from full to a
// fifth across the code, the local binarizer still gives every module its
// colour at the module's centre, and the code is read.
func TestLocalBinarizerFollowsTheLight(t *testing.T) {
	const text = "UR:CRYPTO-PSBT/1-3/LPADAXCFAXHLCYYNFXJSLFAOLSGLBHTAVYYKSKEWKPHTEIAE"
	m := mustEncode(t, text)
	const scale = 5
	g := lit(m, scale, m.Size()*scale+40, m.Size()*scale+40, 20, 20, 1, 0.2)
	_, bits := localBits(t, g)
	for my, row := range m {
		for mx, dark := range row {
			x, y := 20+mx*scale+scale/2, 20+my*scale+scale/2
			if bits.Get(x, y) != dark {
				t.Fatalf("module (%d,%d): black = %v, want %v", mx, my, bits.Get(x, y), dark)
			}
		}
	}
	got, err := decodeGray(g, []pass{{name: "local", prep: "orig", bin: local}}, 0)
	if err != nil || got[0] != text {
		t.Fatalf("decode: %q, %v", got, err)
	}
}

func TestLocalBinarizerFlatPicture(t *testing.T) {
	g := gray{pix: make([]byte, 50*40), w: 50, h: 40}
	for i := range g.pix {
		g.pix[i] = 128
	}
	bmp, bits := localBits(t, g)
	if r := bits.GetEnclosingRectangle(); r != nil {
		t.Fatalf("a flat picture has black pixels in %v", r)
	}
	row, err := bmp.GetBlackRow(3, nil)
	if err != nil || row.GetNextSet(0) != 50 {
		t.Fatalf("row 3: %v, %v", row, err)
	}
}

// TestCodeRegion: a code in a large flat frame is found and the region is
// much smaller than the frame; a frame of texture everywhere has none.
func TestCodeRegion(t *testing.T) {
	m := mustEncode(t, "UR:BYTES/HDCXJZJYJTJLIHJYIHJPJOINJLJTJZ")
	g := lit(m, 4, 1280, 720, 600, 300, 0.9, 0.9)
	r, ok := g.codeRegion()
	code := image.Rect(600, 300, 600+4*m.Size(), 300+4*m.Size())
	if !ok || !code.In(r) || r.Dx()*r.Dy() > 4*code.Dx()*code.Dy() {
		t.Fatalf("region %v (ok %v), code at %v", r, ok, code)
	}
	if c := g.roi(); c.w != r.Dx() || c.h != r.Dy() || c.pix[(300-r.Min.Y)*c.w+600-r.Min.X] != g.pix[300*g.w+600] {
		t.Fatalf("roi is %d×%d, not the region %v", c.w, c.h, r)
	}
	noise := randGray(640, 480, 3)
	if r, ok := noise.codeRegion(); ok {
		t.Fatalf("texture everywhere gave region %v", r)
	}
	if got := noise.roi(); got.w != noise.w || got.h != noise.h {
		t.Fatalf("roi of a textured picture is %d×%d, want it whole", got.w, got.h)
	}
	if _, ok := (gray{pix: make([]byte, 40*40), w: 40, h: 40}).codeRegion(); ok {
		t.Fatal("a picture of 2×2 blocks has a region")
	}
}

// TestLargePhotoIsShrunk: a 12-megapixel photo of a code with large
// modules is read (at a third the size first).
func TestLargePhotoIsShrunk(t *testing.T) {
	if f := shrinkFactor(4000, 3000); f != 3 {
		t.Fatalf("shrinkFactor(4000, 3000) = %d, want 3", f)
	}
	if f := shrinkFactor(1280, 720); f != 1 {
		t.Fatalf("shrinkFactor(1280, 720) = %d, want 1", f)
	}
	const text = "UR:BYTES/LARGEPHOTO"
	m := mustEncode(t, text)
	g := lit(m, 40, 4000, 3000, 1500, 700, 0.9, 0.7)
	got, err := decodeGray(g, passes, 0)
	if err != nil || got[0] != text {
		t.Fatalf("%q, %v", got, err)
	}
}
