package ceremony

import (
	"fmt"
	"strings"
)

// A completed reshare revokes the share set it rebuilt the key from: its
// cards are void on paper (they still rebuild the key, which only rotate
// ends). Ceremonies refuse a revoked set's shares when typed, naming the
// reshare, and a drill passes only for the log's current set, the one
// `ceremony status` judges, so the paper and the record agree.

// RevokedSets are the share sets revoked by the completed reshares of a
// log, by set id, each with the reason shown when one of its shares is
// typed ("revoked by the reshare of 2026-12-04, which replaced it with set
// 1A2B3C4D").
func RevokedSets(recs []Record) map[string]string {
	out := map[string]string{}
	var set, by, date string
	for _, rec := range recs {
		switch rec.Event {
		case EventStarted:
			set, by, date = "", "", ""
		case "date":
			date = rec.Data["witness_date"]
		case "share-set-revoked":
			set, by = rec.Data["set_id"], rec.Data["replaced_by"]
			if date == "" {
				date, _, _ = strings.Cut(rec.Time, "T")
			}
		case EventCompleted:
			if rec.Ceremony == "reshare" && set != "" {
				out[set] = fmt.Sprintf("revoked by the reshare of %s, which replaced it with set %s", date, by)
			}
		}
	}
	return out
}

// CurrentSet is the share set of a log's key now: the one split by the
// last completed keygen, rotate or reshare ("" if none).
func CurrentSet(recs []Record) string {
	var cur, split string
	for _, rec := range recs {
		switch rec.Event {
		case EventStarted:
			split = ""
		case "split":
			split = rec.Data["set_id"]
		case EventCompleted:
			if split != "" && (rec.Ceremony == "keygen" || rec.Ceremony == "rotate" || rec.Ceremony == "reshare") {
				cur = split
			}
		}
	}
	return cur
}
