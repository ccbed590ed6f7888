package chainlog

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

func clock() func() time.Time {
	t := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

var (
	ourMAC   = &MACKey{ID: "sign:73c5da0a", Key: bytes.Repeat([]byte{7}, 32)}
	theirMAC = &MACKey{ID: "sign:3f635a63", Key: bytes.Repeat([]byte{9}, 32)}
)

// memShared is a Shared log in memory: Exclusive holds a mutex.
type memShared struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (m *memShared) Exclusive(fn func(r io.Reader, w io.Writer) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(bytes.NewReader(m.buf.Bytes()), &m.buf)
}

// signingLog writes n records, sealing the even ones with k, as sign does
// (a refusal before the key is unsealed).
func signingLog(t testing.TB, n int, k *MACKey) []byte {
	t.Helper()
	var m memShared
	for i := 1; i <= n; i++ {
		w := mustShared(t, &m)
		w.Now = clock()
		ev := "refused"
		if i%2 == 0 {
			ev = "signed"
			if err := w.SealWith(k); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Append(Record{Ceremony: "sign", Step: "-", Actor: "operator", Event: ev, Data: map[string]string{"n": fmt.Sprint(i)}}); err != nil {
			t.Fatal(err)
		}
	}
	return m.buf.Bytes()
}

func mustShared(t testing.TB, s Shared) *Writer {
	t.Helper()
	w, err := NewSharedWriter(s)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestSealedLogVerifies(t *testing.T) {
	log := signingLog(t, 6, ourMAC)
	sum, err := Verify(bytes.NewReader(log), Options{MAC: ourMAC})
	if err != nil || sum.Records != 6 || sum.Sealed != 3 {
		t.Fatalf("%+v %v", sum, err)
	}
	// Without the key the chain still verifies; with another key's, the
	// seals are not ours and are not checked.
	if sum, err := Verify(bytes.NewReader(log), Options{MAC: theirMAC}); err != nil || sum.Sealed != 0 {
		t.Fatalf("%+v %v", sum, err)
	}
	if !bytes.Contains(log, []byte(`"mac_key":"sign:73c5da0a"`)) || !bytes.Contains(log, []byte(`"mac":"`)) {
		t.Fatalf("no seal written:\n%s", log)
	}
}

// TestRewriteWithoutKeyDetected: someone without the key rewrites the whole
// chain (an edited record, every prev recomputed): the chain and any head
// taken from the rewritten file verify, the seals do not.
func TestRewriteWithoutKeyDetected(t *testing.T) {
	log := signingLog(t, 6, ourMAC)
	recs := parseAll(t, log)
	recs[3].Data["n"] = "forged" // a sealed record
	out := rechain(recs)
	if _, err := Verify(bytes.NewReader(out), Options{}); err != nil {
		t.Fatalf("the rewritten chain should verify without the key: %v", err)
	}
	_, err := Verify(bytes.NewReader(out), Options{MAC: ourMAC})
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Record != 4 || !strings.Contains(ve.Reason, "MAC does not match") {
		t.Fatalf("rewrite not detected with the key: %v", err)
	}
	// Stripping the MAC but keeping the key's name is caught too; a MAC
	// without a key name is an edit.
	stripped := bytes.Replace(log, []byte(`"mac":"`), []byte(`"xac":"`), 1)
	if _, err := Verify(bytes.NewReader(stripped), Options{MAC: ourMAC}); err == nil {
		t.Fatal("an edited seal verified")
	}
}

// TestSharedWritersNeverFork: writers that opened the log at the same head
// append in turn, each chaining onto the real end.
func TestSharedWritersNeverFork(t *testing.T) {
	var m memShared
	var ws []*Writer
	for i := 0; i < 20; i++ {
		ws = append(ws, mustShared(t, &m))
	}
	var wg sync.WaitGroup
	for i, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.Append(Record{Ceremony: "sign", Step: "-", Actor: "operator", Event: "signed", Data: map[string]string{"i": fmt.Sprint(i)}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	sum, err := Verify(bytes.NewReader(m.buf.Bytes()), Options{})
	if err != nil || sum.Records != 20 {
		t.Fatalf("%d records, %v", sum.Records, err)
	}
}

// TestSharedWriterRefusesATamperedLog: an append onto a log that no longer
// verifies writes nothing.
func TestSharedWriterRefusesATamperedLog(t *testing.T) {
	var m memShared
	m.buf.Write(signingLog(t, 4, ourMAC))
	m.buf.Bytes()[40] ^= 1
	before := m.buf.Len()
	if _, err := NewSharedWriter(&m); err == nil {
		t.Fatal("opened a tampered log")
	}
	w := &Writer{shared: &m}
	if _, err := w.Append(Record{Ceremony: "sign", Actor: "operator", Event: "signed"}); err == nil || !strings.Contains(err.Error(), "fails verification") {
		t.Fatalf("appended to a tampered log: %v", err)
	}
	if m.buf.Len() != before {
		t.Fatal("something was written")
	}
	if err := w.SealWith(ourMAC); err == nil {
		t.Fatal("SealWith accepted a tampered log")
	}
}

// TestRecordsStayUnderTheLimit: the writer refuses a record above
// MaxLineLen instead of writing what the verifier would refuse.
func TestRecordsStayUnderTheLimit(t *testing.T) {
	w := NewWriter(io.Discard, GenesisHead())
	if _, err := w.Append(Record{Ceremony: "sign", Actor: "a", Event: "e", Data: map[string]string{"x": strings.Repeat("a", MaxLineLen)}}); err == nil {
		t.Fatal("wrote an oversize record")
	}
}

// FuzzVerify feeds the log reader anything: it must never panic, and a log
// it accepts must have one record per line and verify against its own head.
func FuzzVerify(f *testing.F) {
	good := signingLog(f, 6, ourMAC)
	f.Add(good, "", true)
	f.Add(good[:len(good)-7], "", false)
	f.Add([]byte(`{"seq":1}`+"\n"), "able acid also apex", true)
	f.Add([]byte("\n\n\r\n"), "00112233", false)
	f.Add(bytes.Repeat([]byte("{"), 100), "", true)
	f.Fuzz(func(t *testing.T, data []byte, head string, withKey bool) {
		opts := Options{ExpectHead: head}
		if withKey {
			opts.MAC = ourMAC
		}
		sum, err := Verify(bytes.NewReader(data), opts)
		if err != nil {
			return
		}
		if sum.Records != bytes.Count(data, []byte("\n")) {
			t.Fatalf("%d records from %d lines", sum.Records, bytes.Count(data, []byte("\n")))
		}
		if _, err := Verify(bytes.NewReader(data), Options{ExpectHead: sum.Head.Hex(), MAC: opts.MAC}); err != nil {
			t.Fatalf("does not verify against its own head: %v", err)
		}
	})
}

// FuzzSealTamper rewrites a sealed log as someone without the key would:
// one data field of a record changed, every prev recomputed so the chain
// verifies. With the key the rewrite must be found whenever a sealed record
// was changed.
func FuzzSealTamper(f *testing.F) {
	good := signingLog(f, 6, ourMAC)
	f.Add(uint(1), "n", "forged")
	f.Add(uint(5), "txid", "")
	f.Add(uint(3), "", "x")
	f.Fuzz(func(t *testing.T, at uint, field, value string) {
		recs := parseAll(t, good)
		i := int(at % uint(len(recs)))
		if field == MACKeyField || recs[i].Data[field] == value {
			return // relabelling a seal is deletion; only the head catches it
		}
		recs[i].Data[field] = value
		rewritten := rechain(recs)
		_, err := Verify(bytes.NewReader(rewritten), Options{MAC: ourMAC})
		sealed := recs[i].MAC != ""
		if sealed && err == nil {
			t.Fatalf("record %d's %q rewritten to %q and not detected with the key", i+1, field, value)
		}
	})
}

func parseAll(t testing.TB, log []byte) []Record {
	var recs []Record
	for _, line := range bytes.Split(bytes.TrimSpace(log), []byte("\n")) {
		rec, err := parseRecord(line)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// rechain writes recs with every prev recomputed, as a forger would.
func rechain(recs []Record) []byte {
	var out bytes.Buffer
	head := GenesisHead()
	for _, rec := range recs {
		rec.Prev = head.Hex()
		line, _ := encodeRecord(rec)
		out.Write(append(line, '\n'))
		head = Head{Seq: rec.Seq, Hash: sha256.Sum256(line)}
	}
	return out.Bytes()
}

func TestHeadWordsVector(t *testing.T) {
	// From BCR-2020-012's example: bytes D9 01 2C A2 01 50 are
	// "tuna acid draw oboe acid good".
	var h [32]byte
	copy(h[:], []byte{0xd9, 0x01, 0x2c, 0xa2, 0x01, 0x50, 0xc7})
	if got := HeadWords(h); got != "tuna acid draw oboe acid good" {
		t.Fatalf("HeadWords = %q", got)
	}
	b, err := ParseHead("Tuna-ACID draw,oboe acid good")
	if err != nil || !bytes.Equal(b, h[:6]) {
		t.Fatalf("ParseHead = %x, %v", b, err)
	}
	seen := map[string]bool{}
	for i, w := range bytewords {
		if len(w) != 4 || isHex(w) || seen[w[:1]+w[3:]] {
			t.Fatalf("word %d %q: not 4 letters, reads as hex, or first+last letters not unique", i, w)
		}
		seen[w[:1]+w[3:]] = true
	}
}
