package online

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/qrterm"
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
// or spends coins that are not the wallet's. Stages: check the options,
// open the transaction to replace, take it apart, fund the higher fee,
// build, show and write.
func Bump(ctx context.Context, env *Env, opts BumpOptions) error {
	qrterm.Fit(env.Stdout, &opts.QR)
	txid, maxRate, err := checkBumpOptions(opts)
	if err != nil {
		return err
	}
	bs, err := openBump(ctx, env, opts, txid)
	if err != nil {
		return err
	}
	r, err := bs.takeApart(ctx)
	if err != nil {
		return err
	}
	if opts.FeeRate <= r.oldRate {
		return fmt.Errorf("--fee-rate %.1f sat/vB is not above the transaction's %.1f sat/vB; a replacement must pay a higher rate", opts.FeeRate, r.oldRate)
	}
	extra, err := bs.fund(ctx, env, r, opts.FeeRate)
	if err != nil {
		return err
	}
	p, a, err := buildChecked(bs.w, bs.old.Version, bs.old.LockTime, r.ins, r.outs, opts.FeeRate, maxRate)
	if err != nil {
		return err
	}
	m := newFeeModel(bs.w.desc, opts.FeeRate)
	if vsize := (m.weight(len(r.ins), outputsOf(p)) + 3) / 4; a.Fee < r.oldFee+feeAt(vsize, incrementalRelayFee) {
		return fmt.Errorf("internal error: the replacement's fee %d sat does not exceed the old %d sat by 1 sat/vB", a.Fee, r.oldFee)
	}
	how := "fee taken from the change"
	if extra > 0 {
		how = fmt.Sprintf("%s added", plural(extra, "wallet coin"))
	}
	summary := fmt.Sprintf("replaces %s: fee %s (%.1f sat/vB) → %s (%.1f sat/vB); %s", txid, env.amount(r.oldFee), r.oldRate, env.amount(a.Fee), opts.FeeRate, how)
	return presentPrepared(ctx, env, bs.w, p, a, prepared{Out: opts.Out, QR: opts.QR, JSON: opts.JSON, Summary: summary})
}

// checkBumpOptions is bump's first stage: output, txid and fee flags, before
// the wallet is read or the node dialed. It returns the txid and the cap.
func checkBumpOptions(opts BumpOptions) (chainhash.Hash, float64, error) {
	if err := transport.CheckOutput(opts.Out, opts.QR, "the replacement PSBT", nil); err != nil {
		return chainhash.Hash{}, 0, err
	}
	txid, err := parseTxID(opts.TxID)
	if err != nil {
		return chainhash.Hash{}, 0, err
	}
	if opts.FeeRate == 0 {
		return chainhash.Hash{}, 0, transport.WithHint(errors.New("no fee rate for the replacement"), "give --fee-rate in sat/vB")
	}
	maxRate, err := checkFeeFlags(opts.FeeRate, 0, opts.MaxFeeRate)
	return txid, maxRate, err
}

// bumpSession is an open bump: the wallet, the node, the transaction to
// replace and the wallet's scan.
type bumpSession struct {
	w    *Wallet
	b    backend.Backend
	txid chainhash.Hash
	old  *wire.MsgTx
	scan *Scan
}

// openBump is bump's second stage: the transaction must be in the mempool
// and signal replaceability; then the wallet is scanned.
func openBump(ctx context.Context, env *Env, opts BumpOptions, txid chainhash.Hash) (*bumpSession, error) {
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return nil, err
	}
	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return nil, err
	}
	st, err := b.TxStatus(ctx, txid)
	if err != nil {
		return nil, err
	}
	switch {
	case !st.Known:
		return nil, fmt.Errorf("transaction %s is unknown to %s: nothing to bump (was it broadcast? was it already replaced?)", txid, b.Name())
	case !st.InMempool:
		return nil, fmt.Errorf("transaction %s is already confirmed (%s, block %d): nothing to bump", txid, plural(int(st.Confirmations), "confirmation"), st.BlockHeight)
	}
	old, err := b.RawTransaction(ctx, txid)
	if err != nil {
		return nil, err
	}
	if !signalsRBF(old) {
		return nil, transport.WithHint(fmt.Errorf("transaction %s does not signal replaceability (BIP125: no input has a sequence below 0xfffffffe); it cannot be bumped", txid),
			"spend its change with a higher fee instead (CPFP)")
	}
	s, err := env.scan(ctx, w, b)
	if err != nil {
		return nil, err
	}
	return &bumpSession{w: w, b: b, txid: txid, old: old, scan: s}, nil
}

// replacement is the transaction to replace taken apart: its inputs (all
// the wallet's), its outputs, which one is the change that absorbs the fee
// increase, and the old fee and rate.
type replacement struct {
	ins      []psbt.InputSpec
	outs     []psbt.OutputSpec // all outputs, change included (at changeAt)
	fixed    []psbt.OutputSpec // the outputs without the change
	change   psbt.OutputSpec
	changeAt int
	oldIn    int64
	oldFee   int64
	oldRate  float64
}

// takeApart is bump's third stage. Every input must be the wallet's: we can
// only re-sign our own coins, and the fee must be computed from amounts we
// know. The payments stay as they are; the wallet's change (the largest
// output to the change branch, or a new one) absorbs the fee increase.
func (bs *bumpSession) takeApart(ctx context.Context) (*replacement, error) {
	w, s := bs.w, bs.scan
	r := &replacement{changeAt: -1}
	for i, in := range bs.old.TxIn {
		prev, err := bs.b.RawTransaction(ctx, in.PreviousOutPoint.Hash)
		if err != nil {
			return nil, fmt.Errorf("input %d: fetching the transaction it spends: %w", i, err)
		}
		if int(in.PreviousOutPoint.Index) >= len(prev.TxOut) {
			return nil, fmt.Errorf("input %d: spends output %d of a transaction with %d outputs", i, in.PreviousOutPoint.Index, len(prev.TxOut))
		}
		out := prev.TxOut[in.PreviousOutPoint.Index]
		d, ok := s.byScript[string(out.PkScript)]
		if !ok {
			return nil, fmt.Errorf("input %d (%s) is not a coin of wallet %q: bump only replaces the wallet's own transactions", i, in.PreviousOutPoint, w.Name)
		}
		r.oldIn += out.Value
		r.ins = append(r.ins, inputSpec(w, d, prev, in.PreviousOutPoint.Index, sequenceRBF))
	}
	var oldOut int64
	for i, o := range bs.old.TxOut {
		oldOut += o.Value
		spec := psbt.OutputSpec{PkScript: o.PkScript, Amount: o.Value}
		if d, ok := s.byScript[string(o.PkScript)]; ok {
			spec = changeOutput(w, d, o.Value)
			if d.Branch == changeBranch(w) && (r.changeAt < 0 || o.Value > r.outs[r.changeAt].Amount) {
				r.changeAt = i
			}
		}
		r.outs = append(r.outs, spec)
	}
	r.oldFee = r.oldIn - oldOut
	r.oldRate = float64(r.oldFee) / float64((txWeight(bs.old)+3)/4)
	r.fixed = r.outs
	if r.changeAt >= 0 {
		r.change = r.outs[r.changeAt]
		r.fixed = append(append([]psbt.OutputSpec(nil), r.outs[:r.changeAt]...), r.outs[r.changeAt+1:]...)
	} else {
		next, err := w.desc.Derive(changeBranch(w), s.NextUnused[changeBranch(w)])
		if err != nil {
			return nil, err
		}
		r.change, r.changeAt = changeOutput(w, next, 0), len(r.outs)
	}
	return r, nil
}

// withChange returns the outputs with the change paying amount.
func (r *replacement) withChange(amount int64) []psbt.OutputSpec {
	out := append([]psbt.OutputSpec(nil), r.fixed[:r.changeAt]...)
	c := r.change
	c.Amount = amount
	out = append(out, c)
	return append(out, r.fixed[r.changeAt:]...)
}

// fund is bump's fourth stage: lower the change; if it would fall to dust,
// add the wallet's coins one by one, largest first. It sets r.ins and
// r.outs to the replacement's and returns how many coins it added.
func (bs *bumpSession) fund(ctx context.Context, env *Env, r *replacement, rate float64) (int, error) {
	m := newFeeModel(bs.w.desc, rate)
	// The fee a replacement of nIn inputs and outs must pay: the rate asked
	// for, and BIP125 rules 3 and 4 (at least the old fee plus the
	// incremental relay fee for the new size).
	required := func(nIn int, outs []psbt.OutputSpec) int64 {
		vsize := (m.weight(nIn, outs) + 3) / 4
		return max(feeAt(vsize, rate), r.oldFee+feeAt(vsize, incrementalRelayFee))
	}
	// Candidates for more inputs: confirmed, unfrozen coins, largest first,
	// never an output of the transaction being replaced.
	coins, heldBack, err := spendable(env, bs.w, bs.scan, nil)
	if err != nil {
		return 0, err
	}
	var avail []Coin
	for _, c := range coins {
		if c.OutPoint.Hash != bs.txid {
			avail = append(avail, c)
		}
	}
	sort.SliceStable(avail, func(i, j int) bool { return avail[i].Amount > avail[j].Amount })
	var payOut int64
	for _, o := range r.fixed {
		payOut += o.Amount
	}
	var extra []Coin
	total := r.oldIn
	done := false
	for n := 0; n <= len(avail); n++ {
		if n > 0 {
			extra = append(extra, avail[n-1])
			total += int64(avail[n-1].Amount)
		}
		nIn := len(r.ins) + len(extra)
		if ch := total - payOut - required(nIn, r.withChange(0)); ch > 0 && !isDust(ch, r.change.PkScript) {
			r.outs, done = r.withChange(ch), true
			break
		}
		if total-payOut >= required(nIn, r.fixed) {
			r.outs, done = r.fixed, true // what is left is dust: it goes to the fee
			break
		}
	}
	if !done {
		need := payOut + required(len(r.ins)+len(avail), r.fixed)
		return 0, &InsufficientFundsError{Need: need, Have: total, Why: "its inputs and the wallet's other spendable coins hold", HeldBack: heldBack, Sats: env.Sats}
	}
	for _, c := range extra {
		prev, err := bs.b.RawTransaction(ctx, c.OutPoint.Hash)
		if err != nil {
			return 0, fmt.Errorf("fetching the previous transaction of %s: %w", c.OutPoint, err)
		}
		r.ins = append(r.ins, inputSpec(bs.w, c.Derived, prev, c.OutPoint.Index, sequenceRBF))
	}
	return len(extra), nil
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
