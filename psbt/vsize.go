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
// Finalized inputs count with their real scripts; unsigned ones with the
// largest their script type can have (P2WPKH, P2SH-P2WPKH, P2TR key path,
// P2WSH/P2SH-P2WSH multisig, P2PKH). Other legacy scripts count without
// their scriptSig, so the estimate for them is low.
func EstimateVSize(p *Packet) int64 {
	tx := p.p.UnsignedTx.Copy()
	witnessWeight := int64(0)
	segwit := false
	legacy := int64(0) // inputs without a witness: one empty-witness byte each in a segwit tx
	for i, in := range tx.TxIn {
		pin := &p.p.Inputs[i]
		if len(pin.FinalScriptSig) > 0 {
			in.SignatureScript = pin.FinalScriptSig
		}
		if len(pin.FinalScriptWitness) > 0 {
			segwit = true
			witnessWeight += int64(len(pin.FinalScriptWitness))
			continue
		}
		if len(pin.FinalScriptSig) > 0 {
			legacy++ // finalized without a witness
			continue
		}
		var script []byte
		if pin.WitnessUtxo != nil {
			script = pin.WitnessUtxo.PkScript
		} else if pin.NonWitnessUtxo != nil && int(in.PreviousOutPoint.Index) < len(pin.NonWitnessUtxo.TxOut) {
			script = pin.NonWitnessUtxo.TxOut[in.PreviousOutPoint.Index].PkScript
		}
		switch {
		case txscript.IsPayToWitnessPubKeyHash(script):
			segwit = true
			witnessWeight += witnessWeightP2WPKH
		case txscript.IsPayToTaproot(script):
			segwit = true
			witnessWeight += witnessWeightP2TR
		case txscript.IsPayToScriptHash(script) && len(pin.WitnessScript) == 0:
			// Nested P2WPKH: a scriptSig pushing the redeem script.
			segwit = true
			in.SignatureScript = make([]byte, scriptSigP2SHP2WPKH)
			witnessWeight += witnessWeightP2WPKH
		case len(pin.WitnessScript) > 0:
			segwit = true
			witnessWeight += multisigWitnessWeight(pin.WitnessScript)
			if txscript.IsPayToScriptHash(script) {
				in.SignatureScript = make([]byte, 1+34)
			}
		case txscript.IsPayToPubKeyHash(script):
			in.SignatureScript = make([]byte, scriptSigP2PKH)
			legacy++
		default:
			legacy++
		}
	}
	weight := int64(blockchain.GetTransactionWeight(btcutil.NewTx(tx)))
	if segwit {
		weight += 2 + witnessWeight + legacy // marker, flag, witnesses
	}
	return (weight + 3) / 4
}

// multisigWitnessWeight is the witness of a k-of-n CHECKMULTISIG spend: an
// empty dummy item, k signatures and the witness script.
func multisigWitnessWeight(ws []byte) int64 {
	k := int64(1)
	if len(ws) > 0 && ws[0] >= txscript.OP_1 && ws[0] <= txscript.OP_16 {
		k = int64(ws[0] - txscript.OP_1 + 1)
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
