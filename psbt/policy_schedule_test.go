package psbt

import (
	"strings"
	"testing"
)

// One policy file serves sign and `ceremony status`: the schedule object is
// left to the status (which checks it), and does not loosen the fee rules.
func TestParsePolicyLeavesScheduleToStatus(t *testing.T) {
	pol, err := ParsePolicy(strings.NewReader(`{"max_fee_sat": 500000, "schedule": {"drill_every_days": 90}}`))
	if err != nil {
		t.Fatal(err)
	}
	if pol.MaxFee != 500000 || pol.WarnFeeRate != DefaultPolicy().WarnFeeRate {
		t.Fatalf("policy = %+v", pol)
	}
	if _, err := ParsePolicy(strings.NewReader(`{"schedul": {}}`)); err == nil {
		t.Fatal("a misspelt field was accepted")
	}
}
