package online

import (
	"context"
	"fmt"
	"strings"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/qrterm"
)

// UpdateOptions are the inputs of `airsign-online update`.
type UpdateOptions struct {
	Wallet string
	// Sources hold the PSBT from another coordinator (file, '-', QR).
	Sources []string
	Out     string
	// QR shows or writes the updated PSBT as QR codes.
	QR   transport.QROptions
	JSON bool
}

// Update is the BIP174 Updater: it takes an unsigned PSBT another
// coordinator made for this wallet's coins (Specter, BlueWallet and
// SeedSigner flows often leave out the previous transactions, the BIP32
// derivations or the global xpubs) and writes it again with everything the
// offline signer needs to check it: each input's previous transaction
// (non_witness_utxo, so amounts are proven rather than refused), the
// wallet's derivations and scripts for its inputs and change, and the
// global xpubs of a multisig. The transaction itself is never changed
// (same txid, checked); the offline checks are not weakened, only given
// what they need. A PSBT that already carries signatures is refused: it is
// rebuilt. Of the original's other fields, the unknown and proprietary ones
// are kept byte for byte (and a version 2 PSBT stays one, with its own
// BIP370 fields); fields airsign interprets are written afresh from the
// wallet.
func Update(ctx context.Context, env *Env, opts UpdateOptions) error {
	qrterm.Fit(env.Stdout, &opts.QR)
	if err := transport.CheckOutput(opts.Out, opts.QR, "the updated PSBT", nil); err != nil {
		return err
	}
	if len(opts.Sources) == 0 {
		return fmt.Errorf("give the PSBT to update: a file, '-' for stdin, or QR images")
	}
	_, in, err := transport.ReadPacket(ctx, opts.Sources, transport.ReadOptions{Stdin: env.Stdin, Progress: env.Stderr})
	if err != nil {
		return err
	}
	if signed := in.SignedInputs(); len(signed) > 0 {
		return fmt.Errorf("input %d of the PSBT is already signed: update adds to an unsigned PSBT (update it before any cosigner signs)", signed[0])
	}
	w, err := LoadWallet(env, opts.Wallet)
	if err != nil {
		return err
	}
	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return err
	}
	s, err := env.scan(ctx, w, b)
	if err != nil {
		return err
	}
	tx := in.UnsignedTx()
	var ins []psbt.InputSpec
	for i, txin := range tx.TxIn {
		op := txin.PreviousOutPoint
		prev, err := b.RawTransaction(ctx, op.Hash)
		if err != nil {
			return fmt.Errorf("input %d: fetching the transaction it spends: %w", i, err)
		}
		if int(op.Index) >= len(prev.TxOut) {
			return fmt.Errorf("input %d: spends output %d of a transaction with %d outputs", i, op.Index, len(prev.TxOut))
		}
		d, ok := s.byScript[string(prev.TxOut[op.Index].PkScript)]
		if !ok {
			return fmt.Errorf("input %d (%s) is not a coin of wallet %q: the offline signer could not sign it; update the PSBT with the wallet it spends from", i, op, w.Name)
		}
		ins = append(ins, inputSpec(w, d, prev, op.Index, txin.Sequence))
	}
	var outs []psbt.OutputSpec
	change := 0
	for _, o := range tx.TxOut {
		spec := psbt.OutputSpec{PkScript: o.PkScript, Amount: o.Value}
		if d, ok := s.byScript[string(o.PkScript)]; ok {
			spec = changeOutput(w, d, o.Value)
			change++
		}
		outs = append(outs, spec)
	}
	p, err := psbt.Build(tx.Version, tx.LockTime, ins, outs)
	if err != nil {
		return err
	}
	if p, err = psbt.AddGlobalXPubs(p, w.desc); err != nil {
		return err
	}
	if p.TxID() != in.TxID() {
		return fmt.Errorf("internal error: the updated PSBT is for transaction %s, not %s", p.TxID(), in.TxID())
	}
	// What airsign does not interpret (unknown and proprietary fields, a
	// version 2 PSBT's own fields) is passed on unchanged, as BIP174 asks
	// of an Updater.
	if err := p.KeepUnknowns(in); err != nil {
		return err
	}
	a := psbt.Analyze(p, w.net, walletFingerprint(w), psbt.DescriptorWallet(w.desc))
	var added []string
	added = append(added, plural(len(ins), "previous transaction"), "the derivations of "+plural(len(ins), "input"))
	if change > 0 {
		added = append(added, plural(change, "change output"))
	}
	if w.desc.Kind().IsMultisig() {
		added = append(added, "the global xpubs")
	}
	if n := in.UnknownCount(); n > 0 {
		added = append(added, "kept "+plural(n, "field")+" airsign does not use")
	}
	summary := "updated: added " + strings.Join(added, ", ")
	return presentPrepared(ctx, env, w, p, a, prepared{Out: opts.Out, QR: opts.QR, JSON: opts.JSON, Summary: summary})
}
