package specdecoder_test

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"regexp"
	"testing"

	"github.com/airsign/airsign/shamir"
	"github.com/airsign/airsign/shamir/internal/specdecoder"
)

// docExample returns the worked example's share texts and secret as printed
// in docs/shares.md.
func docExample(t *testing.T) (shares []string, secret []byte) {
	t.Helper()
	doc, err := os.ReadFile("../../../docs/shares.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^share \d+ +(ash1[a-z0-9 ]+?)\s*$`).FindAllSubmatch(doc, -1) {
		shares = append(shares, string(m[1]))
	}
	m := regexp.MustCompile(`(?m)^secret +([0-9a-f]+)\s*$`).FindSubmatch(doc)
	if len(shares) < 2 || m == nil {
		t.Fatalf("docs/shares.md: worked example not found (%d shares)", len(shares))
	}
	secret, err = hex.DecodeString(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	return shares, secret
}

// TestDocExample: the decoder written from the document alone recovers the
// document's example secret from every pair of its shares, in either order.
func TestDocExample(t *testing.T) {
	texts, secret := docExample(t)
	var shares []specdecoder.Share
	for _, s := range texts {
		sh, err := specdecoder.Decode(s)
		if err != nil {
			t.Fatalf("Decode(%q): %v", s, err)
		}
		shares = append(shares, sh)
	}
	if got := hex.EncodeToString(shares[0].Fingerprint[:]); got != "73c5da0a" {
		t.Errorf("fingerprint %s, want 73c5da0a", got)
	}
	for i := range shares {
		for j := range shares {
			if i == j {
				continue
			}
			got, err := specdecoder.Recover([]specdecoder.Share{shares[i], shares[j]})
			if err != nil {
				t.Fatalf("shares %d,%d: %v", i+1, j+1, err)
			}
			if !bytes.Equal(got, secret) {
				t.Fatalf("shares %d,%d: got %x, want %x", i+1, j+1, got, secret)
			}
		}
	}
}

// TestRandomSplits: shares written by package shamir, for every secret size
// and many thresholds, decode and combine with the independent decoder.
func TestRandomSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	src := rand.NewChaCha8([32]byte{'s', 'p', 'e', 'c'})
	for trial := 0; trial < 200; trial++ {
		n := 2 + r.IntN(15)
		k := 2 + r.IntN(n-1)
		secret := make([]byte, 16+4*r.IntN(5))
		src.Read(secret)
		var fp [4]byte
		src.Read(fp[:])
		shares, err := shamir.Split(secret, fp, k, n, src)
		if err != nil {
			t.Fatal(err)
		}
		var dec []specdecoder.Share
		for _, i := range r.Perm(n)[:k] {
			text, err := shares[i].MarshalText()
			if err != nil {
				t.Fatal(err)
			}
			d, err := specdecoder.Decode(string(text))
			if err != nil {
				t.Fatalf("Decode(%s): %v", shares[i], err)
			}
			if int(d.Index) != shares[i].Index || int(d.T) != k || int(d.N) != n || d.Fingerprint != fp || d.SetID != shares[i].SetID {
				t.Fatalf("decoded fields differ for %s", shares[i])
			}
			dec = append(dec, d)
		}
		got, err := specdecoder.Recover(dec)
		if err != nil {
			t.Fatalf("trial %d (%d of %d, %d bytes): %v", trial, k, n, len(secret), err)
		}
		if !bytes.Equal(got, secret) {
			t.Fatalf("trial %d: wrong secret", trial)
		}
	}
}
