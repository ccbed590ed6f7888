// Package descriptortest gives tests the wallets airsign makes, built from
// fixed seeds, so that every encoder of descriptors (QR, UR, interop) is
// checked against the same set. It is for tests only.
package descriptortest

import (
	"bytes"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// Master returns the master key of the 32-byte seed of repeated b.
func Master(tb testing.TB, b byte, net *chaincfg.Params) *hdkeychain.ExtendedKey {
	tb.Helper()
	m, err := hdkeychain.NewMaster(bytes.Repeat([]byte{b}, 32), net)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// Wallets returns, on mainnet and then on regtest: wpkh, sh(wpkh) and tr
// at account 3; 2-of-3 wsh(sortedmulti) and sh(wsh(sortedmulti)); and a
// receive-only (/0/*) wpkh.
func Wallets(tb testing.TB) []*descriptor.Descriptor {
	tb.Helper()
	var out []*descriptor.Descriptor
	for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.RegressionNetParams} {
		for _, kind := range []descriptor.Kind{descriptor.WPKH, descriptor.SHWPKH, descriptor.TR} {
			d, err := descriptor.New(kind, Master(tb, 1, net), 3, net)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, d)
		}
		for _, kind := range []descriptor.Kind{descriptor.WSHSortedMulti, descriptor.SHWSHSortedMulti} {
			var keys []descriptor.Key
			for s := byte(1); s <= 3; s++ {
				k, err := descriptor.AccountKey(kind, Master(tb, s, net), 0, net)
				if err != nil {
					tb.Fatal(err)
				}
				keys = append(keys, k)
			}
			d, err := descriptor.NewSortedMulti(kind, 2, keys, net)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, d)
		}
		one, err := descriptor.New(descriptor.WPKH, Master(tb, 4, net), 0, net)
		if err != nil {
			tb.Fatal(err)
		}
		text, err := one.StringFor(0)
		if err != nil {
			tb.Fatal(err)
		}
		d, err := descriptor.ParseStrict(text, net)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}
