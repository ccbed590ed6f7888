package bbqr

import (
	"bytes"
	"compress/flate"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && l[0] != '#' {
			out = append(out, l)
		}
	}
	return out
}

func TestIssueVectors(t *testing.T) {
	var vec []string
	for _, l := range lines(readFile(t, "issue3-bbqr.txt")) {
		if _, v, ok := strings.Cut(l, ": "); ok && strings.HasPrefix(l, `"Hello"`) {
			vec = append(vec, strings.TrimSpace(v))
		}
	}
	if !slices.Equal(vec, []string{"B$HU010048656C6C6F", "B$2U0100JBSWY3DP"}) {
		t.Fatalf("vectors = %q", vec)
	}
	for i, enc := range []Encoding{Hex, Base32} {
		parts, err := Split([]byte("Hello"), Unicode, enc, 100)
		if err != nil || len(parts) != 1 || parts[0] != vec[i] {
			t.Errorf("Split(Hello, %c) = %q, %v; want %s", enc, parts, err, vec[i])
		}
		ft, data, err := Join([]string{vec[i]})
		if err != nil || ft != Unicode || string(data) != "Hello" {
			t.Errorf("Join(%s) = %c %q %v", vec[i], ft, data, err)
		}
	}
	// "Hello" does not compress: Z falls back to base32.
	if parts, err := Split([]byte("Hello"), Unicode, Zlib, 100); err != nil || parts[0] != vec[1] {
		t.Errorf("Z fallback = %q, %v", parts, err)
	}
}

func TestRealScan(t *testing.T) {
	scan := lines(readFile(t, "real-scan.txt"))
	if len(scan) != 26 { // 28 lines in the file, 2 of them empty
		t.Fatalf("%d lines", len(scan))
	}
	d := NewDecoder()
	for i, l := range scan {
		if err := d.Add(l); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if r, n := d.Progress(); n != 8 || r < 1 || r > 8 {
			t.Fatalf("progress %d/%d", r, n)
		}
	}
	ft, data, err := d.Result()
	if err != nil || ft != Unicode {
		t.Fatal(ft, err)
	}
	if !bytes.Contains(data, []byte("Zlib compressed")) || !bytes.Contains(data, []byte("PSBT")) {
		t.Errorf("decoded text lacks the expected words (%d bytes)", len(data))
	}
	// The same text through the standard library's inflater (no window limit).
	var body string
	got := map[string]string{}
	for _, l := range scan {
		got[l[6:8]] = l[8:]
	}
	for i := range 8 {
		body += got[base36(i)]
	}
	raw, _ := b32.DecodeString(body)
	std, err := io.ReadAll(flate.NewReader(bytes.NewReader(raw)))
	if err != nil || !bytes.Equal(std, data) {
		t.Errorf("stdlib inflate disagrees: %v", err)
	}
}

func TestPSBTFiles(t *testing.T) {
	// Sizes the BBQr spec reports for zlib level 9, wbits 10; ours (klauspost,
	// 1 KiB window) must come within 15 % of them on the PSBTs.
	for name, zlib := range map[string]int{"1in2out.psbt": 458, "1in100out.psbt": 2654, "1in1000out.psbt": 22095, "last.txn": 530} {
		data := readFile(t, name)
		z, err := deflate1K(data)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes, deflate 1 KiB window %d (spec's zlib -9: %d)", name, len(data), len(z), zlib)
		if strings.HasSuffix(name, ".psbt") && len(z) > zlib*115/100 {
			t.Errorf("%s compressed only to %d of %d bytes", name, len(z), len(data))
		}
	}

	for _, name := range []string{"1in2out.psbt", "1in100out.psbt", "1in1000out.psbt", "last.txn"} {
		data := readFile(t, name)
		ft := PSBT
		if strings.HasSuffix(name, ".txn") {
			ft = Transaction
		}
		for _, enc := range []Encoding{Zlib, Base32, Hex} {
			v, parts, err := SplitQR(data, ft, SplitOptions{Encoding: enc, MaxParts: 20, MinVersion: 5})
			if err != nil {
				t.Fatalf("%s %c: %v", name, enc, err)
			}
			for _, p := range parts {
				if len(p) > AlphanumericCapacity(v, LevelL) || !alnumOnly(p) {
					t.Fatalf("%s: part of %d chars does not fit version %d alphanumeric", name, len(p), v)
				}
			}
			gotType, back, err := Join(reversed(parts))
			if err != nil || gotType != ft || !bytes.Equal(back, data) {
				t.Fatalf("%s %c: round trip: %v", name, enc, err)
			}
			if enc == Zlib && ft == PSBT && parts[0][2] != 'Z' {
				t.Errorf("%s: Z not used", name)
			}
			t.Logf("%s (%d bytes) %c: %d parts at version %d", name, len(data), parts[0][2], len(parts), v)
		}
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

func alnumOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", rune(s[i])) {
			return false
		}
	}
	return true
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 9))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// psbtLike is compressible like a real PSBT: random keys and hashes between
// repeated field structure.
func psbtLike(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	b := append([]byte{}, "psbt\xff"...)
	for len(b) < n {
		b = append(b, 0x01, 0x00, 0x22, 0x02)
		b = append(b, randomBytes(33, r.Uint64())...)
		b = append(b, 0x18, 0x73, 0xc5, 0xda, 0x0a, 0x54, 0, 0, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 0, byte(r.IntN(50)), 0, 0, 0)
	}
	return b[:n]
}

func TestRoundTripSizes(t *testing.T) {
	for _, size := range []int{300, 10_000, 100_000} {
		for _, data := range [][]byte{randomBytes(size, uint64(size)), psbtLike(size, uint64(size))} {
			for _, enc := range []Encoding{Zlib, Base32, Hex} {
				for _, maxChars := range []int{224, 1046, 4296} {
					parts, err := Split(data, PSBT, enc, maxChars)
					if err != nil {
						t.Fatal(err)
					}
					checkLayout(t, parts, maxChars)
					// Shuffled, with duplicates.
					r := rand.New(rand.NewPCG(uint64(size), uint64(maxChars)))
					order := r.Perm(len(parts))
					d := NewDecoder()
					for k, i := range order {
						if err := d.Add(parts[i]); err != nil {
							t.Fatal(err)
						}
						if err := d.Add(parts[order[k/2]]); err != nil {
							t.Fatal(err)
						}
						if d.Complete() != (k == len(order)-1) {
							t.Fatalf("complete after %d of %d", k+1, len(order))
						}
					}
					ft, back, err := d.Result()
					if err != nil || ft != PSBT || !bytes.Equal(back, data) {
						t.Fatalf("%d bytes %c %d chars: %v", size, enc, maxChars, err)
					}
				}
			}
		}
	}
}

// checkLayout asserts the BBQr splitting rules on a series.
func checkLayout(t *testing.T, parts []string, maxChars int) {
	t.Helper()
	mod := splitMod(Encoding(parts[0][2]))
	for i, p := range parts {
		if len(p) > maxChars {
			t.Fatalf("part %d has %d chars > %d", i, len(p), maxChars)
		}
		if p[:6] != parts[0][:6] || p[6:8] != base36(i) || p[4:6] != base36(len(parts)) {
			t.Fatalf("part %d header %s", i, p[:8])
		}
		if i < len(parts)-1 && (len(p) != len(parts[0]) || (len(p)-HeaderLen)%mod != 0) {
			t.Fatalf("part %d of %d chars breaks the layout", i, len(p))
		}
	}
	if n := len(parts); n > 1 {
		// Spread evenly: the last part is not much shorter than the others.
		if last, per := len(parts[n-1])-HeaderLen, len(parts[0])-HeaderLen; last < per-n*mod {
			t.Fatalf("runt last part: %d vs %d chars (%d parts)", last, per, n)
		}
	}
}

func TestPartLayout(t *testing.T) {
	for _, c := range []struct{ n, mod, max, count, per int }{
		{10, 2, 25, 1, 10},
		{17, 8, 25, 1, 17},   // fits one code: any valid length
		{18, 8, 25, 2, 16},   // 16 aligned chars per code: 16 + 2
		{196, 8, 108, 3, 72}, // 96 at most per code: 3 codes, spread 72+72+52
		{196, 2, 108, 2, 98}, // hex: 2 codes of 98
	} {
		count, per, err := partLayout(c.n, c.mod, c.max)
		if err != nil || count != c.count || per != c.per {
			t.Errorf("partLayout(%d,%d,%d) = %d,%d,%v want %d,%d", c.n, c.mod, c.max, count, per, err, c.count, c.per)
		}
	}
	if _, _, err := partLayout(100, 8, 15); err == nil {
		t.Error("15 chars per code accepted for base32")
	}
	if _, _, err := partLayout(4288*1296, 2, 4296); err == nil {
		t.Error("1296 parts accepted")
	}
	if c, _, err := partLayout(4288*1295, 2, 4296); err != nil || c != 1295 {
		t.Errorf("1295 parts: %d %v", c, err)
	}
}

func TestCapacityTable(t *testing.T) {
	// Recompute every entry from gozxing's version tables: data codewords
	// minus the 4-bit mode and the character-count field, 11 bits per two
	// characters and 6 for an odd one.
	levels := map[ECLevel]decoder.ErrorCorrectionLevel{
		LevelL: decoder.ErrorCorrectionLevel_L, LevelM: decoder.ErrorCorrectionLevel_M,
		LevelQ: decoder.ErrorCorrectionLevel_Q, LevelH: decoder.ErrorCorrectionLevel_H,
	}
	for lvl, zl := range levels {
		for v := 1; v <= 40; v++ {
			ver, err := decoder.Version_GetVersionForNumber(v)
			if err != nil {
				t.Fatal(err)
			}
			bits := (ver.GetTotalCodewords() - ver.GetECBlocksForLevel(zl).GetTotalECCodewords()) * 8
			cc := 9
			if v >= 27 {
				cc = 13
			} else if v >= 10 {
				cc = 11
			}
			bits -= 4 + cc
			want := bits / 11 * 2
			if bits%11 >= 6 {
				want++
			}
			if got := AlphanumericCapacity(v, lvl); got != want {
				t.Errorf("capacity v%d %c = %d, ISO computation gives %d", v, lvl, got, want)
			}
		}
	}
	if AlphanumericCapacity(0, LevelL) != 0 || AlphanumericCapacity(41, LevelL) != 0 || AlphanumericCapacity(1, 'X') != 0 {
		t.Error("invalid version/level not 0")
	}
}

func TestSplitQR(t *testing.T) {
	data := randomBytes(3000, 1)
	// 3000 random bytes are 4800 base32 characters: more than one code holds.
	if _, _, err := SplitQR(data, PSBT, SplitOptions{MaxParts: 1}); err == nil {
		t.Error("3000 random bytes fit one code?")
	}
	v, parts, err := SplitQR(data, PSBT, SplitOptions{MaxParts: 2})
	if err != nil || len(parts) != 2 {
		t.Fatalf("MaxParts 2: %d parts, %v", len(parts), err)
	}
	// The smallest version at which two codes suffice, and not one below.
	if AlphanumericCapacity(v-1, LevelL) >= len(parts[0]) || AlphanumericCapacity(v, LevelL) < len(parts[0]) {
		t.Errorf("version %d for parts of %d chars", v, len(parts[0]))
	}
	vm, partsM, err := SplitQR(data, PSBT, SplitOptions{MaxParts: 2, Level: LevelM})
	if err != nil || vm <= v || len(partsM) > 2 {
		t.Errorf("level M: version %d (L was %d), %d parts, %v", vm, v, len(partsM), err)
	}
	v, parts, err = SplitQR(data, Transaction, SplitOptions{MaxParts: 50, MinVersion: 11, MaxVersion: 11, Encoding: Hex})
	if err != nil || v != 11 || parts[0][:4] != "B$HT" {
		t.Errorf("fixed version 11 hex: %d %v", v, err)
	}
	for _, o := range []SplitOptions{{Level: 'X'}, {MinVersion: 41}, {MinVersion: 10, MaxVersion: 5}, {MaxParts: 1296}} {
		if _, _, err := SplitQR(data, PSBT, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}

func TestDecoderBad(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "not a BBQr"},
		{"ur:bytes/abc", "not a BBQr"},
		{"B$HP01", "shorter than"},
		{"B$XP010000", "unknown encoding"},
		{"B$HX010000", "unsupported file type"},
		{"B$HP0!0000", "not base 36"},
		{"B$HP01-000", "not base 36"},
		{"B$HP00000000", "count is zero"},
		{"B$HP0101AA", "index 1 but only 1"},
		{"B$HP0102AA", "index 2 but only 1"},
		{"B$HP0100", "no data"},
		{"B$HP0100ABC", "odd number"},
		{"B$HP0100ABCG", "not a hex digit"},
		{"B$2P0100ABC", "whole bytes"},
		{"B$2P0100AB1D", "not base32"},
		{"B$2P0100AB=D", "not base32"},
		{"B$ZP0100AAAAAAAA", "Z-encoded"}, // not deflate
		{"B$HP0100", "no data"},           // again after trimming
		{"B$2P0100" + b32.EncodeToString([]byte{}), "no data"},
	} {
		d := NewDecoder()
		err := d.Add(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Add(%q) = %v, want %q", c.in, err, c.want)
		}
		if d.Complete() {
			t.Errorf("Add(%q) completed", c.in)
		}
	}
	// Layout errors only show once all parts are there.
	for _, c := range []struct {
		parts []string
		want  string
	}{
		{[]string{"B$HP0200AABB", "B$HP0201AABBCC"}, "more than"},
		{[]string{"B$HP0300AABB", "B$HP0301AA", "B$HP0302AA"}, "all parts but the last"},
		{[]string{"B$2P0200AE", "B$2P0201AE"}, "whole bytes"},
	} {
		_, _, err := Join(c.parts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Join(%q) = %v, want %q", c.parts, err, c.want)
		}
	}
}

func TestDecoderMixedSeries(t *testing.T) {
	a, _ := Split(randomBytes(500, 1), PSBT, Base32, 154)
	b, _ := Split(randomBytes(500, 2), PSBT, Base32, 154)
	bh, _ := Split(randomBytes(500, 2), PSBT, Hex, 154)
	d := NewDecoder()
	_ = d.Add(a[0])
	_ = d.Add(a[1])
	// Same header, same index, other content.
	err := d.Add(b[1])
	if !errors.Is(err, ErrMessageChanged) || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("other content: %v", err)
	}
	if r, _ := d.Progress(); r != 1 {
		t.Errorf("after reset: %d parts", r)
	}
	err = d.Add(bh[0])
	if !errors.Is(err, ErrMessageChanged) || !strings.Contains(err.Error(), "expected 2P") {
		t.Fatalf("other encoding: %v", err)
	}
	for _, p := range bh {
		if err := d.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, got, err := d.Result(); err != nil || !bytes.Equal(got, randomBytes(500, 2)) {
		t.Errorf("second series: %v", err)
	}
	// Other type, same shape.
	if err := d.Add("B$HT" + bh[0][4:]); !errors.Is(err, ErrMessageChanged) {
		t.Errorf("other type: %v", err)
	}
	// Lowercase and surrounding whitespace are accepted.
	if _, got, err := Join([]string{"  b$hu010048656c6c6f\n"}); err != nil || string(got) != "Hello" {
		t.Errorf("lowercase: %q %v", got, err)
	}
}

func TestZlibBomb(t *testing.T) {
	var buf bytes.Buffer
	w, _ := kflate.NewWriterWindow(&buf, 1024)
	zeros := make([]byte, 1<<20)
	for range 17 {
		w.Write(zeros)
	}
	w.Close()
	body := b32.EncodeToString(buf.Bytes())
	parts := []string{"B$ZB0100" + body}
	if len(buf.Bytes()) > 100_000 {
		t.Fatalf("bomb is %d bytes", buf.Len())
	}
	_, _, err := Join(parts)
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("17 MiB bomb: %v", err)
	}
}

func TestWindowEnforced(t *testing.T) {
	// A stream made with the standard 32 KiB window and far back-references
	// is valid DEFLATE but not valid BBQr Z.
	block := randomBytes(2000, 5)
	data := append(append([]byte{}, block...), block...)
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, 9)
	w.Write(data)
	w.Close()
	if _, err := io.ReadAll(flate.NewReader(bytes.NewReader(buf.Bytes()))); err != nil {
		t.Fatal(err)
	}
	_, err := inflateWindow(buf.Bytes(), 1024, 1<<20)
	if err == nil || !strings.Contains(err.Error(), "beyond the 1024-byte window") {
		t.Fatalf("far distance: %v", err)
	}
	// Ours: the same data with klauspost's 1 KiB window inflates under the limit.
	z, err := deflate1K(data)
	if err != nil {
		t.Fatal(err)
	}
	back, err := inflateWindow(z, 1024, len(data))
	if err != nil || !bytes.Equal(back, data) {
		t.Fatal(err)
	}
	// And a compressible file gets real back-references (the check is not vacuous).
	pl := psbtLike(35_000, 1)
	z, err = deflate1K(pl)
	if err != nil || len(z) > len(pl)*3/4 {
		t.Fatalf("compressed %d → %d, %v", len(pl), len(z), err)
	}
	if _, err := inflateWindow(z, 512, len(pl)); err == nil {
		t.Error("1 KiB-window stream never reaches beyond 512 bytes: test data too weak")
	}
	// Trailing bytes after the final block are refused.
	if _, err := inflateWindow(append(z, 0), 1024, len(pl)); err == nil {
		t.Error("trailing byte accepted")
	}
}

func TestInflateAgainstStdlib(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for i := range 200 {
		n := r.IntN(20000)
		var data []byte
		if i%2 == 0 {
			data = psbtLike(n+10, uint64(i))
		} else {
			data = randomBytes(n, uint64(i))
		}
		for _, level := range []int{0, 1, 5, 9, -2} {
			var buf bytes.Buffer
			w, _ := kflate.NewWriter(&buf, level)
			w.Write(data)
			w.Close()
			got, err := inflateWindow(buf.Bytes(), 32768, 1<<20)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("level %d, %d bytes: %v", level, len(data), err)
			}
		}
	}
}

func FuzzInflate(f *testing.F) {
	for _, d := range [][]byte{nil, []byte("hello hello hello"), psbtLike(3000, 1)} {
		var buf bytes.Buffer
		w, _ := kflate.NewWriterWindow(&buf, 1024)
		w.Write(d)
		w.Close()
		f.Add(buf.Bytes())
	}
	f.Add([]byte{0x03, 0x00})
	f.Fuzz(func(t *testing.T, z []byte) {
		got, err := inflateWindow(z, 32768, 1<<20)
		if err != nil {
			return
		}
		// Anything we accept, the standard library decodes identically.
		std, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(z)), 1<<21))
		if err != nil || !bytes.Equal(std, got) {
			t.Fatalf("stdlib: %v, %d vs %d bytes", err, len(std), len(got))
		}
	})
}

func FuzzBBQrDecoder(f *testing.F) {
	f.Add(strings.Join(lines(readFile(f, "real-scan.txt")), "\n"))
	f.Add("B$HU010048656C6C6F")
	f.Add("B$2U0100JBSWY3DP")
	parts, _ := Split(psbtLike(2000, 1), PSBT, Zlib, 224)
	f.Add(strings.Join(parts, "\n"))
	parts, _ = Split(randomBytes(300, 1), PSBT, Hex, 77)
	f.Add(strings.Join(parts, "\n"))
	f.Fuzz(func(t *testing.T, in string) {
		d := NewDecoder()
		for _, l := range strings.Split(in, "\n") {
			_ = d.Add(l)
			if r, n := d.Progress(); r < 0 || r > n || n > MaxParts {
				t.Fatalf("progress %d/%d", r, n)
			}
		}
		if d.Complete() {
			if _, data, err := d.Result(); err != nil || len(data) == 0 || len(data) > MaxFileLen {
				t.Fatalf("complete: %d bytes, %v", len(data), err)
			}
		}
	})
}

func BenchmarkSplitZ100k(b *testing.B) {
	data := psbtLike(100_000, 1)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := Split(data, PSBT, Zlib, 1046); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJoinZ100k(b *testing.B) {
	data := psbtLike(100_000, 1)
	parts, _ := Split(data, PSBT, Zlib, 1046)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, _, err := Join(parts); err != nil {
			b.Fatal(err)
		}
	}
}
