package ceremony_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/ceremony/ceremonytest"
)

// After a reshare, a drill refuses a card of the revoked set when it is
// typed, naming the reshare and its date and saying the card is void; the
// cards of the current set then pass. A drill of a set that is not the
// log's current one cannot pass, so the drill and `ceremony status` agree.
func TestDrillRefusesRevokedSet(t *testing.T) {
	f := &ceremonytest.Fake{}
	log, lw := newLog()
	made, cards := keygen(t, f, lw, 21, 2, 3)
	f.Recorded = made.Made
	s := append(opening(), "2.1: Holder 1", "2.2: "+cards[1], "2.1: Holder 3", "2.2: "+cards[3],
		"3.3: "+made.Made.Fingerprint, "3.4: "+made.Made.ID, "4.1: 2 of 3", "4.3: @shown")
	for i := 1; i <= 3; i++ {
		s = append(s, fmt.Sprintf("5.1: New holder %d", i), "5.2: copied", "5.3: @shown", "5.4: CW")
	}
	s = append(s, "6.2: understood", "6.3: CW")
	rp := &capture{Scripted: ceremony.NewScripted(s...)}
	rs, err := ceremony.Run(context.Background(), ceremony.Reshare(), rp, lw, f, ceremony.Options{})
	if err != nil {
		t.Fatalf("reshare: %v", err)
	}
	recs, err := ceremony.ReadRecords(strings.NewReader(log.String()))
	if err != nil {
		t.Fatal(err)
	}
	oldSet := rs.OldSetID
	revoked := ceremony.RevokedSets(recs)
	if cur := ceremony.CurrentSet(recs); cur != rs.NewSet.SetID || revoked[oldSet] == "" {
		t.Fatalf("current set %s (want %s), revoked %v", cur, rs.NewSet.SetID, revoked)
	}
	opts := ceremony.Options{RevokedSets: revoked, CurrentSet: ceremony.CurrentSet(recs)}

	// An old card is refused when typed, and a current one taken instead.
	script := drillScript(made.Made, []string{rp.cards[1], rp.cards[2]})
	script = append(script[:5], append([]string{"2.2: " + cards[2]}, script[5:]...)...) // holder 1 types an old card first
	p := ceremony.NewScripted(script...)
	res, err := ceremony.Run(context.Background(), ceremony.Drill(), p, lw, f, opts)
	screen := strings.Join(p.Transcript, "\n")
	if err != nil || !res.DrillPassed {
		t.Fatalf("drill with the current cards: %v\n%s", err, screen)
	}
	want := fmt.Sprintf("share set %s was revoked by the reshare of %s, which replaced it with set %s: its cards are VOID and are to be destroyed", oldSet, scriptDate, rs.NewSet.SetID)
	if !strings.Contains(screen, want) {
		t.Errorf("the revoked card is not refused as such; screen lacks %q:\n%s", want, screen)
	}
	if res.OldSetID != rs.NewSet.SetID {
		t.Errorf("the drill passed with set %s", res.OldSetID)
	}

	// Without the revocation known, a card of a set that is not the
	// current one (another wallet's) is still refused as it is typed,
	// naming the set to type, and the right cards typed after it pass:
	// taken first, it once blocked every right card.
	script = drillScript(made.Made, []string{rp.cards[1], rp.cards[2]})
	script = append(script[:5], append([]string{"2.2: " + cards[2]}, script[5:]...)...)
	p = ceremony.NewScripted(script...)
	res, err = ceremony.Run(context.Background(), ceremony.Drill(), p, lw, f, ceremony.Options{CurrentSet: rs.NewSet.SetID})
	want = fmt.Sprintf("this is a card of share set %s, but this wallet's cards are of set %s", oldSet, rs.NewSet.SetID)
	if err != nil || !res.DrillPassed || !strings.Contains(strings.Join(p.Transcript, "\n"), want) {
		t.Fatalf("a stray card typed first: %v, passed %v; want %q on the screen:\n%s", err, res.DrillPassed, want, strings.Join(p.Transcript, "\n"))
	}
}
