package qrcode

import (
	"image"
	"image/color"
)

// gray is an 8-bit luminance picture, the form every decoding pass works on.
type gray struct {
	pix  []byte
	w, h int
}

// toGray converts any image to luminance, compositing transparency over
// white (a transparent PNG code is dark modules on nothing). The common
// concrete types take a fast path: image.At per pixel costs more than the
// QR detection itself on a camera frame.
func toGray(img image.Image) gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	g := gray{pix: make([]byte, w*h), w: w, h: h}
	switch m := img.(type) {
	case *image.Gray:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Pix[off:off+w])
		}
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			copy(g.pix[y*w:(y+1)*w], m.Y[off:off+w])
		}
	case *image.Paletted:
		var lut [256]byte
		for i, c := range m.Palette {
			lut[i] = lum(c)
		}
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < w; x++ {
				g.pix[y*w+x] = lut[m.Pix[off+x]]
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < w; x++ {
				p := m.Pix[off+4*x : off+4*x+4]
				l := (uint32(p[0]) + 2*uint32(p[1]) + uint32(p[2])) / 4
				a := uint32(p[3])
				g.pix[y*w+x] = byte((l*a + 255*(255-a)) / 255)
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < w; x++ {
				p := m.Pix[off+4*x : off+4*x+4]
				// premultiplied: add the white that shows through
				l := (uint32(p[0]) + 2*uint32(p[1]) + uint32(p[2])) / 4
				g.pix[y*w+x] = byte(l + (255 - uint32(p[3])))
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				g.pix[y*w+x] = lum(img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
	}
	return g
}

// lum is the luminance of c composited over white.
func lum(c color.Color) byte {
	r, gg, bb, a := c.RGBA() // premultiplied, 16 bit
	l := (r + 2*gg + bb) / 4
	return byte((l + (0xffff - a)) >> 8)
}

// rotate90 turns the picture a quarter turn clockwise.
func (g gray) rotate90() gray {
	out := gray{pix: make([]byte, len(g.pix)), w: g.h, h: g.w}
	for y := 0; y < g.h; y++ {
		for x := 0; x < g.w; x++ {
			out.pix[x*out.w+(g.h-1-y)] = g.pix[y*g.w+x]
		}
	}
	return out
}

// rotate180 turns the picture half a turn.
func (g gray) rotate180() gray {
	out := gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	n := len(g.pix)
	for i, v := range g.pix {
		out.pix[n-1-i] = v
	}
	return out
}

// invert swaps light and dark, for codes shown light-on-dark.
func (g gray) invert() gray {
	out := gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	for i, v := range g.pix {
		out.pix[i] = 255 - v
	}
	return out
}

// upscale2 doubles the size by repeating pixels, which gives the finder
// pattern search more pixels per module on small codes.
func (g gray) upscale2() gray {
	out := gray{pix: make([]byte, 4*len(g.pix)), w: 2 * g.w, h: 2 * g.h}
	for y := 0; y < g.h; y++ {
		row := out.pix[2*y*out.w : (2*y+1)*out.w]
		for x := 0; x < g.w; x++ {
			v := g.pix[y*g.w+x]
			row[2*x], row[2*x+1] = v, v
		}
		copy(out.pix[(2*y+1)*out.w:(2*y+2)*out.w], row)
	}
	return out
}

// downscale2 halves the size by averaging 2×2 blocks, which removes noise
// and sharpens the binarizer's view of large, soft codes.
func (g gray) downscale2() gray {
	out := gray{w: g.w / 2, h: g.h / 2}
	out.pix = make([]byte, out.w*out.h)
	for y := 0; y < out.h; y++ {
		r0 := g.pix[2*y*g.w:]
		r1 := g.pix[(2*y+1)*g.w:]
		for x := 0; x < out.w; x++ {
			s := int(r0[2*x]) + int(r0[2*x+1]) + int(r1[2*x]) + int(r1[2*x+1])
			out.pix[y*out.w+x] = byte((s + 2) / 4)
		}
	}
	return out
}

// boxBlur3 averages every pixel with its 8 neighbours: a cheap denoiser
// for sensor noise, which otherwise breaks up the finder patterns.
func (g gray) boxBlur3() gray {
	out := gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	if g.w < 3 || g.h < 3 {
		copy(out.pix, g.pix)
		return out
	}
	tmp := make([]uint16, len(g.pix))
	for y := 0; y < g.h; y++ {
		row := g.pix[y*g.w : (y+1)*g.w]
		t := tmp[y*g.w : (y+1)*g.w]
		t[0] = uint16(row[0])*2 + uint16(row[1])
		for x := 1; x < g.w-1; x++ {
			t[x] = uint16(row[x-1]) + uint16(row[x]) + uint16(row[x+1])
		}
		t[g.w-1] = uint16(row[g.w-1])*2 + uint16(row[g.w-2])
	}
	for y := 0; y < g.h; y++ {
		ya, yb := y-1, y+1
		if ya < 0 {
			ya = 0
		}
		if yb >= g.h {
			yb = g.h - 1
		}
		a, c, bb := tmp[ya*g.w:], tmp[y*g.w:], tmp[yb*g.w:]
		o := out.pix[y*g.w:]
		for x := 0; x < g.w; x++ {
			o[x] = byte((uint32(a[x]) + uint32(c[x]) + uint32(bb[x]) + 4) / 9)
		}
	}
	return out
}

// sharpen applies an unsharp mask (2·pixel − 3×3 mean), countering the
// slight blur of a camera a little out of focus.
func (g gray) sharpen() gray {
	blur := g.boxBlur3()
	out := gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	for i, v := range g.pix {
		s := 2*int(v) - int(blur.pix[i])
		if s < 0 {
			s = 0
		} else if s > 255 {
			s = 255
		}
		out.pix[i] = byte(s)
	}
	return out
}

// median3 replaces every pixel by the median of its 3×3 neighbourhood,
// which removes sensor speckle while keeping module edges sharp (a box blur
// at 3 px/module smears the modules into each other). The border pixels are
// kept as they are. Each column of three is sorted once; the median of the
// window is then med(max of the lows, med of the middles, min of the highs).
func (g gray) median3() gray {
	out := gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	copy(out.pix, g.pix)
	if g.w < 3 || g.h < 3 {
		return out
	}
	lo := make([]byte, g.w)
	mid := make([]byte, g.w)
	hi := make([]byte, g.w)
	for y := 1; y < g.h-1; y++ {
		r0 := g.pix[(y-1)*g.w : y*g.w]
		r1 := g.pix[y*g.w : (y+1)*g.w]
		r2 := g.pix[(y+1)*g.w : (y+2)*g.w]
		for x := range lo {
			a, b, c := r0[x], r1[x], r2[x]
			a, b = sort2(a, b)
			b, c = sort2(b, c)
			a, b = sort2(a, b)
			lo[x], mid[x], hi[x] = a, b, c
		}
		o := out.pix[y*g.w : (y+1)*g.w]
		for x := 1; x < g.w-1; x++ {
			l := max(lo[x-1], lo[x], lo[x+1])
			m := med3(mid[x-1], mid[x], mid[x+1])
			h := min(hi[x-1], hi[x], hi[x+1])
			o[x] = med3(l, m, h)
		}
	}
	return out
}

func med3(a, b, c byte) byte {
	return max(min(a, b), min(max(a, b), c))
}

func sort2(a, b byte) (byte, byte) {
	return min(a, b), max(a, b)
}

// upscale2Smooth doubles the size with bilinear interpolation: more pixels
// per module for the finder search, and the interpolation smooths noise.
// Each output pixel weighs its own source pixel 9, the two nearest
// neighbours 3 each and the diagonal one 1 (of 16).
func (g gray) upscale2Smooth() gray {
	out := gray{pix: make([]byte, 4*len(g.pix)), w: 2 * g.w, h: 2 * g.h}
	nb := func(i, n int) int {
		if i%2 == 0 {
			return max(i/2-1, 0)
		}
		return min(i/2+1, n-1)
	}
	xn := make([]int, out.w)
	for x := range xn {
		xn[x] = nb(x, g.w)
	}
	for y := 0; y < out.h; y++ {
		ro := g.pix[(y/2)*g.w : (y/2+1)*g.w]
		rn := g.pix[nb(y, g.h)*g.w : (nb(y, g.h)+1)*g.w]
		o := out.pix[y*out.w : (y+1)*out.w]
		for x := range o {
			a, b := x/2, xn[x]
			v := 9*int(ro[a]) + 3*int(ro[b]) + 3*int(rn[a]) + int(rn[b])
			o[x] = byte((v + 8) / 16)
		}
	}
	return out
}
