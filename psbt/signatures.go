package psbt

import "bytes"

// KeySignature is a signature a PSBT already carries for one derivation of
// a master key: what lets the signer say, before the shares are typed,
// that an input was signed by this key already.
type KeySignature struct {
	Input int
	// PubKey is the key signed for (33 bytes, or 32 for taproot).
	PubKey    []byte
	Signature []byte
	Taproot   bool
}

// SignaturesOf lists the signatures p carries for the key with master
// fingerprint fp: each ECDSA partial signature whose public key one of the
// input's derivations of fp names, and the taproot key-path signature of an
// input with a key-path derivation of fp. It reads what the PSBT says and
// verifies nothing: psbt.Sign still makes (and checks) every signature
// itself. Finalized inputs are left out: nothing is signed there.
func (p *Packet) SignaturesOf(fp uint32) []KeySignature {
	var out []KeySignature
	for i := range p.p.Inputs {
		pin := &p.p.Inputs[i]
		if len(pin.FinalScriptSig) > 0 || len(pin.FinalScriptWitness) > 0 {
			continue
		}
		for _, d := range pin.Bip32Derivation {
			if d.MasterKeyFingerprint != fp {
				continue
			}
			for _, ps := range pin.PartialSigs {
				if bytes.Equal(ps.PubKey, d.PubKey) {
					out = append(out, KeySignature{Input: i, PubKey: ps.PubKey, Signature: ps.Signature})
				}
			}
		}
		if len(pin.TaprootKeySpendSig) == 0 {
			continue
		}
		for _, d := range pin.TaprootBip32Derivation {
			if d.MasterKeyFingerprint == fp && len(d.LeafHashes) == 0 {
				out = append(out, KeySignature{Input: i, PubKey: d.XOnlyPubKey, Signature: pin.TaprootKeySpendSig, Taproot: true})
				break
			}
		}
	}
	return out
}
