package psbt

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// bdkMessage is the message of bdk-reserves' test proofs
// (testdata/peers/bdk-reserves/SOURCE).
const bdkMessage = "This belongs to me."

func readBDKProof(t *testing.T, name string) *Packet {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "peers", "bdk-reserves", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Decode(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// TestReservesBDKProof verifies the proof bdk-reserves signs in its own test
// suite and asserts what that suite asserts: 50,000 sat for "This belongs to
// me.", refused for another message, a changed amount or output.
func TestReservesBDKProof(t *testing.T) {
	signed := readBDKProof(t, "signed.psbt.b64")
	if signed.IsReserves() {
		t.Fatal("bdk-reserves writes no PSBT_IN_POR_COMMITMENT, yet the proof reads as carrying one")
	}
	op := signed.p.UnsignedTx.TxIn[0].PreviousOutPoint
	if f, ok := MatchReservesFormat(op, bdkMessage); !ok || f != ReservesBDK {
		t.Fatalf("bdk-reserves' commitment input is matched as %q, %v; want %q", f, ok, ReservesBDK)
	}
	if f, ok := MatchReservesFormat(op, "Wrong message!"); ok {
		t.Fatalf("another message matches bdk's commitment as %q", f)
	}
	if err := signed.SetReservesMessage("Wrong message!"); err == nil || !strings.Contains(err.Error(), "does not commit") {
		t.Fatalf("SetReservesMessage with the wrong message: %v", err)
	}
	if err := signed.SetReservesMessage(bdkMessage); err != nil {
		t.Fatal(err)
	}
	if !signed.IsReserves() || signed.ReservesMessage() != bdkMessage {
		t.Fatalf("after SetReservesMessage: reserves %v, message %q", signed.IsReserves(), signed.ReservesMessage())
	}
	// The coin as bdk's PSBT gives it: the verifier is handed the coin,
	// as a node would give it at the proof's height.
	coin := signed.p.UnsignedTx.TxIn[1].PreviousOutPoint
	prev := map[wire.OutPoint]*wire.TxOut{coin: signed.p.Inputs[1].WitnessUtxo}
	tx, err := FinalizeReserves(signed)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := VerifyReserves(tx, bdkMessage, prev)
	if err != nil {
		t.Fatalf("bdk-reserves' own proof does not verify: %v", err)
	}
	if proof.Total != 50_000 || proof.Format != ReservesBDK || len(proof.Coins) != 1 || proof.Coins[0] != coin {
		t.Fatalf("proof = %+v; bdk-reserves' test asserts 50,000 sat over one coin", proof)
	}
	if _, err := VerifyReserves(tx, "Wrong message!", prev); err == nil || !strings.Contains(err.Error(), "another message") {
		t.Fatalf("wrong message: %v", err)
	}
	tampered := map[string]func(tx *wire.MsgTx){
		"sum_mismatch":   func(tx *wire.MsgTx) { tx.TxOut[0].Value = 123 },
		"invalid_output": func(tx *wire.MsgTx) { tx.TxOut[0].PkScript = p2pkhScript(btcutil.Hash160([]byte{0, 1, 2, 3})) },
		"no_signature":   func(tx *wire.MsgTx) { tx.TxIn[1].Witness = nil },
	}
	for name, tamper := range tampered {
		bad := tx.Copy()
		tamper(bad)
		if _, err := VerifyReserves(bad, bdkMessage, prev); err == nil {
			t.Errorf("%s: the tampered proof verifies", name)
		}
	}

	// bdk's output is the unspendable address its test names.
	addr, err := btcutil.NewAddressPubKeyHash(btcutil.Hash160([]byte{0}), &chaincfg.MainNetParams)
	if err != nil || addr.EncodeAddress() != "1FYMZEHnszCHKTBdFZ2DLrUuk3dGwYKQxh" || string(ReservesOutputScript()) != string(tx.TxOut[0].PkScript) {
		t.Fatalf("unspendable output: %v %v", addr, err)
	}
}

// TestReservesBDKUnsigned: the unsigned proof bdk-reserves makes is
// recognised, once its message is given, as a proof in bdk's format with no
// commitment problem, and shown as such.
func TestReservesBDKUnsigned(t *testing.T) {
	p := readBDKProof(t, "unsigned.psbt.b64")
	if err := p.SetReservesMessage(bdkMessage); err != nil {
		t.Fatal(err)
	}
	a := Analyze(p, &chaincfg.TestNet3Params, 0, nil)
	if a.Reserves == nil || a.Reserves.Format != ReservesBDK || a.Reserves.Total != 50_000 || a.Reserves.Coins != 1 {
		t.Fatalf("reserves = %+v", a.Reserves)
	}
	for _, pr := range a.Problems {
		if strings.HasPrefix(string(pr.Code), "reserves-") {
			t.Errorf("problem %s: %s", pr.Code, pr.Message)
		}
	}
}

// TestReservesFormats: each format derives its own commitment, our builder
// writes the one asked for, and the names the command line takes parse.
func TestReservesFormats(t *testing.T) {
	seen := map[string]ReservesFormat{}
	for _, f := range ReservesFormats {
		h := f.Commitment(bdkMessage).String()
		if other, dup := seen[h]; dup {
			t.Fatalf("%s and %s derive the same commitment", f, other)
		}
		seen[h] = f
		got, ok := MatchReservesFormat(wire.OutPoint{Hash: f.Commitment(bdkMessage)}, bdkMessage)
		if !ok || got != f {
			t.Errorf("%s: matched as %q, %v", f, got, ok)
		}
	}
	// bdk's own PSBT is the independent witness of its format.
	bdk := readBDKProof(t, "unsigned.psbt.b64")
	if got := ReservesBDK.Commitment(bdkMessage); got != bdk.p.UnsignedTx.TxIn[0].PreviousOutPoint.Hash {
		t.Fatalf("our bdk-format commitment %s is not bdk-reserves' %s", got, bdk.p.UnsignedTx.TxIn[0].PreviousOutPoint.Hash)
	}
	if _, ok := MatchReservesFormat(wire.OutPoint{Hash: ReservesBIP127.Commitment(bdkMessage), Index: 1}, bdkMessage); ok {
		t.Error("a commitment at index 1 matched; BIP127 spends index 0")
	}
	for in, want := range map[string]ReservesFormat{"": ReservesBIP127, "BIP127": ReservesBIP127, "bdk": ReservesBDK, "bdk-reserves": ReservesBDK, " elements ": ReservesElements} {
		if got, err := ParseReservesFormat(in); err != nil || got != want {
			t.Errorf("ParseReservesFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseReservesFormat("bip322"); err == nil || !strings.Contains(err.Error(), "bip127") {
		t.Errorf("ParseReservesFormat(bip322): %v", err)
	}
	if _, err := BuildReserves("bip322", bdkMessage, nil); err == nil {
		t.Error("BuildReserves took an unknown format")
	}
}

// TestReservesElementsRealCoin: in ElementsProject's format a 32-byte
// message can be the inner hash of a real transaction, so its "commitment
// input" is that transaction's output 0 and signing would spend every coin
// for real. Such a proof is neither built nor signed; the other formats and
// other lengths are.
func TestReservesElementsRealCoin(t *testing.T) {
	k := testKit(t)
	// A real transaction whose SHA-256 is printable (what an attacker
	// grinds for); here the message is simply taken as that inner hash.
	inner := strings.Repeat("a", sha256.Size)
	op := wire.OutPoint{Hash: chainhash.Hash(sha256.Sum256([]byte(inner)))}
	if f, ok := MatchReservesFormat(op, inner); !ok || f != ReservesElements {
		t.Fatalf("match %q %v", f, ok)
	}
	if _, err := BuildReserves(ReservesElements, inner, k.reservesCoins(t)); err == nil || !strings.Contains(err.Error(), "real spend") {
		t.Fatalf("built: %v", err)
	}
	for _, f := range ReservesFormats {
		for _, msg := range []string{inner, inner + "b"} {
			if f == ReservesElements && msg == inner {
				continue
			}
			if _, err := BuildReserves(f, msg, k.reservesCoins(t)); err != nil {
				t.Errorf("%s, %d bytes: %v", f, len(msg), err)
			}
		}
	}
	// Made by hand (as a hostile online machine would), the signer refuses it.
	p, err := BuildReserves(ReservesBIP127, inner, k.reservesCoins(t))
	if err != nil {
		t.Fatal(err)
	}
	p.p.UnsignedTx.TxIn[0].PreviousOutPoint = op
	a := k.analyze(p, DefaultPolicy())
	refused := false
	for _, r := range a.Refusals() {
		refused = refused || (r.Code == CodeReservesCommitment && strings.Contains(r.Message, "real spend"))
	}
	if !refused {
		t.Fatalf("signer did not refuse: %v", a.Refusals())
	}
}
