package online

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/file"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/mempool"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// PrepareOptions are the inputs of `airsign-online prepare`.
type PrepareOptions struct {
	Wallet string
	To     []string
	// Sweep sends every spendable coin to this address, less the fee.
	Sweep string
	// FeeRate in sat/vB; 0 asks the node for an estimate.
	FeeRate float64
	// Coins limits selection to these outpoints (coin control).
	Coins []string
	Out   string
	// MaxFeeRate refuses to prepare above this rate (sat/vB).
	MaxFeeRate float64
	JSON       bool
}

// Fallback fee rate when the node has no estimate (fresh regtest, a node
// that just started): low enough not to waste money, and RBF can bump it.
const fallbackFeeRate = 2.0

// minRelayFee is the default minimum relay fee of btcd and Core (1 sat/vB),
// used for the dust limit.
const minRelayFee = btcutil.Amount(1000)

// Prepare builds the unsigned PSBT for a payment or sweep, prints the same
// analysis and confirmation digest the offline signer will show, and writes
// the PSBT atomically.
func Prepare(ctx context.Context, env *Env, opts PrepareOptions) error {
	if opts.Out == "" {
		return fmt.Errorf("no output file: give --out FILE for the unsigned PSBT")
	}
	if (len(opts.To) == 0) == (opts.Sweep == "") {
		return fmt.Errorf("say where the money goes: one or more --to ADDRESS:AMOUNT, or --sweep ADDRESS")
	}
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return err
	}
	var pays []Payment
	seen := map[string]bool{}
	for _, s := range opts.To {
		p, err := ParsePayment(s, w.net)
		if err != nil {
			return err
		}
		key := p.Address.EncodeAddress()
		if seen[key] {
			return fmt.Errorf("--to %s appears twice; pay an address once per transaction (add the amounts)", key)
		}
		seen[key] = true
		if mempool.IsDust(wire.NewTxOut(p.Amount, mustScript(p.Address)), minRelayFee) {
			return fmt.Errorf("--to %s: %s is below the dust limit for this address type; nodes would not relay it", key, psbt.FormatBTC(p.Amount))
		}
		pays = append(pays, p)
	}
	var sweepTo btcutil.Address
	if opts.Sweep != "" {
		if sweepTo, err = ParseAddress(opts.Sweep, w.net); err != nil {
			return err
		}
	}

	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return err
	}
	feeRate := opts.FeeRate
	if feeRate == 0 {
		est, ok, err := b.EstimateFeeRate(ctx, 6)
		if err != nil {
			return err
		}
		if ok {
			feeRate = est
			env.Infof("fee rate %.1f sat/vB from %s's estimate for 6 blocks", feeRate, b.Name())
		} else {
			feeRate = fallbackFeeRate
			env.Warnf("%s has no fee estimate; using %.1f sat/vB — pass --fee-rate to choose", b.Name(), feeRate)
		}
	}
	if feeRate < 1 {
		return fmt.Errorf("--fee-rate %.2f is below 1 sat/vB, the minimum nodes relay", feeRate)
	}
	maxRate := opts.MaxFeeRate
	if maxRate == 0 {
		maxRate = 10_000
	}
	if feeRate > maxRate {
		return fmt.Errorf("--fee-rate %.0f sat/vB is above %.0f sat/vB (0.1 BTC/kvB); pass --max-fee-rate to really pay that", feeRate, maxRate)
	}

	s, err := w.scan(ctx, b)
	if err != nil {
		return err
	}
	coins, err := spendable(w, s, opts.Coins)
	if err != nil {
		return err
	}

	var outs []psbt.OutputSpec
	var target int64
	for _, p := range pays {
		outs = append(outs, psbt.OutputSpec{PkScript: mustScript(p.Address), Amount: p.Amount})
		target += p.Amount
	}
	change, err := w.desc.Derive(changeBranch(w), s.NextUnused[changeBranch(w)])
	if err != nil {
		return err
	}

	var chosen []Coin
	var changeAmount int64
	if sweepTo != nil {
		chosen = coins
		var total int64
		for _, c := range coins {
			total += int64(c.Amount)
		}
		sweepOut := psbt.OutputSpec{PkScript: mustScript(sweepTo)}
		fee := feeFor(w, len(chosen), []psbt.OutputSpec{sweepOut}, feeRate)
		if total-fee <= 0 || mempool.IsDust(wire.NewTxOut(total-fee, sweepOut.PkScript), minRelayFee) {
			return fmt.Errorf("the wallet's %s cannot pay the %s fee of a sweep", psbt.FormatBTC(total), psbt.FormatBTC(fee))
		}
		sweepOut.Amount = total - fee
		outs = []psbt.OutputSpec{sweepOut}
	} else {
		chosen, changeAmount, err = selectCoins(w, coins, outs, target, feeRate, change.Script)
		if err != nil {
			return err
		}
	}
	if changeAmount > 0 {
		outs = append(outs, changeOutput(w, change, changeAmount))
	}

	ins := make([]psbt.InputSpec, 0, len(chosen))
	for _, c := range chosen {
		prev, err := b.RawTransaction(ctx, c.OutPoint.Hash)
		if err != nil {
			return fmt.Errorf("fetching the previous transaction of %s: %w", c.OutPoint, err)
		}
		ins = append(ins, inputSpec(w, c, prev))
	}
	// Anti-fee-sniping (as Bitcoin Core): a locktime of the current height
	// makes the transaction useless for re-mining the tip; RBF is signalled.
	p, err := psbt.Build(2, uint32(s.Tip), ins, outs)
	if err != nil {
		return err
	}
	if err := finalFeeCheck(p, w, feeRate, maxRate); err != nil {
		return err
	}
	a := psbt.Analyze(p, w.net, walletFingerprint(w), psbt.DescriptorWallet(w.desc))
	if r := a.Refusals(); len(r) > 0 {
		return fmt.Errorf("the PSBT prepared fails its own checks: %s", r[0])
	}
	if err := writeAnalysis(env, a, opts.JSON); err != nil {
		return err
	}
	data, err := p.Encode()
	if err != nil {
		return err
	}
	if err := file.WriteNewAtomic(opts.Out, data, 0o644); err != nil {
		return err
	}
	env.Infof("wrote the unsigned PSBT to %s; sign it on the offline machine and compare the digest %s", opts.Out, strings.ToUpper(a.Digest))
	return nil
}

func changeBranch(w *Wallet) uint32 {
	if w.desc.HasBranch(1) {
		return 1
	}
	return w.desc.Branches()[0]
}

func walletFingerprint(w *Wallet) uint32 {
	if keys := w.desc.Keys(); len(keys) == 1 {
		return keys[0].PSBTFingerprint()
	}
	return 0
}

func mustScript(a btcutil.Address) []byte {
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		panic(fmt.Sprintf("address %s has no script: %v", a, err)) // decoded addresses always have one
	}
	return s
}

// spendable filters the scan to coins prepare may spend: confirmed, mature,
// not frozen, and in the coin-control list if one is given.
func spendable(w *Wallet, s *Scan, only []string) ([]Coin, error) {
	want := map[string]bool{}
	for _, o := range only {
		want[o] = true
	}
	var out []Coin
	for _, c := range s.Coins {
		op := c.OutPoint.String()
		if len(only) > 0 {
			if !want[op] {
				continue
			}
			delete(want, op)
		} else if w.Frozen[op] || c.InMempool() {
			continue
		}
		if c.Immature(w.net) {
			if len(only) > 0 {
				return nil, fmt.Errorf("--utxo %s is a coinbase output with %d of %d confirmations; it cannot be spent yet", op, c.Confirmations, w.net.CoinbaseMaturity)
			}
			continue
		}
		out = append(out, c)
	}
	for op := range want {
		return nil, fmt.Errorf("--utxo %s is not an unspent coin of wallet %q", op, w.Name)
	}
	return out, nil
}

// inputVBytes is the virtual size one input of the wallet adds, counted with
// the largest signature so the fee never comes out below the rate.
func inputWeight(w *Wallet) int64 {
	const base = (32 + 4 + 4) * 4 // outpoint, sequence
	switch w.desc.Kind() {
	case descriptor.WPKH:
		return base + 4 + 1 + 1 + 72 + 1 + 33
	case descriptor.SHWPKH:
		return base + 4*(1+23) + 1 + 1 + 72 + 1 + 33
	case descriptor.TR:
		return base + 4 + 1 + 1 + 64
	}
	n := int64(len(w.desc.Keys()))
	k := int64(w.desc.Threshold())
	ws := 3 + 34*n
	weight := base + 4 + 1 + 1 + k*73 + 3 + ws
	if w.desc.Kind() == descriptor.SHWSHSortedMulti {
		weight += 4 * 35
	}
	return weight
}

// feeFor is the fee of a transaction with nIn wallet inputs and outs.
func feeFor(w *Wallet, nIn int, outs []psbt.OutputSpec, rate float64) int64 {
	weight := int64(4*(4+4+1+1) + 2) // version, locktime, counts, segwit marker
	if nIn > 252 {
		weight += 4 * 2
	}
	for _, o := range outs {
		weight += 4 * (8 + 1 + int64(len(o.PkScript)))
	}
	weight += int64(nIn) * inputWeight(w)
	vsize := (weight + 3) / 4
	return int64(math.Ceil(float64(vsize) * rate))
}

// selectCoins picks coins for target plus fee. It first looks for a set
// that needs no change (within what change would cost), then falls back to
// largest-first, dropping change that would be dust into the fee.
func selectCoins(w *Wallet, coins []Coin, outs []psbt.OutputSpec, target int64, rate float64, changeScript []byte) ([]Coin, int64, error) {
	changeOut := psbt.OutputSpec{PkScript: changeScript}
	if sel, ok := branchAndBound(w, coins, outs, target, rate, changeScript); ok {
		return sel, 0, nil
	}
	var total int64
	sorted := append([]Coin(nil), coins...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Amount > sorted[j].Amount })
	for n, c := range sorted {
		total += int64(c.Amount)
		chosen := sorted[:n+1]
		feeNoChange := feeFor(w, len(chosen), outs, rate)
		if total < target+feeNoChange {
			continue
		}
		feeChange := feeFor(w, len(chosen), append(outs[:len(outs):len(outs)], changeOut), rate)
		change := total - target - feeChange
		if change > 0 && !mempool.IsDust(wire.NewTxOut(change, changeScript), minRelayFee) {
			return chosen, change, nil
		}
		return chosen, 0, nil // the remainder is dust: it goes to the fee
	}
	var have int64
	for _, c := range coins {
		have += int64(c.Amount)
	}
	need := target + feeFor(w, len(coins), outs, rate)
	return nil, 0, fmt.Errorf("insufficient funds: need %s (payments plus fee), the wallet can spend %s — %s missing", psbt.FormatBTC(need), psbt.FormatBTC(have), psbt.FormatBTC(need-have))
}

// branchAndBound searches (bounded) for coins whose sum lands between the
// target plus fee and that plus the cost of a change output: such a
// transaction needs no change, which saves fees and leaks less.
func branchAndBound(w *Wallet, coins []Coin, outs []psbt.OutputSpec, target int64, rate float64, changeScript []byte) ([]Coin, bool) {
	if len(coins) == 0 {
		return nil, false
	}
	sorted := append([]Coin(nil), coins...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Amount > sorted[j].Amount })
	perInput := int64(math.Ceil(float64((inputWeight(w)+3)/4) * rate))
	base := feeFor(w, 0, outs, rate)
	costOfChange := int64(math.Ceil(float64(8+1+len(changeScript))*rate)) + perInput
	lo := target + base
	hi := lo + costOfChange
	// effective values: what each coin adds after paying for itself
	eff := make([]int64, len(sorted))
	remaining := int64(0)
	for i, c := range sorted {
		eff[i] = int64(c.Amount) - perInput
		if eff[i] > 0 {
			remaining += eff[i]
		}
	}
	if remaining < lo {
		return nil, false
	}
	const maxTries = 100_000
	tries := 0
	picked := make([]bool, len(sorted))
	var best []bool
	var dfs func(i int, sum, rest int64) bool
	dfs = func(i int, sum, rest int64) bool {
		tries++
		if tries > maxTries || sum > hi {
			return false
		}
		if sum >= lo {
			best = append([]bool(nil), picked...)
			return true
		}
		if i == len(sorted) || sum+rest < lo {
			return false
		}
		r := rest
		if eff[i] > 0 {
			r -= eff[i]
		}
		if eff[i] > 0 {
			picked[i] = true
			if dfs(i+1, sum+eff[i], r) {
				return true
			}
			picked[i] = false
		}
		return dfs(i+1, sum, r)
	}
	if !dfs(0, 0, remaining) {
		return nil, false
	}
	var sel []Coin
	for i, p := range best {
		if p {
			sel = append(sel, sorted[i])
		}
	}
	return sel, true
}

func keyOrigins(d *descriptor.Derived) []psbt.KeyOrigin {
	var out []psbt.KeyOrigin
	for _, k := range d.Keys {
		out = append(out, psbt.KeyOrigin{PubKey: k.PubKey, Fingerprint: k.Fingerprint, Path: k.Path})
	}
	return out
}

func inputSpec(w *Wallet, c Coin, prev *wire.MsgTx) psbt.InputSpec {
	return psbt.InputSpec{
		PrevTx:        prev,
		Vout:          c.OutPoint.Index,
		Sequence:      wire.MaxTxInSequenceNum - 2, // RBF (BIP125) with locktime enforced
		Keys:          keyOrigins(c.Derived),
		RedeemScript:  c.Derived.RedeemScript,
		WitnessScript: c.Derived.WitnessScript,
		Taproot:       w.desc.Kind() == descriptor.TR,
	}
}

func changeOutput(w *Wallet, d *descriptor.Derived, amount int64) psbt.OutputSpec {
	return psbt.OutputSpec{
		PkScript:      d.Script,
		Amount:        amount,
		Keys:          keyOrigins(d),
		RedeemScript:  d.RedeemScript,
		WitnessScript: d.WitnessScript,
		Taproot:       w.desc.Kind() == descriptor.TR,
	}
}

// finalFeeCheck compares the fee with the precise size estimate of the
// built PSBT: it must reach the rate asked for and stay under the cap.
func finalFeeCheck(p *psbt.Packet, w *Wallet, rate, maxRate float64) error {
	a := psbt.Analyze(p, w.net, 0, nil)
	if a.Fee < 0 {
		return fmt.Errorf("internal error: the prepared transaction has a negative fee")
	}
	if a.FeeRate > maxRate {
		return fmt.Errorf("the prepared fee rate %.1f sat/vB is above the %.0f sat/vB cap", a.FeeRate, maxRate)
	}
	if a.FeeRate+0.01 < rate {
		return fmt.Errorf("internal error: the prepared fee rate %.2f sat/vB is below the %.2f asked for", a.FeeRate, rate)
	}
	return nil
}
