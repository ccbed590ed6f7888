package transport_test

// Interop is the proof: these tests show that what airsign writes is read by
// other people's implementations, and that what they write is read by
// airsign.
//
//   - UR: @ngraveio/bc-ur (the reference JavaScript UR library, npm)
//   - BBQr: bbqr (Coinkite's JavaScript library, npm)
//   - QR images: zbarimg (zbar-tools, Debian)
//
// The npm packages are pinned in scripts/interop/package.json and installed
// by `make interop` into .cache/interop (AIRSIGN_INTEROP_NODE_DIR overrides
// that). Without them, or without node or zbarimg, the tests skip and say
// why; with AIRSIGN_INTEROP=1 (as `make interop` runs them) a missing tool is
// an error instead.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/bbqr"
	"github.com/airsign/airsign/transport/interoptest"
	"github.com/airsign/airsign/transport/parts"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/ur"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// interopPackages are the npm packages these tests call through ref.mjs.
var interopPackages = []string{"@ngraveio/bc-ur", "bbqr", "@bitcoinerlab/descriptors", "@keystonehq/bc-ur-registry"}

func newNodeRef(t *testing.T) *interoptest.Node { return interoptest.NewNode(t, interopPackages...) }

func tryNodeRef(t *testing.T) (*interoptest.Node, string) {
	return interoptest.FindNode(t, interopPackages...)
}

// interopPSBT builds a real PSBT (BIP174, segwit v0 inputs carrying their
// whole previous transactions and BIP32 origins) with n inputs: the size and
// structure of what airsign-online prepares, so that BBQr's compression
// sees realistic bytes.
func interopPSBT(t *testing.T, n int) []byte {
	t.Helper()
	const h = 0x80000000
	var ins []psbt.InputSpec
	var firstScript []byte
	var total int64
	for i := range n {
		seed := sha256.Sum256([]byte("airsign interop key " + strconv.Itoa(i)))
		priv, _ := btcec.PrivKeyFromBytes(seed[:])
		pub := priv.PubKey().SerializeCompressed()
		script := append([]byte{0x00, 0x14}, btcutil.Hash160(pub)...)
		if i == 0 {
			firstScript = script
		}
		prev := wire.NewMsgTx(2)
		var src chainhash.Hash
		binary.BigEndian.PutUint32(src[:], uint32(i))
		prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&src, 1), nil, [][]byte{bytes.Repeat([]byte{0x30}, 71), pub}))
		prev.AddTxOut(wire.NewTxOut(int64(1_000_000+i), script))
		prev.AddTxOut(wire.NewTxOut(50_000, script))
		total += int64(1_000_000 + i)
		ins = append(ins, psbt.InputSpec{
			PrevTx: prev, Vout: 0, Sequence: wire.MaxTxInSequenceNum - 2,
			Keys: []psbt.KeyOrigin{{PubKey: pub, Fingerprint: 0x0adac573, Path: []uint32{84 + h, 1 + h, h, 0, uint32(i)}}},
		})
	}
	outs := []psbt.OutputSpec{
		{PkScript: firstScript, Amount: total / 2},
		{PkScript: firstScript, Amount: total/2 - 1000},
	}
	p, err := psbt.Build(2, 0, ins, outs)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// seqLen reads N from a multipart UR "ur:type/K-N/…".
func seqLen(t *testing.T, part string) int {
	t.Helper()
	m := regexp.MustCompile(`(?i)^ur:[a-z0-9-]+/[0-9]+-([0-9]+)/`).FindStringSubmatch(part)
	if m == nil {
		t.Fatalf("not a multipart UR: %.40s", part)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func shuffled(r *rand.Rand, s []string) []string {
	out := append([]string(nil), s...)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

type urAnswer struct {
	Type       string `json:"type"`
	CBORHex    string `json:"cborHex"`
	PayloadHex string `json:"payloadHex"`
	Used       int    `json:"used"`
}

type urParts struct {
	Parts  []string `json:"parts"`
	SeqLen int      `json:"seqLen"`
}

var urCases = []struct {
	inputs, fragmentLen int
}{
	{1, parts.DensityLow},
	{6, parts.DensityMedium},
	{30, parts.DensityHigh},
}

// TestInteropBCURReadsOurUR: bc-ur's URDecoder decodes the frames parts.Plan
// lays out (what `qr encode --qr-split` and `sign --qr` show) — shuffled,
// with frames lost, for crypto-psbt and psbt — to the same PSBT bytes; it
// decodes a stream of only our fountain-mixed parts; and bc-ur's own encoder
// produces, part for part, the very strings our encoder does.
func TestInteropBCURReadsOurUR(t *testing.T) {
	ref := newNodeRef(t)
	r := rand.New(rand.NewPCG(1, 2))
	for _, urType := range []string{ur.TypeCryptoPSBT, ur.TypePSBT} {
		for _, c := range urCases {
			t.Run(fmt.Sprintf("%s/%d-inputs/fragment-%d", urType, c.inputs, c.fragmentLen), func(t *testing.T) {
				data := interopPSBT(t, c.inputs)
				frames, err := parts.Plan(data, parts.Options{URType: urType, FragmentLen: c.fragmentLen, MaxSingleVersion: -1, Redundancy: 0.5})
				if err != nil {
					t.Fatal(err)
				}
				n := seqLen(t, frames[0])
				if n < 2 || len(frames) <= n {
					t.Fatalf("Plan gave %d frames for %d fragments; want a series with fountain frames", len(frames), n)
				}
				enc, err := ur.EncodePSBT(data, urType, c.fragmentLen)
				if err != nil {
					t.Fatal(err)
				}
				for i, f := range frames {
					if want := enc.Part(uint32(i + 1)); f != want {
						t.Fatalf("Plan frame %d is not the encoder's part %d", i+1, i+1)
					}
				}
				// Shuffled, two frames lost; the animation then keeps
				// looping with further fountain frames until the
				// reader is done.
				seen := shuffled(r, frames)[2:]
				for k := len(frames) + 1; k <= len(frames)+4*n; k++ {
					seen = append(seen, enc.Part(uint32(k)))
				}
				var ans urAnswer
				ref.MustCall(t, "ur-decode", map[string]any{"parts": seen}, &ans)
				if ans.Type != urType || ans.PayloadHex != hex.EncodeToString(data) {
					t.Fatalf("bc-ur decoded type %q, %d bytes; want %q, the %d-byte PSBT", ans.Type, len(ans.PayloadHex)/2, urType, len(data))
				}
				t.Logf("bc-ur needed %d of %d parts (%d fragments)", ans.Used, len(seen), n)

				// Only mixed parts: every one must be built exactly
				// as bc-ur builds them, or the decode fails.
				var mixed []string
				for k := n + 1; k <= 5*n+10; k++ {
					mixed = append(mixed, enc.Part(uint32(k)))
				}
				ans = urAnswer{}
				ref.MustCall(t, "ur-decode", map[string]any{"parts": mixed}, &ans)
				if ans.PayloadHex != hex.EncodeToString(data) {
					t.Fatal("bc-ur decoded our fountain-only parts to different bytes")
				}

				// The reference encoder, same message and fragment
				// length: the same parts, letter for letter.
				var theirs urParts
				ref.MustCall(t, "ur-encode", map[string]any{"type": urType, "hex": hex.EncodeToString(data), "maxFragmentLength": c.fragmentLen, "count": 2*n + 3}, &theirs)
				if theirs.SeqLen != n {
					t.Fatalf("bc-ur splits into %d fragments, we into %d", theirs.SeqLen, n)
				}
				for i, p := range theirs.Parts {
					if ours := enc.Part(uint32(i + 1)); !strings.EqualFold(ours, p) {
						t.Fatalf("part %d differs:\n ours   %.80s…\n bc-ur  %.80s…", i+1, ours, p)
					}
				}
			})
		}
	}
}

// TestInteropWeReadBCUR: our Collector (every reader's) and ReadPSBT (a
// scanner typing parts into a file or stdin) decode bc-ur's UREncoder parts:
// shuffled with losses, and a stream of only fountain parts past seqLen.
func TestInteropWeReadBCUR(t *testing.T) {
	ref := newNodeRef(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, urType := range []string{ur.TypeCryptoPSBT, ur.TypePSBT} {
		for _, c := range urCases {
			t.Run(fmt.Sprintf("%s/%d-inputs/fragment-%d", urType, c.inputs, c.fragmentLen), func(t *testing.T) {
				data := interopPSBT(t, c.inputs)
				ours, err := ur.EncodePSBT(data, urType, c.fragmentLen)
				if err != nil {
					t.Fatal(err)
				}
				n := ours.SeqLen()
				var theirs urParts
				ref.MustCall(t, "ur-encode", map[string]any{"type": urType, "hex": hex.EncodeToString(data), "maxFragmentLength": c.fragmentLen, "count": 6*n + 20}, &theirs)
				if theirs.SeqLen != n || n < 2 {
					t.Fatalf("bc-ur made %d fragments, we %d; want the same, at least 2", theirs.SeqLen, n)
				}
				all := theirs.Parts

				// Plain parts shuffled, two lost, fountain parts after.
				seen := append(shuffled(r, all[:n])[2:], all[n:]...)
				got := collect(t, seen)
				if !bytes.Equal(got, data) {
					t.Fatal("Collector: bc-ur's parts (shuffled, two lost) decoded to different bytes")
				}

				// Fountain parts only (sequence numbers past seqLen).
				got = collect(t, all[n:])
				if !bytes.Equal(got, data) {
					t.Fatal("Collector: bc-ur's fountain-only parts decoded to different bytes")
				}

				// As a scanner types them, one per line, into a file.
				file := filepath.Join(t.TempDir(), "scanned.txt")
				if err := os.WriteFile(file, []byte(strings.Join(shuffled(r, all), "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				got, err = transport.ReadPSBT(context.Background(), []string{file}, transport.ReadOptions{})
				if err != nil {
					t.Fatalf("ReadPSBT: %v", err)
				}
				if !bytes.Equal(got, data) {
					t.Fatal("ReadPSBT: bc-ur's parts decoded to different bytes")
				}
			})
		}
	}
}

// collect feeds parts to a Collector until it is complete.
func collect(t *testing.T, texts []string) []byte {
	t.Helper()
	c := parts.NewCollector()
	for i, s := range texts {
		if _, err := c.Add(s); err != nil {
			t.Fatalf("part %d of %d: %v", i+1, len(texts), err)
		}
		if c.Complete() {
			p, err := c.PSBT()
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	t.Fatalf("not complete after %d parts: %s", len(texts), c.Progress())
	return nil
}

type bbqrJoined struct {
	FileType string `json:"fileType"`
	Encoding string `json:"encoding"`
	Hex      string `json:"hex"`
}

type bbqrSplit struct {
	Version  int      `json:"version"`
	Encoding string   `json:"encoding"`
	Parts    []string `json:"parts"`
}

// TestInteropBBQr: Coinkite's bbqr library joins the BBQr series we write
// (Z, 2 and H encodings; Plan's layout and SplitQR's), and our Join and
// Collector join the series it writes, in any order.
func TestInteropBBQr(t *testing.T) {
	ref := newNodeRef(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, inputs := range []int{2, 10, 40} {
		data := interopPSBT(t, inputs)
		for _, enc := range []bbqr.Encoding{bbqr.Zlib, bbqr.Base32, bbqr.Hex} {
			name := fmt.Sprintf("%d-inputs/%c", inputs, enc)
			t.Run("theirs-joins-ours/"+name, func(t *testing.T) {
				_, ours, err := bbqr.SplitQR(data, bbqr.PSBT, bbqr.SplitOptions{Encoding: enc, MaxVersion: 12, MaxParts: 1295})
				if err != nil {
					t.Fatal(err)
				}
				if len(ours) < 2 {
					t.Fatalf("SplitQR made %d part(s); want a series", len(ours))
				}
				var got bbqrJoined
				ref.MustCall(t, "bbqr-join", map[string]any{"parts": shuffled(r, ours)}, &got)
				if got.FileType != "P" || got.Hex != hex.EncodeToString(data) {
					t.Fatalf("bbqr joined file type %q, %d bytes; want P, the %d-byte PSBT", got.FileType, len(got.Hex)/2, len(data))
				}
				if want := string(ours[0][2]); got.Encoding != want {
					t.Fatalf("bbqr says encoding %q, our header says %q", got.Encoding, want)
				}
				if enc == bbqr.Zlib && got.Encoding != "Z" {
					t.Fatalf("a real PSBT should compress: we sent encoding %q", got.Encoding)
				}
			})
			t.Run("ours-joins-theirs/"+name, func(t *testing.T) {
				var theirs bbqrSplit
				ref.MustCall(t, "bbqr-split", map[string]any{"hex": hex.EncodeToString(data), "fileType": "P", "encoding": string(enc), "minSplit": 3}, &theirs)
				if len(theirs.Parts) < 3 || theirs.Encoding != string(enc) {
					t.Fatalf("bbqr made %d parts in encoding %q; want at least 3 in %c", len(theirs.Parts), theirs.Encoding, enc)
				}
				ft, got, err := bbqr.Join(shuffled(r, theirs.Parts))
				if err != nil {
					t.Fatalf("Join: %v", err)
				}
				if ft != bbqr.PSBT || !bytes.Equal(got, data) {
					t.Fatalf("Join: file type %c, %d bytes; want P, the %d-byte PSBT", ft, len(got), len(data))
				}
				if got := collect(t, shuffled(r, theirs.Parts)); !bytes.Equal(got, data) {
					t.Fatal("Collector: bbqr's parts decoded to different bytes")
				}
			})
		}
	}
	// The series the CLI writes (qr encode --qr-format bbqr).
	t.Run("theirs-joins-plan", func(t *testing.T) {
		data := interopPSBT(t, 12)
		for _, density := range []int{parts.DensityLow, parts.DensityMedium, parts.DensityHigh} {
			frames, err := parts.Plan(data, parts.Options{Format: parts.FormatBBQr, FragmentLen: density, MaxSingleVersion: -1})
			if err != nil {
				t.Fatal(err)
			}
			var got bbqrJoined
			ref.MustCall(t, "bbqr-join", map[string]any{"parts": shuffled(r, frames)}, &got)
			if got.Hex != hex.EncodeToString(data) {
				t.Fatalf("density %d: bbqr joined %d bytes; want the %d-byte PSBT", density, len(got.Hex)/2, len(data))
			}
		}
	})
}

// zbarimg reads every QR code in one image file with zbar, in its raw form.
func zbarimg(t *testing.T, path string) []string {
	t.Helper()
	c := exec.Command("zbarimg", "--raw", "-q", path)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("zbarimg %s: %v (zbarimg exits 4 when it finds no code)", filepath.Base(path), err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

var htmlPNG = regexp.MustCompile(`data:image/png;base64,([A-Za-z0-9+/=]+)`)

// TestInteropZbarReadsOurImages: zbar, a QR decoder we did not write,
// reads our PNG frames, every frame of our animated GIF and every code of
// our printable page, giving the very texts our own reader gets, and those
// texts join to the PSBT (with our Collector, and with bc-ur or bbqr for
// series).
func TestInteropZbarReadsOurImages(t *testing.T) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		interoptest.Unavailable(t, "zbarimg (Debian zbar-tools) is not installed")
	}
	out, _ := exec.Command("zbarimg", "--version").Output()
	t.Logf("zbarimg %s", strings.TrimSpace(string(out)))
	ref, noRef := tryNodeRef(t)
	for _, c := range []struct {
		name   string
		inputs int
		opts   transport.QROptions
		single bool
		reffmt string // "ur", "bbqr" or "" (single code)
	}{
		{name: "ur-series", inputs: 3, opts: transport.QROptions{Split: true, Density: "low"}, reffmt: "ur"},
		{name: "ur-psbt-series-medium", inputs: 8, opts: transport.QROptions{Split: true, URType: "psbt"}, reffmt: "ur"},
		{name: "bbqr-series", inputs: 8, opts: transport.QROptions{Split: true, Format: "bbqr", Density: "low"}, reffmt: "bbqr"},
		{name: "single-base64", inputs: 1, opts: transport.QROptions{Format: "base64", Density: "high"}, single: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.reffmt != "" && ref == nil {
				interoptest.Unavailable(t, "%s", noRef)
			}
			data := interopPSBT(t, c.inputs)
			dir := t.TempDir()
			o := c.opts
			o.Dir = filepath.Join(dir, "frames")
			o.GIF = filepath.Join(dir, "anim.gif")
			o.HTML = filepath.Join(dir, "page.html")
			if _, err := transport.WriteQR(context.Background(), data, o, nil); err != nil {
				t.Fatal(err)
			}

			// PNG frames, in order: zbar's text is our reader's text.
			pngs, err := filepath.Glob(filepath.Join(o.Dir, "*.png"))
			if err != nil || len(pngs) == 0 {
				t.Fatalf("no PNG frames written (%v)", err)
			}
			sort.Strings(pngs)
			if c.single != (len(pngs) == 1) {
				t.Fatalf("%d frames written; single code expected: %v", len(pngs), c.single)
			}
			var frameTexts []string
			for _, p := range pngs {
				z := zbarimg(t, p)
				mine, err := qrcode.DecodeFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if len(z) != 1 || len(mine) != 1 || z[0] != mine[0] {
					t.Fatalf("%s: zbar read %q, our reader %q", filepath.Base(p), z, mine)
				}
				frameTexts = append(frameTexts, z[0])
			}
			if c.single {
				b, err := base64.StdEncoding.DecodeString(frameTexts[0])
				if err != nil || !bytes.Equal(b, data) {
					t.Fatalf("the single code zbar read is not the base64 PSBT (%v)", err)
				}
			}
			checkJoined(t, ref, c.reffmt, frameTexts, data)

			// The GIF: zbar reads every frame, the same texts.
			gif := zbarimg(t, o.GIF)
			if strings.Join(gif, "\n") != strings.Join(frameTexts, "\n") {
				t.Fatalf("zbar read %d codes from the GIF, not the %d frame texts in order", len(gif), len(frameTexts))
			}

			// The printed page: every embedded PNG code.
			page, err := os.ReadFile(o.HTML)
			if err != nil {
				t.Fatal(err)
			}
			var pageTexts []string
			for i, m := range htmlPNG.FindAllSubmatch(page, -1) {
				img, err := base64.StdEncoding.DecodeString(string(m[1]))
				if err != nil {
					t.Fatal(err)
				}
				f := filepath.Join(dir, fmt.Sprintf("page-%03d.png", i+1))
				if err := os.WriteFile(f, img, 0o644); err != nil {
					t.Fatal(err)
				}
				z := zbarimg(t, f)
				if len(z) != 1 {
					t.Fatalf("page code %d: zbar read %d codes", i+1, len(z))
				}
				pageTexts = append(pageTexts, z[0])
			}
			if len(pageTexts) == 0 {
				t.Fatal("no code found on the printed page")
			}
			checkJoined(t, ref, c.reffmt, pageTexts, data)
		})
	}
}

// checkJoined joins texts read by zbar with our Collector and, for a
// series, with the reference library of its format.
func checkJoined(t *testing.T, ref *interoptest.Node, format string, texts []string, data []byte) {
	t.Helper()
	if got := collect(t, texts); !bytes.Equal(got, data) {
		t.Fatal("Collector: the texts zbar read join to different bytes")
	}
	switch format {
	case "ur":
		var ans urAnswer
		ref.MustCall(t, "ur-decode", map[string]any{"parts": texts}, &ans)
		if ans.PayloadHex != hex.EncodeToString(data) {
			t.Fatal("bc-ur: the texts zbar read decode to different bytes")
		}
	case "bbqr":
		var got bbqrJoined
		ref.MustCall(t, "bbqr-join", map[string]any{"parts": texts}, &got)
		if got.Hex != hex.EncodeToString(data) {
			t.Fatal("bbqr: the texts zbar read join to different bytes")
		}
	}
}
