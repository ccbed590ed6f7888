package online

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/wire"
)

// sendPrepared prepares opts, signs with the test keys and broadcasts
// through Broadcast; it returns the signed transaction.
func (e *testEnv) sendPrepared(t *testing.T, opts PrepareOptions, signers int) *wire.MsgTx {
	t.Helper()
	if err := Prepare(context.Background(), e.Env, opts); err != nil {
		t.Fatal(err)
	}
	return e.signAndSend(t, opts.Out, signers)
}

func (e *testEnv) signAndSend(t *testing.T, unsigned string, signers int) *wire.MsgTx {
	t.Helper()
	p := readPSBTFile(t, unsigned)
	var files []string
	for i := 0; i < signers; i++ {
		c, err := p.Clone()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := psbt.Sign(c, testMaster(t, i)); err != nil {
			t.Fatal(err)
		}
		raw, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		f := unsigned + ".signed" + itoa(int64(i+1))
		if err := os.WriteFile(f, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	e.reset()
	if err := Broadcast(context.Background(), e.Env, BroadcastOptions{Yes: true, Wallet: "w", Sources: files, ExpectTxID: p.UnsignedTx().TxHash().String()}); err != nil {
		t.Fatal(err)
	}
	tx, err := e.chain.RawTransaction(context.Background(), p.UnsignedTx().TxHash())
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func TestBumpLowersChange(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 100_000_000)
	e.fundAt(t, w, 0, 1, 10_000_000) // not needed: the change pays
	pay := payee(t, 1)
	old := e.sendPrepared(t, PrepareOptions{Wallet: "w", To: []string{pay.EncodeAddress() + ":0.3"}, FeeRate: 1, Out: e.path("p.psbt")}, 1)
	oldFee := e.chain.feeOf(t, old)

	e.reset()
	err := Bump(context.Background(), e.Env, BumpOptions{Wallet: "w", TxID: old.TxHash().String(), FeeRate: 10, Out: e.path("b.psbt")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.errs.String(), "replaces "+old.TxHash().String()) || !strings.Contains(e.errs.String(), "fee taken from the change") {
		t.Errorf("stderr: %s", e.errs)
	}
	repl := e.signAndSend(t, e.path("b.psbt"), 1)
	if len(repl.TxIn) != len(old.TxIn) || repl.TxIn[0].PreviousOutPoint != old.TxIn[0].PreviousOutPoint {
		t.Fatalf("replacement spends %v, original %v", repl.TxIn, old.TxIn)
	}
	checkReplacement(t, e, old, repl, oldFee, 10)
	if len(repl.TxOut) != 2 {
		t.Fatalf("%d outputs", len(repl.TxOut))
	}
	// The payment is untouched, the change is lower by the fee increase.
	for i := range old.TxOut {
		if !bytes.Equal(old.TxOut[i].PkScript, repl.TxOut[i].PkScript) {
			t.Fatalf("output %d moved", i)
		}
		if bytes.Equal(old.TxOut[i].PkScript, scriptOf(t, pay)) && repl.TxOut[i].Value != 30_000_000 {
			t.Fatalf("payment changed to %d", repl.TxOut[i].Value)
		}
	}
	if st, _ := e.chain.TxStatus(context.Background(), old.TxHash()); st.Known {
		t.Fatal("the original is still in the mempool")
	}
	// The original cannot be bumped again: the node forgot it.
	err = Bump(context.Background(), e.Env, BumpOptions{Wallet: "w", TxID: old.TxHash().String(), FeeRate: 20, Out: e.path("c.psbt")})
	if err == nil || !strings.Contains(err.Error(), "is unknown to fake node") {
		t.Fatalf("bumping a replaced transaction: %v", err)
	}
	// And a confirmed one is refused.
	e.chain.mine()
	err = Bump(context.Background(), e.Env, BumpOptions{Wallet: "w", TxID: repl.TxHash().String(), FeeRate: 20, Out: e.path("c.psbt")})
	if err == nil || !strings.Contains(err.Error(), "is already confirmed (1 confirmation,") {
		t.Fatalf("bumping a confirmed transaction: %v", err)
	}
}

func checkReplacement(t *testing.T, e *testEnv, old, repl *wire.MsgTx, oldFee int64, rate float64) {
	t.Helper()
	fee, vsize := e.chain.feeOf(t, repl), vsizeOf(repl)
	if float64(fee) < rate*float64(vsize) {
		t.Errorf("replacement fee %d for %d vB is below %.0f sat/vB", fee, vsize, rate)
	}
	if fee < oldFee+vsize {
		t.Errorf("BIP125 rule 4: fee %d < old fee %d + %d vB × 1 sat/vB", fee, oldFee, vsize)
	}
	for i, in := range repl.TxIn {
		if in.Sequence != 0xfffffffd {
			t.Errorf("input %d sequence %#x", i, in.Sequence)
		}
	}
	if repl.LockTime != old.LockTime {
		t.Errorf("locktime %d, original %d", repl.LockTime, old.LockTime)
	}
}

// TestBumpAddsCoins: a sweep-like payment without change, and a change too
// small to pay the increase, both get another wallet coin and a change
// output.
func TestBumpAddsCoins(t *testing.T) {
	for _, kind := range []descriptor.Kind{descriptor.WPKH, descriptor.WSHSortedMulti} {
		t.Run(kind.String(), func(t *testing.T) {
			e := newTestEnv(t)
			w := e.importTest(t, "w", testDescriptor(t, kind))
			signers := 1
			if kind.IsMultisig() {
				signers = 2
			}
			small := e.fundAt(t, w, 0, 0, 1_000_000)
			e.fundAt(t, w, 0, 1, 5_000_000)
			// Spend the small coin exactly, leaving change below dust.
			old := e.sendPrepared(t, PrepareOptions{Wallet: "w", Coins: []string{small.String()},
				Sweep: payee(t, 2).EncodeAddress(), FeeRate: 1, Out: e.path("p.psbt")}, signers)
			if len(old.TxOut) != 1 {
				t.Fatalf("original has %d outputs", len(old.TxOut))
			}
			oldFee := e.chain.feeOf(t, old)
			e.reset()
			if err := Bump(context.Background(), e.Env, BumpOptions{Wallet: "w", TxID: old.TxHash().String(), FeeRate: 25, Out: e.path("b.psbt")}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(e.errs.String(), "1 wallet coin added") {
				t.Errorf("stderr: %s", e.errs)
			}
			if !strings.Contains(e.out.String(), "change, verified at") {
				t.Errorf("new change not verified:\n%s", e.out)
			}
			repl := e.signAndSend(t, e.path("b.psbt"), signers)
			if len(repl.TxIn) != 2 || repl.TxIn[0].PreviousOutPoint != small || len(repl.TxOut) != 2 {
				t.Fatalf("replacement: %d inputs (first %v), %d outputs", len(repl.TxIn), repl.TxIn[0].PreviousOutPoint, len(repl.TxOut))
			}
			if repl.TxOut[0].Value != old.TxOut[0].Value || !bytes.Equal(repl.TxOut[0].PkScript, old.TxOut[0].PkScript) {
				t.Fatal("the payment changed")
			}
			checkReplacement(t, e, old, repl, oldFee, 25)
		})
	}
}

func TestBumpRefusals(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 0, 100_000_000)
	noRBF := e.sendPrepared(t, PrepareOptions{Wallet: "w", To: []string{payee(t, 1).EncodeAddress() + ":0.1"}, FeeRate: 1, NoRBF: true, Out: e.path("n.psbt")}, 1)

	// A transaction of another wallet (the tr wallet of the same key).
	e2 := newTestEnv(t)
	e2.chain = e.chain
	e2.Connect = e.Connect
	tr := e2.importTest(t, "w", testDescriptor(t, descriptor.TR))
	e2.fundAt(t, tr, 0, 0, 50_000_000)
	other := e2.sendPrepared(t, PrepareOptions{Wallet: "w", To: []string{payee(t, 2).EncodeAddress() + ":0.1"}, FeeRate: 1, Out: e2.path("o.psbt")}, 1)

	// A low-fee RBF transaction to test the rate rule.
	e.fundAt(t, w, 0, 5, 20_000_000)
	rbf := e.sendPrepared(t, PrepareOptions{Wallet: "w", To: []string{payee(t, 3).EncodeAddress() + ":0.01"}, FeeRate: 4, Out: e.path("r.psbt")}, 1)
	// A sweep of a small coin when no other coin is confirmed: a bump needs
	// coins the wallet does not have.
	tiny := e.fundAt(t, w, 0, 7, 1_000_000)
	sweep := e.sendPrepared(t, PrepareOptions{Wallet: "w", Sweep: payee(t, 4).EncodeAddress(), Coins: []string{tiny.String()}, FeeRate: 1, Out: e.path("s.psbt")}, 1)

	cases := []struct {
		name string
		opts BumpOptions
		want string
	}{
		{"not RBF", BumpOptions{TxID: noRBF.TxHash().String(), FeeRate: 5}, "does not signal replaceability"},
		{"not ours", BumpOptions{TxID: other.TxHash().String(), FeeRate: 5}, "input 0 (" + other.TxIn[0].PreviousOutPoint.String() + ") is not a coin of wallet \"w\""},
		{"unknown", BumpOptions{TxID: strings.Repeat("ab", 32), FeeRate: 5}, "is unknown to fake node"},
		{"rate not higher", BumpOptions{TxID: rbf.TxHash().String(), FeeRate: 3}, "is not above the transaction's 4."},
		{"no rate", BumpOptions{TxID: rbf.TxHash().String()}, "no fee rate for the replacement"},
		{"rate above cap", BumpOptions{TxID: rbf.TxHash().String(), FeeRate: 20_000}, "above the cap"},
		{"bad txid", BumpOptions{TxID: "abc", FeeRate: 5}, "is not a txid"},
		{"no coins to add", BumpOptions{TxID: sweep.TxHash().String(), FeeRate: 50}, "insufficient funds: need"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Wallet, c.opts.Out = "w", e.path("bump.psbt")
			err := Bump(context.Background(), e.Env, c.opts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v\nwant %q", err, c.want)
			}
			if _, err := os.Stat(e.path("bump.psbt")); !os.IsNotExist(err) {
				t.Fatal("a PSBT was written")
			}
		})
	}
}
