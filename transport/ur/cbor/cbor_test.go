package cbor

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// appendItem re-encodes a decoded item; for every accepted input it must
// give back the input's bytes exactly (one message, one encoding).
func appendItem(b []byte, it Item) []byte {
	switch it.Kind {
	case Uint:
		return AppendUint(b, it.N)
	case NegInt:
		return AppendHead(b, MajorNegInt, it.N)
	case Bytes:
		return AppendBytes(b, it.Bytes)
	case Text:
		return AppendText(b, it.Text)
	case Array:
		b = AppendArray(b, len(it.Items))
	case Map:
		b = AppendMap(b, len(it.Items)/2)
	case Tag:
		b = AppendTag(b, it.N)
	case Bool:
		return AppendBool(b, it.Bool)
	}
	for _, el := range it.Items {
		b = appendItem(b, el)
	}
	return b
}

func TestDecodeValid(t *testing.T) {
	for _, h := range []string{
		"00", "17", "1818", "19ffff", "1a00010000", "1b0000000100000000",
		"20", "3863", // -1, -100
		"40", "4401020304", "60", "6161", "63e282ac",
		"80", "83010203", "8301820203820405",
		"a0", "a201020304", "a2616101616202",
		"c11a514b67b0", "d9012fa10300", "d99d74a0",
		"f4", "f5",
		// BCR-2020-010 test vector 3 (sh(multi(2, eckey, eckey))).
		"d90190d90196a201020282d90132a1035821022f01e5e15cca351daff3843fb70f3c2f0a1bdd05e5af888a67784ef3e10a2a01d90132a103582103acd484e2f0c7f65309ad178a9f559abde09796974c57e714c35f110dfc27ccbe",
	} {
		in, _ := hex.DecodeString(h)
		it, err := Decode(in)
		if err != nil {
			t.Errorf("%s: %v", h, err)
			continue
		}
		if out := appendItem(nil, it); !bytes.Equal(out, in) {
			t.Errorf("%s re-encodes as %x", h, out)
		}
	}
}

func TestDecodeValues(t *testing.T) {
	in, _ := hex.DecodeString("a3011a78412e3a0282f5f403d90130a10163616263")
	it, err := Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := it.Lookup(1); !ok || v.Kind != Uint || v.N != 0x78412e3a {
		t.Errorf("key 1 = %+v", v)
	}
	if v, ok := it.Lookup(2); !ok || v.Kind != Array || len(v.Items) != 2 || !v.Items[0].Bool || v.Items[1].Bool {
		t.Errorf("key 2 = %+v", v)
	}
	v, _ := it.Lookup(3)
	c, tag, ok := v.Untag()
	if !ok || tag != 304 || c.Kind != Map {
		t.Fatalf("key 3 = %+v", v)
	}
	if s, _ := c.Lookup(1); s.Kind != Text || s.Text != "abc" {
		t.Errorf("inner text %+v", s)
	}
	if _, ok := it.Lookup(9); ok {
		t.Error("Lookup found a key that is not there")
	}
	if _, ok := (Item{Kind: Array}).Lookup(1); ok {
		t.Error("Lookup on an array found something")
	}
}

func TestDecodeInvalid(t *testing.T) {
	deep := strings.Repeat("81", MaxDepth+1) + "00"
	bigMap := "b90101" + strings.Repeat("0000", 257)
	for _, c := range []struct{ hex, want string }{
		{"", "truncated"},
		{"18", "truncated"},
		{"1817", "non-shortest"},
		{"190017", "non-shortest"},
		{"1a0000ffff", "non-shortest"},
		{"1b00000000ffffffff", "non-shortest"},
		{"1c", "reserved"},
		{"5f4100ff", "indefinite"},
		{"9f00ff", "indefinite"},
		{"4201", "truncated"},
		{"62e2", "truncated"},
		{"62c328", "UTF-8"},
		{"8201", "truncated"},
		{"9b7fffffffffffffff00", "truncated"},
		{"bb7fffffffffffffff00", "more than"},
		{"a10100a1", "trailing"},
		{"0000", "trailing"},
		{"a201000100", "duplicate"},
		{"a2616101616102", "duplicate"},
		{"a1400000", "map key"},
		{"a1800000", "map key"},
		{"f6", "simple value"},
		{"f7", "simple value"},
		{"f93c00", "simple value"},
		{"fb3ff0000000000000", "simple value"},
		{"c1", "truncated"},
		{deep, "deeper"},
		{bigMap, "more than"},
		{"9910" + strings.Repeat("00", 4112), "more than 4096 data items"},
		{"9864" + strings.Repeat("9829"+strings.Repeat("00", 41), 100), "more than 4096 data items"},
	} {
		in, err := hex.DecodeString(c.hex)
		if err != nil {
			t.Fatalf("bad test hex %q", c.hex)
		}
		_, err = Decode(in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.40s: error %v, want one containing %q", c.hex, err, c.want)
		}
	}
	if _, err := Decode([]byte{0x18}); !errors.Is(err, ErrTruncated) {
		t.Errorf("truncated input: %v is not ErrTruncated", err)
	}
}

func TestAppendHeadShortest(t *testing.T) {
	for _, c := range []struct {
		n    uint64
		want string
	}{
		{0, "00"}, {23, "17"}, {24, "1818"}, {255, "18ff"}, {256, "190100"},
		{65535, "19ffff"}, {65536, "1a00010000"}, {1<<32 - 1, "1affffffff"},
		{1 << 32, "1b0000000100000000"},
	} {
		if got := hex.EncodeToString(AppendUint(nil, c.n)); got != c.want {
			t.Errorf("AppendUint(%d) = %s, want %s", c.n, got, c.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, h := range []string{"00", "a201020304", "d90193d90132a103582102c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5", "8301820203820405", "f5", "62c328"} {
		b, _ := hex.DecodeString(h)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		it, err := Decode(in)
		if err != nil {
			return
		}
		if out := appendItem(nil, it); !bytes.Equal(out, in) {
			t.Fatalf("accepted %x but it re-encodes as %x", in, out)
		}
	})
}
