package descriptor

import (
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

// FuzzParse: Parse never panics, never quotes long input tokens (possible
// key material) in its errors, and whatever it accepts prints to a
// canonical form that parses back to the same descriptor and derives.
func FuzzParse(f *testing.F) {
	for _, r := range readTSV(f, "bip-refused.txt") {
		f.Add(r[4], false)
	}
	for _, r := range readTSV(f, "checksum.txt") {
		f.Add(r[1], false)
	}
	for _, kind := range []Kind{WPKH, SHWPKH, TR} {
		for _, test := range []bool{false, true} {
			net := &chaincfg.MainNetParams
			if test {
				net = &chaincfg.RegressionNetParams
			}
			d, err := New(kind, masterFromMnemonic(f, abandon, net), 0, net)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(d.String(), test)
			s, _ := d.StringFor(1)
			f.Add(strings.ReplaceAll(s, "h", "'"), test)
		}
	}
	for _, kind := range []Kind{WSHSortedMulti, SHWSHSortedMulti} {
		d, err := NewSortedMulti(kind, 2, cosigners(f, kind, 3, &chaincfg.MainNetParams), &chaincfg.MainNetParams)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(d.String(), false)
		f.Add(strings.Split(d.String(), "#")[0], false)
	}
	f.Fuzz(func(t *testing.T, s string, test bool) {
		net := &chaincfg.MainNetParams
		if test {
			net = &chaincfg.RegressionNetParams
		}
		d, err := Parse(s, net)
		if err != nil {
			for _, tok := range longTokens(s) {
				if strings.Contains(err.Error(), tok) {
					t.Fatalf("error %q quotes the input", err)
				}
			}
			return
		}
		canon := d.String()
		d2, err := ParseStrict(canon, net)
		if err != nil {
			t.Fatalf("canonical %q does not parse: %v", canon, err)
		}
		if d2.String() != canon || d2.ID() != d.ID() {
			t.Fatalf("canonical form is not stable: %q then %q", canon, d2.String())
		}
		der, err := d.Derive(d.Branches()[0], 0)
		if err != nil {
			t.Fatalf("Derive: %v", err)
		}
		if _, ok := d.IsMine(der.Script, der.Keys[0].Fingerprint, der.Keys[0].Path); !ok {
			t.Fatal("IsMine rejects its own first address")
		}
	})
}

func BenchmarkDerive(b *testing.B) {
	d, err := NewSortedMulti(WSHSortedMulti, 2, cosigners(b, WSHSortedMulti, 3, &chaincfg.MainNetParams), &chaincfg.MainNetParams)
	if err != nil {
		b.Fatal(err)
	}
	var i uint32
	for b.Loop() {
		if _, err := d.Derive(0, i); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkParse(b *testing.B) {
	d, err := NewSortedMulti(WSHSortedMulti, 2, cosigners(b, WSHSortedMulti, 3, &chaincfg.MainNetParams), &chaincfg.MainNetParams)
	if err != nil {
		b.Fatal(err)
	}
	s := d.String()
	for b.Loop() {
		if _, err := Parse(s, &chaincfg.MainNetParams); err != nil {
			b.Fatal(err)
		}
	}
}
