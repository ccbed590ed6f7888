package ceremony_test

import (
	"context"
	"strings"
	"testing"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/ceremony/ceremonytest"
)

// A holder-name slip in a drill is corrected before the card is typed,
// keeping the shares already accepted: a name already typed for another
// holder is asked again, and "name" at the share prompt retypes the name.
func TestDrillHolderNameSlip(t *testing.T) {
	f := &ceremonytest.Fake{}
	log, lw := newLog()
	made, cards := keygen(t, f, lw, 7, 3, 3)
	f.Recorded = made.Made
	a := made.Made.Addresses[0]
	script := append(opening(),
		"2.1: Holder 3", "2.2: "+cards[3],
		"2.1: Holder 3", "2.1: Holder 1", "2.2: "+cards[1], // the same name again is asked again; the right one replaces it
		"2.1: Hlder 2", "2.2: name", "2.2: Holder 2", "2.2: "+cards[2], // a slip corrected at the share prompt
		"3.3: "+made.Made.Fingerprint, "3.4: "+made.Made.ID, "3.5: "+a[len(a)-8:], "4.3: CW")
	p := ceremony.NewScripted(script...)
	res, err := ceremony.Run(context.Background(), ceremony.Drill(), p, lw, f, ceremony.Options{})
	screen := strings.Join(p.Transcript, "\n")
	if err != nil || !res.DrillPassed {
		t.Fatalf("drill: %v\n%s", err, screen)
	}
	for _, want := range []string{
		`"Holder 3" is already the name typed for holder 1. If one person holds both cards, type it again; if it is a slip, type the right name.`,
		`Holder 3: type your share (it is not shown); or type name to correct the name "Hlder 2"`,
		`Holder 3's name is now "Holder 2". Type your share.`,
		"holders: Holder 3, Holder 1, Holder 2",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if len(res.SharesUsed) != 3 {
		t.Errorf("shares used %v", res.SharesUsed)
	}
	if !strings.Contains(log.String(), `"corrects":"Hlder 2"`) {
		t.Error("the log does not record the corrected name")
	}
}
