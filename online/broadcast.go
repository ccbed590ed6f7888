package online

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
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
}

// Broadcast combines the signed PSBTs (one, or one per cosigner), finalizes,
// extracts, asks the node whether it would accept the transaction, and only
// then sends it. Sending an already-known transaction reports its status.
func Broadcast(ctx context.Context, env *Env, opts BroadcastOptions) error {
	if len(opts.Sources) == 0 && opts.Camera == "" {
		return transport.WithHint(errors.New("no signed PSBT given"), "name the file(s) or QR frames the offline signer wrote, or --camera")
	}
	var expect *chainhash.Hash
	if opts.ExpectTxID != "" {
		h, err := parseTxID(opts.ExpectTxID)
		if err != nil {
			return fmt.Errorf("--expect-txid: %w", err)
		}
		expect = &h
	}
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return err
	}
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
			return err
		}
		if expect != nil && p.UnsignedTx().TxHash() != *expect {
			return fmt.Errorf("%s is a PSBT for transaction %s, not the expected %s: it belongs to another transaction than the one prepared; nothing was sent", src, p.UnsignedTx().TxHash(), expect)
		}
		packets = append(packets, p)
	}
	p, err := psbt.Combine(packets...)
	if err != nil {
		return err
	}
	a := psbt.Analyze(p, w.net, walletFingerprint(w), psbt.DescriptorWallet(w.desc))
	for _, r := range a.Refusals() {
		if r.Code != "missing-non-witness-utxo" {
			return fmt.Errorf("refusing to broadcast: %s", r)
		}
	}
	maxRate, err := checkFeeFlags(0, 0, opts.MaxFeeRate)
	if err != nil {
		return err
	}
	if err := psbt.Finalize(p); err != nil {
		return err
	}
	tx, err := psbt.Extract(p)
	if err != nil {
		return err
	}
	vsize := (txWeight(tx) + 3) / 4
	rate := float64(a.Fee) / float64(vsize)
	if rate > maxRate {
		return transport.WithHint(fmt.Errorf("the fee rate is %.1f sat/vB (fee %s), above the %g sat/vB cap", rate, psbt.FormatBTC(a.Fee), maxRate),
			"pass --max-fee-rate if that fee is really meant")
	}
	env.Infof("transaction %s: %d input(s), %d output(s), fee %s (%.1f sat/vB, %d vB), digest %s", tx.TxHash(), len(tx.TxIn), len(tx.TxOut), psbt.FormatBTC(a.Fee), rate, vsize, strings.ToUpper(a.Digest))

	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return err
	}
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
	return fmt.Sprintf("%d confirmation(s), block %d (%s)", st.Confirmations, st.BlockHeight, st.BlockHash)
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
	return a.WriteText(env.Stdout)
}
