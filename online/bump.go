package online

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// BumpOptions are the inputs of `airsign-online bump`.
type BumpOptions struct {
	Wallet string
	TxID   string
	// FeeRate is the replacement's fee rate in sat/vB.
	FeeRate    float64
	MaxFeeRate float64
	Out        string
	// QR shows or writes the PSBT as QR codes (with or instead of Out).
	QR   transport.QROptions
	JSON bool
}

// incrementalRelayFee is BIP125 rule 4's incremental relay fee, the default
// of btcd and Bitcoin Core (1 sat/vB): a replacement must pay for its own
// relay on top of the fee of what it replaces.
const incrementalRelayFee = 1.0

// Bump prepares a BIP125 replacement of a wallet transaction that waits in
// the mempool: the same inputs and payments, a higher fee taken from the
// change — or from more of the wallet's coins when the change cannot pay
// it — so that the new fee is at least the old fee plus 1 sat/vB of the
// new size and the new rate is higher than the old. It refuses a
// transaction that is confirmed, unknown, does not signal replaceability,
// or spends coins that are not the wallet's.
func Bump(ctx context.Context, env *Env, opts BumpOptions) error {
	if err := transport.CheckOutput(opts.Out, opts.QR, "the replacement PSBT", nil); err != nil {
		return err
	}
	txid, err := parseTxID(opts.TxID)
	if err != nil {
		return err
	}
	if opts.FeeRate == 0 {
		return fmt.Errorf("give the replacement's --fee-rate in sat/vB")
	}
	maxRate, err := checkFeeFlags(opts.FeeRate, 0, opts.MaxFeeRate)
	if err != nil {
		return err
	}
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return err
	}
	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return err
	}
	st, err := b.TxStatus(ctx, txid)
	if err != nil {
		return err
	}
	switch {
	case !st.Known:
		return fmt.Errorf("transaction %s is unknown to %s: nothing to bump (was it broadcast? was it already replaced?)", txid, b.Name())
	case !st.InMempool:
		return fmt.Errorf("transaction %s is already confirmed (%d confirmation(s), block %d): nothing to bump", txid, st.Confirmations, st.BlockHeight)
	}
	old, err := b.RawTransaction(ctx, txid)
	if err != nil {
		return err
	}
	if !signalsRBF(old) {
		return fmt.Errorf("transaction %s does not signal replaceability (BIP125: no input has a sequence below 0xfffffffe); it cannot be bumped — spend its change with a higher fee instead (CPFP)", txid)
	}
	s, err := w.scan(ctx, b)
	if err != nil {
		return err
	}

	// Every input must be the wallet's: we can only re-sign our own coins,
	// and the fee must be computed from amounts we know.
	var ins []psbt.InputSpec
	var oldIn int64
	for i, in := range old.TxIn {
		prev, err := b.RawTransaction(ctx, in.PreviousOutPoint.Hash)
		if err != nil {
			return fmt.Errorf("input %d: fetching the transaction it spends: %w", i, err)
		}
		if int(in.PreviousOutPoint.Index) >= len(prev.TxOut) {
			return fmt.Errorf("input %d: spends output %d of a transaction with %d outputs", i, in.PreviousOutPoint.Index, len(prev.TxOut))
		}
		out := prev.TxOut[in.PreviousOutPoint.Index]
		d, ok := s.byScript[string(out.PkScript)]
		if !ok {
			return fmt.Errorf("input %d (%s) is not a coin of wallet %q: bump only replaces the wallet's own transactions", i, in.PreviousOutPoint, w.Name)
		}
		oldIn += out.Value
		ins = append(ins, inputSpec(w, d, prev, in.PreviousOutPoint.Index, sequenceRBF))
	}
	// The outputs: payments stay as they are; the wallet's change (the
	// largest output to the change branch) absorbs the fee increase.
	var oldOut int64
	var outs []psbt.OutputSpec
	changeAt := -1
	for i, o := range old.TxOut {
		oldOut += o.Value
		spec := psbt.OutputSpec{PkScript: o.PkScript, Amount: o.Value}
		if d, ok := s.byScript[string(o.PkScript)]; ok {
			spec = changeOutput(w, d, o.Value)
			if d.Branch == changeBranch(w) && (changeAt < 0 || o.Value > outs[changeAt].Amount) {
				changeAt = i
			}
		}
		outs = append(outs, spec)
	}
	oldFee := oldIn - oldOut
	oldVSize := (txWeight(old) + 3) / 4
	oldRate := float64(oldFee) / float64(oldVSize)
	if opts.FeeRate <= oldRate {
		return fmt.Errorf("--fee-rate %.1f sat/vB is not above the transaction's %.1f sat/vB; a replacement must pay a higher rate", opts.FeeRate, oldRate)
	}
	var change psbt.OutputSpec
	fixed := outs
	if changeAt >= 0 {
		change = outs[changeAt]
		fixed = append(append([]psbt.OutputSpec(nil), outs[:changeAt]...), outs[changeAt+1:]...)
	} else {
		next, err := w.desc.Derive(changeBranch(w), s.NextUnused[changeBranch(w)])
		if err != nil {
			return err
		}
		change, changeAt = changeOutput(w, next, 0), len(outs)
	}
	var payOut int64
	for _, o := range fixed {
		payOut += o.Amount
	}
	withChange := func(amount int64) []psbt.OutputSpec {
		out := append([]psbt.OutputSpec(nil), fixed[:changeAt]...)
		c := change
		c.Amount = amount
		out = append(out, c)
		return append(out, fixed[changeAt:]...)
	}

	m := newFeeModel(w.desc, opts.FeeRate)
	// The fee a replacement of nIn inputs and outs must pay: the rate asked
	// for, and BIP125 rules 3 and 4 (at least the old fee plus the
	// incremental relay fee for the new size).
	required := func(nIn int, outs []psbt.OutputSpec) int64 {
		vsize := (m.weight(nIn, outs) + 3) / 4
		return max(feeAt(vsize, opts.FeeRate), oldFee+feeAt(vsize, incrementalRelayFee))
	}

	// Candidates for more inputs: confirmed, unfrozen coins, largest first,
	// never an output of the transaction being replaced.
	coins, heldBack, err := spendable(env, w, s, nil)
	if err != nil {
		return err
	}
	var avail []Coin
	for _, c := range coins {
		if c.OutPoint.Hash != txid {
			avail = append(avail, c)
		}
	}
	sort.SliceStable(avail, func(i, j int) bool { return avail[i].Amount > avail[j].Amount })

	// Lower the change; if it would fall to dust, add coins one by one.
	var extra []Coin
	total := oldIn
	done := false
	for n := 0; n <= len(avail); n++ {
		if n > 0 {
			extra = append(extra, avail[n-1])
			total += int64(avail[n-1].Amount)
		}
		nIn := len(ins) + len(extra)
		if ch := total - payOut - required(nIn, withChange(0)); ch > 0 && !isDust(ch, change.PkScript) {
			outs, done = withChange(ch), true
			break
		}
		if total-payOut >= required(nIn, fixed) {
			outs, done = fixed, true // what is left is dust: it goes to the fee
			break
		}
	}
	if !done {
		need := payOut + required(len(ins)+len(avail), fixed)
		return &InsufficientFundsError{Need: need, Have: total, Why: "its inputs and the wallet's other spendable coins hold", HeldBack: heldBack}
	}
	for _, c := range extra {
		prev, err := b.RawTransaction(ctx, c.OutPoint.Hash)
		if err != nil {
			return fmt.Errorf("fetching the previous transaction of %s: %w", c.OutPoint, err)
		}
		ins = append(ins, inputSpec(w, c.Derived, prev, c.OutPoint.Index, sequenceRBF))
	}

	p, err := psbt.Build(old.Version, old.LockTime, ins, outs)
	if err != nil {
		return err
	}
	if p, err = psbt.AddGlobalXPubs(p, w.desc); err != nil {
		return err
	}
	a, err := checkPrepared(p, w, opts.FeeRate, maxRate)
	if err != nil {
		return err
	}
	if vsize := (m.weight(len(ins), outputsOf(p)) + 3) / 4; a.Fee < oldFee+feeAt(vsize, incrementalRelayFee) {
		return fmt.Errorf("internal error: the replacement's fee %d sat does not exceed the old %d sat by 1 sat/vB", a.Fee, oldFee)
	}
	if err := writeAnalysis(env, a, opts.JSON); err != nil {
		return err
	}
	if !opts.JSON {
		printLabels(env, w, a)
	}
	how := "fee taken from the change"
	if len(extra) > 0 {
		how = fmt.Sprintf("%s added", plural(len(extra), "wallet coin"))
	}
	env.Infof("replaces %s: fee %s (%.1f sat/vB) → %s (%.1f sat/vB); %s", txid, psbt.FormatBTC(oldFee), oldRate, psbt.FormatBTC(a.Fee), opts.FeeRate, how)
	return writePSBT(ctx, env, p, opts.Out, opts.QR, a)
}

// signalsRBF reports BIP125 explicit signalling: some input's sequence is
// below 0xfffffffe.
func signalsRBF(tx *wire.MsgTx) bool {
	for _, in := range tx.TxIn {
		if in.Sequence < wire.MaxTxInSequenceNum-1 {
			return true
		}
	}
	return false
}

func parseTxID(s string) (chainhash.Hash, error) {
	s = strings.TrimSpace(s)
	if len(s) != 2*chainhash.HashSize || !isHex(s) {
		return chainhash.Hash{}, fmt.Errorf("%q is not a txid (64 hex digits)", s)
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("%q is not a txid: %v", s, err)
	}
	return *h, nil
}
