package psbt

import (
	"bytes"
	"strconv"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/txscript"
)

// KeySignature is a signature a PSBT already carries for one derivation of
// a master key: what lets the signer say, before the shares are typed,
// that an input was signed by this key already.
type KeySignature struct {
	Input int
	// PubKey is the key signed for (33 bytes, or 32 for taproot).
	PubKey    []byte
	Signature []byte
	Taproot   bool
}

// SignaturesOf lists the signatures p carries for the key with master
// fingerprint fp: each ECDSA partial signature whose public key one of the
// input's derivations of fp names, and the taproot key-path signature of an
// input with a key-path derivation of fp, when it verifies against this
// transaction (Verified): a forged signature filed under our key must not
// pass for "already signed", which let a dishonest online machine stop
// every signing before the shares. psbt.Sign still makes (and checks)
// every signature itself. Finalized inputs are left out: nothing is
// signed there.
func (p *Packet) SignaturesOf(fp uint32) []KeySignature { return p.signaturesOf(fp, true) }

// CarriedSignaturesOf is SignaturesOf without the verification: what the
// PSBT carries for the key, for a caller that knows them checked (right
// after psbt.Sign, which verifies every signature it makes).
func (p *Packet) CarriedSignaturesOf(fp uint32) []KeySignature { return p.signaturesOf(fp, false) }

func (p *Packet) signaturesOf(fp uint32, verify bool) []KeySignature {
	var out []KeySignature
	for i := range p.p.Inputs {
		pin := &p.p.Inputs[i]
		if len(pin.FinalScriptSig) > 0 || len(pin.FinalScriptWitness) > 0 {
			continue
		}
		for _, d := range pin.Bip32Derivation {
			if d.MasterKeyFingerprint != fp {
				continue
			}
			for _, ps := range pin.PartialSigs {
				if ks := (KeySignature{Input: i, PubKey: ps.PubKey, Signature: ps.Signature}); bytes.Equal(ps.PubKey, d.PubKey) && (!verify || p.Verified(ks)) {
					out = append(out, ks)
				}
			}
		}
		if len(pin.TaprootKeySpendSig) == 0 {
			continue
		}
		for _, d := range pin.TaprootBip32Derivation {
			if ks := (KeySignature{Input: i, PubKey: d.XOnlyPubKey, Signature: pin.TaprootKeySpendSig, Taproot: true}); d.MasterKeyFingerprint == fp && len(d.LeafHashes) == 0 {
				if !verify || p.Verified(ks) {
					out = append(out, ks)
				}
				break
			}
		}
	}
	return out
}

// BadSignatures lists the signatures p carries (every ECDSA partial
// signature, every taproot key-path signature) that do not verify against
// this transaction: forged, made for another transaction or another
// amount, or under another key than the one they are filed under. They
// count for nothing on chain; the screen says so instead of "signed".
func (p *Packet) BadSignatures() []KeySignature {
	var out []KeySignature
	for i := range p.p.Inputs {
		pin := &p.p.Inputs[i]
		if len(pin.FinalScriptSig) > 0 || len(pin.FinalScriptWitness) > 0 {
			continue
		}
		for _, ps := range pin.PartialSigs {
			if ks := (KeySignature{Input: i, PubKey: ps.PubKey, Signature: ps.Signature}); !p.Verified(ks) {
				out = append(out, ks)
			}
		}
		if len(pin.TaprootKeySpendSig) > 0 {
			if ks := (KeySignature{Input: i, Signature: pin.TaprootKeySpendSig, Taproot: true}); !p.Verified(ks) {
				out = append(out, ks)
			}
		}
	}
	return out
}

// Verified reports whether ks verifies against p's transaction: an ECDSA
// signature against the BIP143 sighash of the script its key is spent by,
// a taproot key-path signature (BIP341) against the coin's output key,
// each with the sighash type it names. Sighashes and checks are btcd's.
// What cannot be checked (the coin's data missing, a script type airsign
// does not sign) counts as verified: the analysis refuses missing data
// itself, and Sign replaces what it signs. Results are remembered for the
// packet's later analyses.
func (p *Packet) Verified(ks KeySignature) bool {
	key := strconv.Itoa(ks.Input) + "|" + string(ks.PubKey) + "|" + string(ks.Signature)
	p.sigs.mu.Lock()
	ok, known := p.sigs.seen[key]
	p.sigs.mu.Unlock()
	if known {
		return ok
	}
	ok = p.verify(ks)
	p.sigs.mu.Lock()
	if p.sigs.seen == nil {
		p.sigs.seen = map[string]bool{}
	}
	p.sigs.seen[key] = ok
	p.sigs.mu.Unlock()
	return ok
}

// sigMemo remembers which signatures verified.
type sigMemo struct {
	mu   sync.Mutex
	seen map[string]bool
	// hashes are the transaction's sighash midstates, computed once.
	hashes *txscript.TxSigHashes
	fetch  *txscript.MultiPrevOutFetcher
	err    error
	once   sync.Once
}

func (p *Packet) verify(ks KeySignature) bool {
	p.sigs.once.Do(func() {
		prev, err := prevOutputs(p.p, p.IsReserves())
		if err != nil {
			p.sigs.err = err
			return
		}
		p.sigs.fetch = txscript.NewMultiPrevOutFetcher(prev)
		p.sigs.hashes = txscript.NewTxSigHashes(p.p.UnsignedTx, p.sigs.fetch)
	})
	if p.sigs.err != nil {
		return true // the coins' data is missing or false: refused elsewhere
	}
	tx := p.p.UnsignedTx
	i := ks.Input
	utxo := p.sigs.fetch.FetchPrevOutput(tx.TxIn[i].PreviousOutPoint)
	if utxo == nil || len(ks.Signature) == 0 {
		return len(ks.Signature) > 0
	}
	if ks.Taproot {
		if !txscript.IsPayToTaproot(utxo.PkScript) {
			return false
		}
		body, hashType := ks.Signature, txscript.SigHashDefault
		if len(body) == schnorr.SignatureSize+1 {
			body, hashType = body[:schnorr.SignatureSize], txscript.SigHashType(body[schnorr.SignatureSize])
		}
		sig, err := schnorr.ParseSignature(body)
		if err != nil {
			return false
		}
		key, err := schnorr.ParsePubKey(utxo.PkScript[2:34])
		if err != nil {
			return false
		}
		hash, err := txscript.CalcTaprootSignatureHash(p.sigs.hashes, hashType, tx, i, p.sigs.fetch)
		return err == nil && sig.Verify(hash, key)
	}
	pin := &p.p.Inputs[i]
	var subScript []byte
	switch {
	case txscript.IsPayToWitnessPubKeyHash(utxo.PkScript):
		subScript = utxo.PkScript
	case len(pin.WitnessScript) > 0:
		subScript = pin.WitnessScript
	case txscript.IsPayToScriptHash(utxo.PkScript) && (pin.RedeemScript == nil || txscript.IsPayToWitnessPubKeyHash(pin.RedeemScript)):
		subScript = p2wpkhScript(ks.PubKey) // nested P2WPKH
	default:
		return true // not a coin airsign signs: left to the analysis
	}
	if len(ks.Signature) < 2 {
		return false
	}
	hashType := txscript.SigHashType(ks.Signature[len(ks.Signature)-1])
	sig, err := ecdsa.ParseDERSignature(ks.Signature[:len(ks.Signature)-1])
	if err != nil {
		return false
	}
	pub, err := btcec.ParsePubKey(ks.PubKey)
	if err != nil {
		return false
	}
	hash, err := txscript.CalcWitnessSigHash(subScript, p.sigs.hashes, hashType, tx, i, utxo.Value)
	return err == nil && sig.Verify(hash, pub)
}
