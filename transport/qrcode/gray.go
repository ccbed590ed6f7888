package qrcode

import (
	"image"
	"image/color"
	"math"
	"slices"
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
	tmp := g.rowSums3()
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
// slight blur of a camera a little out of focus. The mean is computed on
// the fly (row sums of three, then columns), without a blurred copy.
func (g gray) sharpen() gray {
	out := gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	if g.w < 3 || g.h < 3 {
		copy(out.pix, g.pix)
		return out
	}
	tmp := g.rowSums3()
	for y := 0; y < g.h; y++ {
		ya, yb := max(y-1, 0), min(y+1, g.h-1)
		a, c, bb := tmp[ya*g.w:], tmp[y*g.w:], tmp[yb*g.w:]
		row := g.pix[y*g.w : (y+1)*g.w]
		o := out.pix[y*g.w:]
		for x, v := range row {
			mean := (int(a[x]) + int(c[x]) + int(bb[x]) + 4) / 9
			o[x] = byte(min(max(2*int(v)-mean, 0), 255))
		}
	}
	return out
}

// rowSums3 is every pixel plus its left and right neighbours (the edge
// pixel counted twice at the ends): the first half of a 3×3 box filter.
func (g gray) rowSums3() []uint16 {
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
	return tmp
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

// rotate turns the picture by deg degrees (clockwise) about its centre,
// onto a canvas large enough to hold all of it, filling the corners with
// the picture's mean grey; pixels are interpolated bilinearly. gozxing
// finds finder patterns on rows and confirms them on columns and one
// diagonal; a code turned near 45°, or squeezed by perspective, passes
// that test better once turned back part of the way.
func (g gray) rotate(deg float64) gray {
	sin, cos := math.Sincos(deg * math.Pi / 180)
	fw, fh := float64(g.w), float64(g.h)
	ow := int(math.Ceil(math.Abs(fw*cos) + math.Abs(fh*sin) - 1e-6))
	oh := int(math.Ceil(math.Abs(fw*sin) + math.Abs(fh*cos) - 1e-6))
	out := gray{pix: make([]byte, ow*oh), w: ow, h: oh}
	var total int
	for _, v := range g.pix {
		total += int(v)
	}
	fill := byte(0)
	if len(g.pix) > 0 {
		fill = byte(total / len(g.pix))
	}
	cx, cy := fw/2, fh/2
	ocx, ocy := float64(ow)/2, float64(oh)/2
	// Source coordinates in 16.16 fixed point, stepped along each row.
	const one = 1 << 16
	stepX, stepY := int64(math.Round(cos*one)), int64(math.Round(-sin*one))
	for y := 0; y < oh; y++ {
		dy := float64(y) + 0.5 - ocy
		dx := 0.5 - ocx
		sx := int64(math.Round((dx*cos + dy*sin + cx - 0.5) * one))
		sy := int64(math.Round((-dx*sin + dy*cos + cy - 0.5) * one))
		o := out.pix[y*ow : (y+1)*ow]
		for x := range o {
			x0, y0 := int(sx>>16), int(sy>>16)
			if sx < 0 || sy < 0 || x0+1 >= g.w || y0+1 >= g.h {
				o[x] = fill
			} else {
				fx, fy := int32(sx&(one-1))>>8, int32(sy&(one-1))>>8 // 8-bit fractions
				i := y0*g.w + x0
				p0, p1 := int32(g.pix[i]), int32(g.pix[i+1])
				q0, q1 := int32(g.pix[i+g.w]), int32(g.pix[i+g.w+1])
				top := p0<<8 + fx*(p1-p0)
				bot := q0<<8 + fx*(q1-q0)
				o[x] = byte((top<<8 + fy*(bot-top) + 1<<15) >> 16)
			}
			sx += stepX
			sy += stepY
		}
	}
	return out
}

// stretch spreads the grey levels so that the darkest 1 % of pixels go to
// 0 and the lightest 1 % to 255: a washed-out or dim frame gets the
// contrast the global binarizer's histogram needs.
func (g gray) stretch() gray {
	var hist [256]int
	for _, v := range g.pix {
		hist[v]++
	}
	cut := len(g.pix) / 100
	lo, hi := 0, 255
	for n := 0; lo < 255 && n+hist[lo] <= cut; lo++ {
		n += hist[lo]
	}
	for n := 0; hi > 0 && n+hist[hi] <= cut; hi-- {
		n += hist[hi]
	}
	out := gray{pix: make([]byte, len(g.pix)), w: g.w, h: g.h}
	if hi <= lo {
		copy(out.pix, g.pix)
		return out
	}
	var lut [256]byte
	for i := range lut {
		v := (i - lo) * 255 / (hi - lo)
		lut[i] = byte(min(max(v, 0), 255))
	}
	for i, v := range g.pix {
		out.pix[i] = lut[v]
	}
	return out
}

// shrink scales the picture down by the integer factor f, averaging f×f
// blocks: a 12-megapixel photo of a code has modules of 10–40 pixels, and
// gozxing reads it as well and many times faster at a quarter the size.
func (g gray) shrink(f int) gray {
	if f <= 1 {
		return g
	}
	out := gray{w: g.w / f, h: g.h / f}
	out.pix = make([]byte, out.w*out.h)
	acc := make([]int, out.w)
	for y := 0; y < out.h; y++ {
		clear(acc)
		for dy := 0; dy < f; dy++ {
			row := g.pix[(y*f+dy)*g.w:]
			for x := range acc {
				s := 0
				for _, v := range row[x*f : x*f+f] {
					s += int(v)
				}
				acc[x] += s
			}
		}
		o := out.pix[y*out.w:]
		for x, s := range acc {
			o[x] = byte((s + f*f/2) / (f * f))
		}
	}
	return out
}

// roiBlock is the side, in pixels, of the blocks codeRegion measures.
const roiBlock = 16

// codeRegion returns the part of the picture that holds the code, judged by
// texture: a code is a patch of strong contrast at the scale of a module,
// while paper, screen borders, glare and the scene behind are mostly
// smooth. The picture is cut into 16×16 blocks, each block's contrast is
// the range of its 4×4 cell means (averaging first, so sensor noise does
// not count), and the bounding box of the larger groups of contrasty blocks,
// with a margin of two blocks, is returned. ok is false when that box is
// most of the picture anyway (a cluttered scene): the caller then works on
// the whole picture. It only ever narrows where the expensive passes look.
func (g gray) codeRegion() (r image.Rectangle, ok bool) {
	bw, bh := g.w/roiBlock, g.h/roiBlock
	if bw < 4 || bh < 4 {
		return image.Rectangle{}, false
	}
	rng := make([]int, bw*bh)
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			lo, hi := 255*16, 0
			for cy := 0; cy < 4; cy++ {
				for cx := 0; cx < 4; cx++ {
					s := 0
					for y := 0; y < 4; y++ {
						row := g.pix[(by*roiBlock+cy*4+y)*g.w+bx*roiBlock+cx*4:]
						s += int(row[0]) + int(row[1]) + int(row[2]) + int(row[3])
					}
					lo, hi = min(lo, s), max(hi, s)
				}
			}
			rng[by*bw+bx] = (hi - lo) / 16
		}
	}
	sorted := slices.Clone(rng)
	slices.Sort(sorted)
	thr := max(24, sorted[len(sorted)*9/10]*3/10)
	// Group the contrasty blocks (8-connected) and keep the groups of at
	// least a quarter of the largest: a code cut in two by glare stays whole.
	label := make([]int, len(rng))
	var sizes []int
	var boxes []image.Rectangle
	stack := []int{}
	for i, v := range rng {
		if v < thr || label[i] != 0 {
			continue
		}
		id := len(sizes) + 1
		size := 0
		box := image.Rect(i%bw, i/bw, i%bw+1, i/bw+1)
		label[i] = id
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			size++
			x, y := j%bw, j/bw
			box = box.Union(image.Rect(x, y, x+1, y+1))
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= bw || ny >= bh {
						continue
					}
					k := ny*bw + nx
					if label[k] == 0 && rng[k] >= thr {
						label[k] = id
						stack = append(stack, k)
					}
				}
			}
		}
		sizes = append(sizes, size)
		boxes = append(boxes, box)
	}
	if len(sizes) == 0 {
		return image.Rectangle{}, false
	}
	largest := slices.Max(sizes)
	var box image.Rectangle
	for i, s := range sizes {
		if 4*s >= largest {
			box = box.Union(boxes[i])
		}
	}
	r = image.Rect((box.Min.X-2)*roiBlock, (box.Min.Y-2)*roiBlock, (box.Max.X+2)*roiBlock, (box.Max.Y+2)*roiBlock).Intersect(image.Rect(0, 0, g.w, g.h))
	if r.Dx()*r.Dy()*10 > g.w*g.h*6 {
		return image.Rectangle{}, false
	}
	return r, true
}

// crop returns the part r of the picture.
func (g gray) crop(r image.Rectangle) gray {
	out := gray{pix: make([]byte, r.Dx()*r.Dy()), w: r.Dx(), h: r.Dy()}
	for y := 0; y < out.h; y++ {
		copy(out.pix[y*out.w:(y+1)*out.w], g.pix[(r.Min.Y+y)*g.w+r.Min.X:])
	}
	return out
}

// roi is the picture cut down to its code region, or the picture itself
// when codeRegion finds no smaller one.
func (g gray) roi() gray {
	if r, ok := g.codeRegion(); ok {
		return g.crop(r)
	}
	return g
}
