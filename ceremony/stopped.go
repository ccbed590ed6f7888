package ceremony

import (
	"fmt"
	"strings"
)

// A ceremony is all or nothing: there is no resume. A keygen, reshare or
// rotate stopped after a card was shown or the wallet exported has put
// secrets or wallet files into the world that belong to a ceremony that did
// not finish. Its stop record says exactly what exists and declares it void:
// the new share set (the key's wallet for keygen and rotate) must not be
// used, the cards are destroyed, and the ceremony is run again from the
// start. Later runs refuse a void set's shares (Options.VoidSets), and a void
// wallet is never the record a drill compares with (only completed runs
// count). The one exception is a rotation stopped after it signed the sweep:
// the signed sweep pays the new wallet, so its cards stay valid.
//
// Resuming was rejected: the key is wiped whenever the program stops, so the
// remaining cards could only be made from the cards already handed out, and
// a ceremony continued on another day would have witnesses sign for steps
// they did not see.

// leftBehind says what a stopped run leaves in the world, for the screen and
// for the stop record's data.
func (r *runner) leftBehind() (string, map[string]string) {
	set := r.res.NewSet
	data := map[string]string{}
	if len(r.cardsShown) == 0 && len(r.exported) == 0 && !r.sweepSigned {
		return "No card was shown and no wallet was exported: nothing of this run exists outside the program, and its secrets are wiped.", data
	}
	data["cards_shown"] = joinInts(r.cardsShown)
	if set.SetID != "" {
		data["new_set_id"] = set.SetID
	}
	cards := fmt.Sprintf("%d card(s) of share set %s were shown (holder %s)", len(r.cardsShown), set.SetID, joinInts(r.cardsShown))
	if r.sweepSigned {
		data["cards"] = "valid"
		return fmt.Sprintf("%s and the sweep is signed (txid %s) to the new wallet %s.\n"+
			"Those cards are VALID and hold the new key once the sweep is broadcast: keep them sealed. Broadcast the sweep, keep the old cards until it confirms, "+
			"and run a drill with the new cards to prove the set.", cards, r.res.SweepTxID, r.res.Made.Fingerprint), data
	}
	var b strings.Builder
	if len(r.cardsShown) > 0 {
		data["void_set"] = set.SetID
		fmt.Fprintf(&b, "%s. This %s did not finish, so share set %s is VOID: destroy those cards in front of the witnesses; the program refuses them from now on.\n", cards, r.def.Name, set.SetID)
	}
	if len(r.exported) > 0 && r.res.Made.Fingerprint != "" {
		data["void_wallet"] = r.res.Made.Fingerprint
		data["exported"] = strings.Join(r.exported, ", ")
		fmt.Fprintf(&b, "The watch-only wallet of key %s was exported (%s): it is VOID too. Delete those files, never import them, never send coins to its addresses.\n",
			r.res.Made.Fingerprint, strings.Join(r.exported, ", "))
	}
	switch r.def.Name {
	case "reshare":
		b.WriteString("The old share set is unchanged and still valid.")
	default:
		fmt.Fprintf(&b, "Run %s again from the start for a new key.", r.def.Name)
	}
	return b.String(), data
}

// VoidSets are the share sets a log declares void, by set id, each with the
// reason shown when one of its shares is typed ("keygen stopped at step 4.3
// on 2026-12-03").
func VoidSets(recs []Record) map[string]string {
	out := map[string]string{}
	for _, rec := range recs {
		if id := rec.Data["void_set"]; id != "" && (rec.Event == EventInterrupted || rec.Event == EventFailed) {
			day, _, _ := strings.Cut(rec.Time, "T")
			out[id] = fmt.Sprintf("%s stopped at step %s on %s", rec.Ceremony, rec.Data["at"], day)
		}
	}
	return out
}
