package psbt

import (
	"fmt"
	"slices"
)

// Policy is what the offline signer allows without a second thought. The
// zero value is not used; DefaultPolicy is safe without any file.
type Policy struct {
	// WarnFeePercent: a fee above this share of the amount sent needs
	// --allow-high-fee.
	WarnFeePercent float64 `json:"warn_fee_percent"`
	// WarnFeeRate (sat/vB): a fee rate above it needs --allow-high-fee.
	// 10,000 sat/vB is 0.1 BTC/kvB, Bitcoin Core's default maxfeerate.
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
}

// DefaultPolicy warns above a 10 % fee or 0.1 BTC/kvB, refuses nothing else
// that the analysis did not already refuse.
func DefaultPolicy() Policy {
	return Policy{WarnFeePercent: 10, WarnFeeRate: 10_000}
}

// Apply adds the policy's verdicts to the analysis' problems, each naming
// the rule, and returns the analysis for chaining.
func (pol Policy) Apply(a *Analysis) *Analysis {
	refuse := func(rule, code, format string, args ...any) {
		a.Problems = append(a.Problems, Problem{Input: -1, Output: -1, Severity: Refuse, Code: code, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if pol.AllowSighash {
		kept := a.Problems[:0]
		for _, pr := range a.Problems {
			if pr.Code == "sighash" {
				pr.Severity = Warn
			}
			kept = append(kept, pr)
		}
		a.Problems = kept
	}
	if !allAmountsKnown(a) || a.Fee < 0 {
		return a
	}
	highFee := ""
	if pol.WarnFeePercent > 0 && a.FeePercent > pol.WarnFeePercent {
		highFee = fmt.Sprintf("the fee %s is %.1f%% of the amount sent (more than %.0f%%)", FormatBTC(a.Fee), a.FeePercent, pol.WarnFeePercent)
	}
	if pol.WarnFeeRate > 0 && a.FeeRate > pol.WarnFeeRate {
		highFee = fmt.Sprintf("the fee rate %.1f sat/vB is above %.0f sat/vB", a.FeeRate, pol.WarnFeeRate)
	}
	if highFee != "" {
		if pol.AllowHighFee {
			a.Problems = append(a.Problems, Problem{Input: -1, Output: -1, Severity: Warn, Code: "high-fee", Rule: "warn_fee", Message: highFee + "; accepted with --allow-high-fee"})
		} else {
			refuse("warn_fee", "high-fee", "%s; check it, then sign again with --allow-high-fee if it is really meant", highFee)
		}
	}
	if pol.MaxFee > 0 && a.Fee > pol.MaxFee {
		refuse("max_fee_sat", "fee-cap", "the fee %s is above the cap of %s", FormatBTC(a.Fee), FormatBTC(pol.MaxFee))
	}
	if pol.MaxFeeRate > 0 && a.FeeRate > pol.MaxFeeRate {
		refuse("max_fee_rate_sat_vb", "fee-rate-cap", "the fee rate %.1f sat/vB is above the cap of %.1f sat/vB", a.FeeRate, pol.MaxFeeRate)
	}
	if pol.MaxSpend > 0 && a.Spend > pol.MaxSpend {
		refuse("max_spend_sat", "spend-cap", "%s would leave the wallet, more than the cap of %s", FormatBTC(a.Spend), FormatBTC(pol.MaxSpend))
	}
	if len(pol.Allowlist) > 0 {
		for _, out := range a.Outputs {
			if !out.Change && !slices.Contains(pol.Allowlist, out.Address) {
				a.Problems = append(a.Problems, Problem{Input: -1, Output: out.Index, Severity: Refuse, Code: "not-allowlisted", Rule: "allowlist", Message: fmt.Sprintf("pays %s, which is not on the allowlist", displayDest(out))})
			}
		}
	}
	if len(pol.ScriptTypes) > 0 {
		for _, in := range a.Inputs {
			if in.Ours && !slices.Contains(pol.ScriptTypes, in.ScriptType) {
				a.Problems = append(a.Problems, Problem{Input: in.Index, Output: -1, Severity: Refuse, Code: "script-type", Rule: "script_types", Message: fmt.Sprintf("is a %s coin; the policy allows only %v", in.ScriptType, pol.ScriptTypes)})
			}
		}
	}
	return a
}

func displayDest(out Output) string {
	if out.Address != "" {
		return out.Address
	}
	return "script " + out.Script
}
