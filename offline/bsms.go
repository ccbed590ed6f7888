package offline

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/psbt/descriptor/bsms"
	"github.com/airsign/airsign/transport/file"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
)

// isBSMS reports whether a file's text is a BIP129 descriptor record.
func isBSMS(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimPrefix(data, []byte("\ufeff")), []byte("BSMS "))
}

// bsmsDescriptor returns the descriptor of a BSMS record after checking the
// record's first address against it. The record's address names its
// network, so no network flag is needed to read it; the caller then parses
// the text for its own network, which refuses a record of another one.
func bsmsDescriptor(data []byte) (string, error) {
	r, err := bsms.ParseRecord(data)
	if err != nil {
		return "", err
	}
	var first error
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.RegressionNetParams, &chaincfg.SigNetParams} {
		if a, err := btcutil.DecodeAddress(r.FirstAddress, net); err != nil || !a.IsForNet(net) {
			continue
		}
		d, err := r.Wallet(net)
		if err == nil {
			return d.String(), nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = errors.New("BSMS record line 4: the first address is not a Bitcoin address of any network")
	}
	return "", first
}

// writeBSMS writes d's BIP129 descriptor record (Coldcard, Nunchuk and
// other coordinators import it to re-enroll a cosigner), and reads it back.
func writeBSMS(env *Env, path string, d *descriptor.Descriptor) error {
	rec, err := bsms.Format(d)
	if err != nil {
		return err
	}
	if err := file.WriteAtomic(path, rec, 0o644); err != nil {
		return err
	}
	back, err := bsmsDescriptor(rec)
	if err != nil || back != d.String() {
		return fmt.Errorf("the BSMS record %s does not read back as the wallet (%v); do not use it", path, err)
	}
	fmt.Fprintf(env.Stderr, "wrote the BSMS (BIP129) descriptor record %s\n", path)
	return nil
}
