package qrcode

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample texts: short, a ~1,000-character uppercase UR-like part
// (alphanumeric mode), and binary-ish text (byte mode, invalid UTF-8,
// NULs, bytes that a charset guess would mangle).
func samples() map[string]string {
	r := rand.New(rand.NewPCG(1, 2))
	long := urLikeText(r, 1000)
	bin := make([]byte, 300)
	for i := range bin {
		bin[i] = byte(r.IntN(256))
	}
	return map[string]string{
		"short":        "UR:BYTES/HDCXAYAXAXAXAX",
		"long-alnum":   long,
		"binary":       "\x00\x01\x02\xff\xfe\x80\x81 \x1b[31m é \xe3\x81\x82 " + string(bin),
		"lowercase":    "ur:crypto-psbt/hdosjojkidjyzmadaenyaoaeae",
		"base64-psbt":  "cHNidP8BAHECAAAAAQ==",
		"numeric-only": "0123456789012345678901234567890",
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}

func TestEncodeDecodeImage(t *testing.T) {
	for name, s := range samples() {
		t.Run(name, func(t *testing.T) {
			for _, lvl := range []Level{LevelL, LevelM, LevelQ, LevelH} {
				m, err := Encode(s, lvl, false)
				if err != nil {
					t.Fatal(err)
				}
				got, err := DecodeImage(m.Image(3))
				if err != nil {
					t.Fatalf("level %v: %v", lvl, err)
				}
				if len(got) != 1 || got[0] != s {
					t.Fatalf("level %v: got %q, want %q", lvl, got, s)
				}
			}
		})
	}
}

// go-qrcode offers no way to force a mode, so check that it chooses
// alphanumeric (or numeric) for uppercase UR parts, by reading back the
// mode indicators of the symbol's data codewords.
func TestUppercaseURUsesAlphanumericMode(t *testing.T) {
	s := samples()["long-alnum"]
	m, err := Encode(s, LevelL, false)
	if err != nil {
		t.Fatal(err)
	}
	segs := symbolSegments(t, m)
	for i, sg := range segs {
		if sg.mode != modeAlphanumeric && sg.mode != modeNumeric {
			t.Fatalf("segment %d uses mode %#x, want alphanumeric or numeric", i, sg.mode)
		}
	}
	// 1,000 alphanumeric characters fit version 18 at L; in byte mode
	// they would need version 23.
	if v := m.Version(); v != 18 {
		t.Fatalf("version %d, want 18", v)
	}
	// Lowercase forces byte mode.
	segs = symbolSegments(t, mustEncode(t, strings.ToLower(s)))
	if len(segs) != 1 || segs[0].mode != modeByte {
		t.Fatalf("lowercase text: segments %v, want one byte segment", segs)
	}
}

func mustEncode(t *testing.T, s string) Matrix {
	t.Helper()
	m, err := Encode(s, LevelL, false)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// symbolSegments decodes m and returns its segments.
func symbolSegments(t *testing.T, m Matrix) []segment {
	t.Helper()
	res, err := readOne(toGray(m.Image(2)), pass{prep: "orig"})
	if err != nil {
		t.Fatal(err)
	}
	ec, _ := parseECLevel(res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string))
	v, err := versionFor(len(res.GetRawBytes()), ec)
	if err != nil {
		t.Fatal(err)
	}
	segs, err := parseSegments(res.GetRawBytes(), v)
	if err != nil {
		t.Fatal(err)
	}
	return segs
}

func TestQuietZone(t *testing.T) {
	m := mustEncode(t, "UR:BYTES/ABC")
	n := m.Size()
	for i := 0; i < n; i++ {
		for q := 0; q < QuietZone; q++ {
			if m[q][i] || m[n-1-q][i] || m[i][q] || m[i][n-1-q] {
				t.Fatalf("dark module inside the %d-module quiet zone at %d/%d", QuietZone, q, i)
			}
		}
	}
	// The finder pattern starts right after the quiet zone.
	if !m[QuietZone][QuietZone] {
		t.Fatal("no finder pattern corner at the quiet zone's edge")
	}
}

func TestWritePNGsRoundTrip(t *testing.T) {
	s := samples()
	frames := []string{s["short"], s["long-alnum"], s["binary"], s["lowercase"]}
	dir := filepath.Join(t.TempDir(), "new", "frames")
	paths, err := WritePNGs(dir, frames, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		if want := filepath.Join(dir, fmt.Sprintf("frame-%03d.png", i+1)); p != want {
			t.Fatalf("path %d = %s, want %s", i, p, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(frames) {
		t.Fatalf("%d files in dir (temp files left?), want %d", len(entries), len(frames))
	}
	for i, p := range paths {
		got, err := DecodeFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != frames[i] {
			t.Fatalf("%s: got %q", p, got)
		}
	}
	got, err := DecodePaths([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(frames, "\n") {
		t.Fatalf("DecodePaths = %q", got)
	}
	// A second run into the same directory must not mix frames.
	_, err = WritePNGs(dir, frames[:1], Options{})
	if err == nil || !strings.Contains(err.Error(), "already holds 4 frame-*.png") {
		t.Fatalf("second run: err = %v", err)
	}
}

func TestFrameName(t *testing.T) {
	for _, tc := range []struct {
		i, n int
		want string
	}{
		{0, 1, "frame-001.png"},
		{8, 9, "frame-009.png"},
		{998, 999, "frame-999.png"},
		{0, 1000, "frame-0001.png"},
		{999, 1000, "frame-1000.png"},
		{41, 12345, "frame-00042.png"},
	} {
		if got := frameName(tc.i, tc.n); got != tc.want {
			t.Errorf("frameName(%d, %d) = %s, want %s", tc.i, tc.n, got, tc.want)
		}
	}
}

func TestWritePNGsNothingWrittenOnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	frames := []string{"UR:BYTES/A", strings.Repeat("A", 5000)}
	_, err := WritePNGs(dir, frames, Options{})
	if err == nil || err.Error() != "frame 2/2: 5000 characters do not fit one QR code at level L: use smaller parts" {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("directory created although a frame failed: %v", err)
	}
}

func TestWriteGIFRoundTrip(t *testing.T) {
	s := samples()
	frames := []string{s["short"], s["long-alnum"], s["binary"]}
	var buf bytes.Buffer
	if err := WriteGIF(&buf, frames, Options{Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	g, err := gif.DecodeAll(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 3 || g.Delay[0] != 30 || g.LoopCount != 0 {
		t.Fatalf("%d frames, delay %d cs, loop %d; want 3, 30, 0", len(g.Image), g.Delay[0], g.LoopCount)
	}
	for _, img := range g.Image {
		if img.Bounds() != g.Image[0].Bounds() {
			t.Fatal("frames of different sizes")
		}
	}
	path := filepath.Join(t.TempDir(), "anim.gif")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(frames, "\n") {
		t.Fatalf("got %q", got)
	}
}

func TestWriteGIFDefaultsAndLimits(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGIF(&buf, []string{"A"}, Options{}); err != nil {
		t.Fatal(err)
	}
	g, _ := gif.DecodeAll(&buf)
	if g.Delay[0] != 25 {
		t.Fatalf("default delay %d cs, want 25", g.Delay[0])
	}
	for _, d := range []time.Duration{99 * time.Millisecond, 2001 * time.Millisecond, -time.Second} {
		err := WriteGIF(&buf, []string{"A"}, Options{Delay: d})
		if err == nil || !strings.Contains(err.Error(), "want 100ms to 2s") {
			t.Fatalf("delay %v: err = %v", d, err)
		}
	}
}

var dataURI = regexp.MustCompile(`src="data:image/png;base64,([A-Za-z0-9+/=]+)"`)

func TestWriteHTMLRoundTrip(t *testing.T) {
	s := samples()
	frames := []string{s["short"], s["long-alnum"], s["binary"]}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, frames, Options{Digest: "3f2a9c1e", Title: "PSBT <tx>"}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<figcaption>code 1 of 3 · 3f2a9c1e</figcaption>",
		"<figcaption>code 3 of 3 · 3f2a9c1e</figcaption>",
		"<title>PSBT &lt;tx&gt;</title>",
		"page-break-inside: avoid",
		"@media print",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Self-contained: no external resources.
	for _, bad := range []string{"http:", "https:", "//", "<script", "<link", "@import", "url("} {
		if strings.Contains(dataURI.ReplaceAllString(page, ""), bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	// Every code is printed at 0.5 mm per module or more (the PNGs are
	// 4 px per module).
	imgs := dataURI.FindAllStringSubmatch(page, -1)
	if len(imgs) != 3 {
		t.Fatalf("%d embedded images, want 3", len(imgs))
	}
	for i, m := range imgs {
		b, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeBytes(fmt.Sprintf("image %d", i+1), b)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != frames[i] {
			t.Fatalf("image %d: got %q", i+1, got)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		modules := cfg.Width / 4
		widthRe := regexp.MustCompile(regexp.QuoteMeta(m[1]) + `" style="width:([0-9.]+)mm"`)
		wm := widthRe.FindStringSubmatch(page)
		var mm float64
		fmt.Sscan(wm[1], &mm)
		if mm/float64(modules) < htmlModuleMM-1e-9 {
			t.Fatalf("image %d: %.1f mm for %d modules, under %.1f mm/module", i+1, mm, modules, htmlModuleMM)
		}
	}
	if err := WriteHTML(&buf, frames, Options{}); err == nil || !strings.Contains(err.Error(), "needs a digest") {
		t.Fatalf("no digest: err = %v", err)
	}
}

func TestHTMLUsesLevelMOnPaper(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, []string{"UR:BYTES/ABC"}, Options{Digest: "d"}); err != nil {
		t.Fatal(err)
	}
	b, _ := base64.StdEncoding.DecodeString(dataURI.FindStringSubmatch(buf.String())[1])
	img, _ := png.Decode(bytes.NewReader(b))
	res, err := readOne(toGray(img), pass{prep: "orig"})
	if err != nil {
		t.Fatal(err)
	}
	if ec := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; ec != "M" {
		t.Fatalf("EC level %v on paper, want M", ec)
	}
}

func TestTerminalGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts Options
	}{
		{"terminal.golden", Options{}},
		{"terminal-dark-on-light.golden", Options{DarkOnLight: true}},
	} {
		var buf bytes.Buffer
		if err := RenderTerminal(&buf, "UR:BYTES/HDCXAYAXAXAXAX", tc.opts); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", tc.file)
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Fatalf("%s differs from the rendering (go test -update rewrites it):\n%s", path, buf.String())
		}
		// The golden picture itself decodes.
		m, err := parseTerm(string(want), tc.opts.DarkOnLight)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeImage(m.Image(2))
		if err != nil || got[0] != "UR:BYTES/HDCXAYAXAXAXAX" {
			t.Fatalf("golden decodes to %q, %v", got, err)
		}
	}
}

func TestTerminalQuietZone(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderTerminal(&buf, "UR:BYTES/ABC", Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	// light-on-dark: quiet zone modules are light = drawn. Two full lines
	// (4 module rows) on top, 4 full cells left and right.
	full := strings.Repeat("█", len([]rune(lines[0])))
	if lines[0] != full || lines[1] != full {
		t.Fatal("top quiet zone is not 4 light module rows")
	}
	for i, l := range lines {
		r := []rune(l)
		for q := 0; q < QuietZone; q++ {
			if r[q] != '█' || r[len(r)-1-q] != '█' {
				t.Fatalf("line %d: side quiet zone broken", i+1)
			}
		}
	}
	if strings.ContainsFunc(buf.String(), func(r rune) bool { return !strings.ContainsRune("█▀▄ \n", r) }) {
		t.Fatal("characters other than half blocks")
	}
}

func TestAnimate(t *testing.T) {
	frames := []string{"UR:BYTES/1-3/AAAA", "UR:BYTES/2-3/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "UR:BYTES/3-3/CC"}
	var buf bytes.Buffer
	err := Animate(context.Background(), &buf, frames, MinDelay, Options{Cycles: 2})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if c := strings.Count(out, "code 1 of 3"); c != 2 {
		t.Fatalf("code 1 of 3 shown %d times, want 2", c)
	}
	if c := strings.Count(out, "code 3 of 3"); c != 2 {
		t.Fatalf("code 3 of 3 shown %d times, want 2", c)
	}
	// All frames padded to the largest: every redraw moves up the same
	// number of lines.
	ups := regexp.MustCompile(`\x1b\[(\d+)A`).FindAllStringSubmatch(out, -1)
	if len(ups) != 5 {
		t.Fatalf("%d cursor-up moves, want 5", len(ups))
	}
	for _, u := range ups {
		if u[1] != ups[0][1] {
			t.Fatalf("cursor-up by %s and %s", u[1], ups[0][1])
		}
	}
	if !strings.HasPrefix(out, "\x1b[?25l") || !strings.HasSuffix(out, "\x1b[?25h") {
		t.Fatal("cursor not hidden and shown again")
	}
}

func TestAnimateStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	var buf bytes.Buffer
	go func() { done <- Animate(ctx, &buf, []string{"A", "B"}, MaxDelay, Options{}) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestAnimateBad(t *testing.T) {
	ctx := context.Background()
	var buf bytes.Buffer
	for _, tc := range []struct {
		frames   []string
		interval time.Duration
		opts     Options
		want     string
	}{
		{nil, 0, Options{}, "no frames"},
		{[]string{"A"}, 50 * time.Millisecond, Options{}, "want 100ms to 2s"},
		{[]string{"A"}, 3 * time.Second, Options{}, "want 100ms to 2s"},
		{[]string{"A"}, 0, Options{Cycles: -1}, "cycles -1"},
		{[]string{"A", ""}, 0, Options{}, "frame 2/2: empty text"},
		{[]string{"A"}, 0, Options{Level: 9}, "level 9"},
	} {
		err := Animate(ctx, &buf, tc.frames, tc.interval, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %v: err = %v, want %q", tc.frames, tc.interval, err, tc.want)
		}
	}
	if buf.Len() != 0 {
		t.Fatal("output written although the arguments were bad")
	}
}

func TestReadBackMismatch(t *testing.T) {
	img := mustEncode(t, "UR:BYTES/OTHER").Image(4)
	err := checkReadBack(img, "UR:BYTES/WANTED", "frame 2/5")
	if err == nil || err.Error() != "frame 2/5: read-back of the rendered code gives different text (14 bytes, want 15): not shown or saved" {
		t.Fatalf("err = %v", err)
	}
	blank := image.NewGray(image.Rect(0, 0, 100, 100))
	draw.Draw(blank, blank.Rect, image.White, image.Point{}, draw.Src)
	err = checkReadBack(blank, "X", "frame 1/1")
	if err == nil || err.Error() != "frame 1/1: read-back of the rendered code failed: no QR code found" {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeVariants(t *testing.T) {
	const s = "UR:CRYPTO-PSBT/12-40/LPBNAXCFAXHLCYYNLTLNVD"
	code := toGray(mustEncode(t, s).Image(4))
	for name, g := range map[string]gray{
		"inverted": code.invert(),
		"rot90":    code.rotate90(),
		"rot180":   code.rotate180(),
		"rot270":   code.rotate180().rotate90(),
		"tiny":     toGray(mustEncode(t, s).Image(1)),
		"in a big white frame": func() gray {
			big := image.NewGray(image.Rect(0, 0, 900, 700))
			draw.Draw(big, big.Rect, image.White, image.Point{}, draw.Src)
			c := mustEncode(t, s).Image(3)
			draw.Draw(big, c.Rect.Add(image.Pt(500, 300)), c, image.Point{}, draw.Src)
			return toGray(big)
		}(),
	} {
		got, err := decodeGray(g, passes, 0)
		if err != nil || len(got) != 1 || got[0] != s {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
}

func TestDecodeTwoCodesInOnePicture(t *testing.T) {
	a, b := "UR:BYTES/1-2/AAAAAAAAAAAA", "UR:BYTES/2-2/BBBBBBBBBBBB"
	page := image.NewGray(image.Rect(0, 0, 800, 400))
	draw.Draw(page, page.Rect, image.White, image.Point{}, draw.Src)
	ca, cb := mustEncode(t, a).Image(6), mustEncode(t, b).Image(6)
	draw.Draw(page, ca.Rect.Add(image.Pt(40, 60)), ca, image.Point{}, draw.Src)
	draw.Draw(page, cb.Rect.Add(image.Pt(440, 60)), cb, image.Point{}, draw.Src)
	got, err := DecodeImage(page)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !(got[0] == a && got[1] == b || got[0] == b && got[1] == a) {
		t.Fatalf("got %q, want both codes", got)
	}
}

func TestDecodeJPEGAndColour(t *testing.T) {
	const s = "UR:BYTES/HDCXAYAXAXAXAX"
	code := mustEncode(t, s).Image(5)
	// Dark blue on yellow, saved as JPEG.
	col := image.NewRGBA(code.Rect)
	for y := 0; y < code.Rect.Dy(); y++ {
		for x := 0; x < code.Rect.Dx(); x++ {
			c := color.RGBA{240, 220, 60, 255}
			if code.ColorIndexAt(x, y) == 1 {
				c = color.RGBA{20, 30, 120, 255}
			}
			col.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, col, &jpeg.Options{Quality: 60}); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBytes("photo.jpg", buf.Bytes())
	if err != nil || got[0] != s {
		t.Fatalf("%q %v", got, err)
	}
	// Transparent background PNG: dark modules on nothing.
	tr := image.NewNRGBA(code.Rect)
	for y := 0; y < code.Rect.Dy(); y++ {
		for x := 0; x < code.Rect.Dx(); x++ {
			if code.ColorIndexAt(x, y) == 1 {
				tr.Set(x, y, color.NRGBA{0, 0, 0, 255})
			}
		}
	}
	buf.Reset()
	png.Encode(&buf, tr)
	got, err = DecodeBytes("transparent.png", buf.Bytes())
	if err != nil || got[0] != s {
		t.Fatalf("transparent: %q %v", got, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	dir := t.TempDir()
	blank := image.NewGray(image.Rect(0, 0, 64, 64))
	draw.Draw(blank, blank.Rect, image.White, image.Point{}, draw.Src)
	var buf bytes.Buffer
	png.Encode(&buf, blank)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	blankPath := write("frame-007.png", buf.Bytes())
	textPath := write("notes.txt", []byte("not an image"))
	var codePNG bytes.Buffer
	png.Encode(&codePNG, mustEncode(t, "UR:BYTES/OK").Image(4))
	truncPath := write("cut.png", codePNG.Bytes()[:codePNG.Len()/2])
	tiny := write("tiny.png", func() []byte {
		var b bytes.Buffer
		png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
		return b.Bytes()
	}())
	// A 20000×20000 PNG header: refused before any pixel is decoded.
	hugePath := write("huge.png", pngHeader(20000, 20000))

	for _, tc := range []struct {
		path string
		want string
	}{
		{blankPath, blankPath + ": no QR code found"},
		{textPath, textPath + ": not a PNG, JPEG or GIF image"},
		{truncPath, truncPath + ": broken PNG image"},
		{tiny, tiny + ": no QR code found"},
		{hugePath, hugePath + ": image of 20000×20000 pixels is too large"},
		{filepath.Join(dir, "missing.png"), "no such file"},
		{dir, "is a directory"},
	} {
		_, err := DecodeFile(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
	}
	if _, err := DecodeFile(blankPath); !errors.Is(err, ErrNoCode) {
		t.Errorf("blank image: error %v does not wrap ErrNoCode", err)
	}
}

func TestDecodePathsPartial(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if _, err := WritePNGs(sub, []string{"UR:BYTES/1-2/AA", "UR:BYTES/2-2/BB"}, Options{}); err != nil {
		t.Fatal(err)
	}
	// a duplicate, a stray non-image file (ignored in a directory) and an
	// image without a code (reported)
	dup, _ := os.ReadFile(filepath.Join(sub, "frame-001.png"))
	os.WriteFile(filepath.Join(dir, "copy.PNG"), dup, 0o644)
	os.WriteFile(filepath.Join(dir, "README"), []byte("hi"), 0o644)
	blank := image.NewGray(image.Rect(0, 0, 50, 50))
	var buf bytes.Buffer
	png.Encode(&buf, blank)
	os.WriteFile(filepath.Join(dir, "black.png"), buf.Bytes(), 0o644)
	empty := t.TempDir()

	got, err := DecodePaths([]string{dir, empty})
	if len(got) != 2 || got[0] != "UR:BYTES/1-2/AA" && got[1] != "UR:BYTES/1-2/AA" {
		t.Fatalf("got %q", got)
	}
	if err == nil {
		t.Fatal("no error for the image without a code")
	}
	msg := err.Error()
	for _, want := range []string{"black.png: no QR code found", empty + ": no PNG, JPEG or GIF files"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestDecodeGIFPartial(t *testing.T) {
	code := mustEncode(t, "UR:BYTES/1-2/AA").Image(4)
	blank := image.NewPaletted(code.Rect, palette)
	g := &gif.GIF{Image: []*image.Paletted{code, blank, blank}, Delay: []int{10, 10, 10}}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBytes("anim.gif", buf.Bytes())
	if len(got) != 1 || got[0] != "UR:BYTES/1-2/AA" {
		t.Fatalf("got %q", got)
	}
	if err == nil || err.Error() != "anim.gif: no QR code found in frame 2, 3 of 3" {
		t.Fatalf("err = %v", err)
	}
}

func TestDecodeGIFSubframes(t *testing.T) {
	// Frame 2 covers only the right half of the screen, with a second
	// code: composited over frame 1 as a viewer shows it, it reads as both.
	a := mustEncode(t, "UR:BYTES/1-2/AA").Image(4)
	b := mustEncode(t, "UR:BYTES/2-2/BB").Image(4)
	w := a.Rect.Dx()
	screen := image.Rect(0, 0, 2*w+40, w)
	f1 := image.NewPaletted(screen, palette)
	draw.Draw(f1, a.Rect, a, image.Point{}, draw.Src)
	f2 := image.NewPaletted(b.Rect.Add(image.Pt(w+40, 0)), palette)
	draw.Draw(f2, f2.Rect, b, image.Point{}, draw.Src)
	g := &gif.GIF{Image: []*image.Paletted{f1, f2}, Delay: []int{10, 10}, Config: image.Config{Width: screen.Dx(), Height: screen.Dy(), ColorModel: palette}}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBytes("sub.gif", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "UR:BYTES/1-2/AA,UR:BYTES/2-2/BB" {
		t.Fatalf("got %q", got)
	}
}

// pngHeader is the start of a grey PNG of w×h: enough for DecodeConfig.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte{'I', 'H', 'D', 'R', byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w), byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h), 8, 0, 0, 0, 0}
	c := crc32.ChecksumIEEE(ihdr)
	out := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	out = append(out, ihdr...)
	return append(out, byte(c>>24), byte(c>>16), byte(c>>8), byte(c))
}

// bombGIF is a GIF of n 1000×1000 frames that are each a few bytes long.
func bombGIF(n int) []byte {
	b := []byte("GIF89a\xe8\x03\xe8\x03\x80\x00\x00\x00\x00\x00\xff\xff\xff")
	for i := 0; i < n; i++ {
		b = append(b, 0x2c, 0, 0, 0, 0, 0xe8, 0x03, 0xe8, 0x03, 0, 2, 2, 0x4c, 0x01, 0)
	}
	return append(b, 0x3b)
}

func TestGIFBombRefused(t *testing.T) {
	// 600 frames of one megapixel each: over the 512-megapixel budget
	// though the file is 9 kB.
	data := bombGIF(600)
	_, err := DecodeBytes("bomb.gif", data)
	if err == nil || err.Error() != "bomb.gif: GIF frames add up to more than 512 megapixels, too many to decode" {
		t.Fatalf("err = %v", err)
	}
	if n, frames, err := gifFrameArea(bombGIF(3)); err != nil || n != 3_000_000 || frames != 3 {
		t.Fatalf("gifFrameArea = %d, %d, %v", n, frames, err)
	}
	// 1,000 frames of one pixel on a 4000x4000 screen: tiny frames, but
	// each is decoded on the whole screen (minutes of work).
	b := []byte("GIF89a\xa0\x0f\xa0\x0f\x80\x00\x00\x00\x00\x00\xff\xff\xff")
	for i := 0; i < 1000; i++ {
		b = append(b, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 0x01, 0)
	}
	b = append(b, 0x3b)
	_, err = DecodeBytes("screen.gif", b)
	if err == nil || !strings.Contains(err.Error(), "1000 frames on a 15-megapixel screen are too many to decode") {
		t.Fatalf("screen bomb: %v", err)
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]Level{"L": LevelL, "m": LevelM, " q ": LevelQ, "H": LevelH, "auto": LevelAuto, "": LevelAuto} {
		got, err := ParseLevel(in)
		if err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseLevel("X"); err == nil || err.Error() != `QR error-correction level "X": want L, M, Q or H` {
		t.Errorf("err = %v", err)
	}
}

func TestOptionsBad(t *testing.T) {
	var buf bytes.Buffer
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{ModulePixels: -1}, "module size -1 px"},
		{Options{ModulePixels: 65}, "module size 65 px"},
		{Options{Level: -2}, "level -2"},
	} {
		if err := WriteGIF(&buf, []string{"A"}, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v", tc.opts, err)
		}
		if _, err := WritePNGs(t.TempDir(), []string{"A"}, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v", tc.opts, err)
		}
	}
	if _, err := WritePNGs(t.TempDir(), nil, Options{}); err == nil || err.Error() != "no frames to write" {
		t.Errorf("no frames: %v", err)
	}
}

// TestCameraFramesFew decodes a handful of the degraded camera frames in
// the normal test run (the full 200 are in camera_bench_test.go).
func TestCameraFramesFew(t *testing.T) {
	frames := genCameraFrames(t, 6, camSetSeed+1)
	r := decodeCamSet(frames, passes, 0)
	for _, i := range r.failed {
		t.Logf("missed frame %d: v%d %s", i+1, frames[i].version, frames[i].params)
	}
	if r.ok < 5 {
		t.Fatalf("decoded %d of 6 camera frames, want at least 5", r.ok)
	}
}

func TestParallelReportsLowestFrame(t *testing.T) {
	ran := make([]bool, 100)
	err := parallel(100, func(i int) error {
		ran[i] = true
		if i%7 == 3 {
			return fmt.Errorf("frame %d", i)
		}
		return nil
	})
	if err == nil || err.Error() != "frame 3" {
		t.Fatalf("err = %v, want frame 3", err)
	}
	for i, r := range ran {
		if !r {
			t.Fatalf("frame %d not run", i)
		}
	}
}

func TestPassesKnown(t *testing.T) {
	g := toGray(mustEncode(t, "A").Image(2))
	v := &variants{m: map[string]gray{"orig": g}}
	names := map[string]bool{}
	for _, p := range passes {
		if names[p.name] {
			t.Errorf("pass %s twice", p.name)
		}
		names[p.name] = true
		v.get(p.prep) // panics on an unknown transform
	}
	for _, p := range candidatePasses { // the tuning aid's
		v.get(p.prep)
	}
}

func TestDecodeVideoFrame(t *testing.T) {
	frames := genCameraFrames(t, 2, camSetSeed+2)
	for i, f := range frames {
		got, err := DecodeVideoFrame(f.img)
		if err != nil || got[0] != f.text {
			t.Errorf("frame %d: %v", i+1, err)
		}
	}
	if _, err := DecodeVideoFrame(image.NewGray(image.Rect(0, 0, 0, 0))); !errors.Is(err, ErrNoCode) {
		t.Errorf("empty frame: %v", err)
	}
}
