package transport_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// psbtOfSize builds a real PSBT of about size bytes: one input whose full
// previous transaction has as many outputs as it takes.
func psbtOfSize(t testing.TB, size int) []byte {
	t.Helper()
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{9}, 0), nil, nil))
	script := append([]byte{0x00, 0x14}, bytes.Repeat([]byte{0xab}, 20)...)
	for n := 0; n*31 < size-200 || n == 0; n++ {
		prev.AddTxOut(wire.NewTxOut(int64(1000+n), script))
	}
	p, err := psbt.Build(2, 0, []psbt.InputSpec{{PrevTx: prev, Vout: 0, Sequence: 0xfffffffd}},
		[]psbt.OutputSpec{{PkScript: script, Amount: 500}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var dataURI = regexp.MustCompile(`data:image/png;base64,([A-Za-z0-9+/=]+)`)

// TestQRRoundTrip is the done-criterion: PSBT → frames (PNG, GIF,
// printed HTML page) → decode → identical bytes, for 300 B, 10 kB and 100 kB
// PSBTs in UR and BBQr. Every writer also reads its own codes back first.
func TestQRRoundTrip(t *testing.T) {
	sizes := []int{300, 10_000, 100_000}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, size := range sizes {
		data := psbtOfSize(t, size)
		for _, format := range []string{"ur", "bbqr"} {
			t.Run(format+"/"+itoa(len(data)), func(t *testing.T) {
				dir := t.TempDir()
				o := transport.QROptions{Dir: filepath.Join(dir, "frames"), GIF: filepath.Join(dir, "a.gif"), HTML: filepath.Join(dir, "page.html"), Format: format, Split: true}
				if size > 50_000 {
					o.Density, o.GIF = "high", "" // 250 frames: PNGs and the page are enough
				}
				if _, err := transport.WriteQR(context.Background(), data, o, nil); err != nil {
					t.Fatal(err)
				}
				sources := [][]string{{o.Dir}}
				if o.GIF != "" {
					sources = append(sources, []string{o.GIF})
				}
				for _, src := range sources {
					got, err := transport.ReadPSBT(context.Background(), src, transport.ReadOptions{})
					if err != nil {
						t.Fatalf("reading %s: %v", src, err)
					}
					if !bytes.Equal(got, data) {
						t.Fatalf("%s: decoded %d bytes differ from the %d-byte PSBT", src, len(got), len(data))
					}
				}
				// The printed page: scan every code on it, in reverse order.
				page, err := os.ReadFile(o.HTML)
				if err != nil {
					t.Fatal(err)
				}
				m := dataURI.FindAllSubmatch(page, -1)
				if len(m) == 0 {
					t.Fatal("no codes on the printed page")
				}
				pageDir := filepath.Join(dir, "scanned")
				os.MkdirAll(pageDir, 0o755)
				for i := len(m) - 1; i >= 0; i-- {
					png, err := base64.StdEncoding.DecodeString(string(m[i][1]))
					if err != nil {
						t.Fatal(err)
					}
					if _, err := qrcode.DecodeBytes("page", png); err != nil {
						t.Fatalf("code %d on the page: %v", i+1, err)
					}
					os.WriteFile(filepath.Join(pageDir, "scan-"+itoa(len(m)-i)+".png"), png, 0o644)
				}
				got, err := transport.ReadPSBT(context.Background(), []string{pageDir}, transport.ReadOptions{})
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("the printed page does not decode to the PSBT: %v", err)
				}
			})
		}
	}
}

func itoa(n int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}
