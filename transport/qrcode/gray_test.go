package qrcode

import (
	"bytes"
	"image"
	"image/color"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

func randGray(w, h int, seed uint64) gray {
	r := rand.New(rand.NewPCG(seed, 7))
	g := gray{pix: make([]byte, w*h), w: w, h: h}
	for i := range g.pix {
		g.pix[i] = byte(r.IntN(256))
	}
	return g
}

func TestMedian3IsTheMedian(t *testing.T) {
	g := randGray(40, 30, 1)
	m := g.median3()
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			want := int(g.pix[y*g.w+x]) // borders are kept
			if x > 0 && y > 0 && x < g.w-1 && y < g.h-1 {
				var v []int
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						v = append(v, int(g.pix[(y+dy)*g.w+x+dx]))
					}
				}
				sort.Ints(v)
				want = v[4]
			}
			if got := int(m.pix[y*g.w+x]); got != want {
				t.Fatalf("(%d,%d) = %d, want %d", x, y, got, want)
			}
		}
	}
}

func TestGrayTransforms(t *testing.T) {
	g := gray{pix: []byte{1, 2, 3, 4, 5, 6}, w: 3, h: 2} // 1 2 3 / 4 5 6
	for _, tc := range []struct {
		name string
		got  gray
		want gray
	}{
		{"rot90", g.rotate90(), gray{pix: []byte{4, 1, 5, 2, 6, 3}, w: 2, h: 3}},
		{"rot180", g.rotate180(), gray{pix: []byte{6, 5, 4, 3, 2, 1}, w: 3, h: 2}},
		{"invert", g.invert(), gray{pix: []byte{254, 253, 252, 251, 250, 249}, w: 3, h: 2}},
		{"double", g.upscale2(), gray{pix: []byte{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6}, w: 6, h: 4}},
		{"half", g.downscale2(), gray{pix: []byte{3}, w: 1, h: 1}},
		{"up", gray{pix: []byte{0, 160}, w: 2, h: 1}.upscale2Smooth(), gray{pix: []byte{0, 40, 120, 160, 0, 40, 120, 160}, w: 4, h: 2}},
		{"up 2D", gray{pix: []byte{0, 0, 0, 160}, w: 2, h: 2}.upscale2Smooth(), gray{pix: []byte{
			0, 0, 0, 0,
			0, 10, 30, 40,
			0, 30, 90, 120,
			0, 40, 120, 160}, w: 4, h: 4}},
	} {
		if tc.got.w != tc.want.w || tc.got.h != tc.want.h || !bytes.Equal(tc.got.pix, tc.want.pix) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	flat := gray{pix: bytes.Repeat([]byte{100}, 25), w: 5, h: 5}
	for name, out := range map[string]gray{"blur": flat.boxBlur3(), "sharpen": flat.sharpen(), "median": flat.median3(), "up": flat.upscale2Smooth().downscale2()} {
		if !bytes.Equal(out.pix, flat.pix) {
			t.Errorf("%s changes a flat picture: %v", name, out.pix)
		}
	}
}

func TestToGray(t *testing.T) {
	// Every image type takes a path to the same luminance.
	rgba := image.NewRGBA(image.Rect(10, 20, 13, 22))
	cols := []color.RGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 255, 255}, {10, 20, 30, 255}, {0, 0, 0, 0}, {128, 128, 128, 255}}
	for i, c := range cols {
		rgba.SetRGBA(10+i%3, 20+i/3, c)
	}
	want := []byte{63, 127, 63, 20, 255, 128}
	nrgba := image.NewNRGBA(rgba.Rect)
	pal := image.NewPaletted(rgba.Rect, color.Palette{color.Black, color.White})
	for y := 20; y < 22; y++ {
		for x := 10; x < 13; x++ {
			nrgba.Set(x, y, rgba.At(x, y))
		}
	}
	for name, img := range map[string]image.Image{"RGBA": rgba, "NRGBA": nrgba, "generic": rgba.SubImage(rgba.Rect)} {
		g := toGray(img)
		if !bytes.Equal(g.pix, want) {
			t.Errorf("%s: %v, want %v", name, g.pix, want)
		}
	}
	pal.SetColorIndex(11, 21, 1)
	if g := toGray(pal); !bytes.Equal(g.pix, []byte{0, 0, 0, 0, 255, 0}) {
		t.Errorf("Paletted: %v", g.pix)
	}
	gr := image.NewGray(image.Rect(0, 0, 4, 4)).SubImage(image.Rect(1, 1, 3, 3)).(*image.Gray)
	gr.SetGray(2, 2, color.Gray{Y: 9})
	if g := toGray(gr); !bytes.Equal(g.pix, []byte{0, 0, 0, 9}) || g.w != 2 {
		t.Errorf("Gray sub-image: %v", g)
	}
}

func TestRotateShrinkStretch(t *testing.T) {
	g := randGray(30, 20, 9)
	if r := g.rotate(90); r.w != 20 || r.h != 30 {
		t.Fatalf("rotate(90) of 30×20 is %d×%d", r.w, r.h)
	}
	r := g.rotate(0)
	if r.w != g.w || r.h != g.h {
		t.Fatalf("rotate(0) is %d×%d", r.w, r.h)
	}
	for y := 0; y < g.h-1; y++ { // the last row and column are the fill
		for x := 0; x < g.w-1; x++ {
			if r.pix[y*r.w+x] != g.pix[y*g.w+x] {
				t.Fatalf("rotate(0) changed (%d,%d)", x, y)
			}
		}
	}
	if r := g.rotate(45); r.w != 36 || r.h != 36 {
		t.Fatalf("rotate(45) of 30×20 is %d×%d, want 36×36", r.w, r.h)
	}
	s := gray{pix: []byte{0, 4, 8, 12, 1, 1, 1, 1}, w: 4, h: 2}.shrink(2)
	if s.w != 2 || s.h != 1 || !bytes.Equal(s.pix, []byte{2, 6}) {
		t.Fatalf("shrink(2) = %d×%d %v", s.w, s.h, s.pix)
	}
	dim := gray{pix: make([]byte, 200), w: 20, h: 10}
	for i := range dim.pix {
		dim.pix[i] = byte(100 + i%21)
	}
	st := dim.stretch()
	lo, hi := slices.Min(st.pix), slices.Max(st.pix)
	if lo != 0 || hi != 255 {
		t.Fatalf("stretch of 100–120 spans %d–%d", lo, hi)
	}
	flat := gray{pix: []byte{7, 7, 7, 7}, w: 2, h: 2}.stretch()
	if !bytes.Equal(flat.pix, []byte{7, 7, 7, 7}) {
		t.Fatalf("stretch of a flat picture: %v", flat.pix)
	}
}
