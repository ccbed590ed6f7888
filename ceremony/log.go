package ceremony

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// MaxLineLen bounds one log record (its JSON line without the newline). The
// writer refuses to write a longer one and Verify refuses to read one, so a
// damaged or hostile file cannot make the verifier read without end.
const MaxLineLen = 64 << 10

// TimeFormat is the one time format of the log: RFC 3339 in UTC, whole seconds.
const TimeFormat = "2006-01-02T15:04:05Z"

// genesisTag is hashed to make the prev value of a log's first record. A fixed,
// documented value (rather than zeros) says "this is an airsign log" and keeps
// the chain from being confused with any other hash chain.
const genesisTag = "airsign ceremony log v1"

// GenesisHash is the prev value of the first record of every log:
// SHA-256("airsign ceremony log v1").
var GenesisHash = sha256.Sum256([]byte(genesisTag))

// Record is one line of a ceremony or signing log. Every field is public: the
// log is meant to be printed, copied and shown to auditors, so it must never
// carry a key, entropy, mnemonic words, share text or dice rolls.
type Record struct {
	// Seq numbers records from 1; it equals the line number in the file.
	Seq uint64 `json:"seq"`
	// Time is when the record was written, UTC, TimeFormat.
	Time string `json:"time"`
	// Ceremony names what is being done: "keygen", "drill", "sign", ….
	Ceremony string `json:"ceremony"`
	// Step is the step id from the checklist ("2.3"), or "" for records about
	// the ceremony as a whole (start, end).
	Step string `json:"step"`
	// Actor is who acted: "operator", "witness", "holder 3", "system".
	Actor string `json:"actor"`
	// Event says what happened, as a short lower-case token ("ack", "split").
	Event string `json:"event"`
	// Data holds public details: fingerprints, descriptor, share set id,
	// hashes of artefacts, drill results.
	Data map[string]string `json:"data"`
	// Prev is the hex SHA-256 of the previous record's line (the exact bytes,
	// without the newline); for the first record it is GenesisHash in hex.
	Prev string `json:"prev"`
}

// Head is where a log ends: the seq of its last record and the SHA-256 of that
// record's line. A LogWriter continues from a Head; witnesses write its words
// on paper; Verify compares a log's end with it.
type Head struct {
	Seq  uint64
	Hash [32]byte
}

// GenesisHead is the Head of an empty log, from which a new log starts.
func GenesisHead() Head { return Head{Seq: 0, Hash: GenesisHash} }

// Hex is the full head hash in lower-case hex.
func (h Head) Hex() string { return hex.EncodeToString(h.Hash[:]) }

// Words is the head as HeadWords, for the paper checklist.
func (h Head) Words() string { return HeadWords(h.Hash) }

// Syncer is what a log destination implements when it can make each record
// durable (an *os.File does): the writer calls Sync after every record, so a
// power cut loses at most the record being written.
type Syncer interface {
	Sync() error
}

// LogWriter appends records to a hash-chained log. It fills in seq, time and
// prev itself, so a caller cannot break the chain. It is safe for concurrent
// use. After any write error it refuses further records: a log with a hole is
// worse than a log that stops.
type LogWriter struct {
	mu   sync.Mutex
	w    io.Writer
	head Head
	err  error
	// Now is the clock; nil means time.Now. Tests set it for fixed times.
	Now func() time.Time
}

// NewLogWriter returns a writer that appends to w after prev: GenesisHead()
// for a new log, or Summary.Head from Verify of the existing file when
// continuing one. If w implements Syncer, every record is synced.
func NewLogWriter(w io.Writer, prev Head) *LogWriter {
	return &LogWriter{w: w, head: prev}
}

// Head is the head after the last record written.
func (l *LogWriter) Head() Head {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// ErrLogBroken is returned by Append after an earlier write failed.
var ErrLogBroken = errors.New("log: an earlier write failed; the log may end in a partial record and takes no more records")

// Append writes rec as the next line and returns the new head. rec's Seq,
// Prev and (if empty) Time are filled in; Ceremony, Actor and Event must be set.
func (l *LogWriter) Append(rec Record) (Head, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.head, ErrLogBroken
	}
	if rec.Ceremony == "" || rec.Actor == "" || rec.Event == "" {
		return l.head, fmt.Errorf("log: record %d needs ceremony, actor and event", l.head.Seq+1)
	}
	rec.Seq = l.head.Seq + 1
	rec.Prev = hex.EncodeToString(l.head.Hash[:])
	if rec.Time == "" {
		now := time.Now
		if l.Now != nil {
			now = l.Now
		}
		rec.Time = now().UTC().Format(TimeFormat)
	} else if _, err := parseTime(rec.Time); err != nil {
		return l.head, fmt.Errorf("log: record %d: %v", rec.Seq, err)
	}
	if rec.Data == nil {
		rec.Data = map[string]string{}
	}
	line, err := encodeRecord(rec)
	if err != nil {
		return l.head, fmt.Errorf("log: record %d: %v", rec.Seq, err)
	}
	if len(line) > MaxLineLen {
		return l.head, fmt.Errorf("log: record %d is %d bytes, more than the %d a record may have", rec.Seq, len(line), MaxLineLen)
	}
	buf := make([]byte, 0, len(line)+1)
	buf = append(append(buf, line...), '\n')
	if _, err := l.w.Write(buf); err != nil {
		l.err = err
		return l.head, fmt.Errorf("log: writing record %d: %w", rec.Seq, err)
	}
	if s, ok := l.w.(Syncer); ok {
		if err := s.Sync(); err != nil {
			l.err = err
			return l.head, fmt.Errorf("log: syncing record %d to disk: %w", rec.Seq, err)
		}
	}
	l.head = Head{Seq: rec.Seq, Hash: sha256.Sum256(line)}
	return l.head, nil
}

// encodeRecord gives the record's line without the newline. HTML escaping is
// off so descriptors read as they are ("<0;1>", not "\u003c0;1\u003e").
func encodeRecord(rec Record) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeFormat, s)
	if err != nil || t.Format(TimeFormat) != s {
		return time.Time{}, fmt.Errorf("time %q is not UTC RFC 3339 (like 2025-01-31T14:05:00Z)", clip(s, 40))
	}
	return t, nil
}

// clip shortens text from outside for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
