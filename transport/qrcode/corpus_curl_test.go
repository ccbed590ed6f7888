package qrcode

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"
)

// The held-out generator ("curl"): written after the reader's passes were
// chosen and never used to choose them, it shares nothing with the other
// generators or with our encoder. The symbol comes from gozxing's own QR
// writer (its own mode, mask and version choices, level L or M); the
// paper is bent round a cylinder and seen in perspective, drawn by
// scattering points of the paper forward into the frame (the others map
// frame pixels back into the code); the frame is in colour under tinted
// light with a shadow edge and a cluttered background, and a rolling
// shutter skews rows; it is stored as a colour JPEG (4:2:0 chroma), so
// the reader sees the YCbCr path.

// curlFrames makes n frames from seed.
func curlFrames(tb testing.TB, n int, seed uint64) []corpusFrame {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 0x6375726c)) // "curl"
	out := make([]corpusFrame, 0, n)
	for len(out) < n {
		var text string
		switch r.IntN(3) {
		case 0:
			text = urText(r, 150+r.IntN(600))
		case 1:
			text = bbqrText(r, 150+r.IntN(500))
		default:
			text = psbtText(r, 300+r.IntN(900))
		}
		level := "L"
		if r.IntN(3) == 0 {
			level = "M"
		}
		bm, err := zxqr.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
			map[gozxing.EncodeHintType]interface{}{
				gozxing.EncodeHintType_ERROR_CORRECTION: level,
				gozxing.EncodeHintType_MARGIN:           0,
				gozxing.EncodeHintType_CHARACTER_SET:    "ISO-8859-1",
			})
		if err != nil {
			continue // too long for level M: draw another
		}
		img, params := curlRender(bm, r)
		var buf bytes.Buffer
		q := 55 + r.IntN(36)
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			tb.Fatal(err)
		}
		out = append(out, corpusFrame{gen: "curl", text: text, params: fmt.Sprintf("%d modules %s %s q%d", bm.GetWidth(), level, params, q), jpeg: buf.Bytes()})
	}
	return out
}

// curlRender draws the symbol on bent paper into a 1280×720 colour frame.
func curlRender(bm *gozxing.BitMatrix, r *rand.Rand) (*image.RGBA, string) {
	const w, h = camW, camH
	n := float64(bm.GetWidth())
	quiet := 2 + 2*r.Float64()
	paperN := n + 2*quiet
	modPx := 2.7 + 3.5*r.Float64()
	turn := r.Float64() * 2 * math.Pi // any turn, upside down included
	st, ct := math.Sincos(turn)
	// The turned sheet's half extent, with room for perspective and shear.
	reach := func() float64 { return paperN * modPx / 2 * (math.Abs(st) + math.Abs(ct)) * 1.25 }
	for 2*reach() > 0.98*h {
		modPx *= 0.95
	}
	side := paperN * modPx
	bend := (r.Float64()*2 - 1) * 0.3 // radians of arc across the sheet
	px, py := (r.Float64()*2-1)*0.1/side, (r.Float64()*2-1)*0.1/side
	shear := (r.Float64()*2 - 1) * 0.05 // rolling shutter: x shift per row
	wobble := r.Float64() * 0.7         // px of row-to-row jitter amplitude
	cx := reach() + r.Float64()*(w-2*reach())
	cy := reach() + r.Float64()*(h-2*reach())

	// Background: smooth blobs of random colour (a desk, a keyboard).
	bg := make([][3]float64, w*h)
	type blob struct{ x, y, r, c0, c1, c2 float64 }
	var blobs []blob
	for i := 0; i < 12; i++ {
		blobs = append(blobs, blob{r.Float64() * w, r.Float64() * h, 30 + 200*r.Float64(), 20 + 140*r.Float64(), 20 + 140*r.Float64(), 20 + 140*r.Float64()})
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c [3]float64
			wsum := 0.1
			c = [3]float64{6, 6, 6}
			for _, b := range blobs {
				d2 := ((float64(x)-b.x)*(float64(x)-b.x) + (float64(y)-b.y)*(float64(y)-b.y)) / (b.r * b.r)
				if d2 < 4 {
					k := math.Exp(-d2)
					c[0] += k * b.c0
					c[1] += k * b.c1
					c[2] += k * b.c2
					wsum += k
				}
			}
			for i := range c {
				c[i] /= wsum
			}
			bg[y*w+x] = c
		}
	}

	// Scatter paper points forward; accumulate reflectance and coverage.
	acc := make([]float64, w*h)
	cov := make([]float64, w*h)
	step := 0.3 / modPx // paper units (modules) per sample: ~0.3 px apart
	for v := 0.0; v < paperN; v += step {
		for u := 0.0; u < paperN; u += step {
			// reflectance: dark module or paper
			refl := 0.88
			mx, my := u-quiet, v-quiet
			if mx >= 0 && my >= 0 && mx < n && my < n && bm.Get(int(mx), int(my)) {
				refl = 0.07
			}
			// centred, in pixels, bent round a cylinder on the x axis
			x := (u - paperN/2) * modPx
			y := (v - paperN/2) * modPx
			if bend != 0 {
				rad := side / bend
				x = rad * math.Sin(x/rad)
			}
			// turn, then perspective
			xr, yr := x*ct-y*st, x*st+y*ct
			d := 1 + px*xr + py*yr
			fx, fy := xr/d+cx, yr/d+cy
			fx += shear*(fy-h/2) + wobble*math.Sin(fy*0.05)
			ix, iy := int(fx), int(fy)
			if ix < 0 || iy < 0 || ix >= w || iy >= h {
				continue
			}
			acc[iy*w+ix] += refl
			cov[iy*w+ix]++
		}
	}
	// Light: a tinted lamp off to one side, a shadow edge across the frame.
	tint := [3]float64{1, 0.9 + 0.15*r.Float64(), 0.7 + 0.3*r.Float64()}
	lx, ly := r.Float64()*w, r.Float64()*h
	lamp := 180 + 70*r.Float64()
	sa := r.Float64() * 2 * math.Pi
	ss, sc := math.Sincos(sa)
	soff := (r.Float64()*2 - 1) * 300
	shadow := 0.5 + 0.4*r.Float64()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	lin := make([]float64, w*h) // reflectance where the paper covers the pixel
	for i := range lin {
		if cov[i] > 0 {
			lin[i] = acc[i] / cov[i]
		}
	}
	// Soften: two passes of a 3-tap box along each axis (optics).
	soft := boxSoften(lin, w, h)
	covSoft := boxSoften(cov, w, h)
	noise := 2 + 6*r.Float64()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			fall := 1 / (1 + ((float64(x)-lx)*(float64(x)-lx)+(float64(y)-ly)*(float64(y)-ly))/(900*900))
			light := lamp * fall
			if float64(x-w/2)*sc+float64(y-h/2)*ss > soff {
				light *= shadow
			}
			paperCov := min(covSoft[i], 1)
			if covSoft[i] > 0 && cov[i] == 0 {
				paperCov = 0
			}
			var c [3]uint8
			for k := 0; k < 3; k++ {
				p := soft[i] * light * tint[k]
				v := paperCov*p + (1-paperCov)*bg[i][k] + r.NormFloat64()*noise
				c[k] = clamp255(v)
			}
			img.SetRGBA(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	return img, fmt.Sprintf("%.2fpx/mod turn %.0f° bend %.2f shear %.2f noise σ%.1f", modPx, turn*180/math.Pi, bend, shear, noise)
}

// boxSoften blurs with a 3-tap box along x then y, twice.
func boxSoften(src []float64, w, h int) []float64 {
	a := append([]float64(nil), src...)
	b := make([]float64, len(src))
	for pass := 0; pass < 2; pass++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				b[y*w+x] = (a[y*w+max(x-1, 0)] + a[y*w+x] + a[y*w+min(x+1, w-1)]) / 3
			}
		}
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				a[y*w+x] = (b[max(y-1, 0)*w+x] + b[y*w+x] + b[min(y+1, h-1)*w+x]) / 3
			}
		}
	}
	return a
}
