package psbt

import (
	"fmt"
	"slices"

	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
)

// KeepUnknowns copies into p, unchanged, every key-value pair of src that
// airsign does not interpret: unknown key types and proprietary fields
// (PSBT_GLOBAL/IN/OUT_PROPRIETARY, 0xFC), in the global map and in each
// input's and output's map. BIP174 asks an Updater to pass on what it does
// not understand; the online Updater rebuilds a PSBT from another
// coordinator, and without this would silently drop that coordinator's
// (or a hardware signer's) own fields. When src is a version 2 PSBT its
// BIP370 fields a version 0 packet cannot hold (fallback locktime,
// modifiable flags, required locktimes) are kept too, so p is written in
// src's version with src's values. Both must be of the same transaction.
// Fields p already holds under the same key keep p's value.
func (p *Packet) KeepUnknowns(src *Packet) error {
	if got, want := src.p.UnsignedTx.TxHash(), p.p.UnsignedTx.TxHash(); got != want {
		return fmt.Errorf("the PSBT whose fields are kept is for transaction %s, not %s", got, want)
	}
	p.p.Unknowns = mergeUnknowns(p.p.Unknowns, cloneUnknowns(src.p.Unknowns))
	for i := range p.p.Inputs {
		p.p.Inputs[i].Unknowns = mergeUnknowns(p.p.Inputs[i].Unknowns, cloneUnknowns(src.p.Inputs[i].Unknowns))
	}
	for i := range p.p.Outputs {
		p.p.Outputs[i].Unknowns = mergeUnknowns(p.p.Outputs[i].Unknowns, cloneUnknowns(src.p.Outputs[i].Unknowns))
	}
	if src.v2 != nil {
		p.v2 = &v2Extra{global: slices.Clone(src.v2.global), inputs: make([][]rawField, len(src.v2.inputs))}
		for i, in := range src.v2.inputs {
			p.v2.inputs[i] = slices.Clone(in)
		}
	}
	return nil
}

// UnknownCount is how many key-value pairs of the packet airsign does not
// interpret (unknown key types and proprietary fields), over all maps.
func (p *Packet) UnknownCount() int {
	n := len(p.p.Unknowns)
	for _, in := range p.p.Inputs {
		n += len(in.Unknowns)
	}
	for _, out := range p.p.Outputs {
		n += len(out.Unknowns)
	}
	return n
}

func cloneUnknowns(src []*btcpsbt.Unknown) []*btcpsbt.Unknown {
	out := make([]*btcpsbt.Unknown, len(src))
	for i, u := range src {
		out[i] = &btcpsbt.Unknown{Key: slices.Clone(u.Key), Value: slices.Clone(u.Value)}
	}
	return out
}
