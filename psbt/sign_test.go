package psbt

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// mixedInputs is a payment spending wpkh, sh(wpkh) and tr coins of the
// test key, interleaved, so that parallel workers meet every kind.
func (k *kit) mixedInputs(t testing.TB, n int) *Packet {
	var ins []InputSpec
	var total int64
	for i := 0; i < n; i++ {
		salt, idx := uint32(100+i), uint32(i)
		switch i % 3 {
		case 0:
			ins = append(ins, k.wpkhCoin(t, salt, 0, idx, 1_000_000))
		case 1:
			ins = append(ins, k.shwpkhCoin(t, salt, 0, idx, 1_000_000))
		default:
			ins = append(ins, k.trCoin(t, salt, 0, idx, 1_000_000))
		}
		total += 1_000_000
	}
	return mustBuild(t, ins, []OutputSpec{k.pay(total - 20_000)})
}

// TestSignParallelIsDeterministic: signing across cores gives exactly the
// bytes a single core gives, and the same signed list, in input order.
func TestSignParallelIsDeterministic(t *testing.T) {
	k := testKit(t)
	base := k.mixedInputs(t, 24)
	sign := func(procs int) ([]byte, SignResult) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		p := clone(t, base)
		res, err := k.sign(p, DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		return encode(t, p), res
	}
	one, res1 := sign(1)
	four, res4 := sign(4)
	if !bytes.Equal(one, four) {
		t.Fatal("signing on 4 workers gave other bytes than on 1")
	}
	if len(res1.Signed) != 24 || len(res4.Signed) != 24 {
		t.Fatalf("signed %d and %d of 24 inputs", len(res1.Signed), len(res4.Signed))
	}
	for i, in := range res4.Signed {
		if in != i {
			t.Fatalf("signed list %v is not in input order", res4.Signed)
		}
	}
	if err := Finalize(clone(t, base)); err == nil {
		t.Fatal("the unsigned PSBT finalized")
	}
}

// TestVerifySignedChecksEveryInput: a bad signature in any input, not
// only the first, is caught by the check that runs before Sign returns.
func TestVerifySignedChecksEveryInput(t *testing.T) {
	k := testKit(t)
	for _, bad := range []int{0, 1, 5} {
		p := k.mixedInputs(t, 6)
		res, err := k.sign(p, DefaultPolicy())
		if err != nil {
			t.Fatal(err)
		}
		if err := recheck(t, p, res); err != nil {
			t.Fatalf("good signatures: %v", err)
		}
		corrupt(p, bad)
		err = recheck(t, p, res)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("input %d:", bad)) {
			t.Fatalf("bad signature in input %d: error %v", bad, err)
		}
	}
}

func (k *kit) masterPriv(t *testing.T) *btcec.PrivateKey {
	priv, err := k.master.ECPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// recheck runs Sign's own final check again over a signed packet.
func recheck(t *testing.T, p *Packet, res SignResult) error {
	t.Helper()
	prevOuts, err := prevOutputs(p.p)
	if err != nil {
		t.Fatal(err)
	}
	sigHashes := txscript.NewTxSigHashes(p.p.UnsignedTx, txscript.NewMultiPrevOutFetcher(prevOuts))
	return verifySigned(p, prevOuts, sigHashes, res.Signed, testKit(t).fp)
}

// corrupt changes one bit of r in input i's signature, keeping it well
// formed DER so that only the signature check can notice.
func corrupt(p *Packet, i int) {
	pin := &p.p.Inputs[i]
	if len(pin.TaprootKeySpendSig) > 0 {
		sig := bytes.Clone(pin.TaprootKeySpendSig)
		sig[10] ^= 1
		pin.TaprootKeySpendSig = sig
		return
	}
	sig := bytes.Clone(pin.PartialSigs[0].Signature)
	sig[10] ^= 1
	pin.PartialSigs = []*btcpsbt.PartialSig{{PubKey: pin.PartialSigs[0].PubKey, Signature: sig}}
}

// TestSignMultisigChecksPartialSignature: in a 2-of-2 input that waits
// for the cosigner, our partial signature is still verified.
func TestSignMultisigChecksPartialSignature(t *testing.T) {
	k := testKit(t)
	key1, err := descriptor.AccountKey(descriptor.WSHSortedMulti, k.master, 0, regtest)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := hdkeychain.NewMaster(bytes.Repeat([]byte{7}, 32), regtest)
	key2, err := descriptor.AccountKey(descriptor.WSHSortedMulti, other, 0, regtest)
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.NewSortedMulti(descriptor.WSHSortedMulti, 2, []descriptor.Key{key1, key2}, regtest)
	if err != nil {
		t.Fatal(err)
	}
	var ins []InputSpec
	for i := uint32(0); i < 3; i++ {
		der := k.derive(t, d, 0, i)
		var keys []KeyOrigin
		for _, dk := range der.Keys {
			keys = append(keys, KeyOrigin{PubKey: dk.PubKey, Fingerprint: dk.Fingerprint, Path: dk.Path})
		}
		ins = append(ins, InputSpec{PrevTx: prevTx(50+i, wire.NewTxOut(1_000_000, der.Script)), Sequence: wire.MaxTxInSequenceNum - 2, Keys: keys, WitnessScript: der.WitnessScript})
	}
	p := mustBuild(t, ins, []OutputSpec{k.pay(2_990_000)})
	// A cosigner's signature that does not verify is not ours to refuse
	// for: the node judges it when the transaction is complete.
	pin := &p.p.Inputs[1]
	for _, d := range pin.Bip32Derivation {
		if d.MasterKeyFingerprint != k.fp {
			bogus := ecdsa.Sign(k.masterPriv(t), bytes.Repeat([]byte{1}, 32)).Serialize()
			pin.PartialSigs = append(pin.PartialSigs, &btcpsbt.PartialSig{PubKey: d.PubKey, Signature: append(bogus, byte(txscript.SigHashAll))})
		}
	}
	res, err := Sign(p, k.master, WithNetwork(regtest), WithWallet(multiWallet{k.wallet, DescriptorWallet(d)}))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signed) != 3 {
		t.Fatalf("signed %v", res.Signed)
	}
	if err := recheck(t, p, res); err != nil {
		t.Fatalf("good partial signatures: %v", err)
	}
	corrupt(p, 2)
	if err := recheck(t, p, res); err == nil || !strings.Contains(err.Error(), "input 2:") {
		t.Fatalf("bad partial signature: error %v", err)
	}
}
