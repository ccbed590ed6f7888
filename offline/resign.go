package offline

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
)

// Signing a PSBT this key has signed already.
//
// A PSBT comes back to the signer with this key's signatures in it when a
// session is repeated: a USB stick mixed up, a multisig round passed twice.
// psbt.Sign signs each input of the key again; our signatures are
// deterministic (RFC 6979, and btcd's BIP340 nonces), so an input signed
// before gets the very same bytes again: its signature is kept, and no
// input ever carries two signatures of one key. The operator is told so,
// before the shares are typed when the key is known then, and the session
// stops before any share when nothing is left for the key to sign.

// signedByKey splits the inputs of key fp (the inputs whose derivations
// name it, finalized ones left out) into those that already carry its
// signature and those left to sign.
func signedByKey(p *psbt.Packet, a *psbt.Analysis, fp uint32) (done, left []int) {
	signed := map[int]bool{}
	for _, ks := range p.SignaturesOf(fp) {
		signed[ks.Input] = true
	}
	for _, c := range p.Claims() {
		i := c.Input
		if c.Output >= 0 || c.Fingerprint != fp || i >= len(a.Inputs) || a.Inputs[i].Finalized {
			continue
		}
		if slices.Contains(done, i) || slices.Contains(left, i) {
			continue
		}
		if signed[i] {
			done = append(done, i)
		} else {
			left = append(left, i)
		}
	}
	return done, left
}

// checkSignedBeforeKey tells the operator which inputs already carry the
// signature of the key about to be rebuilt, when that key is known before
// it, and refuses, before any share, a PSBT where nothing is left to sign
// for any key the shares could rebuild.
func (s *signSession) checkSignedBeforeKey() error {
	if s.review.a.Complete {
		// Every input carries its final scripts: nothing any key could
		// add, and knowable without one.
		return s.refuse(s.review.a, "already-final", "", transport.WithHint(
			fmt.Errorf("%w to sign:\n%s\nnothing was signed, and no share was asked for", ErrRefused, screenText("  every input is already finalized: the transaction is complete, and nothing is left for any key to sign")),
			"give it to airsign-online broadcast; if an input should not be final, ask for the PSBT again"))
	}
	var keys []string
	for _, fp := range s.review.candidates {
		done, left := signedByKey(s.p, s.review.a, fp)
		if len(done) == 0 || len(left) > 0 {
			keys = nil
			break
		}
		keys = append(keys, psbt.FormatFingerprint(fp))
	}
	if len(keys) > 0 {
		err := transport.WithHint(
			fmt.Errorf("%w to sign:\n%s\nnothing was signed, and no share was asked for", ErrRefused, screenText(fmt.Sprintf("  every input of key %s already carries its signature: nothing is left for this key to sign", strings.Join(keys, " or ")))),
			nextSigner)
		return s.refuse(s.review.a, "already-signed", "", err)
	}
	if s.review.guessed || s.review.fingerprint == 0 {
		return nil // the key is known only once rebuilt: see keptSignatures
	}
	if done, _ := signedByKey(s.p, s.review.a, s.review.fingerprint); len(done) > 0 {
		s.keptNoticed = true
		sayf(s.env.Stderr, "%s a signature from key %s; it is kept, and the input is not signed twice.\n", alreadyCarry(done), psbt.FormatFingerprint(s.review.fingerprint))
	}
	return nil
}

// nextSigner is the hint when nothing is left for this key to sign.
const nextSigner = "give the PSBT to airsign-online broadcast, or to the next cosigner"

// alreadyCarry says "input 2 already carries" or "inputs 0, 2 already carry".
func alreadyCarry(idx []int) string {
	if len(idx) == 1 {
		return fmt.Sprintf("Input %d already carries", idx[0])
	}
	return "I" + countInputs(idx)[1:] + " already carry"
}

// keptSignatures compares the key's signatures before psbt.Sign (before)
// with the PSBT after it: an input whose signature came out the same kept
// it and was not newly signed. It returns the inputs newly signed and the
// ones kept, and warns about a signature that was replaced (one the PSBT
// carried for our key that is not its signature of this transaction).
func (s *signSession) keptSignatures(before []psbt.KeySignature) (newly, kept []int) {
	// Sign verified every signature it made, and before holds only ones
	// that verify: no need to check the thousand of them again.
	after := s.p.CarriedSignaturesOf(s.key.Fingerprint)
	for _, i := range s.res.Signed {
		had, same := false, true
		for _, b := range before {
			if b.Input != i {
				continue
			}
			had = true
			if !slices.ContainsFunc(after, func(a psbt.KeySignature) bool {
				return a.Input == i && bytes.Equal(a.PubKey, b.PubKey) && bytes.Equal(a.Signature, b.Signature)
			}) {
				same = false
			}
		}
		switch {
		case !had:
			newly = append(newly, i)
		case same:
			kept = append(kept, i)
		default:
			newly = append(newly, i)
			s.env.warnf("input %d carried a signature for key %s that is not its signature of this transaction; it is replaced by the key's own", i, psbt.FormatFingerprint(s.key.Fingerprint))
		}
	}
	if len(kept) > 0 && !s.keptNoticed {
		sayf(s.env.Stderr, "%s a signature from key %s; it is kept, and the input is not signed twice.\n", alreadyCarry(kept), psbt.FormatFingerprint(s.key.Fingerprint))
	}
	return newly, kept
}
