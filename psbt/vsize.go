package psbt

import (
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
)

// Witness weights of a spend, in weight units, for the input types airsign
// signs. ECDSA signatures are counted at their maximum DER length (72 bytes
// with the sighash byte) so the fee rate shown is never higher than what the
// network will see.
const (
	witnessWeightP2WPKH = 1 + 1 + 72 + 1 + 33 // items, sig, pubkey
	witnessWeightP2TR   = 1 + 1 + 64          // items, schnorr sig (SIGHASH_DEFAULT)
	scriptSigP2SHP2WPKH = 1 + 22              // push of the 22-byte redeem script
	scriptSigP2PKH      = 1 + 72 + 1 + 33     // push of the signature, push of the key
)

// EstimateVSize estimates the virtual size of the transaction once signed.
// Unsigned inputs count with the largest their script type can have
// (P2WPKH, P2SH-P2WPKH, P2TR key path, P2WSH/P2SH-P2WSH multisig, P2PKH);
// other legacy scripts count without their scriptSig, so the estimate for
// them is low. A finalized input counts with its real scripts, but never
// more than that estimate: our signatures do not commit to other inputs'
// scripts, so a padded scriptSig or witness could be swapped for a short one
// after we sign, and must not dilute the fee rate the policy checks.
func EstimateVSize(p *Packet) int64 {
	tx := p.p.UnsignedTx.Copy()
	witnessWeight := int64(0)
	segwit := false
	legacy := int64(0) // inputs without a witness: one empty-witness byte each in a segwit tx
	for i, in := range tx.TxIn {
		pin := &p.p.Inputs[i]
		var script []byte
		if pin.WitnessUtxo != nil {
			script = pin.WitnessUtxo.PkScript
		} else if pin.NonWitnessUtxo != nil && int(in.PreviousOutPoint.Index) < len(pin.NonWitnessUtxo.TxOut) {
			script = pin.NonWitnessUtxo.TxOut[in.PreviousOutPoint.Index].PkScript
		}
		sigLen, wit := spendSize(script, pin.WitnessScript)
		if len(pin.FinalScriptSig) > 0 || len(pin.FinalScriptWitness) > 0 {
			sigLen = min(sigLen, len(pin.FinalScriptSig))
			wit = min(wit, int64(len(pin.FinalScriptWitness)))
		}
		in.SignatureScript = make([]byte, sigLen)
		if wit > 0 {
			segwit = true
			witnessWeight += wit
		} else {
			legacy++
		}
	}
	weight := int64(blockchain.GetTransactionWeight(btcutil.NewTx(tx)))
	if segwit {
		weight += 2 + witnessWeight + legacy // marker, flag, witnesses
	}
	return (weight + 3) / 4
}

// spendSize is the largest scriptSig length and witness weight spending
// script can take, for the types airsign knows; 0, 0 for others.
func spendSize(script, witnessScript []byte) (scriptSig int, witness int64) {
	switch {
	case txscript.IsPayToWitnessPubKeyHash(script):
		return 0, witnessWeightP2WPKH
	case txscript.IsPayToTaproot(script):
		return 0, witnessWeightP2TR
	case txscript.IsPayToScriptHash(script) && len(witnessScript) == 0:
		return scriptSigP2SHP2WPKH, witnessWeightP2WPKH // nested P2WPKH
	case len(witnessScript) > 0:
		if txscript.IsPayToScriptHash(script) {
			return 1 + 34, multisigWitnessWeight(witnessScript)
		}
		return 0, multisigWitnessWeight(witnessScript)
	case txscript.IsPayToPubKeyHash(script):
		return scriptSigP2PKH, 0
	}
	return 0, 0
}

// multisigWitnessWeight is the witness of a k-of-n CHECKMULTISIG spend: an
// empty dummy item, k signatures and the witness script.
func multisigWitnessWeight(ws []byte) int64 {
	k := int64(1)
	if _, sigs, err := txscript.CalcMultiSigStats(ws); err == nil && sigs > 0 {
		k = int64(sigs)
	}
	return 1 + 1 + k*(1+72) + int64(wireVarIntSize(len(ws))) + int64(len(ws))
}

func wireVarIntSize(n int) int {
	switch {
	case n < 0xfd:
		return 1
	case n <= 0xffff:
		return 3
	}
	return 5
}
