package qrcode

import (
	"errors"
	"slices"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

func TestDimensions(t *testing.T) {
	fp := func(x, y float64) *detector.FinderPattern { return detector.NewFinderPattern(x, y, 4, 2) }
	// Version 4 (33 modules): finder centres 26 modules apart at 4 px.
	got := dimensions(fp(10, 10), fp(10+26*4, 10), fp(10, 10+26*4), 4)
	if got[0] != 33 || !slices.Contains(got, 37) || !slices.Contains(got, 29) {
		t.Fatalf("dimensions = %v, want 33 first, 29 and 37 among them", got)
	}
	for _, d := range got {
		if d%4 != 1 || d < 21 || d > 177 {
			t.Fatalf("dimension %d is no QR size", d)
		}
	}
	// Keystone: one side a version shorter than the other.
	got = dimensions(fp(10, 10), fp(10+22*4, 10), fp(10, 10+26*4), 4)
	if !slices.Contains(got, 29) || !slices.Contains(got, 33) {
		t.Fatalf("dimensions = %v, want both 29 and 33", got)
	}
	// Out of range: the first is kept as gozxing's guess, no others.
	if got := dimensions(fp(0, 0), fp(2, 0), fp(0, 2), 4); len(got) != 1 {
		t.Fatalf("tiny: %v", got)
	}
}

func TestLoosePatterns(t *testing.T) {
	fp := func(x, y, m float64, n int) *detector.FinderPattern { return detector.NewFinderPattern(x, y, m, n) }
	// The near corner 1.8× the far ones (keystone), and a stray
	// candidate seen once.
	info := loosePatterns([]*detector.FinderPattern{
		fp(100, 100, 9, 3), fp(300, 110, 5, 2), fp(105, 300, 6, 2), fp(500, 500, 5, 1),
	})
	if info == nil {
		t.Fatal("no patterns chosen")
	}
	if tl := info.GetTopLeft(); tl.GetX() != 100 || tl.GetY() != 100 {
		t.Fatalf("top left at %v,%v", tl.GetX(), tl.GetY())
	}
	if tr := info.GetTopRight(); tr.GetX() != 300 {
		t.Fatalf("top right at %v,%v", tr.GetX(), tr.GetY())
	}
	for name, cands := range map[string][]*detector.FinderPattern{
		"two":          {fp(0, 0, 4, 2), fp(100, 0, 4, 2)},
		"sizes 3× off": {fp(100, 100, 12, 2), fp(300, 100, 4, 2), fp(100, 300, 4, 2)},
		"in a line":    {fp(0, 0, 4, 2), fp(100, 0, 4, 2), fp(200, 0, 4, 2)},
		"seen once":    {fp(100, 100, 4, 1), fp(300, 100, 4, 1), fp(100, 300, 4, 1)},
	} {
		if info := loosePatterns(cands); info != nil {
			t.Errorf("%s: chose %v", name, info.GetTopLeft())
		}
	}
}

// TestOddPictures: every pass, on pictures too small or thin for a code,
// returns ErrNoCode instead of panicking in a transform.
func TestOddPictures(t *testing.T) {
	for _, wh := range [][2]int{{1, 1}, {2, 100}, {100, 2}, {21, 21}, {33, 17}, {70, 70}} {
		g := randGray(wh[0], wh[1], uint64(wh[0]*1000+wh[1]))
		for _, budget := range []float64{0, videoBudget} {
			if _, err := decodeGray(g, passes, budget); !errors.Is(err, ErrNoCode) {
				t.Errorf("%d×%d budget %v: %v", wh[0], wh[1], budget, err)
			}
		}
	}
}
