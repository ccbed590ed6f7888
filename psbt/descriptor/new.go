package descriptor

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

const hard = hdkeychain.HardenedKeyStart

// AccountPath returns the standard account path for kind: m/84h/coin h/
// account h for wpkh (BIP84), m/49h/... for sh(wpkh) (BIP49), m/86h/...
// for tr (BIP86), and BIP48's m/48h/coin h/account h/2h (wsh) or /1h
// (sh(wsh)) for multisig. coin is 0 on mainnet and 1 on the test
// networks. account is the plain account number (0 for the first); the
// hardened bit is added here. It returns nil for an unknown kind or an
// account of 2^31 or more.
func AccountPath(kind Kind, net *chaincfg.Params, account uint32) []uint32 {
	if account >= hard || net == nil {
		return nil
	}
	coin := net.HDCoinType + hard
	switch kind {
	case WPKH:
		return []uint32{84 + hard, coin, account + hard}
	case SHWPKH:
		return []uint32{49 + hard, coin, account + hard}
	case TR:
		return []uint32{86 + hard, coin, account + hard}
	case WSHSortedMulti:
		return []uint32{48 + hard, coin, account + hard, 2 + hard}
	case SHWSHSortedMulti:
		return []uint32{48 + hard, coin, account + hard, 1 + hard}
	}
	return nil
}

// AccountKey derives the account key of kind's standard path from a
// master private key and returns it watch-only: the neutered xpub with
// its origin. For a multisig kind this is one cosigner's key, to be
// combined with the others' by NewSortedMulti.
func AccountKey(kind Kind, master *hdkeychain.ExtendedKey, account uint32, net *chaincfg.Params) (Key, error) {
	if master == nil || net == nil {
		return Key{}, errors.New("descriptor: no master key or network given")
	}
	if !master.IsPrivate() || master.Depth() != 0 {
		return Key{}, errors.New("descriptor: the key given is not a master private key")
	}
	if !master.IsForNet(net) {
		return Key{}, wrongNetwork("the master key is not for %s", net.Name)
	}
	path := AccountPath(kind, net, account)
	if path == nil {
		return Key{}, fmt.Errorf("descriptor: no standard path for kind %v, account %d", kind, account)
	}
	fp, err := keyFingerprint(master)
	if err != nil {
		return Key{}, err
	}
	k := master
	for _, step := range path {
		child, err := k.Derive(step)
		if k != master {
			k.Zero()
		}
		if err != nil {
			return Key{}, fmt.Errorf("descriptor: deriving %s: %w", FormatPath(path), err)
		}
		k = child
	}
	// Neuter shares the chain code and fingerprint slices with the private
	// key, so take an independent copy before zeroing the private one.
	neutered, err := k.Neuter()
	var xpub *hdkeychain.ExtendedKey
	if err == nil {
		xpub, err = hdkeychain.NewKeyFromString(neutered.String())
	}
	k.Zero()
	if err != nil {
		return Key{}, err
	}
	return Key{MasterFingerprint: fp, Path: path, XPub: xpub, hasOrigin: true}, nil
}

// New builds the standard single-key descriptor (WPKH, SHWPKH or TR) of a
// master private key: kind's account path (see AccountPath) with
// multipath /<0;1>/*. The result holds only the account xpub and its
// origin; the master key is not kept.
func New(kind Kind, master *hdkeychain.ExtendedKey, account uint32, net *chaincfg.Params) (*Descriptor, error) {
	if kind.IsMultisig() || !kind.valid() {
		return nil, fmt.Errorf("descriptor: New builds single-key wallets; for %v use AccountKey and NewSortedMulti", kind)
	}
	k, err := AccountKey(kind, master, account, net)
	if err != nil {
		return nil, err
	}
	d := &Descriptor{kind: kind, threshold: 1, keys: []Key{k}, branches: []uint32{0, 1}, net: net}
	return d.finish()
}

// NewSortedMulti builds a threshold-of-len(keys) multisig descriptor
// (WSHSortedMulti or SHWSHSortedMulti) with multipath /<0;1>/* from the
// cosigners' account keys, checked as Parse checks them.
func NewSortedMulti(kind Kind, threshold int, keys []Key, net *chaincfg.Params) (*Descriptor, error) {
	if !kind.IsMultisig() {
		return nil, fmt.Errorf("descriptor: NewSortedMulti builds multisig wallets, not %v", kind)
	}
	if net == nil {
		return nil, errors.New("descriptor: no network given")
	}
	if len(keys) == 0 || len(keys) > MaxMultisigKeys {
		return nil, fmt.Errorf("descriptor: a sortedmulti needs 1 to %d keys, got %d", MaxMultisigKeys, len(keys))
	}
	if threshold < 1 || threshold > len(keys) {
		return nil, fmt.Errorf("descriptor: threshold %d is not between 1 and the number of keys (%d)", threshold, len(keys))
	}
	d := &Descriptor{kind: kind, threshold: threshold, branches: []uint32{0, 1}, net: net}
	// Round-trip every key through its text so it gets exactly the checks
	// (and normal form) a parsed descriptor would.
	for i, k := range keys {
		if k.XPub == nil {
			return nil, fmt.Errorf("key %d: no extended public key", i+1)
		}
		if k.XPub.IsPrivate() {
			return nil, fmt.Errorf("key %d: %w", i+1, ErrPrivateKey)
		}
		k.hasOrigin = k.hasOrigin || len(k.Path) > 0
		pk, _, err := parseKey(k.String()+"/<0;1>/*", net)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		for j, prev := range d.keys {
			if prev.XPub.String() == pk.XPub.String() {
				return nil, fmt.Errorf("key %d is the same extended public key as key %d", i+1, j+1)
			}
		}
		d.keys = append(d.keys, pk)
	}
	return d.finish()
}
