package urdescriptor

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/ur/cbor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// Encode returns d as the CBOR message of a crypto-output UR (BCR-2020-010),
// in the form Sparrow writes and reads: script-expression tags around
// crypto-hdkey maps holding the account key, its coin info, its origin
// (fingerprint, path, depth) and its parent fingerprint. Children are
// written only when the wallet uses a single branch; an account key with
// no children means the standard <0;1>/* to every reader. Decode of the
// result gives d's text back.
func Encode(d *descriptor.Descriptor) ([]byte, error) {
	var b []byte
	switch d.Kind() {
	case descriptor.WPKH:
		b = cbor.AppendTag(b, tagWPKH)
	case descriptor.SHWPKH:
		b = cbor.AppendTag(cbor.AppendTag(b, tagSH), tagWPKH)
	case descriptor.TR:
		b = cbor.AppendTag(b, tagTR)
	case descriptor.WSHSortedMulti:
		b = cbor.AppendTag(cbor.AppendTag(b, tagWSH), tagSortedMulti)
	case descriptor.SHWSHSortedMulti:
		b = cbor.AppendTag(cbor.AppendTag(cbor.AppendTag(b, tagSH), tagWSH), tagSortedMulti)
	default:
		return nil, fmt.Errorf("crypto-output: descriptor kind %v is not supported", d.Kind())
	}
	keys := d.Keys()
	if d.Kind().IsMultisig() {
		b = cbor.AppendMap(b, 2)
		b = cbor.AppendUint(b, 1)
		b = cbor.AppendUint(b, uint64(d.Threshold()))
		b = cbor.AppendUint(b, 2)
		b = cbor.AppendArray(b, len(keys))
	}
	for i, k := range keys {
		var err error
		if b, err = appendHDKey(b, k, d.Branches(), d.Net()); err != nil {
			return nil, fmt.Errorf("crypto-output: key %d: %w", i+1, err)
		}
	}
	return b, nil
}

// appendHDKey appends #6.303({3: key, 4: chain code, 5: coin info,
// 6: origin, ?7: children, ?8: parent fingerprint}), keys ascending.
func appendHDKey(b []byte, k descriptor.Key, branches []uint32, net *chaincfg.Params) ([]byte, error) {
	pub, err := k.XPub.ECPubKey()
	if err != nil {
		return nil, err
	}
	standard := len(branches) == 2 && branches[0] == 0 && branches[1] == 1
	parent := k.XPub.ParentFingerprint()
	pairs := 4
	if !standard {
		pairs++
	}
	if parent != 0 {
		pairs++
	}
	b = cbor.AppendTag(b, tagHDKey)
	b = cbor.AppendMap(b, pairs)
	b = cbor.AppendBytes(cbor.AppendUint(b, 3), pub.SerializeCompressed())
	b = cbor.AppendBytes(cbor.AppendUint(b, 4), k.XPub.ChainCode())

	network := uint64(1)
	if net.Net == chaincfg.MainNetParams.Net {
		network = 0
	}
	b = cbor.AppendUint(b, 5)
	b = cbor.AppendTag(b, tagCoinInfo)
	b = cbor.AppendMap(b, 2)
	b = cbor.AppendUint(cbor.AppendUint(b, 1), 0) // type: Bitcoin
	b = cbor.AppendUint(cbor.AppendUint(b, 2), network)

	b = cbor.AppendUint(b, 6)
	b = cbor.AppendTag(b, tagKeypath)
	// A master xpub written without an origin keeps none: {components:
	// [], depth: 0}, so it reads back as the same text.
	withOrigin := strings.HasPrefix(k.String(), "[")
	if withOrigin {
		b = cbor.AppendMap(b, 3)
	} else {
		b = cbor.AppendMap(b, 2)
	}
	b = cbor.AppendUint(b, 1)
	b = cbor.AppendArray(b, 2*len(k.Path))
	for _, p := range k.Path {
		hardened := p >= hdkeychain.HardenedKeyStart
		if hardened {
			p -= hdkeychain.HardenedKeyStart
		}
		b = cbor.AppendBool(cbor.AppendUint(b, uint64(p)), hardened)
	}
	if withOrigin {
		b = cbor.AppendUint(cbor.AppendUint(b, 2), uint64(binary.BigEndian.Uint32(k.MasterFingerprint[:])))
	}
	b = cbor.AppendUint(cbor.AppendUint(b, 3), uint64(len(k.Path)))

	if !standard {
		// One branch: children BRANCH/* (the descriptor package allows no
		// other multipath than <0;1>).
		b = cbor.AppendUint(b, 7)
		b = cbor.AppendTag(b, tagKeypath)
		b = cbor.AppendMap(b, 1)
		b = cbor.AppendUint(b, 1)
		b = cbor.AppendArray(b, 4)
		b = cbor.AppendBool(cbor.AppendUint(b, uint64(branches[0])), false)
		b = cbor.AppendBool(cbor.AppendArray(b, 0), false)
	}
	if parent != 0 {
		b = cbor.AppendUint(cbor.AppendUint(b, 8), uint64(parent))
	}
	return b, nil
}
