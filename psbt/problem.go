package psbt

import "fmt"

// Severity says whether a problem stops signing.
type Severity string

// Refuse stops signing; Warn is shown and signing may go on.
const (
	Refuse Severity = "refuse"
	Warn   Severity = "warn"
)

// Code identifies a kind of problem, the way btcd's txscript.ErrorCode
// does for script errors: a stable string printed in --json output and
// written in the signing log's "reason", so scripts and auditors never parse
// the sentence meant for the operator. psbt/testdata/attacks/README.md shows
// a PSBT for most of them, with what the operator sees.
type Code string

// The codes. Analyze refuses with most of them and warns with
// unknown-field, unknown-script, change-unverified, change-outside-wallet,
// change-to-receive, taproot-script-path (refused for a coin of ours whose
// output commits to a tree), unsupported-input, locktime, locktime-far,
// locktime-disabled, sequence-disables-csv, weight-nonstandard, dust,
// bad-signature, low-fee-rate, version and others-coins; Policy.Apply adds high-fee, fee-cap,
// fee-rate-cap, spend-cap, not-allowlisted and script-type (sighash is
// lifted to a warning by Policy.AllowSighash). The last five are the
// offline signer's own refusals, for its log.
const (
	CodeAnnex                  Code = "annex"
	CodeAnyoneCanSpend         Code = "anyone-can-spend"
	CodeBadAmount              Code = "bad-amount"
	CodeBadSignature           Code = "bad-signature"
	CodeChangeIndexFar         Code = "change-index-far"
	CodeChangeOutsideWallet    Code = "change-outside-wallet"
	CodeChangePath             Code = "change-path"
	CodeChangeToReceive        Code = "change-to-receive"
	CodeChangeUnverified       Code = "change-unverified"
	CodeDuplicateInput         Code = "duplicate-input"
	CodeDust                   Code = "dust"
	CodeFakeChange             Code = "fake-change"
	CodeFeeCap                 Code = "fee-cap"
	CodeFeeRateCap             Code = "fee-rate-cap"
	CodeFeeUnknown             Code = "fee-unknown"
	CodeHighFee                Code = "high-fee"
	CodeKeyNotInScript         Code = "key-not-in-script"
	CodeLocktime               Code = "locktime"
	CodeLocktimeDisabled       Code = "locktime-disabled"
	CodeLocktimeFar            Code = "locktime-far"
	CodeLowFeeRate             Code = "low-fee-rate"
	CodeMalformedField         Code = "malformed-field"
	CodeMissingNonWitnessUTXO  Code = "missing-non-witness-utxo"
	CodeMissingUTXO            Code = "missing-utxo"
	CodeNegativeFee            Code = "negative-fee"
	CodeNonWitnessUTXOMismatch Code = "non-witness-utxo-mismatch"
	CodeNotAllowlisted         Code = "not-allowlisted"
	CodeNotOurKey              Code = "not-our-key"
	CodeNotWalletCoin          Code = "not-wallet-coin"
	CodeOPReturnValue          Code = "op-return-value"
	CodeOthersCoins            Code = "others-coins"
	CodeOversizeField          Code = "oversize-field"
	CodeRedeemScriptMismatch   Code = "redeem-script-mismatch"
	CodeReservesAmount         Code = "reserves-amount"
	CodeReservesCommitment     Code = "reserves-commitment"
	CodeReservesEmpty          Code = "reserves-empty"
	CodeReservesMessage        Code = "reserves-message"
	CodeReservesOutput         Code = "reserves-output"
	CodeReservesOutputs        Code = "reserves-outputs"
	CodeReservesSighash        Code = "reserves-sighash"
	CodeScriptType             Code = "script-type"
	CodeSequenceDisablesCSV    Code = "sequence-disables-csv"
	CodeSighash                Code = "sighash"
	CodeSighashInvalid         Code = "sighash-invalid"
	CodeSighashSingleNoOutput  Code = "sighash-single-no-output"
	CodeSpendCap               Code = "spend-cap"
	CodeTaprootScriptPath      Code = "taproot-script-path"
	CodeTaprootTweak           Code = "taproot-tweak"
	CodeUnknownField           Code = "unknown-field"
	CodeUnknownScript          Code = "unknown-script"
	CodeUnsupportedInput       Code = "unsupported-input"
	CodeUTXOConflict           Code = "utxo-conflict"
	CodeValueOverflow          Code = "value-overflow"
	CodeVersion                Code = "version"
	CodeVoutOutOfRange         Code = "vout-out-of-range"
	CodeWeightConsensus        Code = "weight-consensus"
	CodeWeightNonstandard      Code = "weight-nonstandard"
	CodeWitnessScriptMismatch  Code = "witness-script-mismatch"
	CodeWitnessUTXOMismatch    Code = "witness-utxo-mismatch"
	CodeWitnessUTXONonWitness  Code = "witness-utxo-non-witness"
	CodeWrongNetwork           Code = "wrong-network"
	CodeDigestMismatch         Code = "digest-mismatch"
	CodeNotConfirmed           Code = "not-confirmed"
	CodeKeyNotReviewed         Code = "key-not-reviewed"
	CodeSignRefused            Code = "sign-refused"
	CodeEnrollment             Code = "enrollment"
)

// Problem is one thing wrong with a PSBT, tied to the input or output at
// fault so the operator can find it on the screen of the other machine.
type Problem struct {
	// Input and Output are the index at fault, or -1.
	Input    int      `json:"input"`
	Output   int      `json:"output"`
	Severity Severity `json:"severity"`
	// Code says what is wrong, stably, for scripts, tests, the signing log
	// and broadcast (see Code).
	Code    Code   `json:"code"`
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

// ProblemsShown is how many problems of one code and severity a screen
// lists one by one (Condense).
const ProblemsShown = 5

// Condense shortens a list of problems for a screen: the first
// ProblemsShown of each code and severity are kept, in order, and the rest
// become one line after the last kept, counting them. A PSBT with
// thousands of bad outputs must not bury the screen (or the reason it was
// refused) under thousands of lines; --json and the log keep them all.
func Condense(problems []Problem) []Problem {
	type kind struct {
		code     Code
		severity Severity
	}
	count := map[kind]int{}
	for _, pr := range problems {
		count[kind{pr.Code, pr.Severity}]++
	}
	var out []Problem
	seen := map[kind]int{}
	for _, pr := range problems {
		k := kind{pr.Code, pr.Severity}
		seen[k]++
		switch n := seen[k]; {
		case n <= ProblemsShown:
			out = append(out, pr)
		case n == ProblemsShown+1:
			out = append(out, Problem{Input: -1, Output: -1, Severity: pr.Severity, Code: pr.Code,
				Message: fmt.Sprintf("… and %d more like the above (%s); --json lists every one", count[k]-ProblemsShown, pr.Code)})
		}
	}
	return out
}
