package psbt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
)

// Policy is what the offline signer allows without a second thought. The
// zero value allows everything the analysis does not refuse; DefaultPolicy is
// the safe starting point, and ParsePolicy reads a policy file on top of it.
// docs/policy.md documents the file.
type Policy struct {
	// WarnFeePercent: a fee above this share of the amount sent (or, for a
	// transaction that only moves our own coins, of the amount moved) needs
	// --allow-high-fee. 0 turns the rule off.
	WarnFeePercent float64 `json:"warn_fee_percent"`
	// WarnFeeRate (sat/vB): a fee rate above it needs --allow-high-fee.
	// 10,000 sat/vB is 0.1 BTC/kvB, Bitcoin Core's default maxfeerate.
	// 0 turns the rule off.
	WarnFeeRate float64 `json:"warn_fee_rate_sat_vb"`
	// MaxFee (sat) refuses outright, whatever the flags; 0 means no cap.
	MaxFee int64 `json:"max_fee_sat"`
	// MaxFeeRate (sat/vB) refuses outright; 0 means no cap.
	MaxFeeRate float64 `json:"max_fee_rate_sat_vb"`
	// MaxSpend (sat) caps what may leave the wallet in one transaction
	// (external outputs plus fee); 0 means no cap.
	MaxSpend int64 `json:"max_spend_sat"`
	// Allowlist, when not empty, lists the only addresses that may receive
	// external outputs.
	Allowlist []string `json:"allowlist,omitempty"`
	// ScriptTypes, when not empty, lists the input script types that may be
	// signed.
	ScriptTypes []ScriptType `json:"script_types,omitempty"`

	// AllowHighFee and AllowSighash are the operator's one-off overrides
	// (flags), never read from a file.
	AllowHighFee bool `json:"-"`
	AllowSighash bool `json:"-"`
	// Sats writes the amounts of the policy's messages in satoshis (the
	// operator's --sats); never read from a file.
	Sats bool `json:"-"`
}

// DefaultPolicy warns above a 10 % fee or 0.1 BTC/kvB (both need
// --allow-high-fee) and refuses nothing else that the analysis did not
// already refuse. It is safe without any file.
func DefaultPolicy() Policy {
	return Policy{WarnFeePercent: 10, WarnFeeRate: 10_000}
}

// Apply adds the policy's verdicts to the analysis' problems, each naming
// the rule, and returns the analysis for chaining.
func (pol Policy) Apply(a *Analysis) *Analysis {
	refuse := func(rule string, code Code, format string, args ...any) {
		a.Problems = append(a.Problems, Problem{Input: -1, Output: -1, Severity: Refuse, Code: code, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if pol.AllowSighash {
		for i := range a.Problems {
			if pr := &a.Problems[i]; pr.Code == CodeSighash && pr.Severity == Refuse {
				pr.Severity = Warn
				pr.Rule = "allow_sighash"
				pr.Message += " (allowed by --allow-sighash)"
			}
		}
	}
	// A proof of reserves pays its unspendable output, never an address:
	// the allowlist has nothing to say about it.
	if len(pol.Allowlist) > 0 && a.Reserves == nil {
		for _, out := range a.Outputs {
			if !out.Change && !slices.Contains(pol.Allowlist, out.Address) {
				a.Problems = append(a.Problems, Problem{Input: -1, Output: out.Index, Severity: Refuse, Code: CodeNotAllowlisted, Rule: "allowlist", Message: fmt.Sprintf("pays %s, which is not on the allowlist", displayDest(out))})
			}
		}
	}
	if len(pol.ScriptTypes) > 0 {
		for _, in := range a.Inputs {
			if in.Ours && !slices.Contains(pol.ScriptTypes, in.ScriptType) {
				a.Problems = append(a.Problems, Problem{Input: in.Index, Output: -1, Severity: Refuse, Code: CodeScriptType, Rule: "script_types", Message: fmt.Sprintf("is a %s coin; the policy allows only %v", in.ScriptType, pol.ScriptTypes)})
			}
		}
	}
	// Fee rules need the fee; when it is unknown or negative the analysis
	// has already refused.
	if !allAmountsKnown(a) || a.Fee < 0 {
		return a
	}
	highFee := ""
	if pol.WarnFeePercent > 0 && a.FeePercent > pol.WarnFeePercent {
		highFee = fmt.Sprintf("the fee %s is %.1f%% of the amount sent (more than %s%%)", pol.amount(a.Fee), a.FeePercent, trimFloat(pol.WarnFeePercent))
	}
	if pol.WarnFeeRate > 0 && a.FeeRate > pol.WarnFeeRate {
		highFee = fmt.Sprintf("the fee rate %.1f sat/vB is above %s sat/vB", a.FeeRate, trimFloat(pol.WarnFeeRate))
	}
	if highFee != "" {
		if pol.AllowHighFee {
			a.Problems = append(a.Problems, Problem{Input: -1, Output: -1, Severity: Warn, Code: CodeHighFee, Rule: "warn_fee", Message: highFee + "; accepted with --allow-high-fee"})
		} else {
			refuse("warn_fee", CodeHighFee, "%s; check it, then sign again with --allow-high-fee if it is really meant", highFee)
		}
	}
	if pol.MaxFee > 0 && a.Fee > pol.MaxFee {
		refuse("max_fee_sat", CodeFeeCap, "the fee %s is above the cap of %s", pol.amount(a.Fee), pol.amount(pol.MaxFee))
	}
	if pol.MaxFeeRate > 0 && a.FeeRate > pol.MaxFeeRate {
		refuse("max_fee_rate_sat_vb", CodeFeeRateCap, "the fee rate %.1f sat/vB is above the cap of %s sat/vB", a.FeeRate, trimFloat(pol.MaxFeeRate))
	}
	if pol.MaxSpend > 0 && a.Spend > pol.MaxSpend {
		refuse("max_spend_sat", CodeSpendCap, "%s would leave the wallet, more than the cap of %s", pol.amount(a.Spend), pol.amount(pol.MaxSpend))
	}
	return a
}

// amount formats an amount of a policy message.
func (pol Policy) amount(sat int64) string { return FormatAmount(sat, pol.Sats) }

func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func displayDest(out Output) string {
	if out.Address != "" {
		return out.Address
	}
	return "script " + out.Script
}

// MaxPolicySize caps a policy file; a real one is a few hundred bytes.
const MaxPolicySize = 1 << 20

// policyFields are the names a policy file may use, in the order the
// documentation lists them.
var policyFields = []string{"version", "warn_fee_percent", "warn_fee_rate_sat_vb", "max_fee_sat", "max_fee_rate_sat_vb", "max_spend_sat", "allowlist", "script_types"}

// signableTypes are the script types a policy may allow: the ones Sign
// signs.
var signableTypes = []ScriptType{P2WPKH, P2SHP2WPKH, P2WSH, P2SHP2WSH, P2TR}

// ParsePolicy reads a policy file (JSON, see docs/policy.md) on top of
// DefaultPolicy: a field the file leaves out keeps its default. It is
// strict, because a typo in a security policy must not silently loosen it:
// unknown or repeated fields, amounts that are not whole satoshis, negative
// limits and addresses that are not addresses are errors naming the field and
// its line.
func ParsePolicy(r io.Reader) (Policy, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPolicySize+1))
	if err != nil {
		return Policy{}, fmt.Errorf("reading the policy: %w", err)
	}
	if len(data) > MaxPolicySize {
		return Policy{}, fmt.Errorf("the policy file is larger than %d bytes; it is not a policy", MaxPolicySize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Policy{}, errors.New("the policy file is empty; write {} for the default policy")
	}
	pol := DefaultPolicy()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	line := func() int { return 1 + bytes.Count(data[:dec.InputOffset()], []byte("\n")) }
	fail := func(format string, args ...any) (Policy, error) {
		return Policy{}, fmt.Errorf("policy line %d: %s", line(), fmt.Sprintf(format, args...))
	}

	tok, err := dec.Token()
	if err != nil {
		return fail("not JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fail("the policy must be a JSON object {…}")
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail("not JSON: %v", err)
		}
		name, _ := tok.(string)
		if seen[name] {
			return fail("field %q appears twice", name)
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fail("field %q: not JSON: %v", name, err)
		}
		if err := pol.set(name, raw); err != nil {
			return fail("%v", err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail("not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail("unexpected text after the policy object")
	}
	return pol, nil
}

// set assigns one field of a policy file.
func (pol *Policy) set(name string, raw json.RawMessage) error {
	switch name {
	case "schedule":
		// How often drills, holders, rotations and proofs of reserves
		// are due: read by `ceremony status` (ceremony.ParseSchedule),
		// which checks it; signing has nothing to do with it.
		return nil
	case "version":
		n, err := wholeNumber(name, raw)
		if err != nil {
			return err
		}
		if n != 1 {
			return fmt.Errorf("version %d is not known; this airsign reads version 1", n)
		}
	case "warn_fee_percent":
		v, err := rate(name, raw)
		if err != nil {
			return err
		}
		if v > 100 {
			return fmt.Errorf("%s is %s; a percentage above 100 would never warn", name, trimFloat(v))
		}
		pol.WarnFeePercent = v
	case "warn_fee_rate_sat_vb":
		v, err := rate(name, raw)
		if err != nil {
			return err
		}
		pol.WarnFeeRate = v
	case "max_fee_rate_sat_vb":
		v, err := rate(name, raw)
		if err != nil {
			return err
		}
		pol.MaxFeeRate = v
	case "max_fee_sat":
		v, err := satoshis(name, raw)
		if err != nil {
			return err
		}
		pol.MaxFee = v
	case "max_spend_sat":
		v, err := satoshis(name, raw)
		if err != nil {
			return err
		}
		pol.MaxSpend = v
	case "allowlist":
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("allowlist must be a list of addresses in quotes")
		}
		pol.Allowlist = nil
		for i, s := range list {
			addr, err := canonicalAddress(s)
			if err != nil {
				return fmt.Errorf("allowlist entry %d: %v", i+1, err)
			}
			pol.Allowlist = append(pol.Allowlist, addr)
		}
	case "script_types":
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("script_types must be a list of names in quotes, e.g. [\"p2wpkh\", \"p2tr\"]")
		}
		pol.ScriptTypes = nil
		for i, s := range list {
			t := ScriptType(strings.ToLower(strings.TrimSpace(s)))
			if !slices.Contains(signableTypes, t) {
				return fmt.Errorf("script_types entry %d: %q is not one of %v", i+1, s, signableTypes)
			}
			pol.ScriptTypes = append(pol.ScriptTypes, t)
		}
	case "allow_high_fee", "allow_sighash":
		return fmt.Errorf("%q is an override the operator gives on the command line (--%s) for one signing, never a policy setting", name, strings.ReplaceAll(name, "_", "-"))
	default:
		known := append([]string(nil), policyFields...)
		sort.Strings(known)
		return fmt.Errorf("unknown field %q (the fields are %s)", name, strings.Join(known, ", "))
	}
	return nil
}

// wholeNumber reads a JSON integer without sign, fraction or exponent.
func wholeNumber(name string, raw json.RawMessage) (int64, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil || n == "" {
		return 0, fmt.Errorf("%s must be a number, not %s", name, shorten(raw))
	}
	s := n.String()
	if strings.ContainsAny(s, ".eE") {
		return 0, fmt.Errorf("%s must be a whole number, not %s", name, s)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %s is out of range", name, s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%s must not be negative", name)
	}
	return v, nil
}

// satoshis reads an amount in satoshis: a whole number from 0 to 21 million
// BTC.
func satoshis(name string, raw json.RawMessage) (int64, error) {
	v, err := wholeNumber(name, raw)
	if err != nil {
		if strings.Contains(err.Error(), "whole number") || strings.Contains(err.Error(), "must be a number") {
			return 0, fmt.Errorf("%v (amounts are whole satoshis: 100000 is 0.001 BTC)", err)
		}
		return 0, err
	}
	if v > btcutil.MaxSatoshi {
		return 0, fmt.Errorf("%s is %d sat, more than 21 million BTC", name, v)
	}
	return v, nil
}

// rate reads a non-negative finite number (a rate or a percentage).
func rate(name string, raw json.RawMessage) (float64, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil || n == "" {
		return 0, fmt.Errorf("%s must be a number, not %s", name, shorten(raw))
	}
	v, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("%s: %s is out of range", name, n)
	}
	if v < 0 {
		return 0, fmt.Errorf("%s must not be negative", name)
	}
	return v, nil
}

func shorten(raw json.RawMessage) string {
	s := string(raw)
	if len(s) > 20 {
		s = s[:20] + "…"
	}
	return s
}

// policyNets are the networks an allowlist address may belong to.
var policyNets = []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.RegressionNetParams, &chaincfg.SigNetParams}

// canonicalAddress checks s is an address of a known network and returns the
// form the analysis prints, so that the comparison is exact.
func canonicalAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty address")
	}
	for _, net := range policyNets {
		addr, err := btcutil.DecodeAddress(s, net)
		if err == nil && addr.IsForNet(net) {
			return addr.EncodeAddress(), nil
		}
	}
	return "", fmt.Errorf("%q is not a Bitcoin address", shorten(json.RawMessage(s)))
}
