package online

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/online/backend"
	regtestnode "github.com/airsign/airsign/online/backend/regtest"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
)

// bigWallet is a wallet with many used addresses on a real btcd regtest node.
type bigWallet struct {
	env  *testEnv
	node *regtestnode.Node
	bk   *backend.Btcd
}

// Sizes of the big wallet: issue 7's figure.
const (
	bigReceive   = 700 // used receive addresses
	bigChange    = 300 // used change addresses
	bigPerAddr   = 2   // UTXOs per address
	bigPerTx     = 100 // outputs per funding transaction
	bigFundingTx = (bigReceive + bigChange) * bigPerAddr / bigPerTx
)

// newBigWallet starts a node mining to a second key, and pays 2,000 outputs
// to 1,000 addresses of the test wallet (700 receive, 300 change, two
// outputs each, from 20 transactions of 100 outputs signed with psbt.Sign).
// It skips unless regtest tests are enabled (AIRSIGN_REGTEST=1).
func newBigWallet(tb testing.TB) *bigWallet {
	tb.Helper()
	miner, err := descriptor.New(descriptor.WPKH, testMaster(tb, 1), 0, regtest)
	if err != nil {
		tb.Fatal(err)
	}
	minerAddr, err := miner.Derive(0, 0)
	if err != nil {
		tb.Fatal(err)
	}
	node := regtestnode.Start(tb, minerAddr.Address.EncodeAddress())
	bk, err := backend.NewBtcd(node.Config())
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	node.Mine(tb, 100+bigFundingTx)
	res, err := bk.ScanAddresses(ctx, []btcutil.Address{minerAddr.Address})
	if err != nil {
		tb.Fatal(err)
	}
	var coinbases []backend.UTXO
	for _, u := range res[minerAddr.Address.EncodeAddress()].UTXOs {
		if !u.Immature(&chaincfg.RegressionNetParams) {
			coinbases = append(coinbases, u)
		}
	}
	if len(coinbases) < bigFundingTx {
		tb.Fatalf("%d mature coinbase outputs, want %d", len(coinbases), bigFundingTx)
	}

	e := newTestEnv(tb)
	e.Connect = func(context.Context, *chaincfg.Params) (backend.Backend, error) { return bk, nil }
	w := e.importTest(tb, "big", testDescriptor(tb, descriptor.WPKH))
	slots := make([][]byte, 0, bigReceive+bigChange)
	for i := uint32(0); i < bigReceive; i++ {
		d, err := w.desc.Derive(0, i)
		if err != nil {
			tb.Fatal(err)
		}
		slots = append(slots, d.Script)
	}
	for i := uint32(0); i < bigChange; i++ {
		d, err := w.desc.Derive(1, i)
		if err != nil {
			tb.Fatal(err)
		}
		slots = append(slots, d.Script)
	}
	for t := 0; t < bigFundingTx; t++ {
		cb := coinbases[t]
		prev, err := bk.RawTransaction(ctx, cb.OutPoint.Hash)
		if err != nil {
			tb.Fatal(err)
		}
		each := (int64(cb.Amount) - 10_000) / bigPerTx
		var outs []psbt.OutputSpec
		for j := 0; j < bigPerTx; j++ {
			outs = append(outs, psbt.OutputSpec{PkScript: slots[(t*bigPerTx+j)%len(slots)], Amount: each})
		}
		in := psbt.InputSpec{PrevTx: prev, Vout: cb.OutPoint.Index, Sequence: sequenceRBF, Keys: keyOrigins(minerAddr)}
		p, err := psbt.Build(2, 0, []psbt.InputSpec{in}, outs)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := psbt.Sign(p, testMaster(tb, 1)); err != nil {
			tb.Fatal(err)
		}
		if err := psbt.Finalize(p); err != nil {
			tb.Fatal(err)
		}
		tx, err := psbt.Extract(p)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := bk.SendRawTransaction(ctx, tx, 0); err != nil {
			tb.Fatal(err)
		}
	}
	node.Mine(tb, 1)
	return &bigWallet{env: e, node: node, bk: bk}
}

// TestScanRegtestBigWallet checks the scan of the big wallet on btcd: every
// coin and used address found, on both branches.
func TestScanRegtestBigWallet(t *testing.T) {
	if ok, why := regtestnode.Enabled(); !ok {
		t.Skip(why)
	}
	if testing.Short() {
		t.Skip("builds a wallet of 1,000 used addresses on a regtest node")
	}
	bw := newBigWallet(t)
	w, err := LoadWallet(bw.env.Env, "big")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s, err := w.scan(context.Background(), bw.bk)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scan of %d used addresses, %d coins: %v", s.Used[0]+s.Used[1], len(s.Coins), time.Since(start))
	if len(s.Coins) != (bigReceive+bigChange)*bigPerAddr || s.Used[0] != bigReceive || s.Used[1] != bigChange ||
		s.NextUnused[0] != bigReceive || s.NextUnused[1] != bigChange {
		t.Fatalf("found %d coins, used %v, next unused %v", len(s.Coins), s.Used, s.NextUnused)
	}
	conf, unconf, imm, _ := s.Balance(w)
	if unconf != 0 || imm != 0 || conf <= 0 {
		t.Fatalf("balance %v %v %v", conf, unconf, imm)
	}
}

// BenchmarkScanRegtest1000Addresses2000UTXOs times `airsign-online utxos`
// (ListUTXOs: the wallet read from the store, the gap-limit scan of both
// branches, what it saw recorded, the table; utxos-ms, also ms/scan as
// before) on a wallet of 1,000 used addresses holding 2,000 UTXOs on a
// real btcd regtest node (issue 7), and in the same run the scan alone,
// without the store (scan-ms, what a scan cost before the store) and with
// its record saved (scan+store-ms). Run with AIRSIGN_REGTEST=1 (make bench).
func BenchmarkScanRegtest1000Addresses2000UTXOs(b *testing.B) {
	bw := newBigWallet(b)
	bw.env.Stdout = io.Discard
	var errs strings.Builder
	bw.env.Stderr = &errs
	ctx := context.Background()
	// The first scan after the funding block can stall while btcd writes
	// its indexes; it is reported apart, the loop times scans after it.
	first := time.Now()
	if err := ListUTXOs(ctx, bw.env.Env, UTXOOptions{Wallet: "big"}); err != nil {
		b.Fatal(err)
	}
	firstMS := float64(time.Since(first).Milliseconds())
	for b.Loop() {
		errs.Reset()
		if err := ListUTXOs(ctx, bw.env.Env, UTXOOptions{Wallet: "big"}); err != nil {
			b.Fatal(err)
		}
	}
	if !strings.Contains(errs.String(), "2000 coins; used addresses: 700 receive, 300 change") {
		b.Fatalf("utxos said: %s", errs.String())
	}
	utxosMS := float64(b.Elapsed().Milliseconds()) / float64(b.N)
	// The scan alone, in the same run: as before the store (nothing
	// recorded) and as now (the addresses, coins and transactions it saw
	// saved in one store transaction).
	w, err := LoadWallet(bw.env.Env, "big")
	if err != nil {
		b.Fatal(err)
	}
	bare := *w
	bare.dataDir = ""
	const rounds = 3
	timeScan := func(w *Wallet) float64 {
		start := time.Now()
		for range rounds {
			if _, err := w.scan(ctx, bw.bk); err != nil {
				b.Fatal(err)
			}
		}
		return float64(time.Since(start).Milliseconds()) / rounds
	}
	bareMS, storeMS := timeScan(&bare), timeScan(w)
	b.ReportMetric(utxosMS, "ms/scan")
	b.ReportMetric(utxosMS, "utxos-ms")
	b.ReportMetric(bareMS, "scan-ms")
	b.ReportMetric(storeMS, "scan+store-ms")
	b.ReportMetric(firstMS, "first-scan-ms")
}
