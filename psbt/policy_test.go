package psbt

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	k := testKit(t)
	got, err := ParsePolicy(strings.NewReader(`{
  "version": 1,
  "warn_fee_percent": 5,
  "warn_fee_rate_sat_vb": 500.5,
  "max_fee_sat": 1000000,
  "max_fee_rate_sat_vb": 2000,
  "max_spend_sat": 250000000,
  "allowlist": [" ` + strings.ToUpper(k.externalAddress) + ` "],
  "script_types": ["p2wpkh", "P2TR"]
}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Policy{
		WarnFeePercent: 5, WarnFeeRate: 500.5, MaxFee: 1_000_000, MaxFeeRate: 2000, MaxSpend: 250_000_000,
		Allowlist:   []string{k.externalAddress}, // bech32 in its canonical lower case
		ScriptTypes: []ScriptType{P2WPKH, P2TR},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}

	// Fields left out keep their defaults.
	got, err = ParsePolicy(strings.NewReader(`{"max_fee_sat": 5000}`))
	if err != nil {
		t.Fatal(err)
	}
	want = DefaultPolicy()
	want.MaxFee = 5000
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if got, err := ParsePolicy(strings.NewReader("{}\n")); err != nil || !reflect.DeepEqual(got, DefaultPolicy()) {
		t.Fatalf("{} gives %+v, %v", got, err)
	}
}

func TestParsePolicyBad(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "the policy file is empty"},
		{"blank", " \n\t", "the policy file is empty"},
		{"not json", "max_fee_sat = 5", "not JSON"},
		{"array", "[]", "must be a JSON object"},
		{"unknown field", "{\n\"max_fee_sat\": 1,\n\"max_fe_sat\": 2}", `policy line 3: unknown field "max_fe_sat"`},
		{"duplicate field", `{"max_fee_sat": 1000, "max_fee_sat": 0}`, `field "max_fee_sat" appears twice`},
		{"override in file", `{"allow_high_fee": true}`, `"allow_high_fee" is an override the operator gives on the command line (--allow-high-fee)`},
		{"fractional sat", `{"max_fee_sat": 0.5}`, "max_fee_sat must be a whole number, not 0.5 (amounts are whole satoshis"},
		{"exponent sat", `{"max_spend_sat": 1e8}`, "max_spend_sat must be a whole number, not 1e8"},
		{"string amount", `{"max_fee_sat": "0.01 BTC"}`, `max_fee_sat must be a number, not "0.01 BTC"`},
		{"negative", `{"max_fee_sat": -1}`, "max_fee_sat must not be negative"},
		{"above supply", `{"max_spend_sat": 2100000000000001}`, "more than 21 million BTC"},
		{"huge", `{"max_spend_sat": 99999999999999999999}`, "out of range"},
		{"negative rate", `{"max_fee_rate_sat_vb": -0.1}`, "must not be negative"},
		{"percent above 100", `{"warn_fee_percent": 150}`, "a percentage above 100 would never warn"},
		{"rate string", `{"warn_fee_rate_sat_vb": "fast"}`, "must be a number"},
		{"null", `{"max_fee_sat": null}`, "must be a number"},
		{"version", `{"version": 2}`, "version 2 is not known"},
		{"allowlist not list", `{"allowlist": "bcrt1q"}`, "allowlist must be a list"},
		{"allowlist junk", `{"allowlist": ["not-an-address"]}`, `allowlist entry 1: "not-an-address" is not a Bitcoin address`},
		{"allowlist empty entry", `{"allowlist": [""]}`, "allowlist entry 1: empty address"},
		{"script type", `{"script_types": ["p2pkh"]}`, `script_types entry 1: "p2pkh" is not one of`},
		{"trailing", `{} {}`, "unexpected text after the policy object"},
		{"truncated", `{"max_fee_sat": 1`, "not JSON"},
		{"oversize", "{" + strings.Repeat(" ", MaxPolicySize) + "}", "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePolicy(strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("accepted %q", tc.in)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// TestPolicyRules applies each rule to the honest payment (fee 1410 sat,
// 141 vB, 0.3 BTC to the payee).
func TestPolicyRules(t *testing.T) {
	k := testKit(t)
	for _, tc := range []struct {
		name string
		pol  Policy
		code Code // "" = no refusal
	}{
		{"default", DefaultPolicy(), ""},
		{"zero value", Policy{}, ""},
		{"fee cap above", Policy{MaxFee: 1410}, ""},
		{"fee cap below", Policy{MaxFee: 1409}, "fee-cap"},
		{"rate cap below", Policy{MaxFeeRate: 9.9}, "fee-rate-cap"},
		{"spend cap below", Policy{MaxSpend: 30_001_409}, "spend-cap"},
		{"spend cap exact", Policy{MaxSpend: 30_001_410}, ""},
		{"percent", Policy{WarnFeePercent: 0.001}, "high-fee"},
		{"percent allowed", Policy{WarnFeePercent: 0.001, AllowHighFee: true}, ""},
		{"allowlist miss", Policy{Allowlist: []string{"bcrt1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq6m0cyp"}}, "not-allowlisted"},
		{"allowlist hit", Policy{Allowlist: []string{k.externalAddress}}, ""},
		{"script types miss", Policy{ScriptTypes: []ScriptType{P2TR}}, "script-type"},
		{"script types hit", Policy{ScriptTypes: []ScriptType{P2WPKH}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.pol.Apply(Analyze(k.honest(t), regtest, k.fp, k.wallet))
			refusals := a.Refusals()
			if tc.code == "" {
				if len(refusals) != 0 {
					t.Fatalf("refused: %v", refusals)
				}
				return
			}
			if len(refusals) != 1 || refusals[0].Code != tc.code || refusals[0].Rule == "" {
				t.Fatalf("want one %s refusal naming its rule, got %v", tc.code, refusals)
			}
		})
	}
}

// TestPolicySats: the amounts of a policy's messages follow --sats, and
// the page lines of a PSBT too; BTC otherwise.
func TestPolicySats(t *testing.T) {
	k := testKit(t)
	for _, sats := range []bool{false, true} {
		a := Policy{MaxFee: 1409, Sats: sats}.Apply(Analyze(k.honest(t), regtest, k.fp, k.wallet))
		want := "the fee 0.00001410 BTC is above the cap of 0.00001409 BTC"
		if sats {
			want = "the fee 1410 sat is above the cap of 1409 sat"
		}
		if r := a.Refusals(); len(r) != 1 || r[0].Message != want {
			t.Errorf("sats=%v: refusals %v, want %q", sats, r, want)
		}
		page := strings.Join(a.PageLinesOptions(TextOptions{Sats: sats}), "\n")
		fee := "Fee 0.00001410 BTC"
		if sats {
			fee = "Fee 1410 sat"
		}
		if !strings.Contains(page, fee) {
			t.Errorf("sats=%v: page lines %q, want %q", sats, page, fee)
		}
	}
}

func TestAllowSighash(t *testing.T) {
	k := testKit(t)
	p := k.honest(t)
	p.p.Inputs[0].SighashType = 0x83 // SINGLE|ANYONECANPAY
	pol := DefaultPolicy()
	if a := k.analyze(p, pol); !hasProblem(a, "sighash") || len(a.Refusals()) != 1 {
		t.Fatalf("want the sighash refusal, got %v", a.Problems)
	}
	pol.AllowSighash = true
	a := k.analyze(p, pol)
	if len(a.Refusals()) != 0 || len(a.Warnings()) != 1 || !strings.Contains(a.Warnings()[0].Message, "allowed by --allow-sighash") {
		t.Fatalf("want one warning, got %v", a.Problems)
	}
	if _, err := k.sign(p, pol); err != nil {
		t.Fatal(err)
	}
	if sig := p.p.Inputs[0].PartialSigs[0].Signature; sig[len(sig)-1] != 0x83 {
		t.Fatalf("signed with sighash 0x%x, not the 0x83 asked for", sig[len(sig)-1])
	}
	// An undefined type stays refused whatever the flag says.
	p = k.honest(t)
	p.p.Inputs[0].SighashType = 0x84
	if a := k.analyze(p, pol); !hasProblem(a, "sighash-invalid") || len(a.Refusals()) != 1 {
		t.Fatalf("want sighash-invalid, got %v", a.Problems)
	}
}

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"version":1,"warn_fee_percent":10,"warn_fee_rate_sat_vb":10000,"max_fee_sat":100000,"max_fee_rate_sat_vb":500,"max_spend_sat":100000000,"allowlist":["bcrt1qe2vk9m6dx2a9rgsdytjeuuyf266y9nd0dmdzts"],"script_types":["p2wpkh","p2tr"]}`,
		`{"max_fee_sat": 0.5}`,
		`{"allowlist": ["tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"]}`,
		`{"max_fee_sat": 1, "max_fee_sat": 2}`,
		`[1,2]`,
		``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		pol, err := ParsePolicy(strings.NewReader(in))
		if err != nil {
			if pol.MaxFee != 0 || pol.Allowlist != nil {
				t.Fatal("a failed parse returned a policy")
			}
			return
		}
		if pol.MaxFee < 0 || pol.MaxSpend < 0 || pol.MaxFeeRate < 0 || pol.WarnFeeRate < 0 || pol.WarnFeePercent < 0 || pol.WarnFeePercent > 100 {
			t.Fatalf("accepted a negative or impossible limit: %+v", pol)
		}
		if pol.AllowHighFee || pol.AllowSighash {
			t.Fatal("a file set an operator override")
		}
		// What was accepted reads back the same.
		out, err := json.Marshal(pol)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParsePolicy(strings.NewReader(string(out)))
		if err != nil {
			t.Fatalf("re-parsing %s: %v", out, err)
		}
		if !reflect.DeepEqual(pol, again) {
			t.Fatalf("round trip changed the policy:\n%+v\n%+v", pol, again)
		}
	})
}

// TestPolicyDocExample keeps docs/policy.md's example a valid policy.
func TestPolicyDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/policy.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```json\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("no JSON example in docs/policy.md")
	}
	pol, err := ParsePolicy(strings.NewReader(example))
	if err != nil {
		t.Fatalf("the documented example is refused: %v", err)
	}
	if pol.MaxFee != 1_000_000 || len(pol.Allowlist) != 2 || len(pol.ScriptTypes) != 2 || pol.WarnFeePercent != 5 {
		t.Fatalf("the example reads as %+v", pol)
	}
}
