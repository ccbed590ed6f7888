package psbt

import (
	"fmt"

	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"
)

// FromUnsignedTx makes a bare PSBT of an unsigned transaction, as Bitcoin
// Core's converttopsbt does: nothing about the coins it spends, for an
// Updater to fill in. A transaction with signatures is refused.
func FromUnsignedTx(tx *wire.MsgTx) (*Packet, error) {
	for i, in := range tx.TxIn {
		if len(in.SignatureScript) > 0 || len(in.Witness) > 0 {
			return nil, fmt.Errorf("input %d of the transaction is already signed", i)
		}
	}
	p, err := btcpsbt.NewFromUnsignedTx(tx.Copy())
	if err != nil {
		return nil, fmt.Errorf("making a PSBT of the transaction: %w", err)
	}
	return &Packet{p: p}, nil
}

// SignedInputs lists the inputs that carry a signature or a final script:
// an Updater that rebuilds a PSBT must not drop them.
func (p *Packet) SignedInputs() []int {
	var out []int
	for i, in := range p.p.Inputs {
		if len(in.PartialSigs) > 0 || len(in.TaprootKeySpendSig) > 0 || len(in.TaprootScriptSpendSig) > 0 ||
			len(in.FinalScriptSig) > 0 || len(in.FinalScriptWitness) > 0 {
			out = append(out, i)
		}
	}
	return out
}
