package chainlog

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// MaxLineLen bounds one log record (its JSON line without the newline). Verify
// refuses to read a longer one, so a damaged or hostile file cannot make the
// verifier read without end, and the writer refuses to write one. Writers
// keep records far below it by construction: a record holds hashes and a
// bounded summary, never a PSBT or a list that grows with one.
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
	// MAC, on a sealed record, is the hex HMAC-SHA256 of the record's line
	// without it, keyed by the secret named in Data["mac_key"] (see
	// MACKey). Since the line holds prev, the MAC vouches for the whole log
	// up to it: someone without the key cannot rewrite the log and keep the
	// seals.
	MAC string `json:"mac,omitempty"`
}

// MACKeyField is the data field naming the key a record is sealed with.
const MACKeyField = "mac_key"

// MACKey seals records: ID is public and written into each sealed record
// (data["mac_key"]); Key is the secret, derived by the caller from a key only
// the owner can rebuild, and never written anywhere.
type MACKey struct {
	ID  string
	Key []byte
}

// macDomain separates these MACs from any other use of the key.
const macDomain = "airsign log record mac v1\n"

func (k *MACKey) sum(rec Record) ([]byte, error) {
	rec.MAC = ""
	line, err := encodeRecord(rec)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, k.Key)
	m.Write([]byte(macDomain))
	m.Write(line)
	return m.Sum(nil), nil
}

func (k *MACKey) seal(rec *Record) error {
	rec.Data[MACKeyField] = k.ID
	sum, err := k.sum(*rec)
	if err != nil {
		return err
	}
	rec.MAC = hex.EncodeToString(sum)
	return nil
}

func (k *MACKey) check(rec Record) bool {
	got, err := hex.DecodeString(rec.MAC)
	if err != nil || len(got) == 0 {
		return false
	}
	want, err := k.sum(rec)
	return err == nil && hmac.Equal(got, want)
}

// Head is where a log ends: the seq of its last record and the SHA-256 of that
// record's line. A Writer continues from a Head; witnesses write its words
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

// Writer appends records to a hash-chained log. It fills in seq, time and
// prev itself, so a caller cannot break the chain. It is safe for concurrent
// use. After any write error it refuses further records: a log with a hole is
// worse than a log that stops.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	shared Shared
	head   Head
	err    error
	mac    *MACKey
	// Now is the clock; nil means time.Now. Tests set it for fixed times.
	Now func() time.Time
}

// Shared is a log other processes may append to (a file). Exclusive runs fn
// while holding the log exclusively (a file lock), with r reading the whole
// log as it is then and w appending to its end; it makes what fn wrote
// durable (fsync) before it releases the log, and returns that error too.
type Shared interface {
	Exclusive(fn func(r io.Reader, w io.Writer) error) error
}

// NewWriter returns a writer that appends to w after prev: GenesisHead()
// for a new log, or Summary.Head from Verify of the existing file when
// continuing one. If w implements Syncer, every record is synced. Only this
// writer may write to w; for a file other processes append to, use
// NewSharedWriter.
func NewWriter(w io.Writer, prev Head) *Writer {
	return &Writer{w: w, head: prev}
}

// NewSharedWriter returns a writer for a log other processes may append to
// at the same time. Every Append takes the log exclusively, verifies it as
// it is then (with the seal's key, once SealWith has given one) and chains
// the record onto its real head, so concurrent writers queue and the chain
// never forks.
//
// It verifies the log once now, so a log that is already broken is refused
// before anything else happens, and Head is the log's head until the first
// Append.
func NewSharedWriter(s Shared) (*Writer, error) {
	w := &Writer{shared: s}
	err := s.Exclusive(func(r io.Reader, _ io.Writer) error {
		sum, err := Verify(r, Options{AllowEmpty: true})
		w.head = sum.Head
		return err
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// SealWith makes every later record carry a MAC made with k (see Record.MAC)
// and, on a shared log, checks the records already sealed with k now and at
// every append: a log rewritten without the key is refused.
func (l *Writer) SealWith(k *MACKey) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mac = k
	if l.shared == nil {
		return nil
	}
	return l.shared.Exclusive(func(r io.Reader, _ io.Writer) error {
		sum, err := Verify(r, Options{MAC: k, AllowEmpty: true})
		if err != nil {
			return err
		}
		l.head = sum.Head
		return nil
	})
}

// Head is the head after the last record written.
func (l *Writer) Head() Head {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// ErrLogBroken is returned by Append after an earlier write failed.
var ErrLogBroken = errors.New("log: an earlier write failed; the log may end in a partial record and takes no more records")

// Append writes rec as the next line and returns the new head. rec's Seq,
// Prev and (if empty) Time are filled in; Ceremony, Actor and Event must be set.
func (l *Writer) Append(rec Record) (Head, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.head, ErrLogBroken
	}
	if rec.Ceremony == "" || rec.Actor == "" || rec.Event == "" {
		return l.head, fmt.Errorf("log: record %d needs ceremony, actor and event", l.head.Seq+1)
	}
	if l.shared == nil {
		return l.appendTo(l.w, rec)
	}
	var head Head
	wrote := false
	err := l.shared.Exclusive(func(r io.Reader, w io.Writer) error {
		sum, err := Verify(r, Options{MAC: l.mac, AllowEmpty: true})
		if err != nil {
			return fmt.Errorf("the log fails verification (%w); nothing was added to it", err)
		}
		l.head = sum.Head
		head, err = l.appendTo(w, rec)
		wrote = err == nil
		return err
	})
	if err != nil && wrote {
		// Written but not made durable: the record may be half on disk.
		l.err = err
		return head, fmt.Errorf("log: syncing record %d to disk: %w", head.Seq, err)
	}
	if err != nil {
		return l.head, err
	}
	l.head = head
	return head, nil
}

// appendTo writes rec after l.head to w.
func (l *Writer) appendTo(w io.Writer, rec Record) (Head, error) {
	rec.Seq = l.head.Seq + 1
	rec.Prev = hex.EncodeToString(l.head.Hash[:])
	if rec.Time == "" {
		now := time.Now
		if l.Now != nil {
			now = l.Now
		}
		rec.Time = now().UTC().Format(TimeFormat)
	} else if _, err := ParseTime(rec.Time); err != nil {
		return l.head, fmt.Errorf("log: record %d: %v", rec.Seq, err)
	}
	data := make(map[string]string, len(rec.Data)+1)
	for k, v := range rec.Data {
		data[k] = v
	}
	rec.Data = data
	if l.mac != nil {
		if err := l.mac.seal(&rec); err != nil {
			return l.head, fmt.Errorf("log: record %d: %v", rec.Seq, err)
		}
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
	if _, err := w.Write(buf); err != nil {
		l.err = err
		return l.head, fmt.Errorf("log: writing record %d: %w", rec.Seq, err)
	}
	if s, ok := w.(Syncer); ok {
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

// ParseTime reads a record time, refusing any other form than TimeFormat.
func ParseTime(s string) (time.Time, error) {
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
