package offline

import (
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// changeWallet is what sign compares change against (psbt.ChangeWallet
// states the rule):
//
//   - an enrolled wallet given (--wallet, its tag verified): that wallet's
//     descriptor only; the key-derived wallet below is not consulted;
//   - none: the key-derived wallet, limited to the account and script type
//     of the coins the PSBT spends.
//
// Every other output, ours or not, is EXTERNAL.
func changeWallet(p *psbt.Packet, key *Key, net *chaincfg.Params, enrolled *descriptor.Descriptor) psbt.Wallet {
	if enrolled != nil {
		return psbt.ChangeWallet(p, key.Fingerprint, psbt.DescriptorWallet(enrolled), nil)
	}
	return psbt.ChangeWallet(p, key.Fingerprint, nil, newKeyWallet(key, net))
}

// keyWallet recognises our own change from the key itself: a derivation is
// ours only if it follows a standard single-key account pattern (BIP44
// family: purpose'/coin'/account'/branch/index) and the script recomputed
// there from our key is the output's script. It needs no enrolled file, so
// a compromised online machine cannot swap what it is compared against.
type keyWallet struct {
	key   *Key
	net   *chaincfg.Params
	cache map[[2]uint32]*descriptor.Descriptor
	// derived remembers each address derived: sign's analysis and
	// psbt.Sign's own ask for the same thousand inputs.
	derived map[[4]uint32]derived
}

// derived is an address of our key: its script and public key.
type derived struct{ script, key []byte }

func newKeyWallet(key *Key, net *chaincfg.Params) *keyWallet {
	return &keyWallet{key: key, net: net, cache: map[[2]uint32]*descriptor.Descriptor{}, derived: map[[4]uint32]derived{}}
}

// maxAccount bounds the accounts accepted as ours: wallets never reach
// it, and an account beyond would not be looked for by a restoring wallet.
// Far address indexes are not bounded here but judged by the analysis
// (change-index-far), the same with or without an enrolled wallet, so
// inspect and sign refuse the same change.
const maxAccount = 1000

var purposeKinds = map[uint32]descriptor.Kind{
	84: descriptor.WPKH,
	49: descriptor.SHWPKH,
	86: descriptor.TR,
}

// ScriptAt implements psbt.Wallet.
func (w *keyWallet) ScriptAt(fp uint32, path []uint32) ([]byte, uint32, uint32, bool) {
	at, ok := w.derive(fp, path)
	if !ok {
		return nil, 0, 0, false
	}
	return at.script, path[3], path[4], true
}

// KeyAt implements psbt.KeyWallet.
func (w *keyWallet) KeyAt(fp uint32, path []uint32) ([]byte, bool) {
	at, ok := w.derive(fp, path)
	return at.key, ok
}

// derive returns the script and public key at a standard path of our key.
func (w *keyWallet) derive(fp uint32, path []uint32) (derived, bool) {
	kind, ok := standardPath(path, w.net)
	if fp != w.key.Fingerprint || !ok {
		return derived{}, false
	}
	purpose, account, branch, index := path[0], path[2], path[3], path[4]
	at := [4]uint32{purpose, account, branch, index}
	if der, ok := w.derived[at]; ok {
		return der, true
	}
	id := [2]uint32{purpose, account}
	d := w.cache[id]
	if d == nil {
		var err error
		d, err = w.key.Descriptor(kind, account-hdkeychain.HardenedKeyStart, w.net)
		if err != nil {
			return derived{}, false
		}
		w.cache[id] = d
	}
	der, err := d.Derive(branch, index)
	if err != nil || len(der.Keys) != 1 {
		return derived{}, false
	}
	w.derived[at] = derived{script: der.Script, key: der.Keys[0].PubKey}
	return w.derived[at], true
}

// standardPath reports whether path follows a standard single-key account
// pattern (purpose'/coin'/account'/branch/index for BIP44/49/84/86 on net,
// within the bounds above) and which kind of wallet it belongs to.
func standardPath(path []uint32, net *chaincfg.Params) (descriptor.Kind, bool) {
	const h = hdkeychain.HardenedKeyStart
	if len(path) != 5 {
		return 0, false
	}
	purpose, coin, account, branch, index := path[0], path[1], path[2], path[3], path[4]
	if purpose < h || coin < h || account < h {
		return 0, false
	}
	kind, ok := purposeKinds[purpose-h]
	if !ok || coin-h != net.HDCoinType || account-h > maxAccount || branch > 1 || index >= h {
		return 0, false
	}
	return kind, true
}
