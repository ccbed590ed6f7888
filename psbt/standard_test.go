package psbt

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// TestDustLimit: Bitcoin Core's dust thresholds at its 3 sat/vB dust relay
// fee (policy.cpp GetDustThreshold; the figures wallets quote).
func TestDustLimit(t *testing.T) {
	k := testKit(t)
	p2pkh := make([]byte, 25)
	p2pkh[0], p2pkh[1], p2pkh[2], p2pkh[23], p2pkh[24] = txscript.OP_DUP, txscript.OP_HASH160, 20, txscript.OP_EQUALVERIFY, txscript.OP_CHECKSIG
	for _, tc := range []struct {
		name   string
		script []byte
		want   int64
	}{
		{"p2pkh", p2pkh, 546},
		{"p2sh", p2shScript([]byte{txscript.OP_TRUE}), 540},
		{"p2wpkh", k.externalScript, 294},
		{"p2wsh", p2wshScript([]byte{txscript.OP_TRUE}), 330},
		{"p2tr", k.derive(t, k.tr, 0, 0).Script, 330},
		{"op_return", []byte{txscript.OP_RETURN, 1, 2}, 0},
	} {
		if got := DustLimit(tc.script); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestConsensusWeightRefused: a transaction no block can hold (here one
// 1.1 MB data output) is refused by Analyze and by Sign.
func TestConsensusWeightRefused(t *testing.T) {
	k := testKit(t)
	big := make([]byte, 1_100_000)
	big[0] = txscript.OP_RETURN
	p := mustBuild(t, oneWPKHCoin(t, k), []OutputSpec{{PkScript: big, Amount: 0}, k.change(t, k.wpkh, 0, 90_000_000)})
	a := k.analyze(p, DefaultPolicy())
	if !findProblem(a, want{"weight-consensus", -1, -1, Refuse, "more than the 4000000 WU a block can hold"}) {
		t.Fatalf("not refused:\n%s", listProblems(a))
	}
	if _, err := k.sign(p, DefaultPolicy()); !errors.Is(err, ErrRefused) {
		t.Fatalf("Sign: %v", err)
	}
}

// TestSequenceDisablesCSV: a coin whose script needs a relative lock, spent
// with nSequence (or a version) that turns relative locks off, can never be
// mined; the operator is told which input.
func TestSequenceDisablesCSV(t *testing.T) {
	k := testKit(t)
	script, err := txscript.NewScriptBuilder().AddInt64(144).AddOp(txscript.OP_CHECKSEQUENCEVERIFY).AddOp(txscript.OP_DROP).AddOp(txscript.OP_TRUE).Script()
	if err != nil {
		t.Fatal(err)
	}
	in := InputSpec{PrevTx: prevTx(9, wire.NewTxOut(100_000_000, p2wshScript(script))), Sequence: wire.MaxTxInSequenceNum - 2, WitnessScript: script}
	for _, tc := range []struct {
		name     string
		version  int32
		sequence uint32
		warned   bool
	}{
		{"csv honoured", 2, 144, false},
		{"sequence disables it", 2, wire.MaxTxInSequenceNum - 2, true},
		{"version 1", 1, 144, true},
	} {
		in.Sequence = tc.sequence
		p, err := Build(tc.version, 0, []InputSpec{oneWPKHCoin(t, k)[0], in}, []OutputSpec{k.pay(30_000_000)})
		if err != nil {
			t.Fatal(err)
		}
		a := Analyze(p, regtest, k.fp, ChangeWallet(p, k.fp, nil, k.wallet))
		if got := findProblem(a, want{"sequence-disables-csv", 1, -1, Warn, "can never be mined"}); got != tc.warned {
			t.Errorf("%s: warned=%v:\n%s", tc.name, got, listProblems(a))
		}
	}
}
