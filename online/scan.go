package online

import (
	"context"
	"fmt"
	"sort"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil"
)

// Coin is one unspent output of the wallet with where it comes from.
type Coin struct {
	backend.UTXO
	Branch, Index uint32
	Derived       *descriptor.Derived
}

// Scan is what the wallet holds according to the backend.
type Scan struct {
	Coins []Coin
	// NextUnused is, per branch, the first index after the last used one.
	NextUnused map[uint32]uint32
	Tip        int32
}

// scanBatch is how many addresses are asked about at once: a full gap.
func (w *Wallet) scan(ctx context.Context, b backend.Backend) (*Scan, error) {
	tip, err := b.TipHeight(ctx)
	if err != nil {
		return nil, err
	}
	s := &Scan{NextUnused: map[uint32]uint32{}, Tip: tip}
	for _, branch := range w.desc.Branches() {
		unusedRun := 0
		next := uint32(0)
		for index := uint32(0); unusedRun < w.GapLimit; {
			batch := w.GapLimit
			ders := make([]*descriptor.Derived, 0, batch)
			addrs := make([]btcutil.Address, 0, batch)
			for i := 0; i < batch; i++ {
				d, err := w.desc.Derive(branch, index+uint32(i))
				if err != nil {
					return nil, fmt.Errorf("deriving address %d/%d: %w", branch, index+uint32(i), err)
				}
				ders = append(ders, d)
				addrs = append(addrs, d.Address)
			}
			infos, err := b.ScanAddresses(ctx, addrs)
			if err != nil {
				return nil, err
			}
			for i, d := range ders {
				info := infos[d.Address.EncodeAddress()]
				if info.Used {
					unusedRun = 0
					next = index + uint32(i) + 1
				} else {
					unusedRun++
				}
				for _, u := range info.UTXOs {
					s.Coins = append(s.Coins, Coin{UTXO: u, Branch: branch, Index: index + uint32(i), Derived: d})
				}
				if unusedRun >= w.GapLimit {
					break
				}
			}
			index += uint32(batch)
		}
		s.NextUnused[branch] = next
	}
	sort.Slice(s.Coins, func(i, j int) bool {
		if s.Coins[i].Amount != s.Coins[j].Amount {
			return s.Coins[i].Amount > s.Coins[j].Amount
		}
		return s.Coins[i].OutPoint.String() < s.Coins[j].OutPoint.String()
	})
	return s, nil
}

// Balance sums the coins: confirmed and spendable, unconfirmed, immature.
func (s *Scan) Balance(w *Wallet) (confirmed, unconfirmed, immature btcutil.Amount) {
	for _, c := range s.Coins {
		switch {
		case c.Immature(w.net):
			immature += c.Amount
		case c.InMempool():
			unconfirmed += c.Amount
		default:
			confirmed += c.Amount
		}
	}
	return
}
