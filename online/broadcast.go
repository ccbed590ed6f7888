package online

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// BroadcastOptions are the inputs of `airsign-online broadcast`.
type BroadcastOptions struct {
	Wallet  string
	Sources []string
	// Camera adds one more signed PSBT read from QR codes shown to this
	// video device.
	Camera string
	// MaxFeeRate (sat/vB) refuses a transaction paying more; 0 means
	// 10,000 sat/vB (0.1 BTC/kvB).
	MaxFeeRate float64
	DryRun     bool
	// ExpectTxID, if set, refuses PSBTs of any other transaction: the txid
	// prepare (or bump) printed, so a signed file from another session on
	// the USB stick is not sent by mistake.
	ExpectTxID string
	// Yes sends without asking "send? [y/N]" (scripts). Without it and
	// without a terminal (Env.Ask nil), broadcast refuses to start.
	Yes bool
}

// Broadcast combines the signed PSBTs (one, or one per cosigner), finalizes,
// extracts, shows what the transaction does, asks the node whether it would
// accept it, asks the operator (or takes --yes), and only then sends it.
// Sending an already-known transaction reports its status. Stages: check
// the options, read the signed PSBTs, finalize, show, test and send.
func Broadcast(ctx context.Context, env *Env, opts BroadcastOptions) error {
	req, err := checkBroadcastOptions(env, opts)
	if err != nil {
		return err
	}
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return err
	}
	packets, err := readSigned(ctx, env, opts, req.expect)
	if err != nil {
		return err
	}
	st, err := finalizeSigned(w, packets, req.maxRate)
	if err != nil {
		return err
	}
	showSigned(env, w, st)
	st.remember = func() error {
		// Remembered before it is sent: `watch` tells the wallet's own
		// spends from unexpected ones by these, and a spend sent by a
		// process that died before it could note it would raise a false
		// alarm.
		return env.update(func(t *store.Tx) error {
			return t.RecordPSBT(w.id, store.PSBTRecord{Kind: store.PSBTBroadcast, Digest: st.a.Digest, Txid: st.tx.TxHash().String()})
		})
	}
	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return err
	}
	if err := testAndSend(ctx, env, b, st, opts, req.maxRate); err != nil {
		return err
	}
	if opts.DryRun {
		return nil
	}
	return rememberSent(env, w, st)
}

// rememberSent puts a transaction sent from here into the wallet's history
// (history lists it even after its coins are spent again).
func rememberSent(env *Env, w *Wallet, st *signedTx) error {
	if w.dataDir == "" {
		return nil
	}
	fee := st.a.Fee
	return env.update(func(t *store.Tx) error {
		return t.PutTransaction(w.id, store.TxRecord{Txid: st.tx.TxHash().String(), Fee: fee})
	})
}

// broadcastRequest is what broadcast's options ask for, checked before any
// file is read.
type broadcastRequest struct {
	expect  *chainhash.Hash
	maxRate float64
}

// checkBroadcastOptions is broadcast's first stage. Sending asks the
// operator first; without a terminal to ask at, --yes (or --dry-run) must
// say so, or nothing is read.
func checkBroadcastOptions(env *Env, opts BroadcastOptions) (broadcastRequest, error) {
	var req broadcastRequest
	if len(opts.Sources) == 0 && opts.Camera == "" {
		return req, transport.WithHint(errors.New("no signed PSBT given"), "name the file(s) or QR frames the offline signer wrote, or --camera")
	}
	if opts.ExpectTxID != "" {
		h, err := parseTxID(opts.ExpectTxID)
		if err != nil {
			return req, fmt.Errorf("--expect-txid: %w", err)
		}
		req.expect = &h
	}
	maxRate, err := checkFeeFlags(0, 0, opts.MaxFeeRate)
	if err != nil {
		return req, err
	}
	req.maxRate = maxRate
	if env.Ask == nil && !opts.Yes && !opts.DryRun {
		return req, transport.WithHint(errors.New("broadcast asks \"send? [y/N]\" before sending, and there is no terminal to ask at"),
			"in a script, pass --yes to send without asking (or --dry-run to only test)")
	}
	return req, nil
}

// readSigned is broadcast's second stage: one signed PSBT per source (and
// one from the camera), each of the expected transaction if one was named.
func readSigned(ctx context.Context, env *Env, opts BroadcastOptions, expect *chainhash.Hash) ([]*psbt.Packet, error) {
	var packets []*psbt.Packet
	sources := opts.Sources
	if opts.Camera != "" {
		sources = append(append([]string(nil), sources...), cameraSource)
	}
	for _, src := range sources {
		ro := transport.ReadOptions{Stdin: env.Stdin, Progress: env.Stderr}
		read := []string{src}
		if src == cameraSource {
			ro.Camera, read = opts.Camera, nil
		}
		_, p, err := transport.ReadPacket(ctx, read, ro)
		if err != nil {
			return nil, err
		}
		if p.IsReserves() {
			return nil, transport.WithHint(fmt.Errorf("%s is a proof of reserves: it can never be mined (its first input spends a coin that cannot exist); nothing was sent", src),
				"check it with: airsign-online reserves verify "+src)
		}
		if expect != nil && p.UnsignedTx().TxHash() != *expect {
			return nil, fmt.Errorf("%s is a PSBT for transaction %s, not the expected %s: it belongs to another transaction than the one prepared; nothing was sent", src, p.UnsignedTx().TxHash(), expect)
		}
		packets = append(packets, p)
	}
	return packets, nil
}

// signedTx is the transaction ready to send, with its analysis.
type signedTx struct {
	// remember notes the transaction in the store as broadcast by us.
	remember func() error
	tx       *wire.MsgTx
	a        *psbt.Analysis
	vsize    int64
	rate     float64
}

// finalizeSigned is broadcast's third stage: combine, check as the signer
// would, finalize, extract, and hold the fee rate to the cap.
func finalizeSigned(w *Wallet, packets []*psbt.Packet, maxRate float64) (*signedTx, error) {
	p, err := psbt.Combine(packets...)
	if err != nil {
		return nil, err
	}
	a := psbt.Analyze(p, w.net, walletFingerprint(w), psbt.DescriptorWallet(w.desc))
	for _, r := range a.Refusals() {
		if r.Code != psbt.CodeMissingNonWitnessUTXO {
			return nil, fmt.Errorf("refusing to broadcast: %s", r)
		}
	}
	if err := psbt.Finalize(p); err != nil {
		return nil, err
	}
	tx, err := psbt.Extract(p)
	if err != nil {
		return nil, err
	}
	vsize := (txWeight(tx) + 3) / 4
	rate := float64(a.Fee) / float64(vsize)
	if rate > maxRate {
		return nil, transport.WithHint(fmt.Errorf("the fee rate is %.1f sat/vB (fee %s), above the %g sat/vB cap", rate, psbt.FormatBTC(a.Fee), maxRate),
			"pass --max-fee-rate if that fee is really meant")
	}
	return &signedTx{tx: tx, a: a, vsize: int64(vsize), rate: rate}, nil
}

// maxShownOutputs keeps the broadcast screen within 24 lines.
const maxShownOutputs = 12

// showSigned prints what the transaction does, on stderr: where the money
// goes, the change, the fee and the confirmation digest prepare and sign
// showed — what the operator checks before answering "send?".
func showSigned(env *Env, w *Wallet, st *signedTx) {
	a := st.a
	env.Infof("transaction %s", st.tx.TxHash())
	for i, o := range a.Outputs {
		if i == maxShownOutputs-1 && len(a.Outputs) > maxShownOutputs {
			var rest int64
			for _, r := range a.Outputs[i:] {
				rest += r.Amount
			}
			env.Infof("  … and %d more outputs, %s in all", len(a.Outputs)-i, env.amount(rest))
			break
		}
		what, dest := "pays  ", o.Address
		if dest == "" {
			dest = "script " + o.Script
		}
		if o.Change {
			what, dest = "change", dest+" (the wallet's)"
		}
		if l := w.Labels[o.Address]; l != "" && o.Address != "" {
			dest += " \"" + transport.Printable(l) + "\""
		}
		env.Infof("  %s %s to %s", what, env.amount(o.Amount), dest)
	}
	env.Infof("  fee    %s (%.1f sat/vB, %d vB)", env.amount(a.Fee), st.rate, st.vsize)
	env.Infof("  digest %s (as prepare and sign showed it)", strings.ToUpper(a.Digest))
}

// testAndSend is broadcast's last stage: the node's test (testmempoolaccept),
// the operator's "send?" (or --yes), the send, and the txid on stdout.
func testAndSend(ctx context.Context, env *Env, b backend.Backend, st *signedTx, opts BroadcastOptions, maxRate float64) error {
	tx := st.tx
	if opts.DryRun {
		var raw bytes.Buffer
		if err := tx.Serialize(&raw); err != nil {
			return err
		}
		env.Printf("%x\n", raw.Bytes())
	}
	acc, err := b.TestMempoolAccept(ctx, tx, maxRate)
	if errors.Is(err, backend.ErrUnsupported) {
		// Esplora cannot test without sending: say so, and let the send
		// itself be the test.
		if opts.DryRun {
			env.Warnf("%s cannot test a transaction without sending it; nothing was sent", b.Name())
			return nil
		}
		env.Warnf("%s cannot test the transaction first; sending it, the node will judge", b.Name())
		acc, err = backend.Acceptance{Allowed: true}, nil
	}
	if err != nil {
		return err
	}
	if acc.AlreadyKnown {
		return reportStatus(ctx, env, b, tx.TxHash(), "already known to the node")
	}
	if !acc.Allowed {
		// A transaction already mined is rejected as spending spent coins
		// (bad-txns-inputs-missingorspent): look it up before saying
		// "rejected", or the operator may pay again with other coins.
		if known(ctx, b, tx.TxHash()) {
			return reportStatus(ctx, env, b, tx.TxHash(), "already known to the node")
		}
		return fmt.Errorf("%s would reject transaction %s: %s", b.Name(), tx.TxHash(), acc.Reason)
	}
	if opts.DryRun {
		env.Infof("dry run: %s would accept it; nothing was sent", b.Name())
		return nil
	}
	if err := confirmSend(ctx, env, b, opts.Yes); err != nil {
		return err
	}
	if st.remember != nil {
		if err := st.remember(); err != nil {
			return fmt.Errorf("nothing was sent: the store could not note the transaction (watch would report it as unexpected): %w", err)
		}
	}
	txid, err := b.SendRawTransaction(ctx, tx, maxRate)
	if errors.Is(err, backend.ErrAlreadyKnown) {
		return reportStatus(ctx, env, b, tx.TxHash(), "already known to the node")
	}
	if err != nil {
		if known(ctx, b, tx.TxHash()) {
			return reportStatus(ctx, env, b, tx.TxHash(), "already known to the node")
		}
		return err
	}
	env.Printf("%s\n", txid)
	env.Infof("sent through %s", b.Name())
	return nil
}

// ErrNotSent is returned when the operator answers no to "send?".
var ErrNotSent = errors.New("not sent: the operator did not answer yes")

// confirmSend asks "send? [y/N]" unless --yes said it already.
func confirmSend(ctx context.Context, env *Env, b backend.Backend, yesFlag bool) error {
	if yesFlag {
		return nil
	}
	answer, err := env.Ask(ctx, fmt.Sprintf("%s would accept it. send? [y/N] ", b.Name()))
	if err != nil {
		return fmt.Errorf("nothing was sent: %w", err)
	}
	if !yes(answer) {
		return ErrNotSent
	}
	return nil
}

// known reports whether the backend has the transaction in a block or its
// mempool; a failed lookup counts as unknown.
func known(ctx context.Context, b backend.Backend, txid chainhash.Hash) bool {
	st, err := b.TxStatus(ctx, txid)
	return err == nil && st.Known
}

func reportStatus(ctx context.Context, env *Env, b backend.Backend, txid chainhash.Hash, why string) error {
	st, err := b.TxStatus(ctx, txid)
	if err != nil {
		return err
	}
	env.Printf("%s\n", txid)
	env.Infof("%s: %s", why, describeStatus(st))
	return nil
}

func describeStatus(st backend.TxStatus) string {
	switch {
	case !st.Known:
		return "unknown to the node (not in its mempool or chain)"
	case st.InMempool:
		return "in the mempool, not yet confirmed"
	}
	return fmt.Sprintf("%s, block %d (%s)", plural(int(st.Confirmations), "confirmation"), st.BlockHeight, st.BlockHash)
}

// Status prints where a transaction is.
func Status(ctx context.Context, env *Env, walletName, txid string) error {
	h, err := parseTxID(txid)
	if err != nil {
		return err
	}
	w, err := LoadWallet(env, walletName)
	if err != nil {
		return err
	}
	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return err
	}
	st, err := b.TxStatus(ctx, h)
	if err != nil {
		return err
	}
	env.Printf("%s: %s\n", h, describeStatus(st))
	if !st.Known {
		return fmt.Errorf("transaction %s is unknown to %s", h, b.Name())
	}
	return nil
}

// cameraSource stands for the camera in the list of sources.
const cameraSource = "\x00camera"

func writeAnalysis(env *Env, a *psbt.Analysis, asJSON bool) error {
	if asJSON {
		return a.WriteJSON(env.Stdout)
	}
	return a.WriteTextOptions(env.Stdout, psbt.TextOptions{Sats: env.Sats})
}
