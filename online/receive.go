package online

import (
	"context"
	"fmt"

	"github.com/airsign/airsign/online/store"
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
	// Force hands out an address past the gap limit (see Receive).
	Force bool
}

// Receive prints the wallet's next receive address: the first after the
// last one with a transaction on chain (or in the mempool) that receive
// has not handed out already, so two payers asking one after the other get
// two addresses. An address counts as used once a scan sees a payment to
// it (the store marks it), and the unpaid ones handed out before it no
// longer count.
//
// A wallet restored from its descriptor stops looking after gap-limit
// unused addresses in a row: a payment to an address handed out further
// than that past the last paid one would not be found. Receive warns at
// the last address within reach and refuses past it unless Force, saying
// which gap limit the restore then needs.
func Receive(ctx context.Context, env *Env, opts ReceiveOptions) error {
	w, _, s, err := env.openScanned(ctx, opts.Wallet)
	if err != nil {
		return err
	}
	branch := w.desc.Branches()[0]
	first := s.NextUnused[branch] // the first address after the last paid one
	var d *descriptor.Derived
	var index uint32
	err = env.update(func(t *store.Tx) error {
		index, err = t.HandOut(w.id, branch, first, func(i uint32) (string, error) {
			if reach := first + uint32(w.GapLimit); i >= reach && !opts.Force {
				return "", transport.WithHint(fmt.Errorf("receive address #%d would be the %s unpaid one after the last paid address: "+
					"a wallet restored from the descriptor stops looking after %d unused addresses (its gap limit) and would not find a payment to it",
					i, ordinal(i-first+1), w.GapLimit),
					fmt.Sprintf("give a payer one of the unpaid addresses #%d to #%d again, or wait until one is paid; --force hands it out anyway (restore then with --gap-limit %d)", first, i-1, i-first+1))
			}
			var err error
			if d, err = w.desc.Derive(branch, i); err != nil {
				return "", err
			}
			return d.Address.EncodeAddress(), nil
		})
		return err
	})
	if err != nil {
		return err
	}
	switch unpaid := index - first + 1; {
	case unpaid > uint32(w.GapLimit):
		env.Warnf("address #%d is %d past the last paid one, beyond the gap limit %d: a restored wallet finds a payment to it only with --gap-limit %d or more", index, unpaid, w.GapLimit, unpaid)
	case unpaid == uint32(w.GapLimit):
		env.Warnf("address #%d is the last a restored wallet (gap limit %d) finds while #%d to #%d stay unpaid; the next receive will refuse without --force", index, w.GapLimit, first, index-1)
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
		env.Infof("check it on the offline screen:\n  %s", check)
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

// ordinal is 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, 21st.
func ordinal(n uint32) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
