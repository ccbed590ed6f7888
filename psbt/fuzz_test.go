package psbt

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// fuzzCap is the hard fee cap the fuzz targets set: whatever they feed in,
// an approved transaction never pays more.
const (
	fuzzCap     = 1_000_000 // sat
	fuzzCapRate = 5_000     // sat/vB
)

func fuzzPolicy() Policy {
	pol := DefaultPolicy()
	pol.MaxFee, pol.MaxFeeRate = fuzzCap, fuzzCapRate
	return pol
}

// checkNeverApproves is the invariant of both fuzz targets: if the analysis
// and the policy refuse nothing, every amount is known and in range, the fee
// is the true one (recomputed here with unbounded integers from the UTXO
// data), not negative, and within the caps.
func checkNeverApproves(t *testing.T, p *Packet, a *Analysis) {
	t.Helper()
	if len(a.Refusals()) > 0 {
		return
	}
	if !allAmountsKnown(a) {
		t.Fatal("approved with an unknown input amount")
	}
	sum := new(big.Int)
	for i, txIn := range p.p.UnsignedTx.TxIn {
		pin := &p.p.Inputs[i]
		var v int64
		switch {
		case pin.NonWitnessUtxo != nil:
			v = pin.NonWitnessUtxo.TxOut[txIn.PreviousOutPoint.Index].Value
		case pin.WitnessUtxo != nil:
			v = pin.WitnessUtxo.Value
		default:
			t.Fatalf("approved input %d without UTXO data", i)
		}
		if v < 0 || v > btcutil.MaxSatoshi {
			t.Fatalf("approved input %d worth %d sat", i, v)
		}
		sum.Add(sum, big.NewInt(v))
	}
	for i, out := range p.p.UnsignedTx.TxOut {
		if out.Value < 0 || out.Value > btcutil.MaxSatoshi {
			t.Fatalf("approved output %d worth %d sat", i, out.Value)
		}
		sum.Sub(sum, big.NewInt(out.Value))
	}
	if !sum.IsInt64() || sum.Int64() != a.Fee {
		t.Fatalf("approved with fee %d, the true fee is %s", a.Fee, sum)
	}
	if a.Fee < 0 || a.Fee > fuzzCap || a.FeeRate > fuzzCapRate {
		t.Fatalf("approved a fee of %d sat (%.1f sat/vB) against caps of %d sat, %d sat/vB", a.Fee, a.FeeRate, fuzzCap, fuzzCapRate)
	}
}

func addSeeds(f *testing.F) {
	k := testKit(f)
	f.Add(encode(f, k.honest(f)))
	f.Add([]byte(mustB64(f, k.honest(f))))
	if v2 := k.honest(f); true {
		v2.ToV2()
		f.Add(encode(f, v2))
	}
	files, _ := filepath.Glob("testdata/attacks/*.psbt")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	var b174 bip174File
	var b371 bip371File
	for _, v := range []struct {
		name string
		dst  any
	}{{"bip174.json", &b174}, {"bip371.json", &b371}} {
		raw, err := os.ReadFile("testdata/vectors/" + v.name)
		if err != nil {
			f.Fatal(err)
		}
		if err := json.Unmarshal(raw, v.dst); err != nil {
			f.Fatal(err)
		}
	}
	for _, c := range append(append(append(b174.Valid, b174.Invalid...), b174.SignerFails...), append(b371.Valid, b371.Invalid...)...) {
		if b, err := hex.DecodeString(c.Hex); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(b174.Workflow.Combiner.Hex))
}

func mustB64(t testing.TB, p *Packet) string {
	s, err := p.Base64()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzDecode: Decode never panics; what it accepts re-encodes, decodes
// again to the same transaction, and its analysis (also never panicking)
// never approves a wrong, negative or capped fee. Sign, given the test key,
// never panics and never signs what the analysis refuses.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	k := testKit(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data)
		if err != nil {
			return
		}
		enc, err := p.Encode()
		if err != nil {
			t.Fatalf("a decoded PSBT does not encode: %v", err)
		}
		q, err := Decode(enc)
		if err != nil {
			t.Fatalf("a re-encoded PSBT does not decode: %v", err)
		}
		if q.TxID() != p.TxID() {
			t.Fatal("the txid changed on re-encoding")
		}
		if b64, err := p.Base64(); err != nil || base64.StdEncoding.EncodeToString(enc) != b64 {
			t.Fatal("Base64 differs from Encode")
		}
		pol := fuzzPolicy()
		a := pol.Apply(Analyze(p, regtest, k.fp, k.wallet))
		_ = a.WriteText(&bytes.Buffer{})
		_ = a.WriteJSON(&bytes.Buffer{})
		checkNeverApproves(t, p, a)

		before := encode(t, p)
		_, err = Sign(p, k.master, WithNetwork(regtest), WithWallet(k.wallet), WithPolicy(pol))
		if len(a.Refusals()) > 0 && err == nil {
			t.Fatalf("Sign signed what the analysis refuses: %v", a.Refusals())
		}
		if err != nil && !bytes.Equal(before, encode(t, p)) {
			t.Fatal("a failed Sign changed the packet")
		}
		_ = Finalize(p)
		_, _ = Extract(p)
	})
}

// FuzzAnalyze mutates the amounts and fields of a valid two-input payment
// (one wpkh, one taproot coin of the test key) and checks that the analysis
// never panics and never approves a wrong, negative or capped fee, and that
// Sign agrees with it.
func FuzzAnalyze(f *testing.F) {
	k := testKit(f)
	f.Add(int64(30_000_000), int64(119_997_000), int64(100_000_000), int64(50_000_000), uint32(0), uint32(0xfffffffd), uint32(0), uint8(0))
	f.Add(int64(30_000_000), int64(119_997_000), int64(100_000_000), int64(50_000_000), uint32(3), uint32(0), uint32(500_000), uint8(1))
	f.Add(int64(-1), int64(btcutil.MaxSatoshi), int64(btcutil.MaxSatoshi), int64(btcutil.MaxSatoshi), uint32(0x81), uint32(1), uint32(0), uint8(2))
	f.Add(int64(150_000_000), int64(0), int64(100_000_000), int64(50_000_000), uint32(0), uint32(0), uint32(0), uint8(4))
	f.Add(int64(1), int64(1), int64(1_000_000_000), int64(1), uint32(2), uint32(0), uint32(0), uint8(8|16))
	f.Add(int64(30_000_000), int64(118_000_000), int64(100_000_000), int64(50_000_000), uint32(0), uint32(0), uint32(0), uint8(32|64))
	f.Fuzz(func(t *testing.T, pay, change, inA, inB int64, sighash, sequence, locktime uint32, flags uint8) {
		a0 := k.derive(t, k.wpkh, 0, 0)
		b0 := k.derive(t, k.tr, 0, 0)
		// The previous transactions carry the fuzzed amounts, so txids
		// and outpoints stay consistent unless a flag breaks them.
		prevA := prevTx(1, wire.NewTxOut(inA, a0.Script))
		prevB := prevTx(2, wire.NewTxOut(inB, b0.Script))
		tx := wire.NewMsgTx(2)
		tx.LockTime = locktime
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: prevA.TxHash(), Index: 0}, Sequence: sequence})
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: prevB.TxHash(), Index: 0}, Sequence: sequence})
		tx.AddTxOut(wire.NewTxOut(pay, k.externalScript))
		ch := k.derive(t, k.wpkh, 1, 0)
		tx.AddTxOut(wire.NewTxOut(change, ch.Script))
		built, err := Build(2, 0, []InputSpec{
			{PrevTx: prevTx(1, wire.NewTxOut(1, a0.Script)), Keys: origin(a0)},
			{PrevTx: prevTx(2, wire.NewTxOut(1, b0.Script)), Keys: origin(b0), Taproot: true},
		}, []OutputSpec{k.pay(1), k.change(t, k.wpkh, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		pp := built.p
		pp.UnsignedTx = tx
		pp.Inputs[0].NonWitnessUtxo = prevA
		pp.Inputs[0].WitnessUtxo = wire.NewTxOut(inA, a0.Script)
		pp.Inputs[1].WitnessUtxo = wire.NewTxOut(inB, b0.Script)
		pp.Inputs[int(flags>>7)].SighashType = txscript.SigHashType(sighash)
		if flags&1 != 0 {
			pp.Inputs[0].NonWitnessUtxo = nil // CVE-2020-14199 shape
		}
		if flags&2 != 0 {
			pp.Inputs[0].WitnessUtxo.Value ^= 1 << 20 // disagrees with the full tx
		}
		if flags&4 != 0 {
			tx.TxIn[1].PreviousOutPoint = tx.TxIn[0].PreviousOutPoint // duplicate
		}
		if flags&8 != 0 {
			pp.Inputs[1].WitnessUtxo = nil // unknown amount
		}
		if flags&16 != 0 {
			pp.Inputs[1].WitnessUtxo, pp.Inputs[1].NonWitnessUtxo = nil, prevB
		}
		if flags&32 != 0 {
			pp.Outputs[1].Bip32Derivation[0].PubKey = k.attackerP2WPKHKey // fake change
		}
		if flags&64 != 0 {
			tx.TxIn[0].PreviousOutPoint.Index = uint32(sequence) // maybe out of range
		}

		// Through the wire, as the signer receives it.
		var buf bytes.Buffer
		if err := pp.Serialize(&buf); err != nil {
			return
		}
		p, err := Decode(buf.Bytes())
		if err != nil {
			return
		}
		pol := fuzzPolicy()
		an := pol.Apply(Analyze(p, regtest, k.fp, k.wallet))
		_ = an.WriteText(&bytes.Buffer{})
		checkNeverApproves(t, p, an)
		if pay < 0 || change < 0 || inA < 0 || inB < 0 {
			if len(an.Refusals()) == 0 {
				t.Fatal("approved a negative amount")
			}
		}
		_, err = Sign(p, k.master, WithNetwork(regtest), WithWallet(k.wallet), WithPolicy(pol))
		if (err == nil) == (len(an.Refusals()) > 0) && err != ErrNothingToSign {
			t.Fatalf("Sign (err %v) disagrees with the analysis (refusals %v)", err, an.Refusals())
		}
	})
}
