// Package shamir splits a BIP39 entropy secret into shares that people copy
// by hand, and combines them back, catching every mistake on the way.
//
// The GF(256) arithmetic is hashicorp/vault's shamir package. Vault's Combine
// returns a wrong secret with a nil error when it is given too few shares, a
// share of another set, or a corrupted byte, and accepts x-coordinate 0
// (which returns that share's own bytes). This package never lets that
// happen: every share carries its set id, threshold, count, index and the
// master key fingerprint under a BCH checksum, and the secret carries an
// integrity digest that is checked after every combination.
//
// The format is specified in docs/shares.md, with enough detail to recover a
// secret without airsign.
package shamir

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"slices"

	vaultshamir "github.com/hashicorp/vault/shamir"
)

// digest returns the first DigestLen bytes of HMAC-SHA256 keyed with the set
// header (version, set id, threshold, count, fingerprint) over the secret.
// Keying with the header binds the secret to the set's fields, so a share
// whose threshold or fingerprint was altered fails the digest too.
func digest(setHeader, secret []byte) []byte {
	mac := hmac.New(sha256.New, setHeader)
	mac.Write(secret)
	sum := mac.Sum(nil)
	d := append([]byte(nil), sum[:DigestLen]...)
	clear(sum)
	return d
}

// interpolate returns, for every byte position, the value at x = at of the
// polynomial through the points (xs[k], ys[k]). It uses vault's Combine,
// which interpolates at x = 0, by shifting every x-coordinate by at: in
// GF(2^8) the polynomial Q(x) = P(x XOR at) passes through (xs[k] XOR at,
// ys[k]) and Q(0) = P(at). The x-coordinates must be distinct.
func interpolate(xs []byte, ys [][]byte, at byte) ([]byte, error) {
	parts := make([][]byte, len(xs))
	defer func() {
		for _, p := range parts {
			clear(p)
		}
	}()
	for k := range xs {
		p := make([]byte, len(ys[k])+1)
		copy(p, ys[k])
		p[len(ys[k])] = xs[k] ^ at
		parts[k] = p
	}
	return vaultshamir.Combine(parts)
}

// Split divides secret (BIP39 entropy: 16, 20, 24, 28 or 32 bytes) into
// count shares, any threshold of which recover it (2 ≤ threshold ≤ count ≤
// 16). fingerprint is the BIP32 master key fingerprint of the wallet the
// secret belongs to; it is written on every share. All randomness (the set
// id, and the polynomials) is read from random, which must be
// crypto/rand.Reader outside tests; nil means crypto/rand.Reader.
//
// Share i holds P(i) for a polynomial P of degree threshold-1 per byte with
// P(0) = secret || digest. Shares 1..threshold-1 are uniformly random and the
// others are interpolated, as in SLIP-39; this is the same distribution as
// random coefficients. Before returning, Split combines the shares it made
// and checks they give back the secret.
func Split(secret []byte, fingerprint Fingerprint, threshold, count int, random io.Reader) ([]Share, error) {
	if !validSecretLen(len(secret)) {
		return nil, fmt.Errorf("shamir: split: %w (got %d bytes)", ErrSecretLength, len(secret))
	}
	if threshold < 2 || threshold > count || count > MaxShares {
		return nil, fmt.Errorf("shamir: split: %w (got %d of %d)", ErrParams, threshold, count)
	}
	if random == nil {
		random = rand.Reader
	}
	proto := Share{Version: Version, Threshold: threshold, Count: count, Fingerprint: fingerprint}
	if _, err := io.ReadFull(random, proto.SetID[:]); err != nil {
		return nil, fmt.Errorf("shamir: split: reading randomness: %w", err)
	}

	m := make([]byte, 0, len(secret)+DigestLen)
	defer func() { clear(m) }()
	m = append(m, secret...)
	d := digest(proto.setHeader(), secret)
	m = append(m, d...)
	clear(d)

	shares := make([]Share, count)
	xs := []byte{0}
	ys := [][]byte{m}
	fail := func(err error) ([]Share, error) {
		for _, y := range ys[1:] {
			clear(y)
		}
		for i := range shares {
			shares[i].Wipe()
		}
		return nil, err
	}
	for i := 1; i < threshold; i++ {
		y := make([]byte, len(m))
		if _, err := io.ReadFull(random, y); err != nil {
			clear(y)
			return fail(fmt.Errorf("shamir: split: reading randomness: %w", err))
		}
		xs = append(xs, byte(i))
		ys = append(ys, y)
	}
	for i := 1; i <= count; i++ {
		sh := proto
		sh.Index = i
		if i < threshold {
			sh.Payload = ys[i]
		} else {
			y, err := interpolate(xs, ys, byte(i))
			if err != nil {
				return fail(fmt.Errorf("shamir: split: %w", err))
			}
			sh.Payload = y
		}
		shares[i-1] = sh
	}

	// A split that cannot be combined must never be handed out.
	got, err := Combine(shares)
	if err != nil {
		return fail(fmt.Errorf("shamir: split: self-check failed: %w", err))
	}
	ok := hmac.Equal(got, secret)
	clear(got)
	if !ok {
		return fail(errors.New("shamir: split: self-check failed: shares do not give back the secret"))
	}
	return shares, nil
}

// Report is what Verify learned about a set of shares. It holds no secret.
type Report struct {
	SetID       SetID
	Version     int
	Threshold   int
	Count       int
	Fingerprint Fingerprint
	SecretLen   int   // bytes of the secret the set protects
	Indices     []int // the share indexes given, ascending
	// Recovered is true when at least Threshold shares were given and they
	// were combined in memory, the digest checked out, and every share given
	// fits the recovered polynomial. The secret itself was wiped.
	Recovered bool
}

// Combine recovers the secret from at least Threshold shares of one set.
// It checks every share, that they belong to one set and agree, that none is
// duplicated and there are enough, and, after combining, the digest. Given
// more than Threshold shares, it finds and names any share that does not fit
// the others. It returns the secret only if everything checks; the caller
// must clear it after use.
func Combine(shares []Share) ([]byte, error) {
	secret, _, err := combine(shares, nil, true)
	return secret, err
}

// CombineExpect is Combine, and also refuses shares whose master key
// fingerprint is not expect (the fingerprint the caller's watch-only wallet
// or ceremony log names).
func CombineExpect(shares []Share, expect Fingerprint) ([]byte, error) {
	secret, _, err := combine(shares, &expect, true)
	return secret, err
}

// Verify checks shares without handing out the secret: each share's fields,
// one set, agreement, no duplicates. With at least Threshold shares it
// combines them in memory, checks the digest and that every share fits, and
// wipes the result. Fewer than Threshold shares are not an error here; the
// Report says Recovered false.
func Verify(shares []Share) (Report, error) {
	_, rep, err := combine(shares, nil, false)
	return rep, err
}

// VerifyExpect is Verify, and also checks the master key fingerprint against
// expect.
func VerifyExpect(shares []Share, expect Fingerprint) (Report, error) {
	_, rep, err := combine(shares, &expect, false)
	return rep, err
}

func combine(shares []Share, expect *Fingerprint, wantSecret bool) (secret []byte, rep Report, err error) {
	if len(shares) == 0 {
		return nil, rep, setErr(nil, ErrTooFew, "no shares given")
	}
	for _, s := range shares {
		if err := s.Validate(); err != nil {
			return nil, rep, err
		}
	}
	if err := checkOneSet(shares); err != nil {
		return nil, rep, err
	}
	first := shares[0]
	rep = Report{
		SetID: first.SetID, Version: first.Version, Threshold: first.Threshold, Count: first.Count,
		Fingerprint: first.Fingerprint, SecretLen: first.SecretLen(),
	}
	for _, s := range shares {
		rep.Indices = append(rep.Indices, s.Index)
	}
	slices.Sort(rep.Indices)
	if expect != nil && *expect != first.Fingerprint {
		return nil, rep, setErr(nil, ErrFingerprint,
			"these shares are for master key %s, but %s was expected", first.Fingerprint, *expect)
	}
	t := first.Threshold
	if len(shares) < t {
		if !wantSecret {
			return nil, rep, nil
		}
		return nil, rep, setErr(nil, ErrTooFew, "need %d shares, got %d", t, len(shares))
	}

	sorted := slices.Clone(shares)
	slices.SortFunc(sorted, func(a, b Share) int { return a.Index - b.Index })
	m, base, err := findAgreeing(sorted)
	if err != nil {
		return nil, rep, err
	}
	defer clear(m)
	// Every share must lie on the polynomial the agreeing subset defines.
	// T shares define it, so a subset of exactly T fits by construction;
	// from a larger one, take T-1 and check every other share against them
	// and M. That also catches the (engineered) case of errors that cancel
	// out in a larger subset.
	trusted := base
	if len(base) > t {
		trusted = base[:t-1]
	}
	var bad []string
	for k, s := range sorted {
		if slices.Contains(trusted, k) {
			continue
		}
		fits, err := fitsWith(sorted, base[:t-1], s, m)
		if err != nil {
			return nil, rep, err
		}
		if !fits {
			bad = append(bad, s.name())
		}
	}
	if bad != nil {
		verb := "does"
		if len(bad) > 1 {
			verb = "do"
		}
		return nil, rep, setErr(bad, ErrBadShares,
			"%s %s not fit the other shares: forged, corrupted, or from a different split (the other %d agree)",
			andList(bad), verb, len(shares)-len(bad))
	}
	rep.Recovered = true
	if wantSecret {
		secret = append([]byte(nil), m[:len(m)-DigestLen]...)
	}
	return secret, rep, nil
}

// checkOneSet checks that all shares are of one set, agree on its fields,
// and that no index appears twice.
func checkOneSet(shares []Share) error {
	var sets []SetID
	members := map[SetID][]string{}
	for _, s := range shares {
		if _, ok := members[s.SetID]; !ok {
			sets = append(sets, s.SetID)
		}
		members[s.SetID] = append(members[s.SetID], s.name())
	}
	if len(sets) > 1 {
		desc := make([]string, len(sets))
		for i, id := range sets {
			desc[i] = fmt.Sprintf("%s (%s)", id, andList(members[id]))
		}
		what := "two share sets"
		if len(sets) > 2 {
			what = fmt.Sprintf("%d share sets", len(sets))
		}
		return setErr(nil, ErrMixedSets, "you are mixing %s: %s", what, andList(desc))
	}

	first := shares[0]
	for _, s := range shares[1:] {
		a, b := s.name(), first.name()
		switch {
		case s.Threshold != first.Threshold || s.Count != first.Count:
			return setErr([]string{a, b}, ErrDisagree,
				"%s says %d of %d but %s says %d of %d: shares of one set must agree (one of them is corrupted or forged)",
				a, s.Threshold, s.Count, b, first.Threshold, first.Count)
		case s.Fingerprint != first.Fingerprint:
			return setErr([]string{a, b}, ErrDisagree,
				"%s is for master key %s but %s for %s: shares of one set must agree (one of them is corrupted or forged)",
				a, s.Fingerprint, b, first.Fingerprint)
		case len(s.Payload) != len(first.Payload):
			return setErr([]string{a, b}, ErrDisagree,
				"%s holds a %d-byte secret but %s a %d-byte one: shares of one set must agree (one of them is corrupted or forged)",
				a, s.SecretLen(), b, first.SecretLen())
		}
	}

	byIndex := map[int]Share{}
	for _, s := range shares {
		o, seen := byIndex[s.Index]
		if !seen {
			byIndex[s.Index] = s
			continue
		}
		a, b := o.name(), s.name()
		if equalPayload(o.Payload, s.Payload) {
			return setErr([]string{b}, ErrDuplicate, "%s and %s are the same share (index %d); give each share once", a, b, s.Index)
		}
		return setErr([]string{a, b}, ErrConflict,
			"%s and %s both say index %d but differ: one of them is corrupted or forged", a, b, s.Index)
	}
	return nil
}

// maxSubsets bounds the search for an agreeing subset; C(16,8) = 12870 is
// the most there can be, so this only guards against future changes.
const maxSubsets = 20000

// findAgreeing returns secret||digest from a subset of at least Threshold
// shares whose combination passes the digest, and the positions of that
// subset in shares. It tries, in order: all shares; every set leaving one
// out (so one bad share costs at most len(shares) tries); then every
// Threshold-subset in index order. Given exactly Threshold shares, that is
// the one combination.
func findAgreeing(shares []Share) (m []byte, subset []int, err error) {
	t, k := shares[0].Threshold, len(shares)
	header := shares[0].setHeader()
	try := func(idx []int) ([]byte, error) {
		xs := make([]byte, len(idx))
		ys := make([][]byte, len(idx))
		for j, i := range idx {
			xs[j] = byte(shares[i].Index)
			ys[j] = shares[i].Payload
		}
		m, err := interpolate(xs, ys, 0)
		if err != nil {
			return nil, fmt.Errorf("shamir: combine: %w", err)
		}
		d := digest(header, m[:len(m)-DigestLen])
		ok := hmac.Equal(d, m[len(m)-DigestLen:])
		clear(d)
		if !ok {
			clear(m)
			return nil, nil
		}
		return m, nil
	}
	if k > t {
		all := make([]int, k)
		for i := range all {
			all[i] = i
		}
		if m, err := try(all); m != nil || err != nil {
			return m, all, err
		}
	}
	if k-1 > t {
		for out := 0; out < k; out++ {
			idx := make([]int, 0, k-1)
			for i := 0; i < k; i++ {
				if i != out {
					idx = append(idx, i)
				}
			}
			if m, err := try(idx); m != nil || err != nil {
				return m, idx, err
			}
		}
	}
	idx := make([]int, t)
	for i := range idx {
		idx[i] = i
	}
	for tries := 0; tries < maxSubsets; tries++ {
		if m, err := try(idx); m != nil || err != nil {
			return m, idx, err
		}
		if !nextSubset(idx, k) {
			break
		}
	}
	if k == t {
		return nil, nil, setErr(nil, ErrForged,
			"at least one share is forged or from a different split: the recovered secret fails its digest")
	}
	return nil, nil, setErr(nil, ErrForged,
		"no %d of these %d shares agree: at least %d of them are forged, corrupted, or from a different split",
		t, k, k-t+1)
}

// nextSubset advances idx to the next t-subset of 0..n-1 in lexicographic
// order; false when idx was the last.
func nextSubset(idx []int, n int) bool {
	t := len(idx)
	i := t - 1
	for i >= 0 && idx[i] == n-t+i {
		i--
	}
	if i < 0 {
		return false
	}
	idx[i]++
	for j := i + 1; j < t; j++ {
		idx[j] = idx[j-1] + 1
	}
	return true
}

// fitsWith reports whether share s lies on the polynomial that the shares at
// positions base (Threshold-1 of them, all on it) and m = P(0) define: the
// interpolation through base and s gives P(0) back if and only if s is on P,
// because the Lagrange weight of s at 0 is never zero.
func fitsWith(shares []Share, base []int, s Share, m []byte) (bool, error) {
	xs := make([]byte, 0, len(base)+1)
	ys := make([][]byte, 0, len(base)+1)
	for _, i := range base {
		xs = append(xs, byte(shares[i].Index))
		ys = append(ys, shares[i].Payload)
	}
	xs = append(xs, byte(s.Index))
	ys = append(ys, s.Payload)
	got, err := interpolate(xs, ys, 0)
	if err != nil {
		return false, fmt.Errorf("shamir: combine: %w", err)
	}
	ok := hmac.Equal(got, m)
	clear(got)
	return ok, nil
}
