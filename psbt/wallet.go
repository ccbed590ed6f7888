package psbt

import (
	"bytes"
	"encoding/binary"
	"slices"

	"github.com/airsign/airsign/psbt/descriptor"
)

// What counts as change — the whole rule, in one place.
//
//  1. An enrolled wallet is given: change is an output that wallet's own
//     descriptor reproduces, and nothing else. Our key's other accounts,
//     other script types and single keys are not consulted: spending from
//     an enrolled 2-of-3, only the same 2-of-3 is change; a single-sig
//     address of ours is money leaving the multisig.
//  2. No enrolled wallet: change is an output our key reproduces in the
//     same account and script type (the path up to /branch/index, which
//     fixes the purpose, so the script type) as a coin the transaction
//     provably spends. Another account, another purpose, a multisig: not
//     change.
//
// Anything else is EXTERNAL: counted in what leaves the wallet, checked by
// the allowlist and spend cap, and shown as such (change-outside-wallet).
// ChangeWallet applies the rule; Analyze and Sign take what it returns.
func ChangeWallet(p *Packet, fingerprint uint32, enrolled, ownKey Wallet) Wallet {
	if enrolled != nil {
		return enrolled
	}
	if ownKey == nil {
		return nil
	}
	return spentAccounts(p, fingerprint, ownKey)
}

// DescriptorWallet adapts a watch-only descriptor to the Wallet the analysis
// uses to prove change.
func DescriptorWallet(d *descriptor.Descriptor) Wallet { return descWallet{d} }

type descWallet struct{ d *descriptor.Descriptor }

func (w descWallet) ScriptAt(fp uint32, path []uint32) ([]byte, uint32, uint32, bool) {
	branch, index, ok := w.d.Locate(fp, path)
	if !ok {
		return nil, 0, 0, false
	}
	der, err := w.d.Derive(branch, index)
	if err != nil {
		return nil, 0, 0, false
	}
	return der.Script, branch, index, true
}

// KeyAt implements KeyWallet.
func (w descWallet) KeyAt(fp uint32, path []uint32) ([]byte, bool) {
	branch, index, ok := w.d.Locate(fp, path)
	if !ok {
		return nil, false
	}
	der, err := w.d.Derive(branch, index)
	if err != nil {
		return nil, false
	}
	for _, k := range der.Keys {
		if k.Fingerprint == fp && slices.Equal(k.Path, path) {
			return k.PubKey, true
		}
	}
	return nil, false
}

// accountWallet is ownKey restricted to the accounts a transaction spends
// from: an account is the fingerprint and the path without its last two
// steps (branch/index).
type accountWallet struct {
	w        Wallet
	accounts map[string]bool
}

func accountID(fp uint32, path []uint32) string {
	if len(path) < 2 {
		return ""
	}
	b := binary.LittleEndian.AppendUint32(nil, fp)
	for _, s := range path[:len(path)-2] {
		b = binary.LittleEndian.AppendUint32(b, s)
	}
	return string(b)
}

func (w accountWallet) ScriptAt(fp uint32, path []uint32) ([]byte, uint32, uint32, bool) {
	if !w.accounts[accountID(fp, path)] {
		return nil, 0, 0, false
	}
	return w.w.ScriptAt(fp, path)
}

// KeyAt implements KeyWallet when the wallet it restricts does.
func (w accountWallet) KeyAt(fp uint32, path []uint32) ([]byte, bool) {
	kw, ok := w.w.(KeyWallet)
	if !ok || !w.accounts[accountID(fp, path)] {
		return nil, false
	}
	return kw.KeyAt(fp, path)
}

// spentAccounts finds the accounts of our key whose coins p spends: an
// input's derivation counts only when ownKey reproduces, at that path, the
// very script the input spends (as both UTXO fields state it).
func spentAccounts(p *Packet, fingerprint uint32, ownKey Wallet) Wallet {
	w := accountWallet{w: ownKey, accounts: map[string]bool{}}
	if fingerprint == 0 {
		return w
	}
	for i := range p.p.UnsignedTx.TxIn {
		spent := spentScript(p.p, i)
		if spent == nil {
			continue
		}
		note := func(fp uint32, path []uint32) {
			if fp != fingerprint || w.accounts[accountID(fp, path)] {
				return // not ours, or an account already known to be spent
			}
			if script, _, _, ok := ownKey.ScriptAt(fp, path); ok && bytes.Equal(script, spent) {
				w.accounts[accountID(fp, path)] = true
			}
		}
		pin := &p.p.Inputs[i]
		for _, d := range pin.Bip32Derivation {
			note(d.MasterKeyFingerprint, d.Bip32Path)
		}
		for _, d := range pin.TaprootBip32Derivation {
			note(d.MasterKeyFingerprint, d.Bip32Path)
		}
	}
	return w
}
