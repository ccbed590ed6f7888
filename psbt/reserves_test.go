package psbt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

const reservesMsg = "airsign drill 2026-12-03, challenge 7f3a"

// reservesCoins are three coins of the test key, one of each script type.
func (k *kit) reservesCoins(t testing.TB) []InputSpec {
	return []InputSpec{
		k.wpkhCoin(t, 11, 0, 0, 50_000_000),
		k.shwpkhCoin(t, 12, 0, 1, 20_000_000),
		k.trCoin(t, 13, 1, 2, 7_000_000),
	}
}

func prevOutsOf(coins []InputSpec) map[wire.OutPoint]*wire.TxOut {
	m := map[wire.OutPoint]*wire.TxOut{}
	for _, c := range coins {
		m[wire.OutPoint{Hash: c.PrevTx.TxHash(), Index: c.Vout}] = c.PrevTx.TxOut[c.Vout]
	}
	return m
}

// The commitment is BIP127's: SHA-256 of the prefixed message, as the txid's
// internal bytes (bdk-reserves' layout), and the output is P2PKH(HASH160(0)).
func TestReservesCommitmentLayout(t *testing.T) {
	want := sha256.Sum256([]byte("Proof-of-Reserves: Some Message"))
	got := ReservesCommitment("Some Message")
	if hex.EncodeToString(got[:]) != hex.EncodeToString(want[:]) {
		t.Fatalf("commitment bytes %x, want %x", got[:], want[:])
	}
	addr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160([]byte{0}), regtest)
	if err != nil {
		t.Fatal(err)
	}
	script, _ := txscript.PayToAddrScript(addr)
	if hex.EncodeToString(ReservesOutputScript()) != hex.EncodeToString(script) {
		t.Fatalf("output script %x, want %x", ReservesOutputScript(), script)
	}
}

// The whole path: build, encode and decode (the field survives), analyse (a
// proof, no refusal, nothing spent), sign, finalize, extract, verify with
// btcd's script engine.
// In each format (BIP127, bdk-reserves, ElementsProject).
func TestReservesSignAndVerify(t *testing.T) {
	for _, f := range ReservesFormats {
		t.Run(string(f), func(t *testing.T) {
			k := testKit(t)
			coins := k.reservesCoins(t)
			prev := prevOutsOf(coins)
			p, err := BuildReserves(f, reservesMsg, coins)
			if err != nil {
				t.Fatal(err)
			}
			p, err = Decode(encode(t, p))
			if err != nil {
				t.Fatal(err)
			}
			if !p.IsReserves() {
				t.Fatal("the decoded PSBT lost its BIP127 commitment field")
			}
			a := k.analyze(p, Policy{WarnFeePercent: 10, WarnFeeRate: 10_000, Allowlist: []string{k.externalAddress}})
			if r := a.Refusals(); len(r) > 0 {
				t.Fatalf("an honest proof is refused: %v", r)
			}
			if a.Reserves == nil || a.Reserves.Coins != 3 || a.Reserves.Total != 77_000_000 || a.Reserves.Message != reservesMsg || a.Reserves.Format != f {
				t.Fatalf("reserves = %+v, want 3 coins, 0.77 BTC and the message", a.Reserves)
			}
			if a.Spend != 0 || a.Fee != 0 {
				t.Fatalf("a proof spends %d sat with fee %d; want nothing", a.Spend, a.Fee)
			}
			for _, pr := range a.Problems {
				if pr.Code == "unknown-field" {
					t.Fatalf("the commitment field is reported as unknown: %v", pr)
				}
			}
			res, err := k.sign(p, DefaultPolicy())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Signed) != 3 || res.Signed[0] != 1 {
				t.Fatalf("signed inputs %v, want 1, 2, 3 (never the commitment)", res.Signed)
			}
			tx, err := FinalizeReserves(p)
			if err != nil {
				t.Fatal(err)
			}
			if len(tx.TxIn[0].SignatureScript) != 0 || len(tx.TxIn[0].Witness) != 0 {
				t.Fatal("the commitment input must stay empty")
			}
			proof, err := VerifyReserves(tx, reservesMsg, prev)
			if err != nil {
				t.Fatal(err)
			}
			if proof.Total != 77_000_000 || len(proof.Coins) != 3 || proof.Format != f {
				t.Fatalf("proof = %+v", proof)
			}

			// The same proof does not verify for another message, with a coin
			// that did not exist, or once an amount is changed.
			if _, err := VerifyReserves(tx, reservesMsg+" ", prev); err == nil || !strings.Contains(err.Error(), "another message") {
				t.Fatalf("other message: %v", err)
			}
			short := prevOutsOf(coins[:2])
			if _, err := VerifyReserves(tx, reservesMsg, short); err == nil || !strings.Contains(err.Error(), "input 3") {
				t.Fatalf("unknown coin: %v", err)
			}
			lie := prevOutsOf(coins)
			for op, out := range lie {
				if out.Value == 20_000_000 {
					lie[op] = wire.NewTxOut(out.Value+1, out.PkScript)
				}
			}
			tampered := tx.Copy()
			tampered.TxOut[0].Value++
			if _, err := VerifyReserves(tampered, reservesMsg, lie); err == nil || !strings.Contains(err.Error(), "does not verify") {
				t.Fatalf("amount lie: %v", err)
			}
		})
	}
}

// Every way to bend a proof into something that could move coins, or prove
// something other than what is shown, is refused before signing.
func TestReservesHostile(t *testing.T) {
	k := testKit(t)
	cases := []struct {
		name   string
		change func(p *Packet)
		code   Code
	}{
		{"message swapped after the commitment", func(p *Packet) {
			p.p.Inputs[0].Unknowns[0].Value = []byte("another message")
		}, "reserves-commitment"},
		{"commitment at index 1", func(p *Packet) {
			p.p.UnsignedTx.TxIn[0].PreviousOutPoint.Index = 1
		}, "reserves-commitment"},
		{"commitment claims a coin", func(p *Packet) {
			p.p.Inputs[0].WitnessUtxo = wire.NewTxOut(5_000_000, p.p.Inputs[1].WitnessUtxo.PkScript)
		}, "reserves-commitment"},
		{"output pays an address", func(p *Packet) {
			p.p.UnsignedTx.TxOut[0].PkScript = k.externalScript
		}, "reserves-output"},
		{"second output", func(p *Packet) {
			p.p.UnsignedTx.TxOut[0].Value -= 1000
			p.p.UnsignedTx.AddTxOut(wire.NewTxOut(1000, k.externalScript))
			p.p.Outputs = append(p.p.Outputs, p.p.Outputs[0])
		}, "reserves-outputs"},
		{"a fee hidden in the total", func(p *Packet) {
			p.p.UnsignedTx.TxOut[0].Value -= 5000
		}, "reserves-amount"},
		{"ANYONECANPAY signature", func(p *Packet) {
			p.p.Inputs[1].SighashType = txscript.SigHashAll | txscript.SigHashAnyOneCanPay
		}, "reserves-sighash"},
		{"second commitment field", func(p *Packet) {
			p.p.Inputs[2].Unknowns = append(p.p.Inputs[2].Unknowns, p.p.Inputs[0].Unknowns[0])
		}, "reserves-commitment"},
		{"control characters in the message", func(p *Packet) {
			msg := "drill\x1b[2J"
			h := ReservesCommitment(msg)
			p.p.Inputs[0].Unknowns[0].Value = []byte(msg)
			p.p.UnsignedTx.TxIn[0].PreviousOutPoint.Hash = h
		}, "reserves-message"},
		{"only the commitment", func(p *Packet) {
			p.p.UnsignedTx.TxIn = p.p.UnsignedTx.TxIn[:1]
			p.p.Inputs = p.p.Inputs[:1]
			p.p.UnsignedTx.TxOut[0].Value = 0
		}, "reserves-empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := BuildReserves(ReservesBIP127, reservesMsg, k.reservesCoins(t))
			if err != nil {
				t.Fatal(err)
			}
			tc.change(p)
			p, err = Decode(encode(t, p))
			if err != nil {
				t.Fatalf("the hostile proof does not even decode: %v", err)
			}
			a := k.analyze(p, DefaultPolicy())
			if !hasProblem(a, tc.code) {
				t.Fatalf("want a %s refusal, got %v", tc.code, a.Problems)
			}
			if _, err := k.sign(p, DefaultPolicy()); err == nil {
				t.Fatal("signed a hostile proof")
			}
			// The screen must not vouch for what was refused: no
			// "spends nothing", and no output paying an address called
			// unspendable.
			var screen bytes.Buffer
			if err := a.WriteText(&screen); err != nil {
				t.Fatal(err)
			}
			text := screen.String()
			if strings.Contains(text, "spends nothing") || strings.Contains(text, "Leaves us:    nothing") || !strings.Contains(text, "CLAIMS TO BE A PROOF OF RESERVES") {
				t.Errorf("the screen of a refused proof reads like a proof:\n%s", text)
			}
			burns := 0
			for _, o := range p.p.UnsignedTx.TxOut {
				if bytes.Equal(o.PkScript, ReservesOutputScript()) {
					burns++
				}
			}
			if n := strings.Count(text, "unspendable (proof of reserves)"); n != burns {
				t.Errorf("%d outputs called unspendable, %d are:\n%s", n, burns, text)
			}
		})
	}
}

func TestCheckReservesMessage(t *testing.T) {
	for _, bad := range []string{"", strings.Repeat("a", MaxReservesMessage+1), "line\nbreak", "\xff\xfe", "tab\there"} {
		if err := CheckReservesMessage(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := CheckReservesMessage("Reserves of ACME, 2026-12-03, challenge: Ünïcode ok"); err != nil {
		t.Error(err)
	}
	if _, err := BuildReserves(ReservesBIP127, reservesMsg, nil); err == nil {
		t.Error("a proof of no coin was built")
	}
}

// TestReservesCommitmentWithoutUTXO: a proof whose commitment input comes
// without UTXO data (other makers leave it out: it spends no coin) is
// signed as BIP127 tells verifiers to read it, spending {0, OP_TRUE}, which
// the taproot coin's signature commits to; inspect and sign agree on it.
func TestReservesCommitmentWithoutUTXO(t *testing.T) {
	k := testKit(t)
	coins := k.reservesCoins(t)
	p, err := BuildReserves(ReservesBIP127, reservesMsg, coins)
	if err != nil {
		t.Fatal(err)
	}
	p.p.Inputs[0].WitnessUtxo = nil
	if p, err = Decode(encode(t, p)); err != nil {
		t.Fatal(err)
	}
	if r := k.analyze(p, DefaultPolicy()).Refusals(); len(r) > 0 {
		t.Fatalf("refused: %v", r)
	}
	res, err := k.sign(p, DefaultPolicy())
	if err != nil || len(res.Signed) != 3 {
		t.Fatalf("signed %v: %v", res.Signed, err)
	}
	tx, err := FinalizeReserves(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyReserves(tx, reservesMsg, prevOutsOf(coins)); err != nil {
		t.Fatalf("the signed proof does not verify: %v", err)
	}
}
