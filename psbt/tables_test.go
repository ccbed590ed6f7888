package psbt

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

func TestDecodeForms(t *testing.T) {
	k := testKit(t)
	raw := encode(t, k.honest(t))
	b64 := base64.StdEncoding.EncodeToString(raw)
	hx := hex.EncodeToString(raw)
	wrap := func(s string, n int) string {
		var b strings.Builder
		for len(s) > n {
			b.WriteString(s[:n] + "\r\n")
			s = s[n:]
		}
		return b.String() + s
	}
	want := k.honest(t).TxID()
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"binary", raw},
		{"base64", []byte(b64)},
		{"base64 with newline", []byte(b64 + "\n")},
		{"base64 wrapped at 76", []byte(wrap(b64, 76))},
		{"base64 surrounded by spaces", []byte("  \t" + b64 + "  \n")},
		{"hex", []byte(hx)},
		{"hex upper case", []byte(strings.ToUpper(hx))},
		{"hex wrapped", []byte(wrap(hx, 64) + "\n")},
		{"base64 after a byte-order mark", []byte("\ufeff" + b64 + "\n")},
		{"base64 in JSON quotes", []byte(`"` + b64 + `"`)},
		{"hex in shell quotes", []byte("'" + hx + "'\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Decode(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.TxID() != want {
				t.Fatalf("txid %s, want %s", p.TxID(), want)
			}
		})
	}
}

func TestDecodeBad(t *testing.T) {
	k := testKit(t)
	raw := encode(t, k.honest(t))
	b64 := base64.StdEncoding.EncodeToString(raw)
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "the input is empty"},
		{"whitespace only", []byte(" \n\t "), "the input is empty"},
		{"oversize", append(append([]byte{}, raw...), make([]byte, MaxSize)...), "more than the 33554432-byte limit"},
		{"trailing bytes", append(append([]byte{}, raw...), 0, 1, 2), "3 unexpected bytes after the end of the PSBT"},
		{"truncated binary", raw[:len(raw)-5], "truncated"},
		{"magic only", magic, "truncated"},
		{"garbage", []byte("hello, world"), `starts with neither the PSBT magic bytes, base64 "cHNidP8" nor hex "70736274ff"`},
		{"network transaction hex", []byte("0200000001268171371edff285"), "starts with neither"},
		{"base64 damaged", []byte(b64[:40] + "!!" + b64[42:]), "the base64 text is damaged"},
		{"base64 trailing junk", []byte(b64 + "junk"), "the base64 text is damaged"},
		{"base64 truncated", []byte(b64[:len(b64)/2]), "not a PSBT"},
		{"hex odd length", []byte("70736274ff0"), "the hex text is damaged"},
		{"hex junk", []byte("70736274ffzz"), "the hex text is damaged"},
		{"wrong magic", []byte("psbt\x00\x01\x00"), "starts with neither"},
		{"final transaction, binary", finalTx(t, k), "it is a raw transaction, not a PSBT"},
		{"final transaction, hex", []byte(hex.EncodeToString(finalTx(t, k)) + "\n"), "it is a raw transaction (hex), not a PSBT"},
		{"one quote", []byte(`"` + b64), "starts with neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrNotPSBT) && !strings.Contains(err.Error(), "limit") {
				t.Errorf("error %v is not ErrNotPSBT", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// finalTx is the honest payment signed, finalized and extracted: what a
// wallet exports to broadcast.
func finalTx(t testing.TB, k *kit) []byte {
	p := k.honest(t)
	if _, err := k.sign(p, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	if err := Finalize(p); err != nil {
		t.Fatal(err)
	}
	tx, err := Extract(p)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tx.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDecodeNothingToSign: BIP174 lets a PSBT under construction have no
// inputs or outputs; it is refused as nothing to sign, not as "not a
// PSBT".
func TestDecodeNothingToSign(t *testing.T) {
	for _, tc := range []struct {
		name string
		tx   *wire.MsgTx
		want string
	}{
		{"no inputs", func() *wire.MsgTx { tx := wire.NewMsgTx(2); tx.AddTxOut(wire.NewTxOut(1000, []byte{0x6a})); return tx }(), "no inputs: it spends nothing"},
		{"no inputs or outputs", wire.NewMsgTx(2), "no inputs: it spends nothing"},
	} {
		p, err := btcpsbt.NewFromUnsignedTx(tc.tx)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := p.Serialize(&b); err != nil {
			t.Fatal(err)
		}
		_, err = Decode(b.Bytes())
		if err == nil || !errors.Is(err, ErrNotPSBT) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "not a PSBT") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// twoInputs is a payment spending our wpkh coins at 0/0 and 0/1.
func (k *kit) twoInputs(t testing.TB) *Packet {
	return mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000), k.wpkhCoin(t, 2, 0, 1, 50_000_000)},
		[]OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 119_997_000)})
}

func clone(t testing.TB, p *Packet) *Packet {
	t.Helper()
	c, err := p.Clone()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCombine(t *testing.T) {
	k := testKit(t)
	signed := k.twoInputs(t)
	if _, err := k.sign(signed, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	only0, only1 := clone(t, signed), clone(t, signed)
	only0.p.Inputs[1].PartialSigs = nil
	only1.p.Inputs[0].PartialSigs = nil

	got, err := Combine(only0, only1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, got), encode(t, signed)) {
		t.Error("combining the halves does not give the signed PSBT")
	}
	if len(only0.p.Inputs[1].PartialSigs) != 0 {
		t.Error("Combine changed its first argument")
	}

	other := k.honest(t)
	for _, tc := range []struct {
		name    string
		packets []*Packet
		want    string
	}{
		{"none", nil, "no PSBT to combine"},
		{"different transaction second", []*Packet{only0, other}, "PSBT 2 is for transaction " + other.TxID()},
		{"different transaction third", []*Packet{only0, only1, other}, "PSBT 3 is for transaction"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Combine(tc.packets...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestFinalize(t *testing.T) {
	k := testKit(t)
	unsigned := k.twoInputs(t)
	signed := clone(t, unsigned)
	if _, err := k.sign(signed, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	half := clone(t, signed)
	half.p.Inputs[1].PartialSigs = nil

	for _, tc := range []struct {
		name string
		p    *Packet
		want string
	}{
		{"unsigned", clone(t, unsigned), "input(s) [0 1] are not fully signed yet"},
		{"input 1 unsigned", half, "input(s) [1] are not fully signed yet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Finalize(tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	if err := Finalize(signed); err != nil {
		t.Fatal(err)
	}
	a := Analyze(signed, regtest, k.fp, k.wallet)
	if !a.Complete || !a.Inputs[0].Finalized || !a.Inputs[1].Finalized {
		t.Fatalf("finalized PSBT not complete: %+v", a.Inputs)
	}
	// Finalizing twice is harmless.
	if err := Finalize(signed); err != nil {
		t.Fatal(err)
	}
}

func TestExtract(t *testing.T) {
	k := testKit(t)
	p := k.twoInputs(t)
	if _, err := Extract(p); err == nil || !strings.Contains(err.Error(), "finalize it first") {
		t.Fatalf("extracting an unsigned PSBT: %v", err)
	}
	if _, err := k.sign(p, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	kept := p.p.Inputs[0].NonWitnessUtxo
	if err := Finalize(p); err != nil {
		t.Fatal(err)
	}
	p.p.Inputs[0].NonWitnessUtxo = kept // as a wallet keeping it would
	tx, err := Extract(p)
	if err != nil {
		t.Fatal(err)
	}
	if tx.TxHash().String() != p.TxID() || len(tx.TxIn[1].Witness) != 2 {
		t.Fatalf("extracted %s with witness %d", tx.TxHash(), len(tx.TxIn[1].Witness))
	}

	// A signature damaged after finalizing is caught before broadcast.
	bad := clone(t, p)
	w := bad.p.Inputs[1].FinalScriptWitness
	w[10] ^= 1
	if _, err := Extract(bad); err == nil || !strings.Contains(err.Error(), "input 1: its signature does not verify") {
		t.Fatalf("damaged signature: %v", err)
	}
	// So is a witness_utxo that lies about the amount the signature covers.
	lie := clone(t, p)
	lie.p.Inputs[0].NonWitnessUtxo = nil
	lie.p.Inputs[0].WitnessUtxo.Value++
	if _, err := Extract(lie); err == nil || !strings.Contains(err.Error(), "input 0") {
		t.Fatalf("lying amount: %v", err)
	}
}

func TestMatchDigest(t *testing.T) {
	k := testKit(t)
	p := k.honest(t)
	d := Digest(p)
	if d != "fame charge mutual dose" {
		t.Fatalf("digest %q changed: the online and offline screens of deployed versions would disagree", d)
	}
	for _, tc := range []struct {
		typed string
		ok    bool
	}{
		{"fame charge mutual dose", true},
		{"FAME CHARGE MUTUAL DOSE", true},
		{"  fame   charge\tmutual dose \n", true},
		{"fame char mutu dose", true},
		{"Fame Charg Mutual Dose", true},
		{"fam charge mutual dose", false}, // 3 letters are not enough
		{"fame charge mutual", false},
		{"fame charge mutual dose dose", false},
		{"fame charge dose mutual", false},
		{"fame charge mutual doze", false},
		{"fame charges mutual dose", false},
		{"", false},
	} {
		if got := MatchDigest(p, tc.typed); got != tc.ok {
			t.Errorf("MatchDigest(%q) = %v, want %v", tc.typed, got, tc.ok)
		}
	}
	// The digest is of the unsigned transaction: signing does not change it.
	if _, err := k.sign(p, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	if Digest(p) != d {
		t.Fatal("signing changed the digest")
	}
}

// TestEstimateVSize compares the estimate with the real virtual size of
// transactions signed, finalized and extracted: never below (the fee rate
// shown must not be higher than the network's), at most a vbyte per input
// above (ECDSA signatures are counted at their longest).
func TestEstimateVSize(t *testing.T) {
	k := testKit(t)
	type coinFn func(testing.TB, uint32, uint32, uint32, int64) InputSpec
	for _, tc := range []struct {
		name string
		coin coinFn
		n    int
	}{
		{"wpkh x1", k.wpkhCoin, 1},
		{"wpkh x5", k.wpkhCoin, 5},
		{"sh-wpkh x1", k.shwpkhCoin, 1},
		{"sh-wpkh x5", k.shwpkhCoin, 5},
		{"tr x1", k.trCoin, 1},
		{"tr x5", k.trCoin, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ins []InputSpec
			for i := 0; i < tc.n; i++ {
				ins = append(ins, tc.coin(t, uint32(100+i), 0, uint32(i), 10_000_000))
			}
			total := int64(tc.n) * 10_000_000
			p := mustBuild(t, ins, []OutputSpec{k.pay(total / 2), k.change(t, k.wpkh, 0, total/2-5000)})
			est := EstimateVSize(p)
			if _, err := k.sign(p, DefaultPolicy()); err != nil {
				t.Fatal(err)
			}
			if err := Finalize(p); err != nil {
				t.Fatal(err)
			}
			tx, err := Extract(p)
			if err != nil {
				t.Fatal(err)
			}
			real := (blockchain.GetTransactionWeight(btcutil.NewTx(tx)) + 3) / 4
			if est < real || est > real+int64(tc.n) {
				t.Fatalf("estimate %d vB, real %d vB", est, real)
			}
			// A finalized PSBT is measured exactly.
			if got := EstimateVSize(p); got != real {
				t.Fatalf("finalized estimate %d vB, real %d vB", got, real)
			}
		})
	}
}

func TestFormatBTC(t *testing.T) {
	for _, tc := range []struct {
		sat  int64
		want string
	}{
		{0, "0.00000000 BTC"},
		{1, "0.00000001 BTC"},
		{1410, "0.00001410 BTC"},
		{100_000_000, "1.00000000 BTC"},
		{123_456_789, "1.23456789 BTC"},
		{-1, "-0.00000001 BTC"},
		{-150_000_000, "-1.50000000 BTC"},
		{btcutil.MaxSatoshi, "21000000.00000000 BTC"},
		{math.MaxInt64, "92233720368.54775807 BTC"},
		{math.MinInt64, "-92233720368.54775808 BTC"},
	} {
		if got := FormatBTC(tc.sat); got != tc.want {
			t.Errorf("FormatBTC(%d) = %q, want %q", tc.sat, got, tc.want)
		}
	}
}

func TestFormatPath(t *testing.T) {
	k := testKit(t)
	for _, tc := range []struct {
		fp   uint32
		path []uint32
		want string
	}{
		{k.fp, []uint32{84 + hard, 1 + hard, 0 + hard, 1, 5}, "[73c5da0a]m/84h/1h/0h/1/5"},
		{k.fp, nil, "[73c5da0a]m"},
		{0x3fb34dd3, []uint32{0}, "[d34db33f]m/0"},
		{0, []uint32{hard - 1, math.MaxUint32}, "[00000000]m/2147483647/2147483647h"},
	} {
		if got := FormatPath(tc.fp, tc.path); got != tc.want {
			t.Errorf("FormatPath(%x, %v) = %q, want %q", tc.fp, tc.path, got, tc.want)
		}
	}
	if FormatFingerprint(k.fp) != "73c5da0a" {
		t.Errorf("fingerprint %s", FormatFingerprint(k.fp))
	}
}

// TestSignSkipsAndRefuses covers Sign's own answers beyond the corpus.
func TestSignSkipsAndRefuses(t *testing.T) {
	k := testKit(t)

	// Without options Sign still refuses what the analysis refuses.
	p := k.honest(t)
	p.p.Inputs[0].NonWitnessUtxo = nil
	var rerr *RefusedError
	if _, err := Sign(p, k.master); !errors.As(err, &rerr) || rerr.Problems[0].Code != "missing-non-witness-utxo" {
		t.Fatalf("Sign without options: %v", err)
	}

	// A key that owns nothing.
	p = k.honest(t)
	other, _ := k.master.Derive(hard + 7)
	if _, err := Sign(p, other); !errors.Is(err, ErrNothingToSign) {
		t.Fatalf("foreign key: %v", err)
	}

	// Our only input, already finalized: said so, not blamed on the key.
	p = k.honest(t)
	if _, err := Sign(p, k.master, WithNetwork(regtest)); err != nil {
		t.Fatal(err)
	}
	kept := p.p.Inputs[0].NonWitnessUtxo
	if err := Finalize(p); err != nil {
		t.Fatal(err)
	}
	p.p.Inputs[0].NonWitnessUtxo = kept // as a wallet keeping it would
	if _, err := Sign(p, k.master, WithNetwork(regtest)); !errors.Is(err, ErrNothingToSign) || !strings.Contains(err.Error(), "every input is already finalized") {
		t.Fatalf("finalized input: %v", err)
	}

	// A public key cannot sign.
	p = k.honest(t)
	pub, _ := k.master.Neuter()
	if _, err := Sign(p, pub); err == nil {
		t.Fatal("signed with a public key")
	}

	// A planted signature for our key is replaced by ours.
	p = k.honest(t)
	// (a well-formed signature by our key at 0/0, of another transaction)
	elsewhere := k.twoInputs(t)
	if _, err := k.sign(elsewhere, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	fake := elsewhere.p.Inputs[0].PartialSigs[0].Signature
	p.p.Inputs[0].PartialSigs = []*btcpsbt.PartialSig{{PubKey: p.p.Inputs[0].Bip32Derivation[0].PubKey, Signature: fake}}
	if _, err := k.sign(p, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(p.p.Inputs[0].PartialSigs[0].Signature, fake) || len(p.p.Inputs[0].PartialSigs) != 1 {
		t.Fatal("the planted signature was kept")
	}

	// Signing twice gives the same PSBT (deterministic signatures).
	again := clone(t, p)
	if _, err := k.sign(again, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, again), encode(t, p)) {
		t.Fatal("signing again changed the PSBT")
	}

	// A legacy P2PKH coin of ours is skipped and named.
	der := k.derive(t, k.wpkh, 0, 5)
	legacy := InputSpec{PrevTx: prevTx(9, wire.NewTxOut(10_000_000, p2pkhScript(der.Keys[0].PubKey))), Sequence: wire.MaxTxInSequenceNum - 2, Keys: origin(der)}
	p = mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000), legacy}, []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 79_990_000)})
	a := k.analyze(p, DefaultPolicy())
	if !hasProblem(a, "unsupported-input") || len(a.Refusals()) != 0 {
		t.Fatalf("legacy input: %v", a.Problems)
	}
	res, err := k.sign(p, DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Signed) != 1 || res.Signed[0] != 0 || len(res.Skipped) != 1 || res.Skipped[0].Input != 1 {
		t.Fatalf("signed %v skipped %v", res.Signed, res.Skipped)
	}
}

// TestEstimateVSizeMixed: a legacy P2PKH coin next to a segwit one counts
// its scriptSig and its empty witness.
func TestEstimateVSizeMixed(t *testing.T) {
	k := testKit(t)
	der := k.derive(t, k.wpkh, 0, 5)
	prev := prevTx(9, wire.NewTxOut(10_000_000, p2pkhScript(der.Keys[0].PubKey)))
	legacy := InputSpec{PrevTx: prev, Sequence: wire.MaxTxInSequenceNum - 2, Keys: origin(der)}
	p := mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000), legacy}, []OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 79_990_000)})
	est := EstimateVSize(p)
	if _, err := k.sign(p, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	// airsign does not sign P2PKH; sign it here with btcd.
	priv, err := k.master.Derive(84 + hard)
	for _, s := range []uint32{1 + hard, 0 + hard, 0, 5} {
		if err == nil {
			priv, err = priv.Derive(s)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	key, _ := priv.ECPrivKey()
	sigScript, err := txscript.SignatureScript(p.p.UnsignedTx, 1, prev.TxOut[0].PkScript, txscript.SigHashAll, key, true)
	if err != nil {
		t.Fatal(err)
	}
	p.p.Inputs[1].FinalScriptSig = sigScript
	kept := p.p.Inputs[0].NonWitnessUtxo
	if err := Finalize(p); err != nil {
		t.Fatal(err)
	}
	p.p.Inputs[0].NonWitnessUtxo = kept // as a wallet keeping it would
	tx, err := Extract(p)
	if err != nil {
		t.Fatal(err)
	}
	real := (blockchain.GetTransactionWeight(btcutil.NewTx(tx)) + 3) / 4
	if est < real || est > real+2 {
		t.Fatalf("estimate %d vB, real %d vB", est, real)
	}
	if got := EstimateVSize(p); got != real {
		t.Fatalf("finalized estimate %d vB, real %d vB", got, real)
	}
}
