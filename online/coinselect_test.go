package online

import (
	"errors"
	"fmt"
	"testing"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

func coinsOf(amounts ...int64) []Coin {
	var cs []Coin
	for i, a := range amounts {
		var h chainhash.Hash
		h[0], h[1] = byte(i), byte(i>>8)
		cs = append(cs, Coin{UTXO: backend.UTXO{OutPoint: wire.OutPoint{Hash: h}, Amount: btcutil.Amount(a)}})
	}
	return cs
}

func amountsOf(cs []Coin) []int64 {
	var out []int64
	for _, c := range cs {
		out = append(out, int64(c.Amount))
	}
	return out
}

// The P2WPKH cost model at 1 sat/vB: an input is 68 vB (272 WU), a P2WPKH
// output 31 vB, the transaction overhead 10.5 vB.
var wpkhScript = append([]byte{0x00, 0x14}, make([]byte, 20)...)

func TestFeeModelWPKH(t *testing.T) {
	m := newFeeModel(testDescriptor(t, descriptor.WPKH), 1)
	out := []psbt.OutputSpec{{PkScript: wpkhScript}}
	for _, c := range []struct {
		nIn, nOut int
		weight    int64
	}{
		{1, 1, 42 + 272 + 124},
		{2, 2, 42 + 2*272 + 2*124},
		{253, 1, 42 + 8 + 253*272 + 124}, // input count takes 3 bytes
	} {
		var outs []psbt.OutputSpec
		for i := 0; i < c.nOut; i++ {
			outs = append(outs, out[0])
		}
		if got := m.weight(c.nIn, outs); got != c.weight {
			t.Errorf("%d in, %d out: weight %d, want %d", c.nIn, c.nOut, got, c.weight)
		}
	}
	if got := m.inputFee(); got != 68 {
		t.Errorf("input fee %d at 1 sat/vB, want 68", got)
	}
}

func TestInputWeights(t *testing.T) {
	for _, c := range []struct {
		kind descriptor.Kind
		want int64
	}{
		{descriptor.WPKH, 272},
		{descriptor.SHWPKH, 364},
		{descriptor.TR, 230},
		// 2-of-3: 164 + count 1 + dummy 1 + 2×73 + 1 + 105
		{descriptor.WSHSortedMulti, 164 + 1 + 1 + 146 + 1 + 105},
		{descriptor.SHWSHSortedMulti, 164 + 1 + 1 + 146 + 1 + 105 + 140},
	} {
		if got := inputWeight(testDescriptor(t, c.kind)); got != c.want {
			t.Errorf("%v: input weight %d, want %d", c.kind, got, c.want)
		}
	}
}

func TestSelectCoins(t *testing.T) {
	m := feeModel{inputWeight: 272, rate: 1} // P2WPKH at 1 sat/vB: 68 sat per input
	pay := []psbt.OutputSpec{{PkScript: wpkhScript, Amount: 0}}
	// Fee of n inputs and one P2WPKH payment: ceil(10.5 + 31 + 68n).
	fee := func(n int) int64 { return m.fee(n, pay) }
	cases := []struct {
		name       string
		coins      []int64
		target     int64
		wantCoins  []int64
		wantChange int64
		method     string
	}{
		{
			name:      "exact single coin, no change",
			coins:     []int64{500_000, 100_000 + fee(1), 300_000},
			target:    100_000,
			wantCoins: []int64{100_000 + fee(1)},
			method:    "branch and bound, no change",
		},
		{
			// 60,000 + x has an effective value of exactly the payment plus the
			// fixed part of the fee.
			name:      "exact pair, no change",
			coins:     []int64{1_000_000, 60_000, 20_000 + fee(2)},
			target:    80_000,
			wantCoins: []int64{60_000, 20_000 + fee(2)},
			method:    "branch and bound, no change",
		},
		{
			name:      "within the cost of change, least excess wins",
			coins:     []int64{200_000 + fee(1) + 90, 200_000 + fee(1) + 20, 1_000_000},
			target:    200_000,
			wantCoins: []int64{200_000 + fee(1) + 20},
			method:    "branch and bound, no change",
		},
		{
			name:       "largest first with change",
			coins:      []int64{1_000_000, 30_000, 20_000},
			target:     500_000,
			wantCoins:  []int64{1_000_000},
			wantChange: 1_000_000 - 500_000 - m.fee(1, withChange(pay, wpkhScript)),
			method:     "largest first, with change",
		},
		{
			name:      "change would be dust: it goes to the fee",
			coins:     []int64{500_000 + fee(1) + 31 + 68 + 200},
			target:    500_000,
			wantCoins: []int64{500_000 + fee(1) + 31 + 68 + 200},
			method:    "largest first, change below dust added to the fee",
		},
		{
			name:       "several coins largest first",
			coins:      []int64{30_000, 400_000, 250_000, 10_000},
			target:     600_000,
			wantCoins:  []int64{400_000, 250_000},
			wantChange: 650_000 - 600_000 - m.fee(2, withChange(pay, wpkhScript)),
			method:     "largest first, with change",
		},
		{
			name:       "uneconomical coins are left out of branch and bound",
			coins:      []int64{50, 60, 100_000 + fee(1) + 5_000},
			target:     100_000,
			wantCoins:  []int64{100_000 + fee(1) + 5_000},
			wantChange: 5_000 + fee(1) - m.fee(1, withChange(pay, wpkhScript)),
			method:     "largest first, with change",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pay[0].Amount = c.target
			sel, err := selectCoins(coinsOf(c.coins...), pay, c.target, m, wpkhScript)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(amountsOf(sel.coins)) != fmt.Sprint(c.wantCoins) || sel.change != c.wantChange || sel.method != c.method {
				t.Fatalf("got coins %v change %d (%s)\nwant coins %v change %d (%s)", amountsOf(sel.coins), sel.change, sel.method, c.wantCoins, c.wantChange, c.method)
			}
			var total int64
			for _, a := range amountsOf(sel.coins) {
				total += a
			}
			outs := pay
			if sel.change > 0 {
				outs = withChange(pay, wpkhScript)
			}
			if paid := total - c.target - sel.change; paid < m.fee(len(sel.coins), outs) {
				t.Fatalf("fee %d below %d", paid, m.fee(len(sel.coins), outs))
			}
		})
	}
}

func TestSelectCoinsInsufficient(t *testing.T) {
	m := feeModel{inputWeight: 272, rate: 2}
	pay := []psbt.OutputSpec{{PkScript: wpkhScript, Amount: 1_000_000}}
	_, err := selectCoins(coinsOf(400_000, 500_000), pay, 1_000_000, m, wpkhScript)
	var ins *InsufficientFundsError
	if !errors.As(err, &ins) {
		t.Fatalf("got %v", err)
	}
	// Two inputs and one output at 2 sat/vB: ceil(10.5+31+136) = 178 vB → 356 sat.
	if ins.Need != 1_000_356 || ins.Have != 900_000 {
		t.Fatalf("need %d have %d", ins.Need, ins.Have)
	}
	const want = "insufficient funds: need 0.01000356 BTC (payments plus fee), the wallet can spend 0.00900000 BTC — 0.00100356 BTC missing"
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	if _, err := selectCoins(nil, pay, 1_000_000, m, wpkhScript); !errors.As(err, &ins) || ins.Have != 0 {
		t.Errorf("no coins: %v", err)
	}
}

// TestBranchAndBoundBounded: every coin's effective value is a multiple of
// 1,000 sat and the changeless window [lo, lo+99] holds none, so the search
// space of 2^40 subsets has no match; the search must stop at bnbMaxTries
// and the fallback answer.
func TestBranchAndBoundBounded(t *testing.T) {
	m := feeModel{inputWeight: 272, rate: 1}
	var amounts []int64
	for i := 0; i < 40; i++ {
		amounts = append(amounts, 1000*int64(500+i)+68)
	}
	const target = 10_000_458 // lo = target + 42 = 10,000,500
	pay := []psbt.OutputSpec{{PkScript: wpkhScript, Amount: target}}
	if _, ok := branchAndBound(coinsOf(amounts...), pay, target, m, wpkhScript); ok {
		t.Fatal("branch and bound found an impossible match")
	}
	sel, err := selectCoins(coinsOf(amounts...), pay, target, m, wpkhScript)
	if err != nil {
		t.Fatal(err)
	}
	if sel.method != "largest first, with change" || len(sel.coins) != 19 {
		t.Fatalf("got %d coins by %s", len(sel.coins), sel.method)
	}
}

func TestSpendAll(t *testing.T) {
	m := feeModel{inputWeight: 272, rate: 1}
	pay := []psbt.OutputSpec{{PkScript: wpkhScript, Amount: 100_000}}
	sel, err := spendAll(coinsOf(80_000, 80_000), pay, 100_000, m, wpkhScript)
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.coins) != 2 || sel.change != 160_000-100_000-m.fee(2, withChange(pay, wpkhScript)) {
		t.Fatalf("got %v change %d", amountsOf(sel.coins), sel.change)
	}
	_, err = spendAll(coinsOf(80_000), pay, 100_000, m, wpkhScript)
	var ins *InsufficientFundsError
	if !errors.As(err, &ins) || ins.Why != "the coins chosen with --utxo hold" {
		t.Fatalf("got %v", err)
	}
}
