package store

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkRecordScan times what a scan of the 1,000-address / 2,000-coin
// wallet adds to `utxos` for the store: saving the ~1,040 addresses asked
// about and the 2,000 coins in one transaction, then reading the wallet
// with 1,000 labels back as LoadWallet does.
func BenchmarkRecordScan(b *testing.B) {
	ctx := context.Background()
	s := openTest(b, b.TempDir())
	id := addWallet(b, s, "big")
	var r ScanResult
	for br := uint32(0); br < 2; br++ {
		used := uint32(700)
		if br == 1 {
			used = 300
		}
		for i := uint32(0); i < used+20; i++ {
			r.Addresses = append(r.Addresses, AddressSeen{Branch: br, Index: i, Address: fmt.Sprintf("bcrt1q%d-%d", br, i), Used: i < used})
			if i < used {
				for k := 0; k < 2; k++ {
					r.Coins = append(r.Coins, CoinRecord{OutPoint: fmt.Sprintf("%064x:%d", br*1000+i, k), Amount: 1000, Height: 200, Branch: br, Index: i})
				}
			}
		}
	}
	if err := s.Update(ctx, func(t *Tx) error {
		for i := range 1000 {
			if _, err := t.PutLabel(id, Label{Type: LabelAddr, Ref: fmt.Sprintf("bcrt1q0-%d", i), Label: "note"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := s.Update(ctx, func(t *Tx) error { return t.RecordScan(id, r) }); err != nil {
			b.Fatal(err)
		}
		if err := s.View(ctx, func(t *Tx) error {
			if _, err := t.Wallet("big"); err != nil {
				return err
			}
			if _, err := t.Labels(id); err != nil {
				return err
			}
			_, err := t.Frozen(id)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/record+load")
}
