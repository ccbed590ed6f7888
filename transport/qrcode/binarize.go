package qrcode

import (
	"math"

	"github.com/makiuchi-d/gozxing"
)

// localBinarizer thresholds every pixel against the mean and spread of the
// window around it (Sauvola's method, with the spread measured against the
// largest in the picture as Wolf and Jolion do, so that a dim or washed-out
// frame is treated like a crisp one). gozxing's hybrid binarizer decides
// per 8×8 block from the block's range; under glare, vignetting, moiré or
// a strong light gradient the blocks at a code's edge go wrong and a
// finder pattern breaks up. A per-pixel threshold follows the light.
type localBinarizer struct {
	src    gozxing.LuminanceSource
	g      gray
	radius int     // the window is (2·radius+1)² pixels
	k      float64 // how far below the mean a dark pixel must lie, by spread
	matrix *gozxing.BitMatrix
}

func newLocalBinarizer(g gray, src gozxing.LuminanceSource, radius int, k float64) *localBinarizer {
	return &localBinarizer{src: src, g: g, radius: radius, k: k}
}

func (b *localBinarizer) GetLuminanceSource() gozxing.LuminanceSource { return b.src }
func (b *localBinarizer) GetWidth() int                               { return b.g.w }
func (b *localBinarizer) GetHeight() int                              { return b.g.h }

// CreateBinarizer is part of gozxing's interface; the QR reader never calls
// it on a picture of ours, but a source other than our own is honoured.
func (b *localBinarizer) CreateBinarizer(src gozxing.LuminanceSource) gozxing.Binarizer {
	w, h := src.GetWidth(), src.GetHeight()
	return newLocalBinarizer(gray{pix: src.GetMatrix(), w: w, h: h}, src, b.radius, b.k)
}

func (b *localBinarizer) GetBlackRow(y int, row *gozxing.BitArray) (*gozxing.BitArray, error) {
	m, err := b.GetBlackMatrix()
	if err != nil {
		return nil, err
	}
	return m.GetRow(y, row), nil
}

func (b *localBinarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) {
	if b.matrix == nil {
		m, err := b.threshold()
		if err != nil {
			return nil, err
		}
		b.matrix = m
	}
	return b.matrix, nil
}

// threshold computes the window sums from integral images, so the cost is
// a few operations per pixel whatever the window size.
func (b *localBinarizer) threshold() (*gozxing.BitMatrix, error) {
	g := b.g
	w, h := g.w, g.h
	m, err := gozxing.NewBitMatrix(w, h)
	if err != nil {
		return nil, err
	}
	// Integral images of values and squares, one row and column of zeros
	// in front: sum over [x0,x1)×[y0,y1) = I[y1][x1]−I[y0][x1]−I[y1][x0]+I[y0][x0].
	sw := w + 1
	sum := make([]uint32, sw*(h+1))
	sq := make([]uint64, sw*(h+1))
	for y := 0; y < h; y++ {
		var rs uint32
		var rq uint64
		row := g.pix[y*w : (y+1)*w]
		above, cur := (y)*sw, (y+1)*sw
		for x, v := range row {
			rs += uint32(v)
			rq += uint64(v) * uint64(v)
			sum[cur+x+1] = sum[above+x+1] + rs
			sq[cur+x+1] = sq[above+x+1] + rq
		}
	}
	r := b.radius
	// stats is the window's mean and standard deviation around (x, y).
	stats := func(x, y int) (mu, sd float32) {
		y0, y1 := max(y-r, 0), min(y+r+1, h)
		x0, x1 := max(x-r, 0), min(x+r+1, w)
		n := float32((x1 - x0) * (y1 - y0))
		s := float32(sum[y1*sw+x1] - sum[y0*sw+x1] - sum[y1*sw+x0] + sum[y0*sw+x0])
		q := float32(sq[y1*sw+x1] - sq[y0*sw+x1] - sq[y1*sw+x0] + sq[y0*sw+x0])
		mu = s / n
		return mu, float32(math.Sqrt(float64(max(q/n-mu*mu, 0))))
	}
	// The largest spread, sampled every 4 pixels: it only scales k.
	maxSD := float32(0)
	for y := 0; y < h; y += 4 {
		for x := 0; x < w; x += 4 {
			_, sd := stats(x, y)
			maxSD = max(maxSD, sd)
		}
	}
	if maxSD == 0 {
		return m, nil // a flat picture: all light
	}
	k := float32(b.k)
	for y := 0; y < h; y++ {
		row := g.pix[y*w : (y+1)*w]
		for x, v := range row {
			mu, sd := stats(x, y)
			if float32(v) < mu*(1+k*(sd/maxSD-1)) {
				m.Set(x, y)
			}
		}
	}
	return m, nil
}
