package psbt

import (
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// KeyOrigin is a key and where it comes from in a BIP32 tree: what a signer
// needs to find its private key and what lets it verify change.
type KeyOrigin struct {
	PubKey      []byte // 33-byte compressed key; for taproot the x-only key is taken from it
	Fingerprint uint32 // master fingerprint, btcd's little-endian convention
	Path        []uint32
}

// InputSpec is one coin to spend, with everything every signer (airsign,
// Sparrow, Coldcard, SeedSigner, Core) needs to sign it safely.
type InputSpec struct {
	PrevTx   *wire.MsgTx
	Vout     uint32
	Sequence uint32
	Keys     []KeyOrigin
	// RedeemScript and WitnessScript are set for P2SH and P2WSH coins.
	RedeemScript, WitnessScript []byte
	// Taproot marks a BIP86 key-path coin: Keys go into the taproot fields.
	Taproot bool
}

// OutputSpec is one output; Keys are set only for our own change, so the
// signer can recompute it.
type OutputSpec struct {
	PkScript                    []byte
	Amount                      int64
	Keys                        []KeyOrigin
	RedeemScript, WitnessScript []byte
	Taproot                     bool
}

// Build creates the unsigned PSBT for a spend. Every segwit v0 input carries
// both its full previous transaction and its witness UTXO; taproot inputs
// carry the witness UTXO, internal key and taproot derivation (BIP371);
// legacy inputs carry their previous transaction only.
func Build(version int32, lockTime uint32, ins []InputSpec, outs []OutputSpec) (*Packet, error) {
	tx := wire.NewMsgTx(version)
	tx.LockTime = lockTime
	for i, in := range ins {
		if in.PrevTx == nil || int(in.Vout) >= len(in.PrevTx.TxOut) {
			return nil, fmt.Errorf("input %d: previous transaction missing or has no output %d", i, in.Vout)
		}
		txIn := wire.NewTxIn(wire.NewOutPoint(ptrHash(in.PrevTx.TxHash()), in.Vout), nil, nil)
		txIn.Sequence = in.Sequence
		tx.AddTxIn(txIn)
	}
	for i, out := range outs {
		if out.Amount < 0 || out.Amount > btcutil.MaxSatoshi {
			return nil, fmt.Errorf("output %d: amount %d sat out of range", i, out.Amount)
		}
		tx.AddTxOut(wire.NewTxOut(out.Amount, out.PkScript))
	}
	p, err := btcpsbt.NewFromUnsignedTx(tx)
	if err != nil {
		return nil, fmt.Errorf("creating the PSBT: %w", err)
	}
	for i, in := range ins {
		pin := &p.Inputs[i]
		utxo := in.PrevTx.TxOut[in.Vout]
		// witness_utxo is for segwit coins only (BIP174); a legacy coin
		// carries just its previous transaction.
		if txscript.IsWitnessProgram(utxo.PkScript) || (txscript.IsPayToScriptHash(utxo.PkScript) &&
			(len(in.WitnessScript) > 0 || txscript.IsWitnessProgram(in.RedeemScript))) {
			pin.WitnessUtxo = wire.NewTxOut(utxo.Value, utxo.PkScript)
		}
		if !in.Taproot {
			pin.NonWitnessUtxo = in.PrevTx.Copy()
		}
		pin.RedeemScript, pin.WitnessScript = in.RedeemScript, in.WitnessScript
		if in.Taproot {
			pin.TaprootBip32Derivation, pin.TaprootInternalKey = taprootOrigins(in.Keys)
		} else {
			pin.Bip32Derivation = origins(in.Keys)
		}
		if !txscript.IsPayToTaproot(utxo.PkScript) && in.Taproot {
			return nil, fmt.Errorf("input %d: marked taproot but the coin is not a taproot output", i)
		}
	}
	for i, out := range outs {
		pout := &p.Outputs[i]
		pout.RedeemScript, pout.WitnessScript = out.RedeemScript, out.WitnessScript
		if out.Taproot {
			pout.TaprootBip32Derivation, pout.TaprootInternalKey = taprootOrigins(out.Keys)
		} else {
			pout.Bip32Derivation = origins(out.Keys)
		}
	}
	return &Packet{p: p}, nil
}

func ptrHash[T any](h T) *T { return &h }

func origins(keys []KeyOrigin) []*btcpsbt.Bip32Derivation {
	var out []*btcpsbt.Bip32Derivation
	for _, k := range keys {
		out = append(out, &btcpsbt.Bip32Derivation{PubKey: k.PubKey, MasterKeyFingerprint: k.Fingerprint, Bip32Path: k.Path})
	}
	return out
}

func taprootOrigins(keys []KeyOrigin) ([]*btcpsbt.TaprootBip32Derivation, []byte) {
	var out []*btcpsbt.TaprootBip32Derivation
	var internal []byte
	for _, k := range keys {
		x := k.PubKey
		if len(x) == 33 {
			x = x[1:]
		}
		out = append(out, &btcpsbt.TaprootBip32Derivation{XOnlyPubKey: x, MasterKeyFingerprint: k.Fingerprint, Bip32Path: k.Path, LeafHashes: [][]byte{}})
		internal = x
	}
	return out, internal
}
