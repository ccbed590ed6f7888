package psbt

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrap(t *testing.T) {
	cases := []struct {
		name              string
		first, cont, text string
		width             int
		want              []string
	}{
		{"fits", "a: ", "   ", "one two", 20, []string{"a: one two"}},
		{"at a space", "a: ", "   ", "one two three", 9, []string{"a: one", "   two", "   three"}},
		{"double spaces kept inside a line", "", "  ", "1 BTC  p2tr  ours", 80, []string{"1 BTC  p2tr  ours"}},
		{"double spaces dropped at a break", "", "  ", "aaaa  bbbb", 6, []string{"aaaa", "  bbbb"}},
		{"long word cut", "x ", "  ", "0123456789abcdef", 8, []string{"x 012345", "  6789ab", "  cdef"}},
		{"long word after a short one", "", "", "ab 0123456789", 5, []string{"ab", "01234", "56789"}},
		{"runes, not bytes", "", "", "e4131bb8…ae3101cc:0", 19, []string{"e4131bb8…ae3101cc:0"}},
		{"no room: as it is", "0123456789", "", "x y", 10, []string{"0123456789x y"}},
		{"a number stays with its word", "", "  ", "refused input 3", 14, []string{"refused", "  input 3"}},
		{"a #number too", "", "  ", "from share #12 of", 12, []string{"from", "  share #12", "  of"}},
		{"numbers too long to keep together", "", "", "ab 0123456789", 12, []string{"ab", "0123456789"}},
		{"empty text", "Fee: ", "", "", 80, []string{"Fee: "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Wrap(tc.first, tc.cont, tc.text, tc.width)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("Wrap(%q, %q, %q, %d) = %q, want %q", tc.first, tc.cont, tc.text, tc.width, got, tc.want)
			}
		})
	}
}

func TestShortOutpoint(t *testing.T) {
	op := "e4131bb829cdfbc2dfacc545d693f30c2bbd980467b81e02509b1089ae3101cc:4294967295"
	if got, want := ShortOutpoint(op), "e4131bb8…ae3101cc:4294967295"; got != want {
		t.Errorf("ShortOutpoint = %q, want %q", got, want)
	}
	if got := ShortOutpoint("commitment"); got != "commitment" {
		t.Errorf("ShortOutpoint changed %q", got)
	}
}

// checkWidth fails the test for every line of text wider than ScreenWidth.
func checkWidth(t *testing.T, name, text string) {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if n := utf8.RuneCountInString(l); n > ScreenWidth {
			t.Errorf("%s line %d is %d columns (more than %d):\n%s", name, i+1, n, ScreenWidth, l)
		}
	}
}

// renderAll renders a in every form a screen shows it.
func renderAll(t *testing.T, name string, a *Analysis) {
	t.Helper()
	for _, opts := range []TextOptions{{}, {NoDigest: true}, {Sats: true}} {
		var b bytes.Buffer
		if err := a.WriteTextOptions(&b, opts); err != nil {
			t.Fatal(err)
		}
		checkWidth(t, name, b.String())
	}
}

// TestScreenWidth checks that no line of the analysis is wider than an
// 80-column console, over the golden files, the whole attack corpus (each
// analysed with and without the key's wallet), a PSBT of 300 inputs, and an
// analysis with the widest values each field can hold.
func TestScreenWidth(t *testing.T) {
	golden, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.txt"))
	if len(golden) == 0 {
		t.Fatal("no golden files")
	}
	for _, g := range golden {
		raw, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		checkWidth(t, g, string(raw))
	}

	k := testKit(t)
	attacks, _ := filepath.Glob(filepath.Join("testdata", "attacks", "*.psbt"))
	if len(attacks) < 40 {
		t.Fatalf("only %d attack PSBTs", len(attacks))
	}
	rendered := 0
	for _, path := range attacks {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Decode(raw)
		if err != nil {
			continue // refused at decoding: there is no analysis to show
		}
		for _, mode := range []walletMode{keyOnly, enrolledWPKH, enrolledMulti} {
			renderAll(t, filepath.Base(path), DefaultPolicy().Apply(Analyze(p, regtest, k.fp, k.changeWallet(p, mode))))
			rendered++
		}
		renderAll(t, filepath.Base(path)+" (fingerprint unknown)", Analyze(p, regtest, 0, nil))
	}
	if rendered < 120 {
		t.Errorf("only %d attack analyses rendered", rendered)
	}

	var ins []InputSpec
	for i := uint32(0); i < 300; i++ {
		ins = append(ins, k.wpkhCoin(t, 1000+i, 0, i, 100_000))
	}
	big := mustBuild(t, ins, []OutputSpec{k.pay(20_000_000), k.change(t, k.wpkh, 0, 9_950_000)})
	renderAll(t, "300 inputs", k.analyze(big, DefaultPolicy()))

	renderAll(t, "widest values", widestAnalysis())
}

// widestAnalysis is an analysis whose every field is as wide as it can be
// (the most money, the longest outpoint, paths, addresses and scripts).
func widestAnalysis() *Analysis {
	const maxSat = 21_000_000 * 100_000_000
	txid := strings.Repeat("f", 64)
	path := "[ffffffff]m/2147483647h/2147483647h/2147483647h/2147483647h/4294967295/4294967295"
	a := &Analysis{TxID: txid, Digest: "abandon abandon abandon abandon", Version: 2, LockTime: 4294967295, TotalIn: maxSat, TotalOut: maxSat, Spend: maxSat, Fee: maxSat, VSize: 1 << 40, FeeRate: 1e12, FeePercent: 100, RBF: true}
	a.Reserves = &Reserves{Coins: 1 << 30, Total: maxSat, Message: strings.Repeat("a long message ", 20) + strings.Repeat("x", 200)}
	for i := range 3 {
		a.Inputs = append(a.Inputs, Input{Index: 9999 + i, Outpoint: txid + ":4294967295", Amount: maxSat, HasAmount: i != 1, ScriptType: P2SHP2WSH, Paths: []string{path, path, path}, SighashType: "ALL|ANYONECANPAY", Signatures: 15, Finalized: i == 2, Sequence: 1<<22 | 0xffff})
	}
	a.Outputs = []Output{
		{Index: 99999, Address: "bcrt1p" + strings.Repeat("q", 70), Amount: maxSat, Change: true, Verified: true, Path: path},
		{Index: 99999, Address: "bcrt1q" + strings.Repeat("q", 58), Amount: maxSat, Change: true, Path: path},
		{Index: 99999, Script: strings.Repeat("6a", 10_000), Amount: maxSat},
	}
	a.Problems = []Problem{{Input: 9999, Output: -1, Severity: Refuse, Code: CodeFakeChange, Message: strings.Repeat("wordy words ", 30) + strings.Repeat("f", 300), Rule: "warn_fee"}}
	return a
}

// TestJSONFieldsDocumented: every field --json prints is in
// docs/analysis-json.md, and the page names no field that is gone.
func TestJSONFieldsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "analysis-json.md"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := widestAnalysis().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	printed := map[string]bool{}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, inner := range v {
				printed[k] = true
				walk(inner)
			}
		case []any:
			for _, inner := range v {
				walk(inner)
			}
		}
	}
	walk(v)
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]] = true
	}
	for _, k := range []string{"message", "coins", "total_sat"} {
		documented[k] = strings.Contains(string(doc), "`"+k+"`") // the reserves object, in a sentence
	}
	for k := range printed {
		if !documented[k] {
			t.Errorf("--json prints %q, which docs/analysis-json.md does not describe", k)
		}
	}
	for k := range documented {
		if !printed[k] {
			t.Errorf("docs/analysis-json.md describes %q, which --json does not print", k)
		}
	}
}

// TestCondense: a screen lists ProblemsShown problems of each kind, then
// one line counting the rest; kinds keep their order and are never merged.
func TestCondense(t *testing.T) {
	var in []Problem
	for i := 0; i < 40; i++ {
		in = append(in, Problem{Input: -1, Output: i, Severity: Refuse, Code: CodeChangePath, Message: "bad path"})
		if i < 3 {
			in = append(in, Problem{Input: i, Output: -1, Severity: Warn, Code: CodeDust, Message: "dust"})
		}
	}
	in = append(in, Problem{Input: -1, Output: -1, Severity: Warn, Code: CodeChangePath, Message: "a warning of the same code"})
	out := Condense(in)
	var refused, summaries, dust, warnSame int
	for _, pr := range out {
		switch {
		case strings.HasPrefix(pr.Message, "… and 35 more like the above (change-path)"):
			summaries++
		case pr.Code == CodeChangePath && pr.Severity == Refuse:
			refused++
		case pr.Code == CodeDust:
			dust++
		case pr.Code == CodeChangePath:
			warnSame++
		}
	}
	if refused != ProblemsShown || summaries != 1 || dust != 3 || warnSame != 1 || len(out) != ProblemsShown+1+3+1 {
		t.Fatalf("condensed to %d refused, %d summaries, %d dust, %d same-code warnings (%d lines):\n%v", refused, summaries, dust, warnSame, len(out), out)
	}
	if short := Condense(in[:4]); len(short) != 4 {
		t.Fatalf("a short list was changed: %v", short)
	}
}
