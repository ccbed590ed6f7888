package online

import (
	"fmt"
	"math"
	"sort"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/wire"
)

// feeModel prices transactions that spend the wallet's coins: every input
// of a wallet has the same worst-case weight, so coin selection needs only
// that and the fee rate.
type feeModel struct {
	// inputWeight is the weight one signed input adds, counted with the
	// largest signatures so the fee never comes out below the rate.
	inputWeight int64
	// rate is the fee rate in sat/vB.
	rate float64
}

func newFeeModel(d *descriptor.Descriptor, rate float64) feeModel {
	return feeModel{inputWeight: inputWeight(d), rate: rate}
}

// inputWeight is the weight one signed input of the descriptor's type adds:
// outpoint, sequence, scriptSig and witness, with 72-byte DER signatures
// (plus the sighash byte) and 64-byte Schnorr signatures.
func inputWeight(d *descriptor.Descriptor) int64 {
	const base = (32 + 4 + 4) * 4 // outpoint, sequence
	switch d.Kind() {
	case descriptor.WPKH:
		return base + 4*1 + 1 + (1 + 72) + (1 + 33)
	case descriptor.SHWPKH:
		return base + 4*(1+1+22) + 1 + (1 + 72) + (1 + 33)
	case descriptor.TR:
		return base + 4*1 + 1 + (1 + 64)
	}
	n := int64(len(d.Keys()))
	k := int64(d.Threshold())
	ws := 3 + 34*n // OP_k <n keys> OP_n OP_CHECKMULTISIG
	weight := base + 4*1 + int64(wire.VarIntSerializeSize(uint64(k+2))) + 1 + k*(1+72) + int64(wire.VarIntSerializeSize(uint64(ws))) + ws
	if d.Kind() == descriptor.SHWSHSortedMulti {
		weight += 4 * (1 + 34) // scriptSig: push of the 34-byte P2WSH redeem script
	}
	return weight
}

// weight is the weight of a transaction with nIn wallet inputs and outs.
func (m feeModel) weight(nIn int, outs []psbt.OutputSpec) int64 {
	w := int64(4*(4+4) + 2) // version, locktime; segwit marker and flag
	w += 4 * int64(wire.VarIntSerializeSize(uint64(nIn))+wire.VarIntSerializeSize(uint64(len(outs))))
	for _, o := range outs {
		w += 4 * outputSize(o.PkScript)
	}
	return w + int64(nIn)*m.inputWeight
}

func outputSize(script []byte) int64 {
	return int64(8 + wire.VarIntSerializeSize(uint64(len(script))) + len(script))
}

// fee is the fee of that transaction at the model's rate.
func (m feeModel) fee(nIn int, outs []psbt.OutputSpec) int64 {
	return feeAt((m.weight(nIn, outs)+3)/4, m.rate)
}

// feeAt is the fee of vsize virtual bytes at rate, rounded up.
func feeAt(vsize int64, rate float64) int64 {
	return int64(math.Ceil(float64(vsize)*rate - 1e-9))
}

// inputFee is what one more input costs.
func (m feeModel) inputFee() int64 { return feeAt((m.inputWeight+3)/4, m.rate) }

// InsufficientFundsError says how much is missing, so the operator knows
// whether to wait for a deposit, unfreeze a coin or lower the amount.
type InsufficientFundsError struct {
	// Need is the payments plus the fee of spending every coin available.
	Need int64
	// Have is what the coins available hold.
	Have int64
	// Why names what was available ("the wallet can spend", "the --utxo coins hold").
	Why string
	// Held back lists coins not counted in Have and why (frozen, unconfirmed…).
	HeldBack string
	// Sats writes the amounts in satoshis (--sats).
	Sats bool
}

func (e *InsufficientFundsError) Error() string {
	msg := fmt.Sprintf("insufficient funds: need %s (payments plus fee), %s %s — %s missing",
		psbt.FormatAmount(e.Need, e.Sats), e.Why, psbt.FormatAmount(e.Have, e.Sats), psbt.FormatAmount(e.Need-e.Have, e.Sats))
	if e.HeldBack != "" {
		msg += "; not counted: " + e.HeldBack
	}
	return msg
}

// selection is the result of coin selection.
type selection struct {
	coins []Coin
	// change is the change amount, 0 for none.
	change int64
	// method names how the coins were chosen, for the operator.
	method string
}

// selectCoins picks coins to pay outs (worth target) plus the fee. It
// first looks for a set that needs no change — whose excess over payments
// and fee is less than what a change output would cost to create and later
// spend — by branch and bound; failing that it takes the largest coins
// first and adds change, unless the change would be dust, which then goes
// to the fee.
func selectCoins(coins []Coin, outs []psbt.OutputSpec, target int64, m feeModel, changeScript []byte) (selection, error) {
	if sel, ok := branchAndBound(coins, outs, target, m, changeScript); ok {
		return selection{coins: sel, method: "branch and bound, no change"}, nil
	}
	sorted := append([]Coin(nil), coins...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Amount > sorted[j].Amount })
	var total int64
	for n, c := range sorted {
		total += int64(c.Amount)
		chosen := sorted[:n+1]
		if total < target+m.fee(len(chosen), outs) {
			continue
		}
		change := total - target - m.fee(len(chosen), withChange(outs, changeScript))
		if change > 0 && !isDust(change, changeScript) {
			return selection{coins: chosen, change: change, method: "largest first, with change"}, nil
		}
		return selection{coins: chosen, method: "largest first, change below dust added to the fee"}, nil
	}
	return selection{}, &InsufficientFundsError{Need: target + m.fee(len(coins), outs), Have: total, Why: "the wallet can spend"}
}

// spendAll spends every coin given (a sweep's or coin control's): change if
// it is worth an output, else the remainder goes to the fee.
func spendAll(coins []Coin, outs []psbt.OutputSpec, target int64, m feeModel, changeScript []byte) (selection, error) {
	var total int64
	for _, c := range coins {
		total += int64(c.Amount)
	}
	if total < target+m.fee(len(coins), outs) {
		return selection{}, &InsufficientFundsError{Need: target + m.fee(len(coins), outs), Have: total, Why: "the coins chosen with --utxo hold"}
	}
	change := total - target - m.fee(len(coins), withChange(outs, changeScript))
	if change > 0 && !isDust(change, changeScript) {
		return selection{coins: coins, change: change, method: "coin control, with change"}, nil
	}
	return selection{coins: coins, method: "coin control, change below dust added to the fee"}, nil
}

func withChange(outs []psbt.OutputSpec, changeScript []byte) []psbt.OutputSpec {
	return append(outs[:len(outs):len(outs)], psbt.OutputSpec{PkScript: changeScript})
}

// bnbMaxTries bounds the branch-and-bound search (Bitcoin Core uses the
// same bound); beyond it the fallback is used.
const bnbMaxTries = 100_000

// branchAndBound searches for coins whose effective values (amount less
// the fee the input itself costs) sum to between the payments plus the
// transaction's other fees and that plus the cost of change. Among the
// matches found within bnbMaxTries it keeps the one with the least excess
// (the excess goes to the fee), then the fewest inputs.
func branchAndBound(coins []Coin, outs []psbt.OutputSpec, target int64, m feeModel, changeScript []byte) ([]Coin, bool) {
	perInput := m.inputFee()
	type cand struct {
		coin Coin
		eff  int64
	}
	var cs []cand
	var rest int64
	for _, c := range coins {
		if eff := int64(c.Amount) - perInput; eff > 0 {
			cs = append(cs, cand{c, eff})
			rest += eff
		}
	}
	if len(cs) == 0 {
		return nil, false
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].eff > cs[j].eff })
	lo := target + m.fee(0, outs)
	// Creating change costs its output now and its input later.
	costOfChange := feeAt(outputSize(changeScript), m.rate) + perInput
	hi := lo + costOfChange
	if rest < lo {
		return nil, false
	}

	tries := 0
	picked := make([]bool, len(cs))
	var best []bool
	bestExcess, bestN := int64(math.MaxInt64), 0
	n := 0
	var dfs func(i int, sum, rest int64)
	dfs = func(i int, sum, rest int64) {
		tries++
		if tries > bnbMaxTries || bestExcess == 0 || sum > hi {
			return
		}
		if sum >= lo {
			if ex := sum - lo; ex < bestExcess || (ex == bestExcess && n < bestN) {
				best, bestExcess, bestN = append(best[:0], picked...), ex, n
			}
			return // more coins only add excess
		}
		if i == len(cs) || sum+rest < lo {
			return
		}
		picked[i] = true
		n++
		dfs(i+1, sum+cs[i].eff, rest-cs[i].eff)
		picked[i] = false
		n--
		// Leaving out coin i: leaving out an equal coin next would search the
		// same sums again, so skip those too.
		j := i + 1
		r := rest - cs[i].eff
		for j < len(cs) && cs[j].eff == cs[i].eff {
			r -= cs[j].eff
			j++
		}
		dfs(j, sum, r)
	}
	dfs(0, 0, rest)
	if best == nil {
		return nil, false
	}
	var sel []Coin
	var total int64
	for i, p := range best {
		if p {
			sel = append(sel, cs[i].coin)
			total += int64(cs[i].coin.Amount)
		}
	}
	// Recheck with the exact fee of the whole transaction (the varint of
	// the input count grows past 252 inputs).
	if total < target+m.fee(len(sel), outs) {
		return nil, false
	}
	return sel, true
}
