package ceremony

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// fixedClock returns a clock that starts at a fixed time and ticks a second
// per call, so logs in tests are byte-for-byte reproducible.
func fixedClock() func() time.Time {
	t := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time { t = t.Add(time.Second); return t }
}

// sampleLog writes n records (with an act end every 4) and returns the bytes.
func sampleLog(t testing.TB, n int) []byte {
	t.Helper()
	var b bytes.Buffer
	lw := NewLogWriter(&b, GenesisHead())
	lw.Now = fixedClock()
	for i := 1; i <= n; i++ {
		rec := Record{Ceremony: "keygen", Step: fmt.Sprintf("1.%d", i), Actor: "operator", Event: "ack",
			Data: map[string]string{"fingerprint": "d34db33f", "descriptor": "wpkh([d34db33f/84h/0h/0h]xpub/<0;1>/*)"}}
		switch {
		case i == 1:
			rec.Event, rec.Step, rec.Actor = EventStarted, "", "system"
		case i == n:
			rec.Event, rec.Step, rec.Actor = EventCompleted, "", "system"
		case i%4 == 0:
			rec.Event, rec.Actor, rec.Data = EventActEnd, "system", map[string]string{"act": fmt.Sprint(i / 4)}
		}
		if _, err := lw.Append(rec); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func lines(b []byte) [][]byte {
	return bytes.SplitAfter(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func join(ls [][]byte) []byte {
	var out []byte
	for _, l := range ls {
		out = append(out, l...)
		if out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
	}
	return out
}

func headOf(t *testing.T, log []byte) Head {
	t.Helper()
	sum, err := Verify(bytes.NewReader(log), "")
	if err != nil {
		t.Fatalf("verify of an intact log: %v", err)
	}
	return sum.Head
}

func TestGenesisHash(t *testing.T) {
	want := sha256.Sum256([]byte("airsign ceremony log v1"))
	if GenesisHash != want {
		t.Fatal("GenesisHash is not SHA-256 of the documented tag")
	}
}

func TestLogWriterFormat(t *testing.T) {
	var b bytes.Buffer
	lw := NewLogWriter(&b, GenesisHead())
	lw.Now = func() time.Time { return time.Date(2025, 3, 1, 10, 4, 5, 999, time.FixedZone("X", 3600)) }
	head, err := lw.Append(Record{Ceremony: "keygen", Step: "2.3", Actor: "witness", Event: "compared",
		Data: map[string]string{"descriptor": "wpkh([d34db33f/84h/0h/0h]xpub/<0;1>/*)#abc", "b": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"seq":1,"time":"2025-03-01T09:04:05Z","ceremony":"keygen","step":"2.3","actor":"witness","event":"compared",` +
		`"data":{"b":"2","descriptor":"wpkh([d34db33f/84h/0h/0h]xpub/<0;1>/*)#abc"},"prev":"` + hex.EncodeToString(GenesisHash[:]) + `"}` + "\n"
	if b.String() != want {
		t.Fatalf("line:\n got %s\nwant %s", b.String(), want)
	}
	if head.Seq != 1 || head.Hash != sha256.Sum256([]byte(strings.TrimSuffix(want, "\n"))) {
		t.Fatalf("head %d %x", head.Seq, head.Hash)
	}
	// A second record chains to the first.
	head2, err := lw.Append(Record{Ceremony: "keygen", Actor: "system", Event: "completed"})
	if err != nil {
		t.Fatal(err)
	}
	second := strings.SplitAfter(b.String(), "\n")[1]
	if !strings.Contains(second, `"seq":2`) || !strings.Contains(second, `"prev":"`+head.Hex()+`"`) || !strings.Contains(second, `"data":{}`) {
		t.Fatalf("second line %s", second)
	}
	if lw.Head() != head2 {
		t.Fatal("Head() differs from Append's")
	}
}

func TestLogWriterRefuses(t *testing.T) {
	lw := NewLogWriter(io.Discard, GenesisHead())
	if _, err := lw.Append(Record{Ceremony: "keygen", Actor: "system"}); err == nil {
		t.Error("record without event accepted")
	}
	if _, err := lw.Append(Record{Ceremony: "keygen", Actor: "system", Event: "x", Time: "yesterday"}); err == nil {
		t.Error("bad time accepted")
	}
	if _, err := lw.Append(Record{Ceremony: "keygen", Actor: "system", Event: "x", Data: map[string]string{"x": strings.Repeat("a", MaxLineLen)}}); err == nil {
		t.Error("over-long record accepted")
	}
	if lw.Head() != GenesisHead() {
		t.Error("refused records moved the head")
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 3, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

type syncCounter struct {
	bytes.Buffer
	syncs int
}

func (s *syncCounter) Sync() error { s.syncs++; return nil }

func TestLogWriterSyncsAndStopsAfterError(t *testing.T) {
	var s syncCounter
	lw := NewLogWriter(&s, GenesisHead())
	for i := 0; i < 3; i++ {
		if _, err := lw.Append(Record{Ceremony: "sign", Actor: "system", Event: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if s.syncs != 3 {
		t.Fatalf("synced %d times for 3 records", s.syncs)
	}
	lw = NewLogWriter(&failWriter{n: 1}, GenesisHead())
	if _, err := lw.Append(Record{Ceremony: "sign", Actor: "system", Event: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := lw.Append(Record{Ceremony: "sign", Actor: "system", Event: "x"}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("write error not reported: %v", err)
	}
	if _, err := lw.Append(Record{Ceremony: "sign", Actor: "system", Event: "x"}); !errors.Is(err, ErrLogBroken) {
		t.Fatalf("append after a failed write: %v", err)
	}
}

func TestContinueLog(t *testing.T) {
	log := sampleLog(t, 5)
	sum, err := Verify(bytes.NewReader(log), "")
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.NewBuffer(append([]byte(nil), log...))
	lw := NewLogWriter(b, sum.Head)
	head, err := lw.Append(Record{Ceremony: "drill", Actor: "system", Event: EventStarted})
	if err != nil {
		t.Fatal(err)
	}
	if head.Seq != 6 {
		t.Fatalf("continued at seq %d", head.Seq)
	}
	sum2, err := Verify(bytes.NewReader(b.Bytes()), head.Words())
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Records != 6 || !sum2.HeadChecked || len(sum2.Runs) != 2 || sum2.Runs[1].Outcome != "open" || sum2.Runs[0].Outcome != "completed" {
		t.Fatalf("summary %+v", sum2)
	}
}

func TestVerifySummary(t *testing.T) {
	log := sampleLog(t, 10)
	sum, err := Verify(bytes.NewReader(log), "")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != 10 || sum.Head.Seq != 10 || sum.HeadChecked {
		t.Fatalf("summary %+v", sum)
	}
	if len(sum.Checkpoints) != 3 || sum.Checkpoints[0].Seq != 4 || sum.Checkpoints[0].Act != "1" || sum.Checkpoints[2].Event != EventCompleted {
		t.Fatalf("checkpoints %+v", sum.Checkpoints)
	}
	if sum.Checkpoints[2].Words != sum.Head.Words() || sum.Checkpoints[2].Hex != sum.Head.Hex() {
		t.Fatal("last checkpoint is not the head")
	}
	if len(sum.Runs) != 1 || sum.Runs[0] != (RunSummary{Ceremony: "keygen", FirstSeq: 1, LastSeq: 10, Outcome: "completed", Time: "2025-03-01T09:00:01Z"}) {
		t.Fatalf("runs %+v", sum.Runs)
	}
	for _, h := range []string{sum.Head.Words(), sum.Head.Hex(), sum.Head.Hex()[:12], strings.ToUpper(sum.Head.Words()),
		strings.ReplaceAll(sum.Head.Words(), " ", "-")} {
		if s, err := Verify(bytes.NewReader(log), h); err != nil || !s.HeadChecked {
			t.Errorf("head %q: %v", h, err)
		}
	}
}

// TestVerifyDetectsTampering is the tamper table of issue 5: each change must
// be detected, at the record named.
func TestVerifyDetectsTampering(t *testing.T) {
	orig := sampleLog(t, 10)
	head := headOf(t, orig)
	words := head.Words()
	ls := func() [][]byte { return lines(append([]byte(nil), orig...)) }
	flip := func(line int, field string) []byte {
		l := ls()
		i := bytes.Index(l[line-1], []byte(field))
		if i < 0 {
			t.Fatalf("field %s not in line %d", field, line)
		}
		c := &l[line-1][i+len(field)+2] // the first character of the value
		if *c == '0' {
			*c = '1'
		} else {
			*c = '0'
		}
		return join(l)
	}
	tests := []struct {
		name   string
		log    []byte
		expect string
		record int
		says   string
	}{
		{"flip a byte in a data value of record 4", flip(4, `"act"`), "", 5, "prev hash does not match record 4"},
		{"flip a byte in record 6's fingerprint", flip(6, `"fingerprint"`), "", 7, "prev hash does not match record 6"},
		{"flip a byte in record 3's prev", flip(3, `"prev"`), "", 3, "prev hash does not match record 2"},
		{"flip a byte in the last record, with head", flip(10, `"time"`), words, 10, "not the head written down"},
		{"flip a byte that breaks the JSON", func() []byte { l := ls(); l[4][0] = '['; return join(l) }(), "", 5, "not a valid log record"},
		{"drop line 5", func() []byte { l := ls(); return join(append(l[:4:4], l[5:]...)) }(), "", 5, "prev hash does not match record 4"},
		{"drop the first line", func() []byte { return join(ls()[1:]) }(), "", 1, "not the genesis value"},
		{"drop the last line, with head", func() []byte { l := ls(); return join(l[:9]) }(), words, 9, "not the head written down"},
		{"swap lines 6 and 7", func() []byte { l := ls(); l[5], l[6] = l[6], l[5]; return join(l) }(), "", 6, "prev hash does not match record 5"},
		{"move line 3 after line 5", func() []byte {
			l := ls()
			return join([][]byte{l[0], l[1], l[3], l[4], l[2], l[5], l[6], l[7], l[8], l[9]})
		}(), "", 3, "prev hash does not match record 2"},
		{"duplicate line 4", func() []byte {
			l := ls()
			return join(append(append(append([][]byte{}, l[:4]...), l[3]), l[4:]...))
		}(), "", 5, "prev hash does not match record 4: it is record 3's hash"},
		{"append a forged line with a wrong prev", append(append([]byte(nil), orig...), []byte(strings.Replace(string(ls()[9]), `"seq":10`, `"seq":11`, 1)+"\n")...), "", 11, "prev hash does not match record 10"},
		{"truncated last line", orig[:len(orig)-20], "", 10, "cut off"},
		{"last newline removed", orig[:len(orig)-1], "", 10, "cut off"},
		{"wrong head words", orig, "able acid also apex aqua arch", 10, "not the head written down"},
		{"head of an earlier record that ends no act", orig, HeadWords(sha256.Sum256(bytes.TrimSuffix(ls()[6], []byte("\n")))), 8, "the head written down is record 7's, which does not end an act"},
		{"seq edited consistently", func() []byte {
			var b bytes.Buffer
			lw := NewLogWriter(&b, GenesisHead())
			lw.Append(Record{Ceremony: "x", Actor: "a", Event: "e"})
			line := strings.Replace(b.String(), `"seq":1`, `"seq":7`, 1)
			return []byte(line)
		}(), "", 1, "seq is 7, expected 1"},
		{"empty log", nil, "", 1, "empty"},
		{"blank line inserted", func() []byte { l := ls(); return append(join(l[:3]), append([]byte("\n"), join(l[3:])...)...) }(), "", 4, "empty line"},
		{"windows line ends", bytes.ReplaceAll(orig, []byte("\n"), []byte("\r\n")), "", 1, "carriage return"},
		{"unknown field added", func() []byte {
			l := ls()
			l[1] = bytes.Replace(l[1], []byte(`{"seq"`), []byte(`{"x":1,"seq"`), 1)
			return join(l)
		}(), "", 2, "not a valid log record"},
		{"line too long", append(bytes.Repeat([]byte("a"), MaxLineLen+10), '\n'), "", 1, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Verify(bytes.NewReader(tt.log), tt.expect)
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("not detected, or not a VerifyError: %v", err)
			}
			if ve.Record != tt.record || !strings.Contains(ve.Error(), tt.says) {
				t.Fatalf("got %q (record %d), want record %d saying %q", ve.Error(), ve.Record, tt.record, tt.says)
			}
			if !strings.HasPrefix(ve.Error(), fmt.Sprintf("record %d: ", tt.record)) {
				t.Fatalf("message does not start with the record: %q", ve.Error())
			}
		})
	}
}

func TestVerifyBadHeadArgument(t *testing.T) {
	log := sampleLog(t, 3)
	for _, h := range []string{"able acid", "able acid also apex aqua xxxx", "abc", "12345678912", strings.Repeat("ab", 33)} {
		_, err := Verify(bytes.NewReader(log), h)
		var ve *VerifyError
		if err == nil || errors.As(err, &ve) || !strings.HasPrefix(err.Error(), "head: ") {
			t.Errorf("head %q: %v", h, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	good := sampleLog(f, 6)
	f.Add(good, "")
	f.Add(good[:len(good)-7], "")
	f.Add([]byte(`{"seq":1}`+"\n"), "able acid also apex")
	f.Add([]byte("\n\n\r\n"), "00112233")
	f.Add(bytes.Repeat([]byte("{"), 100), "")
	f.Fuzz(func(t *testing.T, data []byte, head string) {
		sum, err := Verify(bytes.NewReader(data), head)
		if err != nil {
			return
		}
		// What verifies must verify again against its own head, and must
		// contain exactly as many lines as records.
		if sum.Records != bytes.Count(data, []byte("\n")) {
			t.Fatalf("%d records from %d lines", sum.Records, bytes.Count(data, []byte("\n")))
		}
		if _, err := Verify(bytes.NewReader(data), sum.Head.Hex()); err != nil {
			t.Fatalf("does not verify against its own head: %v", err)
		}
	})
}

// FuzzVerifyTamper changes one byte of an intact log: the change must always
// be found when the head is known.
func FuzzVerifyTamper(f *testing.F) {
	good := sampleLog(f, 8)
	f.Add(uint(0), byte(1))
	f.Add(uint(len(good)-1), byte('x'))
	f.Add(uint(200), byte(0x80))
	f.Fuzz(func(t *testing.T, pos uint, xor byte) {
		if xor == 0 {
			return
		}
		log := append([]byte(nil), good...)
		i := int(pos % uint(len(log)))
		log[i] ^= xor
		hex := fmt.Sprintf("%x", sha256.Sum256(bytes.TrimSuffix(lines(good)[7], []byte("\n"))))
		if _, err := Verify(bytes.NewReader(log), hex); err == nil {
			t.Fatalf("byte %d changed (xor %#x) and not detected", i, xor)
		}
	})
}

func BenchmarkVerify10000(b *testing.B) {
	log := sampleLog(b, 10000)
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		if _, err := Verify(bytes.NewReader(log), ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppend(b *testing.B) {
	lw := NewLogWriter(io.Discard, GenesisHead())
	rec := Record{Ceremony: "sign", Step: "-", Actor: "operator", Event: "signed", Data: map[string]string{"txid": strings.Repeat("ab", 32)}}
	for b.Loop() {
		if _, err := lw.Append(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// The words written at the end of any act vouch for the records up to it;
// records appended later (a later drill, or a forged line) are named as not
// covered, and each is checked with its own words.
func TestVerifyHeadOfAnEarlierAct(t *testing.T) {
	orig := sampleLog(t, 10)
	ls := lines(append([]byte(nil), orig...))
	h := sha256.Sum256(bytes.TrimSuffix(ls[9], []byte("\n")))
	later := fmt.Sprintf(`{"seq":11,"time":"2025-04-02T09:00:11Z","ceremony":"drill","step":"","actor":"system","event":"started","data":{},"prev":"%x"}`, h)
	log := append(append([]byte(nil), orig...), append([]byte(later), '\n')...)
	for _, tt := range []struct {
		line int
		act  string
	}{{8, "2"}, {10, ""}} {
		words := HeadWords(sha256.Sum256(bytes.TrimSuffix(ls[tt.line-1], []byte("\n"))))
		sum, err := Verify(bytes.NewReader(log), words)
		if err != nil || !sum.HeadChecked || sum.HeadAt.Seq != uint64(tt.line) || sum.HeadAt.Act != tt.act || sum.HeadAt.Ceremony != "keygen" {
			t.Fatalf("words of record %d: %+v, %v", tt.line, sum.HeadAt, err)
		}
		if l := sum.Later(); len(l) != 1 || l[0] != "drill on 2025-04-02" {
			t.Fatalf("later runs %v", l)
		}
	}
}
