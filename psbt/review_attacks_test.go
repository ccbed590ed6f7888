package psbt

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"
)

// TestPlantedDerivationDoesNotStretchChangeIndex: a taproot derivation
// with leaf hashes (which the input check skips) planted on our wpkh input
// claimed address index 1.5e9; change that far was then "verified" and
// signed, though a restored wallet would never find it.
func TestPlantedDerivationDoesNotStretchChangeIndex(t *testing.T) {
	k := testKit(t)
	const far = 1_500_000_000
	p := mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000)},
		[]OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, far, 69_998_590)})
	der := k.derive(t, k.wpkh, 0, 0)
	p.p.Inputs[0].TaprootBip32Derivation = []*btcpsbt.TaprootBip32Derivation{{
		XOnlyPubKey:          der.Keys[0].PubKey[1:],
		MasterKeyFingerprint: k.fp,
		Bip32Path:            []uint32{84 + hard, 1 + hard, 0 + hard, 0, far},
		LeafHashes:           [][]byte{bytes.Repeat([]byte{7}, 32)},
	}}
	p2, err := Decode(encode(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if a := k.analyze(p2, DefaultPolicy()); !hasProblem(a, "change-index-far") || a.Outputs[1].Change {
		t.Fatalf("far change accepted: change=%v", a.Outputs[1].Change)
	}
	if _, err := k.sign(p2, DefaultPolicy()); err == nil {
		t.Fatal("signed a PSBT whose change is out of any restored wallet's reach")
	}
}

// TestPaddedForeignInputDoesNotDiluteFeeRate: a foreign input arriving
// "finalized" with 100 kB of scriptSig made a 43,000 sat/vB fee look like
// 90 sat/vB; the junk can be swapped for a short script after we sign.
func TestPaddedForeignInputDoesNotDiluteFeeRate(t *testing.T) {
	k := testKit(t)
	foreign := InputSpec{PrevTx: prevTx(42, wire.NewTxOut(1000, k.attackerP2WPKH)), Sequence: wire.MaxTxInSequenceNum - 2}
	p := mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 200_000_000), foreign},
		[]OutputSpec{k.pay(100_000_000), k.change(t, k.wpkh, 0, 91_001_000)})
	honest := EstimateVSize(p)
	p.p.Inputs[1].FinalScriptSig = bytes.Repeat([]byte{0x51}, 100_000)
	p.p.Inputs[1].WitnessUtxo = nil
	p2, err := Decode(encode(t, p))
	if err != nil {
		t.Fatal(err)
	}
	if got := EstimateVSize(p2); got > honest {
		t.Fatalf("vsize %d with a padded foreign input, %d without", got, honest)
	}
	pol := DefaultPolicy()
	pol.MaxFeeRate = 1000
	a := k.analyze(p2, pol)
	if !hasProblem(a, "fee-rate-cap") {
		t.Fatalf("fee rate %.1f sat/vB passed a 1000 sat/vB cap", a.FeeRate)
	}
	if _, err := k.sign(p2, pol); err == nil {
		t.Fatal("signed past the fee-rate cap")
	}
}

// TestNothingSignedSaysWhy: when our only input is skipped (a P2WSH coin
// whose witness script the PSBT leaves out), the error names the input and
// the cause, not "wrong key or shares".
func TestNothingSignedSaysWhy(t *testing.T) {
	k := testKit(t)
	p := mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000)}, []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 69_998_590)})
	// Pretend the coin is P2WSH: a skipped input of ours.
	prev := p.p.Inputs[0].NonWitnessUtxo
	prev.TxOut[p.p.UnsignedTx.TxIn[0].PreviousOutPoint.Index].PkScript = append([]byte{0x00, 0x20}, bytes.Repeat([]byte{1}, 32)...)
	p.p.UnsignedTx.TxIn[0].PreviousOutPoint.Hash = prev.TxHash()
	p.p.Inputs[0].WitnessUtxo = nil
	_, err := Sign(p, k.master, WithNetwork(regtest))
	if err == nil || errors.Is(err, ErrNothingToSign) {
		t.Fatalf("error %v, want one naming the skipped input", err)
	}
	if !errors.Is(err, ErrNothingSigned) || !strings.Contains(err.Error(), "input 0: the PSBT lacks this input's witness script") {
		t.Fatalf("error %v", err)
	}
}

// TestScriptTypesAllowNestedMultisig: a policy could not allow a
// sh(wsh(sortedmulti)) coin, classified as plain p2sh.
func TestScriptTypesAllowNestedMultisig(t *testing.T) {
	k := testKit(t)
	key1, err := descriptor.AccountKey(descriptor.SHWSHSortedMulti, k.master, 0, regtest)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := hdkeychain.NewMaster(bytes.Repeat([]byte{9}, 32), regtest)
	key2, err := descriptor.AccountKey(descriptor.SHWSHSortedMulti, other, 0, regtest)
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.NewSortedMulti(descriptor.SHWSHSortedMulti, 1, []descriptor.Key{key1, key2}, regtest)
	if err != nil {
		t.Fatal(err)
	}
	der := k.derive(t, d, 0, 0)
	var keys []KeyOrigin
	for _, dk := range der.Keys {
		keys = append(keys, KeyOrigin{PubKey: dk.PubKey, Fingerprint: dk.Fingerprint, Path: dk.Path})
	}
	in := InputSpec{PrevTx: prevTx(3, wire.NewTxOut(100_000_000, der.Script)), Sequence: wire.MaxTxInSequenceNum - 2, Keys: keys, RedeemScript: der.RedeemScript, WitnessScript: der.WitnessScript}
	p := mustBuild(t, []InputSpec{in}, []OutputSpec{k.pay(99_990_000)})
	pol := DefaultPolicy()
	pol.ScriptTypes = []ScriptType{P2SHP2WSH}
	a := pol.Apply(Analyze(p, regtest, k.fp, multiWallet{k.wallet, DescriptorWallet(d)}))
	if a.Inputs[0].ScriptType != P2SHP2WSH || len(a.Refusals()) != 0 {
		t.Fatalf("input type %s, refusals %v", a.Inputs[0].ScriptType, a.Refusals())
	}
	pol.ScriptTypes = []ScriptType{P2WPKH}
	if a := pol.Apply(Analyze(p, regtest, k.fp, multiWallet{k.wallet, DescriptorWallet(d)})); len(a.Refusals()) == 0 {
		t.Fatal("a p2wpkh-only policy allowed a nested multisig coin")
	}
}

// TestChangeIndexFollowsInputs: change far beyond ChangeIndexGap is
// verified when our inputs show a restore reaches that far, each within
// ChangeIndexGap of the last from ChangeIndexGap, and refused when they do
// not: an input far out on its own (dust the online side paid to one of
// our addresses) stretches nothing. The reach is worked out only for such
// a claim.
func TestChangeIndexFollowsInputs(t *testing.T) {
	k := testKit(t)
	for _, tc := range []struct {
		inputs []uint32
		far    bool
	}{
		{[]uint32{0, 900, 1800, 2700, 3600, 4500}, false},
		{[]uint32{4500, 3600, 0, 2700, 1800, 900}, false}, // in any order
		{[]uint32{0, 900, 1800, 2700, 3600, 3999}, true},  // reach 4999
		{[]uint32{0, 4500}, true},                         // 4500 alone: the dust bypass
		{[]uint32{0, 2100, 3000, 4000, 4500}, true},       // a gap above 1000 breaks the run
		{[]uint32{0}, true},
	} {
		var ins []InputSpec
		total := int64(0)
		for j, index := range tc.inputs {
			ins = append(ins, k.wpkhCoin(t, uint32(10+j), 0, index, 10_000_000))
			total += 10_000_000
		}
		p := mustBuild(t, ins, []OutputSpec{k.pay(5_000_000), k.change(t, k.wpkh, 5000, total-5_000_000-10_000)})
		a := k.analyze(p, DefaultPolicy())
		if hasProblem(a, "change-index-far") != tc.far || a.Outputs[1].Change == tc.far {
			t.Errorf("inputs at 0/%v, change at 1/5000: change-index-far %v, change %v", tc.inputs, hasProblem(a, "change-index-far"), a.Outputs[1].Change)
		}
	}
}

// TestAnyoneCanSpendShown: outputs anyone can take are refused and shown
// by their address (bech32m for P2A and future segwit versions, as
// wallets show them), an empty script by name, never as an empty line.
func TestAnyoneCanSpendShown(t *testing.T) {
	k := testKit(t)
	for name, shown := range map[string]string{
		"pay-anchor":       "bcrt1pfees", // BIP-defined P2A address on regtest starts so
		"pay-segwit-v2":    "bcrt1z",
		"pay-empty-script": "an empty script",
	} {
		raw, err := os.ReadFile(attackPath(name))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		a := k.analyze(p, DefaultPolicy())
		var b bytes.Buffer
		if err := a.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if !hasProblem(a, CodeAnyoneCanSpend) || !strings.Contains(strings.ReplaceAll(b.String(), " ", ""), strings.ReplaceAll(shown, " ", "")) {
			t.Errorf("%s: refused %v, want %q shown:\n%s", name, hasProblem(a, CodeAnyoneCanSpend), shown, b.String())
		}
	}
}

// TestTransactionRemarks: what the screen adds about the transaction as a
// whole, each a warning (the operator may mean it): coins of others paying
// part of the outputs, a fee rate nodes do not relay, a version nodes do
// not relay, and a locktime given as a date.
func TestTransactionRemarks(t *testing.T) {
	k := testKit(t)
	foreign := InputSpec{PrevTx: prevTx(11, wire.NewTxOut(200_000_000, k.attackerP2WPKH)), Sequence: wire.MaxTxInSequenceNum - 2}
	others := mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000), foreign},
		[]OutputSpec{k.pay(250_000_000), k.change(t, k.wpkh, 0, 49_990_000)})
	cheap := mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000)},
		[]OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 69_999_990)})
	v4 := k.honest(t)
	v4.p.UnsignedTx.Version = 4
	for _, tc := range []struct {
		name string
		p    *Packet
		code Code
		say  string
	}{
		{"others' coins", others, CodeOthersCoins, "inputs 1 are not ours (2.00000000 BTC): they pay part of the outputs, so \"Leaves us\" overstates; our own coins less our change come to 0.50010000 BTC"},
		{"below relay", cheap, CodeLowFeeRate, "below the 1 sat/vB most nodes relay"},
		{"version 4", v4, CodeVersion, "transaction version 4"},
	} {
		a := k.analyze(tc.p, DefaultPolicy())
		found := false
		for _, pr := range a.Problems {
			if pr.Code == tc.code {
				found = pr.Severity == Warn && strings.Contains(pr.Message, tc.say)
			}
		}
		if !found {
			t.Errorf("%s: no %s warning saying %q:\n%s", tc.name, tc.code, tc.say, listProblems(a))
		}
	}
	if a := k.analyze(k.honest(t), DefaultPolicy()); hasProblem(a, CodeOthersCoins) || hasProblem(a, CodeLowFeeRate) || hasProblem(a, CodeVersion) {
		t.Errorf("the honest payment gets a remark:\n%s", listProblems(a))
	}
	if got, want := describeLockTime(1_700_000_000), "2023-11-14 22:13 UTC (Unix time 1700000000)"; got != want {
		t.Errorf("locktime shown as %q, want %q", got, want)
	}
}
