package shamir

import (
	"bytes"
	"errors"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// docShares returns the worked example's share texts from docs/shares.md.
func docShares(f *testing.F) []string {
	doc, err := os.ReadFile("../docs/shares.md")
	if err != nil {
		f.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^share \d +(ash1.*?)\s*$`).FindAllSubmatch(doc, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// FuzzParseShare: ParseShare never panics; what it accepts is canonical
// (the input, normalized, is exactly what MarshalText writes) and valid; what
// it refuses comes as a *ShareError carrying the caller's label.
func FuzzParseShare(f *testing.F) {
	for _, s := range docShares(f) {
		f.Add(s)
		f.Add(strings.ToUpper(strings.ReplaceAll(s, " ", "-")))
		f.Add(s[:len(s)-1])
		f.Add(s + "q")
		f.Add(change(s, 20, 'q'))
	}
	for n := 16; n <= 32; n += 4 {
		_, shares := mustSplit(f, n, 3, 5, "fuzz parse")
		f.Add(text(f, shares[0]))
	}
	f.Add("")
	f.Add("ash1")
	f.Add("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseShare([]byte(in), "card 7")
		if err != nil {
			var se *ShareError
			if !errors.As(err, &se) || se.Label != "card 7" || !strings.HasPrefix(err.Error(), "card 7") {
				t.Fatalf("error %T %q", err, err)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted an invalid share: %v", err)
		}
		out, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		norm := strings.ToLower(strings.Map(func(r rune) rune {
			if r < 128 && isSeparator(byte(r)) {
				return -1
			}
			return r
		}, in))
		if norm != strings.ReplaceAll(string(out), " ", "") {
			t.Fatalf("accepted %q, which is not the canonical %q", in, out)
		}
		again, err := ParseShare(out, "")
		if err != nil || !bytes.Equal(again.Payload, s.Payload) || again.Index != s.Index || again.SetID != s.SetID {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// shareRecords encodes shares in the binary layout, each prefixed by its
// length, as FuzzCombine's input.
func shareRecords(shares ...Share) []byte {
	var b []byte
	for _, s := range shares {
		r := s.bytes()
		b = append(append(b, byte(len(r))), r...)
	}
	return b
}

// FuzzCombine: whatever shares it is given, Combine never panics, never
// returns a secret together with an error, and when it succeeds the result
// does not depend on the order of the shares and Verify agrees.
func FuzzCombine(f *testing.F) {
	_, s := mustSplit(f, 16, 3, 5, "fuzz combine")
	_, o := mustSplit(f, 32, 2, 3, "fuzz combine other")
	f.Add(shareRecords(s[0], s[1], s[2]))
	f.Add(shareRecords(s[4], s[0], s[2], s[3]))
	f.Add(shareRecords(s[0], s[1], forge(s[2], 3), s[3]))
	f.Add(shareRecords(s[0], s[1]))
	f.Add(shareRecords(s[0], s[0], s[1]))
	f.Add(shareRecords(o[0], o[2]))
	f.Add(shareRecords(s[0], o[1], s[2]))
	f.Fuzz(func(t *testing.T, in []byte) {
		var shares []Share
		for len(in) > 0 && len(shares) < MaxShares+1 {
			n := int(in[0])
			in = in[1:]
			if n > len(in) {
				n = len(in)
			}
			r := in[:n]
			in = in[n:]
			if len(r) < headerLen {
				continue
			}
			sh := Share{Version: int(r[0]), Threshold: int(r[5]), Count: int(r[6]), Index: int(r[11]), Payload: slices.Clone(r[headerLen:])}
			copy(sh.SetID[:], r[1:5])
			copy(sh.Fingerprint[:], r[7:11])
			shares = append(shares, sh)
		}
		secret, err := Combine(shares)
		if err != nil {
			if secret != nil {
				t.Fatal("secret returned with an error")
			}
			var se *SetError
			var he *ShareError
			if !errors.As(err, &se) && !errors.As(err, &he) {
				t.Fatalf("untyped error %T %v", err, err)
			}
			return
		}
		if !validSecretLen(len(secret)) {
			t.Fatalf("%d-byte secret", len(secret))
		}
		rev := slices.Clone(shares)
		slices.Reverse(rev)
		again, err := Combine(rev)
		if err != nil || !bytes.Equal(again, secret) {
			t.Fatalf("reversed order: %v", err)
		}
		rep, err := Verify(shares)
		if err != nil || !rep.Recovered || rep.SecretLen != len(secret) {
			t.Fatalf("Verify: %+v, %v", rep, err)
		}
	})
}
