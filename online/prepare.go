package online

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/qrterm"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/wire"
)

// PrepareOptions are the inputs of `airsign-online prepare`.
type PrepareOptions struct {
	Wallet string
	// To are ADDRESS:AMOUNT payments; ToFile a CSV of ADDRESS,AMOUNT lines.
	To     []string
	ToFile string
	// Sweep sends every spendable coin (or every --utxo coin) to this
	// address, less the fee.
	Sweep string
	// FeeRate in sat/vB; 0 asks the node for an estimate for TargetBlocks.
	FeeRate      float64
	TargetBlocks int
	// Coins limits the transaction to exactly these outpoints (coin control).
	Coins []string
	// NoRBF turns off BIP125 replaceability (on by default).
	NoRBF bool
	// LockTime is used when HasLockTime; else the tip height
	// (anti-fee-sniping, as Bitcoin Core does).
	LockTime    uint32
	HasLockTime bool
	Out         string
	// QR shows or writes the PSBT as QR codes (with or instead of Out).
	QR transport.QROptions
	// MaxFeeRate refuses to prepare above this rate (sat/vB); 0 means
	// DefaultMaxFeeRate.
	MaxFeeRate float64
	JSON       bool
	// PSBTVersion is the version written: 0 (BIP174, the default) or 2
	// (BIP370).
	PSBTVersion int
}

// DefaultMaxFeeRate is the fee-rate cap (sat/vB): 0.1 BTC/kvB, the default
// maxfeerate of btcd's and Bitcoin Core's sendrawtransaction.
const DefaultMaxFeeRate = 10_000

// DefaultTargetBlocks is the confirmation target asked of the node's fee
// estimator when neither --fee-rate nor --target-blocks is given.
const DefaultTargetBlocks = 6

// fallbackFeeRate is used when the node has no estimate (fresh regtest, a
// node that just started): low enough not to waste money; RBF can bump it.
const fallbackFeeRate = 2.0

// minRelayFee is the default minimum relay fee of btcd and Core (1 sat/vB),
// used for the dust limit.
const minRelayFee = btcutil.Amount(1000)

// maxStandardWeight is the largest transaction nodes relay (BIP141 weight).
const maxStandardWeight = 400_000

// Sequence numbers: BIP125 replaceable, or final but with the locktime
// enforced.
const (
	sequenceRBF   = wire.MaxTxInSequenceNum - 2
	sequenceNoRBF = wire.MaxTxInSequenceNum - 1
)

// Prepare builds the unsigned PSBT for a payment, a batch or a sweep, prints
// the same analysis and confirmation digest the offline signer will show,
// and writes the PSBT atomically to a new file. It reads in stages: check
// the options (nothing read or dialed yet), open the wallet and the node,
// choose the coins, build and check the PSBT, show and write it.
func Prepare(ctx context.Context, env *Env, opts PrepareOptions) error {
	qrterm.Fit(env.Stdout, &opts.QR)
	req, err := checkPrepareOptions(opts)
	if err != nil {
		return err
	}
	pp, err := openPrepare(ctx, env, opts, req)
	if err != nil {
		return err
	}
	sel, outs, err := pp.chooseCoins(env)
	if err != nil {
		return err
	}
	p, a, err := pp.build(ctx, env, opts, sel, outs)
	if err != nil {
		return err
	}
	summary := fmt.Sprintf("coin selection: %s; %s at %.1f sat/vB", sel.method, plural(len(sel.coins), "input"), pp.feeRate)
	if opts.PSBTVersion == 2 {
		p.ToV2()
	}
	return presentPrepared(ctx, env, pp.w, p, a, prepared{Out: opts.Out, QR: opts.QR, JSON: opts.JSON, Summary: summary})
}

// prepareRequest is what prepare's options ask for, checked before the
// wallet is read or the node dialed.
type prepareRequest struct {
	maxRate     float64
	coinControl []wire.OutPoint
}

// checkPrepareOptions is prepare's first stage: the output is free, the
// money goes somewhere, the fee flags and coin-control outpoints parse.
func checkPrepareOptions(opts PrepareOptions) (prepareRequest, error) {
	if err := transport.CheckOutput(opts.Out, opts.QR, "the unsigned PSBT", nil); err != nil {
		return prepareRequest{}, err
	}
	if opts.PSBTVersion != 0 && opts.PSBTVersion != 2 {
		return prepareRequest{}, fmt.Errorf("--psbt-version %d: use 0 (BIP174, what most wallets read) or 2 (BIP370)", opts.PSBTVersion)
	}
	paying := len(opts.To) > 0 || opts.ToFile != ""
	if paying == (opts.Sweep != "") {
		return prepareRequest{}, transport.WithHint(errors.New("say where the money goes"),
			"give one or more --to ADDRESS:AMOUNT or --to-file CSV, or --sweep ADDRESS")
	}
	maxRate, err := checkFeeFlags(opts.FeeRate, opts.TargetBlocks, opts.MaxFeeRate)
	if err != nil {
		return prepareRequest{}, err
	}
	coinControl, err := parseOutPoints(opts.Coins)
	if err != nil {
		return prepareRequest{}, err
	}
	return prepareRequest{maxRate: maxRate, coinControl: coinControl}, nil
}

// preparation is an open prepare: the wallet, what it pays, the node, the
// fee rate and the coins it may spend.
type preparation struct {
	prepareRequest
	w           *Wallet
	b           backend.Backend
	outs        []psbt.OutputSpec // the payments (none for a sweep)
	target      int64             // their sum
	sweepScript []byte            // the sweep's destination, or nil
	feeRate     float64
	scan        *Scan
	coins       []Coin
	heldBack    string // what the coins leave out, e.g. "0.1 BTC frozen"
}

// openPrepare is prepare's second stage: read the wallet and the payments
// (they need its network), then ask the node for the fee rate and the
// wallet's coins.
func openPrepare(ctx context.Context, env *Env, opts PrepareOptions, req prepareRequest) (*preparation, error) {
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return nil, err
	}
	pp := &preparation{prepareRequest: req, w: w}
	pays, err := collectPayouts(env, w, opts)
	if err != nil {
		return nil, err
	}
	for _, p := range pays {
		script, err := payScript(p.Address)
		if err != nil {
			return nil, err
		}
		pp.outs = append(pp.outs, psbt.OutputSpec{PkScript: script, Amount: p.Amount})
		pp.target += p.Amount
	}
	if opts.Sweep != "" {
		a, err := ParseAddress(opts.Sweep, w.net)
		if err != nil {
			return nil, fmt.Errorf("--sweep: %w", err)
		}
		if pp.sweepScript, err = payScript(a); err != nil {
			return nil, err
		}
	}
	if pp.b, err = env.backendFor(ctx, w.net); err != nil {
		return nil, err
	}
	if pp.feeRate, err = chooseFeeRate(ctx, env, pp.b, opts.FeeRate, opts.TargetBlocks, req.maxRate); err != nil {
		return nil, err
	}
	if pp.scan, err = env.scan(ctx, w, pp.b); err != nil {
		return nil, err
	}
	if pp.coins, pp.heldBack, err = spendable(env, w, pp.scan, req.coinControl); err != nil {
		return nil, err
	}
	return pp, nil
}

// chooseCoins is prepare's third stage: every coin for a sweep, exactly the
// --utxo coins, or coin selection; change to the next unused change
// address. It returns the outputs with the change.
func (pp *preparation) chooseCoins(env *Env) (selection, []psbt.OutputSpec, error) {
	w := pp.w
	m := newFeeModel(w.desc, pp.feeRate)
	change, err := w.desc.Derive(changeBranch(w), pp.scan.NextUnused[changeBranch(w)])
	if err != nil {
		return selection{}, nil, err
	}
	outs := pp.outs
	var sel selection
	switch {
	case pp.sweepScript != nil:
		sel, outs, err = pp.sweep(env, m)
	case len(pp.coinControl) > 0:
		sel, err = spendAll(pp.coins, outs, pp.target, m, change.Script)
	default:
		sel, err = selectCoins(pp.coins, outs, pp.target, m, change.Script)
	}
	var insufficient *InsufficientFundsError
	if errors.As(err, &insufficient) {
		insufficient.HeldBack, insufficient.Sats = pp.heldBack, env.Sats
		return selection{}, nil, insufficient
	}
	if err != nil {
		return selection{}, nil, err
	}
	if sel.change > 0 {
		outs = append(outs, changeOutput(w, change, sel.change))
	}
	return sel, outs, nil
}

// sweep spends every coin to the sweep address, less the fee.
func (pp *preparation) sweep(env *Env, m feeModel) (selection, []psbt.OutputSpec, error) {
	if len(pp.coins) == 0 {
		return selection{}, nil, fmt.Errorf("nothing to sweep: the wallet has no spendable coin%s", heldBackNote(pp.heldBack))
	}
	if pp.heldBack != "" {
		// A sweep is meant to empty the wallet (a key rotation relies
		// on it): say what it leaves behind.
		env.Warnf("this sweep leaves %s in the wallet; wait for confirmations (or unfreeze) and sweep again", pp.heldBack)
	}
	var total int64
	for _, c := range pp.coins {
		total += int64(c.Amount)
	}
	out := psbt.OutputSpec{PkScript: pp.sweepScript}
	fee := m.fee(len(pp.coins), []psbt.OutputSpec{out})
	if total-fee <= 0 || isDust(total-fee, pp.sweepScript) {
		return selection{}, nil, fmt.Errorf("the %s of %s cannot pay the %s fee of a sweep and leave more than dust", plural(len(pp.coins), "coin"), env.amount(total), env.amount(fee))
	}
	out.Amount = total - fee
	return selection{coins: pp.coins, method: "sweep: every coin, no change"}, []psbt.OutputSpec{out}, nil
}

// build is prepare's fourth stage: fetch the previous transactions (the
// signer needs them against the fee attack), set sequence and locktime,
// build the PSBT and check it as the signer will.
func (pp *preparation) build(ctx context.Context, env *Env, opts PrepareOptions, sel selection, outs []psbt.OutputSpec) (*psbt.Packet, *psbt.Analysis, error) {
	ins := make([]psbt.InputSpec, 0, len(sel.coins))
	seq := uint32(sequenceRBF)
	if opts.NoRBF {
		seq = sequenceNoRBF
	}
	for _, c := range sel.coins {
		prev, err := pp.b.RawTransaction(ctx, c.OutPoint.Hash)
		if err != nil {
			return nil, nil, fmt.Errorf("fetching the previous transaction of %s: %w", c.OutPoint, err)
		}
		ins = append(ins, inputSpec(pp.w, c.Derived, prev, c.OutPoint.Index, seq))
	}
	tip := pp.scan.Tip
	lockTime := uint32(tip)
	if opts.HasLockTime {
		lockTime = opts.LockTime
		if lockTime < 500_000_000 && int64(lockTime) > int64(tip)+1 {
			env.Warnf("--locktime %d is above the next block (%d): the transaction cannot be mined before block %d", lockTime, tip+1, lockTime)
		}
	}
	return buildChecked(pp.w, 2, lockTime, ins, outs, pp.feeRate, pp.maxRate)
}

// buildChecked builds the PSBT with the wallet's xpubs and checks it as the
// signer will (checkPrepared); prepare and bump both end here.
func buildChecked(w *Wallet, version int32, lockTime uint32, ins []psbt.InputSpec, outs []psbt.OutputSpec, rate, maxRate float64) (*psbt.Packet, *psbt.Analysis, error) {
	p, err := psbt.Build(version, lockTime, ins, outs)
	if err != nil {
		return nil, nil, err
	}
	if p, err = psbt.AddGlobalXPubs(p, w.desc); err != nil {
		return nil, nil, err
	}
	a, err := checkPrepared(p, w, rate, maxRate)
	if err != nil {
		return nil, nil, err
	}
	return p, a, nil
}

// prepared says how to present a PSBT prepare or bump made.
type prepared struct {
	Out     string
	QR      transport.QROptions
	JSON    bool
	Summary string // how the coins and fee were chosen, one line
}

// presentPrepared is the last stage of prepare and bump: the analysis the
// signer will show (with the labels), a warning for what the signer's
// default policy would refuse, then the PSBT written and the next step.
func presentPrepared(ctx context.Context, env *Env, w *Wallet, p *psbt.Packet, a *psbt.Analysis, o prepared) error {
	if err := writeAnalysis(env, a, o.JSON); err != nil {
		return err
	}
	if !o.JSON {
		printLabels(env, w, a)
	}
	warnSignerPolicy(env, a)
	env.Infof("%s", o.Summary)
	if err := w.rememberPrepared(env, a); err != nil {
		return err
	}
	return writePSBT(ctx, env, p, o.Out, o.QR, a)
}

// warnSignerPolicy warns about what airsign-offline's default policy would
// refuse (a fee above 10 % of the amount sent, or above 10,000 sat/vB), so
// the operator learns it here and not at the signing table.
func warnSignerPolicy(env *Env, a *psbt.Analysis) {
	probe := *a
	probe.Problems = append([]psbt.Problem(nil), a.Problems...)
	pol := psbt.DefaultPolicy()
	pol.Sats = env.Sats
	for _, pr := range pol.Apply(&probe).Refusals() {
		env.Warnf("the offline signer's default policy would refuse this: %s; it signs only with --allow-high-fee (or prepare again with a lower --fee-rate)", pr.Message)
	}
}

// checkFeeFlags checks --fee-rate, --target-blocks and --max-fee-rate before
// anything is asked of the node, and returns the cap.
func checkFeeFlags(feeRate float64, target int, maxFeeRate float64) (float64, error) {
	// NaN passes every comparison below and infinity every cap: refused
	// first, or a NaN rate would quietly pay the whole excess as fee.
	for _, f := range []struct {
		name string
		v    float64
	}{{"--fee-rate", feeRate}, {"--max-fee-rate", maxFeeRate}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return 0, fmt.Errorf("%s %v is not a fee rate: give sat/vB as a positive number, e.g. 5", f.name, f.v)
		}
	}
	maxRate := maxFeeRate
	if maxRate == 0 {
		maxRate = DefaultMaxFeeRate
	}
	if maxRate < 1 {
		return 0, fmt.Errorf("--max-fee-rate %.2f is below 1 sat/vB", maxRate)
	}
	if feeRate != 0 && target != 0 {
		return 0, fmt.Errorf("give --fee-rate or --target-blocks, not both")
	}
	if target < 0 || target > 1008 {
		return 0, fmt.Errorf("--target-blocks %d: give 1 to 1008 blocks", target)
	}
	if feeRate != 0 && feeRate < 1 {
		return 0, fmt.Errorf("--fee-rate %.2f is below 1 sat/vB, the minimum nodes relay", feeRate)
	}
	if feeRate > maxRate {
		return 0, transport.WithHint(fmt.Errorf("--fee-rate %g sat/vB is above the cap of %g sat/vB", feeRate, maxRate),
			"pass --max-fee-rate to really pay that")
	}
	return maxRate, nil
}

// chooseFeeRate returns the rate given, or the node's estimate for target
// blocks, or the fallback with a warning.
func chooseFeeRate(ctx context.Context, env *Env, b backend.Backend, rate float64, target int, maxRate float64) (float64, error) {
	if rate != 0 {
		return rate, nil
	}
	if target == 0 {
		target = DefaultTargetBlocks
	}
	est, ok, err := b.EstimateFeeRate(ctx, target)
	if err != nil {
		return 0, err
	}
	if !ok {
		env.Warnf("%s has no fee estimate for %d blocks; using the fallback %.1f sat/vB — pass --fee-rate to choose (the transaction can be bumped later: RBF)", b.Name(), target, fallbackFeeRate)
		return fallbackFeeRate, nil
	}
	if est < 1 {
		est = 1
	}
	if est > maxRate {
		return 0, transport.WithHint(fmt.Errorf("%s estimates %.1f sat/vB for %d blocks, above the cap of %g sat/vB", b.Name(), est, target, maxRate),
			"choose the rate with --fee-rate, or raise the cap with --max-fee-rate")
	}
	env.Infof("fee rate %.1f sat/vB: %s's estimate for confirmation within %d blocks", est, b.Name(), target)
	return est, nil
}

// collectPayouts reads --to and --to-file and checks the batch as a whole.
func collectPayouts(env *Env, w *Wallet, opts PrepareOptions) ([]Payout, error) {
	var pays []Payout
	for i, s := range opts.To {
		p, err := ParsePayment(s, w.net)
		if err != nil {
			return nil, fmt.Errorf("--to #%d: %w", i+1, err)
		}
		pays = append(pays, Payout{Payment: p, Origin: fmt.Sprintf("--to #%d", i+1)})
	}
	if opts.ToFile != "" {
		more, err := readPayoutsFile(env, opts.ToFile, w.net)
		if err != nil {
			return nil, err
		}
		pays = append(pays, more...)
	}
	if err := CheckPayouts(pays); err != nil {
		return nil, err
	}
	return pays, nil
}

func parseOutPoints(ss []string) ([]wire.OutPoint, error) {
	var out []wire.OutPoint
	seen := map[wire.OutPoint]bool{}
	for _, s := range ss {
		op, err := ParseOutPoint(s)
		if err != nil {
			return nil, fmt.Errorf("--utxo: %w", err)
		}
		if seen[op] {
			return nil, fmt.Errorf("--utxo %s is given twice", op)
		}
		seen[op] = true
		out = append(out, op)
	}
	return out, nil
}

func changeBranch(w *Wallet) uint32 {
	if w.desc.HasBranch(1) {
		return 1
	}
	return w.desc.Branches()[0]
}

// walletFingerprint is the master fingerprint the analysis uses to pick the
// wallet's derivations: the first key's. The online side holds no key, so
// for a multisig any cosigner's fingerprint serves to recognise the
// wallet's inputs and to verify change against the descriptor.
func walletFingerprint(w *Wallet) uint32 {
	return w.desc.Keys()[0].PSBTFingerprint()
}

// spendable filters the scan to the coins prepare may spend: confirmed,
// mature, not frozen — or exactly the coin-control list, each of which must
// be the wallet's and not frozen. heldBack describes what was left out.
func spendable(env *Env, w *Wallet, s *Scan, only []wire.OutPoint) (coins []Coin, heldBack string, err error) {
	if len(only) > 0 {
		byOp := map[wire.OutPoint]Coin{}
		for _, c := range s.Coins {
			byOp[c.OutPoint] = c
		}
		for _, op := range only {
			c, ok := byOp[op]
			switch {
			case !ok:
				return nil, "", transport.WithHint(fmt.Errorf("--utxo %s is not an unspent coin of wallet %q", op, w.Name),
					"`airsign-online utxos` lists the wallet's coins")
			case w.Frozen[op.String()]:
				return nil, "", transport.WithHint(fmt.Errorf("--utxo %s is frozen", op),
					fmt.Sprintf("unfreeze it first: airsign-online unfreeze %s", op))
			case c.Immature(w.net):
				return nil, "", fmt.Errorf("--utxo %s is a coinbase output with %d of %d confirmations; it cannot be spent yet", op, c.Confirmations, w.net.CoinbaseMaturity)
			case c.InMempool():
				env.Warnf("--utxo %s is unconfirmed: this transaction cannot confirm before the one that made it", op)
			}
			coins = append(coins, c)
		}
		return coins, "", nil
	}
	var frozen, unconf, immature btcutil.Amount
	for _, c := range s.Coins {
		switch {
		case w.Frozen[c.OutPoint.String()]:
			frozen += c.Amount
		case c.InMempool():
			unconf += c.Amount
		case c.Immature(w.net):
			immature += c.Amount
		default:
			coins = append(coins, c)
		}
	}
	var held []string
	for _, h := range []struct {
		amt  btcutil.Amount
		what string
	}{{frozen, "frozen"}, {unconf, "unconfirmed"}, {immature, "immature coinbase"}} {
		if h.amt > 0 {
			held = append(held, env.amount(int64(h.amt))+" "+h.what)
		}
	}
	return coins, strings.Join(held, ", "), nil
}

func heldBackNote(h string) string {
	if h == "" {
		return ""
	}
	return " (not counted: " + h + ")"
}

func keyOrigins(d *descriptor.Derived) []psbt.KeyOrigin {
	var out []psbt.KeyOrigin
	for _, k := range d.Keys {
		out = append(out, psbt.KeyOrigin{PubKey: k.PubKey, Fingerprint: k.Fingerprint, Path: k.Path})
	}
	return out
}

func inputSpec(w *Wallet, d *descriptor.Derived, prev *wire.MsgTx, vout, sequence uint32) psbt.InputSpec {
	return psbt.InputSpec{
		PrevTx:        prev,
		Vout:          vout,
		Sequence:      sequence,
		Keys:          keyOrigins(d),
		RedeemScript:  d.RedeemScript,
		WitnessScript: d.WitnessScript,
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

// checkPrepared analyses the PSBT as the offline signer will and checks it
// against what was asked: the signer's own checks pass, the fee reaches the
// rate and stays under the cap, the transaction is standard-sized.
func checkPrepared(p *psbt.Packet, w *Wallet, rate, maxRate float64) (*psbt.Analysis, error) {
	a := psbt.Analyze(p, w.net, walletFingerprint(w), psbt.DescriptorWallet(w.desc))
	if r := a.Refusals(); len(r) > 0 {
		return nil, fmt.Errorf("internal error: the PSBT prepared fails its own checks: %s", r[0])
	}
	if a.Fee < 0 {
		return nil, fmt.Errorf("internal error: the prepared transaction has a negative fee")
	}
	m := feeModel{inputWeight: inputWeight(w.desc), rate: rate}
	weight := m.weight(len(p.UnsignedTx().TxIn), outputsOf(p))
	if weight > maxStandardWeight {
		return nil, fmt.Errorf("the transaction would weigh %d WU, above the %d nodes relay: split the batch or spend fewer coins (--utxo)", weight, maxStandardWeight)
	}
	vsize := (weight + 3) / 4
	got := float64(a.Fee) / float64(vsize)
	if got > maxRate {
		return nil, fmt.Errorf("the prepared fee rate %.1f sat/vB is above the %g sat/vB cap (fee %s)", got, maxRate, psbt.FormatBTC(a.Fee))
	}
	if a.Fee < feeAt(vsize, rate) {
		return nil, fmt.Errorf("internal error: the prepared fee %d sat is below %.2f sat/vB for %d vB", a.Fee, rate, vsize)
	}
	return a, nil
}

func outputsOf(p *psbt.Packet) []psbt.OutputSpec {
	var outs []psbt.OutputSpec
	for _, o := range p.UnsignedTx().TxOut {
		outs = append(outs, psbt.OutputSpec{PkScript: o.PkScript, Amount: o.Value})
	}
	return outs
}

// printLabels lists the operator's labels of the inputs and outputs below
// the analysis, each with the coin or address whole (the screen above
// shortens txids), within the 80-column console: a line that would not fit
// puts the label on the lines below its coin or address.
func printLabels(env *Env, w *Wallet, a *psbt.Analysis) {
	var lines []string
	add := func(head, key, label string) {
		if one := head + key + ": " + label; utf8.RuneCountInString(one) <= psbt.ScreenWidth {
			lines = append(lines, one)
			return
		}
		lines = append(lines, psbt.Wrap(head, "      ", key+":", psbt.ScreenWidth)...)
		lines = append(lines, psbt.Wrap("      ", "      ", label, psbt.ScreenWidth)...)
	}
	for _, in := range a.Inputs {
		for _, k := range []string{in.Outpoint, in.Address} {
			if l := w.Labels[k]; k != "" && l != "" {
				add(fmt.Sprintf("  input #%d ", in.Index), k, l)
			}
		}
	}
	for _, out := range a.Outputs {
		if l := w.Labels[out.Address]; out.Address != "" && l != "" {
			add(fmt.Sprintf("  output #%d ", out.Index), out.Address, l)
		}
	}
	if len(lines) > 0 {
		env.Printf("\nLabels:\n%s\n", strings.Join(lines, "\n"))
	}
}

// writeQR shows or writes a PSBT as the QR codes qr asks for (fitted to
// the terminal by qrterm.Fit, under the operator's keys while a series is
// shown) and says what it wrote.
func writeQR(ctx context.Context, env *Env, data []byte, qr transport.QROptions) error {
	defer qrterm.Keys(&qr)()
	lines, err := transport.WriteQR(ctx, data, qr, env.Stdout)
	for _, l := range lines {
		env.Infof("%s", l)
	}
	return err
}

// writePSBT writes the unsigned PSBT to a new file and tells the operator
// what to do next.
func writePSBT(ctx context.Context, env *Env, p *psbt.Packet, out string, qr transport.QROptions, a *psbt.Analysis) error {
	data, err := p.Encode()
	if err != nil {
		return err
	}
	where := "as QR codes"
	if out != "" {
		if err := file.WriteNewAtomic(out, data, 0o644); err != nil {
			return err
		}
		where = "to " + out
	}
	qr.Details = a.PageLinesOptions(psbt.TextOptions{Sats: env.Sats}) // the printed page names digest, payees and fee
	if err := writeQR(ctx, env, data, qr); err != nil {
		return err
	}
	env.Infof("wrote the unsigned PSBT %s; sign it on the offline machine and compare the digest %s", where, strings.ToUpper(a.Digest))
	// One command to copy, cut where a shell lets it be cut: 80 columns.
	env.Infof("then: airsign-online broadcast SIGNED.psbt \\\n  --expect-txid %s", a.TxID)
	return nil
}
