package online

import (
	"context"
	"fmt"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/qrterm"
)

// ReceiveOptions are the inputs of `airsign-online receive`.
type ReceiveOptions struct {
	Wallet string
	// QRTerm also shows the address as a QR code (a BIP21 bitcoin: URI).
	QRTerm bool
}

// Receive prints the wallet's next unused receive address: the first one
// after the last that has a transaction on chain (or in the mempool), as
// the node sees it now. Until a payment to it is seen, it stays the
// answer, so asking twice never skips addresses past the gap limit; once a
// payment is seen the scan marks it used (in the store too) and the next
// call moves on.
func Receive(ctx context.Context, env *Env, opts ReceiveOptions) error {
	w, _, s, err := env.openScanned(ctx, opts.Wallet)
	if err != nil {
		return err
	}
	branch := w.desc.Branches()[0]
	index := s.NextUnused[branch]
	d, err := w.desc.Derive(branch, index)
	if err != nil {
		return err
	}
	addr := d.Address.EncodeAddress()
	env.Printf("%s\n", addr)
	path := "?"
	if len(d.Keys) > 0 {
		path = psbt.FormatPath(d.Keys[0].Fingerprint, d.Keys[0].Path)
	}
	env.Infof("receive address #%d of wallet %q (%s)", index, w.Name, path)
	if l := w.Labels[addr]; l != "" {
		env.Infof("label: %s", l)
	}
	if check := offlineAddressCommand(w, index); check != "" {
		env.Infof("check it on the offline screen: %s", check)
	}
	if opts.QRTerm {
		q := transport.QROptions{Term: true}
		qrterm.Fit(env.Stdout, &q)
		return transport.ShowText(env.Stdout, "bitcoin:"+addr, q)
	}
	return nil
}

// offlineAddressCommand is the airsign-offline command that shows the same
// receive address from the key, or "" for a multisig wallet (each cosigner
// checks it with `wallet show` of their enrollment).
func offlineAddressCommand(w *Wallet, index uint32) string {
	kind := map[descriptor.Kind]string{descriptor.WPKH: "wpkh", descriptor.SHWPKH: "sh-wpkh", descriptor.TR: "tr"}[w.desc.Kind()]
	if kind == "" {
		return ""
	}
	network := ""
	if w.net.Name != "mainnet" {
		network = " --network " + w.net.Name
	}
	return fmt.Sprintf("airsign-offline%s address --index %d --type %s --shares", network, index, kind)
}
