package offline

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"github.com/btcsuite/btcd/txscript"
	"os"
	"slices"
	"strings"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/shamir"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/chaincfg"
)

// The review before the key.
//
// Before the shares are typed the signer knows the PSBT, the network, the
// policy and (with --wallet) the enrolled descriptor, but not the key. It
// analyses the PSBT as the key would, taking each change claim the PSBT
// makes at face value: a true claim gives exactly the analysis the key will
// give, and a false one is refused once the key is there (fake-change). So
// a PSBT refused here is refused with any key, and holders are never asked
// for shares to be told their PSBT is refused for its fee.

// enrolledWallet is an enrollment read before the key; its tag is checked
// with the key in rebuildKey.
type enrolledWallet struct {
	path string
	e    Enrollment
	d    *descriptor.Descriptor
}

// review is the analysis shown before the key.
type review struct {
	a *psbt.Analysis
	// fingerprint is the master key the analysis assumed.
	fingerprint uint32
	// unproven lists the outputs taken as change on the PSBT's word.
	unproven map[int]bool
	// guessed is true when our fingerprint was not known and the inputs
	// name keys (how many) of which the one reviewed was picked.
	guessed bool
	keys    int
	// candidates are the master keys the shares may rebuild: the known
	// one, or every key the inputs name.
	candidates []uint32
}

// knownFingerprint is the master fingerprint of the key about to be
// rebuilt, when it is known without the key: --expect-fingerprint, the
// share files' headers, the enrolled wallet. 0 when it is not known.
func (s *signSession) knownFingerprint() (uint32, error) {
	ks := s.opts.Key
	if ks.Passphrase {
		// --expect-fingerprint and the shares' headers name the key
		// without the passphrase; the key that signs is another one,
		// which only the wallet enrolled with it names. Taking the
		// shares' key for it would refuse, as "no input of this key",
		// every PSBT of the passphrase's wallet before the shares.
		if ks.ExpectFingerprint != "" {
			if _, err := ParseFingerprint(ks.ExpectFingerprint); err != nil {
				return 0, err
			}
		}
		return s.enrolledFingerprint()
	}
	if ks.ExpectFingerprint != "" {
		fp, err := ParseFingerprint(ks.ExpectFingerprint)
		if err != nil {
			return 0, err
		}
		return fingerprintUint32(fp), nil
	}
	if len(ks.ShareFiles) > 0 && ks.MnemonicFile == "" {
		// A share's header names its key; the share itself is wiped unread.
		data, err := os.ReadFile(ks.ShareFiles[0])
		if err != nil {
			return 0, fmt.Errorf("reading share file: %w", err)
		}
		sh, err := shamir.ParseShare(data, ks.ShareFiles[0])
		wipe(data)
		if err != nil {
			return 0, err
		}
		fp := sh.Fingerprint
		sh.Wipe()
		return fingerprintUint32(fp), nil
	}
	return s.enrolledFingerprint()
}

// enrolledFingerprint is the master fingerprint the enrolled wallet names
// for our key, 0 without one.
func (s *signSession) enrolledFingerprint() (uint32, error) {
	if s.enrolled == nil || s.enrolled.e.Fingerprint == "" {
		return 0, nil
	}
	fp, err := ParseFingerprint(s.enrolled.e.Fingerprint)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", s.enrolled.path, err)
	}
	return fingerprintUint32(fp), nil
}

// fingerprintUint32 is shamirFingerprint backwards: the master
// fingerprint as psbt (and BIP32) hold it.
func fingerprintUint32(fp shamir.Fingerprint) uint32 { return binary.LittleEndian.Uint32(fp[:]) }

// reviewPSBT analyses p before the key. known is our master fingerprint if
// known (else 0): then the PSBT is analysed for every key its inputs name,
// and refused only if it is refused for each of them (if our key is none of
// them, no input is ours and the key would refuse too).
func reviewPSBT(p *psbt.Packet, net *chaincfg.Params, pol psbt.Policy, enrolled *enrolledWallet, known uint32) *review {
	rs := reviewCandidates(p, net, pol, enrolled, known)
	for _, r := range rs {
		if len(r.a.Refusals()) == 0 {
			return r
		}
	}
	return rs[0]
}

// reviewCandidates is the review for each key the shares may rebuild: the
// known one, or else every key the inputs name.
func reviewCandidates(p *psbt.Packet, net *chaincfg.Params, pol psbt.Policy, enrolled *enrolledWallet, known uint32) []*review {
	claims := p.Claims()
	candidates := []uint32{known}
	if known == 0 {
		candidates = nil
		for _, c := range claims {
			if c.Output < 0 && c.Fingerprint != 0 && !slices.Contains(candidates, c.Fingerprint) {
				candidates = append(candidates, c.Fingerprint)
			}
		}
	}
	if len(candidates) == 0 {
		// No input names any key: Analyze with fingerprint 0 finds no
		// input of ours, which analyzeFor refuses.
		candidates = []uint32{0}
	}
	var rs []*review
	for _, fp := range candidates {
		r := &review{a: analyzeFor(p, net, pol, fp, reviewWallet(p, fp, net, enrolled, claims)), fingerprint: fp, unproven: map[int]bool{}}
		for i, out := range r.a.Outputs {
			if out.Change && !provenBy(enrolled, claims, fp, out) {
				// Change on the PSBT's word: shown (and in --json) as
				// claimed, not verified, until the key proves it.
				r.unproven[out.Index] = true
				r.a.Outputs[i].Verified = false
			}
		}
		r.guessed, r.keys, r.candidates = len(candidates) > 1, len(candidates), candidates
		rs = append(rs, r)
	}
	return rs
}

// agree says whether the reviews for every candidate key come to the
// same: all refused, or all accepted with the same screen (what is change
// and what leaves). Then which key the shares rebuild changes nothing
// before the key.
func agree(rs []*review) bool {
	refused := len(rs[0].a.Refusals()) > 0
	for _, r := range rs[1:] {
		if len(r.a.Refusals()) > 0 != refused || !refused && r.differs(rs[0].a) != "" {
			return false
		}
	}
	return true
}

// reviewWallet is changeWallet before the key: the enrolled descriptor
// alone, or else the PSBT's own claims limited to the accounts the inputs
// spend from.
func reviewWallet(p *psbt.Packet, fp uint32, net *chaincfg.Params, enrolled *enrolledWallet, claims []psbt.Claim) psbt.Wallet {
	if enrolled != nil {
		return psbt.ChangeWallet(p, fp, psbt.DescriptorWallet(enrolled.d), nil)
	}
	return psbt.ChangeWallet(p, fp, nil, newClaimWallet(claims, fp, net))
}

// analyzeFor is the analysis with the policy applied, for the key with
// fingerprint fp; a PSBT none of whose inputs belongs to that key is
// refused.
func analyzeFor(p *psbt.Packet, net *chaincfg.Params, pol psbt.Policy, fp uint32, wallet psbt.Wallet) *psbt.Analysis {
	a := pol.Apply(psbt.Analyze(p, net, fp, wallet))
	for _, in := range a.Inputs {
		if in.Ours {
			return a
		}
	}
	msg := "no input names a key (BIP32 derivation); prepare the PSBT with the watch-only wallet of this key"
	switch {
	case a.Complete:
		// Already signed and finalized (finalizers drop the derivations):
		// say so, instead of blaming the key or the shares.
		msg = "every input is already signed and finalized: nothing is left to sign; give it to airsign-online broadcast"
	case fp != 0:
		msg = fmt.Sprintf("no input belongs to key %s; check the key or shares used", psbt.FormatFingerprint(fp))
	}
	a.Problems = append(a.Problems, psbt.Problem{Input: -1, Output: -1, Severity: psbt.Refuse, Code: psbt.CodeNotOurKey, Message: msg})
	return a
}

// provenBy says whether the enrolled descriptor itself proves out as
// change (rather than the PSBT's claim).
func provenBy(enrolled *enrolledWallet, claims []psbt.Claim, fp uint32, out psbt.Output) bool {
	if enrolled == nil {
		return false
	}
	w := psbt.DescriptorWallet(enrolled.d)
	for _, c := range claims {
		if c.Output == out.Index && c.Fingerprint == fp {
			if script, _, _, ok := w.ScriptAt(c.Fingerprint, c.Path); ok && bytes.Equal(script, c.Script) {
				return true
			}
		}
	}
	return false
}

// differs says how the analysis with the key differs from the one shown
// before it, in what the operator confirmed: what is change and what
// leaves. "" when it does not.
func (r *review) differs(a *psbt.Analysis) string {
	if len(a.Outputs) != len(r.a.Outputs) {
		return "the outputs are not the same"
	}
	for i, out := range a.Outputs {
		if out.Change != r.a.Outputs[i].Change {
			return fmt.Sprintf("output %d is %s", i, map[bool]string{true: "change, not external", false: "external, not change"}[out.Change])
		}
	}
	if a.Spend != r.a.Spend {
		return fmt.Sprintf("%s leaves the wallet, not %s", psbt.FormatBTC(a.Spend), psbt.FormatBTC(r.a.Spend))
	}
	return ""
}

// claimWallet is the wallet as the PSBT describes it: at each derivation
// of key fp that follows a standard single-key account pattern (the one
// keyWallet accepts), the script the PSBT's own output (or, failing that,
// input) says is there. Two outputs claiming one path with different
// scripts get the first one's script, so the second is refused as fake
// change: at most one of them can be true.
type claimWallet struct {
	net     *chaincfg.Params
	fp      uint32
	scripts map[string][]byte
}

func newClaimWallet(claims []psbt.Claim, fp uint32, net *chaincfg.Params) *claimWallet {
	w := &claimWallet{net: net, fp: fp, scripts: map[string][]byte{}}
	// Outputs first: an input's claim only fills a path no output claims.
	for _, outputs := range []bool{true, false} {
		for _, c := range claims {
			if (c.Output >= 0) != outputs || c.Fingerprint != fp || c.Script == nil {
				continue
			}
			k := psbt.FormatPath(c.Fingerprint, c.Path)
			if _, ok := w.scripts[k]; !ok {
				w.scripts[k] = c.Script
			}
		}
	}
	return w
}

// ScriptAt implements psbt.Wallet.
func (w *claimWallet) ScriptAt(fp uint32, path []uint32) ([]byte, uint32, uint32, bool) {
	if fp != w.fp || fp == 0 {
		return nil, 0, 0, false
	}
	kind, ok := standardPath(path, w.net)
	if !ok {
		return nil, 0, 0, false
	}
	script, ok := w.scripts[psbt.FormatPath(fp, path)]
	if !ok || !kindScript(kind, script) {
		// A script of another type than the path's purpose names is
		// nothing the key-derived wallet has there: judged so now, the
		// review says what the key will find (say, our key's P2PKH coin
		// under a BIP84 path proves no account spent).
		return nil, 0, 0, false
	}
	return script, path[3], path[4], true
}

// kindScript reports whether script has the shape of kind's addresses.
func kindScript(kind descriptor.Kind, script []byte) bool {
	switch kind {
	case descriptor.WPKH:
		return txscript.IsPayToWitnessPubKeyHash(script)
	case descriptor.SHWPKH:
		return txscript.IsPayToScriptHash(script)
	case descriptor.TR:
		return txscript.IsPayToTaproot(script)
	}
	return false
}

// typed says the key comes from what a person types (shares or the
// mnemonic at the terminal), not from files: then asking a question first
// costs less than shares typed for a refusal.
func (ks KeySource) typed() bool { return ks.MnemonicFile == "" && len(ks.ShareFiles) == 0 }

// askWhichKey asks which of the keys the inputs name the shares rebuild,
// when the PSBT is refused for some of them and not for others (or shows
// otherwise for them): the answer, printed on every share card, lets the
// review refuse before the shares are typed. Any fingerprint is taken; one
// the inputs do not name is refused by the review (no input is its).
func (s *signSession) askWhichKey(rs []*review) (uint32, error) {
	var names []string
	for _, r := range rs {
		names = append(names, psbt.FormatFingerprint(r.fingerprint))
	}
	sayf(s.env.Stderr, "The inputs name %d keys (%s), and what this PSBT does is not the same for each of them.\n", len(rs), strings.Join(names, ", "))
	for try := 1; ; try++ {
		typed, err := s.env.Prompter.ReadLine("Which key do the shares rebuild? Its fingerprint, from a share card: ")
		if err != nil {
			return 0, err
		}
		fp, err := ParseFingerprint(strings.TrimSpace(typed))
		if err == nil {
			return fingerprintUint32(fp), nil
		}
		if try == DigestTries {
			return 0, transport.WithHint(fmt.Errorf("%q is not a key fingerprint (8 hex digits, as %s)", strings.TrimSpace(typed), names[0]), "give --expect-fingerprint, or --wallet with the enrolled wallet")
		}
		sayf(s.env.Stderr, "That is not a key fingerprint (8 hex digits, as %s): type it again.\n", names[0])
	}
}
