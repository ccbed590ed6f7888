package ceremony

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/airsign/airsign/ceremony/chainlog"
)

// Checkpoint is a record after which the program showed the head words to the
// witnesses (the end of an act, or the end of a ceremony), so a verifier can
// list what should be on each paper checklist.
type Checkpoint struct {
	Seq      uint64
	Ceremony string
	Step     string
	Event    string
	// Act is the act number the checkpoint closes ("" for a ceremony's end
	// without one).
	Act   string
	Words string
	Hex   string
	// Time is the record's time (TimeFormat).
	Time string
}

// RunSummary is one ceremony run found in the log, from its "started" record
// to its "completed", "interrupted" or "failed" record.
type RunSummary struct {
	Ceremony string
	FirstSeq uint64
	LastSeq  uint64
	// Outcome is "completed", "interrupted", "failed", or "open" when the log
	// ends before the run does.
	Outcome string
	// At is the step at which an interrupted or failed run stopped.
	At string
	// Time is when the run started (TimeFormat).
	Time string
}

// Summary is what Verify learned about a log, also when it fails (then it
// covers the records before the failing one).
type Summary struct {
	Records     int
	Head        Head
	Runs        []RunSummary
	Checkpoints []Checkpoint
	// HeadChecked is true when an expected head was given and matched the
	// last record or a checkpoint before it (HeadAt).
	HeadChecked bool
	// HeadAt is the checkpoint the expected head matched: the end of an
	// act or of a run, whose words the witnesses wrote on that run's
	// checklist. Records after it (HeadAt.Seq < Records) are not covered by
	// those words; each later run is checked with its own.
	HeadAt Checkpoint
	// Signed and Refused count the signing log's records (SignCeremony).
	Signed, Refused int
}

// Later lists the runs that start after the checkpoint the head matched,
// "drill on 2026-12-03", for a verifier to name what the words do not cover.
func (s Summary) Later() []string {
	var out []string
	for _, r := range s.Runs {
		if r.FirstSeq > s.HeadAt.Seq {
			out = append(out, fmt.Sprintf("%s on %s", r.Ceremony, Day(r.Time)))
		}
	}
	return out
}

// Day is the date part of a log time.
func Day(t string) string {
	d, _, _ := strings.Cut(t, "T")
	return d
}

// Verify reads a whole log and checks that every record is well formed, that
// seq counts 1, 2, 3, … and that every prev is the SHA-256 of the line before
// (GenesisHash for the first). That detects any edit, deletion, insertion or
// reordering of records before the last one. An edit of the last record, lines
// cut from the end, or forged lines appended with a correct chain can only be
// detected against a head kept elsewhere: give expectHead (the words or hex the
// witnesses wrote down, see ParseHead) and Verify also checks that the log ends
// exactly there. expectHead "" skips that check.
//
// The chain itself is checked by chainlog.Verify; this adds the ceremony
// runs, the checkpoints and the head words of any act.
func Verify(r io.Reader, expectHead string) (Summary, error) {
	var want []byte
	if expectHead != "" {
		var err error
		if want, err = ParseHead(expectHead); err != nil {
			return Summary{}, err
		}
	}
	var sum Summary
	var hashes [][32]byte
	cs, err := chainlog.Verify(r, chainlog.Options{Each: func(rec Record, h [32]byte) {
		hashes = append(hashes, h)
		track(&sum, rec, h)
	}})
	sum.Records, sum.Head = cs.Records, cs.Head
	if err != nil {
		return sum, err
	}
	if want == nil {
		return sum, nil
	}
	// The words on paper are those of any act's end: the chain up to that
	// record is what they vouch for, whatever was appended since.
	for k := len(sum.Checkpoints) - 1; k >= 0; k-- {
		if c := sum.Checkpoints[k]; bytes.HasPrefix(hashes[c.Seq-1][:], want) {
			sum.HeadChecked, sum.HeadAt = true, c
			return sum, nil
		}
	}
	if bytes.HasPrefix(sum.Head.Hash[:], want) {
		sum.HeadChecked = true
		sum.HeadAt = Checkpoint{Seq: sum.Head.Seq, Words: sum.Head.Words(), Hex: sum.Head.Hex()}
		return sum, nil
	}
	for i := len(hashes) - 2; i >= 0; i-- {
		if bytes.HasPrefix(hashes[i][:], want) {
			return sum, &VerifyError{Record: i + 2, Reason: fmt.Sprintf(
				"the head written down is record %d's, which does not end an act, but the log goes on to record %d: records %d to %d were added after it "+
					"(if they are a later ceremony's, check them against that ceremony's head words)", i+1, sum.Records, i+2, sum.Records)}
		}
	}
	return sum, &VerifyError{Record: sum.Records, Reason: fmt.Sprintf(
		"the log ends here with head %q, which is not the head written down, and no record of the log has that head: "+
			"the last record was edited, records were cut from the end, or the words were copied wrong", sum.Head.Words())}
}

// Events that the runner writes and Verify reads back for its summary.
const (
	// SignCeremony names the records of the signing log, which are not a
	// ceremony's: one per decision of airsign-offline sign.
	SignCeremony     = "sign"
	EventSigned      = "signed"
	EventRefused     = "refused"
	EventStarted     = "started"
	EventActEnd      = "act-end"
	EventCompleted   = "completed"
	EventInterrupted = "interrupted"
	EventFailed      = "failed"
)

func track(sum *Summary, rec Record, h [32]byte) {
	if rec.Ceremony == SignCeremony {
		switch rec.Event {
		case EventSigned:
			sum.Signed++
		case EventRefused:
			sum.Refused++
		}
		return
	}
	switch rec.Event {
	case EventStarted:
		sum.Runs = append(sum.Runs, RunSummary{Ceremony: rec.Ceremony, FirstSeq: rec.Seq, LastSeq: rec.Seq, Outcome: "open", Time: rec.Time})
		return
	case EventActEnd, EventCompleted, EventInterrupted, EventFailed:
		sum.Checkpoints = append(sum.Checkpoints, Checkpoint{
			Seq: rec.Seq, Ceremony: rec.Ceremony, Step: rec.Step, Event: rec.Event,
			Act: rec.Data["act"], Words: HeadWords(h), Hex: hex.EncodeToString(h[:]), Time: rec.Time,
		})
	}
	if k := len(sum.Runs) - 1; k >= 0 && sum.Runs[k].Outcome == "open" && sum.Runs[k].Ceremony == rec.Ceremony {
		r := &sum.Runs[k]
		r.LastSeq = rec.Seq
		switch rec.Event {
		case EventCompleted, EventInterrupted, EventFailed:
			r.Outcome = rec.Event
			r.At = rec.Step
		}
	}
}
