package online

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/wire"
)

// TestReceiveMovesOnOncePaid: each receive gives the next address not
// handed out yet; a payment to one makes the addresses after it the next.
func TestReceiveMovesOnOncePaid(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.TR))
	addr := func(i uint32) string {
		d, err := w.desc.Derive(0, i)
		if err != nil {
			t.Fatal(err)
		}
		return d.Address.EncodeAddress()
	}
	receive := func() string {
		t.Helper()
		e.reset()
		if err := Receive(context.Background(), e.Env, ReceiveOptions{Wallet: "w"}); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(e.out.String())
	}
	if got := receive(); got != addr(0) {
		t.Fatalf("first receive %s, want #0 %s", got, addr(0))
	}
	if !strings.Contains(e.errs.String(), "airsign-offline --network regtest address --index 0 --type tr --shares") {
		t.Errorf("no offline check command:\n%s", e.errs)
	}
	if got := receive(); got != addr(1) {
		t.Fatalf("receive again before a payment gave %s, want #1 %s (#0 is handed out)", got, addr(1))
	}
	e.fundAt(t, w, 0, 1, 50_000)
	if got := receive(); got != addr(2) {
		t.Fatalf("receive after #1 was paid gave %s, want #2 %s", got, addr(2))
	}
	e.fundAt(t, w, 0, 4, 50_000) // paid an address never handed out
	if got := receive(); got != addr(5) {
		t.Fatalf("receive after #4 was paid gave %s, want #5", got)
	}
}

// TestReceiveGapLimit: unpaid addresses are handed out up to the last a
// restored wallet finds (with a warning there), then refused unless
// --force, which says the gap limit a restore then needs.
func TestReceiveGapLimit(t *testing.T) {
	e := newTestEnv(t)
	w, err := ImportWallet(e.Env, ImportOptions{Name: "w", Source: testDescriptor(t, descriptor.WPKH).String(), Network: "regtest", GapLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	receive := func(force bool) (string, error) {
		e.reset()
		err := Receive(context.Background(), e.Env, ReceiveOptions{Wallet: "w", Force: force})
		return strings.TrimSpace(e.out.String()), err
	}
	for i := range 3 {
		if _, err := receive(false); err != nil {
			t.Fatalf("receive #%d within the gap limit: %v", i, err)
		}
		if warned := strings.Contains(e.errs.String(), "the last a restored wallet (gap limit 3) finds"); warned != (i == 2) {
			t.Errorf("receive #%d: warning %v:\n%s", i, warned, e.errs)
		}
	}
	_, err = receive(false)
	if err == nil || !strings.Contains(err.Error(), "receive address #3 would be the 4th unpaid one") || !strings.Contains(strings.Join(transport.Hints(err), " | "), "--gap-limit 4") {
		t.Fatalf("past the gap limit: %v (hint %q)", err, strings.Join(transport.Hints(err), " | "))
	}
	got, err := receive(true)
	d, _ := w.desc.Derive(0, 3)
	if err != nil || got != d.Address.EncodeAddress() || !strings.Contains(e.errs.String(), "only with --gap-limit 4") {
		t.Fatalf("--force: %q, %v\n%s", got, err, e.errs)
	}
	// A payment to #1 brings #2, #3 back within reach: the next is #4.
	e.fundAt(t, w, 0, 1, 10_000)
	d, _ = w.desc.Derive(0, 4)
	if got, err := receive(false); err != nil || got != d.Address.EncodeAddress() {
		t.Fatalf("after #1 was paid: %q, %v", got, err)
	}
}

// TestHistory: a payment received and one sent from here are listed with
// what they did to the wallet, the fee, confirmations and labels; JSON is
// in satoshis.
func TestHistory(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	in := e.fundAt(t, w, 0, 0, 30_000_000)
	first, err := w.desc.Derive(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := SetLabel(e.Env, "w", first.Address.EncodeAddress(), "salary"); err != nil {
		t.Fatal(err)
	}
	if err := Prepare(context.Background(), e.Env, PrepareOptions{Wallet: "w", To: []string{payee(t, 1).EncodeAddress() + ":0.1"}, FeeRate: 2, Out: e.path("p.psbt")}); err != nil {
		t.Fatal(err)
	}
	p := readPSBTFile(t, e.path("p.psbt"))
	if _, err := psbt.Sign(p, testMaster(t, 0)); err != nil {
		t.Fatal(err)
	}
	raw, _ := p.Encode()
	if err := os.WriteFile(e.path("s.psbt"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Broadcast(context.Background(), e.Env, BroadcastOptions{Yes: true, Wallet: "w", Sources: []string{e.path("s.psbt")}}); err != nil {
		t.Fatal(err)
	}
	e.chain.mine()

	e.reset()
	if err := History(context.Background(), e.Env, HistoryOptions{Wallet: "w", JSON: true}); err != nil {
		t.Fatal(err)
	}
	var got []HistoryEntry
	if err := json.Unmarshal(e.out.Bytes(), &got); err != nil {
		t.Fatalf("%v:\n%s", err, e.out)
	}
	if len(got) != 2 {
		t.Fatalf("%d transactions, want 2:\n%s", len(got), e.out)
	}
	sent, recv := got[0], got[1]
	if sent.TxID != p.TxID() || recv.TxID != in.Hash.String() {
		t.Fatalf("order or txids wrong: %+v", got)
	}
	if recv.Label != "salary" {
		t.Errorf("the received payment's label is %q, want its address's", recv.Label)
	}
	if recv.Received != 30_000_000 || recv.Net != 30_000_000 || recv.Fee != nil || recv.Confirmations != 2 {
		t.Errorf("received: %+v", recv)
	}
	if sent.Fee == nil || sent.Sent != 30_000_000 || -sent.Net-*sent.Fee != 10_000_000 || sent.Confirmations != 1 {
		t.Errorf("sent: %+v", sent)
	}

	e.reset()
	if err := History(context.Background(), e.Env, HistoryOptions{Wallet: "w"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sent 0.10000000 BTC + fee, 1 confirmation, fee 0.00000", "received 0.30000000 BTC, 2 confirmations, \"salary\""} {
		if !strings.Contains(e.out.String(), want) {
			t.Errorf("history lacks %q:\n%s", want, e.out)
		}
	}
	e.Sats = true
	e.reset()
	if err := History(context.Background(), e.Env, HistoryOptions{Wallet: "w"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.out.String(), "sent 10000000 sat + fee") {
		t.Errorf("--sats: %s", e.out)
	}
}

// TestHistorySpentBeforeAnyScan: a payment whose coin was spent before the
// first scan left no coin behind; history still lists both transactions,
// from the transactions the scan saw touch the wallet's addresses.
func TestHistorySpentBeforeAnyScan(t *testing.T) {
	e := newTestEnv(t)
	d := testDescriptor(t, descriptor.WPKH)
	own, err := d.Derive(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	in := e.chain.fund(own.Script, 20_000_000)
	// Spent elsewhere (another copy of the key), before this data
	// directory ever scanned: 15,000,000 out, 5,000,000 of it back to
	// the wallet's next address, 1,000 fee.
	next, err := d.Derive(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	spend := wire.NewMsgTx(2)
	spend.AddTxIn(wire.NewTxIn(&in, nil, nil))
	spend.AddTxOut(wire.NewTxOut(14_999_000, []byte{0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}))
	spend.AddTxOut(wire.NewTxOut(5_000_000, next.Script))
	e.chain.txs[spend.TxHash()] = &fakeTx{tx: spend}
	e.chain.mine()

	e.importTest(t, "w", d)
	e.reset()
	if err := History(context.Background(), e.Env, HistoryOptions{Wallet: "w", JSON: true}); err != nil {
		t.Fatal(err)
	}
	var got []HistoryEntry
	if err := json.Unmarshal(e.out.Bytes(), &got); err != nil {
		t.Fatalf("%v:\n%s", err, e.out)
	}
	if len(got) != 2 || got[0].TxID != spend.TxHash().String() || got[1].TxID != in.Hash.String() {
		t.Fatalf("history %+v; want the spend, then the payment it spent", got)
	}
	if got[1].Received != 20_000_000 || got[1].Confirmations != 2 {
		t.Errorf("payment: %+v", got[1])
	}
	if s := got[0]; s.Sent != 20_000_000 || s.Received != 5_000_000 || s.Fee == nil || *s.Fee != 1_000 || s.Confirmations != 1 {
		t.Errorf("spend: %+v", s)
	}
}
