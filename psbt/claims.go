package psbt

import (
	"bytes"

	"github.com/btcsuite/btcd/wire"
)

// Claim is one BIP32 derivation the PSBT names for an input or an output:
// the online side's statement that the key at Path of the master key with
// Fingerprint is in Script. It is only a claim; Analyze with the wallet of
// the real key decides whether it is true.
//
// The signer reads the claims before the key exists: to learn whose key
// the PSBT is for, and to run every check that holds whether or not a
// claim turns out true, so that a PSBT it will refuse is refused before any
// holder types a share.
type Claim struct {
	Fingerprint uint32
	Path        []uint32
	// Script is the output's script, or the script of the coin an input
	// spends (nil when the input does not state it consistently).
	Script []byte
	// Output is the output's index, or -1 for an input's claim; Input is
	// the input's index, or -1 for an output's claim.
	Output, Input int
}

// Claims lists the key-path derivations of the PSBT's inputs, then of its
// outputs, in order (taproot script-path entries are left out: airsign
// does not sign them).
func (p *Packet) Claims() []Claim {
	var out []Claim
	tx := p.p.UnsignedTx
	for i := range p.p.Inputs {
		pin := &p.p.Inputs[i]
		script := inputScript(pin.NonWitnessUtxo, pin.WitnessUtxo, tx.TxIn[i].PreviousOutPoint)
		for _, d := range pin.Bip32Derivation {
			out = append(out, Claim{d.MasterKeyFingerprint, d.Bip32Path, script, -1, i})
		}
		for _, d := range pin.TaprootBip32Derivation {
			if len(d.LeafHashes) == 0 {
				out = append(out, Claim{d.MasterKeyFingerprint, d.Bip32Path, script, -1, i})
			}
		}
	}
	for i := range p.p.Outputs {
		pout := &p.p.Outputs[i]
		script := tx.TxOut[i].PkScript
		for _, d := range pout.Bip32Derivation {
			out = append(out, Claim{d.MasterKeyFingerprint, d.Bip32Path, script, i, -1})
		}
		for _, d := range pout.TaprootBip32Derivation {
			if len(d.LeafHashes) == 0 {
				out = append(out, Claim{d.MasterKeyFingerprint, d.Bip32Path, script, i, -1})
			}
		}
	}
	return out
}

// inputScript is the script of the coin an input spends when its UTXO
// fields agree, else nil.
func inputScript(full *wire.MsgTx, witness *wire.TxOut, op wire.OutPoint) []byte {
	var fromFull []byte
	if full != nil {
		if full.TxHash() != op.Hash || int64(op.Index) >= int64(len(full.TxOut)) {
			return nil
		}
		fromFull = full.TxOut[op.Index].PkScript
	}
	if witness != nil {
		if fromFull != nil && !bytes.Equal(fromFull, witness.PkScript) {
			return nil
		}
		return witness.PkScript
	}
	return fromFull
}
