package psbt

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Wallet is the operator's own watch-only wallet as the analysis needs it: for
// a BIP32 derivation claimed in the PSBT, the output script the wallet really
// has there. A dishonest online machine can write any derivation into a PSBT;
// only a script recomputed from the wallet's own descriptor proves an output
// is change.
type Wallet interface {
	// ScriptAt returns the script at the claimed derivation and its branch
	// (0 receive, 1 change) and index, or ok=false if the derivation does not
	// follow the wallet's pattern (other fingerprint, depth, hardening or
	// branch).
	ScriptAt(fingerprint uint32, path []uint32) (script []byte, branch, index uint32, ok bool)
}

// ScriptType names the kinds of output script airsign recognises, in the
// words wallets use.
type ScriptType string

// The script types airsign recognises.
const (
	P2PKH      ScriptType = "p2pkh"
	P2SH       ScriptType = "p2sh"
	P2SHP2WPKH ScriptType = "p2sh-p2wpkh"
	P2WPKH     ScriptType = "p2wpkh"
	P2WSH      ScriptType = "p2wsh"
	P2TR       ScriptType = "p2tr"
	OpReturn   ScriptType = "op_return"
	Unknown    ScriptType = "unknown"
)

// Input is what the operator needs to know about one input.
type Input struct {
	Index      int        `json:"index"`
	Outpoint   string     `json:"outpoint"`
	Amount     int64      `json:"amount_sat"`
	HasAmount  bool       `json:"has_amount"`
	ScriptType ScriptType `json:"script_type"`
	Address    string     `json:"address,omitempty"`
	Sequence   uint32     `json:"sequence"`
	// Ours is true when one of the input's derivations carries our master
	// fingerprint and the key there is in the script.
	Ours bool `json:"ours"`
	// Paths lists the BIP32 paths the PSBT names for this input.
	Paths       []string `json:"paths,omitempty"`
	SighashType string   `json:"sighash"`
	Signatures  int      `json:"signatures"`
	Finalized   bool     `json:"finalized"`
}

// Output is what the operator needs to know about one output.
type Output struct {
	Index      int        `json:"index"`
	Address    string     `json:"address,omitempty"`
	Script     string     `json:"script_hex"`
	Amount     int64      `json:"amount_sat"`
	ScriptType ScriptType `json:"script_type"`
	// Change is true only when the output script was recomputed from the
	// wallet's descriptor at the path the PSBT names.
	Change bool   `json:"change"`
	Path   string `json:"change_path,omitempty"`
}

// Analysis is the truth about a PSBT, as printed by inspect and sign and as
// compared between the online and the offline screens.
type Analysis struct {
	TxID     string   `json:"txid"`
	Digest   string   `json:"digest"`
	Version  int32    `json:"version"`
	LockTime uint32   `json:"locktime"`
	Inputs   []Input  `json:"inputs"`
	Outputs  []Output `json:"outputs"`
	TotalIn  int64    `json:"total_in_sat"`
	TotalOut int64    `json:"total_out_sat"`
	// Spend is what leaves the wallet: external outputs plus the fee.
	Spend   int64   `json:"spend_sat"`
	Fee     int64   `json:"fee_sat"`
	VSize   int64   `json:"vsize"`
	FeeRate float64 `json:"fee_rate_sat_vb"`
	// FeePercent is the fee as a percentage of the amount sent out.
	FeePercent float64 `json:"fee_percent"`
	RBF        bool    `json:"rbf"`
	// Complete is true when every input carries a final script.
	Complete bool      `json:"complete"`
	Problems []Problem `json:"problems"`
}

// Analyze explains p: amounts, fee, which outputs are provably our change,
// and every problem found (see Problem). fingerprint is our master key
// fingerprint (0 if unknown) and wallet our descriptor (nil if not enrolled),
// both used to recognise our inputs and verify change. net is the network the
// operator works on.
func Analyze(p *Packet, net *chaincfg.Params, fingerprint uint32, wallet Wallet) *Analysis {
	tx := p.p.UnsignedTx
	a := &Analysis{
		TxID:     tx.TxHash().String(),
		Digest:   Digest(p),
		Version:  tx.Version,
		LockTime: tx.LockTime,
		Complete: true,
	}
	c := &checker{p: p.p, net: net, a: a}

	seen := map[wire.OutPoint]int{}
	amountsKnown := true
	for i, txIn := range tx.TxIn {
		in := c.input(i, txIn, fingerprint)
		if prev, dup := seen[txIn.PreviousOutPoint]; dup {
			c.refuseIn(i, "duplicate-input", "spends the same coin as input %d; a transaction may spend a coin only once", prev)
		}
		seen[txIn.PreviousOutPoint] = i
		if txIn.Sequence < wire.MaxTxInSequenceNum-1 {
			a.RBF = true
		}
		if !in.HasAmount {
			amountsKnown = false
		} else if a.TotalIn, c.overflow = addAmount(a.TotalIn, in.Amount, c.overflow); c.overflow {
			c.refuseIn(i, "value-overflow", "the input amounts add up to more than 21 million BTC")
		}
		if !in.Finalized {
			a.Complete = false
		}
		a.Inputs = append(a.Inputs, in)
	}

	var external int64
	for i, txOut := range tx.TxOut {
		out := c.output(i, txOut, fingerprint, wallet)
		if txOut.Value >= 0 {
			a.TotalOut, c.overflow = addAmount(a.TotalOut, txOut.Value, c.overflow)
		}
		if !out.Change {
			external += max(txOut.Value, 0)
		}
		a.Outputs = append(a.Outputs, out)
	}
	if c.overflow {
		c.refuseTx("value-overflow", "amounts add up to more than 21 million BTC")
	}

	a.VSize = EstimateVSize(p)
	if amountsKnown {
		a.Fee = a.TotalIn - a.TotalOut
		a.Spend = external + a.Fee
		if a.Fee < 0 {
			c.refuseTx("negative-fee", "the outputs (%s) are worth more than the inputs (%s)", FormatBTC(a.TotalOut), FormatBTC(a.TotalIn))
		}
		if a.VSize > 0 {
			a.FeeRate = float64(a.Fee) / float64(a.VSize)
		}
		if external > 0 {
			a.FeePercent = 100 * float64(a.Fee) / float64(external)
		} else if a.Fee > 0 {
			a.FeePercent = 100
		}
	}
	c.locktime()
	return a
}

// checker accumulates the problems found while analysing one packet.
type checker struct {
	p        *btcpsbt.Packet
	net      *chaincfg.Params
	a        *Analysis
	overflow bool
}

func (c *checker) add(pr Problem) { c.a.Problems = append(c.a.Problems, pr) }

func (c *checker) refuseIn(i int, code, format string, args ...any) {
	c.add(Problem{Input: i, Output: -1, Severity: Refuse, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warnIn(i int, code, format string, args ...any) {
	c.add(Problem{Input: i, Output: -1, Severity: Warn, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) refuseOut(i int, code, format string, args ...any) {
	c.add(Problem{Input: -1, Output: i, Severity: Refuse, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) refuseTx(code, format string, args ...any) {
	c.add(Problem{Input: -1, Output: -1, Severity: Refuse, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warnTx(code, format string, args ...any) {
	c.add(Problem{Input: -1, Output: -1, Severity: Warn, Code: code, Message: fmt.Sprintf(format, args...)})
}

// input analyses input i and checks that its UTXO data is complete and
// honest: the amount an input spends is only known from data the online side
// supplies, and lying about it is the classic way to make a signer pay a
// fee it never saw.
func (c *checker) input(i int, txIn *wire.TxIn, fingerprint uint32) Input {
	pin := &c.p.Inputs[i]
	op := txIn.PreviousOutPoint
	in := Input{
		Index:       i,
		Outpoint:    op.String(),
		Sequence:    txIn.Sequence,
		SighashType: sighashName(pin.SighashType),
		Signatures:  len(pin.PartialSigs),
		Finalized:   len(pin.FinalScriptSig) > 0 || len(pin.FinalScriptWitness) > 0,
		ScriptType:  Unknown,
	}
	if len(pin.TaprootKeySpendSig) > 0 {
		in.Signatures++
	}

	utxo, ok := c.utxo(i)
	if ok {
		in.Amount, in.HasAmount = utxo.Value, true
		in.ScriptType, in.Address = classify(utxo.PkScript, c.net)
		if utxo.Value < 0 || utxo.Value > btcutil.MaxSatoshi {
			c.refuseIn(i, "bad-amount", "the coin's amount %d sat is outside 0 … 21 million BTC", utxo.Value)
			in.HasAmount = false
		}
		if pin.RedeemScript != nil && in.ScriptType == P2SH && txscript.IsPayToWitnessPubKeyHash(pin.RedeemScript) {
			in.ScriptType = P2SHP2WPKH
		}
	}

	// Segwit v0 signatures commit to the amount of their own input only, so a
	// PSBT can lie about the amounts of two inputs in turn (CVE-2020-14199).
	// Only the full previous transaction proves the amount.
	segwitV0 := in.ScriptType == P2WPKH || in.ScriptType == P2WSH || in.ScriptType == P2SHP2WPKH
	if ok && segwitV0 && pin.NonWitnessUtxo == nil && !in.Finalized {
		c.refuseIn(i, "missing-non-witness-utxo", "segwit v0 input without its full previous transaction (non_witness_utxo): its amount cannot be proven (CVE-2020-14199 fee attack); prepare the PSBT again with a wallet that includes it")
	}
	if pin.SighashType != 0 && pin.SighashType != txscript.SigHashAll {
		if pin.SighashType != txscript.SigHashDefault || in.ScriptType != P2TR {
			c.refuseIn(i, "sighash", "asks for sighash %s; airsign signs only SIGHASH_ALL (or DEFAULT for taproot) unless --allow-sighash is given", sighashName(pin.SighashType))
		}
		if base := pin.SighashType & 0x1f; base == txscript.SigHashSingle && i >= len(c.p.UnsignedTx.TxOut) {
			c.refuseIn(i, "sighash-single-no-output", "asks for SIGHASH_SINGLE but there is no output %d to commit to", i)
		}
	}
	for _, d := range pin.Bip32Derivation {
		in.Paths = append(in.Paths, FormatPath(d.MasterKeyFingerprint, d.Bip32Path))
		if fingerprint != 0 && d.MasterKeyFingerprint == fingerprint {
			in.Ours = true
		}
	}
	for _, d := range pin.TaprootBip32Derivation {
		in.Paths = append(in.Paths, FormatPath(d.MasterKeyFingerprint, d.Bip32Path))
		if fingerprint != 0 && d.MasterKeyFingerprint == fingerprint && len(d.LeafHashes) == 0 {
			in.Ours = true
		}
	}
	if in.ScriptType == P2TR && (len(pin.TaprootLeafScript) > 0 || len(pin.TaprootMerkleRoot) > 0) {
		c.warnIn(i, "taproot-script-path", "carries a taproot script tree; airsign signs only the key path and will not sign script paths")
	}
	return in
}

// utxo returns the output input i spends, checking that non_witness_utxo and
// witness_utxo agree with each other and with the outpoint.
func (c *checker) utxo(i int) (*wire.TxOut, bool) {
	pin := &c.p.Inputs[i]
	op := c.p.UnsignedTx.TxIn[i].PreviousOutPoint
	var fromFull *wire.TxOut
	if pin.NonWitnessUtxo != nil {
		if h := pin.NonWitnessUtxo.TxHash(); h != op.Hash {
			c.refuseIn(i, "non-witness-utxo-mismatch", "its previous transaction has txid %s, not %s as the input says", h, op.Hash)
			return nil, false
		}
		if int(op.Index) >= len(pin.NonWitnessUtxo.TxOut) {
			c.refuseIn(i, "vout-out-of-range", "spends output %d of a transaction that has only %d outputs", op.Index, len(pin.NonWitnessUtxo.TxOut))
			return nil, false
		}
		fromFull = pin.NonWitnessUtxo.TxOut[op.Index]
	}
	if pin.WitnessUtxo != nil {
		if fromFull != nil && (fromFull.Value != pin.WitnessUtxo.Value || !bytes.Equal(fromFull.PkScript, pin.WitnessUtxo.PkScript)) {
			c.refuseIn(i, "witness-utxo-mismatch", "witness_utxo (%s) disagrees with output %d of its previous transaction (%s)", FormatBTC(pin.WitnessUtxo.Value), op.Index, FormatBTC(fromFull.Value))
			return nil, false
		}
		if fromFull == nil {
			return pin.WitnessUtxo, true
		}
	}
	if fromFull != nil {
		return fromFull, true
	}
	if len(pin.FinalScriptSig) == 0 && len(pin.FinalScriptWitness) == 0 {
		c.refuseIn(i, "missing-utxo", "carries no data about the coin it spends (neither non_witness_utxo nor witness_utxo); prepare the PSBT again")
	}
	return nil, false
}

// output analyses output i and decides whether it is provably our change.
func (c *checker) output(i int, txOut *wire.TxOut, fingerprint uint32, wallet Wallet) Output {
	pout := &c.p.Outputs[i]
	out := Output{Index: i, Amount: txOut.Value, Script: fmt.Sprintf("%x", txOut.PkScript)}
	out.ScriptType, out.Address = classify(txOut.PkScript, c.net)
	if txOut.Value < 0 || txOut.Value > btcutil.MaxSatoshi {
		c.refuseOut(i, "bad-amount", "amount %d sat is outside 0 … 21 million BTC", txOut.Value)
	}
	if out.ScriptType == OpReturn && txOut.Value > 0 {
		c.refuseOut(i, "op-return-value", "is an OP_RETURN data output carrying %s, which would be burned", FormatBTC(txOut.Value))
	}
	if out.ScriptType == Unknown {
		c.warnOut(i, "unknown-script", "pays to a non-standard script %x that no address represents", txOut.PkScript)
	}

	type claim struct {
		fp   uint32
		path []uint32
		key  []byte
	}
	var claims []claim
	for _, d := range pout.Bip32Derivation {
		claims = append(claims, claim{d.MasterKeyFingerprint, d.Bip32Path, d.PubKey})
	}
	for _, d := range pout.TaprootBip32Derivation {
		claims = append(claims, claim{d.MasterKeyFingerprint, d.Bip32Path, d.XOnlyPubKey})
	}
	for _, cl := range claims {
		if fingerprint != 0 && cl.fp != fingerprint {
			continue // another cosigner's key
		}
		path := FormatPath(cl.fp, cl.path)
		if wallet == nil || fingerprint == 0 {
			c.warnOut(i, "change-unverified", "claims to be ours at %s, but without our key or descriptor it cannot be verified; it is treated as external", path)
			return out
		}
		script, branch, _, ok := wallet.ScriptAt(cl.fp, cl.path)
		if !ok {
			c.refuseOut(i, "fake-change", "claims to be our change at %s, a path outside our wallet's pattern; a change output there could not be found again", path)
			return out
		}
		if !bytes.Equal(script, txOut.PkScript) {
			c.refuseOut(i, "fake-change", "claims to be our change at %s, but our wallet's script there is different: the output pays someone else", path)
			return out
		}
		out.Change, out.Path = true, path
		if branch != 1 {
			c.warnOut(i, "change-to-receive", "returns to our receive address at %s rather than a change address", path)
		}
		return out
	}
	return out
}

func (c *checker) warnOut(i int, code, format string, args ...any) {
	c.add(Problem{Input: -1, Output: i, Severity: Warn, Code: code, Message: fmt.Sprintf(format, args...)})
}

// locktime warns about a locktime the operator may not expect.
func (c *checker) locktime() {
	lt := c.p.UnsignedTx.LockTime
	if lt == 0 {
		return
	}
	final := true
	for _, in := range c.p.UnsignedTx.TxIn {
		if in.Sequence != wire.MaxTxInSequenceNum {
			final = false
		}
	}
	if final {
		return
	}
	if lt >= txscript.LockTimeThreshold {
		c.warnTx("locktime", "cannot be mined before Unix time %d", lt)
	}
}

func addAmount(sum, v int64, overflow bool) (int64, bool) {
	if overflow || v > btcutil.MaxSatoshi || sum > btcutil.MaxSatoshi-v {
		return sum, true
	}
	return sum + v, false
}

// classify names the script type and its address on net, if it has one.
func classify(script []byte, net *chaincfg.Params) (ScriptType, string) {
	class, addrs, _, err := txscript.ExtractPkScriptAddrs(script, net)
	addr := ""
	if err == nil && len(addrs) == 1 {
		addr = addrs[0].EncodeAddress()
	}
	switch class {
	case txscript.PubKeyHashTy:
		return P2PKH, addr
	case txscript.ScriptHashTy:
		return P2SH, addr
	case txscript.WitnessV0PubKeyHashTy:
		return P2WPKH, addr
	case txscript.WitnessV0ScriptHashTy:
		return P2WSH, addr
	case txscript.WitnessV1TaprootTy:
		return P2TR, addr
	case txscript.NullDataTy:
		return OpReturn, ""
	}
	if len(script) > 0 && script[0] == txscript.OP_RETURN {
		return OpReturn, ""
	}
	return Unknown, ""
}

// sighashName spells a sighash type the way BIP174 and Core do.
func sighashName(t txscript.SigHashType) string {
	if t == 0 {
		return "DEFAULT"
	}
	names := map[txscript.SigHashType]string{
		txscript.SigHashAll:    "ALL",
		txscript.SigHashNone:   "NONE",
		txscript.SigHashSingle: "SINGLE",
	}
	base, ok := names[t&^txscript.SigHashAnyOneCanPay]
	if !ok {
		return fmt.Sprintf("0x%x", uint32(t))
	}
	if t&txscript.SigHashAnyOneCanPay != 0 {
		return base + "|ANYONECANPAY"
	}
	return base
}

// FormatPath writes a BIP32 derivation the way wallets show it:
// [d34db33f]m/84h/0h/0h/1/5, with the fingerprint in the byte order it has
// in the PSBT (btcd stores it as a little-endian uint32).
func FormatPath(fingerprint uint32, path []uint32) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]m", FormatFingerprint(fingerprint))
	for _, step := range path {
		b.WriteByte('/')
		if step >= 1<<31 {
			b.WriteString(strconv.FormatUint(uint64(step-(1<<31)), 10))
			b.WriteByte('h')
		} else {
			b.WriteString(strconv.FormatUint(uint64(step), 10))
		}
	}
	return b.String()
}

// FormatFingerprint prints a master key fingerprint as the 8 hex digits
// wallets show (the bytes in order), from btcd's little-endian uint32.
func FormatFingerprint(fp uint32) string {
	return fmt.Sprintf("%02x%02x%02x%02x", byte(fp), byte(fp>>8), byte(fp>>16), byte(fp>>24))
}

// FormatBTC prints satoshis as BTC with eight decimals, the unit every
// wallet screen uses, so the operator compares like with like.
func FormatBTC(sat int64) string {
	sign := ""
	if sat < 0 {
		sign = "-"
		if sat == math.MinInt64 {
			return "-92233720368.54775808 BTC"
		}
		sat = -sat
	}
	return fmt.Sprintf("%s%d.%08d BTC", sign, sat/1e8, sat%1e8)
}
