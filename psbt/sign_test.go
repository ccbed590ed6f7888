package psbt

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
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

// TestSignRefusesFaultySignature: a signature damaged between signing and
// its check (the fault the check is there for), in any input and of any
// kind (wpkh, sh-wpkh, tr), is refused, naming the input, and nothing is
// written; undamaged, the same PSBT signs and passes btcd's script engine.
func TestSignRefusesFaultySignature(t *testing.T) {
	k := testKit(t)
	for _, bad := range []int{0, 1, 5} {
		for _, at := range []int{10, -1} { // a bit of r; the sighash type byte (of s, for a 64-byte Schnorr signature)
			p := k.mixedInputs(t, 6)
			before := encode(t, p)
			_, err := Sign(p, k.master, WithNetwork(regtest), WithWallet(k.wallet), withFault(bad, at))
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("input %d: our own signature does not verify", bad)) {
				t.Fatalf("bad signature in input %d (byte %d): error %v", bad, at, err)
			}
			if !bytes.Equal(encode(t, p), before) {
				t.Fatalf("bad signature in input %d: the packet was changed", bad)
			}
		}
	}
	// Undamaged, it signs; a taproot input asking for SIGHASH_ALL gets a
	// 65-byte signature, which the check accepts too.
	p := k.mixedInputs(t, 6)
	p.p.Inputs[2].SighashType = txscript.SigHashAll
	if _, err := Sign(p, k.master, WithNetwork(regtest), WithWallet(k.wallet)); err != nil {
		t.Fatal(err)
	}
	if n := len(p.p.Inputs[2].TaprootKeySpendSig); n != 65 {
		t.Fatalf("taproot SIGHASH_ALL signature of %d bytes", n)
	}
	if err := Finalize(p); err != nil {
		t.Fatal(err)
	}
	if _, err := Extract(p); err != nil {
		t.Fatalf("signed inputs fail btcd's script engine: %v", err)
	}
}

// withFault flips one bit of byte at (-1: the last) of the signature made
// for input bad, keeping it well formed, so that only the signature check
// can notice.
func withFault(bad, at int) SignOption {
	return func(c *signConfig) {
		c.fault = func(i int, sig []byte) []byte {
			if i == bad {
				sig = bytes.Clone(sig)
				j := at
				if j < 0 {
					j = len(sig) - 1
				}
				sig[j] ^= 2
			}
			return sig
		}
	}
}

// TestSignRefusesKeyNotOurs: a PSBT naming, at our fingerprint and a path
// of ours, a key that is not ours there (and a coin paying that key) is
// refused by the analysis when the wallet names its keys (an enrolled
// descriptor, a KeyWallet), and otherwise by the signature check, which
// names our real key.
func TestSignRefusesKeyNotOurs(t *testing.T) {
	k := testKit(t)
	for _, tc := range []struct {
		coin func(testing.TB, uint32, uint32, uint32, int64) InputSpec
		d    *descriptor.Descriptor
	}{{k.wpkhCoin, k.wpkh}, {k.trCoin, k.tr}} {
		in := tc.coin(t, 7, 0, 3, 1_000_000)
		in.Keys[0].Path = slices.Clone(in.Keys[0].Path)
		in.Keys[0].Path[len(in.Keys[0].Path)-1] = 4 // the key of 0/3, said to be at 0/4
		p := mustBuild(t, []InputSpec{in}, []OutputSpec{k.pay(990_000)})
		_, err := Sign(p, k.master, WithNetwork(regtest), WithWallet(k.wallet))
		if err == nil || !strings.Contains(err.Error(), "the PSBT was made for another wallet or altered") {
			t.Fatalf("error %v", err)
		}
		a := Analyze(p, regtest, k.fp, DescriptorWallet(tc.d))
		if !findProblem(a, refuseIn(CodeNotWalletCoin, 0, "is not our wallet's key there")) {
			t.Fatalf("the analysis with the wallet's keys did not refuse it:\n%s", listProblems(a))
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
	// Each of our partial signatures verifies on its own (btcd: the
	// input's sighash, then the signature against our key).
	prevOuts, err := prevOutputs(p.p, false)
	if err != nil {
		t.Fatal(err)
	}
	hashes := txscript.NewTxSigHashes(p.p.UnsignedTx, txscript.NewMultiPrevOutFetcher(prevOuts))
	for i := range p.p.Inputs {
		pin := &p.p.Inputs[i]
		ours := 0
		for _, ps := range pin.PartialSigs {
			for _, d := range pin.Bip32Derivation {
				if d.MasterKeyFingerprint != k.fp || !bytes.Equal(d.PubKey, ps.PubKey) {
					continue
				}
				ours++
				hash, err := txscript.CalcWitnessSigHash(pin.WitnessScript, hashes, txscript.SigHashAll, p.p.UnsignedTx, i, prevOuts[p.p.UnsignedTx.TxIn[i].PreviousOutPoint].Value)
				if err != nil {
					t.Fatal(err)
				}
				sig, err := ecdsa.ParseDERSignature(ps.Signature[:len(ps.Signature)-1])
				if err != nil {
					t.Fatal(err)
				}
				pub, err := btcec.ParsePubKey(ps.PubKey)
				if err != nil {
					t.Fatal(err)
				}
				if !sig.Verify(hash, pub) {
					t.Fatalf("input %d: our partial signature does not verify", i)
				}
			}
		}
		if ours != 1 {
			t.Fatalf("input %d has %d partial signatures of ours", i, ours)
		}
	}
	// Our partial signature, damaged, is refused although the input is
	// not complete and no script can be run.
	p = mustBuild(t, ins, []OutputSpec{k.pay(2_990_000)})
	_, err = Sign(p, k.master, WithNetwork(regtest), WithWallet(multiWallet{k.wallet, DescriptorWallet(d)}), withFault(2, 10))
	if err == nil || !strings.Contains(err.Error(), "input 2: our own signature does not verify") {
		t.Fatalf("bad partial signature: error %v", err)
	}
}
