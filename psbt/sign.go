package psbt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// MasterFingerprint returns the fingerprint of a BIP32 master key as btcd's
// psbt package stores it (the first four bytes of HASH160 of the public key,
// read as a little-endian uint32), so it compares directly with
// Bip32Derivation.MasterKeyFingerprint.
func MasterFingerprint(master *hdkeychain.ExtendedKey) (uint32, error) {
	pub, err := master.ECPubKey()
	if err != nil {
		return 0, fmt.Errorf("reading the master public key: %w", err)
	}
	h := btcutil.Hash160(pub.SerializeCompressed())
	return binary.LittleEndian.Uint32(h[:4]), nil
}

// SignResult says which inputs got our signature, and which inputs naming
// our key were left unsigned and why.
type SignResult struct {
	Signed  []int
	Skipped []Skipped
}

// Skipped is an input that names our key but that airsign does not sign
// (a legacy P2PKH or P2SH coin, a taproot script path); another signer may.
type Skipped struct {
	Input  int
	Reason string
}

// ErrNothingToSign is returned when no input carries a derivation of ours.
var ErrNothingToSign = errors.New("no input of this PSBT belongs to this key: check that the right key or shares were used")

// ErrNothingSigned is wrapped when inputs of our key exist but every one
// was skipped; the error lists why.
var ErrNothingSigned = errors.New("nothing signed")

// ErrRefused is the one sentinel of a refusal, here and in airsign-offline
// (offline.ErrRefused is this value): the *RefusedError Sign returns when the
// analysis or the policy refuses the PSBT matches it (errors.Is). Its text
// is the bare word, so messages built on it ("%w to sign: …", "%w: …") say
// "refused" once.
var ErrRefused = errors.New("refused")

// RefusedError is Sign's answer to a PSBT the analysis or the policy
// refuses: every refusal, each naming its input or output.
type RefusedError struct {
	Problems []Problem
}

func (e *RefusedError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, pr := range e.Problems {
		lines[i] = pr.String()
	}
	return "refused to sign: " + strings.Join(lines, "; ")
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// SignOption adjusts what Sign checks before it signs.
type SignOption func(*signConfig)

type signConfig struct {
	net       *chaincfg.Params
	wallet    Wallet
	policy    Policy
	hasPolicy bool
	// fault, set only by this package's tests, changes a signature
	// between signing and its check: the fault the check is there for.
	fault func(input int, sig []byte) []byte
}

// WithPolicy makes Sign apply pol (with the operator's overrides) instead of
// DefaultPolicy.
func WithPolicy(pol Policy) SignOption {
	return func(c *signConfig) { c.policy, c.hasPolicy = pol, true }
}

// WithWallet gives Sign the wallet used to verify change, so that fake
// change is refused by Sign itself and not only by the caller's analysis.
func WithWallet(w Wallet) SignOption {
	return func(c *signConfig) { c.wallet = w }
}

// WithNetwork sets the network the operator works on. Without it the
// network is taken from the master key (mainnet, or testnet for a tprv,
// which shares regtest's and signet's coin type).
func WithNetwork(net *chaincfg.Params) SignOption {
	return func(c *signConfig) { c.net = net }
}

// Sign adds our signature to every input that names a derivation from master
// whose key is really in the input's script: P2WPKH, P2SH-P2WPKH, P2WSH and
// P2SH-P2WSH multisig (ECDSA) and P2TR key path (Schnorr), with the sighash
// type the input asks for (ALL, or DEFAULT for taproot, when none).
//
// Sign does not trust its caller to have looked: it runs Analyze and the
// policy (DefaultPolicy unless WithPolicy) itself and returns a
// *RefusedError, signing nothing, if either refuses. Inputs of a type airsign
// does not sign are left alone and listed in SignResult.Skipped. Every
// signature made is verified against the coin's key before it is kept (see
// signer.check). The packet is changed only on success.
func Sign(p *Packet, master *hdkeychain.ExtendedKey, opts ...SignOption) (SignResult, error) {
	var res SignResult
	cfg := signConfig{policy: DefaultPolicy()}
	for _, o := range opts {
		o(&cfg)
	}
	if master == nil || !master.IsPrivate() {
		return res, errors.New("signing needs the master private key")
	}
	fp, err := MasterFingerprint(master)
	if err != nil {
		return res, err
	}
	net := cfg.net
	if net == nil {
		net = keyNet(master)
	}
	if !master.IsForNet(net) {
		return res, fmt.Errorf("the key is not a %s key; check the network", net.Name)
	}
	a := cfg.policy.Apply(Analyze(p, net, fp, cfg.wallet))
	if refusals := a.Refusals(); len(refusals) > 0 {
		return res, &RefusedError{Problems: refusals}
	}

	// Sign a shallow copy: inputs are replaced, never changed in place, so
	// the caller's packet stays as it was if anything fails.
	work := shallowCopy(p.p)
	tx := work.p.UnsignedTx
	prevOuts, err := prevOutputs(work.p, a.Reserves != nil)
	if err != nil {
		return res, err
	}
	// The sighash midstates (BIP143 and BIP341) are computed once for the
	// whole transaction, and every BIP32 parent once per PSBT (keyCache):
	// what is left per input is one child derivation, one signature and
	// its check.
	fetcher := txscript.NewMultiPrevOutFetcher(prevOuts)
	sigHashes := txscript.NewTxSigHashes(tx, fetcher)
	keys, err := newKeyCache(master, work.p, fp)
	if err != nil {
		return res, err
	}
	defer keys.zero()

	// Inputs are independent: each worker signs whole inputs, writing only
	// its own input and its own slot of outcomes, so the result is the
	// same, input by input, as a serial loop's.
	s := &signer{p: work.p, prevOuts: prevOuts, fetcher: fetcher, sigHashes: sigHashes, keys: keys, fp: fp, fault: cfg.fault}
	outcomes := make([]inputOutcome, len(tx.TxIn))
	parallelFor(len(tx.TxIn), func(i int) {
		outcomes[i] = s.input(i)
	})
	for i, o := range outcomes {
		if o.err != nil {
			return SignResult{}, fmt.Errorf("input %d: %w", i, o.err)
		}
		switch {
		case o.signed:
			res.Signed = append(res.Signed, i)
		case o.skipped != "":
			res.Skipped = append(res.Skipped, Skipped{Input: i, Reason: o.skipped})
		}
	}
	if len(res.Signed) == 0 {
		if len(res.Skipped) > 0 {
			// Our key is there, but nothing could be signed: say why,
			// instead of blaming the key or the shares.
			var why []string
			for _, s := range res.Skipped {
				why = append(why, fmt.Sprintf("input %d: %s", s.Input, s.Reason))
			}
			return res, fmt.Errorf("%w: the inputs of this key were skipped (%s)", ErrNothingSigned, strings.Join(why, "; "))
		}
		if fin := finalizedInputs(work.p); len(fin) > 0 {
			return res, finalizedError(fin, len(tx.TxIn))
		}
		return res, ErrNothingToSign
	}
	p.p = work.p
	return res, nil
}

// inputOutcome is what signing one input came to.
type inputOutcome struct {
	signed  bool
	skipped string
	err     error
}

// signer is what signing every input shares. It is only read once built,
// so the signing goroutines share it; each writes only its own input.
type signer struct {
	p         *btcpsbt.Packet
	prevOuts  map[wire.OutPoint]*wire.TxOut
	fetcher   txscript.PrevOutputFetcher
	sigHashes *txscript.TxSigHashes
	keys      *keyCache
	fp        uint32
	fault     func(input int, sig []byte) []byte // tests only, see signConfig
}

// input signs input i with every derivation of ours it carries.
func (s *signer) input(i int) inputOutcome {
	var o inputOutcome
	pin := &s.p.Inputs[i]
	if len(pin.FinalScriptSig) > 0 || len(pin.FinalScriptWitness) > 0 {
		// Say so when it is ours, rather than blame the key or shares.
		if namesKey(pin, s.fp) {
			o.skipped = "it is already finalized (its final signatures are in place): nothing is left to sign"
		}
		return o
	}
	utxo := s.prevOuts[s.p.UnsignedTx.TxIn[i].PreviousOutPoint]
	for _, d := range pin.Bip32Derivation {
		if d.MasterKeyFingerprint != s.fp {
			continue
		}
		ok, skip, err := s.ecdsa(i, utxo, d)
		if err != nil {
			return inputOutcome{err: err}
		}
		o.signed = o.signed || ok
		if skip != "" {
			o.skipped = skip
		}
	}
	for _, d := range pin.TaprootBip32Derivation {
		if d.MasterKeyFingerprint != s.fp {
			continue
		}
		if len(d.LeafHashes) > 0 {
			o.skipped = "airsign does not sign taproot script paths"
			continue
		}
		ok, err := s.taproot(i, utxo, d)
		if err != nil {
			return inputOutcome{err: err}
		}
		o.signed = o.signed || ok
	}
	return o
}

// finalizedInputs lists the inputs that carry their final scripts.
func finalizedInputs(p *btcpsbt.Packet) []int {
	var fin []int
	for i, pin := range p.Inputs {
		if len(pin.FinalScriptSig) > 0 || len(pin.FinalScriptWitness) > 0 {
			fin = append(fin, i)
		}
	}
	return fin
}

// finalizedError is ErrNothingToSign when finalized inputs explain it: a
// finalizer drops the derivations, so a finalized input of ours no longer
// names our key, and blaming the key or the shares would send the
// operator after the wrong cause.
func finalizedError(fin []int, inputs int) error {
	var msg string
	if len(fin) == inputs {
		msg = "nothing is left to sign: every input is already finalized (the transaction is complete; broadcast it)"
	} else {
		msg = fmt.Sprintf("nothing is left for this key to sign: %s already finalized, and no other input names this key (check that the right key or shares were used)", inputList(fin))
	}
	return nothingLeft(msg)
}

type nothingLeft string

func (e nothingLeft) Error() string        { return string(e) }
func (e nothingLeft) Is(target error) bool { return target == ErrNothingToSign }

// inputList names inputs: "input 3 is", "inputs 0, 2 are".
func inputList(is []int) string {
	if len(is) == 1 {
		return fmt.Sprintf("input %d is", is[0])
	}
	s := make([]string, len(is))
	for j, i := range is {
		s[j] = fmt.Sprint(i)
	}
	return "inputs " + strings.Join(s, ", ") + " are"
}

// namesKey reports whether an input names key fp in a derivation.
func namesKey(pin *btcpsbt.PInput, fp uint32) bool {
	for _, d := range pin.Bip32Derivation {
		if d.MasterKeyFingerprint == fp {
			return true
		}
	}
	for _, d := range pin.TaprootBip32Derivation {
		if d.MasterKeyFingerprint == fp {
			return true
		}
	}
	return false
}

// parallelFor calls fn(0) … fn(n-1), spread over the machine's cores.
// Each call must touch only what belongs to its own index.
func parallelFor(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// keyNet is the network a master key's version bytes name. Testnet, regtest
// and signet share both the tprv version and coin type 1.
func keyNet(master *hdkeychain.ExtendedKey) *chaincfg.Params {
	if master.IsForNet(&chaincfg.MainNetParams) {
		return &chaincfg.MainNetParams
	}
	return &chaincfg.TestNet3Params
}

// prevOutputs collects the output every input spends. Taproot sighashes
// commit to all of them, and every amount must be proven before signing.
//
// In a proof of reserves (reserves), input 0 is the commitment, which
// spends no coin: without data about it, its spent output is {0, OP_TRUE},
// as BIP127 tells verifiers to assume (and taproot sighashes commit to it).
func prevOutputs(p *btcpsbt.Packet, reserves bool) (map[wire.OutPoint]*wire.TxOut, error) {
	out := make(map[wire.OutPoint]*wire.TxOut, len(p.UnsignedTx.TxIn))
	for i, in := range p.UnsignedTx.TxIn {
		pin := &p.Inputs[i]
		op := in.PreviousOutPoint
		var txOut *wire.TxOut
		if pin.NonWitnessUtxo != nil {
			if pin.NonWitnessUtxo.TxHash() != op.Hash {
				return nil, fmt.Errorf("input %d: its previous transaction does not match its outpoint", i)
			}
			if int64(op.Index) >= int64(len(pin.NonWitnessUtxo.TxOut)) {
				return nil, fmt.Errorf("input %d: spends output %d of a transaction that has only %d outputs", i, op.Index, len(pin.NonWitnessUtxo.TxOut))
			}
			txOut = pin.NonWitnessUtxo.TxOut[op.Index]
		}
		if pin.WitnessUtxo != nil {
			if txOut != nil && (txOut.Value != pin.WitnessUtxo.Value || !bytes.Equal(txOut.PkScript, pin.WitnessUtxo.PkScript)) {
				return nil, fmt.Errorf("input %d: witness_utxo disagrees with its previous transaction", i)
			}
			txOut = pin.WitnessUtxo
		}
		if txOut == nil && i == 0 && reserves {
			txOut = wire.NewTxOut(0, []byte{txscript.OP_TRUE})
		}
		if txOut == nil {
			return nil, fmt.Errorf("input %d: no data about the coin it spends; prepare the PSBT again", i)
		}
		out[op] = txOut
	}
	return out, nil
}

// ecdsa signs input i with the key at derivation d if that key is in the
// input's script. It returns a reason instead of signing for a script type
// airsign does not sign.
//
// The scripts are checked against the key the PSBT names (d.PubKey); that
// it is really our key at d's path is proven by the check of the signature
// against it (signer.check), which costs less than deriving the public key
// again. Only when that check fails is our key computed, to say which it is.
func (s *signer) ecdsa(i int, utxo *wire.TxOut, d *btcpsbt.Bip32Derivation) (signed bool, skip string, err error) {
	pin := &s.p.Inputs[i]
	pkScript := utxo.PkScript
	where := FormatPath(d.MasterKeyFingerprint, d.Bip32Path)
	nestedWPKH := txscript.IsPayToScriptHash(pkScript) && len(pin.WitnessScript) == 0 &&
		(pin.RedeemScript == nil || txscript.IsPayToWitnessPubKeyHash(pin.RedeemScript))
	if !txscript.IsPayToWitnessPubKeyHash(pkScript) && !nestedWPKH && len(pin.WitnessScript) == 0 {
		if txscript.IsPayToWitnessScriptHash(pkScript) || txscript.IsPayToScriptHash(pkScript) {
			return false, "the PSBT lacks this input's witness script; prepare the PSBT again with a wallet that includes it", nil
		}
		return false, "airsign signs only segwit and taproot coins (P2WPKH, P2SH-P2WPKH, P2WSH, P2SH-P2WSH, P2TR key path)", nil
	}
	if pin.NonWitnessUtxo == nil {
		return false, "", fmt.Errorf("segwit v0 input without its previous transaction (non_witness_utxo); refusing to sign an unproven amount")
	}
	pub := d.PubKey
	var subScript, redeem []byte
	switch {
	case txscript.IsPayToWitnessPubKeyHash(pkScript):
		if !bytes.Equal(pkScript, p2wpkhScript(pub)) {
			return false, "", fmt.Errorf("our key at %s is not the one this coin's script pays", where)
		}
		subScript = pkScript
	case nestedWPKH:
		redeem = p2wpkhScript(pub)
		if pin.RedeemScript != nil && !bytes.Equal(pin.RedeemScript, redeem) {
			return false, "", fmt.Errorf("its redeem script is not the P2WPKH script of our key")
		}
		if !bytes.Equal(pkScript, p2shScript(redeem)) {
			return false, "", fmt.Errorf("our key at %s is not the one this coin's script pays", where)
		}
		subScript = redeem
	default:
		ws := pin.WitnessScript
		if !scriptHasKey(ws, pub) {
			return false, "", fmt.Errorf("our key at %s is not in its witness script", where)
		}
		wsh := p2wshScript(ws)
		switch {
		case bytes.Equal(pkScript, wsh):
		case txscript.IsPayToScriptHash(pkScript) && bytes.Equal(pkScript, p2shScript(wsh)):
			if pin.RedeemScript != nil && !bytes.Equal(pin.RedeemScript, wsh) {
				return false, "", fmt.Errorf("its redeem script is not the P2WSH of its witness script")
			}
			redeem = wsh
		default:
			return false, "", fmt.Errorf("its witness script does not hash to the coin's script")
		}
		subScript = ws
	}
	hashType := txscript.SigHashAll
	if pin.SighashType != 0 {
		hashType = pin.SighashType
	}
	hash, err := txscript.CalcWitnessSigHash(subScript, s.sigHashes, hashType, s.p.UnsignedTx, i, utxo.Value)
	if err != nil {
		return false, "", fmt.Errorf("signing: %w", err)
	}
	priv, err := s.keys.derive(d.Bip32Path)
	if err != nil {
		return false, "", err
	}
	defer priv.Zero()
	sig := s.faulty(i, append(ecdsa.Sign(priv, hash).Serialize(), byte(hashType)))
	if err := s.check(i, sig, hash, pub, hashType, false); err != nil {
		if ours := priv.PubKey().SerializeCompressed(); !bytes.Equal(ours, pub) {
			return false, "", fmt.Errorf("the PSBT says our key at %s is %x, but our key there is %x: the PSBT was made for another wallet or altered", where, pub, ours)
		}
		return false, "", err
	}
	if redeem != nil {
		pin.RedeemScript = redeem
	}
	// A signature already there for our key is replaced: ours is
	// deterministic (RFC 6979), so a genuine one is rewritten unchanged and
	// a planted one cannot block the input.
	kept := make([]*btcpsbt.PartialSig, 0, len(pin.PartialSigs)+1)
	for _, ps := range pin.PartialSigs {
		if !bytes.Equal(ps.PubKey, pub) {
			kept = append(kept, ps)
		}
	}
	pin.PartialSigs = append(kept, &btcpsbt.PartialSig{PubKey: pub, Signature: sig})
	return true, "", nil
}

// taproot signs a taproot key-path spend with the key at derivation d.
// Analyze (run by Sign first) has refused any input whose output key is
// not the BIP86 tweak of d's key; the check of the signature against the
// coin's output key (signer.check) proves that our key at d's path is
// that key. Only when the check fails is our key computed, to say why.
func (s *signer) taproot(i int, utxo *wire.TxOut, d *btcpsbt.TaprootBip32Derivation) (bool, error) {
	pin := &s.p.Inputs[i]
	if !txscript.IsPayToTaproot(utxo.PkScript) {
		return false, fmt.Errorf("has a taproot derivation but the coin is not a taproot output")
	}
	if len(pin.TaprootMerkleRoot) > 0 || len(pin.TaprootLeafScript) > 0 {
		return false, fmt.Errorf("the taproot output commits to a script tree; airsign signs only BIP86 key-path outputs")
	}
	if len(pin.TaprootInternalKey) > 0 && !bytes.Equal(pin.TaprootInternalKey, d.XOnlyPubKey) {
		return false, fmt.Errorf("its taproot internal key is not our key")
	}
	hashType := txscript.SigHashDefault
	if pin.SighashType != 0 {
		hashType = pin.SighashType
	}
	hash, err := txscript.CalcTaprootSignatureHash(s.sigHashes, hashType, s.p.UnsignedTx, i, s.fetcher)
	if err != nil {
		return false, fmt.Errorf("signing: %w", err)
	}
	priv, err := s.keys.derive(d.Bip32Path)
	if err != nil {
		return false, err
	}
	defer priv.Zero()
	// What txscript.RawTxInTaprootSignature does, except that schnorr.Sign
	// is told to skip its own verification (BIP340 step 14, against the
	// public key of the tweaked private key): signer.check verifies the
	// same signature against the coin's output key instead, which proves
	// more, at the same cost, and the work is not done twice.
	tweaked := txscript.TweakTaprootPrivKey(*priv, nil)
	defer tweaked.Zero()
	sg, err := schnorr.Sign(tweaked, hash, schnorr.FastSign())
	if err != nil {
		return false, fmt.Errorf("signing: %w", err)
	}
	sig := sg.Serialize()
	if hashType != txscript.SigHashDefault {
		sig = append(sig, byte(hashType))
	}
	sig = s.faulty(i, sig)
	if err := s.check(i, sig, hash, utxo.PkScript[2:], hashType, true); err != nil {
		where := FormatPath(d.MasterKeyFingerprint, d.Bip32Path)
		if xonly := schnorr.SerializePubKey(priv.PubKey()); !bytes.Equal(xonly, d.XOnlyPubKey) {
			return false, fmt.Errorf("the PSBT says our taproot key at %s is %x, but our key there is %x: the PSBT was made for another wallet or altered", where, d.XOnlyPubKey, xonly)
		}
		if !bytes.Equal(utxo.PkScript, p2trScript(txscript.ComputeTaprootKeyNoScript(priv.PubKey()))) {
			return false, fmt.Errorf("the coin's taproot output key is not the BIP86 tweak of our key at %s", where)
		}
		return false, err
	}
	// As for ECDSA, a signature already there is replaced by ours.
	pin.TaprootKeySpendSig = sig
	pin.TaprootInternalKey = d.XOnlyPubKey
	return true, nil
}

// faulty is the signature just made for input i, changed by the fault of
// a test if there is one.
func (s *signer) faulty(i int, sig []byte) []byte {
	if s.fault == nil {
		return sig
	}
	return s.fault(i, sig)
}

// check verifies one signature just made, as serialized for the PSBT
// (its sighash type byte too), with btcec against the sighash txscript
// computed for it and the key it must answer to: the key in the coin's
// script (taproot: the output key), so that a signature is kept only if
// the coin's script accepts it.
//
// It is the guard against a fault (a glitch, or a bug) while signing: a
// wrong signature never leaves the signer, and a faulty ECDSA or Schnorr
// signature, which beside a good one of the same message could give away
// the key, is never written. Why this is enough without running btcd's
// script engine per input, as Sign did before: what the engine would check
// of our signature is its OP_CHECKSIG (or our key's part of
// OP_CHECKMULTISIG), and that is this check, over the same sighash
// (btcd's CalcWitnessSigHash or CalcTaprootSignatureHash for this input's
// script, amount and type) and the same key; that the script signed for
// is the coin's, Sign checked before signing (the P2WPKH of the key; the
// witness script whose hash the coin pays, holding the key; the BIP86
// output key, by Analyze and again by this check). The rest of the engine
// run is the witness finalization assembles, which was never ours to
// release (Sign writes partial signatures) and which Extract runs through
// the whole engine, input by input, before anything is broadcast. A fault
// in the sighash itself is not seen here; it makes a signature the
// network rejects, and gives nothing away, since the nonce (RFC 6979, or
// BIP340's) is derived from the hash signed.
func (s *signer) check(i int, sig, hash, pub []byte, hashType txscript.SigHashType, taproot bool) error {
	ok := false
	switch {
	case taproot:
		// 64 bytes for SIGHASH_DEFAULT, else 65 ending in the type.
		body, typed := sig, len(sig) == schnorr.SignatureSize+1
		if typed {
			body = sig[:schnorr.SignatureSize]
		}
		if typed == (hashType != txscript.SigHashDefault) && (!typed || sig[len(sig)-1] == byte(hashType)) {
			sg, err := schnorr.ParseSignature(body)
			key, kerr := schnorr.ParsePubKey(pub)
			ok = err == nil && kerr == nil && sg.Verify(hash, key)
		}
	case len(sig) > 1 && sig[len(sig)-1] == byte(hashType):
		sg, err := ecdsa.ParseDERSignature(sig[:len(sig)-1])
		key, kerr := btcec.ParsePubKey(pub)
		ok = err == nil && kerr == nil && sg.Verify(hash, key)
	}
	if !ok {
		return fmt.Errorf("our own signature does not verify; nothing was written (a fault while signing: try again, and if it happens again do not use this machine)")
	}
	return nil
}

func parseWitness(b []byte) (wire.TxWitness, error) {
	r := bytes.NewReader(b)
	n, err := wire.ReadVarInt(r, 0)
	if err != nil || n > 10000 {
		return nil, fmt.Errorf("malformed final witness")
	}
	wit := make(wire.TxWitness, n)
	for j := range wit {
		wit[j], err = wire.ReadVarBytes(r, 0, txscript.MaxScriptSize*4, "witness item")
		if err != nil {
			return nil, fmt.Errorf("malformed final witness")
		}
	}
	return wit, nil
}

// shallowCopy copies the packet's input list so that inputs can be
// replaced (as btcd's finalizer does, and as signing does) without touching
// the original; everything else is shared and must not be changed in place.
func shallowCopy(p *btcpsbt.Packet) *Packet {
	return &Packet{p: &btcpsbt.Packet{
		UnsignedTx: p.UnsignedTx,
		Inputs:     slices.Clone(p.Inputs),
		Outputs:    p.Outputs,
		Unknowns:   p.Unknowns,
	}}
}

// keyCache holds the BIP32 parent of every derivation of ours in a PSBT,
// derived once before signing starts: a thousand inputs of one account
// cost one derivation of the account and branch, then one child step each.
// After newKeyCache it is only read, so signing goroutines share it.
type keyCache struct {
	master  *hdkeychain.ExtendedKey
	parents map[string]*hdkeychain.ExtendedKey
}

// maxPathLen bounds the derivation paths Sign follows; no wallet uses more
// than a handful of steps.
const maxPathLen = 32

func newKeyCache(master *hdkeychain.ExtendedKey, p *btcpsbt.Packet, fp uint32) (*keyCache, error) {
	k := &keyCache{master: master, parents: map[string]*hdkeychain.ExtendedKey{}}
	if _, err := master.ECPubKey(); err != nil { // see node
		return nil, fmt.Errorf("reading the master public key: %w", err)
	}
	add := func(path []uint32) error {
		if len(path) == 0 || len(path) > maxPathLen {
			return nil // refused by derive, for the input that carries it
		}
		_, err := k.node(path[:len(path)-1])
		return err
	}
	for i := range p.Inputs {
		for _, d := range p.Inputs[i].Bip32Derivation {
			if d.MasterKeyFingerprint == fp {
				if err := add(d.Bip32Path); err != nil {
					return nil, fmt.Errorf("input %d: %w", i, err)
				}
			}
		}
		for _, d := range p.Inputs[i].TaprootBip32Derivation {
			if d.MasterKeyFingerprint == fp && len(d.LeafHashes) == 0 {
				if err := add(d.Bip32Path); err != nil {
					return nil, fmt.Errorf("input %d: %w", i, err)
				}
			}
		}
	}
	return k, nil
}

func pathID(path []uint32) string {
	b := make([]byte, 0, 4*len(path))
	for _, s := range path {
		b = binary.BigEndian.AppendUint32(b, s)
	}
	return string(b)
}

// node derives (once) the key at path and every key above it. Each is
// given its public key at once: hdkeychain computes it lazily on the first
// child derivation, which must not happen in two goroutines at a time.
func (k *keyCache) node(path []uint32) (*hdkeychain.ExtendedKey, error) {
	if len(path) == 0 {
		return k.master, nil
	}
	id := pathID(path)
	if n, ok := k.parents[id]; ok {
		return n, nil
	}
	parent, err := k.node(path[:len(path)-1])
	if err != nil {
		return nil, err
	}
	n, err := parent.Derive(path[len(path)-1])
	if err != nil {
		return nil, fmt.Errorf("deriving our key: %w", err)
	}
	if _, err := n.ECPubKey(); err != nil {
		return nil, fmt.Errorf("deriving our key: %w", err)
	}
	k.parents[id] = n
	return n, nil
}

// derive returns the private key at path from its cached parent. The
// caller zeroes it when done.
func (k *keyCache) derive(path []uint32) (*btcec.PrivateKey, error) {
	if len(path) > maxPathLen {
		return nil, fmt.Errorf("derivation path has %d steps; no wallet uses more than a handful", len(path))
	}
	if len(path) == 0 {
		priv, err := k.master.ECPrivKey()
		if err != nil {
			return nil, fmt.Errorf("deriving our key: %w", err)
		}
		return priv, nil
	}
	parent := k.master
	if len(path) > 1 {
		var ok bool
		if parent, ok = k.parents[pathID(path[:len(path)-1])]; !ok {
			return nil, errors.New("deriving our key: parent not prepared") // newKeyCache saw every path
		}
	}
	child, err := parent.Derive(path[len(path)-1])
	if err != nil {
		return nil, fmt.Errorf("deriving our key: %w", err)
	}
	defer child.Zero()
	priv, err := child.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("deriving our key: %w", err)
	}
	return priv, nil
}

// zero wipes every derived parent key (best effort: Go may have copied
// them, but nothing airsign holds keeps them alive).
func (k *keyCache) zero() {
	for _, n := range k.parents {
		n.Zero()
	}
	k.parents = nil
}

func p2wpkhScript(pub []byte) []byte {
	s, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(btcutil.Hash160(pub)).Script()
	return s
}

func p2shScript(redeem []byte) []byte {
	s, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_HASH160).AddData(btcutil.Hash160(redeem)).AddOp(txscript.OP_EQUAL).Script()
	return s
}

func p2wshScript(ws []byte) []byte {
	h := sha256Sum(ws)
	s, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(h[:]).Script()
	return s
}

func p2trScript(outKey *btcec.PublicKey) []byte {
	s, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_1).AddData(schnorr.SerializePubKey(outKey)).Script()
	return s
}

// scriptHasKey reports whether script pushes pub as one of its data items.
func scriptHasKey(script, pub []byte) bool {
	tok := txscript.MakeScriptTokenizer(0, script)
	for tok.Next() {
		if bytes.Equal(tok.Data(), pub) {
			return true
		}
	}
	return false
}

func p2pkhScript(pub []byte) []byte {
	s, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_DUP).AddOp(txscript.OP_HASH160).AddData(btcutil.Hash160(pub)).AddOp(txscript.OP_EQUALVERIFY).AddOp(txscript.OP_CHECKSIG).Script()
	return s
}
