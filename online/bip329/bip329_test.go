package bip329

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func readFile(t testing.TB, name string) *Result {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := Read(f, name)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestTestVectors reads BIP329's own test vectors and writes them back
// the same (members in BIP329's order, no spaces).
func TestTestVectors(t *testing.T) {
	res := readFile(t, "bip329-test-vectors.jsonl")
	if len(res.Records) != 7 || res.Ignored != 0 {
		t.Fatalf("%d records, %d ignored", len(res.Records), res.Ignored)
	}
	out := res.Records[4]
	if out.Type != "output" || *out.Label != "Output" || out.Spendable == nil || *out.Spendable || out.Origin != "" {
		t.Fatalf("output record %+v", out)
	}
	if res.Records[0].Origin != "wpkh([d34db33f/84'/0'/0'])" {
		t.Fatalf("origin %q", res.Records[0].Origin)
	}
	var buf bytes.Buffer
	if err := Write(&buf, res.Records); err != nil {
		t.Fatal(err)
	}
	again, err := Read(&buf, "written")
	if err != nil {
		t.Fatal(err)
	}
	for i := range res.Records {
		a, b := res.Records[i], again.Records[i]
		if a.Type != b.Type || a.Ref != b.Ref || *a.Label != *b.Label || a.Origin != b.Origin || (a.Spendable == nil) != (b.Spendable == nil) {
			t.Errorf("record %d: %+v became %+v", i, a, b)
		}
	}
}

// TestSparrowShape reads a file with the members Sparrow's exporter
// writes: extra members passed over, records without a label kept (they
// leave the label alone), its spscan record (defined by BIP329, for a
// silent payments key no airsign wallet has) counted apart from types
// BIP329 does not define.
func TestSparrowShape(t *testing.T) {
	res := readFile(t, "sparrow-shape.jsonl")
	if len(res.Records) != 8 || res.Ignored != 0 || res.SilentPayments != 1 {
		t.Fatalf("%d records, %d ignored, %d spscan", len(res.Records), res.Ignored, res.SilentPayments)
	}
	var labelled, frozen int
	for _, r := range res.Records {
		if r.Label != nil {
			labelled++
		}
		if r.Spendable != nil && !*r.Spendable {
			frozen++
		}
	}
	if labelled != 5 || frozen != 1 {
		t.Fatalf("%d labelled, %d frozen", labelled, frozen)
	}
}

func TestBadLines(t *testing.T) {
	txid := strings.Repeat("ab", 32)
	for _, c := range []struct {
		name, in string
		line     int
		code     Code
		want     string
	}{
		{"not JSON", "{\"type\":\"tx\"\n", 1, ErrNotJSON, "not a JSON object"},
		{"array", `["tx"]`, 1, ErrNotJSON, "not a JSON object"},
		{"second line", "{\"type\":\"tx\",\"ref\":\"" + txid + "\",\"label\":\"a\"}\n\n{\"type\":\"tx\",\"ref\":\"zz\",\"label\":\"b\"}", 3, ErrRef, "tx ref \"zz\" is not a txid"},
		{"no type", `{"ref":"x"}`, 1, ErrNoType, "no \"type\""},
		{"type number", `{"type":5,"ref":"x"}`, 1, ErrField, "\"type\" is 5, not a string"},
		{"no ref", `{"type":"addr","label":"x"}`, 1, ErrNoRef, "no \"ref\""},
		{"outpoint without index", `{"type":"output","ref":"` + txid + `"}`, 1, ErrRef, "is not TXID:INDEX"},
		{"outpoint index too big", `{"type":"input","ref":"` + txid + `:4294967296"}`, 1, ErrRef, "is not TXID:INDEX"},
		{"outpoint index signed", `{"type":"input","ref":"` + txid + `:+1"}`, 1, ErrRef, "is not TXID:INDEX"},
		{"pubkey short", `{"type":"pubkey","ref":"02ab"}`, 1, ErrRef, "not a 32, 33 or 65 byte public key"},
		{"address with space", `{"type":"addr","ref":"bc1 q"}`, 1, ErrRef, "holds spaces"},
		{"label line break", `{"type":"tx","ref":"` + txid + `","label":"a\nb"}`, 1, ErrLabel, "line break or control character (U+000A)"},
		{"label escape", `{"type":"tx","ref":"` + txid + `","label":"\u001b[31m"}`, 1, ErrLabel, "U+001B"},
		{"label number", `{"type":"tx","ref":"` + txid + `","label":7}`, 1, ErrField, "\"label\" is 7"},
		{"spendable string", `{"type":"output","ref":"` + txid + `:0","spendable":"false"}`, 1, ErrField, "\"spendable\" is \"false\", not true or false"},
		{"not UTF-8", "{\"type\":\"tx\",\"ref\":\"\xff\"}", 1, ErrNotUTF8, "not UTF-8"},
		{"long line", `{"type":"tx","ref":"` + strings.Repeat("a", MaxLine) + `"}`, 0, ErrTooLong, "longer than 64 KiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := Read(strings.NewReader(c.in), "labels.jsonl")
			var e *Error
			if !errors.As(err, &e) || e.Line != c.line || e.Code != c.code || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v (%+v), %v\nwant line %d code %d %q", res, e, err, c.line, c.code, c.want)
			}
			if c.line > 0 && !strings.Contains(err.Error(), "labels.jsonl line ") || !strings.HasPrefix(err.Error(), "labels.jsonl") {
				t.Errorf("the error does not name the file and line: %v", err)
			}
		})
	}
}

func TestLenient(t *testing.T) {
	txid := strings.Repeat("AB", 32)
	in := strings.Join([]string{
		"\xef\xbb\xbf" + `{"type":"tx","ref":"` + txid + `","label":"first"}`, // BOM, upper-case hex
		`{"type":"tx","ref":"` + strings.ToLower(txid) + `","origin":"wpkh([d34db33f/84h/0h/0h])"}`,
		`{"type":"addr","ref":"bc1qx","label":"addr","spendable":true}`, // spendable off an output is passed over
		`{"type":"output","ref":"` + txid + `:01","label":null,"spendable":false}`,
		`{"type":"tx","ref":"` + txid + `","label":"` + strings.Repeat("é", MaxLabel+5) + `"}`,
		`{"type":"silentpayment","ref":"whatever"}`,
		"",
	}, "\r\n")
	res, err := Read(strings.NewReader(in), "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 3 || res.Ignored != 1 || len(res.Truncated) != 1 || res.Truncated[0] != 5 {
		t.Fatalf("%+v", res)
	}
	tx := res.Records[0]
	if tx.Ref != strings.ToLower(txid) || tx.Origin != "wpkh([d34db33f/84h/0h/0h])" || len([]rune(*tx.Label)) != MaxLabel {
		t.Errorf("merged tx %+v", tx)
	}
	if res.Records[1].Spendable != nil {
		t.Errorf("spendable kept on an address")
	}
	if o := res.Records[2]; o.Ref != strings.ToLower(txid)+":1" || o.Label != nil || o.Spendable == nil || *o.Spendable {
		t.Errorf("output %+v", o)
	}
}

// TestSparrowWritten: an export Sparrow wrote (testdata/SOURCES.md), read
// and written back, is the same file byte for byte: every record, member
// and character survives (Sparrow wrote no final newline; Write ends
// every line).
func TestSparrowWritten(t *testing.T) {
	data, err := os.ReadFile("testdata/sparrow-written.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	res := readFile(t, "sparrow-written.jsonl")
	if len(res.Records) != 72 || res.Ignored != 0 || len(res.Truncated) != 0 {
		t.Fatalf("%d records, %d ignored, %d cut; want 72, 0, 0", len(res.Records), res.Ignored, len(res.Truncated))
	}
	var buf bytes.Buffer
	if err := Write(&buf, res.Records); err != nil {
		t.Fatal(err)
	}
	if want := append(bytes.Clone(data), '\n'); !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("written back differently:\n%s", buf.Bytes())
	}
}

// FuzzRead: no input panics, and what is read writes and reads back the
// same.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"bip329-test-vectors.jsonl", "sparrow-shape.jsonl", "sparrow-written.jsonl"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"type":"output","ref":"` + strings.Repeat("0", 64) + `:0","spendable":false}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Read(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, res.Records); err != nil {
			t.Fatal(err)
		}
		again, err := Read(&buf, "again")
		if err != nil {
			t.Fatalf("written records do not read back: %v\n%s", err, buf.Bytes())
		}
		if len(again.Records) != len(res.Records) {
			t.Fatalf("%d records became %d", len(res.Records), len(again.Records))
		}
	})
}
