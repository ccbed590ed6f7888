package descriptor

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/txscript"
)

// Derived is one address of the wallet with everything a PSBT needs to
// spend from it or to prove an output is ours.
type Derived struct {
	// Script is the output script (scriptPubKey).
	Script []byte
	// Address is the address of Script on the descriptor's network.
	Address btcutil.Address
	// RedeemScript is the P2SH redeem script for sh(...) kinds, else nil.
	RedeemScript []byte
	// WitnessScript is the multisig script for wsh kinds, else nil.
	WitnessScript []byte
	// Keys are the derived keys, one per descriptor key in the order the
	// descriptor lists them (not the sorted order in WitnessScript).
	Keys []DerivedKey
	// TaprootInternalKey is the 32-byte x-only internal key for tr, else nil.
	TaprootInternalKey []byte
	// TaprootOutputKey is the 32-byte x-only tweaked output key for tr
	// (BIP86: no script tree), else nil.
	TaprootOutputKey []byte
	// Branch and Index are the last two derivation steps (unhardened).
	Branch, Index uint32
}

// DerivedKey is one derived public key and its BIP32 origin, laid out like
// btcd's psbt.Bip32Derivation so the fields can be copied across.
type DerivedKey struct {
	// PubKey is the 33-byte compressed public key. (For tr, the PSBT's
	// x-only key is PubKey[1:], which equals TaprootInternalKey.)
	PubKey []byte
	// Fingerprint is the master key fingerprint as btcd's psbt package
	// stores it: the little-endian uint32 of the 4 fingerprint bytes.
	Fingerprint uint32
	// Path is the full path from the master key, ending in branch/index.
	Path []uint32
}

// FirstAddress returns the wallet's first address: index 0 of the receive
// branch (of the only branch for a one-branch descriptor). Screens show it
// next to ID() because the ID is 32 bits, which someone forging a
// descriptor could grind to match, and an address is not.
func (d *Descriptor) FirstAddress() (string, error) {
	branch := d.branches[0]
	if d.HasBranch(0) {
		branch = 0
	}
	der, err := d.Derive(branch, 0)
	if err != nil {
		return "", err
	}
	return der.Address.EncodeAddress(), nil
}

// Derive returns the address at branch/index: branch 0 is receive, 1 is
// change, and must be one of Branches(); index must be unhardened.
func (d *Descriptor) Derive(branch, index uint32) (*Derived, error) {
	if !d.HasBranch(branch) {
		return nil, fmt.Errorf("branch %d is not in this descriptor (it has /%s/*)", branch, branchSuffix(d.branches))
	}
	if index >= hdkeychain.HardenedKeyStart {
		return nil, fmt.Errorf("address index %d is too large: it must be below 2147483648", index)
	}
	out := &Derived{Branch: branch, Index: index}
	pubs := make([]*btcec.PublicKey, len(d.keys))
	bi := 0
	for j, b := range d.branches {
		if b == branch {
			bi = j
		}
	}
	for i, k := range d.keys {
		child, err := d.branchKeys[i][bi].Derive(index)
		if err != nil {
			// hdkeychain.ErrInvalidChild: probability below 2^-127.
			return nil, fmt.Errorf("key %d: cannot derive %d/%d: %w", i+1, branch, index, err)
		}
		pub, err := child.ECPubKey()
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		pubs[i] = pub
		path := make([]uint32, 0, len(k.Path)+2)
		path = append(append(path, k.Path...), branch, index)
		out.Keys = append(out.Keys, DerivedKey{
			PubKey:      pub.SerializeCompressed(),
			Fingerprint: k.PSBTFingerprint(),
			Path:        path,
		})
	}
	var err error
	switch d.kind {
	case WPKH:
		err = out.setAddress(btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(out.Keys[0].PubKey), d.net))
	case SHWPKH:
		var redeem []byte
		redeem, err = txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(btcutil.Hash160(out.Keys[0].PubKey)).Script()
		if err == nil {
			out.RedeemScript = redeem
			err = out.setAddress(btcutil.NewAddressScriptHash(redeem, d.net))
		}
	case TR:
		outputKey := txscript.ComputeTaprootKeyNoScript(pubs[0])
		out.TaprootInternalKey = schnorr.SerializePubKey(pubs[0])
		out.TaprootOutputKey = schnorr.SerializePubKey(outputKey)
		err = out.setAddress(btcutil.NewAddressTaproot(out.TaprootOutputKey, d.net))
	case WSHSortedMulti, SHWSHSortedMulti:
		var ws []byte
		if ws, err = sortedMultiScript(d.threshold, out.Keys, d); err != nil {
			break
		}
		out.WitnessScript = ws
		wsHash := sha256.Sum256(ws)
		if d.kind == WSHSortedMulti {
			err = out.setAddress(btcutil.NewAddressWitnessScriptHash(wsHash[:], d.net))
			break
		}
		var redeem []byte
		redeem, err = txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(wsHash[:]).Script()
		if err == nil {
			out.RedeemScript = redeem
			err = out.setAddress(btcutil.NewAddressScriptHash(redeem, d.net))
		}
	default:
		err = fmt.Errorf("unknown descriptor kind %d", d.kind)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// setAddress stores addr and its output script.
func (o *Derived) setAddress(addr btcutil.Address, err error) error {
	if err != nil {
		return err
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return err
	}
	o.Address, o.Script = addr, script
	return nil
}

// sortedMultiScript is BIP383's sortedmulti: OP_k, the compressed keys in
// lexicographic byte order, OP_n, OP_CHECKMULTISIG.
func sortedMultiScript(k int, keys []DerivedKey, d *Descriptor) ([]byte, error) {
	sorted := make([][]byte, len(keys))
	for i, key := range keys {
		sorted[i] = key.PubKey
	}
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	return multiScript(k, sorted, d)
}

// multiScript builds OP_k <keys in the given order> OP_n OP_CHECKMULTISIG.
func multiScript(k int, keys [][]byte, d *Descriptor) ([]byte, error) {
	addrs := make([]*btcutil.AddressPubKey, len(keys))
	for i, pk := range keys {
		a, err := btcutil.NewAddressPubKey(pk, d.net)
		if err != nil {
			return nil, err
		}
		addrs[i] = a
	}
	return txscript.MultiSigScript(addrs, k)
}

// Locate reports whether a BIP32 derivation found in a PSBT follows this
// wallet's pattern: fingerprint (psbt.Bip32Derivation convention, see the
// package comment) and path prefix equal to one of the descriptor's keys'
// origin, followed by exactly two unhardened steps, branch/index, with the
// branch one of Branches().
//
// Locate only checks the pattern. To prove an output is the wallet's,
// derive (branch, index) and compare the script: use IsMine.
func (d *Descriptor) Locate(fingerprint uint32, path []uint32) (branch, index uint32, ok bool) {
	for _, k := range d.keys {
		if k.PSBTFingerprint() != fingerprint || len(path) != len(k.Path)+2 {
			continue
		}
		match := true
		for i, p := range k.Path {
			if path[i] != p {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		b, i := path[len(k.Path)], path[len(k.Path)+1]
		if !d.HasBranch(b) || i >= hdkeychain.HardenedKeyStart {
			continue
		}
		return b, i, true
	}
	return 0, 0, false
}

// IsMine reports whether script is this wallet's output at the position a
// PSBT's BIP32 derivation (fingerprint, path) claims: Locate, then Derive,
// then compare scripts. The signer uses it to verify a change output
// before it calls the output ours.
func (d *Descriptor) IsMine(script []byte, fingerprint uint32, path []uint32) (*Derived, bool) {
	branch, index, ok := d.Locate(fingerprint, path)
	if !ok {
		return nil, false
	}
	der, err := d.Derive(branch, index)
	if err != nil || !bytes.Equal(der.Script, script) {
		return nil, false
	}
	return der, true
}
