package backend_test

import (
	"context"
	"encoding/binary"
	"testing"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/online/backend/regtest"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/wire"
)

// BenchmarkBtcdScan1000Addresses2000UTXOs scans a wallet-sized history on a real
// btcd regtest node (issue 7's figure): 1,000 used addresses holding 2,000
// UTXOs, paid by 40 batch transactions of 50 outputs each (every address is
// paid twice, by two transactions). Reported as ms/scan.
func BenchmarkBtcdScan1000Addresses2000UTXOs(b *testing.B) {
	const nAddrs, nTxs, perTx = 1000, 40, 50
	miner := newTestKey(b)
	node := regtest.Start(b, miner.wpkh.EncodeAddress())
	ctx := context.Background()
	bk, err := backend.NewBtcd(node.Config())
	if err != nil {
		b.Fatal(err)
	}
	node.Mine(b, 100+nTxs) // coinbases of heights 1..40 are mature
	res, err := bk.ScanAddresses(ctx, []btcutil.Address{miner.wpkh})
	if err != nil {
		b.Fatal(err)
	}
	coins := res[miner.wpkh.EncodeAddress()].UTXOs

	addrs := make([]btcutil.Address, nAddrs)
	scripts := make([][]byte, nAddrs)
	for i := range addrs {
		var h [20]byte
		binary.BigEndian.PutUint32(h[:], uint32(i+1))
		a, err := btcutil.NewAddressWitnessPubKeyHash(h[:], regtestParams)
		if err != nil {
			b.Fatal(err)
		}
		addrs[i], scripts[i] = a, mustScript(b, a)
	}
	for i := 0; i < nTxs; i++ {
		coin := coins[i]
		each := (int64(coin.Amount) - 20_000) / perTx
		outs := make([]*wire.TxOut, perTx)
		for k := range outs {
			outs[k] = wire.NewTxOut(each, scripts[(i%(nAddrs/perTx))*perTx+k])
		}
		if _, err := bk.SendRawTransaction(ctx, spend(b, miner, coin, outs...), 0); err != nil {
			b.Fatalf("funding transaction %d: %v", i+1, err)
		}
	}
	node.Mine(b, 1)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := bk.ScanAddresses(ctx, addrs)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, info := range res {
			if !info.Used || len(info.UTXOs) != 2 {
				b.Fatalf("an address has %d UTXOs, want 2", len(info.UTXOs))
			}
			n += len(info.UTXOs)
		}
		if n != nAddrs*2 {
			b.Fatalf("found %d UTXOs, want %d", n, nAddrs*2)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/scan")
}
