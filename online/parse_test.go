package online

import (
	"github.com/airsign/airsign/transport"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/ur"
	"github.com/airsign/airsign/transport/ur/urdescriptor"
)

const (
	p2wpkhA = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk" // abandon… m/84h/1h/0h/0/0
	p2wpkhB = "bcrt1q9u62588spffmq4dzjxsr5l297znf3z6jkgnhsw" // abandon… m/84h/1h/0h/1/0
	mainnet = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
)

func TestParsePayoutsCSV(t *testing.T) {
	good := []struct {
		name, csv string
		want      []string // address:sat
		lines     []string
	}{
		{"header", "address,amount\n" + p2wpkhA + ",0.5\n" + p2wpkhB + ",1000sat\n",
			[]string{p2wpkhA + ":50000000", p2wpkhB + ":1000"}, []string{"f line 2", "f line 3"}},
		{"no header, comments, blank lines, spaces, CRLF", "# payouts\r\n\r\n" + p2wpkhA + ", 0.00000300\r\n  \r\n" + p2wpkhB + ",  2 \r\n",
			[]string{p2wpkhA + ":300", p2wpkhB + ":200000000"}, []string{"f line 3", "f line 5"}},
		{"quoted fields and BOM", "\ufeff\"Address\",\"Amount (BTC)\"\n\"" + p2wpkhA + "\",\"0.1\"\n",
			[]string{p2wpkhA + ":10000000"}, []string{"f line 2"}},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			pays, err := ParsePayoutsCSV(strings.NewReader(c.csv), "f", regtest)
			if err != nil {
				t.Fatal(err)
			}
			if len(pays) != len(c.want) {
				t.Fatalf("%d payouts, want %d", len(pays), len(c.want))
			}
			for i, p := range pays {
				got := p.Address.EncodeAddress() + ":" + itoa(p.Amount)
				if got != c.want[i] || p.Origin != c.lines[i] {
					t.Errorf("payout %d: %s (%s), want %s (%s)", i, got, p.Origin, c.want[i], c.lines[i])
				}
			}
		})
	}
	bad := []struct {
		name, csv, want string
	}{
		{"empty", "", "f holds no payment"},
		{"only header", "address,amount\n", "f holds no payment"},
		{"three fields", p2wpkhA + ",0.1,rent\n", "f line 1: expected ADDRESS,AMOUNT, found 3 fields"},
		{"one field", "address,amount\n" + p2wpkhA + ",0.1\n" + p2wpkhB + "\n", "f line 3: expected ADDRESS,AMOUNT, found 1 field"},
		{"bad amount", p2wpkhA + ",0.1\n" + p2wpkhB + ",1.123456789\n", "f line 2: amount \"1.123456789\": expected BTC with at most 8 decimals"},
		{"negative", p2wpkhA + ",-1\n", "f line 1: amount \"-1\""},
		{"mainnet address", "# x\n" + p2wpkhA + ",1\n\n" + mainnet + ",1\n", "f line 4: address \"" + mainnet + "\" is not a regtest address"},
		{"header not first", p2wpkhA + ",1\naddress,amount\n", "f line 2: address \"address\" is not a valid Bitcoin address"},
		{"bad address first", "bcrt1qnotanaddress,1\n", "f line 1: address \"bcrt1qnotanaddress\" is not a valid"},
		// Both fields wrong on line 1 is a mistyped payment, not a header:
		// dropping it would prepare the batch without it.
		{"bad first line is not a header", mainnet + ",0.5 BTC.\n" + p2wpkhA + ",1\n", "f line 1: address \"" + mainnet + "\" is not a regtest address"},
		{"bare quote", p2wpkhA + ",\"1\n", "f line 1:"},
		{"unknown type", "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798,1\n", "f line 1: \"0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798\" is a bare public key (p2pk), an unknown address type"},
		{"too large", strings.Repeat("#", maxPayoutFile+1), "larger than 1 MiB"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParsePayoutsCSV(strings.NewReader(c.csv), "f", regtest)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v\nwant %q", err, c.want)
			}
		})
	}
}

func TestCheckPayouts(t *testing.T) {
	pays, err := ParsePayoutsCSV(strings.NewReader(p2wpkhA+",1\n"+p2wpkhB+",2\n"+p2wpkhA+",3\n"), "pay.csv", regtest)
	if err != nil {
		t.Fatal(err)
	}
	err = CheckPayouts(pays)
	const want = "pay.csv line 3: address " + p2wpkhA + " is already paid by pay.csv line 1"
	if err == nil || err.Error() != want {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	if h := transport.Hints(err); len(h) != 1 || h[0] != "pay an address once per transaction (add the amounts)" {
		t.Fatalf("hints %q", h)
	}
	pays, _ = ParsePayoutsCSV(strings.NewReader(p2wpkhA+",294sat\n"+p2wpkhB+",293sat\n"), "pay.csv", regtest)
	if err := CheckPayouts(pays); err == nil || !strings.Contains(err.Error(), "pay.csv line 2: 0.00000293 BTC to "+p2wpkhB+" is below the dust limit") {
		t.Fatalf("dust: %v", err)
	}
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func FuzzParsePayoutsCSV(f *testing.F) {
	f.Add("address,amount\n" + p2wpkhA + ",0.5\n" + p2wpkhB + ",1000sat\n")
	f.Add("# c\r\n" + p2wpkhA + ", 2 \r\n")
	f.Add("\"a\"\"b\",1\n")
	f.Add(p2wpkhA + ",1,2\n")
	f.Fuzz(func(t *testing.T, s string) {
		pays, err := ParsePayoutsCSV(strings.NewReader(s), "f", regtest)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f ") && !strings.HasPrefix(err.Error(), "f:") && !strings.Contains(err.Error(), "reading f") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, p := range pays {
			if p.Amount <= 0 || !p.Address.IsForNet(regtest) || !strings.HasPrefix(p.Origin, "f line ") {
				t.Fatalf("bad payout %+v", p)
			}
		}
		_ = CheckPayouts(pays)
	})
}

func TestParseAmount(t *testing.T) {
	good := map[string]int64{
		"1": 100_000_000, "0.015": 1_500_000, ".5": 50_000_000, "0.00000001": 1, "1500000sat": 1_500_000,
		" 2 ": 200_000_000, "21000000": 2_100_000_000_000_000, "3BTC": 300_000_000, "1.": 100_000_000,
	}
	for s, want := range good {
		if got, err := ParseAmount(s); err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "0.0", "-1", "1e3", "0.000000001", "21000000.00000001", "1,5", "sat", "0sat", "1.5sat", "0x10", "1 000", "٣"} {
		if got, err := ParseAmount(s); err == nil {
			t.Errorf("ParseAmount(%q) = %d, want an error", s, got)
		}
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1", "0.015", "1500000sat", "21000000", "-1", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseAmount(s)
		if err == nil && (n <= 0 || n > 21_000_000*100_000_000) {
			t.Fatalf("ParseAmount(%q) = %d", s, n)
		}
	})
}

func TestParseAddress(t *testing.T) {
	for _, s := range []string{p2wpkhA, "2Mv8HwNfjL3LbE8RL8CUMZ7h2rMgjcDpod6", "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn",
		"bcrt1p6uav7en8k7zsumsqugdmg5j6930zmzy4dg7jcddshsr0fvxlqx7qnc7l22"} {
		if _, err := ParseAddress(s, regtest); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	bad := map[string]string{
		mainnet: "is not a regtest address",
		"0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798": "unknown address type",
		"bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppj":                       "not a valid Bitcoin address",
		"": "not a valid Bitcoin address",
	}
	for s, want := range bad {
		if _, err := ParseAddress(s, regtest); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", s, err, want)
		}
	}
}

func TestParseOutPoint(t *testing.T) {
	txid := strings.Repeat("0a", 32)
	op, err := ParseOutPoint(" " + strings.ToUpper(txid) + ":7 ")
	if err != nil || op.String() != txid+":7" {
		t.Fatalf("%v %v", op, err)
	}
	for s, want := range map[string]string{
		txid:                   "expected TXID:VOUT",
		txid + ":":             "output number",
		txid + ":-1":           "output number",
		txid + ":+1":           "output number",
		txid + ":4294967296":   "output number",
		txid[2:] + ":0":        "64 hex digits",
		"zz" + txid[2:] + ":0": "64 hex digits",
		"":                     "expected TXID:VOUT",
	} {
		if _, err := ParseOutPoint(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", s, err, want)
		}
	}
}

func FuzzParseOutPoint(f *testing.F) {
	f.Add(strings.Repeat("0a", 32) + ":7")
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		op, err := ParseOutPoint(s)
		if err != nil {
			return
		}
		again, err := ParseOutPoint(op.String())
		if err != nil || again != op {
			t.Fatalf("%q → %v does not round-trip", s, op)
		}
	})
}

func TestParseDescriptorFile(t *testing.T) {
	const d = "wpkh([73c5da0a/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/<0;1>/*)#lxek0ef2"
	good := []struct {
		name, data, net string
	}{
		{"plain", d + "\n", ""},
		{"comments and BOM", "\ufeff# exported by airsign-offline\n\n  " + d + "  \n# end\n", ""},
		{"enrollment", `{"descriptor":"` + d + `","network":"regtest","fingerprint":"73c5da0a","id":"x","tag":"00"}`, "regtest"},
		{"same wallet twice", d + "\n" + d + "\n", ""},
	}
	for _, c := range good {
		got, net, err := ParseDescriptorFile([]byte(c.data), "f")
		if err != nil || got != d || net != c.net {
			t.Errorf("%s: %q %q %v", c.name, got, net, err)
		}
	}
	bad := map[string]string{
		"":                                    "f is empty",
		"# only\n\n":                          "f holds only comments",
		d + "\n" + "sh(" + d[:len(d)-9] + ")": "f: a field the wallet needs is missing: line 2 has no #checksum",
		"{\"network\":\"regtest\"}":           "without a \"descriptor\" field",
		"{\"descriptor\":\"\"}":               "without a \"descriptor\" field",
		"{\"descriptor\":1}":                  "does not parse",
		"{}{}":                                "more than one JSON object",
		"UR:CRYPTO-OUTPUT/ABCD":               "f: code 1: ur:crypto-output:",
		"\xff\xfe w\x00p\x00":                 "not text",
	}
	for data, want := range bad {
		if _, _, err := ParseDescriptorFile([]byte(data), "f"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", data, err, want)
		}
	}
}

func FuzzParseDescriptorFile(f *testing.F) {
	f.Add([]byte("wpkh(x)#y\n"))
	f.Add([]byte(`{"descriptor":"wpkh(x)","network":"regtest"}`))
	f.Add([]byte("# c\nur:crypto-output/abc"))
	f.Add([]byte(accountUR(f, descriptor.WPKH, descriptor.TR)))
	msg, err := urdescriptor.Encode(testDescriptor(f, descriptor.WSHSortedMulti))
	if err != nil {
		f.Fatal(err)
	}
	enc, err := ur.NewEncoder(urdescriptor.TypeCryptoOutput, msg, 120)
	if err != nil {
		f.Fatal(err)
	}
	var series []string
	for i := 1; i <= enc.SeqLen()+1; i++ {
		series = append(series, enc.Part(uint32(i)))
	}
	f.Add([]byte(strings.Join(series, "\n")))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, _, err := ParseDescriptorFile(data, "f")
		if err == nil && (d == "" || !utf8.ValidString(d)) {
			t.Fatalf("accepted %q as %q", data, d)
		}
	})
}

func TestCheckFeeFlags(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, c := range []struct {
		rate    float64
		target  int
		max     float64
		want    string // error substring; "" = accepted
		wantMax float64
	}{
		{5, 0, 0, "", DefaultMaxFeeRate},
		{0, 6, 50, "", 50},
		{nan, 0, 0, "--fee-rate NaN is not a fee rate", 0},
		{inf, 0, 0, "--fee-rate +Inf is not a fee rate", 0},
		{-3, 0, 0, "--fee-rate -3 is not a fee rate", 0},
		{5, 0, nan, "--max-fee-rate NaN is not a fee rate", 0},
		{5, 0, inf, "--max-fee-rate +Inf is not a fee rate", 0},
		{0.5, 0, 0, "below 1 sat/vB", 0},
		{20000, 0, 0, "above the cap", 0},
		{5, 6, 0, "not both", 0},
	} {
		got, err := checkFeeFlags(c.rate, c.target, c.max)
		switch {
		case c.want == "" && (err != nil || got != c.wantMax):
			t.Errorf("checkFeeFlags(%v, %d, %v) = %v, %v", c.rate, c.target, c.max, got, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("checkFeeFlags(%v, %d, %v): error %v, want %q", c.rate, c.target, c.max, err, c.want)
		}
	}
}
