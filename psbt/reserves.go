package psbt

// BIP127 proof of reserves: a transaction that spends every coin of the
// wallet to one output of their total, made unspendable by a first input that
// spends a coin which cannot exist (its txid is the SHA-256 of the message).
// Signing it proves the key can spend the coins without moving them; that is
// what turns a recovery drill into "restored from paper and produced valid
// signatures over our real coins".
//
// The layout follows BIP127: the commitment txid is SHA-256("Proof-of-
// Reserves: " + message) taken as the txid's internal bytes, index 0, sequence
// 0xffffffff, an empty scriptSig and witness; the commitment input's
// witness_utxo is {0, OP_TRUE} (so taproot sighashes, which commit to every
// spent output, can be computed); the single output pays P2PKH(HASH160(0x00))
// (bdk-reserves' unspendable output) the exact sum of the coins; every
// signature is SIGHASH_ALL; the PSBT carries the message in
// PSBT_IN_POR_COMMITMENT (0x09) on input 0.
//
// Other tools derive the commitment differently (ReservesFormat):
// bdk-reserves hashes the prefixed message twice (SHA-256d), ElementsProject's
// reserves hashes its challenge alone. A proof is made in one of the three
// (BIP127 unless asked) and a proof in any of them is recognised, checked and
// verified, saying which (CheckSigning says why ElementsProject's refuses a
// 32-byte message); `make interop` checks our proofs with an independent
// BIP127 verifier (scripts/interop/bip127_verify.mjs) and psbt's tests verify
// a proof bdk-reserves signed in its own test suite.

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcutil"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// ReservesPrefix is what BIP127 puts before the message it hashes.
const ReservesPrefix = "Proof-of-Reserves: "

// porCommitmentType is BIP127's PSBT_IN_POR_COMMITMENT input field.
const porCommitmentType = 0x09

// MaxReservesMessage bounds the message: it is shown on the offline screen
// and written into logs, and a proof's challenge is a sentence, not a file.
const MaxReservesMessage = 512

// Reserves is what a proof-of-reserves PSBT claims, as the operator sees it.
type Reserves struct {
	Message string `json:"message"`
	// Coins is the number of coins proven (inputs after the commitment).
	Coins int `json:"coins"`
	// Total is the sum of the coins' amounts, when all are known.
	Total int64 `json:"total_sat"`
	// Format is how the commitment input is derived from the message
	// ("" when it commits to the message in none of them).
	Format ReservesFormat `json:"format,omitempty"`
}

// ReservesFormat is how a proof's commitment input is derived from its
// message. The tools that verify proofs disagree on it, so a proof meant for
// one of them must be made in its format.
type ReservesFormat string

const (
	// ReservesBIP127 is BIP127's: SHA-256("Proof-of-Reserves: " + message).
	ReservesBIP127 ReservesFormat = "bip127"
	// ReservesBDK is bdk-reserves': SHA-256d("Proof-of-Reserves: " + message).
	ReservesBDK ReservesFormat = "bdk"
	// ReservesElements is ElementsProject's reserves: SHA-256(message), the
	// challenge hashed as given.
	ReservesElements ReservesFormat = "elements"
)

// ReservesFormats lists the formats, BIP127 (the default) first.
var ReservesFormats = []ReservesFormat{ReservesBIP127, ReservesBDK, ReservesElements}

// ParseReservesFormat reads a format name as the command line gives it.
func ParseReservesFormat(s string) (ReservesFormat, error) {
	switch f := ReservesFormat(strings.ToLower(strings.TrimSpace(s))); f {
	case "", ReservesBIP127:
		return ReservesBIP127, nil
	case ReservesBDK, "bdk-reserves":
		return ReservesBDK, nil
	case ReservesElements, "elementsproject":
		return ReservesElements, nil
	}
	return "", fmt.Errorf("%q is not a proof-of-reserves format; use bip127 (the standard), bdk (for bdk-reserves) or elements (for ElementsProject's reserves)", s)
}

// Name is the format's short name for the proof's headline on the screen.
func (f ReservesFormat) Name() string {
	switch f {
	case ReservesBDK:
		return "bdk-reserves format"
	case ReservesElements:
		return "ElementsProject format"
	}
	return "BIP127"
}

// Describe names the format and its hash for the screen and reports.
func (f ReservesFormat) Describe() string {
	switch f {
	case ReservesBDK:
		return "bdk-reserves (SHA-256d of \"" + ReservesPrefix + "\" + message)"
	case ReservesElements:
		return "ElementsProject reserves (SHA-256 of the message alone)"
	}
	return "BIP127 (SHA-256 of \"" + ReservesPrefix + "\" + message)"
}

// Commitment is the txid of the commitment input for message in format f.
func (f ReservesFormat) Commitment(message string) chainhash.Hash {
	switch f {
	case ReservesBDK:
		return chainhash.DoubleHashH([]byte(ReservesPrefix + message))
	case ReservesElements:
		return chainhash.Hash(sha256.Sum256([]byte(message)))
	}
	return chainhash.Hash(sha256.Sum256([]byte(ReservesPrefix + message)))
}

// ReservesCommitment is the txid of BIP127's commitment input for message.
func ReservesCommitment(message string) chainhash.Hash {
	return ReservesBIP127.Commitment(message)
}

// CheckSigning refuses a message that would let a proof in format f spend a
// real coin. ElementsProject's commitment is SHA-256(message), and a txid is
// SHA-256(SHA-256(transaction)): a 32-byte message can be the inner hash of a
// real transaction (printable ones can be ground for), whose output 0 would
// then be the "commitment input", and the signatures over our coins a valid
// spend of them all to the unspendable output. A message of any other length
// cannot be (that would be a SHA-256 collision). BIP127's prefix, and the
// NUL bytes every transaction holds for bdk's format, rule the same out for
// the other two.
func (f ReservesFormat) CheckSigning(message string) error {
	if f == ReservesElements && len(message) == sha256.Size {
		return fmt.Errorf("a %d-byte message in ElementsProject's format could be the hash of a real transaction, making the proof a real spend of every coin; use a message of another length", sha256.Size)
	}
	return nil
}

// MatchReservesFormat says in which format op commits to message, if any.
func MatchReservesFormat(op wire.OutPoint, message string) (ReservesFormat, bool) {
	if op.Index != 0 {
		return "", false
	}
	for _, f := range ReservesFormats {
		if op.Hash == f.Commitment(message) {
			return f, true
		}
	}
	return "", false
}

// ReservesOutputScript is the script of the proof's single output:
// P2PKH(HASH160(0x00)), the unspendable output bdk-reserves writes and
// requires.
func ReservesOutputScript() []byte {
	return p2pkhScript([]byte{0})
}

// CheckReservesMessage refuses a message a witness could not read on the
// offline screen or that a terminal would interpret.
func CheckReservesMessage(message string) error {
	switch {
	case message == "":
		return errors.New("the proof-of-reserves message is empty; give one with the date and the auditor's challenge")
	case len(message) > MaxReservesMessage:
		return fmt.Errorf("the proof-of-reserves message is %d bytes; at most %d are allowed", len(message), MaxReservesMessage)
	case !utf8.ValidString(message):
		return errors.New("the proof-of-reserves message is not valid UTF-8")
	}
	for _, r := range message {
		if unicode.IsControl(r) {
			return fmt.Errorf("the proof-of-reserves message holds the control character %U; use plain text on one line", r)
		}
	}
	return nil
}

// BuildReserves builds the unsigned proof over coins (at least one),
// committing to message in format f (BIP127 unless a verifier needs
// another). The coins carry their previous transactions and key origins
// exactly as for a payment, so the offline signer checks them the same way.
func BuildReserves(f ReservesFormat, message string, coins []InputSpec) (*Packet, error) {
	if !slices.Contains(ReservesFormats, f) {
		return nil, fmt.Errorf("unknown proof-of-reserves format %q", f)
	}
	if err := CheckReservesMessage(message); err != nil {
		return nil, err
	}
	if err := f.CheckSigning(message); err != nil {
		return nil, err
	}
	if len(coins) == 0 {
		return nil, errors.New("a proof of reserves needs at least one coin; the wallet has none")
	}
	var total int64
	for i, c := range coins {
		if c.PrevTx == nil || int(c.Vout) >= len(c.PrevTx.TxOut) {
			return nil, fmt.Errorf("coin %d: its previous transaction is missing or has no output %d", i, c.Vout)
		}
		total += c.PrevTx.TxOut[c.Vout].Value
		coins[i].Sequence = wire.MaxTxInSequenceNum
	}
	p, err := Build(1, 0, coins, []OutputSpec{{PkScript: ReservesOutputScript(), Amount: total}})
	if err != nil {
		return nil, err
	}
	commit := wire.NewTxIn(wire.NewOutPoint(ptrHash(f.Commitment(message)), 0), nil, nil)
	commit.Sequence = wire.MaxTxInSequenceNum
	tx := p.p.UnsignedTx
	tx.TxIn = append([]*wire.TxIn{commit}, tx.TxIn...)
	p.p.Inputs = append([]btcpsbt.PInput{{
		WitnessUtxo: wire.NewTxOut(0, []byte{txscript.OP_TRUE}),
		Unknowns:    []*btcpsbt.Unknown{{Key: []byte{porCommitmentType}, Value: []byte(message)}},
	}}, p.p.Inputs...)
	return p, nil
}

// reservesMessage returns the message of input 0's PSBT_IN_POR_COMMITMENT,
// if the field is there.
func reservesMessage(p *btcpsbt.Packet) (string, bool) {
	if len(p.Inputs) == 0 {
		return "", false
	}
	for _, u := range p.Inputs[0].Unknowns {
		if len(u.Key) == 1 && u.Key[0] == porCommitmentType {
			return string(u.Value), true
		}
	}
	return "", false
}

// SetReservesMessage marks p as a proof of reserves for message, for a proof
// made by a tool that does not write BIP127's PSBT_IN_POR_COMMITMENT field
// (bdk-reserves): input 0 must already commit to message in one of the
// formats, so nothing is claimed that the transaction does not say.
func (p *Packet) SetReservesMessage(message string) error {
	if err := CheckReservesMessage(message); err != nil {
		return err
	}
	tx := p.p.UnsignedTx
	if len(tx.TxIn) < 2 || len(p.p.Inputs) != len(tx.TxIn) {
		return errors.New("this PSBT has no commitment input followed by coins; it is not a proof of reserves")
	}
	if _, ok := MatchReservesFormat(tx.TxIn[0].PreviousOutPoint, message); !ok {
		return fmt.Errorf("input 0 does not commit to the message %q in any known format (BIP127, bdk-reserves, ElementsProject); this PSBT is not a proof for that message", message)
	}
	if msg, ok := reservesMessage(p.p); ok {
		if msg != message {
			return fmt.Errorf("the proof commits to %q, not to %q", msg, message)
		}
		return nil
	}
	in := &p.p.Inputs[0]
	in.Unknowns = append(in.Unknowns, &btcpsbt.Unknown{Key: []byte{porCommitmentType}, Value: []byte(message)})
	return nil
}

// IsReserves reports whether p claims to be a proof of reserves (its first
// input carries a BIP127 commitment). Whether the claim holds is for the
// analysis to say.
func (p *Packet) IsReserves() bool {
	_, ok := reservesMessage(p.p)
	return ok
}

// ReservesMessage is the message a proof of reserves commits to ("" if p is
// not one).
func (p *Packet) ReservesMessage() string {
	msg, _ := reservesMessage(p.p)
	return msg
}

// reserves checks a PSBT that claims to be a proof of reserves and fills
// a.Reserves. Every rule is what keeps the signatures from ever moving a coin:
// they must commit to the commitment input (SIGHASH_ALL), that input must be
// the hash of the message shown, and the proof must pay nothing to anyone.
func (c *checker) reserves(msg string) {
	tx := c.p.UnsignedTx
	r := &Reserves{Message: msg, Coins: len(tx.TxIn) - 1}
	c.a.Reserves = r
	if err := CheckReservesMessage(msg); err != nil {
		c.refuseIn(0, CodeReservesMessage, "%v", err)
		r.Message = strings.ToValidUTF8(msg, "?")
	}
	if f, ok := MatchReservesFormat(tx.TxIn[0].PreviousOutPoint, msg); ok {
		r.Format = f
		if err := f.CheckSigning(msg); err != nil {
			c.refuseIn(0, CodeReservesCommitment, "%v", err)
		}
	} else {
		c.refuseIn(0, CodeReservesCommitment, "the proof-of-reserves input does not commit to the message shown (it must spend SHA-256(%q + message):0, or the hash bdk-reserves or ElementsProject's reserves make of it); this is not the proof that was asked for", ReservesPrefix)
	}
	if pin := &c.p.Inputs[0]; pin.NonWitnessUtxo != nil || (pin.WitnessUtxo != nil &&
		(pin.WitnessUtxo.Value != 0 || !bytes.Equal(pin.WitnessUtxo.PkScript, []byte{txscript.OP_TRUE}))) {
		c.refuseIn(0, CodeReservesCommitment, "the proof-of-reserves input claims a real coin; BIP127's commitment input has none (value 0, OP_TRUE)")
	}
	if len(tx.TxIn) < 2 {
		c.refuseTx(CodeReservesEmpty, "the proof of reserves proves no coin: it has only the commitment input")
	}
	for i := 1; i < len(c.p.Inputs); i++ {
		if _, ok := reservesMessage(&btcpsbt.Packet{Inputs: c.p.Inputs[i : i+1]}); ok {
			c.refuseIn(i, CodeReservesCommitment, "a second proof-of-reserves commitment; only input 0 may carry one")
		}
		st := c.p.Inputs[i].SighashType
		if st != 0 && st != txscript.SigHashAll {
			c.refuseIn(i, CodeReservesSighash, "asks for the %s signature hash; a proof of reserves is signed with SIGHASH_ALL only, so no signature can be reused without the commitment", sighashName(st))
		}
	}
	if len(tx.TxOut) != 1 {
		c.refuseTx(CodeReservesOutputs, "a proof of reserves has exactly one output; this one has %d", len(tx.TxOut))
	} else if !bytes.Equal(tx.TxOut[0].PkScript, ReservesOutputScript()) {
		c.refuseOut(0, CodeReservesOutput, "the proof's output is not the unspendable P2PKH(HASH160(0x00)) that BIP127 verifiers expect")
	}
}

// reservesTotals fills the proven total once the inputs are known and
// refuses a proof whose output is not exactly that total.
func (c *checker) reservesTotals() {
	r := c.a.Reserves
	if r == nil {
		return
	}
	r.Total = c.a.TotalIn
	if len(c.p.UnsignedTx.TxOut) == 1 && c.a.TotalIn != c.a.TotalOut {
		c.refuseOut(0, CodeReservesAmount, "the proof's output is %s but the coins add up to %s; BIP127 requires the exact sum", FormatBTC(c.a.TotalOut), FormatBTC(c.a.TotalIn))
	}
	c.a.Spend = 0
}

// commitmentInput is input 0 of a proof of reserves: no coin, no amount.
func (c *checker) commitmentInput(txIn *wire.TxIn) Input {
	return Input{
		Index:       0,
		Outpoint:    txIn.PreviousOutPoint.String(),
		Sequence:    txIn.Sequence,
		HasAmount:   true,
		ScriptType:  Unknown,
		SighashType: sighashName(0),
		Finalized:   true,
	}
}

// ExtractReserves returns the final BIP127 proof transaction of a PSBT whose
// coin inputs are all finalized: the commitment input stays empty, as BIP127
// asks, so btcd's Extract (which wants every input final) cannot do it.
func ExtractReserves(p *Packet) (*wire.MsgTx, error) {
	if !p.IsReserves() {
		return nil, errors.New("this PSBT is not a proof of reserves (input 0 carries no BIP127 commitment)")
	}
	tx := p.p.UnsignedTx.Copy()
	tx.TxIn[0].SignatureScript, tx.TxIn[0].Witness = nil, nil
	for i := 1; i < len(tx.TxIn); i++ {
		pin := &p.p.Inputs[i]
		if len(pin.FinalScriptSig) == 0 && len(pin.FinalScriptWitness) == 0 {
			return nil, fmt.Errorf("input %d is not signed yet; sign it with the offline key first", i)
		}
		tx.TxIn[i].SignatureScript = pin.FinalScriptSig
		if len(pin.FinalScriptWitness) > 0 {
			w, err := parseWitness(pin.FinalScriptWitness)
			if err != nil {
				return nil, fmt.Errorf("input %d: %v", i, err)
			}
			tx.TxIn[i].Witness = w
		}
	}
	return tx, nil
}

// FinalizeReserves finalizes the coin inputs of a signed proof (input 0 has
// nothing to finalize) and returns the final proof transaction.
func FinalizeReserves(p *Packet) (*wire.MsgTx, error) {
	for i := 1; i < len(p.p.Inputs); i++ {
		pin := &p.p.Inputs[i]
		if len(pin.FinalScriptSig) > 0 || len(pin.FinalScriptWitness) > 0 {
			continue
		}
		if len(pin.PartialSigs) == 0 && len(pin.TaprootKeySpendSig) == 0 {
			return nil, fmt.Errorf("input %d is not signed yet; sign the proof with the offline key first", i)
		}
		if _, err := maybeFinalize(p.p, i); err != nil {
			return nil, fmt.Errorf("input %d cannot be finalized: %v", i, err)
		}
	}
	return ExtractReserves(p)
}

// ReservesProof is a verified proof: what it proves and where.
type ReservesProof struct {
	Message string
	// Format is how the commitment input commits to the message.
	Format ReservesFormat
	Total  int64
	// Coins are the outpoints proven, in input order.
	Coins []wire.OutPoint
}

// VerifyReserves checks a final BIP127 proof transaction against message and
// the coins it spends (prevOuts, from the chain at the proof's height): the
// structure, the commitment, the one output of the exact total, and every
// coin's signature run through btcd's script engine. The commitment input is
// not executed; its spent output is {0, OP_TRUE}, as BIP127 says to assume.
func VerifyReserves(tx *wire.MsgTx, message string, prevOuts map[wire.OutPoint]*wire.TxOut) (*ReservesProof, error) {
	if len(tx.TxIn) < 2 {
		return nil, errors.New("the proof has no coin input after the commitment")
	}
	op := tx.TxIn[0].PreviousOutPoint
	format, ok := MatchReservesFormat(op, message)
	if !ok {
		return nil, fmt.Errorf("input 0 does not commit to the message %q in any known format (BIP127, bdk-reserves, ElementsProject): this proof was made for another message", message)
	}
	if len(tx.TxOut) != 1 {
		return nil, fmt.Errorf("the proof has %d outputs; BIP127 allows exactly one", len(tx.TxOut))
	}
	fetcher := txscript.NewMultiPrevOutFetcher(nil)
	fetcher.AddPrevOut(op, wire.NewTxOut(0, []byte{txscript.OP_TRUE}))
	proof := &ReservesProof{Message: message, Format: format}
	seen := map[wire.OutPoint]bool{op: true}
	for i := 1; i < len(tx.TxIn); i++ {
		prev := tx.TxIn[i].PreviousOutPoint
		if seen[prev] {
			return nil, fmt.Errorf("input %d spends %s twice", i, prev)
		}
		seen[prev] = true
		out, ok := prevOuts[prev]
		if !ok {
			return nil, fmt.Errorf("input %d: the coin %s is unknown; it did not exist at the proof's height", i, prev)
		}
		fetcher.AddPrevOut(prev, out)
		if proof.Total+out.Value > btcutil.MaxSatoshi {
			return nil, errors.New("the coins add up to more than 21 million BTC")
		}
		proof.Total += out.Value
		proof.Coins = append(proof.Coins, prev)
	}
	if tx.TxOut[0].Value != proof.Total {
		return nil, fmt.Errorf("the output is %s but the coins add up to %s; BIP127 requires the exact sum", FormatBTC(tx.TxOut[0].Value), FormatBTC(proof.Total))
	}
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i := 1; i < len(tx.TxIn); i++ {
		out := fetcher.FetchPrevOutput(tx.TxIn[i].PreviousOutPoint)
		if err := sighashAllOnly(tx.TxIn[i]); err != nil {
			return nil, fmt.Errorf("input %d: %v", i, err)
		}
		vm, err := txscript.NewEngine(out.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, out.Value, fetcher)
		if err != nil {
			return nil, fmt.Errorf("input %d: %v", i, err)
		}
		if err := vm.Execute(); err != nil {
			return nil, fmt.Errorf("input %d: the signature does not verify: %v", i, err)
		}
	}
	return proof, nil
}

// sighashAllOnly refuses signatures that would not commit to the commitment
// input: a proof whose signatures could be lifted into a real spend would
// prove nothing and risk the coins. It reads the sighash byte of the
// signatures in the witness or scriptSig (an ECDSA signature's last byte; a
// 65-byte Schnorr signature's last byte; 64 bytes is SIGHASH_DEFAULT).
func sighashAllOnly(in *wire.TxIn) error {
	check := func(sig []byte) error {
		switch {
		case len(sig) == 64: // Schnorr, SIGHASH_DEFAULT
			return nil
		case (len(sig) == 65 && sig[0] != 0x04) || (len(sig) >= 9 && len(sig) <= 73 && sig[0] == 0x30 && int(sig[1]) == len(sig)-3):
			if txscript.SigHashType(sig[len(sig)-1]) != txscript.SigHashAll {
				return fmt.Errorf("a signature uses sighash 0x%02x; a proof of reserves is signed with SIGHASH_ALL only", sig[len(sig)-1])
			}
		}
		return nil
	}
	for _, item := range in.Witness {
		if err := check(item); err != nil {
			return err
		}
	}
	if len(in.SignatureScript) > 0 {
		pushes, err := txscript.PushedData(in.SignatureScript)
		if err == nil {
			for _, item := range pushes {
				if err := check(item); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
