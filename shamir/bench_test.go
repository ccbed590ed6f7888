package shamir

import (
	"strings"
	"testing"
)

// BenchmarkSplit: a 3-of-5 split of a 32-byte secret, including Split's own
// self-check combination.
func BenchmarkSplit(b *testing.B) {
	r := seeded("bench split")
	secret := make([]byte, 32)
	for b.Loop() {
		if _, err := Split(secret, testFP, 3, 5, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCombine: recovering a 32-byte secret from 3 shares of a 3-of-5.
func BenchmarkCombine(b *testing.B) {
	_, s := mustSplit(b, 32, 3, 5, "bench combine")
	for b.Loop() {
		if _, err := Combine(s[1:4]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCombineFindBad: 16 shares of an 8-of-16 set, the first one
// forged: the search for an agreeing subset and the check of every share.
func BenchmarkCombineFindBad(b *testing.B) {
	_, s := mustSplit(b, 32, 8, 16, "bench find bad")
	s[0] = forge(s[0], 0)
	for b.Loop() {
		if _, err := Combine(s); err == nil {
			b.Fatal("forged share accepted")
		}
	}
}

// BenchmarkParseShare: reading a typed 87-character share.
func BenchmarkParseShare(b *testing.B) {
	_, s := mustSplit(b, 32, 3, 5, "bench parse")
	in := []byte(text(b, s[0]))
	for b.Loop() {
		if _, err := ParseShare(in, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseMistyped: reading a share with two mistyped characters,
// which includes locating them.
func BenchmarkParseMistyped(b *testing.B) {
	_, s := mustSplit(b, 32, 3, 5, "bench parse")
	good := text(b, s[0])
	compact := strings.ReplaceAll(good, " ", "")
	in := []byte(change(change(good, 9, other(compact[9], 0)), 60, other(compact[60], 0)))
	for b.Loop() {
		if _, err := ParseShare(in, ""); err == nil {
			b.Fatal("mistyped share accepted")
		}
	}
}
