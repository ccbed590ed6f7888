package qrcode

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The corpus of issue 18: camera-like JPEG frames from several generators
// written apart from the decoder and from camera_gen_test.go's (which the
// decoder's passes were tuned on). Each generator maps the code through
// its own projective transform (perspective and keystone, not only a turn),
// and adds its own kind of trouble: moiré from filming a screen, glare and
// vignetting, motion blur, uneven light, very small and very large modules,
// 1–3 kB single codes, UR and BBQr parts; every frame is then stored as a
// JPEG of quality 50–85 and read back from that file, by us and by zbarimg.

// corpusGen is one generator: it picks the payload and the degradations.
type corpusGen struct {
	name string
	make func(r *rand.Rand) (text string, sc scene)
}

// scene is what one frame looks like.
type scene struct {
	modulePx     float64    // pixels per module before perspective
	angle        float64    // turn, radians
	keystone     [2]float64 // perspective: horizontal and vertical convergence
	jitter       float64    // corner displacement, fraction of the side
	light, dark  float64    // luminance of light and dark modules
	gradient     float64    // linear illumination change across the frame
	vignette     float64    // darkening at the corners (fraction)
	glare        float64    // peak of an additive glare spot (grey levels)
	glareRadius  float64    // its radius, pixels
	moire        float64    // depth of moiré fringes (fraction)
	moireFreq    float64    // their spatial frequency, cycles per pixel
	motion       float64    // motion blur length, pixels
	defocus      float64    // gaussian blur sigma, pixels
	noise        float64    // sensor noise sigma, grey levels
	jpegQuality  int        // 50–85
	margin       float64    // paper/screen around the quiet zone, modules
	centreJitter [2]float64 // placement, fraction of the free space
}

func (s scene) String() string {
	return fmt.Sprintf("%.2fpx/mod rot %.0f° key %.2f/%.2f glare %.0f moiré %.2f motion %.1fpx blur σ%.1f noise σ%.1f q%d",
		s.modulePx, s.angle*180/math.Pi, s.keystone[0], s.keystone[1], s.glare, s.moire, s.motion, s.defocus, s.noise, s.jpegQuality)
}

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// baseScene is a moderate frame each generator then makes hard its way.
func baseScene(r *rand.Rand) scene {
	s := scene{
		modulePx:     uniform(r, 3, 4.5),
		angle:        uniform(r, -15, 15) * math.Pi / 180,
		light:        uniform(r, 160, 235),
		gradient:     uniform(r, 0, 0.25),
		defocus:      uniform(r, 0.3, 0.9),
		noise:        uniform(r, 2, 7),
		jpegQuality:  50 + r.IntN(36),
		margin:       uniform(r, 0.5, 4),
		centreJitter: [2]float64{r.Float64(), r.Float64()},
	}
	s.dark = uniform(r, 15, 70)
	return s
}

// urText is an uppercase UR part (bytewords, minimal) of about n characters.
func urText(r *rand.Rand, n int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	var b strings.Builder
	fmt.Fprintf(&b, "UR:CRYPTO-PSBT/%d-%d/", 1+r.IntN(60), 2+r.IntN(40))
	for b.Len() < n {
		b.WriteByte(letters[r.IntN(len(letters))])
	}
	return b.String()
}

// bbqrText is a BBQr part: header B$ 2 (zlib) P (PSBT), total and index in
// base 36, then base32 data.
func bbqrText(r *rand.Rand, n int) string {
	data := make([]byte, n*5/8+8)
	for i := range data {
		data[i] = byte(r.IntN(256))
	}
	total := 2 + r.IntN(30)
	body := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(data)
	return fmt.Sprintf("B$ZP%02s%02s%s", strings.ToUpper(fmt.Sprintf("%x", total)), strings.ToUpper(fmt.Sprintf("%x", r.IntN(total))), body)[:n]
}

// psbtText is a base64 PSBT-like single code of n bytes (byte mode).
func psbtText(r *rand.Rand, n int) string {
	data := make([]byte, n*3/4+4)
	for i := range data {
		data[i] = byte(r.IntN(256))
	}
	return ("cHNidP8B" + base64.StdEncoding.EncodeToString(data))[:n]
}

var corpusGens = []corpusGen{
	{"keystone", func(r *rand.Rand) (string, scene) { // a phone held at an angle to the screen
		s := baseScene(r)
		s.modulePx = uniform(r, 2.6, 4)
		s.keystone = [2]float64{uniform(r, -0.3, 0.3), uniform(r, -0.3, 0.3)}
		s.jitter = uniform(r, 0, 0.04)
		return urText(r, 300+r.IntN(600)), s
	}},
	{"screen", func(r *rand.Rand) (string, scene) { // filming a monitor: moiré, glare, vignetting
		s := baseScene(r)
		s.moire = uniform(r, 0.1, 0.35)
		s.moireFreq = uniform(r, 0.04, 0.2)
		s.glare = uniform(r, 40, 160)
		s.glareRadius = uniform(r, 60, 220)
		s.vignette = uniform(r, 0.2, 0.5)
		return urText(r, 200+r.IntN(500)), s
	}},
	{"motion", func(r *rand.Rand) (string, scene) { // a shaking hand, a lamp to one side
		s := baseScene(r)
		s.modulePx = uniform(r, 3.5, 5.5)
		s.motion = uniform(r, 1.5, 5)
		s.gradient = uniform(r, 0.3, 0.7)
		s.keystone = [2]float64{uniform(r, -0.1, 0.1), uniform(r, -0.1, 0.1)}
		return urText(r, 200+r.IntN(400)), s
	}},
	{"dense", func(r *rand.Rand) (string, scene) { // one code of 1–3 kB
		s := baseScene(r)
		s.modulePx = uniform(r, 2.8, 3.6)
		s.angle = uniform(r, -6, 6) * math.Pi / 180
		s.keystone = [2]float64{uniform(r, -0.08, 0.08), uniform(r, -0.08, 0.08)}
		s.defocus = uniform(r, 0.3, 0.6)
		s.noise = uniform(r, 1, 4)
		s.jpegQuality = 70 + r.IntN(16)
		return psbtText(r, 1000+r.IntN(1500)), s
	}},
	{"big", func(r *rand.Rand) (string, scene) { // close up: large, soft modules, glare
		s := baseScene(r)
		s.modulePx = uniform(r, 8, 16)
		s.defocus = uniform(r, 1.5, 4)
		s.glare = uniform(r, 0, 120)
		s.glareRadius = uniform(r, 100, 300)
		s.keystone = [2]float64{uniform(r, -0.2, 0.2), uniform(r, -0.2, 0.2)}
		return urText(r, 60+r.IntN(150)), s
	}},
	{"parts", func(r *rand.Rand) (string, scene) { // UR and BBQr parts, mixed trouble
		s := baseScene(r)
		s.keystone = [2]float64{uniform(r, -0.2, 0.2), uniform(r, -0.2, 0.2)}
		s.motion = uniform(r, 0, 3)
		s.vignette = uniform(r, 0, 0.4)
		s.moire = uniform(r, 0, 0.2)
		s.moireFreq = uniform(r, 0.05, 0.15)
		if r.IntN(2) == 0 {
			return bbqrText(r, 150+r.IntN(500)), s
		}
		return urText(r, 150+r.IntN(500)), s
	}},
}

// corpusFrame is one generated JPEG and the text it must decode to.
type corpusFrame struct {
	gen, text, params string
	jpeg              []byte
}

// genCorpus makes n frames per generator, deterministically from seed.
func genCorpus(tb testing.TB, n int, seed uint64) []corpusFrame {
	tb.Helper()
	var out []corpusFrame
	for gi, g := range corpusGens {
		r := rand.New(rand.NewPCG(seed, uint64(gi)+0x636f72707573)) // "corpus"
		for i := 0; i < n; i++ {
			text, sc := g.make(r)
			m, err := Encode(text, LevelL, false)
			if err != nil {
				tb.Fatalf("%s: %v", g.name, err)
			}
			img := renderScene(m, sc, r)
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: sc.jpegQuality}); err != nil {
				tb.Fatal(err)
			}
			out = append(out, corpusFrame{gen: g.name, text: text, params: fmt.Sprintf("v%d %s", m.Version(), sc), jpeg: buf.Bytes()})
		}
	}
	return out
}

// corpusGenNames are the generators in report order: those above, then
// the held-out "curl" of corpus_curl_test.go.
func corpusGenNames() []string {
	var names []string
	for _, g := range corpusGens {
		names = append(names, g.name)
	}
	return append(names, "curl")
}

// genFullCorpus is genCorpus and n frames of the curl generator.
func genFullCorpus(tb testing.TB, n int, seed uint64) []corpusFrame {
	return append(genCorpus(tb, n, seed), curlFrames(tb, n, seed)...)
}

// homography solves for the 3×3 projective map taking src[i] to dst[i]
// (four point pairs), by Gaussian elimination on the usual 8×8 system.
func homography(src, dst [4][2]float64) [9]float64 {
	var a [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := src[i][0], src[i][1], dst[i][0], dst[i][1]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < 8; r++ {
			if r != c {
				f := a[r][c] / a[c][c]
				for k := c; k < 9; k++ {
					a[r][k] -= f * a[c][k]
				}
			}
		}
	}
	var h [9]float64
	for i := 0; i < 8; i++ {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h
}

func applyH(h [9]float64, x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + h[8]
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// renderScene draws m as the camera would see it in sc.
func renderScene(m Matrix, sc scene, r *rand.Rand) *image.Gray {
	const w, h = camW, camH
	n := float64(m.Size())
	full := n + 2*sc.margin // modules, paper included
	side := full * sc.modulePx
	// Corners of the paper in the frame: a square turned by angle,
	// narrowed at one edge (keystone) and jittered.
	half := side / 2
	corners := [4][2]float64{{-half, -half}, {half, -half}, {half, half}, {-half, half}}
	sin, cos := math.Sincos(sc.angle)
	var frame [4][2]float64
	maxX, maxY := 0.0, 0.0
	for i, c := range corners {
		x, y := c[0], c[1]
		x *= 1 + sc.keystone[0]*y/half // vertical convergence
		y *= 1 + sc.keystone[1]*x/half
		x += (r.Float64()*2 - 1) * sc.jitter * side
		y += (r.Float64()*2 - 1) * sc.jitter * side
		frame[i] = [2]float64{x*cos - y*sin, x*sin + y*cos}
		maxX, maxY = max(maxX, math.Abs(frame[i][0])), max(maxY, math.Abs(frame[i][1]))
	}
	cx := maxX + sc.centreJitter[0]*max(0, w-2*maxX)
	cy := maxY + sc.centreJitter[1]*max(0, h-2*maxY)
	for i := range frame {
		frame[i][0] += cx
		frame[i][1] += cy
	}
	paper := [4][2]float64{{-sc.margin, -sc.margin}, {n + sc.margin, -sc.margin}, {n + sc.margin, n + sc.margin}, {-sc.margin, n + sc.margin}}
	toModule := homography(frame, paper)

	bg := uniform(r, 30, 110)
	mdir := uniform(r, 0, math.Pi)
	mdx, mdy := math.Cos(mdir)*sc.motion, math.Sin(mdir)*sc.motion
	taps := 1 + int(math.Ceil(sc.motion))
	gx, gy := uniform(r, 0, w), uniform(r, 0, h)
	ga := uniform(r, 0, 2*math.Pi)
	gs, gc := math.Sincos(ga)
	ma := uniform(r, 0, math.Pi)
	ms, mc := math.Sincos(ma)
	buf := make([]float64, w*h)
	lo := [2]float64{w, h}
	hi := [2]float64{0, 0}
	for _, f := range frame {
		lo[0], lo[1] = min(lo[0], f[0]), min(lo[1], f[1])
		hi[0], hi[1] = max(hi[0], f[0]), max(hi[1], f[1])
	}
	pad := sc.motion + 2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x), float64(y)
			v := bg
			if fx >= lo[0]-pad && fx <= hi[0]+pad && fy >= lo[1]-pad && fy <= hi[1]+pad {
				// 2×2 supersampling, and taps along the motion.
				sum := 0.0
				cnt := 0
				for t := 0; t < taps; t++ {
					off := 0.0
					if taps > 1 {
						off = float64(t)/float64(taps-1) - 0.5
					}
					for sy := 0; sy < 2; sy++ {
						for sx := 0; sx < 2; sx++ {
							px := fx + (float64(sx)+0.5)/2 + off*mdx
							py := fy + (float64(sy)+0.5)/2 + off*mdy
							u, vv := applyH(toModule, px, py)
							switch {
							case u < -sc.margin || vv < -sc.margin || u >= n+sc.margin || vv >= n+sc.margin:
								sum += bg
							case u >= 0 && vv >= 0 && u < n && vv < n && m[int(vv)][int(u)]:
								sum += sc.dark
							default:
								sum += sc.light
							}
							cnt++
						}
					}
				}
				v = sum / float64(cnt)
			}
			buf[y*w+x] = v
		}
	}
	if sc.defocus > 0 {
		buf = gaussBlur(buf, w, h, sc.defocus)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := buf[y*w+x]
			nx, ny := float64(x)/w-0.5, float64(y)/h-0.5
			v *= 1 + sc.gradient*(nx*gc+ny*gs)
			v *= 1 - sc.vignette*(nx*nx+ny*ny)*2
			if sc.moire > 0 {
				// beats of the screen's pixel grid against the sensor's
				t := float64(x)*mc + float64(y)*ms
				v *= 1 + sc.moire*math.Cos(2*math.Pi*sc.moireFreq*t)*math.Cos(2*math.Pi*sc.moireFreq*0.37*(float64(x)*ms-float64(y)*mc))
			}
			if sc.glare > 0 {
				d2 := (float64(x)-gx)*(float64(x)-gx) + (float64(y)-gy)*(float64(y)-gy)
				v += sc.glare * math.Exp(-d2/(2*sc.glareRadius*sc.glareRadius))
			}
			v += r.NormFloat64() * sc.noise
			img.Pix[y*img.Stride+x] = clamp255(v)
		}
	}
	return img
}

// corpusScore is one reader's result on one generator's frames.
type corpusScore struct {
	ok, total int
	elapsed   time.Duration
	times     []time.Duration // per frame, where measured one by one
	failed    []int
}

func (s *corpusScore) add(o *corpusScore) {
	s.ok += o.ok
	s.total += o.total
	s.elapsed += o.elapsed
	s.times = append(s.times, o.times...)
}

// String gives the count, the mean time per frame and, where frames were
// timed one by one (ours; zbarimg reads a generator's frames in one
// process, whose start-up the mean spreads over them), the median.
func (s corpusScore) String() string {
	if s.total == 0 {
		return "-"
	}
	out := fmt.Sprintf("%3d/%-3d mean %6.1f ms", s.ok, s.total, float64(s.elapsed.Microseconds())/1000/float64(s.total))
	if len(s.times) > 0 {
		ts := slices.Clone(s.times)
		slices.Sort(ts)
		out += fmt.Sprintf(" med %6.1f", float64(ts[len(ts)/2].Microseconds())/1000)
	}
	return out
}

// writeCorpus stores the frames as JPEG files, as a camera would give them.
func writeCorpus(tb testing.TB, dir string, frames []corpusFrame) []string {
	tb.Helper()
	paths := make([]string, len(frames))
	for i, f := range frames {
		paths[i] = filepath.Join(dir, fmt.Sprintf("%s-%03d.jpg", f.gen, i))
		if err := os.WriteFile(paths[i], f.jpeg, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return paths
}

// scoreOurs decodes every file with decode, the time including reading
// and decoding the JPEG, per generator.
func scoreOurs(frames []corpusFrame, paths []string, decode func(string) ([]string, error)) map[string]*corpusScore {
	out := map[string]*corpusScore{}
	for i, f := range frames {
		s := out[f.gen]
		if s == nil {
			s = &corpusScore{}
			out[f.gen] = s
		}
		t0 := time.Now()
		got, err := decode(paths[i])
		d := time.Since(t0)
		s.elapsed += d
		s.times = append(s.times, d)
		s.total++
		if err == nil && len(got) > 0 && got[0] == f.text {
			s.ok++
		} else {
			s.failed = append(s.failed, i)
		}
	}
	return out
}

// decodeVideoFile is DecodeVideoFrame on a file: the camera path's reader.
func decodeVideoFile(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return DecodeVideoFrame(img)
}

// scoreZbar runs one zbarimg process per generator over its files; the
// time includes zbarimg's start-up, spread over the frames.
func scoreZbar(tb testing.TB, frames []corpusFrame, paths []string) map[string]*corpusScore {
	tb.Helper()
	out := map[string]*corpusScore{}
	byGen := map[string][]int{}
	var order []string
	for i, f := range frames {
		if byGen[f.gen] == nil {
			order = append(order, f.gen)
		}
		byGen[f.gen] = append(byGen[f.gen], i)
	}
	for _, g := range order {
		idx := byGen[g]
		var ps []string
		for _, i := range idx {
			ps = append(ps, paths[i])
		}
		sub := make([]camFrame, len(idx))
		for k, i := range idx {
			sub[k] = camFrame{text: frames[i].text}
		}
		r := runZbar(tb, ps, sub)
		s := &corpusScore{ok: r.ok, total: r.total, elapsed: r.elapsed}
		for _, k := range r.failed {
			s.failed = append(s.failed, idx[k])
		}
		out[g] = s
	}
	return out
}

const corpusEnv = "AIRSIGN_QR_CORPUS"

// heldOut are the generators whose frames no tuning aid looks at
// (TestCorpusPasses skips them): their score is reported apart, as the
// check that the reader was not fitted to the frames it was measured on.
var heldOut = map[string]bool{"parts": true, "curl": true}

// TestCorpusVsZbar compares our reader with zbarimg on the corpus, per
// generator, in the same run: AIRSIGN_QR_CORPUS=N frames per generator
// (make bench sets it; plain go test skips). It fails when we decode
// fewer frames than zbar overall.
func TestCorpusVsZbar(t *testing.T) {
	n := envInt(t, corpusEnv)
	if n == 0 {
		t.Skipf("set %s=N (frames per generator) to compare with zbarimg on the corpus", corpusEnv)
	}
	frames := genFullCorpus(t, n, camSeed(t))
	paths := writeCorpus(t, t.TempDir(), frames)
	ours := scoreOurs(frames, paths, DecodeFile)
	video := scoreOurs(frames, paths, decodeVideoFile)
	var zb map[string]*corpusScore
	if _, err := exec.LookPath("zbarimg"); err == nil {
		zb = scoreZbar(t, frames, paths)
	} else {
		t.Log("zbarimg not installed (Debian zbar-tools): no comparison")
	}
	// Two totals: the generators the passes were chosen on, and the
	// held-out ones, which no tuning aid looks at.
	var sums [2][3]corpusScore
	t.Logf("%-9s %-32s %-32s %-32s", "generator", "ours (files, DecodeImage)", "ours (camera, video budget)", "zbarimg")
	for _, g := range corpusGenNames() {
		o, v := ours[g], video[g]
		z := corpusScore{}
		if zb != nil {
			z = *zb[g]
		}
		label := g
		k := 0
		if heldOut[g] {
			label, k = g+"*", 1
		}
		t.Logf("%-9s %-32v %-32v %-32v", label, *o, *v, z)
		for j, s := range []*corpusScore{o, v, &z} {
			sums[k][j].add(s)
		}
		if testing.Verbose() {
			for _, i := range o.failed {
				t.Logf("  we miss %s (%s)", filepath.Base(paths[i]), frames[i].params)
			}
		}
	}
	t.Logf("%-9s %-32v %-32v %-32v", "tuned", sums[0][0], sums[0][1], sums[0][2])
	t.Logf("%-9s %-32v %-32v %-32v", "held-out", sums[1][0], sums[1][1], sums[1][2])
	var all [3]corpusScore
	for j := range all {
		all[j].add(&sums[0][j])
		all[j].add(&sums[1][j])
	}
	t.Logf("%-9s %-32v %-32v %-32v", "all", all[0], all[1], all[2])
	t.Log("* held out: not looked at while choosing the passes (TestCorpusPasses skips them)")
	if zb != nil && all[0].ok < all[2].ok {
		t.Errorf("we decode %d of %d frames, zbarimg %d", all[0].ok, all[0].total, all[2].ok)
	}
}

// TestCorpusSmoke: a few frames of every generator always run, so the
// generators stay working and the reader keeps reading the easy ones.
func TestCorpusSmoke(t *testing.T) {
	frames := genCorpus(t, 1, 7)
	paths := writeCorpus(t, t.TempDir(), frames)
	s := scoreOurs(frames, paths, decodeVideoFile) // the cheap passes: this runs in make test
	ok := 0
	for _, v := range s {
		ok += v.ok
	}
	if ok == 0 {
		t.Fatalf("no frame of the %d generators decoded", len(corpusGens))
	}
}

func envInt(tb testing.TB, name string) int {
	v := os.Getenv(name)
	if v == "" {
		return 0
	}
	var n int
	if _, err := fmt.Sscan(v, &n); err != nil || n < 0 {
		tb.Fatalf("%s=%q: want a number of frames", name, v)
	}
	return n
}

// candidatePasses are passes measured by TestCorpusPasses besides those in
// use, so that a change to the order is measured, not guessed.
var candidatePasses = []pass{
	{name: "half", prep: "half"},
	{name: "up", prep: "up"},
	{name: "blur", prep: "blur"},
	{name: "sharp", prep: "sharp"},
	{name: "median", prep: "median"},
	{name: "global", prep: "orig", bin: global},
	{name: "stretch+global", prep: "stretch", bin: global},
	{name: "blur+local", prep: "blur", bin: local},
	{name: "roi+local", prep: "roi", bin: local},
	{name: "roi+up+local", prep: "roi+up", bin: local},
	{name: "roi+up+rot-20", prep: "roi+up+rot-20"},
	{name: "roi+up+sharp", prep: "roi+up+sharp"},
	{name: "roi+rot20", prep: "roi+rot20"},
	{name: "roi+rot45", prep: "roi+rot45"},
	{name: "rot20", prep: "rot20"},
	{name: "rot270", prep: "rot270"},
	// Dropped from passes: read no frame the others miss (54/75 with or
	// without it), at a sixth of the time.
	{name: "rot90", prep: "rot90"},
	{name: "roi+up+rot90", prep: "roi+up+rot90"},
}

// TestCorpusPasses shows what each pass in use, and each candidate, reads
// alone on the corpus, and the order a greedy choice gives (most frames not
// yet read per millisecond first), a tuning aid: AIRSIGN_QR_CORPUS=N go
// test -run CorpusPasses -v. The held-out generators are left out, so that
// their score in TestCorpusVsZbar stays a check of frames not tuned to.
func TestCorpusPasses(t *testing.T) {
	n := envInt(t, corpusEnv)
	if n == 0 {
		t.Skipf("set %s=N to measure the passes on the corpus", corpusEnv)
	}
	var frames []corpusFrame
	for _, f := range genCorpus(t, n, camSeed(t)+1) { // curl frames are not even made
		if !heldOut[f.gen] {
			frames = append(frames, f)
		}
	}
	grays := make([]gray, len(frames))
	for i, f := range frames {
		img, err := jpeg.Decode(bytes.NewReader(f.jpeg))
		if err != nil {
			t.Fatal(err)
		}
		grays[i] = toGray(img)
	}
	all := append(append([]pass(nil), passes...), candidatePasses...)
	ok := make([][]bool, len(all))
	cost := make([][]time.Duration, len(all))
	for pi, p := range all {
		ok[pi] = make([]bool, len(frames))
		cost[pi] = make([]time.Duration, len(frames))
		per := map[string]int{}
		cnt := 0
		var total time.Duration
		for i, g := range grays {
			t0 := time.Now()
			got, err := decodeGray(g, []pass{p}, 0)
			cost[pi][i] = time.Since(t0)
			total += cost[pi][i]
			if err == nil && len(got) > 0 && got[0] == frames[i].text {
				ok[pi][i] = true
				per[frames[i].gen]++
				cnt++
			}
		}
		t.Logf("%-20s alone: %3d/%d %6.1f ms/frame %v", p.name, cnt, len(frames), float64(total.Microseconds())/1000/float64(len(frames)), per)
	}
	// Greedy order: the pass with the most frames not yet read per
	// millisecond spent on the frames not yet read.
	read := make([]bool, len(frames))
	used := make([]bool, len(all))
	for {
		best, bestRate, bestNew := -1, 0.0, 0
		for pi := range all {
			if used[pi] {
				continue
			}
			gain := 0
			var spent time.Duration
			for i := range frames {
				if !read[i] {
					spent += cost[pi][i]
					if ok[pi][i] {
						gain++
					}
				}
			}
			if gain == 0 {
				continue
			}
			if rate := float64(gain) / (float64(spent.Microseconds()) + 1); rate > bestRate {
				best, bestRate, bestNew = pi, rate, gain
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		total := 0
		for i := range frames {
			if ok[best][i] {
				read[i] = true
			}
			if read[i] {
				total++
			}
		}
		t.Logf("greedy: %-20s +%d → %d/%d", all[best].name, bestNew, total, len(frames))
	}
}
