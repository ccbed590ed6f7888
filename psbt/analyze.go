package psbt

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
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

// KeyWallet is a Wallet that also gives the public key at a derivation, so
// the analysis can check the key an input names before our key is rebuilt.
type KeyWallet interface {
	Wallet
	// KeyAt returns the compressed public key of fingerprint's key at path,
	// or ok=false where ScriptAt would.
	KeyAt(fingerprint uint32, path []uint32) (pubKey []byte, ok bool)
}

// ScriptType names the kinds of output script airsign recognises, in the
// words wallets use.
type ScriptType string

// The script types airsign recognises.
const (
	P2PKH      ScriptType = "p2pkh"
	P2SH       ScriptType = "p2sh"
	P2SHP2WPKH ScriptType = "p2sh-p2wpkh"
	P2SHP2WSH  ScriptType = "p2sh-p2wsh"
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
	// Change is true when the output is counted as ours: its script is
	// the wallet's at the path the PSBT names. Before the key is rebuilt
	// the signer's "wallet" may be the PSBT's own claims, so Change alone
	// does not say it was proven: Verified does.
	Change bool   `json:"change"`
	Path   string `json:"change_path,omitempty"`
	// Claimed is true when the PSBT says the output is ours: one of its
	// derivations names our master key. A claim is only what the online
	// side wrote; it may be true (change) or a lie (fake change).
	Claimed bool `json:"claimed"`
	// Verified is true when Change was proven: the script recomputed
	// from our key or enrolled descriptor, not taken from the PSBT.
	Verified bool `json:"verified"`
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
	Complete bool `json:"complete"`
	// Reserves is set when the PSBT is a BIP127 proof of reserves: it
	// spends nothing, and what it proves is shown instead of a payment.
	Reserves *Reserves `json:"reserves,omitempty"`
	Problems []Problem `json:"problems"`
}

// ChangeIndexGap is how far beyond the highest address index among our
// inputs a change output's index may be. A change address further out would
// not be found again by a wallet restored from the seed (wallets scan a gap
// of 20 to a few hundred unused addresses), so funds sent there are as good
// as lost; a dishonest online machine could use that to burn the change.
const ChangeIndexGap = 1000

// Analyze explains p: amounts, fee, which outputs are provably our change,
// and every problem found (see Problem). fingerprint is our master key
// fingerprint (0 if unknown) and wallet our descriptor (nil if not enrolled),
// both used to recognise our inputs and verify change. net is the network the
// operator works on.
//
// Analyze never fails: whatever it cannot establish becomes a refusal, so a
// caller that signs only when Refusals() is empty never signs on a guess.
func Analyze(p *Packet, net *chaincfg.Params, fingerprint uint32, wallet Wallet) *Analysis {
	tx := p.p.UnsignedTx
	a := &Analysis{
		TxID:     tx.TxHash().String(),
		Digest:   Digest(p),
		Version:  tx.Version,
		LockTime: tx.LockTime,
		Complete: true,
	}
	c := &checker{p: p.p, pk: p, net: net, a: a, fingerprint: fingerprint, wallet: wallet, tweaks: &p.tweaks}
	c.fields()
	if msg, ok := reservesMessage(p.p); ok {
		c.reserves(msg)
	}
	c.prevTxs()
	c.tweaks.warm(p.p, c.ours)

	seen := map[wire.OutPoint]int{}
	amountsKnown, inOverflow := true, false
	for i, txIn := range tx.TxIn {
		in := c.input(i, txIn)
		if prev, dup := seen[txIn.PreviousOutPoint]; dup {
			c.refuseIn(i, CodeDuplicateInput, "spends the same coin as input %d; a transaction may spend a coin only once", prev)
		}
		seen[txIn.PreviousOutPoint] = i
		if txIn.Sequence < wire.MaxTxInSequenceNum-1 {
			a.RBF = true
		}
		if !in.HasAmount {
			amountsKnown = false
		} else if !inOverflow {
			if a.TotalIn, inOverflow = addAmount(a.TotalIn, in.Amount, false); inOverflow {
				c.refuseIn(i, CodeValueOverflow, "the input amounts add up to more than 21 million BTC")
			}
		}
		if !in.Finalized {
			a.Complete = false
		}
		a.Inputs = append(a.Inputs, in)
	}
	c.utxoConflicts()
	c.badSignatures()

	var external int64
	outOverflow, badOut := false, false
	for i, txOut := range tx.TxOut {
		out := c.output(i, txOut, wallet)
		valid := txOut.Value >= 0 && txOut.Value <= btcutil.MaxSatoshi
		badOut = badOut || !valid
		if valid && !outOverflow {
			if a.TotalOut, outOverflow = addAmount(a.TotalOut, txOut.Value, false); outOverflow {
				c.refuseOut(i, CodeValueOverflow, "the output amounts add up to more than 21 million BTC")
			}
		}
		if valid && !out.Change {
			external, _ = addAmount(external, txOut.Value, false)
		}
		a.Outputs = append(a.Outputs, out)
	}

	a.VSize = EstimateVSize(p)
	switch {
	case !amountsKnown:
		c.refuseTx(CodeFeeUnknown, "the amount of at least one input is unknown, so the fee cannot be known")
	case inOverflow || outOverflow || badOut:
		// Refused above; a fee computed from a wrapped or partial sum
		// would mislead.
	default:
		a.Fee = a.TotalIn - a.TotalOut
		a.Spend = external + a.Fee
		if a.Fee < 0 {
			c.refuseTx(CodeNegativeFee, "the outputs (%s) are worth more than the inputs (%s)", FormatBTC(a.TotalOut), FormatBTC(a.TotalIn))
		}
		if a.VSize > 0 {
			a.FeeRate = float64(a.Fee) / float64(a.VSize)
			if a.Fee >= 0 && a.FeeRate < MinRelayFeeRate && !p.IsReserves() {
				c.warnTx(CodeLowFeeRate, "pays %.2f sat/vB, below the %.0f sat/vB most nodes relay: it may never be mined; prepare it again with a higher --fee-rate", a.FeeRate, float64(MinRelayFeeRate))
			}
		}
		// The fee as a share of what is sent away; for a transaction that
		// only moves our own coins, as a share of what is moved.
		switch {
		case external > 0:
			a.FeePercent = 100 * float64(a.Fee) / float64(external)
		case a.TotalIn > 0:
			a.FeePercent = 100 * float64(a.Fee) / float64(a.TotalIn)
		}
	}
	c.reservesTotals()
	c.locktime()
	c.relativeLocks()
	c.standardness(a.VSize)
	if v := tx.Version; v < 1 || v > 3 {
		c.warnTx(CodeVersion, "has transaction version %d; nodes relay versions 1 to 3 only, so it may never be mined", v)
	}
	c.othersCoins()
	return a
}

// badSignatures warns about signatures the PSBT carries that do not verify
// against this transaction, and counts them out of the inputs'
// signatures: a forged signature filed under our key (or a cosigner's)
// must not read as "signed". Sign replaces one filed under our key with
// its own.
func (c *checker) badSignatures() {
	for _, ks := range c.pk.BadSignatures() {
		in := &c.a.Inputs[ks.Input]
		in.Signatures = max(0, in.Signatures-1)
		whose := "its taproot key-path signature"
		if !ks.Taproot {
			whose = fmt.Sprintf("the signature filed under key %x", ks.PubKey)
		}
		c.warnIn(ks.Input, CodeBadSignature, "carries %s, which does not verify against this transaction (forged, or made for another one): it counts for nothing, and a key of ours signs anew", whose)
	}
}

// othersCoins says when inputs that are not ours pay part of the outputs
// (a payjoin, a coinjoin, or an input slipped in): "Leaves us" stays the
// cautious figure, every external output plus the fee, and this says how
// much of it the other inputs pay and what our own coins less our change
// come to. Only with our key known: otherwise no input is ours to count.
func (c *checker) othersCoins() {
	a := c.a
	if c.fingerprint == 0 || a.Reserves != nil || a.Fee < 0 {
		return
	}
	var others []string
	var ours, theirs, change int64
	for _, in := range a.Inputs {
		if !in.HasAmount {
			return
		}
		if in.Ours {
			ours += in.Amount
		} else {
			others = append(others, fmt.Sprint(in.Index))
			theirs += in.Amount
		}
	}
	if len(others) == 0 || len(others) == len(a.Inputs) {
		return
	}
	for _, out := range a.Outputs {
		if out.Change {
			change += out.Amount
		}
	}
	c.warnTx(CodeOthersCoins, "inputs %s are not ours (%s): they pay part of the outputs, so \"Leaves us\" overstates; our own coins less our change come to %s. Sign only if you meant to spend together with someone else (a payjoin or coinjoin)", strings.Join(others, ", "), FormatBTC(theirs), FormatBTC(ours-change))
}

// checker accumulates the problems found while analysing one packet.
type checker struct {
	p           *btcpsbt.Packet
	pk          *Packet // p, with what its analyses remember
	net         *chaincfg.Params
	a           *Analysis
	fingerprint uint32
	// prevOK[i] is true when input i's non_witness_utxo hashes to its
	// outpoint's txid.
	prevOK []bool
	// tweaks is the packet's memo of BIP86 tweaks.
	tweaks *tweaks
	// wallet is the operator's wallet (nil if none).
	wallet Wallet
	// reach is the highest address index a change output may claim
	// (changeReach). It costs a derivation per input, so it is worked
	// out (once) only when a change output claims an index beyond
	// ChangeIndexGap, the only time it matters.
	reach      uint32
	reachKnown bool
}

func (c *checker) add(pr Problem) { c.a.Problems = append(c.a.Problems, pr) }

func (c *checker) refuseIn(i int, code Code, format string, args ...any) {
	c.add(Problem{Input: i, Output: -1, Severity: Refuse, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warnIn(i int, code Code, format string, args ...any) {
	c.add(Problem{Input: i, Output: -1, Severity: Warn, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) refuseOut(i int, code Code, format string, args ...any) {
	c.add(Problem{Input: -1, Output: i, Severity: Refuse, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warnOut(i int, code Code, format string, args ...any) {
	c.add(Problem{Input: -1, Output: i, Severity: Warn, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) refuseTx(code Code, format string, args ...any) {
	c.add(Problem{Input: -1, Output: -1, Severity: Refuse, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warnTx(code Code, format string, args ...any) {
	c.add(Problem{Input: -1, Output: -1, Severity: Warn, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) ours(fp uint32) bool { return c.fingerprint != 0 && fp == c.fingerprint }

// fields reports the fields airsign does not use and the oversize ones, from
// the serialization itself (btcd keeps unknown fields but says nothing).
func (c *checker) fields() {
	var buf bytes.Buffer
	if err := c.p.Serialize(&buf); err != nil {
		c.refuseTx(CodeMalformedField, "the PSBT cannot be serialized again (%v)", err)
		return
	}
	rp, err := scanRaw(buf.Bytes())
	if err != nil {
		c.refuseTx(CodeMalformedField, "%v", err)
		return
	}
	for _, pr := range fieldProblems(rp) {
		c.add(pr)
	}
}

// prevTxs checks each non_witness_utxo against its outpoint once.
func (c *checker) prevTxs() {
	c.prevOK = make([]bool, len(c.p.UnsignedTx.TxIn))
	for i, txIn := range c.p.UnsignedTx.TxIn {
		if pin := &c.p.Inputs[i]; pin.NonWitnessUtxo != nil {
			c.prevOK[i] = pin.NonWitnessUtxo.TxHash() == txIn.PreviousOutPoint.Hash
		}
	}
}

// changeReach is how far the change index may go, reachIndex: a restoring
// wallet finds an address only past a run of used ones, so the reach
// starts at ChangeIndexGap and an input of ours extends it by
// ChangeIndexGap only when it lies within the reach so far. An input far
// out on its own proves nothing: the online side, which holds the xpub,
// can pay dust to any index of ours and spend it here to stretch the
// claim (the coin is ours, but a restore would not find it either). Only
// a derivation whose script the wallet itself reproduces, and which is the
// script the input really spends, counts: a planted derivation (say a
// taproot leaf entry the signer skips) must not stretch it either.
func (c *checker) changeReach() uint32 {
	if c.reachKnown {
		return c.reach
	}
	c.reachKnown = true
	var indexes []uint32
	for i := range c.p.UnsignedTx.TxIn {
		pin := &c.p.Inputs[i]
		spent := spentScript(c.p, i)
		note := func(fp uint32, path []uint32) {
			if c.wallet == nil || spent == nil || !c.ours(fp) {
				return
			}
			script, _, index, ok := c.wallet.ScriptAt(fp, path)
			if ok && bytes.Equal(script, spent) {
				indexes = append(indexes, index)
			}
		}
		for _, d := range pin.Bip32Derivation {
			note(d.MasterKeyFingerprint, d.Bip32Path)
		}
		for _, d := range pin.TaprootBip32Derivation {
			note(d.MasterKeyFingerprint, d.Bip32Path)
		}
	}
	slices.Sort(indexes)
	reach := uint64(ChangeIndexGap)
	for _, index := range indexes {
		if uint64(index) > reach {
			break
		}
		reach = max(reach, uint64(index)+ChangeIndexGap)
	}
	c.reach = uint32(min(reach, math.MaxUint32))
	return c.reach
}

// input analyses input i and checks that its UTXO data is complete and
// honest: the amount an input spends is only known from data the online side
// supplies, and lying about it is the classic way to make a signer pay a
// fee it never saw.
func (c *checker) input(i int, txIn *wire.TxIn) Input {
	if i == 0 && c.a.Reserves != nil {
		return c.commitmentInput(txIn)
	}
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
			c.refuseIn(i, CodeBadAmount, "the coin's amount %d sat is outside 0 … 21 million BTC", utxo.Value)
			in.HasAmount = false
		}
		if in.ScriptType == P2SH {
			// Nested segwit, as the redeem script (or the witness script
			// a P2SH-P2WSH multisig input carries) shows it.
			switch {
			case pin.RedeemScript != nil && txscript.IsPayToWitnessPubKeyHash(pin.RedeemScript):
				in.ScriptType = P2SHP2WPKH
			case pin.RedeemScript != nil && txscript.IsPayToWitnessScriptHash(pin.RedeemScript),
				pin.RedeemScript == nil && pin.WitnessScript != nil:
				in.ScriptType = P2SHP2WSH
			}
		}
		c.scripts(i, utxo.PkScript)
	}

	// Segwit v0 signatures commit to the amount of their own input only, so
	// a PSBT can lie about the amounts of two inputs in turn
	// (CVE-2020-14199), and legacy signatures commit to no amount at all.
	// Only the full previous transaction proves the amount; taproot
	// signatures commit to every input's amount and script (BIP341), so a
	// taproot coin may come with its witness_utxo alone.
	if ok && in.ScriptType != P2TR && pin.NonWitnessUtxo == nil {
		switch {
		case in.Finalized:
			c.refuseIn(i, CodeMissingNonWitnessUTXO, "is already signed but comes without its full previous transaction (non_witness_utxo): its amount, and so the fee, cannot be proven")
		case isWitness(utxo.PkScript) || in.ScriptType == P2SH || in.ScriptType == P2SHP2WPKH || in.ScriptType == P2SHP2WSH:
			c.refuseIn(i, CodeMissingNonWitnessUTXO, "segwit v0 input without its full previous transaction (non_witness_utxo): its amount cannot be proven (CVE-2020-14199 fee attack); prepare the PSBT again with a wallet that includes it")
		default:
			c.refuseIn(i, CodeMissingNonWitnessUTXO, "legacy (non-segwit) input without its full previous transaction (non_witness_utxo): its amount cannot be proven")
		}
	}
	c.sighash(i, pin.SighashType, in.ScriptType)
	c.annex(i, in.ScriptType)

	// Which derivations are ours, and is our key really in the coin's
	// script? A derivation is only a claim written by the online side.
	keyProblem := false
	for _, d := range pin.Bip32Derivation {
		path := FormatPath(d.MasterKeyFingerprint, d.Bip32Path)
		in.Paths = append(in.Paths, path)
		if !c.ours(d.MasterKeyFingerprint) {
			continue
		}
		if msg := coinTypeProblem(d.Bip32Path, c.net); msg != "" {
			c.refuseIn(i, CodeWrongNetwork, "our key's derivation %s %s", path, msg)
			keyProblem = true
		}
		if ok {
			if pays, checkable := ecdsaKeyPays(d.PubKey, utxo.PkScript, pin.RedeemScript, pin.WitnessScript); checkable && !pays {
				c.refuseIn(i, CodeKeyNotInScript, "names our key at %s, but that key is not in the script of the coin it spends", path)
				keyProblem = true
				continue
			}
		}
		in.Ours = true
	}
	for _, d := range pin.TaprootBip32Derivation {
		path := FormatPath(d.MasterKeyFingerprint, d.Bip32Path)
		in.Paths = append(in.Paths, path)
		if !c.ours(d.MasterKeyFingerprint) || len(d.LeafHashes) > 0 {
			continue
		}
		if msg := coinTypeProblem(d.Bip32Path, c.net); msg != "" {
			c.refuseIn(i, CodeWrongNetwork, "our key's derivation %s %s", path, msg)
			keyProblem = true
		}
		if ok && len(pin.TaprootMerkleRoot) == 0 && !c.tweaks.pays(d.XOnlyPubKey, utxo.PkScript) {
			c.refuseIn(i, CodeKeyNotInScript, "names our taproot key at %s, but the coin's output key is not the BIP86 tweak of it", path)
			keyProblem = true
			continue
		}
		in.Ours = true
	}
	if keyProblem {
		in.Ours = false
	}
	var spent []byte
	if ok {
		spent = utxo.PkScript
	}
	if in.Ours && !c.walletSpends(i, pin, spent) {
		in.Ours = false
	}
	switch {
	case in.Ours && in.ScriptType == P2TR && len(pin.TaprootMerkleRoot) > 0:
		// Sign refuses it once the key is rebuilt; nothing about it needs
		// the key, so the screen before the shares says so too.
		c.refuseIn(i, CodeTaprootScriptPath, "names our taproot key for a coin whose output commits to a script tree (its merkle root is given): someone holding a script of that tree can spend it too, and airsign signs only BIP86 key-path coins, which commit to none")
		in.Ours = false
	case in.ScriptType == P2TR && (len(pin.TaprootLeafScript) > 0 || len(pin.TaprootMerkleRoot) > 0):
		c.warnIn(i, CodeTaprootScriptPath, "carries a taproot script tree; airsign signs only the key path and will not sign script paths")
	}
	if ok && in.Ours && !in.Finalized && !signable(in.ScriptType, pin) {
		c.warnIn(i, CodeUnsupportedInput, "names our key, but airsign does not sign %s coins; it stays unsigned", in.ScriptType)
	}
	return in
}

// walletSpends checks an input that names our key against the operator's
// wallet, when it can name its keys (KeyWallet, an enrolled descriptor):
// at each derivation of ours the input names, the coin's script must be
// the wallet's address and the key the wallet's key.
// Otherwise the derivation is a claim the online side wrote under our
// fingerprint for someone else's key: counting the coin as ours would
// overstate what the transaction leaves us, and Sign would refuse it only
// once the key is rebuilt. A derivation outside the wallet (another
// account of ours) is not judged here.
func (c *checker) walletSpends(i int, pin *btcpsbt.PInput, spent []byte) bool {
	w, ok := c.wallet.(KeyWallet)
	if !ok {
		return true
	}
	check := func(fp uint32, path []uint32, claimed []byte) bool {
		if !c.ours(fp) {
			return true
		}
		key, found := w.KeyAt(fp, path)
		if !found || len(key) != 33 {
			return true // not a derivation of the wallet, or a wallet that names no keys
		}
		if len(claimed) == 32 {
			key = key[1:] // a taproot derivation names the x-only key
		}
		if !bytes.Equal(key, claimed) {
			c.refuseIn(i, CodeNotWalletCoin, "names our key at %s, but the key it gives is not our wallet's key there: the coin is someone else's, claimed under our fingerprint; prepare the PSBT again with this wallet's coins only", FormatPath(fp, path))
			return false
		}
		if script, _, _, found := w.ScriptAt(fp, path); found && spent != nil && !bytes.Equal(script, spent) {
			c.refuseIn(i, CodeNotWalletCoin, "names our key at %s, but the coin's script is not our wallet's address there: it is another script with our key in it (another multisig, another nesting or script type), not this wallet's coin; prepare the PSBT again with this wallet's coins only", FormatPath(fp, path))
			return false
		}
		return true
	}
	for _, d := range pin.Bip32Derivation {
		if !check(d.MasterKeyFingerprint, d.Bip32Path, d.PubKey) {
			return false
		}
	}
	for _, d := range pin.TaprootBip32Derivation {
		if len(d.LeafHashes) == 0 && !check(d.MasterKeyFingerprint, d.Bip32Path, d.XOnlyPubKey) {
			return false
		}
	}
	return true
}

// signable reports whether Sign can sign an input of this type.
func signable(t ScriptType, pin *btcpsbt.PInput) bool {
	switch t {
	case P2WPKH, P2SHP2WPKH, P2SHP2WSH, P2WSH, P2TR:
		return true
	case P2SH:
		// Nested segwit: P2SH-P2WPKH without its redeem script, or
		// P2SH-P2WSH with its witness script.
		return pin.RedeemScript == nil || len(pin.WitnessScript) > 0
	}
	return false
}

// spentScript returns the script input i spends when the PSBT states it
// consistently (a non_witness_utxo that hashes to the outpoint's txid, and
// a witness_utxo that agrees with it), else nil. It records no problem: it
// runs before the checks, which report what is wrong.
func spentScript(p *btcpsbt.Packet, i int) []byte {
	pin := &p.Inputs[i]
	op := p.UnsignedTx.TxIn[i].PreviousOutPoint
	var full []byte
	if pin.NonWitnessUtxo != nil {
		if pin.NonWitnessUtxo.TxHash() != op.Hash || int64(op.Index) >= int64(len(pin.NonWitnessUtxo.TxOut)) {
			return nil
		}
		full = pin.NonWitnessUtxo.TxOut[op.Index].PkScript
	}
	if pin.WitnessUtxo != nil {
		if full != nil && !bytes.Equal(full, pin.WitnessUtxo.PkScript) {
			return nil
		}
		return pin.WitnessUtxo.PkScript
	}
	return full
}

// utxo returns the output input i spends, checking that non_witness_utxo and
// witness_utxo agree with each other and with the outpoint.
func (c *checker) utxo(i int) (*wire.TxOut, bool) {
	pin := &c.p.Inputs[i]
	op := c.p.UnsignedTx.TxIn[i].PreviousOutPoint
	var fromFull *wire.TxOut
	if pin.NonWitnessUtxo != nil {
		if !c.prevOK[i] {
			c.refuseIn(i, CodeNonWitnessUTXOMismatch, "its previous transaction has txid %s, not %s as the input says", pin.NonWitnessUtxo.TxHash(), op.Hash)
			return nil, false
		}
		if int64(op.Index) >= int64(len(pin.NonWitnessUtxo.TxOut)) {
			c.refuseIn(i, CodeVoutOutOfRange, "spends output %d of a transaction that has only %d output(s)", op.Index, len(pin.NonWitnessUtxo.TxOut))
			return nil, false
		}
		fromFull = pin.NonWitnessUtxo.TxOut[op.Index]
	}
	if pin.WitnessUtxo != nil {
		if fromFull != nil && (fromFull.Value != pin.WitnessUtxo.Value || !bytes.Equal(fromFull.PkScript, pin.WitnessUtxo.PkScript)) {
			c.refuseIn(i, CodeWitnessUTXOMismatch, "witness_utxo (%s) disagrees with output %d of its previous transaction (%s)", FormatBTC(pin.WitnessUtxo.Value), op.Index, FormatBTC(fromFull.Value))
			return nil, false
		}
		if fromFull == nil {
			return pin.WitnessUtxo, true
		}
	}
	if fromFull != nil {
		return fromFull, true
	}
	c.refuseIn(i, CodeMissingUTXO, "carries no data about the coin it spends (neither non_witness_utxo nor witness_utxo); prepare the PSBT again")
	return nil, false
}

// utxoConflicts compares what different inputs say about the same coin. An
// input's full previous transaction also tells the amount of its other
// outputs, which another input may spend with only a witness_utxo: if the two
// disagree, one of them lies, and the fee shown would be wrong.
func (c *checker) utxoConflicts() {
	type claim struct {
		value  int64
		script []byte
		input  int
	}
	claims := map[wire.OutPoint]claim{}
	reported := map[wire.OutPoint]bool{}
	record := func(op wire.OutPoint, out *wire.TxOut, i int) {
		prev, ok := claims[op]
		if !ok {
			claims[op] = claim{out.Value, out.PkScript, i}
			return
		}
		if prev.input == i || reported[op] || (prev.value == out.Value && bytes.Equal(prev.script, out.PkScript)) {
			return
		}
		reported[op] = true
		c.refuseIn(i, CodeUTXOConflict, "its data says coin %s is worth %s, but input %d's data says %s: one of them lies about the amount", op, FormatBTC(out.Value), prev.input, FormatBTC(prev.value))
	}
	for i, txIn := range c.p.UnsignedTx.TxIn {
		pin := &c.p.Inputs[i]
		if pin.NonWitnessUtxo != nil && c.prevOK[i] {
			for j, out := range pin.NonWitnessUtxo.TxOut {
				record(wire.OutPoint{Hash: txIn.PreviousOutPoint.Hash, Index: uint32(j)}, out, i)
			}
		}
		if pin.WitnessUtxo != nil {
			record(txIn.PreviousOutPoint, pin.WitnessUtxo, i)
		}
	}
}

// scripts checks that the redeem and witness scripts an input carries are
// the ones its coin commits to, and that a witness_utxo is given only for a
// segwit coin (the BIP174 signer checks).
func (c *checker) scripts(i int, pkScript []byte) {
	pin := &c.p.Inputs[i]
	if pin.RedeemScript != nil {
		if !txscript.IsPayToScriptHash(pkScript) || !bytes.Equal(pkScript, p2shScript(pin.RedeemScript)) {
			c.refuseIn(i, CodeRedeemScriptMismatch, "its redeem script does not hash to the script of the coin it spends")
			return
		}
	}
	if pin.WitnessScript != nil {
		wsh := p2wshScript(pin.WitnessScript)
		if !bytes.Equal(pkScript, wsh) && !bytes.Equal(pin.RedeemScript, wsh) {
			c.refuseIn(i, CodeWitnessScriptMismatch, "its witness script does not hash to the coin's script or its redeem script")
			return
		}
	}
	if pin.WitnessUtxo != nil && !isWitness(pkScript) {
		nested := txscript.IsPayToScriptHash(pkScript) && (pin.RedeemScript == nil || isWitness(pin.RedeemScript))
		if !nested {
			c.refuseIn(i, CodeWitnessUTXONonWitness, "carries a witness_utxo but spends a non-segwit coin")
		}
	}
}

// sighash checks the sighash type the PSBT asks for. Anything but ALL (or
// DEFAULT for taproot) lets someone change parts of the transaction after we
// sign; it is refused unless the operator allows it (Policy.AllowSighash).
// An undefined type, or SINGLE without its output, is refused always.
func (c *checker) sighash(i int, st txscript.SigHashType, t ScriptType) {
	if st == 0 {
		return
	}
	if !definedSighash(st, t == P2TR) {
		c.refuseIn(i, CodeSighashInvalid, "asks for sighash type 0x%x, which is not defined for this kind of input", uint32(st))
		return
	}
	if st != txscript.SigHashAll {
		c.refuseIn(i, CodeSighash, "asks for sighash %s%s; airsign signs only SIGHASH_ALL (or DEFAULT for taproot) unless --allow-sighash is given", sighashName(st), sighashLeaves(st, i))
	}
	if st&^txscript.SigHashAnyOneCanPay == txscript.SigHashSingle && i >= len(c.p.UnsignedTx.TxOut) {
		c.refuseIn(i, CodeSighashSingleNoOutput, "asks for SIGHASH_SINGLE but there is no output %d to commit to", i)
	}
}

// sighashLeaves says what a signature of type st on input i leaves open to
// whoever holds it afterwards, in the words of the screen: with NONE or
// SINGLE the outputs shown (change and "Leaves us" included) are not what
// the signature commits to.
func sighashLeaves(st txscript.SigHashType, i int) string {
	var open []string
	switch st &^ txscript.SigHashAnyOneCanPay {
	case txscript.SigHashNone:
		open = append(open, "every output (the change shown and what it leaves us are not signed)")
	case txscript.SigHashSingle:
		open = append(open, fmt.Sprintf("every output but output %d (the change shown and what it leaves us are not signed)", i))
	}
	if st&txscript.SigHashAnyOneCanPay != 0 {
		open = append(open, "the other inputs")
	}
	if len(open) == 0 {
		return ""
	}
	return ", which lets whoever holds the signed PSBT change " + strings.Join(open, " and ")
}

// definedSighash reports whether st is a sighash type consensus defines for
// the input (BIP341 for taproot, the legacy ALL/NONE/SINGLE[|ANYONECANPAY]
// otherwise).
func definedSighash(st txscript.SigHashType, taproot bool) bool {
	if taproot && st == txscript.SigHashDefault {
		return true
	}
	base := st &^ txscript.SigHashAnyOneCanPay
	return st <= 0xff && base >= txscript.SigHashAll && base <= txscript.SigHashSingle
}

// annex refuses a taproot input whose final witness carries an annex
// (BIP341: a last witness item starting with 0x50). The annex is reserved
// for future soft forks; nodes do not relay it, and airsign never writes one.
// A PSBT has no field announcing an annex before finalization, so only a
// final witness can be checked.
func (c *checker) annex(i int, t ScriptType) {
	w := c.p.Inputs[i].FinalScriptWitness
	if len(w) == 0 {
		return
	}
	wit, err := parseWitness(w)
	if err != nil {
		c.refuseIn(i, CodeMalformedField, "its final witness is malformed")
		return
	}
	if t == P2TR && len(wit) >= 2 {
		if last := wit[len(wit)-1]; len(last) > 0 && last[0] == txscript.TaprootAnnexTag {
			c.refuseIn(i, CodeAnnex, "its final witness carries a taproot annex (%d bytes); airsign does not sign transactions with an annex", len(last))
		}
	}
}

// output analyses output i and decides whether it is provably our change.
func (c *checker) output(i int, txOut *wire.TxOut, wallet Wallet) Output {
	pout := &c.p.Outputs[i]
	out := Output{Index: i, Amount: txOut.Value, Script: fmt.Sprintf("%x", txOut.PkScript)}
	out.ScriptType, out.Address = classify(txOut.PkScript, c.net)
	if txOut.Value < 0 || txOut.Value > btcutil.MaxSatoshi {
		c.refuseOut(i, CodeBadAmount, "amount %d sat is outside 0 … 21 million BTC", txOut.Value)
	}
	if out.ScriptType == OpReturn && txOut.Value > 0 {
		c.refuseOut(i, CodeOPReturnValue, "is an OP_RETURN data output carrying %s, which would be burned", FormatBTC(txOut.Value))
	}
	if what, addr, ok := anyoneCanSpend(txOut.PkScript, c.net); ok {
		out.Address = addr
		if txOut.Value > 0 {
			c.refuseOut(i, CodeAnyoneCanSpend, "pays %s to %s, which anyone can take without a key: the money would be lost", FormatBTC(txOut.Value), what)
		}
	} else if out.ScriptType == Unknown {
		c.warnOut(i, CodeUnknownScript, "pays to a non-standard script %x that no address represents", txOut.PkScript)
	}

	type claim struct {
		fp      uint32
		path    []uint32
		key     []byte
		taproot bool
	}
	var claims []claim
	for _, d := range pout.Bip32Derivation {
		claims = append(claims, claim{d.MasterKeyFingerprint, d.Bip32Path, d.PubKey, false})
	}
	for _, d := range pout.TaprootBip32Derivation {
		if len(d.LeafHashes) == 0 {
			claims = append(claims, claim{d.MasterKeyFingerprint, d.Bip32Path, d.XOnlyPubKey, true})
		}
	}
	for _, cl := range claims {
		if c.fingerprint != 0 && cl.fp != c.fingerprint {
			continue // another cosigner's key
		}
		out.Claimed = c.fingerprint != 0
		path := FormatPath(cl.fp, cl.path)
		if c.fingerprint == 0 {
			c.warnOut(i, CodeChangeUnverified, "claims to be ours at %s, but without our key or descriptor it cannot be verified; it is treated as external", path)
			return out
		}
		if msg := coinTypeProblem(cl.path, c.net); msg != "" {
			c.refuseOut(i, CodeWrongNetwork, "claims to be our change at %s, which %s", path, msg)
			return out
		}
		if msg := changePathProblem(cl.path); msg != "" {
			c.refuseOut(i, CodeChangePath, "claims to be our change at %s, which %s; a change output there could not be found again", path, msg)
			return out
		}
		if want := purposeScript(cl.path); want != "" && want != out.ScriptType {
			c.refuseOut(i, CodeChangePath, "claims to be our change at %s, but pays a %s script where that path's purpose has %s addresses: a wallet restored from the seed looks there for %s only, so it would not be found", path, out.ScriptType, want, want)
			return out
		}
		if cl.taproot {
			if len(pout.TaprootInternalKey) > 0 && !bytes.Equal(pout.TaprootInternalKey, cl.key) {
				c.refuseOut(i, CodeTaprootTweak, "claims to be our taproot change at %s, but its internal key is not the key of that derivation", path)
				return out
			}
			if !c.tweaks.pays(cl.key, txOut.PkScript) {
				c.refuseOut(i, CodeTaprootTweak, "claims to be our taproot change at %s, but its output key is not the BIP86 tweak of our key there: it may commit to a script someone else controls", path)
				return out
			}
		} else if pays, checkable := ecdsaKeyPays(cl.key, txOut.PkScript, pout.RedeemScript, pout.WitnessScript); checkable && !pays {
			c.refuseOut(i, CodeKeyNotInScript, "claims to be our change at %s, but the key of that derivation is not in its script: the output pays someone else", path)
			return out
		}
		if wallet == nil {
			c.warnOut(i, CodeChangeUnverified, "claims to be ours at %s, but without our descriptor it cannot be verified; it is treated as external", path)
			return out
		}
		script, branch, index, ok := wallet.ScriptAt(cl.fp, cl.path)
		if !ok {
			// Our key, but not the wallet being spent (see ChangeWallet):
			// another account, script type or a single key of a multisig.
			c.warnOut(i, CodeChangeOutsideWallet, "names our key at %s, outside the wallet this transaction spends from: it is not change and is counted as EXTERNAL", path)
			return out
		}
		if !bytes.Equal(script, txOut.PkScript) {
			c.refuseOut(i, CodeFakeChange, "claims to be our change at %s, but our wallet's script there is different: the output pays someone else or leaves the wallet", path)
			return out
		}
		if index > ChangeIndexGap && index > c.changeReach() {
			c.refuseOut(i, CodeChangeIndexFar, "claims to be our change at %s, address index %d, beyond %d, the furthest a restored wallet is shown to reach by this transaction's inputs (each within %d of the last, from %d): a restored wallet would not find it; prepare it again with change at a lower index", path, index, c.reach, ChangeIndexGap, ChangeIndexGap)
			return out
		}
		out.Change, out.Path, out.Verified = true, path, true
		if branch != 1 {
			c.warnOut(i, CodeChangeToReceive, "returns to our receive address at %s rather than a change address", path)
		}
		return out
	}
	return out
}

// purposeDepth is the depth of an address path under the BIP44-family
// purposes airsign knows (BIP44, 49, 84, 86 and BIP48 multisig).
var purposeDepth = map[uint32]int{44: 5, 49: 5, 84: 5, 86: 5, 48: 6}

// coinTypeProblem checks the coin type step of a BIP44-family path against
// the network (0h mainnet, 1h test networks): a key derived for another
// network signs transactions that are valid there too. Paths of other shapes
// are left to the wallet's pattern.
func coinTypeProblem(path []uint32, net *chaincfg.Params) string {
	const h = hdkeychain.HardenedKeyStart
	if net == nil || len(path) < 2 || path[0] < h {
		return ""
	}
	if _, ok := purposeDepth[path[0]-h]; !ok {
		return ""
	}
	if want := net.HDCoinType + h; path[1] != want {
		return fmt.Sprintf("uses coin type %s, not %dh as keys for %s do", formatStep(path[1]), net.HDCoinType, net.Name)
	}
	return ""
}

// purposeScript is the output script type a standard path's purpose gives
// its addresses (BIP44 P2PKH, BIP49 P2SH-P2WPKH, BIP84 P2WPKH, BIP86
// P2TR, BIP48 script type 1h P2SH-P2WSH and 2h P2WSH), "" for any other
// path. Change is found again only where a restoring wallet looks.
func purposeScript(path []uint32) ScriptType {
	const h = hdkeychain.HardenedKeyStart
	if len(path) < 2 || path[0] < h || len(path) != purposeDepth[path[0]-h] {
		return ""
	}
	switch path[0] - h {
	case 44:
		return P2PKH
	case 49:
		return P2SH
	case 84:
		return P2WPKH
	case 86:
		return P2TR
	case 48:
		switch path[3] {
		case 1 + h:
			return P2SH
		case 2 + h:
			return P2WSH
		}
	}
	return ""
}

// changePathProblem checks the shape of a change derivation: it must end in
// an unhardened branch (0 or 1) and index, and under a BIP44-family purpose
// have that purpose's depth with hardened account steps.
func changePathProblem(path []uint32) string {
	const h = hdkeychain.HardenedKeyStart
	n := len(path)
	if n < 2 {
		return fmt.Sprintf("has %d step(s), too few for a wallet address (…/branch/index)", n)
	}
	branch, index := path[n-2], path[n-1]
	if branch >= h || index >= h {
		return "ends in hardened steps where a wallet address has unhardened /branch/index"
	}
	if branch > 1 {
		return fmt.Sprintf("has branch %d where wallets use 0 (receive) or 1 (change)", branch)
	}
	if path[0] >= h {
		if depth, ok := purposeDepth[path[0]-h]; ok {
			if n != depth {
				return fmt.Sprintf("has %d steps where a BIP%d address has %d", n, path[0]-h, depth)
			}
			for _, step := range path[:n-2] {
				if step < h {
					return "has an unhardened step where the account path must be hardened"
				}
			}
		}
	}
	return ""
}

func formatStep(s uint32) string {
	if s >= hdkeychain.HardenedKeyStart {
		return strconv.FormatUint(uint64(s-hdkeychain.HardenedKeyStart), 10) + "h"
	}
	return strconv.FormatUint(uint64(s), 10)
}

// ecdsaKeyPays reports whether pub is a key of pkScript, looking through the
// redeem and witness scripts where given. checkable is false when the script
// hides its keys behind a hash whose preimage is not in the PSBT.
func ecdsaKeyPays(pub, pkScript, redeem, witness []byte) (pays, checkable bool) {
	inWitness := func(outer []byte) (bool, bool) {
		if witness == nil {
			return false, false
		}
		return bytes.Equal(outer, p2wshScript(witness)) && scriptHasKey(witness, pub), true
	}
	switch {
	case txscript.IsPayToWitnessPubKeyHash(pkScript):
		return bytes.Equal(pkScript, p2wpkhScript(pub)), true
	case txscript.IsPayToPubKeyHash(pkScript):
		return bytes.Equal(pkScript, p2pkhScript(pub)), true
	case txscript.IsPayToWitnessScriptHash(pkScript):
		return inWitness(pkScript)
	case txscript.IsPayToScriptHash(pkScript):
		if redeem == nil {
			if bytes.Equal(pkScript, p2shScript(p2wpkhScript(pub))) {
				return true, true
			}
			return false, witness == nil
		}
		if !bytes.Equal(pkScript, p2shScript(redeem)) {
			return false, true
		}
		switch {
		case txscript.IsPayToWitnessPubKeyHash(redeem):
			return bytes.Equal(redeem, p2wpkhScript(pub)), true
		case txscript.IsPayToWitnessScriptHash(redeem):
			return inWitness(redeem)
		}
		return scriptHasKey(redeem, pub), true
	case txscript.IsPayToTaproot(pkScript):
		return false, true
	}
	return scriptHasKey(pkScript, pub), true
}

func isWitness(script []byte) bool { return txscript.IsWitnessProgram(script) }

// locktime warns about a locktime the operator may not expect: one that
// has no effect because every input is final (which also turns off RBF),
// a time-based one, and a height more than a year past any chain's tip.
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
		c.warnTx(CodeLocktimeDisabled, "sets locktime %d, but every input's nSequence is 0xffffffff, which turns the locktime off (and RBF with it)", lt)
		return
	}
	if lt >= txscript.LockTimeThreshold {
		c.warnTx(CodeLocktime, "cannot be mined before Unix time %d", lt)
		return
	}
	if tip := likelyTip(c.net, time.Now()); int64(lt) > tip+blocksPerYear {
		c.warnTx(CodeLocktimeFar, "cannot be mined before block %d, more than a year (%d blocks) after this network's likely height of at most %d: the coins would be stuck until then", lt, blocksPerYear, tip)
	}
}

// blocksPerYear is a year of blocks at one per ten minutes.
const blocksPerYear = 52_560

// likelyTip is a generous upper bound of the chain's height now, without a
// node: on mainnet the height of block 840,000 (2024-04-20) plus a block per
// ten minutes since; the test networks (testnet3 is past 4 million) are given
// 10 million. It only decides a warning, so the offline clock is good enough.
func likelyTip(net *chaincfg.Params, now time.Time) int64 {
	if net == nil || net.Net != chaincfg.MainNetParams.Net {
		return 10_000_000
	}
	since := now.Unix() - 1713571767
	return 840_000 + max(since, 0)/600 + blocksPerYear/12
}

// relativeLocks warns about an input whose coin's script demands a
// relative lock (OP_CHECKSEQUENCEVERIFY) while the transaction turns
// relative locks off for it (version 1, or nSequence bit 31): such a spend
// can never be mined.
func (c *checker) relativeLocks() {
	tx := c.p.UnsignedTx
	for i, in := range tx.TxIn {
		pin := &c.p.Inputs[i]
		if !hasOp(pin.WitnessScript, txscript.OP_CHECKSEQUENCEVERIFY) && !hasOp(pin.RedeemScript, txscript.OP_CHECKSEQUENCEVERIFY) {
			continue
		}
		switch {
		case tx.Version < 2:
			c.warnIn(i, CodeSequenceDisablesCSV, "spends a coin whose script needs a relative lock (OP_CHECKSEQUENCEVERIFY), but the transaction's version %d turns relative locks off: it can never be mined", tx.Version)
		case in.Sequence&wire.SequenceLockTimeDisabled != 0:
			c.warnIn(i, CodeSequenceDisablesCSV, "spends a coin whose script needs a relative lock (OP_CHECKSEQUENCEVERIFY), but its nSequence 0x%08x turns relative locks off (and RBF with it): it can never be mined", in.Sequence)
		}
	}
}

// hasOp reports whether script holds the opcode (as an opcode, not data).
func hasOp(script []byte, op byte) bool {
	if len(script) == 0 {
		return false
	}
	tok := txscript.MakeScriptTokenizer(0, script)
	for tok.Next() {
		if tok.Opcode() == op {
			return true
		}
	}
	return false
}

// Standardness limits (Bitcoin Core's policy and consensus): a transaction
// above MaxStandardWeight is not relayed by nodes, one above
// MaxConsensusWeight can never be in a block.
const (
	MaxStandardWeight  = 400_000
	MaxConsensusWeight = 4_000_000
)

// standardness refuses a transaction no block can hold and warns about one
// nodes will not relay, and about dust outputs (worth less than it costs to
// spend them at Bitcoin Core's dust relay fee of 3 sat/vB), which nodes do
// not relay either and a wallet cannot spend at a profit.
func (c *checker) standardness(vsize int64) {
	switch weight := vsize * 4; {
	case weight > MaxConsensusWeight:
		c.refuseTx(CodeWeightConsensus, "weighs about %d WU, more than the %d WU a block can hold: it can never be mined", weight, MaxConsensusWeight)
	case weight > MaxStandardWeight:
		c.warnTx(CodeWeightNonstandard, "weighs about %d WU (%d vB), more than the %d WU (100 kvB) nodes relay: it would need a miner's help to be mined", weight, vsize, MaxStandardWeight)
	}
	var dust []string
	first := -1
	for i, out := range c.p.UnsignedTx.TxOut {
		if limit := DustLimit(out.PkScript); limit > 0 && out.Value >= 0 && out.Value < limit {
			if first < 0 {
				first = i
			}
			dust = append(dust, fmt.Sprintf("#%d", i))
			if len(dust) <= maxDustWarnings {
				t, _ := classify(out.PkScript, c.net)
				c.warnOut(i, CodeDust, "pays %d sat, below the dust limit of %d sat for a %s output: nodes do not relay it, and it costs more to spend than it holds", out.Value, limit, t)
			}
		}
	}
	if len(dust) > maxDustWarnings {
		c.warnTx(CodeDust, "%d outputs are below the dust limit (%s …): nodes do not relay the transaction", len(dust), strings.Join(dust[:maxDustWarnings], ", "))
	}
}

// MinRelayFeeRate (sat/vB) is the fee rate below which most nodes do not
// relay a transaction (Bitcoin Core's default minrelaytxfee until 29.1).
const MinRelayFeeRate = 1

// maxDustWarnings is how many dust outputs are named one by one; beyond,
// one line counts them, so thousands of dust outputs do not bury the screen.
const maxDustWarnings = 5

// DustLimit is the least amount (sat) a standard output of this script may
// carry: three times what spending it adds at 1 sat/vB (Bitcoin Core's
// GetDustThreshold with its 3 sat/vB dust relay fee), e.g. 546 for P2PKH,
// 540 for P2SH, 294 for P2WPKH, 330 for P2WSH and P2TR. 0 for a data output
// (OP_RETURN), which carries nothing.
func DustLimit(pkScript []byte) int64 {
	if len(pkScript) > 0 && pkScript[0] == txscript.OP_RETURN {
		return 0
	}
	size := int64(8 + wire.VarIntSerializeSize(uint64(len(pkScript))) + len(pkScript))
	if txscript.IsWitnessProgram(pkScript) {
		size += 32 + 4 + 1 + 107/4 + 4
	} else {
		size += 32 + 4 + 1 + 107 + 4
	}
	return 3 * size
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

// anyoneCanSpend recognises output scripts that today's consensus rules let
// anyone spend without a key or a secret, says what they are and gives
// their address where they have one: an empty script, a bare OP_TRUE,
// pay-to-anchor (P2A), a segwit v1 program of another length than
// taproot's, and segwit versions 2 to 16, which no soft fork has given a
// meaning yet. A payment there is a gift to whoever sees it first.
func anyoneCanSpend(script []byte, net *chaincfg.Params) (what, address string, ok bool) {
	switch {
	case len(script) == 0:
		return "an empty script", "", true
	case len(script) == 1 && script[0] == txscript.OP_TRUE:
		return "a bare OP_TRUE script", "", true
	}
	version, program, err := txscript.ExtractWitnessProgramInfo(script)
	if err != nil || version == 0 || version == 1 && len(program) == 32 {
		return "", "", false
	}
	if net != nil {
		if data, err := bech32.ConvertBits(program, 8, 5, true); err == nil {
			address, _ = bech32.EncodeM(net.Bech32HRPSegwit, append([]byte{byte(version)}, data...))
		}
	}
	if version == 1 && bytes.Equal(program, []byte{0x4e, 0x73}) {
		return "a pay-to-anchor (P2A) output", address, true
	}
	return fmt.Sprintf("a segwit version %d output, which no rule protects yet", version), address, true
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
