package shamir

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// TestPolymodMatchesBtcutil: our []byte checksum is bech32m as btcutil
// computes it, for every data length a share can have and more.
func TestPolymodMatchesBtcutil(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= maxDataChars-checksumLen; n++ {
		for trial := 0; trial < 20; trial++ {
			w := make([]byte, n)
			for i := range w {
				w[i] = byte(r.IntN(32))
			}
			ours := appendChecksum(slices.Clone(w))
			want, err := bech32.EncodeM(HRP, w)
			if err != nil {
				t.Fatal(err)
			}
			var got []byte
			got = append(got, Prefix...)
			for _, v := range ours {
				got = append(got, charset[v])
			}
			if string(got) != want {
				t.Fatalf("n=%d: ours %s, btcutil %s", n, got, want)
			}
			if residue(ours) != 0 {
				t.Fatalf("n=%d: own checksum does not verify", n)
			}
			// A changed value must fail both.
			p := r.IntN(len(ours))
			ours[p] ^= byte(1 + r.IntN(31))
			if residue(ours) == 0 {
				t.Fatalf("n=%d: change at %d not detected", n, p)
			}
		}
	}
}

// TestSyndromeTable: the residue of a text with changed characters is the
// XOR of the table entries for each change (the polymod is GF(2)-linear), so
// the table describes the real checksum. TestChecksumDistance relies on it.
func TestSyndromeTable(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	w := make([]byte, 77)
	for i := range w {
		w[i] = byte(r.IntN(32))
	}
	w = appendChecksum(w)
	n := len(w)
	for p := 0; p < n; p++ {
		for v := byte(1); v < 32; v++ {
			e := slices.Clone(w)
			e[p] ^= v
			if got, want := residue(e), errorSyndrome[n-1-p][v]; got != want {
				t.Fatalf("position %d value %d: residue %08x, table %08x", p, v, got, want)
			}
		}
	}
	// Linearity for pairs too (a sample).
	for trial := 0; trial < 2000; trial++ {
		p, q := r.IntN(n), r.IntN(n)
		if p == q {
			continue
		}
		v, x := byte(1+r.IntN(31)), byte(1+r.IntN(31))
		e := slices.Clone(w)
		e[p] ^= v
		e[q] ^= x
		if residue(e) != errorSyndrome[n-1-p][v]^errorSyndrome[n-1-q][x] {
			t.Fatalf("not linear at %d,%d", p, q)
		}
	}
}

// weight2Syndromes returns the syndromes of every error pattern changing at
// most two of the last n characters (including the empty pattern), each
// reduced with mask.
func weight2Syndromes(n int, mask uint32) []uint32 {
	out := []uint32{0}
	for p := 0; p < n; p++ {
		for v := 1; v < 32; v++ {
			out = append(out, errorSyndrome[p][v]&mask)
		}
	}
	for p := 0; p < n; p++ {
		for q := p + 1; q < n; q++ {
			for v := 1; v < 32; v++ {
				for x := 1; x < 32; x++ {
					out = append(out, (errorSyndrome[p][v]^errorSyndrome[q][x])&mask)
				}
			}
		}
	}
	return out
}

func hasDuplicate(s []uint32) bool {
	slices.Sort(s)
	for i := 1; i < len(s); i++ {
		if s[i] == s[i-1] {
			return true
		}
	}
	return false
}

// TestChecksumDistance proves the guarantee stated in docs/shares.md: for a
// data part of up to maxDataChars (89) characters, every change of up to 4
// characters is detected.
//
// Argument: the residue is GF(2)-linear in the change (TestSyndromeTable),
// so a change e goes undetected iff its syndrome is 0. Any change of weight
// ≤ 4 splits into two changes e1, e2 of weight ≤ 2 with disjoint positions,
// e = e1 XOR e2, e1 ≠ e2, and syn(e) = syn(e1) XOR syn(e2). So "no nonzero
// change of weight ≤ 4 has syndrome 0" is exactly "all changes of weight
// ≤ 2 (including none) have distinct syndromes", which this test checks
// exhaustively: 1 + 89·31 + C(89,2)·31² = 3,766,036 syndromes. Shares are
// at most 83 characters long, a suffix of the positions checked here.
func TestChecksumDistance(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive proof takes a second")
	}
	syn := weight2Syndromes(maxDataChars, 1<<30-1)
	if len(syn) != 3766036 {
		t.Fatalf("%d syndromes", len(syn))
	}
	if hasDuplicate(syn) {
		t.Fatal("two changes of weight ≤ 2 share a syndrome: some 4-character error is undetected")
	}
	// The check can fail: keeping only 16 of the 30 checksum bits, the
	// patterns on 20 positions (183,391 > 2^16) must collide.
	if !hasDuplicate(weight2Syndromes(20, 1<<16-1)) {
		t.Fatal("collision detector is broken")
	}
}

// TestLocateErrors: one or two changed characters are always located
// exactly, at every position and with every value.
func TestLocateErrors(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{52, 58, 64, 71, 77} {
		w := make([]byte, n)
		for i := range w {
			w[i] = byte(r.IntN(32))
		}
		w = appendChecksum(w)
		if got := locateErrors(w); got != nil {
			t.Fatalf("valid text located at %v", got)
		}
		for p := range w {
			for v := byte(1); v < 32; v++ {
				w[p] ^= v
				if got := locateErrors(w); !slices.Equal(got, []int{p}) {
					t.Fatalf("n=%d: change at %d located at %v", n, p, got)
				}
				w[p] ^= v
			}
		}
		for trial := 0; trial < 1000; trial++ {
			p, q := r.IntN(len(w)), r.IntN(len(w))
			if p == q {
				continue
			}
			if p > q {
				p, q = q, p
			}
			v, x := byte(1+r.IntN(31)), byte(1+r.IntN(31))
			w[p] ^= v
			w[q] ^= x
			if got := locateErrors(w); !slices.Equal(got, []int{p, q}) {
				t.Fatalf("n=%d: changes at %d,%d located at %v", n, p, q, got)
			}
			w[p] ^= v
			w[q] ^= x
		}
	}
}

func TestWords(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := 0; n < 60; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		w := toWords(b)
		if len(w) != (8*n+4)/5 {
			t.Fatalf("%d bytes gave %d words", n, len(w))
		}
		got, ok := fromWords(w)
		if !ok || !bytes.Equal(got, b) {
			t.Fatalf("%d bytes: round trip %x %v", n, got, ok)
		}
		if pad := 5*len(w) - 8*n; pad > 0 {
			w[len(w)-1] |= 1
			if _, ok := fromWords(w); ok {
				t.Fatalf("%d bytes: non-zero padding accepted", n)
			}
		}
	}
	// Five or more leftover bits are a whole extra word, never padding.
	if _, ok := fromWords(make([]byte, 3)); ok {
		t.Fatal("3 words (1 byte and 7 leftover bits) accepted")
	}
	if _, ok := fromWords(make([]byte, 2)); !ok {
		t.Fatal("2 words (1 byte and 2 zero bits) rejected")
	}
}
