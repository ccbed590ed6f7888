package psbt

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"
)

// TestBIP370Vectors runs the test vectors of BIP370 (testdata/bip370,
// source named in the file): the invalid ones are refused, the valid ones
// decode, give the locktime the BIP computes, and encode back as version 2
// with every field they had.
func TestBIP370Vectors(t *testing.T) {
	cases := bip370Cases(t)
	if len(cases) != 47 {
		t.Fatalf("%d cases, want BIP370's 47", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Case, func(t *testing.T) {
			raw, err := hex.DecodeString(c.Hex)
			if err != nil {
				t.Fatal(err)
			}
			p, err := Decode(raw)
			if !c.Valid {
				if err == nil {
					t.Fatal("an invalid PSBT was accepted")
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if p.Version() != 2 {
				t.Errorf("Version %d, want 2", p.Version())
			}
			if c.Locktime != nil && p.UnsignedTx().LockTime != *c.Locktime {
				t.Errorf("locktime %d, want %d", p.UnsignedTx().LockTime, *c.Locktime)
			}
			out, err := p.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fieldSet(t, out), fieldSet(t, raw); got != want {
				t.Errorf("fields differ after encoding:\n got %s\nwant %s", got, want)
			}
			back, err := Decode(out)
			if err != nil || back.TxID() != p.TxID() {
				t.Fatalf("re-decoding: %v", err)
			}
		})
	}
}

type bip370Case struct {
	Case     string  `json:"case"`
	Valid    bool    `json:"valid"`
	Hex      string  `json:"hex"`
	Locktime *uint32 `json:"locktime"`
}

func bip370Cases(t *testing.T) []bip370Case {
	t.Helper()
	data, err := os.ReadFile("testdata/bip370/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Cases []bip370Case `json:"cases"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v.Cases
}

// fieldSet lists a version 2 PSBT's fields per map, sorted, leaving out a
// PSBT_IN_SEQUENCE of 0xffffffff (the value an absent one means).
func fieldSet(t *testing.T, raw []byte) string {
	t.Helper()
	r := &rawReader{b: raw, off: len(magic)}
	var maps []string
	add := func(fields []rawField, m mapKind) {
		var s []string
		for _, f := range fields {
			if m == inputMap && f.typ == v2InSequence && binary.LittleEndian.Uint32(f.value) == 0xffffffff {
				continue
			}
			s = append(s, hex.EncodeToString(f.key)+"="+hex.EncodeToString(f.value))
		}
		sort.Strings(s)
		maps = append(maps, strings.Join(s, ","))
	}
	g, err := r.readMap(globalMap, -1)
	if err != nil {
		t.Fatal(err)
	}
	add(g, globalMap)
	var nIn, nOut uint64
	for _, f := range g {
		switch f.typ {
		case v2GlobalInputCount:
			nIn, _ = compactValue(&f, "", "")
		case v2GlobalOutputCount:
			nOut, _ = compactValue(&f, "", "")
		}
	}
	for i := 0; i < int(nIn+nOut); i++ {
		m := inputMap
		if i >= int(nIn) {
			m = outputMap
		}
		f, err := r.readMap(m, i)
		if err != nil {
			t.Fatal(err)
		}
		add(f, m)
	}
	return strings.Join(maps, " | ")
}

// TestV2Errors: version 2 refusals name the field at fault.
func TestV2Errors(t *testing.T) {
	tests := []struct{ hex, says string }{
		// BIP370: PSBTv2 missing PSBT_GLOBAL_INPUT_COUNT (head).
		{"70736274ff01020402000000010304000000000105010201fb040200000000", "lacks PSBT_GLOBAL_INPUT_COUNT"},
		{"70736274ff0102040200000001040101010502010001fb040200000000", "malformed PSBT_GLOBAL_OUTPUT_COUNT"},
		{"70736274ff010204020000000104010f0105010101fb040200000000", "but only"},
		{"70736274ff01fb040300000000", "version 3 PSBT; airsign reads versions 0 (BIP174) and 2 (BIP370)"},
	}
	for _, tt := range tests {
		raw, _ := hex.DecodeString(tt.hex)
		if _, err := Decode(raw); err == nil || !strings.Contains(err.Error(), tt.says) {
			t.Errorf("%s: %v, want %q", tt.hex, err, tt.says)
		}
	}
}

// TestToV2 writes a version 0 PSBT as version 2 and reads it back.
func TestToV2(t *testing.T) {
	// The first valid vector, read as v2, written as v0, made v2 again.
	var raw []byte
	for _, c := range bip370Cases(t) {
		if c.Valid {
			raw, _ = hex.DecodeString(c.Hex)
			break
		}
	}
	p, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	v0, err := p.encodeV0()
	if err != nil {
		t.Fatal(err)
	}
	q, err := Decode(v0)
	if err != nil || q.Version() != 0 {
		t.Fatalf("v0 form: %v, version %d", err, q.Version())
	}
	q.ToV2()
	out, err := q.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(out)
	if err != nil || back.Version() != 2 || back.TxID() != p.TxID() {
		t.Fatalf("back: %v", err)
	}
}

// TestSignV2: a version 2 PSBT is analysed and signed like its version 0
// form, and the signed PSBT is written as version 2, which finalizes.
func TestSignV2(t *testing.T) {
	k := testKit(t)
	p := k.honest(t)
	p.ToV2()
	raw, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	v2, err := Decode(raw)
	if err != nil || v2.Version() != 2 {
		t.Fatalf("decode v2: %v", err)
	}
	if Digest(v2) != Digest(p) {
		t.Error("the confirmation words differ between versions")
	}
	if _, err := k.sign(v2, DefaultPolicy()); err != nil {
		t.Fatal(err)
	}
	out, err := v2.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if v, err := psbtVersion(out); err != nil || v != 2 {
		t.Fatalf("signed PSBT is version %d (%v), want 2", v, err)
	}
	signed, err := Decode(out)
	if err != nil || len(signed.p.Inputs[0].PartialSigs) == 0 {
		t.Fatalf("signed v2 lost its signature: %v", err)
	}
	if err := Finalize(signed); err != nil {
		t.Fatalf("Finalize: %v", err)
	}
}
