package qrcode

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// This file makes the degraded, camera-like frames of issue 3's benchmark:
// a 1280×720 grey frame holding one QR code of version 11–17 (level L, as
// shown on a screen) at 3–4 pixels per module, turned by a few degrees,
// placed off centre, with lost contrast, uneven light, a little defocus
// blur and sensor noise. Everything comes from a seeded PCG, so the set is
// the same on every machine and every run.

const (
	camW = 1280
	camH = 720
)

// camFrame is one generated frame and the text it must decode to.
type camFrame struct {
	img     *image.Gray
	text    string
	version int
	params  string // what was done to it, for failure reports
}

// alphanumeric capacity at level L for versions 10–17 (ISO/IEC 18004 table 7).
var capL = map[int]int{10: 395, 11: 468, 12: 535, 13: 619, 14: 667, 15: 758, 16: 854, 17: 938}

// urLikeText returns uppercase UR-part-shaped text of exactly n characters.
func urLikeText(r *rand.Rand, n int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	seq := 1 + r.IntN(300)
	head := fmt.Sprintf("UR:CRYPTO-PSBT/%d-%d/", seq, 40)
	var b strings.Builder
	b.WriteString(head)
	for b.Len() < n {
		b.WriteByte(letters[r.IntN(len(letters))])
	}
	return b.String()
}

// camParams are the degradations of one frame.
type camParams struct {
	modulePx   float64 // pixels per module
	angle      float64 // radians
	cx, cy     float64 // code centre in the frame
	light      float64 // luminance of light modules
	dark       float64 // luminance of dark modules
	gradient   float64 // illumination change across the frame (fraction)
	gradAngle  float64
	blurSigma  float64 // gaussian blur, pixels
	noiseSigma float64 // gaussian noise, grey levels
	margin     float64 // paper around the quiet zone, modules
}

func (p camParams) String() string {
	return fmt.Sprintf("%.2fpx/module rot %.1f° light %.0f dark %.0f grad %.2f blur σ%.2f noise σ%.1f",
		p.modulePx, p.angle*180/math.Pi, p.light, p.dark, p.gradient, p.blurSigma, p.noiseSigma)
}

// genCameraFrames makes n frames from seed.
func genCameraFrames(tb testing.TB, n int, seed uint64) []camFrame {
	tb.Helper()
	return genFrames(tb, n, seed, nil)
}

// genFrames makes n frames from seed; mod, if set, changes each frame's
// degradations (for the variant sets).
func genFrames(tb testing.TB, n int, seed uint64, mod func(r *rand.Rand, p *camParams)) []camFrame {
	tb.Helper()
	r := rand.New(rand.NewPCG(seed, 0x61697273696e67)) // "airsign"
	frames := make([]camFrame, 0, n)
	for len(frames) < n {
		v := 11 + r.IntN(7)
		lo, hi := capL[v-1]+1, capL[v]
		text := urLikeText(r, lo+r.IntN(hi-lo+1))
		m, err := Encode(text, LevelL, false)
		if err != nil {
			tb.Fatal(err)
		}
		if m.Version() != v {
			tb.Fatalf("text of %d chars gave version %d, want %d", len(text), m.Version(), v)
		}
		p := camParams{
			modulePx:   3 + r.Float64(),
			angle:      (r.Float64()*2 - 1) * 5 * math.Pi / 180,
			light:      150 + 80*r.Float64(),
			gradient:   0.3 * r.Float64(),
			gradAngle:  2 * math.Pi * r.Float64(),
			blurSigma:  0.5 + 0.7*r.Float64(),
			noiseSigma: 5 + 11*r.Float64(),
			margin:     1 + 4*r.Float64(),
		}
		p.dark = 20 + (p.light-90)*r.Float64()*0.6
		if mod != nil {
			mod(r, &p)
		}
		side := (float64(m.Size()) + 2*p.margin) * p.modulePx * 1.1
		p.cx = side/2 + r.Float64()*(camW-side)
		p.cy = side/2 + r.Float64()*(camH-side)
		frames = append(frames, camFrame{
			img:     renderCamera(m, p, r),
			text:    text,
			version: v,
			params:  p.String(),
		})
	}
	return frames
}

// renderCamera draws m into a camera-like frame.
func renderCamera(m Matrix, p camParams, r *rand.Rand) *image.Gray {
	n := float64(m.Size())
	sin, cos := math.Sincos(-p.angle)
	// Scene behind the paper/screen: a dim, smooth background.
	bg := 40 + 50*r.Float64()
	buf := make([]float64, camW*camH)
	const ss = 3 // supersampling per axis
	reach := (n/2 + p.margin + 2) * p.modulePx * math.Sqrt2
	for y := 0; y < camH; y++ {
		for x := 0; x < camW; x++ {
			if math.Abs(float64(x)-p.cx) > reach || math.Abs(float64(y)-p.cy) > reach {
				buf[y*camW+x] = bg
				continue
			}
			sum := 0.0
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					fx := float64(x) + (float64(sx)+0.5)/ss - p.cx
					fy := float64(y) + (float64(sy)+0.5)/ss - p.cy
					// into code coordinates (modules), origin at the centre
					u := (fx*cos-fy*sin)/p.modulePx + n/2
					w := (fx*sin+fy*cos)/p.modulePx + n/2
					switch {
					case u < -p.margin || w < -p.margin || u >= n+p.margin || w >= n+p.margin:
						sum += bg
					case u < 0 || w < 0 || u >= n || w >= n:
						sum += p.light
					case m[int(w)][int(u)]:
						sum += p.dark
					default:
						sum += p.light
					}
				}
			}
			buf[y*camW+x] = sum / (ss * ss)
		}
	}
	buf = gaussBlur(buf, camW, camH, p.blurSigma)
	gs, gc := math.Sincos(p.gradAngle)
	img := image.NewGray(image.Rect(0, 0, camW, camH))
	for y := 0; y < camH; y++ {
		for x := 0; x < camW; x++ {
			t := ((float64(x)/camW-0.5)*gc + (float64(y)/camH-0.5)*gs) * p.gradient
			v := buf[y*camW+x]*(1+t) + r.NormFloat64()*p.noiseSigma
			img.Pix[y*img.Stride+x] = clamp255(v)
		}
	}
	return img
}

func clamp255(v float64) byte {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return byte(v + 0.5)
}

// gaussBlur is a separable gaussian blur with edge clamping.
func gaussBlur(src []float64, w, h int, sigma float64) []float64 {
	rad := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*rad+1)
	sum := 0.0
	for i := range k {
		d := float64(i - rad)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	tmp := make([]float64, len(src))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0.0
			for i, kv := range k {
				xx := min(max(x+i-rad, 0), w-1)
				s += kv * src[y*w+xx]
			}
			tmp[y*w+x] = s
		}
	}
	out := make([]float64, len(src))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0.0
			for i, kv := range k {
				yy := min(max(y+i-rad, 0), h-1)
				s += kv * tmp[yy*w+x]
			}
			out[y*w+x] = s
		}
	}
	return out
}
