package offline

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

var regtest = &chaincfg.RegressionNetParams

func keyOfMnemonic(t *testing.T, words string) *Key {
	t.Helper()
	e, err := bip39.MnemonicToEntropy([]byte(words))
	if err != nil {
		t.Fatal(err)
	}
	k, err := KeyFromEntropy(e, regtest)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Wipe)
	return k
}

// multisig returns a 2-of-3 wsh(sortedmulti) of the given keys.
func multisig(t *testing.T, keys ...*Key) *descriptor.Descriptor {
	t.Helper()
	return sortedMulti(t, 2, keys...)
}

func origins(d *descriptor.Derived) []psbt.KeyOrigin {
	var out []psbt.KeyOrigin
	for _, k := range d.Keys {
		out = append(out, psbt.KeyOrigin{PubKey: k.PubKey, Fingerprint: k.Fingerprint, Path: k.Path})
	}
	return out
}

// spend builds a PSBT spending a made-up coin of wallet at 0/0 to an
// outside address, with change at 1/0 of the change wallet.
func spend(t *testing.T, wallet, change *descriptor.Descriptor, mutate func(*psbt.InputSpec)) *psbt.Packet {
	t.Helper()
	from, _ := wallet.Derive(0, 0)
	ch, _ := change.Derive(1, 0)
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{7}, 0), nil, nil))
	prev.AddTxOut(wire.NewTxOut(10_000_000, from.Script))
	in := psbt.InputSpec{PrevTx: prev, Sequence: 0xfffffffd, Keys: origins(from), WitnessScript: from.WitnessScript}
	if mutate != nil {
		mutate(&in)
	}
	ext, _ := descriptor.Parse("wpkh([3f635a63/84h/1h/0h]tpubDCgYNDYFCZpc5H8LExm81BQd8YcpJndx14YXjFV5XZrFxexwZKMVAycjDvmdLJELb6NgeVAM4UyGbqVqqdATXQh5FnYkS4C9DkzmFc9A86Z/<0;1>/*)", regtest)
	to, _ := ext.Derive(0, 5)
	p, err := psbt.Build(2, 0, []psbt.InputSpec{in}, []psbt.OutputSpec{
		{PkScript: to.Script, Amount: 3_000_000},
		{PkScript: ch.Script, Amount: 6_990_000, Keys: origins(ch), WitnessScript: ch.WitnessScript},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMultisigChangeAndKeyAttacks(t *testing.T) {
	a := keyOfMnemonic(t, "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	b := keyOfMnemonic(t, "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong")
	c := keyOfMnemonic(t, "legal winner thank year wave sausage worth useful legal winner thank yellow")
	x := keyOfMnemonic(t, "letter advice cage absurd amount doctor acoustic avoid letter advice cage above")
	wallet := multisig(t, a, b, c)
	sign := func(p *psbt.Packet) (psbt.SignResult, error) {
		return psbt.Sign(p, a.Master, psbt.WithNetwork(regtest), psbt.WithWallet(psbt.DescriptorWallet(wallet)))
	}

	t.Run("honest change is verified and signed", func(t *testing.T) {
		p := spend(t, wallet, wallet, nil)
		an := psbt.Analyze(p, regtest, a.Fingerprint, psbt.DescriptorWallet(wallet))
		if len(an.Refusals()) > 0 || !an.Outputs[1].Change {
			t.Fatalf("refusals %v, change %v", an.Refusals(), an.Outputs[1].Change)
		}
		if res, err := sign(p); err != nil || len(res.Signed) != 1 {
			t.Fatalf("sign: %v %v", res, err)
		}
	})

	t.Run("change to a 2-of-3 with one foreign key is refused", func(t *testing.T) {
		foreign := multisig(t, a, b, x) // our fingerprint and paths, one key swapped
		p := spend(t, wallet, foreign, nil)
		an := psbt.Analyze(p, regtest, a.Fingerprint, psbt.DescriptorWallet(wallet))
		r := an.Refusals()
		if len(r) == 0 || r[0].Output != 1 || an.Outputs[1].Change {
			t.Fatalf("fake multisig change not refused: %v", r)
		}
		if _, err := sign(p); err == nil {
			t.Fatal("Sign signed a PSBT whose change has a foreign cosigner key")
		}
	})

	t.Run("our fingerprint with the wrong public key is refused", func(t *testing.T) {
		p := spend(t, wallet, wallet, func(in *psbt.InputSpec) {
			for i := range in.Keys {
				if in.Keys[i].Fingerprint == a.Fingerprint {
					wrong := bytes.Clone(in.Keys[(i+1)%len(in.Keys)].PubKey)
					in.Keys[i].PubKey = wrong
				}
			}
		})
		before, _ := p.Encode()
		_, err := sign(p)
		if err == nil {
			t.Fatal("signed an input whose derivation names our fingerprint with another key")
		}
		if !errors.Is(err, psbt.ErrRefused) && !strings.Contains(err.Error(), "input 0") {
			t.Fatalf("error does not name the input: %v", err)
		}
		after, _ := p.Encode()
		if !bytes.Equal(before, after) {
			t.Fatal("a refused Sign changed the PSBT")
		}
	})
}
