package psbt

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"slices"
	"sort"

	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }

// Combine merges several PSBTs of the same transaction (BIP174 combiner),
// as returned by the cosigners of a multisig or by one signer run several
// times: signatures, scripts, derivations, UTXO data and unknown fields
// (kept in key order). Where two PSBTs hold different values under the same
// key, the first PSBT's value is kept. PSBTs of different transactions are
// refused, naming the one that differs.
func Combine(packets ...*Packet) (*Packet, error) {
	if len(packets) == 0 {
		return nil, fmt.Errorf("no PSBT to combine")
	}
	out, err := packets[0].Clone()
	if err != nil {
		return nil, err
	}
	want := out.p.UnsignedTx.TxHash()
	for n, other := range packets[1:] {
		if got := other.p.UnsignedTx.TxHash(); got != want {
			return nil, fmt.Errorf("PSBT %d is for transaction %s, not %s like the first: these are signatures of different transactions", n+2, got, want)
		}
		out.p.Unknowns = mergeUnknowns(out.p.Unknowns, other.p.Unknowns)
		for i := range out.p.Inputs {
			combineInput(&out.p.Inputs[i], &other.p.Inputs[i])
		}
		for i := range out.p.Outputs {
			combineOutput(&out.p.Outputs[i], &other.p.Outputs[i])
		}
	}
	return out, nil
}

func combineInput(dst, src *btcpsbt.PInput) {
	if len(dst.FinalScriptSig) == 0 && len(dst.FinalScriptWitness) == 0 {
		dst.FinalScriptSig, dst.FinalScriptWitness = src.FinalScriptSig, src.FinalScriptWitness
	}
	for _, ps := range src.PartialSigs {
		if !hasPartialSig(dst.PartialSigs, ps.PubKey) {
			dst.PartialSigs = append(dst.PartialSigs, ps)
		}
	}
	for _, d := range src.Bip32Derivation {
		if !slices.ContainsFunc(dst.Bip32Derivation, func(x *btcpsbt.Bip32Derivation) bool { return bytes.Equal(x.PubKey, d.PubKey) }) {
			dst.Bip32Derivation = append(dst.Bip32Derivation, d)
		}
	}
	for _, d := range src.TaprootBip32Derivation {
		if !slices.ContainsFunc(dst.TaprootBip32Derivation, func(x *btcpsbt.TaprootBip32Derivation) bool { return bytes.Equal(x.XOnlyPubKey, d.XOnlyPubKey) }) {
			dst.TaprootBip32Derivation = append(dst.TaprootBip32Derivation, d)
		}
	}
	for _, s := range src.TaprootScriptSpendSig {
		if !slices.ContainsFunc(dst.TaprootScriptSpendSig, func(x *btcpsbt.TaprootScriptSpendSig) bool {
			return bytes.Equal(x.XOnlyPubKey, s.XOnlyPubKey) && bytes.Equal(x.LeafHash, s.LeafHash)
		}) {
			dst.TaprootScriptSpendSig = append(dst.TaprootScriptSpendSig, s)
		}
	}
	for _, l := range src.TaprootLeafScript {
		if !slices.ContainsFunc(dst.TaprootLeafScript, func(x *btcpsbt.TaprootTapLeafScript) bool { return bytes.Equal(x.ControlBlock, l.ControlBlock) }) {
			dst.TaprootLeafScript = append(dst.TaprootLeafScript, l)
		}
	}
	if len(dst.TaprootKeySpendSig) == 0 {
		dst.TaprootKeySpendSig = src.TaprootKeySpendSig
	}
	if dst.SighashType == 0 {
		dst.SighashType = src.SighashType
	}
	if dst.NonWitnessUtxo == nil {
		dst.NonWitnessUtxo = src.NonWitnessUtxo
	}
	if dst.WitnessUtxo == nil {
		dst.WitnessUtxo = src.WitnessUtxo
	}
	if dst.RedeemScript == nil {
		dst.RedeemScript = src.RedeemScript
	}
	if dst.WitnessScript == nil {
		dst.WitnessScript = src.WitnessScript
	}
	if len(dst.TaprootInternalKey) == 0 {
		dst.TaprootInternalKey = src.TaprootInternalKey
	}
	if len(dst.TaprootMerkleRoot) == 0 {
		dst.TaprootMerkleRoot = src.TaprootMerkleRoot
	}
	dst.Unknowns = mergeUnknowns(dst.Unknowns, src.Unknowns)
}

func combineOutput(dst, src *btcpsbt.POutput) {
	if dst.RedeemScript == nil {
		dst.RedeemScript = src.RedeemScript
	}
	if dst.WitnessScript == nil {
		dst.WitnessScript = src.WitnessScript
	}
	for _, d := range src.Bip32Derivation {
		if !slices.ContainsFunc(dst.Bip32Derivation, func(x *btcpsbt.Bip32Derivation) bool { return bytes.Equal(x.PubKey, d.PubKey) }) {
			dst.Bip32Derivation = append(dst.Bip32Derivation, d)
		}
	}
	for _, d := range src.TaprootBip32Derivation {
		if !slices.ContainsFunc(dst.TaprootBip32Derivation, func(x *btcpsbt.TaprootBip32Derivation) bool { return bytes.Equal(x.XOnlyPubKey, d.XOnlyPubKey) }) {
			dst.TaprootBip32Derivation = append(dst.TaprootBip32Derivation, d)
		}
	}
	if len(dst.TaprootInternalKey) == 0 {
		dst.TaprootInternalKey = src.TaprootInternalKey
	}
	if len(dst.TaprootTapTree) == 0 {
		dst.TaprootTapTree = src.TaprootTapTree
	}
	dst.Unknowns = mergeUnknowns(dst.Unknowns, src.Unknowns)
}

// mergeUnknowns adds the unknown fields of src whose keys dst lacks and
// returns them in key order, as BIP174's combiner example does.
func mergeUnknowns(dst, src []*btcpsbt.Unknown) []*btcpsbt.Unknown {
	for _, u := range src {
		if !slices.ContainsFunc(dst, func(x *btcpsbt.Unknown) bool { return bytes.Equal(x.Key, u.Key) }) {
			dst = append(dst, u)
		}
	}
	sort.SliceStable(dst, func(i, j int) bool { return bytes.Compare(dst[i].Key, dst[j].Key) < 0 })
	return dst
}

func hasPartialSig(sigs []*btcpsbt.PartialSig, pub []byte) bool {
	for _, s := range sigs {
		if bytes.Equal(s.PubKey, pub) {
			return true
		}
	}
	return false
}

// Finalize turns the signatures of every input into final scripts (BIP174
// input finalizer). It names the inputs that still lack signatures.
func Finalize(p *Packet) error {
	var missing []int
	for i := range p.p.Inputs {
		if len(p.p.Inputs[i].FinalScriptSig) > 0 || len(p.p.Inputs[i].FinalScriptWitness) > 0 {
			continue
		}
		ok, err := maybeFinalize(p.p, i)
		if err != nil || !ok {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("input(s) %v are not fully signed yet: sign them on the offline machine (or collect the other cosigners' PSBTs) and try again", missing)
	}
	return nil
}

// maybeFinalize runs btcd's finalizer, turning a panic on odd input into a
// refusal.
func maybeFinalize(p *btcpsbt.Packet, i int) (ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			ok, err = false, fmt.Errorf("input %d cannot be finalized", i)
		}
	}()
	return btcpsbt.MaybeFinalize(p, i)
}

// Extract returns the network transaction of a finalized PSBT and checks
// every input's script with btcd's engine, so a broadcast never carries a
// signature the node would reject for a reason we can see first.
func Extract(p *Packet) (*wire.MsgTx, error) {
	tx, err := btcpsbt.Extract(p.p)
	if err != nil {
		return nil, fmt.Errorf("extracting the transaction: %w (finalize it first)", err)
	}
	prevOuts, err := prevOutputs(p.p, false)
	if err != nil {
		return nil, err
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prevOuts)
	sigHashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, in := range tx.TxIn {
		utxo := prevOuts[in.PreviousOutPoint]
		vm, err := txscript.NewEngine(utxo.PkScript, tx, i, txscript.StandardVerifyFlags, nil, sigHashes, utxo.Value, fetcher)
		if err != nil {
			return nil, fmt.Errorf("input %d: %w", i, err)
		}
		if err := vm.Execute(); err != nil {
			return nil, fmt.Errorf("input %d: its signature does not verify: %v", i, err)
		}
	}
	return tx, nil
}
