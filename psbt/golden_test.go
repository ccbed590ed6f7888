package psbt

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/txscript"
)

// TestGolden renders what the operator reads (WriteText) for a few PSBTs and
// compares it with testdata/golden/*.txt; go test ./psbt -run TestGolden
// -update rewrites them after a deliberate change of the layout.
func TestGolden(t *testing.T) {
	k := testKit(t)
	cases := []struct {
		name  string
		build func(t *testing.T) *Packet
	}{
		{"wpkh-payment", func(t *testing.T) *Packet { return k.honest(t) }},
		{"shwpkh-two-inputs", func(t *testing.T) *Packet {
			return mustBuild(t, []InputSpec{k.shwpkhCoin(t, 4, 0, 3, 20_000_000), k.shwpkhCoin(t, 5, 1, 2, 15_000_000)},
				[]OutputSpec{k.pay(25_000_000), k.change(t, k.shwpkh, 3, 9_997_000)})
		}},
		{"tr-payment", func(t *testing.T) *Packet {
			return mustBuild(t, []InputSpec{k.trCoin(t, 2, 0, 0, 100_000_000)},
				[]OutputSpec{k.pay(30_000_000), k.change(t, k.tr, 0, 69_998_460)})
		}},
		{"attack-refusals", func(t *testing.T) *Packet {
			// Several lies at once: a sighash that lets the outputs be
			// changed, an attacker's output dressed as change, value burned
			// in an OP_RETURN and a field nobody knows.
			p := k.honest(t)
			p.p.Inputs[0].SighashType = txscript.SigHashNone
			p.p.UnsignedTx.TxOut[1].PkScript = k.attackerP2WPKH
			p.p.Outputs[1].Bip32Derivation[0].PubKey = k.attackerP2WPKHKey
			p.p.UnsignedTx.TxOut[0].PkScript, _ = txscript.NullDataScript([]byte("burn"))
			p.p.Inputs[0].Unknowns = nil
			return p
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := k.analyze(tc.build(t), DefaultPolicy())
			var got bytes.Buffer
			if err := a.WriteText(&got); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", tc.name+".txt")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./psbt -run TestGolden -update)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs (run with -update if the change is meant):\n--- got\n%s\n--- want\n%s", path, got.Bytes(), want)
			}
		})
	}
}
