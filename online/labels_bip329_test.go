package online

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/online/bip329"
	"github.com/airsign/airsign/psbt/walletfile"
)

// TestLabelsSparrowRoundTrip takes a label export Sparrow wrote
// (bip329/testdata/sparrow-written.jsonl: 72 records of the BIP39 test
// seed's mainnet wallets) through `labels import` and `labels export`.
//
// As written, its 21 tx records name their wallet, pkh([73c5da0a/44h/0h/0h]),
// a P2PKH wallet airsign cannot hold: they are passed over as another
// wallet's, as BIP329 and Sparrow's own importer do; the other 51 carry no
// origin and come back out unchanged. With the tx records' origin made the
// airsign wallet's, all 72 come back: same type, ref and label, nothing
// added; the export names the wallet's origin on every record.
func TestLabelsSparrowRoundTrip(t *testing.T) {
	file := "bip329/testdata/sparrow-written.jsonl"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	wf, err := os.ReadFile("../psbt/walletfile/testdata/sparrow/cobo-singlesig-keystore-1.json")
	if err != nil {
		t.Fatal(err)
	}
	// The same seed's mainnet wpkh account, 73c5da0a/84h/0h/0h.
	wallet, err := walletfile.Read(wf, "")
	if err != nil {
		t.Fatal(err)
	}
	const sparrowOrigin = "pkh([73c5da0a/44h/0h/0h])"
	for _, tt := range []struct {
		name         string
		retarget     bool
		back, passed int
	}{
		{name: "as written", back: 51, passed: 21},
		{name: "tx origin made the wallet's", retarget: true, back: 72},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			w, err := ImportWallet(e.Env, ImportOptions{Name: "w", Source: wallet.Descriptor, Network: "mainnet"})
			if err != nil {
				t.Fatal(err)
			}
			origin := walletOrigin(w)
			in := data
			if tt.retarget {
				in = bytes.ReplaceAll(data, []byte(`"origin":"`+sparrowOrigin+`"`), []byte(`"origin":"`+origin+`"`))
			}
			if err := os.WriteFile(e.path("in.jsonl"), in, 0o600); err != nil {
				t.Fatal(err)
			}
			sum, err := ImportLabels(e.Env, "w", e.path("in.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			if sum.Added != tt.back || sum.OtherWallet != tt.passed || sum.Ignored != 0 || sum.Changed != 0 {
				t.Fatalf("import %+v, want %d added and %d of another wallet", *sum, tt.back, tt.passed)
			}
			if err := ExportLabels(e.Env, "w", e.path("out.jsonl")); err != nil {
				t.Fatal(err)
			}
			want := readLabels(t, in, file)
			out, err := os.ReadFile(e.path("out.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			got := readLabels(t, out, "out.jsonl")
			if len(got) != tt.back {
				t.Fatalf("exported %d records, want %d", len(got), tt.back)
			}
			for key, g := range got {
				wr, ok := want[key]
				switch {
				case !ok:
					t.Errorf("exported %s %s, which the file does not hold", key[0], key[1])
				case *g.Label != *wr.Label || (g.Spendable == nil) != (wr.Spendable == nil):
					t.Errorf("%s %s: label %q became %q", key[0], key[1], *wr.Label, *g.Label)
				case g.Origin != origin:
					t.Errorf("%s %s: exported with origin %q, want the wallet's %q", key[0], key[1], g.Origin, origin)
				}
			}
			for key, wr := range want {
				if _, ok := got[key]; !ok && wr.Origin != sparrowOrigin {
					t.Errorf("%s %s (%q) was lost", key[0], key[1], *wr.Label)
				}
			}
		})
	}
}

func readLabels(t *testing.T, data []byte, name string) map[[2]string]bip329.Record {
	t.Helper()
	res, err := bip329.Read(bytes.NewReader(data), name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]bip329.Record{}
	for _, r := range res.Records {
		out[[2]string{r.Type, strings.ToLower(r.Ref)}] = r
	}
	return out
}
