package shamir

import (
	"bytes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	vaultshamir "github.com/hashicorp/vault/shamir"
)

// subsets calls f with every k-subset of 0..n-1.
func subsets(n, k int, f func([]int)) {
	idx := make([]int, k)
	for i := range idx {
		idx[i] = i
	}
	for {
		f(idx)
		if !nextSubset(idx, n) {
			return
		}
	}
}

func pick(shares []Share, idx []int) []Share {
	out := make([]Share, len(idx))
	for i, k := range idx {
		out[i] = shares[k]
	}
	return out
}

// TestEverySubsetRecovers: every subset of T or more shares of a 3-of-5 and
// a 5-of-9 split recovers the secret (after a round trip through the text);
// every subset of T-1 is refused.
func TestEverySubsetRecovers(t *testing.T) {
	for _, c := range []struct{ t, n, secretLen int }{{3, 5, 16}, {5, 9, 32}, {2, 2, 20}, {16, 16, 24}} {
		secret, shares := mustSplit(t, c.secretLen, c.t, c.n, fmt.Sprint("subsets ", c.t, c.n))
		for i, s := range shares {
			p, err := ParseShare([]byte(text(t, s)), fmt.Sprint("share ", i+1))
			if err != nil {
				t.Fatal(err)
			}
			shares[i] = p
		}
		count := 0
		for k := c.t; k <= c.n; k++ {
			subsets(c.n, k, func(idx []int) {
				got, err := Combine(pick(shares, idx))
				if err != nil || !bytes.Equal(got, secret) {
					t.Fatalf("%d-of-%d, shares %v: %x, %v", c.t, c.n, idx, got, err)
				}
				count++
			})
		}
		subsets(c.n, c.t-1, func(idx []int) {
			_, err := Combine(pick(shares, idx))
			if !errors.Is(err, ErrTooFew) || err.Error() != fmt.Sprintf("need %d shares, got %d", c.t, c.t-1) {
				t.Fatalf("%d-of-%d, shares %v: %v", c.t, c.n, idx, err)
			}
		})
		if c.t == 3 && c.n == 5 && count != 10+5+1 {
			t.Fatalf("tried %d subsets", count)
		}
	}
}

// TestSplitDeterministic: with the same randomness Split gives the same
// shares; the set id comes first from the reader; shares 1..T-1 are the
// next random bytes; the order of shares given to Combine does not matter.
func TestSplitDeterministic(t *testing.T) {
	_, a := mustSplit(t, 32, 3, 5, "same")
	_, b := mustSplit(t, 32, 3, 5, "same")
	_, c := mustSplit(t, 32, 3, 5, "other")
	for i := range a {
		if text(t, a[i]) != text(t, b[i]) {
			t.Fatal("same randomness, different shares")
		}
	}
	if a[0].SetID == c[0].SetID {
		t.Fatal("different randomness, same set id")
	}
	r := seeded("same")
	skip := make([]byte, 32+4) // the secret mustSplit draws, and the set id
	r.Read(skip)
	if !bytes.Equal(skip[32:], a[0].SetID[:]) {
		t.Fatal("set id is not the first 4 random bytes")
	}
	y1 := make([]byte, 36)
	r.Read(y1)
	if !bytes.Equal(y1, a[0].Payload) {
		t.Fatal("share 1 is not the next random bytes")
	}
	for i, s := range a {
		if s.Index != i+1 || s.Threshold != 3 || s.Count != 5 || s.Version != Version || s.Fingerprint != testFP || s.SetID != a[0].SetID {
			t.Fatalf("share %d: %v", i+1, s)
		}
	}
	x, err1 := Combine([]Share{a[4], a[0], a[2]})
	y, err2 := Combine([]Share{a[2], a[4], a[0]})
	if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
		t.Fatal("order matters")
	}
}

// TestVaultCompatible: what docs/shares.md promises: vault's Combine, given
// payload || index, returns secret || digest.
func TestVaultCompatible(t *testing.T) {
	secret, shares := mustSplit(t, 24, 4, 7, "vault")
	var parts [][]byte
	for _, i := range []int{6, 1, 3, 4} {
		parts = append(parts, append(slices.Clone(shares[i].Payload), byte(shares[i].Index)))
	}
	m, err := vaultshamir.Combine(parts)
	if err != nil {
		t.Fatal(err)
	}
	d := digest(shares[0].setHeader(), secret)
	if !bytes.Equal(m, append(slices.Clone(secret), d...)) {
		t.Fatalf("vault gives %x", m)
	}
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.ErrUnexpectedEOF
	}
	k := min(r.n, len(p))
	r.n -= k
	return k, nil
}

func TestSplitErrors(t *testing.T) {
	tests := []struct {
		name      string
		secretLen int
		t, n      int
		rand      io.Reader
		err       error
	}{
		{"empty secret", 0, 2, 3, nil, ErrSecretLength},
		{"15 bytes", 15, 2, 3, nil, ErrSecretLength},
		{"17 bytes", 17, 2, 3, nil, ErrSecretLength},
		{"33 bytes", 33, 2, 3, nil, ErrSecretLength},
		{"64-byte seed", 64, 2, 3, nil, ErrSecretLength},
		{"threshold 1", 16, 1, 3, nil, ErrParams},
		{"threshold 0", 16, 0, 0, nil, ErrParams},
		{"threshold above count", 16, 4, 3, nil, ErrParams},
		{"17 shares", 16, 2, 17, nil, ErrParams},
		{"no randomness", 16, 2, 3, &failingReader{0}, io.ErrUnexpectedEOF},
		{"randomness runs out", 16, 3, 3, &failingReader{4 + 20}, io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			shares, err := Split(make([]byte, tc.secretLen), testFP, tc.t, tc.n, tc.rand)
			if !errors.Is(err, tc.err) || shares != nil {
				t.Fatalf("got %v, %v; want %v", len(shares), err, tc.err)
			}
		})
	}
	shares, err := Split(make([]byte, 16), testFP, 2, 3, nil) // nil: crypto/rand
	if err != nil || len(shares) != 3 {
		t.Fatal(err)
	}
}

// forge returns a copy of s with one payload byte changed.
func forge(s Share, at int) Share {
	s.Payload = slices.Clone(s.Payload)
	s.Payload[at] ^= 0x5a
	return s
}

// relabel returns a copy of s with another label.
func relabel(s Share, label string) Share {
	s.Label = label
	return s
}

// TestCombineErrors: every way a set of shares can be wrong, each naming
// the shares at fault, with the exact message the user sees.
func TestCombineErrors(t *testing.T) {
	_, s := mustSplit(t, 32, 3, 5, "combine errors")
	_, o := mustSplit(t, 32, 3, 5, "another set")
	_, small := mustSplit(t, 16, 3, 5, "small")
	set, other := s[0].SetID, o[0].SetID
	lab := func(sh ...Share) []Share {
		out := make([]Share, len(sh))
		for i, x := range sh {
			out[i] = relabel(x, fmt.Sprint("share ", x.Index))
		}
		return out
	}
	withT := func(x Share, tt, n int) Share { x.Threshold, x.Count = tt, n; return x }
	withFP := func(x Share, fp Fingerprint) Share { x.Fingerprint = fp; return x }
	withIndex := func(x Share, i int) Share { x.Index = i; return x }
	withSet := func(x Share, id SetID) Share { x.SetID = id; return x }
	// o[2] moved into set s: a share "from a different split" that passes every field check.
	stranger := relabel(withSet(o[2], set), "share-3b.txt")

	tests := []struct {
		name   string
		shares []Share
		expect *Fingerprint
		err    error
		blame  []string
		msg    string
	}{
		{"none", nil, nil, ErrTooFew, nil, "no shares given"},
		{"another set", lab(s[0], s[1], o[2]), nil, ErrMixedSets, nil,
			fmt.Sprintf("you are mixing two share sets: %s (share 1 and share 2) and %s (share 3)", set, other)},
		{"three sets", []Share{s[0], o[1], relabel(withSet(s[2], SetID{1, 2, 3, 4}), "card C")}, nil, ErrMixedSets, nil,
			fmt.Sprintf("you are mixing 3 share sets: %s (share 1), %s (share 2) and 01020304 (card C)", set, other)},
		{"duplicate", []Share{relabel(s[0], "a.txt"), relabel(s[1], "b.txt"), relabel(s[0], "c.txt")}, nil, ErrDuplicate, []string{"c.txt"},
			"a.txt and c.txt are the same share (index 1); give each share once"},
		{"same index, different payload", []Share{s[0], s[1], relabel(forge(s[1], 3), "share 2 again")}, nil, ErrConflict, []string{"share 2", "share 2 again"},
			"share 2 and share 2 again both say index 2 but differ: one of them is corrupted or forged"},
		{"index 0", []Share{s[0], s[1], relabel(withIndex(s[2], 0), "share 3")}, nil, ErrIndexZero, nil,
			"share 3 has index 0, which no share can have (indexes run 1..5)"},
		{"negative index", []Share{s[0], withIndex(s[2], -1)}, nil, ErrField, nil,
			"share -1 has index -1, outside 1..5"},
		{"T/N disagreement", lab(s[0], s[1], withT(s[2], 2, 5)), nil, ErrDisagree, []string{"share 3", "share 1"},
			"share 3 says 2 of 5 but share 1 says 3 of 5: shares of one set must agree (one of them is corrupted or forged)"},
		{"N disagreement", lab(s[0], withT(s[1], 3, 6)), nil, ErrDisagree, []string{"share 2", "share 1"},
			"share 2 says 3 of 6 but share 1 says 3 of 5: shares of one set must agree (one of them is corrupted or forged)"},
		{"fingerprint disagreement", lab(s[0], withFP(s[1], Fingerprint{1, 2, 3, 4})), nil, ErrDisagree, []string{"share 2", "share 1"},
			"share 2 is for master key 01020304 but share 1 for 73c5da0a: shares of one set must agree (one of them is corrupted or forged)"},
		{"length disagreement", lab(s[0], withSet(small[1], set)), nil, ErrDisagree, []string{"share 2", "share 1"},
			"share 2 holds a 16-byte secret but share 1 a 32-byte one: shares of one set must agree (one of them is corrupted or forged)"},
		{"fewer than T", lab(s[3], s[1]), nil, ErrTooFew, nil, "need 3 shares, got 2"},
		{"fewer than T, one duplicated", lab(s[3], s[1], s[1]), nil, ErrDuplicate, []string{"share 2"},
			"share 2 and share 2 are the same share (index 2); give each share once"},
		{"T shares, one forged", lab(s[0], forge(s[1], 0), s[2]), nil, ErrForged, nil,
			"at least one share is forged or from a different split: the recovered secret fails its digest"},
		{"T shares, one from another split", []Share{s[0], stranger, s[1]}, nil, ErrForged, nil,
			"at least one share is forged or from a different split: the recovered secret fails its digest"},
		{"T+1, one forged", lab(s[0], s[1], s[2], forge(s[3], 35)), nil, ErrBadShares, []string{"share 4"},
			"share 4 does not fit the other shares: forged, corrupted, or from a different split (the other 3 agree)"},
		{"T+1, first one forged", lab(forge(s[0], 7), s[1], s[2], s[3]), nil, ErrBadShares, []string{"share 1"},
			"share 1 does not fit the other shares: forged, corrupted, or from a different split (the other 3 agree)"},
		{"T+1, one from another split", []Share{s[4], s[0], stranger, s[1]}, nil, ErrBadShares, []string{"share-3b.txt"},
			"share-3b.txt does not fit the other shares: forged, corrupted, or from a different split (the other 3 agree)"},
		{"T+2, two forged", lab(s[0], forge(s[1], 1), s[2], forge(s[3], 2), s[4]), nil, ErrBadShares, []string{"share 2", "share 4"},
			"share 2 and share 4 do not fit the other shares: forged, corrupted, or from a different split (the other 3 agree)"},
		{"T+1, two forged", lab(forge(s[0], 1), s[1], forge(s[2], 2), s[3]), nil, ErrForged, nil,
			"no 3 of these 4 shares agree: at least 2 of them are forged, corrupted, or from a different split"},
		{"expected fingerprint", lab(s[0], s[1], s[2]), &Fingerprint{0xd3, 0x4d, 0xb3, 0x3f}, ErrFingerprint, nil,
			"these shares are for master key 73c5da0a, but d34db33f was expected"},
		{"header forged on every share", lab(withT(s[0], 2, 5), withT(s[1], 2, 5)), nil, ErrForged, nil,
			"at least one share is forged or from a different split: the recovered secret fails its digest"},
		{"fingerprint forged on every share", lab(withFP(s[0], Fingerprint{1, 2, 3, 4}), withFP(s[1], Fingerprint{1, 2, 3, 4}), withFP(s[2], Fingerprint{1, 2, 3, 4})), nil, ErrForged, nil,
			"at least one share is forged or from a different split: the recovered secret fails its digest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var secret []byte
			var err error
			if tc.expect != nil {
				secret, err = CombineExpect(tc.shares, *tc.expect)
			} else {
				secret, err = Combine(tc.shares)
			}
			if secret != nil || !errors.Is(err, tc.err) {
				t.Fatalf("got %x, %v; want %v", secret, err, tc.err)
			}
			if err.Error() != tc.msg {
				t.Fatalf("message\n got %q\nwant %q", err.Error(), tc.msg)
			}
			var se *SetError
			if errors.As(err, &se) && !slices.Equal(se.Shares, tc.blame) {
				t.Fatalf("blames %q, want %q", se.Shares, tc.blame)
			}
			for _, sh := range tc.shares {
				assertNoShareText(t, err.Error(), text(t, withIndex(relabel(sh, ""), 1)))
			}
			// Verify reports the same problem (fewer than T is not one).
			var rep Report
			if tc.expect != nil {
				rep, err = VerifyExpect(tc.shares, *tc.expect)
			} else {
				rep, err = Verify(tc.shares)
			}
			if tc.err == ErrTooFew && len(tc.shares) > 0 {
				if err != nil || rep.Recovered {
					t.Fatalf("Verify: %v, %+v", err, rep)
				}
			} else if !errors.Is(err, tc.err) || rep.Recovered {
				t.Fatalf("Verify: %v, recovered %v", err, rep.Recovered)
			}
		})
	}
}

func TestCombineExpectAndVerify(t *testing.T) {
	secret, s := mustSplit(t, 16, 3, 5, "verify")
	got, err := CombineExpect(s[2:], testFP)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("CombineExpect: %v", err)
	}
	rep, err := Verify([]Share{s[4], s[1]})
	want := Report{SetID: s[0].SetID, Version: 1, Threshold: 3, Count: 5, Fingerprint: testFP, SecretLen: 16, Indices: []int{2, 5}}
	if err != nil || !reportEqual(rep, want) {
		t.Fatalf("Verify(2 of 3): %+v, %v", rep, err)
	}
	rep, err = VerifyExpect([]Share{s[4], s[1], s[3], s[0]}, testFP)
	want.Indices, want.Recovered = []int{1, 2, 4, 5}, true
	if err != nil || !reportEqual(rep, want) {
		t.Fatalf("Verify(4 of 3): %+v, %v", rep, err)
	}
	rep, err = Verify([]Share{s[3]})
	if err != nil || rep.Recovered || !slices.Equal(rep.Indices, []int{4}) {
		t.Fatalf("Verify(one share): %+v, %v", rep, err)
	}
	// The caller's slice is not reordered.
	in := []Share{s[4], s[0], s[2]}
	if _, err := Combine(in); err != nil || in[0].Index != 5 || in[1].Index != 1 {
		t.Fatal("Combine reordered its argument")
	}
}

func reportEqual(a, b Report) bool {
	return a.SetID == b.SetID && a.Version == b.Version && a.Threshold == b.Threshold && a.Count == b.Count &&
		a.Fingerprint == b.Fingerprint && a.SecretLen == b.SecretLen && slices.Equal(a.Indices, b.Indices) && a.Recovered == b.Recovered
}

func TestWipe(t *testing.T) {
	_, s := mustSplit(t, 16, 2, 2, "wipe")
	p := s[0].Payload
	s[0].Wipe()
	if s[0].Payload != nil || !bytes.Equal(p, make([]byte, len(p))) {
		t.Fatal("Wipe left the payload")
	}
}

// docExampleSeed is the randomness the worked example in docs/shares.md was
// made with.
const docExampleSeed = "airsign docs/shares.md example 1"

// TestDocExample checks every line of the worked example in docs/shares.md:
// the share texts are what Split makes from the documented inputs, they parse,
// every pair combines to the documented secret, and the bytes, Lagrange
// weights, M and digest are as printed.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/shares.md")
	if err != nil {
		t.Fatal(err)
	}
	line := func(key string) string {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + ` +(.*?)\s*$`).FindSubmatch(doc)
		if m == nil {
			t.Fatalf("docs/shares.md: no example line %q", key)
		}
		return string(m[1])
	}
	secret := make([]byte, 16)
	r := seeded(docExampleSeed)
	shares, err := Split(secret, testFP, 2, 3, r)
	if err != nil {
		t.Fatal(err)
	}
	var parsed []Share
	for i, s := range shares {
		key := fmt.Sprint("share ", i+1)
		if got, want := line(key), text(t, s); got != want {
			t.Errorf("%s in the doc:\n %s\nSplit makes:\n %s", key, got, want)
		}
		p, err := ParseShare([]byte(line(key)), key)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, p)
	}
	if !strings.Contains(string(doc), "\n    "+line("share 1")+"\n") {
		t.Error("the share at the top of docs/shares.md is not the example's share 1")
	}
	subsets(3, 2, func(idx []int) {
		got, err := Combine(pick(parsed, idx))
		if err != nil || !bytes.Equal(got, secret) {
			t.Errorf("shares %v: %x, %v", idx, got, err)
		}
	})
	h := shares[0].setHeader()
	want := fmt.Sprintf("%02x %x %02x %02x %x", h[0], h[1:5], h[5], h[6], h[7:11])
	if got := line("header"); !strings.HasPrefix(got, want+" ") || !strings.Contains(got, "set id "+shares[0].SetID.String()) {
		t.Errorf("header line %q, want %q and set id %s", got, want, shares[0].SetID)
	}
	for _, i := range []int{1, 3} {
		if got, want := line(fmt.Sprint("index ", i)), fmt.Sprintf("%02x  payload %x", i, shares[i-1].Payload); got != want {
			t.Errorf("index %d line %q, want %q", i, got, want)
		}
	}
	// Lagrange weights at 0 for x = 1, 3, and the first digest byte by hand.
	l1 := gfMul(3, gfInv(3^1))
	l3 := gfMul(1, gfInv(1^3))
	if got, want := line("l_1, l_3"), fmt.Sprintf("l_1 = 3/(3 XOR 1) = 3/2 = %02x, l_3 = 1/(1 XOR 3) = 1/2 = %02x", l1, l3); got != want {
		t.Errorf("weights line %q, want %q", got, want)
	}
	y1, y3 := shares[0].Payload[16], shares[2].Payload[16]
	d := digest(h, secret)
	if got, want := line("byte 16"), fmt.Sprintf("%02x·%02x XOR %02x·%02x = %02x      (first digest byte)", l1, y1, l3, y3, gfMul(l1, y1)^gfMul(l3, y3)); got != want || gfMul(l1, y1)^gfMul(l3, y3) != d[0] {
		t.Errorf("byte 16 line %q, want %q (digest %x)", got, want, d)
	}
	if got, want := line("M"), hex.EncodeToString(append(slices.Clone(secret), d...)); got != want {
		t.Errorf("M line %q, want %q", got, want)
	}
	if got, want := line("secret"), hex.EncodeToString(secret); got != want {
		t.Errorf("secret line %q, want %q", got, want)
	}
	if got, want := line("digest"), fmt.Sprintf("%x = HMAC-SHA256(key %x, 16 zero bytes)[0:4]", d, h); got != want {
		t.Errorf("digest line %q, want %q", got, want)
	}
}

// TestDocExampleMnemonic: the example's secret is the entropy of "abandon ×11
// about", whose BIP32 master fingerprint (no passphrase) is 73c5da0a, as
// docs/shares.md says.
func TestDocExampleMnemonic(t *testing.T) {
	// 128 zero bits + the first 4 bits of SHA-256(entropy) as the checksum: the
	// last word's 11 bits are 0000000 and that nibble, i.e. word number 3 of
	// the BIP39 list (abandon, ability, able, about).
	if sum := sha256.Sum256(make([]byte, 16)); sum[0]>>4 != 3 {
		t.Fatalf("checksum nibble %x", sum[0]>>4)
	}
	mnemonic := strings.Repeat("abandon ", 11) + "about"
	seed, err := pbkdf2.Key(sha512.New, mnemonic, []byte("mnemonic"), 2048, 64)
	if err != nil {
		t.Fatal(err)
	}
	master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := master.ECPubKey()
	if err != nil {
		t.Fatal(err)
	}
	if fp := btcutil.Hash160(pub.SerializeCompressed())[:4]; !bytes.Equal(fp, testFP[:]) {
		t.Fatalf("fingerprint %x", fp)
	}
}

// gfMul and gfInv are GF(2^8) arithmetic for checking the worked example by
// hand; the package itself uses vault's.
func gfMul(a, b byte) byte {
	var r byte
	for ; b != 0; b >>= 1 {
		if b&1 != 0 {
			r ^= a
		}
		carry := a & 0x80
		a <<= 1
		if carry != 0 {
			a ^= 0x1b
		}
	}
	return r
}

func gfInv(a byte) byte {
	for x := 1; x < 256; x++ {
		if gfMul(a, byte(x)) == 1 {
			return byte(x)
		}
	}
	return 0
}
