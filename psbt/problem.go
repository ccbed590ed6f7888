package psbt

import "fmt"

// Severity says whether a problem stops signing.
type Severity string

// Refuse stops signing; Warn is shown and signing may go on.
const (
	Refuse Severity = "refuse"
	Warn   Severity = "warn"
)

// Problem is one thing wrong with a PSBT, tied to the input or output at
// fault so the operator can find it on the screen of the other machine.
type Problem struct {
	// Input and Output are the index at fault, or -1.
	Input    int      `json:"input"`
	Output   int      `json:"output"`
	Severity Severity `json:"severity"`
	// Code is a stable identifier for scripts and tests. The analysis
	// refuses with missing-utxo, missing-non-witness-utxo,
	// non-witness-utxo-mismatch, witness-utxo-mismatch, vout-out-of-range,
	// utxo-conflict, witness-utxo-non-witness, redeem-script-mismatch,
	// witness-script-mismatch, duplicate-input, bad-amount, value-overflow,
	// negative-fee, fee-unknown, op-return-value, sighash (lifted by
	// Policy.AllowSighash), sighash-invalid, sighash-single-no-output, annex,
	// wrong-network, key-not-in-script, change-path, change-index-far,
	// fake-change, taproot-tweak, oversize-field and malformed-field; it
	// warns with unknown-field, unknown-script, change-unverified,
	// change-outside-wallet (our key, but not the wallet spent: EXTERNAL),
	// change-to-receive, taproot-script-path, unsupported-input and
	// locktime, locktime-far, locktime-disabled, sequence-disables-csv,
	// weight-nonstandard and dust (weight-consensus refuses). The policy adds high-fee, fee-cap, fee-rate-cap, spend-cap,
	// not-allowlisted and script-type. psbt/testdata/attacks/README.md shows
	// a PSBT for most of them.
	Code    string `json:"code"`
	Message string `json:"message"`
	// Rule names the policy rule that raised the problem, if any.
	Rule string `json:"rule,omitempty"`
}

// String is the sentence printed to the operator: where, then what.
func (pr Problem) String() string {
	where := "transaction"
	switch {
	case pr.Input >= 0:
		where = fmt.Sprintf("input %d", pr.Input)
	case pr.Output >= 0:
		where = fmt.Sprintf("output %d", pr.Output)
	}
	s := where + ": " + pr.Message
	if pr.Rule != "" {
		s += " (policy rule " + pr.Rule + ")"
	}
	return s
}

// Refusals returns the problems that stop signing.
func (a *Analysis) Refusals() []Problem {
	var out []Problem
	for _, pr := range a.Problems {
		if pr.Severity == Refuse {
			out = append(out, pr)
		}
	}
	return out
}

// Warnings returns the problems that are shown but do not stop signing.
func (a *Analysis) Warnings() []Problem {
	var out []Problem
	for _, pr := range a.Problems {
		if pr.Severity == Warn {
			out = append(out, pr)
		}
	}
	return out
}
