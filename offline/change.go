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
	// scripts remembers each script derived: sign's analysis and
	// psbt.Sign's own ask for the same thousand inputs.
	scripts map[[4]uint32][]byte
}

func newKeyWallet(key *Key, net *chaincfg.Params) *keyWallet {
	return &keyWallet{key: key, net: net, cache: map[[2]uint32]*descriptor.Descriptor{}, scripts: map[[4]uint32][]byte{}}
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

// ScriptAt implements psbt.Wallet. It is no psbt.KeyWallet: once the key
// is rebuilt, Sign's own check of every signature against the key the
// PSBT names refuses a key that is not ours, without deriving every input
// a second time.
func (w *keyWallet) ScriptAt(fp uint32, path []uint32) ([]byte, uint32, uint32, bool) {
	kind, ok := standardPath(path, w.net)
	if fp != w.key.Fingerprint || !ok {
		return nil, 0, 0, false
	}
	purpose, account, branch, index := path[0], path[2], path[3], path[4]
	at := [4]uint32{purpose, account, branch, index}
	if script, ok := w.scripts[at]; ok {
		return script, branch, index, true
	}
	id := [2]uint32{purpose, account}
	d := w.cache[id]
	if d == nil {
		var err error
		d, err = w.key.Descriptor(kind, account-hdkeychain.HardenedKeyStart, w.net)
		if err != nil {
			return nil, 0, 0, false
		}
		w.cache[id] = d
	}
	der, err := d.Derive(branch, index)
	if err != nil {
		return nil, 0, 0, false
	}
	w.scripts[at] = der.Script
	return der.Script, branch, index, true
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
