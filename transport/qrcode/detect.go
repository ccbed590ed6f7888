package qrcode

import (
	"math"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/common"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// detectAndDecode is gozxing's QR reader (finder patterns, then grid, then
// decoder) with a second try at the geometry when the first grid does not
// decode. gozxing takes the symbol's size from the distances between the
// finder patterns and places the bottom-right corner by an affine guess;
// under keystone or a bent sheet the size comes out one version off, or
// the alignment pattern lies outside the small window searched for it, and
// the grid samples the wrong modules. The finder patterns found are kept
// and the grid is sampled again for the neighbouring sizes, with the
// alignment pattern searched in a wider window or left out. All the work
// of finding the patterns is shared; each retry samples one grid and runs
// the decoder once.
func detectAndDecode(bits *gozxing.BitMatrix, hints map[gozxing.DecodeHintType]interface{}) (*gozxing.Result, error) {
	finder := detector.NewFinderPatternFinder(bits, nil)
	info, err := finder.Find(hints)
	if err != nil {
		if info = loosePatterns(finder.GetPossibleCenters()); info == nil {
			return nil, err
		}
	}
	dec := decoder.NewDecoder()
	var firstErr error
	if det, err := detector.NewDetector(bits).ProcessFinderPatternInfo(info); err == nil {
		if res, err := dec.Decode(det.GetBits(), hints); err == nil {
			return result(res, det.GetPoints()), nil
		} else {
			firstErr = err
		}
	} else {
		firstErr = err
	}
	tl, tr, bl := info.GetTopLeft(), info.GetTopRight(), info.GetBottomLeft()
	module := (tl.GetEstimatedModuleSize() + tr.GetEstimatedModuleSize() + bl.GetEstimatedModuleSize()) / 3
	if module < 1 {
		return nil, firstErr
	}
	for _, dim := range dimensions(tl, tr, bl, module)[1:] { // [0] is gozxing's, tried above
		version, err := decoder.Version_GetProvisionalVersionForDimension(dim)
		if err != nil {
			continue
		}
		var aligns []*detector.AlignmentPattern
		if len(version.GetAlignmentPatternCenters()) > 0 {
			// The module size at the bottom right, extrapolated from the
			// three finders (perspective), and the mean.
			far := tr.GetEstimatedModuleSize() + bl.GetEstimatedModuleSize() - tl.GetEstimatedModuleSize()
			for _, m := range []float64{module, far} {
				if a := findAlignment(bits, tl, tr, bl, m, dim); a != nil && (len(aligns) == 0 || !aligns[0].AboutEquals(m, a.GetY(), a.GetX())) {
					aligns = append(aligns, a)
				}
				if far < 1 || math.Abs(far-module) < 0.15*module {
					break
				}
			}
		}
		aligns = append(aligns, nil) // the affine guess, as gozxing falls back to
		for _, a := range aligns {
			grid, err := detector.Detector_sampleGrid(bits, detector.Detector_createTransform(tl, tr, bl, a, dim), dim)
			if err != nil {
				continue
			}
			res, err := dec.Decode(grid, hints)
			if err != nil {
				continue
			}
			points := []gozxing.ResultPoint{bl, tl, tr}
			if a != nil {
				points = append(points, a)
			}
			return result(res, points), nil
		}
	}
	return nil, firstErr
}

// dimensions are the symbol sizes worth a try, the likeliest first: from
// the mean of the two finder distances (gozxing's own guess), from each
// distance alone (perspective shortens one side), and one version either
// side.
func dimensions(tl, tr, bl gozxing.ResultPoint, module float64) []int {
	a := gozxing.ResultPoint_Distance(tl, tr) / module
	b := gozxing.ResultPoint_Distance(tl, bl) / module
	var out []int
	add := func(d float64) {
		n := int(math.Round(d)) + 7
		// Sizes are 17+4v: round to the nearest n ≡ 1 (mod 4).
		n = (n+1)/4*4 + 1
		if n < 21 || n > 177 {
			return
		}
		for _, o := range out {
			if o == n {
				return
			}
		}
		out = append(out, n)
	}
	mean := (a + b) / 2
	add(mean)
	if len(out) == 0 {
		out = append(out, 0) // keep [0] gozxing's guess, even out of range
	}
	add(a)
	add(b)
	add(mean + 4)
	add(mean - 4)
	add(max(a, b) + 4)
	return out
}

// loosePatterns picks three finder patterns as gozxing does (the triple
// nearest an isosceles right triangle) but allows their module sizes to
// differ by up to 2× instead of 1.4×: under keystone the near corner of a
// code is that much larger than the far one. Only candidates confirmed
// twice count, and the triangle must be near enough right and isosceles.
func loosePatterns(cands []*detector.FinderPattern) *detector.FinderPatternInfo {
	var fps []*detector.FinderPattern
	for _, c := range cands {
		if c.GetCount() >= 2 {
			fps = append(fps, c)
		}
	}
	if len(fps) < 3 || len(fps) > 40 {
		return nil
	}
	sq := func(a, b *detector.FinderPattern) float64 {
		dx, dy := a.GetX()-b.GetX(), a.GetY()-b.GetY()
		return dx*dx + dy*dy
	}
	best, bestD := [3]*detector.FinderPattern{}, math.MaxFloat64
	for i := 0; i < len(fps); i++ {
		for j := i + 1; j < len(fps); j++ {
			for k := j + 1; k < len(fps); k++ {
				p, q, r := fps[i], fps[j], fps[k]
				lo := min(p.GetEstimatedModuleSize(), q.GetEstimatedModuleSize(), r.GetEstimatedModuleSize())
				hi := max(p.GetEstimatedModuleSize(), q.GetEstimatedModuleSize(), r.GetEstimatedModuleSize())
				if hi > 2*lo {
					continue
				}
				d := []float64{sq(p, q), sq(q, r), sq(p, r)}
				a, b, c := min(d[0], d[1], d[2]), d[0]+d[1]+d[2]-min(d[0], d[1], d[2])-max(d[0], d[1], d[2]), max(d[0], d[1], d[2])
				// Far from an isosceles right triangle: not one code.
				dist := (math.Abs(c-2*b) + math.Abs(c-2*a)) / c
				if dist < 0.8 && dist < bestD {
					best, bestD = [3]*detector.FinderPattern{p, q, r}, dist
				}
			}
		}
	}
	if best[0] == nil {
		return nil
	}
	bl, tl, tr := gozxing.ResultPoint_OrderBestPatterns(best[0], best[1], best[2])
	return detector.NewFinderPatternInfo(bl.(*detector.FinderPattern), tl.(*detector.FinderPattern), tr.(*detector.FinderPattern))
}

// findAlignment looks for the bottom-right alignment pattern of a symbol of
// dim modules in windows of 8 and then 16 modules around where an affine
// code would have it, returning nil when there is none.
func findAlignment(bits *gozxing.BitMatrix, tl, tr, bl gozxing.ResultPoint, module float64, dim int) *detector.AlignmentPattern {
	brX := tr.GetX() - tl.GetX() + bl.GetX()
	brY := tr.GetY() - tl.GetY() + bl.GetY()
	corr := 1 - 3/float64(dim-7)
	ex := tl.GetX() + corr*(brX-tl.GetX())
	ey := tl.GetY() + corr*(brY-tl.GetY())
	for _, f := range []float64{8, 16} {
		r := f * module
		x0, y0 := max(int(ex-r), 0), max(int(ey-r), 0)
		x1, y1 := min(int(ex+r), bits.GetWidth()-1), min(int(ey+r), bits.GetHeight()-1)
		if float64(x1-x0) < 3*module || float64(y1-y0) < 3*module {
			continue
		}
		if a, err := detector.NewAlignmentPatternFinder(bits, x0, y0, x1-x0, y1-y0, module, nil).Find(); err == nil {
			return a
		}
	}
	return nil
}

// result makes the gozxing.Result the QR reader would have: the metadata
// resultText reads, and the points of a mirrored code put right.
func result(res *common.DecoderResult, points []gozxing.ResultPoint) *gozxing.Result {
	if md, ok := res.GetOther().(*decoder.QRCodeDecoderMetaData); ok {
		md.ApplyMirroredCorrection(points)
	}
	out := gozxing.NewResult(res.GetText(), res.GetRawBytes(), points, gozxing.BarcodeFormat_QR_CODE)
	if segs := res.GetByteSegments(); len(segs) > 0 {
		out.PutMetadata(gozxing.ResultMetadataType_BYTE_SEGMENTS, segs)
	}
	if ec := res.GetECLevel(); ec != "" {
		out.PutMetadata(gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL, ec)
	}
	return out
}
