package offline

import (
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
)

// AddressOptions are the inputs of `address`.
type AddressOptions struct {
	Key     KeySource
	Kind    string
	Account uint32
	Index   uint32
	Change  bool
	QR      bool
}

// Address derives one address from the key itself, so a deposit address the
// online machine shows can be checked on the offline screen before anyone
// sends money to it.
func Address(env *Env, opts AddressOptions) error {
	kind, err := ParseKind(opts.Kind)
	if err != nil {
		return err
	}
	key, err := opts.Key.LoadKey(env)
	if err != nil {
		return err
	}
	defer key.Wipe()
	d, err := key.Descriptor(kind, opts.Account, env.Net)
	if err != nil {
		return err
	}
	branch := uint32(0)
	if opts.Change {
		branch = 1
	}
	der, err := d.Derive(branch, opts.Index)
	if err != nil {
		return err
	}
	k := der.Keys[0]
	env.Printf("%s  %s\n", psbt.FormatPath(k.Fingerprint, k.Path), der.Address.EncodeAddress())
	if opts.QR {
		q := transport.QROptions{Term: true}
		fitQRTerm(env, &q)
		return transport.ShowText(env.Stdout, "bitcoin:"+der.Address.EncodeAddress(), q)
	}
	return nil
}
