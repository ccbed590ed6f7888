package ceremony

import (
	"encoding/hex"
	"io"
	"strconv"
)

// A Report is one ceremony run reduced to what the schedule weighs. The
// status is judged from reports, not records, so that the connected side,
// which keeps the reports of the logs carried to it (airsign-online drills
// import) and not the logs, gives the same answer as `ceremony status` on
// the offline laptop: both call Evaluate.
type Report struct {
	Dated
	// Ceremony is keygen, rotate, reshare or drill.
	Ceremony string `json:"ceremony"`
	// Outcome is completed, interrupted, failed or open (the log ends
	// inside the run).
	Outcome string `json:"outcome"`
	// Head is the hex SHA-256 of the run's last record: the chain's hash
	// there, which vouches for every record before it. It names the run,
	// so importing a log twice, or again after it grew, adds nothing twice.
	Head string `json:"head,omitempty"`
	// Fingerprint is the key's (key-made, or the drill's rebuilt key).
	Fingerprint string `json:"fingerprint,omitempty"`
	// DescriptorID is the watch-only descriptor's ID when the log gives it.
	DescriptorID string `json:"descriptor_id,omitempty"`
	// Split is true when the run split the key into a share set (SetID,
	// Shares, Threshold describe it).
	Split     bool   `json:"split,omitempty"`
	SetID     string `json:"set_id,omitempty"`
	Shares    int    `json:"shares,omitempty"`
	Threshold int    `json:"threshold,omitempty"`
	// Holders are the names typed for each share holder.
	Holders map[int]string `json:"holders,omitempty"`
	// Result is the drill report's "pass" or "fail"; "" when the run
	// wrote no drill report.
	Result     string `json:"result,omitempty"`
	SharesUsed []int  `json:"shares_used,omitempty"`
	// Reserves is true when the drill signed a proof of reserves, of
	// ReservesTotal satoshis for ReservesMessage.
	Reserves        bool   `json:"reserves,omitempty"`
	ReservesTotal   int64  `json:"reserves_total_sat,omitempty"`
	ReservesMessage string `json:"reserves_message,omitempty"`
}

// Counts reports whether Evaluate weighs the report: a completed keygen,
// rotate or reshare, or a drill that wrote its report (pass or fail).
func (r Report) Counts() bool {
	switch r.Ceremony {
	case "keygen", "rotate", "reshare":
		return r.Outcome == EventCompleted
	case "drill":
		return r.Result != ""
	}
	return false
}

// LogReports is what ReadReports learned from one log.
type LogReports struct {
	Summary Summary
	// Reports are the log's ceremony runs, in the log's order.
	Reports []Report
	// Sealed counts the records carrying a MAC: checking one needs the key
	// it was made with, which only the offline side can rebuild.
	Sealed int
}

// ReadReports reads a whole log, verifies its chain (and, when expectHead
// is not "", that it ends at the head the witnesses wrote down, see
// Verify), and returns its runs as reports.
func ReadReports(r io.Reader, expectHead string) (LogReports, error) {
	l, err := readLog(r, expectHead)
	out := LogReports{Summary: l.summary}
	if err != nil {
		return out, err
	}
	for _, rec := range l.recs {
		if rec.MAC != "" {
			out.Sealed++
		}
	}
	out.Reports, err = reportsOf(l.recs, l.hashes)
	return out, err
}

// reportsOf cuts a log's records into runs and reduces each to its report.
// hashes, when given, are the records' line hashes (for Report.Head).
func reportsOf(recs []Record, hashes [][32]byte) ([]Report, error) {
	var out []Report
	for _, r := range splitRuns(recs) {
		if len(r.recs) == 0 {
			continue
		}
		d, err := r.date()
		if err != nil {
			return nil, err
		}
		rep := Report{Dated: d, Ceremony: r.ceremony, Outcome: r.outcome, Holders: holderNames(r)}
		if last := r.recs[len(r.recs)-1].Seq; hashes != nil && last >= 1 && last <= uint64(len(hashes)) {
			rep.Head = hex.EncodeToString(hashes[last-1][:])
		}
		if rec, ok := r.find("key-made"); ok {
			rep.Fingerprint, rep.DescriptorID = rec.Data["fingerprint"], rec.Data["descriptor_id"]
		}
		if rec, ok := r.find("matches-record"); ok && rep.DescriptorID == "" {
			rep.DescriptorID = rec.Data["descriptor_id"]
		}
		if rec, ok := r.find("split"); ok {
			rep.Split = true
			rep.SetID = rec.Data["set_id"]
			rep.Threshold, _ = strconv.Atoi(rec.Data["threshold"])
			rep.Shares, _ = strconv.Atoi(rec.Data["shares"])
			if rep.Fingerprint == "" {
				rep.Fingerprint = rec.Data["fingerprint"]
			}
		}
		if rec, ok := r.find("drill-report"); ok && r.ceremony == "drill" {
			rep.Result = rec.Data["result"]
			if rep.Result == "" {
				rep.Result = "unknown" // a report without a result is no pass
			}
			rep.SetID = rec.Data["set_id"]
			rep.Fingerprint = rec.Data["fingerprint"]
			rep.SharesUsed = parseInts(rec.Data["shares_used"])
			if ts, ok := r.find("test-signed"); ok && ts.Data["reserves"] == "yes" {
				rep.Reserves = true
				rep.ReservesTotal, _ = strconv.ParseInt(ts.Data["reserves_total_sat"], 10, 64)
				rep.ReservesMessage = ts.Data["reserves_message"]
			}
		}
		out = append(out, rep)
	}
	return out, nil
}

// holderNames reads the names typed for each holder in a run.
func holderNames(r run) map[int]string {
	out := map[int]string{}
	for _, rec := range r.recs {
		if rec.Event != "holder" {
			continue
		}
		if i, err := strconv.Atoi(rec.Data["holder"]); err == nil {
			out[i] = rec.Data["name"]
		}
	}
	return out
}
