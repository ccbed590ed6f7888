package parts

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/airsign/airsign/transport/bbqr"
	"github.com/airsign/airsign/transport/ur"
)

// The bcr-2020-006 PSBT vector (also in transport/ur/testdata).
const vectorPSBTHex = "70736274ff01009a020000000258e87a21b56daf0c23be8e7070456c336f7cbaa5c8757924f545887bb2abdd750000000000ffffffff838d0427d0ec650a68aa46bb0b098aea4422c071b2ca78352a077959d07cea1d0100000000ffffffff0270aaf00800000000160014d85c2b71d0060b09c9886aeb815e50991dda124d00e1f5050000000016001400aea9a2e5f0f876a588df5546e8742d1d87008f000000000000000000"

const vectorPSBTUR = "ur:crypto-psbt/hdosjojkidjyzmadaenyaoaeaeaeaohdvsknclrejnpebncnrnmnjojofejzeojlkerdonspkpkkdkykfelokgprpyutkpaeaeaeaeaezmzmzmzmlslgaaditiwpihbkispkfgrkbdaslewdfycprtjsprsgksecdratkkhktikewdcaadaeaeaeaezmzmzmzmaojopkwtayaeaeaeaecmaebbtphhdnjstiambdassoloimwmlyhygdnlcatnbggtaevyykahaeaeaeaecmaebbaeplptoevwwtyakoonlourgofgvsjydpcaltaemyaeaeaeaeaeaeaeaeaebkgdcarh"

func vectorPSBT(t testing.TB) []byte {
	b, err := hex.DecodeString(vectorPSBTHex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakePSBT is n bytes with the PSBT magic and compressible structure.
func fakePSBT(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 5))
	b := append([]byte{}, psbtMagic...)
	for len(b) < n {
		b = append(b, 0x01, 0x00, 0x22, 0x02)
		for range 33 {
			b = append(b, byte(r.Uint32()))
		}
		b = append(b, 0x18, 0x73, 0xc5, 0xda, 0x0a, 0x54, 0, 0, 0x80, 0, 0, 0, 0x80, byte(r.IntN(9)))
	}
	return b[:n]
}

func mustAdd(t *testing.T, c *Collector, s string) Progress {
	t.Helper()
	p, err := c.Add(s)
	if err != nil {
		t.Fatalf("Add: %v", err)
	}
	return p
}

func TestSingleCodes(t *testing.T) {
	psbt := vectorPSBT(t)
	for _, c := range []struct {
		name, text string
		f          Format
	}{
		{"ur crypto-psbt", vectorPSBTUR, FormatUR},
		{"ur upper", strings.ToUpper(vectorPSBTUR), FormatUR},
		{"ur psbt", strings.Replace(vectorPSBTUR, "crypto-psbt", "psbt", 1), FormatUR},
		{"ur bytes", strings.Replace(vectorPSBTUR, "crypto-psbt", "bytes", 1), FormatUR},
		{"base64", base64.StdEncoding.EncodeToString(psbt), FormatBase64},
		{"base64 unpadded", base64.RawStdEncoding.EncodeToString(psbt), FormatBase64},
		{"base64 wrapped", wrap(base64.StdEncoding.EncodeToString(psbt), 76), FormatBase64},
		{"hex", vectorPSBTHex, FormatHex},
		{"hex upper", strings.ToUpper(vectorPSBTHex), FormatHex},
		{"whitespace", "\r\n  " + vectorPSBTUR + "\n\n", FormatUR},
		{"bbqr", mustSplit(t, psbt, bbqr.Zlib, 4296)[0], FormatBBQr},
	} {
		col := NewCollector()
		p, err := col.Add(c.text)
		if err != nil || !p.Complete || p.Format != c.f || p.Received != 1 || p.Total != 1 {
			t.Errorf("%s: %+v %v", c.name, p, err)
			continue
		}
		got, err := col.PSBT()
		if err != nil || !bytes.Equal(got, psbt) {
			t.Errorf("%s: PSBT %v", c.name, err)
		}
		// The same code again is a harmless duplicate.
		if _, err := col.Add(c.text); err != nil {
			t.Errorf("%s: duplicate: %v", c.name, err)
		}
	}
}

func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	return b.String() + s
}

func mustSplit(t testing.TB, data []byte, enc bbqr.Encoding, chars int) []string {
	p, err := bbqr.Split(data, bbqr.PSBT, enc, chars)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProgressString(t *testing.T) {
	for _, c := range []struct {
		p    Progress
		want string
	}{
		{Progress{}, "waiting for the first code"},
		{Progress{Format: FormatUR, Received: 17, Total: 40}, "received 17/40 parts, 42%"},
		{Progress{Format: FormatBBQr, Received: 3, Total: 3, Complete: true}, "received 3/3 parts, 100% — complete"},
		{Progress{Format: FormatBase64, Received: 1, Total: 1, Complete: true}, "received 1/1 part, 100% — complete"},
	} {
		if got := c.p.String(); got != c.want {
			t.Errorf("%+v = %q, want %q", c.p, got, c.want)
		}
	}
}

func TestMultipartAnyOrder(t *testing.T) {
	psbt := fakePSBT(10_000, 1)
	urFrames, err := Plan(psbt, Options{Redundancy: 1})
	if err != nil {
		t.Fatal(err)
	}
	bbFrames, err := Plan(psbt, Options{Format: FormatBBQr, FragmentLen: DensityLow})
	if err != nil {
		t.Fatal(err)
	}
	for name, frames := range map[string][]string{"UR": urFrames, "BBQr": bbFrames} {
		r := rand.New(rand.NewPCG(3, uint64(len(frames))))
		c := NewCollector()
		last := -1
		for k, i := range r.Perm(len(frames)) {
			if name == "UR" && r.IntN(4) == 0 {
				continue // UR tolerates gaps thanks to the extra frames
			}
			p := mustAdd(t, c, strings.ToLower(frames[i]))
			mustAdd(t, c, frames[i]) // duplicate
			if p.Received < last || p.Total == 0 || p.Fraction() < 0 || p.Fraction() > 1 {
				t.Fatalf("%s: progress %+v after %d", name, p, k)
			}
			last = p.Received
			if p.Complete {
				break
			}
		}
		got, err := c.PSBT()
		if err != nil || !bytes.Equal(got, psbt) {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

func TestPastedBlock(t *testing.T) {
	psbt := fakePSBT(2000, 2)
	frames, err := Plan(psbt, Options{FragmentLen: DensityLow, MaxSingleVersion: -1})
	if err != nil || len(frames) < 3 {
		t.Fatalf("%d frames, %v", len(frames), err)
	}
	c := NewCollector()
	p, err := c.Add(strings.Join(frames, "\n") + "\n")
	if err != nil || !p.Complete {
		t.Fatalf("pasted block: %+v %v", p, err)
	}
}

func TestStartedOver(t *testing.T) {
	a, b := fakePSBT(3000, 1), fakePSBT(3000, 2)
	ua, _ := Plan(a, Options{MaxSingleVersion: -1})
	ub, _ := Plan(b, Options{MaxSingleVersion: -1})
	ba, _ := Plan(a, Options{MaxSingleVersion: -1, Format: FormatBBQr})
	bb, _ := Plan(b, Options{MaxSingleVersion: -1, Format: FormatBBQr})

	c := NewCollector()
	mustAdd(t, c, ua[0])
	mustAdd(t, c, ua[1])
	p, err := c.Add(ub[2])
	if !errors.Is(err, ErrStartedOver) || p.Received != 1 || p.Format != FormatUR {
		t.Fatalf("UR of another PSBT: %+v %v", p, err)
	}
	if !strings.Contains(err.Error(), "different PSBT") {
		t.Errorf("message: %v", err)
	}
	// A BBQr part while a UR series is in progress.
	p, err = c.Add(ba[0])
	if !errors.Is(err, ErrStartedOver) || p.Format != FormatBBQr || p.Received != 1 {
		t.Fatalf("BBQr during UR: %+v %v", p, err)
	}
	// Another BBQr series of the same shape: BBQr carries no message id, so
	// only a second, different copy of an index held reveals it.
	mustAdd(t, c, ba[1])
	p, err = c.Add(bb[0])
	if !errors.Is(err, ErrStartedOver) || p.Received != 1 {
		t.Fatalf("other BBQr: %+v %v", p, err)
	}
	for _, f := range bb {
		mustAdd(t, c, f)
	}
	got, _ := c.PSBT()
	if !bytes.Equal(got, b) {
		t.Fatal("wrong PSBT after restarts")
	}
	// A single base64 code after completion: a new PSBT, complete at once.
	p, err = c.Add(base64.StdEncoding.EncodeToString(a))
	if !errors.Is(err, ErrStartedOver) || !p.Complete || p.Format != FormatBase64 {
		t.Fatalf("base64 after BBQr: %+v %v", p, err)
	}
	// A malformed part of another format does not destroy progress.
	c.Reset()
	mustAdd(t, c, ua[0])
	if _, err := c.Add(ba[0][:len(ba[0])-1] + "1"); err == nil || errors.Is(err, ErrStartedOver) {
		t.Fatalf("bad BBQr part: %v", err)
	}
	if p := c.Progress(); p.Format != FormatUR || p.Received != 1 {
		t.Fatalf("progress lost: %+v", p)
	}
}

func TestNotPSBT(t *testing.T) {
	hdkey := "ur:crypto-hdkey/" + ur.EncodeBytewords([]byte{0xa1, 0x01, 0x02})
	seed := "ur:crypto-seed/" + ur.EncodeBytewords([]byte{0xa1, 0x01, 0x02})
	notPSBTBytes, _ := ur.Encode("bytes", ur.EncodeCBORBytes([]byte("hello world")))
	tx, _ := bbqr.Split([]byte{2, 0, 0, 0, 1, 2, 3}, bbqr.Transaction, bbqr.Hex, 100)
	txt, _ := bbqr.Split([]byte("hello"), bbqr.Unicode, bbqr.Hex, 100)
	notMagic, _ := bbqr.Split([]byte("hello"), bbqr.PSBT, bbqr.Hex, 100)
	for _, c := range []struct{ in, want string }{
		{"bitcoin:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4?amount=0.1", "payment request"},
		{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "Bitcoin address"},
		{"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "Bitcoin address"},
		{"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "Bitcoin address"},
		{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "Bitcoin address"},
		{"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "Bitcoin address"},
		{"xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8", "extended public key (xpub)"},
		{"xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi", "PRIVATE key"},
		{"5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", "private key (WIF)"},
		{"wpkh([d34db33f/84h/0h/0h]xpub6/<0;1>/*)#abcd", "output descriptor"},
		{"[d34db33f/84h/0h/0h]xpub6", "output descriptor"},
		{"0200000001abcdef", "raw transaction"},
		{"AgAAAAABAbbbbbb", "raw transaction in base64"},
		{strings.Repeat("0123", 12), "SeedQR"},
		{strings.TrimSpace(strings.Repeat("abandon ", 11)) + " about", "seed words"},
		{"hello there general kenobi", "text (4 words)"},
		{"https://example.com/x", "web address"},
		{`{"a":1}`, "JSON"},
		{"lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq", "Lightning"},
		{"cHNidP8BAHECAAAAA", "damaged"},
		{"70736274ff0100zz", "damaged"},
		{"hello", "unrecognised content (5 characters)"},
		{hdkey, "extended key (UR crypto-hdkey)"},
		{seed, "seed material"},
		{"ur:crypto-output/abc", "output descriptor"},
		{"ur:foo-bar/abc", "UR of type foo-bar"},
		{"ur:", "malformed UR"},
		{notPSBTBytes, "UR (bytes) holding 12 bytes of other data"},
		{tx[0], "signed transaction (BBQr type T)"},
		{txt[0], "text (BBQr type U)"},
		{notMagic[0], "without the psbt"},
	} {
		col := NewCollector()
		_, err := col.Add(c.in)
		if !errors.Is(err, ErrNotPSBT) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Add(%.30q) = %v, want ErrNotPSBT with %q", c.in, err, c.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "this QR code is not a PSBT: it looks like ") {
			t.Errorf("message %q", err)
		}
		// Never echo the content (it may be a key or seed words).
		if len(c.in) > 12 && strings.Contains(err.Error(), c.in[len(c.in)-8:]) {
			t.Errorf("error echoes the content: %v", err)
		}
		if col.Complete() || col.Progress().Total != 0 {
			t.Errorf("%.20q changed the state", c.in)
		}
	}
}

func TestBadParts(t *testing.T) {
	psbt := fakePSBT(3000, 4)
	frames, _ := Plan(psbt, Options{MaxSingleVersion: -1})
	c := NewCollector()
	mustAdd(t, c, frames[0])
	for _, bad := range []string{
		frames[1][:len(frames[1])-4],                // truncated
		strings.Replace(frames[1], "/LP", "/LA", 1), // corrupted
		"UR:CRYPTO-PSBT/0-9/LPAD",                   // bad sequence
		"B$HP0100ABC",                               // bad BBQr
		"",                                          // empty
		"   \n",                                     // blank
	} {
		if _, err := c.Add(bad); err == nil || errors.Is(err, ErrStartedOver) {
			t.Errorf("Add(%.40q) = %v", bad, err)
		}
		if p := c.Progress(); p.Received != 1 || p.Format != FormatUR {
			t.Fatalf("state changed by %.40q: %+v", bad, p)
		}
	}
	if _, err := c.PSBT(); err == nil || !strings.Contains(err.Error(), "received 1/") {
		t.Errorf("incomplete PSBT(): %v", err)
	}
}

func TestPlanRoundTrips(t *testing.T) {
	for _, size := range []int{300, 10_000, 100_000} {
		psbt := fakePSBT(size, uint64(size))
		for _, o := range []Options{
			{},
			{URType: ur.TypePSBT, FragmentLen: DensityHigh},
			{FragmentLen: DensityLow, Redundancy: 0.5, Level: bbqr.LevelM},
			{Format: FormatBBQr},
			{Format: FormatBBQr, FragmentLen: DensityHigh, Level: bbqr.LevelQ},
			{Base64Single: true, MaxSingleVersion: 20},
			{Format: FormatBBQr, MaxSingleVersion: 25},
			{MaxSingleVersion: -1},
		} {
			frames, err := Plan(psbt, o)
			if err != nil {
				t.Fatalf("%d bytes %+v: %v", size, o, err)
			}
			v, err := QRVersion(frames, orL(o.Level))
			if err != nil || v > 40 {
				t.Fatalf("%d bytes %+v: version %d %v", size, o, v, err)
			}
			for i, f := range frames {
				if !isAlphanumeric(f) && !(len(frames) == 1 && o.Base64Single) {
					t.Fatalf("%d bytes %+v: frame %d not alphanumeric", size, o, i)
				}
			}
			// Decode again in a shuffled order with duplicates.
			c := NewCollector()
			r := rand.New(rand.NewPCG(uint64(size), 1))
			for _, i := range r.Perm(len(frames)) {
				mustAdd(t, c, frames[i])
				mustAdd(t, c, frames[r.IntN(len(frames))])
			}
			got, err := c.PSBT()
			if err != nil || !bytes.Equal(got, psbt) {
				t.Fatalf("%d bytes %+v: %v", size, o, err)
			}
			t.Logf("%6d bytes %-40s %4d codes, version %2d, %s", size, describe(o), len(frames), v, c.Progress().Format)
		}
	}
}

func orL(l bbqr.ECLevel) bbqr.ECLevel {
	if l == 0 {
		return bbqr.LevelL
	}
	return l
}

func describe(o Options) string {
	var s []string
	if o.Format == FormatBBQr {
		s = append(s, "bbqr")
	}
	if o.URType != "" {
		s = append(s, o.URType)
	}
	if o.FragmentLen != 0 {
		s = append(s, "frag")
	}
	if o.Redundancy != 0 {
		s = append(s, "redundant")
	}
	if o.Base64Single {
		s = append(s, "base64")
	}
	if o.MaxSingleVersion != 0 {
		s = append(s, fmt.Sprintf("single≤%d", o.MaxSingleVersion))
	}
	if o.Level != 0 {
		s = append(s, string(rune(o.Level)))
	}
	return strings.Join(s, ",")
}

func TestPlanShapes(t *testing.T) {
	small := vectorPSBT(t)
	frames, _ := Plan(small, Options{})
	if len(frames) != 1 || strings.ToLower(frames[0]) != vectorPSBTUR {
		t.Errorf("small PSBT default: %q", frames)
	}
	frames, _ = Plan(small, Options{Base64Single: true})
	if len(frames) != 1 || frames[0] != base64.StdEncoding.EncodeToString(small) {
		t.Errorf("base64 single: %q", frames)
	}
	// 300 bytes: a series at the default density, one code when allowed up to version 20.
	mid := fakePSBT(300, 7)
	if frames, _ = Plan(mid, Options{}); len(frames) != 2 {
		t.Errorf("300 bytes, default: %d codes", len(frames))
	}
	if frames, _ = Plan(mid, Options{MaxSingleVersion: 20}); len(frames) != 1 || !strings.HasPrefix(frames[0], "UR:CRYPTO-PSBT/HKAD") {
		t.Errorf("300 bytes, single up to v20: %q", frames)
	}
	if frames, _ = Plan(mid, Options{FragmentLen: DensityHigh}); len(frames) != 1 {
		t.Errorf("300 bytes, high density: %d codes", len(frames))
	}
	frames, _ = Plan(small, Options{Format: FormatBBQr})
	if len(frames) != 1 || !strings.HasPrefix(frames[0], "B$ZP0100") {
		t.Errorf("BBQr single: %q", frames)
	}
	frames, _ = Plan(small, Options{MaxSingleVersion: -1, FragmentLen: 80})
	if len(frames) != 3 || !strings.HasPrefix(frames[0], "UR:CRYPTO-PSBT/1-3/") {
		t.Errorf("split small: %q", frames)
	}
	// 10 kB at the default density: 51 plain parts, +50 % redundancy → 77.
	psbt := fakePSBT(10_000, 9)
	frames, _ = Plan(psbt, Options{Redundancy: 0.5})
	if len(frames) != 77 || !strings.HasPrefix(frames[76], "UR:CRYPTO-PSBT/77-51/") {
		t.Errorf("redundant: %d frames, last %.25s", len(frames), frames[len(frames)-1])
	}
	// Every BBQr code of a series is drawn at the same version as a UR code.
	uf, _ := Plan(psbt, Options{MaxSingleVersion: -1})
	bf, _ := Plan(psbt, Options{Format: FormatBBQr})
	uv, _ := QRVersion(uf, bbqr.LevelL)
	bv, _ := QRVersion(bf, bbqr.LevelL)
	if bv != uv || len(bf) >= len(uf) {
		t.Errorf("BBQr: %d codes at v%d, UR: %d codes at v%d", len(bf), bv, len(uf), uv)
	}
}

func TestPlanErrors(t *testing.T) {
	psbt := vectorPSBT(t)
	for _, o := range []Options{
		{Format: FormatBase64},
		{URType: "bytes"},
		{FragmentLen: 5},
		{FragmentLen: 5000},
		{Level: 'X'},
		{MaxSingleVersion: 41},
		{MaxSingleVersion: -2},
		{Redundancy: -1},
		{Redundancy: 11},
	} {
		if _, err := Plan(psbt, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	if _, err := Plan([]byte("not a psbt"), Options{}); err == nil {
		t.Error("non-PSBT accepted")
	}
	if err := readBack([]string{"UR:CRYPTO-PSBT/1-2/AE"}, psbt); err == nil {
		t.Error("read-back of a bad frame passed")
	}
	frames, _ := Plan(fakePSBT(1000, 1), Options{MaxSingleVersion: -1})
	if err := readBack(frames[:len(frames)-1], fakePSBT(1000, 1)); err == nil {
		t.Error("read-back of an incomplete series passed")
	}
	if err := readBack(frames, fakePSBT(1000, 2)); err == nil {
		t.Error("read-back against another PSBT passed")
	}
}

func TestQRVersion(t *testing.T) {
	for _, c := range []struct {
		frames []string
		level  bbqr.ECLevel
		want   int
	}{
		{[]string{strings.Repeat("A", 25)}, bbqr.LevelL, 1},
		{[]string{strings.Repeat("A", 26)}, bbqr.LevelL, 2},
		{[]string{strings.Repeat("a", 17)}, bbqr.LevelL, 1}, // byte mode
		{[]string{strings.Repeat("a", 18)}, bbqr.LevelL, 2},
		{[]string{"A", strings.Repeat("A", 4296)}, bbqr.LevelL, 40},
		{[]string{strings.Repeat("A", 1852)}, bbqr.LevelH, 40},
	} {
		if v, err := QRVersion(c.frames, c.level); err != nil || v != c.want {
			t.Errorf("QRVersion(%d chars, %c) = %d %v, want %d", len(c.frames[len(c.frames)-1]), c.level, v, err, c.want)
		}
	}
	if _, err := QRVersion([]string{strings.Repeat("A", 4297)}, bbqr.LevelL); err == nil {
		t.Error("4297 chars fit")
	}
	if _, err := QRVersion(nil, bbqr.LevelL); err == nil {
		t.Error("no frames accepted")
	}
}

func FuzzCollector(f *testing.F) {
	psbt, _ := hex.DecodeString(vectorPSBTHex)
	f.Add(vectorPSBTUR)
	f.Add(vectorPSBTHex)
	f.Add(base64.StdEncoding.EncodeToString(psbt))
	frames, _ := Plan(fakePSBT(600, 1), Options{MaxSingleVersion: -1, FragmentLen: 80, Redundancy: 1})
	f.Add(strings.Join(frames, "\n"))
	frames, _ = Plan(fakePSBT(600, 1), Options{Format: FormatBBQr, MaxSingleVersion: -1, FragmentLen: 80})
	f.Add(strings.Join(frames, "\n"))
	f.Add("bitcoin:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\nxpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8")
	f.Add("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	f.Add("p2of2 AAAA\np1of2 cHNidP8B")
	f.Add("ur:bytes/1of2/hlwjxjx550k4nnfdl5py2tn3vnh6g60slnw5dmld6ktrkkz200as49spg5/tyq3wurnvf607q")
	f.Fuzz(func(t *testing.T, in string) {
		c := NewCollector()
		for _, line := range strings.Split(in, "\n") {
			p, err := c.Add(line)
			if p.Received < 0 || p.Received > p.Total || p.Fraction() < 0 || p.Fraction() > 1 {
				t.Fatalf("progress %+v", p)
			}
			if err != nil && errors.Is(err, ErrStartedOver) && p.Total == 0 {
				t.Fatalf("started over with nothing: %v", err)
			}
		}
		if c.Complete() {
			got, err := c.PSBT()
			if err != nil || !bytes.HasPrefix(got, psbtMagic) {
				t.Fatalf("complete without a PSBT: %v", err)
			}
		}
	})
}

func BenchmarkPlanUR100k(b *testing.B) {
	psbt := fakePSBT(100_000, 1)
	b.SetBytes(int64(len(psbt)))
	for i := 0; i < b.N; i++ {
		if _, err := Plan(psbt, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCollectUR100k(b *testing.B) {
	psbt := fakePSBT(100_000, 1)
	frames, _ := Plan(psbt, Options{})
	b.SetBytes(int64(len(psbt)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := NewCollector()
		for _, f := range frames {
			if _, err := c.Add(f); err != nil {
				b.Fatal(err)
			}
		}
		if !c.Complete() {
			b.Fatal("incomplete")
		}
	}
}
