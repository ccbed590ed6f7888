package walletfile

import (
	"bytes"
	"errors"

	"github.com/airsign/airsign/psbt/descriptor/bsms"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
)

// IsBSMS reports whether a file's text is a BIP129 descriptor record.
func IsBSMS(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimPrefix(data, []byte("\ufeff")), []byte("BSMS "))
}

// ReadBSMS reads a BIP129 descriptor record (psbt/descriptor/bsms) and
// checks its first address against the descriptor. The record's address
// names its network, so no network is needed to read it; the caller then
// parses the descriptor for its own network, which refuses a record of
// another one.
func ReadBSMS(data []byte) (*Wallet, error) {
	r, err := bsms.ParseRecord(data)
	if err != nil {
		return nil, err
	}
	var first error
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.RegressionNetParams, &chaincfg.SigNetParams} {
		if a, err := btcutil.DecodeAddress(r.FirstAddress, net); err != nil || !a.IsForNet(net) {
			continue
		}
		d, err := r.Wallet(net)
		if err == nil {
			w := &Wallet{Descriptor: d.String(), Format: "BSMS descriptor record", First: r.FirstAddress, Net: NetTest}
			if net == &chaincfg.MainNetParams {
				w.Net = NetMain
			}
			return w, nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = errors.New("BSMS record line 4: the first address is not a Bitcoin address of any network")
	}
	return nil, first
}
