package backend_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/online/backend/regtest"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

var regtestParams = &chaincfg.RegressionNetParams

// testKey is a throwaway regtest key and its P2WPKH and P2TR addresses.
type testKey struct {
	priv *btcec.PrivateKey
	wpkh btcutil.Address
	tr   btcutil.Address
}

func newTestKey(t testing.TB) testKey {
	t.Helper()
	priv, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	wpkh, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(priv.PubKey().SerializeCompressed()), regtestParams)
	if err != nil {
		t.Fatal(err)
	}
	outKey := txscript.ComputeTaprootKeyNoScript(priv.PubKey())
	tr, err := btcutil.NewAddressTaproot(schnorr.SerializePubKey(outKey), regtestParams)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{priv, wpkh, tr}
}

func mustScript(t testing.TB, a btcutil.Address) []byte {
	t.Helper()
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// spend builds and signs a one-input transaction spending u (owned by k, P2WPKH
// or P2TR by u's script) to the given outputs. This is test plumbing: the node
// judges the signature.
func spend(t testing.TB, k testKey, u backend.UTXO, outs ...*wire.TxOut) *wire.MsgTx {
	t.Helper()
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&u.OutPoint, nil, nil))
	tx.TxIn[0].Sequence = wire.MaxTxInSequenceNum - 2 // RBF signalled
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	fetcher := txscript.NewCannedPrevOutputFetcher(u.PkScript, int64(u.Amount))
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	var (
		wit wire.TxWitness
		err error
	)
	switch txscript.GetScriptClass(u.PkScript) {
	case txscript.WitnessV0PubKeyHashTy:
		wit, err = txscript.WitnessSignature(tx, hashes, 0, int64(u.Amount), u.PkScript, txscript.SigHashAll, k.priv, true)
	case txscript.WitnessV1TaprootTy:
		wit, err = txscript.TaprootWitnessSignature(tx, hashes, 0, int64(u.Amount), u.PkScript, txscript.SigHashDefault, k.priv)
	default:
		t.Fatalf("cannot sign script %x", u.PkScript)
	}
	if err != nil {
		t.Fatal(err)
	}
	tx.TxIn[0].Witness = wit
	return tx
}

func scan(t *testing.T, ctx context.Context, b backend.Backend, addrs ...btcutil.Address) map[string]backend.AddressInfo {
	t.Helper()
	res, err := b.ScanAddresses(ctx, addrs)
	if err != nil {
		t.Fatalf("ScanAddresses: %v", err)
	}
	if len(res) != len(addrs) {
		t.Fatalf("ScanAddresses returned %d entries for %d addresses", len(res), len(addrs))
	}
	return res
}

func findUTXO(us []backend.UTXO, op wire.OutPoint) (backend.UTXO, bool) {
	for _, u := range us {
		if u.OutPoint == op {
			return u, true
		}
	}
	return backend.UTXO{}, false
}

// TestBtcdRegtest drives every Backend method against a real btcd: mine to a
// P2WPKH address, find the coinbase outputs, spend one (P2WPKH) to a P2TR
// address, watch it in the mempool, mine it, spend the P2TR output, and resend.
func TestBtcdRegtest(t *testing.T) {
	// Not skipped by -short: make test runs -short, and this is one of its
	// end-to-end tests (regtest.Start skips it without AIRSIGN_REGTEST=1).
	miner := newTestKey(t)
	other := newTestKey(t)
	node := regtest.Start(t, miner.wpkh.EncodeAddress())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	b, err := backend.NewBtcd(node.Config())
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Name(); got != "btcd at "+node.Env["AIRSIGN_RPC_URL"] || strings.Contains(got, node.Env["AIRSIGN_RPC_PASS"]) {
		t.Errorf("Name() = %q", got)
	}

	// Network check.
	if err := backend.CheckNetwork(ctx, b, regtestParams); err != nil {
		t.Fatalf("CheckNetwork(regtest): %v", err)
	}
	err = backend.CheckNetwork(ctx, b, &chaincfg.MainNetParams)
	if err == nil || !strings.Contains(err.Error(), "is on regtest but the wallet is for mainnet") {
		t.Fatalf("CheckNetwork(mainnet) = %v, want a network mismatch", err)
	}

	// Fresh chain: nothing used.
	res := scan(t, ctx, b, miner.wpkh, other.tr)
	for a, info := range res {
		if info.Used || len(info.UTXOs) != 0 {
			t.Fatalf("fresh chain: %s = %+v, want unused", a, info)
		}
	}

	// Mine 101 blocks: heights 1..101, 50 BTC each (regtest halves at 150).
	hashes := node.Mine(t, 101)
	tip, err := b.TipHeight(ctx)
	if err != nil || tip != 101 {
		t.Fatalf("TipHeight = %d, %v; want 101", tip, err)
	}
	restore := backend.SetScanFirstPage(7) // force pagination over 101 transactions
	res = scan(t, ctx, b, miner.wpkh, other.tr)
	restore()
	mined := res[miner.wpkh.EncodeAddress()]
	if !mined.Used || len(mined.UTXOs) != 101 {
		t.Fatalf("miner address: used=%v, %d UTXOs; want used, 101", mined.Used, len(mined.UTXOs))
	}
	if res[other.tr.EncodeAddress()].Used {
		t.Fatalf("other address used before anything paid it")
	}
	minerScript := mustScript(t, miner.wpkh)
	for i, u := range mined.UTXOs {
		height := int32(i + 1) // oldest first
		if u.Height != height || u.Confirmations != 102-height || u.Amount != 50*btcutil.SatoshiPerBitcoin ||
			!u.Coinbase || u.OutPoint.Index != 0 || string(u.PkScript) != string(minerScript) || u.InMempool() {
			t.Fatalf("UTXO %d = %+v; want height %d, %d confirmations, 50 BTC coinbase", i, u, height, 102-height)
		}
		if wantImmature := u.Confirmations < 100; u.Immature(regtestParams) != wantImmature {
			t.Fatalf("UTXO %d (%d confirmations): Immature = %v", i, u.Confirmations, !wantImmature)
		}
	}

	// The coinbase transaction of block 1, in full.
	first := mined.UTXOs[0]
	cb, err := b.RawTransaction(ctx, first.OutPoint.Hash)
	if err != nil {
		t.Fatalf("RawTransaction(coinbase): %v", err)
	}
	if cb.TxHash() != first.OutPoint.Hash || len(cb.TxIn) != 1 || cb.TxIn[0].PreviousOutPoint.Index != wire.MaxPrevOutIndex ||
		cb.TxOut[0].Value != int64(first.Amount) {
		t.Fatalf("RawTransaction(coinbase) = %+v", cb)
	}
	st, err := b.TxStatus(ctx, first.OutPoint.Hash)
	if err != nil || !st.Known || st.InMempool || st.Confirmations != 101 || st.BlockHeight != 1 || st.BlockHash != hashes[0] {
		t.Fatalf("TxStatus(block 1 coinbase) = %+v, %v; want 101 confirmations in %s", st, err, hashes[0])
	}

	// An immature coinbase (block 101, 1 confirmation) is refused.
	newest := mined.UTXOs[100]
	immature := spend(t, miner, newest, wire.NewTxOut(int64(newest.Amount)-1000, mustScript(t, other.tr)))
	acc, err := b.TestMempoolAccept(ctx, immature, 0)
	if err != nil || acc.Allowed || acc.Reason == "" || acc.AlreadyKnown {
		t.Fatalf("TestMempoolAccept(immature coinbase) = %+v, %v; want a rejection", acc, err)
	}
	t.Logf("immature coinbase spend refused: %s", acc.Reason)

	// Spend block 1's coinbase: 10 BTC to other's P2TR address, change back.
	const fee = 2000
	pay := wire.NewTxOut(10*btcutil.SatoshiPerBitcoin, mustScript(t, other.tr))
	change := wire.NewTxOut(int64(first.Amount)-pay.Value-fee, minerScript)
	tx := spend(t, miner, first, pay, change)
	txid := tx.TxHash()

	acc, err = b.TestMempoolAccept(ctx, tx, 0.5) // 0.5 sat/vB cap: too low
	if err != nil || acc.Allowed || acc.Reason != "max-fee-exceeded" {
		t.Fatalf("TestMempoolAccept(cap 0.5 sat/vB) = %+v, %v; want max-fee-exceeded", acc, err)
	}
	acc, err = b.TestMempoolAccept(ctx, tx, 0)
	if err != nil || !acc.Allowed || acc.Txid != txid || acc.Fee != fee || acc.VSize <= 0 {
		t.Fatalf("TestMempoolAccept = %+v, %v; want allowed, fee %d", acc, err, fee)
	}
	sent, err := b.SendRawTransaction(ctx, tx, 0)
	if err != nil || sent != txid {
		t.Fatalf("SendRawTransaction = %s, %v; want %s", sent, err, txid)
	}

	// In the mempool: the coinbase output is gone, the change and payment show
	// with 0 confirmations.
	res = scan(t, ctx, b, miner.wpkh, other.tr)
	mined = res[miner.wpkh.EncodeAddress()]
	if _, ok := findUTXO(mined.UTXOs, first.OutPoint); ok {
		t.Fatalf("spent coinbase output still listed as unspent")
	}
	if len(mined.UTXOs) != 101 { // 100 coinbase + change
		t.Fatalf("miner has %d UTXOs after the spend, want 101", len(mined.UTXOs))
	}
	ch, ok := findUTXO(mined.UTXOs, wire.OutPoint{Hash: txid, Index: 1})
	if !ok || !ch.InMempool() || ch.Height != 0 || ch.Amount != btcutil.Amount(change.Value) || ch.Coinbase {
		t.Fatalf("change output = %+v, %v; want unconfirmed %d sat", ch, ok, change.Value)
	}
	if mined.UTXOs[100].OutPoint != ch.OutPoint {
		t.Fatalf("unconfirmed change is not listed last")
	}
	got := res[other.tr.EncodeAddress()]
	if !got.Used || len(got.UTXOs) != 1 || got.UTXOs[0].OutPoint != (wire.OutPoint{Hash: txid, Index: 0}) ||
		got.UTXOs[0].Confirmations != 0 || got.UTXOs[0].Amount != btcutil.Amount(pay.Value) {
		t.Fatalf("P2TR address after payment = %+v", got)
	}
	st, err = b.TxStatus(ctx, txid)
	if err != nil || !st.Known || !st.InMempool || st.Confirmations != 0 {
		t.Fatalf("TxStatus(mempool) = %+v, %v", st, err)
	}
	if mtx, err := b.RawTransaction(ctx, txid); err != nil || mtx.TxHash() != txid || mtx.WitnessHash() != tx.WitnessHash() {
		t.Fatalf("RawTransaction(mempool tx): %v", err)
	}

	// Resending is "already known", for test-accept and send.
	acc, err = b.TestMempoolAccept(ctx, tx, 0)
	if err != nil || acc.Allowed || !acc.AlreadyKnown {
		t.Fatalf("TestMempoolAccept(again) = %+v, %v; want AlreadyKnown", acc, err)
	}
	if _, err := b.SendRawTransaction(ctx, tx, 0); !errors.Is(err, backend.ErrAlreadyKnown) {
		t.Fatalf("SendRawTransaction(again, mempool) = %v; want ErrAlreadyKnown", err)
	} else {
		t.Logf("resend (mempool): %v", err)
	}

	// Mine it.
	blk := node.Mine(t, 1)[0]
	st, err = b.TxStatus(ctx, txid)
	if err != nil || !st.Known || st.InMempool || st.Confirmations != 1 || st.BlockHash != blk || st.BlockHeight != 102 {
		t.Fatalf("TxStatus(mined) = %+v, %v; want 1 confirmation in block 102 %s", st, err, blk)
	}
	if _, err := b.SendRawTransaction(ctx, tx, 0); !errors.Is(err, backend.ErrAlreadyKnown) {
		t.Fatalf("SendRawTransaction(again, mined) = %v; want ErrAlreadyKnown", err)
	} else {
		t.Logf("resend (mined): %v", err)
	}
	res = scan(t, ctx, b, other.tr)
	got = res[other.tr.EncodeAddress()]
	if len(got.UTXOs) != 1 || got.UTXOs[0].Confirmations != 1 || got.UTXOs[0].Height != 102 {
		t.Fatalf("P2TR output after mining = %+v; want 1 confirmation at 102", got.UTXOs)
	}

	// Spend the P2TR output by key path: taproot is active on btcd v0.26.2
	// regtest well below the ~432 blocks older releases needed.
	trOut := got.UTXOs[0]
	back := spend(t, other, trOut, wire.NewTxOut(int64(trOut.Amount)-500, mustScript(t, other.wpkh)))
	if acc, err := b.TestMempoolAccept(ctx, back, 0); err != nil || !acc.Allowed {
		t.Fatalf("TestMempoolAccept(P2TR spend at height 102) = %+v, %v", acc, err)
	}
	if _, err := b.SendRawTransaction(ctx, back, 0); err != nil {
		t.Fatalf("SendRawTransaction(P2TR spend): %v", err)
	}
	node.Mine(t, 1)
	res = scan(t, ctx, b, other.tr, other.wpkh)
	if info := res[other.tr.EncodeAddress()]; !info.Used || len(info.UTXOs) != 0 {
		t.Fatalf("P2TR address after spend = %+v; want used and empty", info)
	}
	if info := res[other.wpkh.EncodeAddress()]; len(info.UTXOs) != 1 || info.UTXOs[0].Confirmations != 1 {
		t.Fatalf("P2WPKH address after P2TR spend = %+v", info)
	}

	// Unknown transaction.
	var unknown chainhash.Hash
	unknown[0] = 1
	if _, err := b.RawTransaction(ctx, unknown); !errors.Is(err, backend.ErrNotFound) {
		t.Fatalf("RawTransaction(unknown) = %v; want ErrNotFound", err)
	}
	if st, err := b.TxStatus(ctx, unknown); err != nil || st.Known {
		t.Fatalf("TxStatus(unknown) = %+v, %v; want unknown", st, err)
	}

	// A fresh regtest node has seen too little for a fee estimate; either way
	// this must not fail.
	if rate, ok, err := b.EstimateFeeRate(ctx, 6); err != nil || (ok && rate <= 0) {
		t.Fatalf("EstimateFeeRate = %v, %v, %v", rate, ok, err)
	}

	// Wrong password: a clear error that does not print the password.
	cfg := node.Config()
	cfg.Password = "wrong-password-123"
	bad, err := backend.NewBtcd(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.TipHeight(ctx)
	if !errors.Is(err, backend.ErrUnauthorized) || strings.Contains(err.Error(), cfg.Password) ||
		!strings.Contains(err.Error(), "btcd at "+cfg.URL+" rejected the RPC user/password") {
		t.Fatalf("wrong password: %v", err)
	}
	t.Logf("wrong password: %v", err)
}
