package ur

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

// issueVectors reads testdata/issue3-ur.txt (a copy of the project's
// shared/vectors/ur.txt) into its [sections], comment lines dropped.
func issueVectors(t testing.TB) map[string][]string {
	t.Helper()
	f, err := os.Open("testdata/issue3-ur.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sec := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#':
		case line[0] == '[':
			sec = strings.Trim(line, "[]")
		default:
			out[sec] = append(out[sec], line)
		}
	}
	return out
}

func TestIssueVectors(t *testing.T) {
	v := issueVectors(t)

	single := v["single-part, n=50"]
	got, err := Encode("bytes", EncodeCBORBytes(wolf(50)))
	if err != nil || len(single) != 1 || strings.ToLower(got) != single[0] {
		t.Errorf("single-part: %s %v", got, err)
	}
	d := NewDecoder()
	if err := d.Receive(strings.ToUpper(single[0])); err != nil || !d.Complete() {
		t.Fatalf("single-part decode: %v", err)
	}
	if _, cbor, _ := d.Result(); !bytes.Equal(cbor, EncodeCBORBytes(wolf(50))) {
		t.Errorf("single-part decodes to %x", cbor)
	}

	multi := v["multipart, n=256, maxFragmentLen=30; parts 1, 2 and 10 of the 20 listed in bc-ur test.cpp"]
	if len(multi) != 3 {
		t.Fatalf("multipart section has %d lines", len(multi))
	}
	e, err := NewEncoder("bytes", EncodeCBORBytes(wolf(256)), 30)
	if err != nil {
		t.Fatal(err)
	}
	for i, seq := range []uint32{1, 2, 10} {
		if got := strings.ToLower(e.Part(seq)); got != multi[i] {
			t.Errorf("part %d = %s, want %s", seq, got, multi[i])
		}
	}
	// Part 1 decodes to CBOR [1, 9, 259, 0xeda0ae73, <29-byte fragment>].
	body, err := DecodeBytewords(strings.SplitN(multi[0], "/", 3)[2])
	if err != nil {
		t.Fatal(err)
	}
	p, err := decodeFountainPart(body)
	if err != nil || p.seqNum != 1 || p.seqLen != 9 || p.messageLen != 259 || p.checksum != 0xeda0ae73 || len(p.data) != 29 {
		t.Fatalf("part 1 = %+v, %v", p, err)
	}
	d = NewDecoder()
	for i, want := range []int{1, 2, 2} { // part 10 of 9 is a copy of fragment 1
		if err := d.Receive(multi[i]); err != nil {
			t.Fatalf("receive %s: %v", multi[i], err)
		}
		if r, n, _ := d.Progress(); r != want || n != 9 {
			t.Errorf("after %d parts: progress %d/%d, want %d/9", i+1, r, n, want)
		}
	}

	ps := v["psbt, from bcr-2020-006"]
	psbt := unhex(t, strings.TrimPrefix(ps[0], "psbt-hex: "))
	e, err = EncodePSBT(psbt, TypePSBT, 1000)
	if err != nil || !e.IsSinglePart() || strings.ToLower(e.NextPart()) != ps[1] {
		t.Errorf("psbt UR: %v", err)
	}
	for _, typ := range []string{TypePSBT, TypeCryptoPSBT, TypeBytes} {
		s := strings.Replace(ps[1], "ur:psbt/", "ur:"+typ+"/", 1)
		d := NewDecoder()
		if err := d.Receive(s); err != nil {
			t.Fatal(err)
		}
		ut, cbor, _ := d.Result()
		got, err := DecodePSBTPayload(ut, cbor)
		if err != nil || !bytes.Equal(got, psbt) {
			t.Errorf("%s: DecodePSBTPayload: %v", typ, err)
		}
	}

	small := v["small"]
	if small[0] != "Part(seqNum=12, seqLen=8, messageLen=100, checksum=0x12345678, data=[1,5,3,3,5]) CBOR = 850c0818641a12345678450105030305" ||
		small[1] != "bytewords(minimal) of [0,1,2,128,255] = aeadaolazmjendeoti" ||
		small[2] != `CRC32("Wolf") = 598c84dc` {
		t.Fatalf("the [small] vectors changed; update TestPartCBORVector, TestBytewordsVectors, TestCRC32Vectors: %q", small)
	}
}

// makeURPart formats a hand-made part, for feeding the decoder bad headers
// that still carry valid bytewords checksums.
func makeURPart(urType string, seqNum uint32, seqLen int, p *fountainPart) string {
	return fmt.Sprintf("ur:%s/%d-%d/%s", urType, seqNum, seqLen, EncodeBytewords(p.cbor()))
}

func TestDecoderRejects(t *testing.T) {
	good := &fountainPart{seqNum: 1, seqLen: 9, messageLen: 259, checksum: 1, data: make([]byte, 29)}
	mod := func(f func(p *fountainPart)) *fountainPart {
		c := *good
		f(&c)
		return &c
	}
	valid := makeURPart("bytes", 1, 9, good)
	body := strings.SplitN(valid, "/", 3)[2]
	bad := []struct{ name, in, want string }{
		{"not ur", "bitcoin:bc1qxyz", "not a UR"},
		{"empty", "", "not a UR"},
		{"no body", "ur:bytes", "path components"},
		{"too many comps", "ur:bytes/1-9/" + body + "/x", "path components"},
		{"bad type", "ur:by_tes/" + body, "invalid type"},
		{"empty type", "ur:/" + body, "invalid type"},
		{"seq no dash", "ur:bytes/19/" + body, "not N-M"},
		{"seq zero num", "ur:bytes/0-9/" + body, "start at 1"},
		{"seq zero len", "ur:bytes/1-0/" + body, "start at 1"},
		{"seq letters", "ur:bytes/a-9/" + body, "not a decimal"},
		{"seq sign", "ur:bytes/+1-9/" + body, "not a decimal"},
		{"seq too long", "ur:bytes/1-100001/" + body, "exceeds the limit"},
		{"seq huge", "ur:bytes/99999999999-9/" + body, "not a number"},
		{"seq mismatch", "ur:bytes/2-9/" + body, "content says part 1 of 9"},
		{"truncated", valid[:len(valid)-2], "checksum"},
		{"corrupted", strings.Replace(valid, "ae", "ad", 1), "checksum"},
		{"odd", valid[:len(valid)-1], "odd length"},
		{"messageLen huge", makeURPart("bytes", 1, 1, mod(func(p *fountainPart) { p.seqLen = 1; p.messageLen = MaxMessageLen + 1; p.data = make([]byte, 1) })), "limit"},
		{"seqLen huge", makeURPart("bytes", 1, 100000, mod(func(p *fountainPart) { p.seqLen = 100001 })), "content says"},
		{"seqLen huge both", "ur:bytes/1-100001/" + EncodeBytewords(mod(func(p *fountainPart) { p.seqLen = 100001 }).cbor()), "exceeds the limit"},
		{"fragment mismatch", makeURPart("bytes", 1, 9, mod(func(p *fountainPart) { p.data = make([]byte, 33) })), "does not fit"},
		{"fragment too short", makeURPart("bytes", 1, 9, mod(func(p *fountainPart) { p.data = make([]byte, 28) })), "does not fit"},
		{"empty fragment", makeURPart("bytes", 1, 9, mod(func(p *fountainPart) { p.data = nil })), "empty fragment"},
		{"empty message", makeURPart("bytes", 1, 9, mod(func(p *fountainPart) { p.messageLen = 0 })), "empty message"},
		{"not a part", "ur:bytes/1-9/" + EncodeBytewords([]byte{0x43, 1, 2, 3}), "five-element"},
		{"overlong seqNum", "ur:bytes/1-9/" + EncodeBytewords(append([]byte{0x85, 0x18, 0x01}, good.cbor()[2:]...)), "overlong"},
		{"trailing", "ur:bytes/1-9/" + EncodeBytewords(append(good.cbor(), 0)), "trailing"},
		{"indefinite data", "ur:bytes/1-9/" + EncodeBytewords([]byte{0x85, 1, 9, 0x19, 1, 3, 1, 0x5f, 0x41, 0, 0xff}), "indefinite"},
		{"single bad crc", "ur:bytes/" + body[:len(body)-2] + "ae", "checksum"},
	}
	for _, c := range bad {
		d := NewDecoder()
		err := d.Receive(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want %q", c.name, err, c.want)
		}
		if d.Complete() || d.started() {
			t.Errorf("%s: decoder changed state on a bad part", c.name)
		}
	}
}

func TestCBORStrict(t *testing.T) {
	for _, c := range []struct{ hex, want string }{
		{"", "truncated"},
		{"45010203", "truncated"},
		{"5803010203", "overlong"},
		{"590003010203", "overlong"},
		{"5f41004101ff", "indefinite"},
		{"5c", "reserved"},
		{"4301020300", "trailing"},
		{"d90136430102", "major type 6"},
		{"6161", "major type 3"},
		{"5b0000000100000000", "truncated"},
	} {
		_, err := DecodeCBORBytes(unhex(t, c.hex))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeCBORBytes(%s) = %v, want %q", c.hex, err, c.want)
		}
	}
	for _, n := range []int{0, 1, 23, 24, 255, 256, 65535, 65536} {
		data := bytes.Repeat([]byte{7}, n)
		got, err := DecodeCBORBytes(EncodeCBORBytes(data))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("round trip %d bytes: %v", n, err)
		}
	}
	if h := hex.EncodeToString(EncodeCBORBytes(make([]byte, 256))[:3]); h != "590100" {
		t.Errorf("head of 256-byte string = %s", h)
	}
}

func TestDecoderMessageChanged(t *testing.T) {
	a, _ := NewEncoder("bytes", EncodeCBORBytes(wolf(500)), 50)
	b, _ := NewEncoder("bytes", EncodeCBORBytes(wolf(400)), 50)
	d := NewDecoder()
	for i := uint32(1); i <= 3; i++ {
		if err := d.Receive(a.Part(i)); err != nil {
			t.Fatal(err)
		}
	}
	err := d.Receive(b.Part(5))
	if !errors.Is(err, ErrMessageChanged) || !strings.Contains(err.Error(), "parts, expected") {
		t.Fatalf("other message: %v", err)
	}
	if r, n, _ := d.Progress(); r != 1 || n != b.SeqLen() {
		t.Errorf("after reset progress %d/%d, want 1/%d", r, n, b.SeqLen())
	}
	for i := uint32(1); !d.Complete(); i++ {
		if err := d.Receive(b.Part(i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, got, _ := d.Result(); !bytes.Equal(got, EncodeCBORBytes(wolf(400))) {
		t.Error("did not decode the second message")
	}
	// Same body, other type: another message.
	c, _ := NewEncoder("crypto-psbt", EncodeCBORBytes(wolf(400)), 50)
	if err := d.Receive(c.Part(1)); !errors.Is(err, ErrMessageChanged) || !strings.Contains(err.Error(), "type crypto-psbt") {
		t.Errorf("type change: %v", err)
	}
	// A single-part code in the middle of a series.
	if err := d.Receive(mustEncode(t, "bytes", EncodeCBORBytes(wolf(5)))); !errors.Is(err, ErrMessageChanged) || !d.Complete() {
		t.Errorf("single in series: %v", err)
	}
	// The same single code again is a harmless duplicate.
	if err := d.Receive(mustEncode(t, "bytes", EncodeCBORBytes(wolf(5)))); err != nil {
		t.Errorf("single duplicate: %v", err)
	}
	// After completion, parts of the same message are ignored.
	d.Reset()
	for i := uint32(1); i <= uint32(b.SeqLen()); i++ {
		_ = d.Receive(b.Part(i))
	}
	if err := d.Receive(b.Part(2)); err != nil || !d.Complete() {
		t.Errorf("part after completion: %v", err)
	}
	// Same seqLen and length, other checksum.
	m2 := EncodeCBORBytes(wolf(400))
	m2[100] ^= 1
	e2, _ := NewEncoder("bytes", m2, 50)
	if err := d.Receive(e2.Part(1)); !errors.Is(err, ErrMessageChanged) || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("checksum change: %v", err)
	}
}

func mustEncode(t *testing.T, typ string, cbor []byte) string {
	t.Helper()
	s, err := Encode(typ, cbor)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDecoderCorruptMessage(t *testing.T) {
	// Consistent headers, valid per-part bytewords CRCs, but one fragment's
	// content altered: the message CRC catches it and the decoder starts over.
	msg := EncodeCBORBytes(wolf(100))
	f := newFountainEncoder(msg, 30)
	d := NewDecoder()
	var err error
	for i := 1; i <= f.seqLen(); i++ {
		p := f.part(uint32(i))
		if i == 2 {
			p.data[0] ^= 0x80
		}
		if err = d.Receive(makeURPart("bytes", uint32(i), f.seqLen(), p)); err != nil {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "CRC32") || d.Complete() || d.started() {
		t.Fatalf("corrupt message: err %v complete %v", err, d.Complete())
	}
}

func TestEncoderErrors(t *testing.T) {
	if _, err := NewEncoder("bytes", []byte{0x40}, 9); err == nil {
		t.Error("fragment length 9 accepted")
	}
	if _, err := NewEncoder("BAD TYPE", []byte{0x40}, 100); err == nil {
		t.Error("bad type accepted")
	}
	if _, err := NewEncoder("bytes", nil, 100); err == nil {
		t.Error("empty message accepted")
	}
	if _, err := EncodePSBT([]byte("notapsbt"), TypeCryptoPSBT, 100); err == nil {
		t.Error("non-PSBT accepted")
	}
	if _, err := EncodePSBT([]byte("psbt\xff"), "bytes", 100); err == nil {
		t.Error("type bytes accepted for writing")
	}
	if _, err := DecodePSBTPayload("crypto-hdkey", EncodeCBORBytes([]byte("psbt\xff"))); err == nil {
		t.Error("crypto-hdkey accepted as PSBT")
	}
	if _, err := DecodePSBTPayload("bytes", EncodeCBORBytes([]byte("hello"))); err == nil || !strings.Contains(err.Error(), "not a PSBT") {
		t.Errorf("bytes without magic: %v", err)
	}
	// A message that would need more than MaxSeqLen parts.
	if _, err := NewEncoder("bytes", make([]byte, 2_000_000), 10); err == nil {
		t.Error("too many parts accepted")
	}
}

// fakePSBT returns n bytes starting with the PSBT magic, the rest random.
func fakePSBT(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	copy(b, psbtMagic)
	return b
}

func TestRoundTripPSBT(t *testing.T) {
	for _, size := range []int{300, 10_000, 100_000} {
		for _, typ := range []string{TypeCryptoPSBT, TypePSBT} {
			psbt := fakePSBT(size, uint64(size))
			e, err := EncodePSBT(psbt, typ, 200)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(uint64(size), 7))
			d := NewDecoder()
			frames := 0
			for seq := uint32(1); !d.Complete(); seq++ {
				if seq > uint32(10*e.SeqLen()+100) {
					t.Fatalf("%d bytes: not complete after %d frames", size, seq)
				}
				if r.IntN(10) < 3 { // drop 30%
					continue
				}
				part := e.Part(seq)
				if r.IntN(2) == 0 {
					part = strings.ToLower(part)
				}
				if err := d.Receive(part); err != nil {
					t.Fatal(err)
				}
				if r.IntN(5) == 0 { // duplicates
					if err := d.Receive(part); err != nil {
						t.Fatal(err)
					}
				}
				frames++
			}
			ut, cbor, err := d.Result()
			if err != nil || ut != typ {
				t.Fatal(ut, err)
			}
			got, err := DecodePSBTPayload(ut, cbor)
			if err != nil || !bytes.Equal(got, psbt) {
				t.Fatalf("%d bytes %s: %v", size, typ, err)
			}
			t.Logf("%d bytes %s: %d parts, %d frames received", size, typ, e.SeqLen(), frames)
		}
	}
}

func TestRoundTripShuffled(t *testing.T) {
	// Every plain part, shuffled, duplicated: always completes exactly.
	psbt := fakePSBT(10_000, 3)
	e, _ := EncodePSBT(psbt, TypeCryptoPSBT, 80)
	order := rand.New(rand.NewPCG(1, 2)).Perm(e.SeqLen())
	d := NewDecoder()
	for k, i := range order {
		if err := d.Receive(e.Part(uint32(i + 1))); err != nil {
			t.Fatal(err)
		}
		if err := d.Receive(e.Part(uint32(order[k/2] + 1))); err != nil {
			t.Fatal(err)
		}
		if r, n, f := d.Progress(); (r == n) != (k == len(order)-1) || f < 0 || f > 1 {
			t.Fatalf("progress %d/%d %.2f after %d", r, n, f, k+1)
		}
	}
	_, cbor, _ := d.Result()
	if got, _ := DecodePSBTPayload("crypto-psbt", cbor); !bytes.Equal(got, psbt) {
		t.Fatal("mismatch")
	}
}

func TestMixedPartsOnly(t *testing.T) {
	for _, size := range []int{50, 2000, 20000} {
		msg := EncodeCBORBytes(fakePSBT(size, uint64(size)))
		e, _ := NewEncoder("bytes", msg, 100)
		d := NewDecoder()
		seq := uint32(e.SeqLen())
		for !d.Complete() {
			seq++
			if seq > uint32(20*e.SeqLen()+50) {
				t.Fatalf("%d bytes: mixed parts alone did not complete", size)
			}
			if err := d.Receive(e.Part(seq)); err != nil {
				t.Fatal(err)
			}
		}
		if _, got, _ := d.Result(); !bytes.Equal(got, msg) {
			t.Fatalf("%d bytes: wrong message", size)
		}
		t.Logf("%d bytes: %d fragments, %d mixed parts", size, e.SeqLen(), int(seq)-e.SeqLen())
	}
}

func FuzzBytewords(f *testing.F) {
	for _, s := range []string{"aeadaolazmjendeoti", "AEADAOLAZMJENDEOTI", "", "wf", "aeadaolazojendeowf",
		"tantjzoeadgdstaslplabghydrpfmkbggufgludprfgmaosecffltnsoaawkbd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeBytewords(s)
		if err != nil {
			return
		}
		if got := EncodeBytewords(b); got != strings.ToLower(s) {
			t.Fatalf("re-encode %q = %q", s, got)
		}
	})
}

func FuzzURDecoder(f *testing.F) {
	v := loadVectors(f)
	parts := v["ur_part_256_30"]
	f.Add(strings.Join(parts[:9], "\n"))
	f.Add(strings.Join(parts[9:], "\n"))
	f.Add(parts[0] + "\n" + parts[12] + "\n" + parts[0])
	f.Add(v["ur_single_50"][0])
	f.Add("ur:bytes/1of2/hlwjxjx550k4nnfdl5py2tn3vnh6g60slnw5dmld6ktrkkz200as49spg5/tyq3wurnvf607q\nur:bytes/2of2/hlwjxjx550k4nnfdl5py2tn3vnh6g60slnw5dmld6ktrkkz200as49spg5/qyq3ltfgq")
	f.Add("ur:bytes/w9upurq6rpcuqu2j2sqqpqqqqqqgqqqqqzqqzqqqqq9sqqqqqqqqmkdau4")
	for _, line := range v["ur_cbor"] {
		_, u, _ := strings.Cut(line, " = ")
		f.Add(u)
	}
	f.Add("ur:bytes/1-9/" + EncodeBytewords([]byte{0x85, 1, 9, 0x19, 1, 3, 1, 0x5f, 0x41, 0, 0xff}))
	f.Fuzz(func(t *testing.T, in string) {
		d := NewDecoder()
		for _, line := range strings.Split(in, "\n") {
			_ = d.Receive(line)
			r, n, fr := d.Progress()
			if r < 0 || r > n || fr < 0 || fr > 1 {
				t.Fatalf("progress %d/%d %f", r, n, fr)
			}
		}
		if d.Complete() {
			typ, cbor, err := d.Result()
			if err != nil || !validType(typ) || len(cbor) == 0 {
				t.Fatalf("complete but Result %q %d %v", typ, len(cbor), err)
			}
		}
	})
}

// FuzzFountainDecoder gets past the per-part bytewords checksum, which random
// text almost never satisfies: the input is a series of length-prefixed raw
// part CBORs, each sent to the decoder as a well-formed UR.
func FuzzFountainDecoder(f *testing.F) {
	record := func(parts ...*fountainPart) []byte {
		var b []byte
		for _, p := range parts {
			c := p.cbor()
			b = append(b, byte(len(c)>>8), byte(len(c)))
			b = append(b, c...)
		}
		return b
	}
	e := newFountainEncoder(wolf(100), 10)
	var ps []*fountainPart
	for i := uint32(1); i <= 40; i++ {
		ps = append(ps, e.part(i))
	}
	f.Add(record(ps[:10]...))
	f.Add(record(ps[10:]...))
	f.Add(record(ps[3], ps[15], ps[3], ps[20], ps[0]))
	f.Add(record(newFountainEncoder(wolf(30), 10).part(4), ps[1]))
	f.Fuzz(func(t *testing.T, data []byte) {
		d := NewDecoder()
		for len(data) >= 2 {
			n := int(data[0])<<8 | int(data[1])
			data = data[2:]
			if n > len(data) {
				n = len(data)
			}
			raw := data[:n]
			data = data[n:]
			seq := "1-1"
			if p, err := decodeFountainPart(raw); err == nil {
				seq = fmt.Sprintf("%d-%d", p.seqNum, p.seqLen)
			}
			_ = d.Receive("ur:bytes/" + seq + "/" + EncodeBytewords(raw))
			if r, n, fr := d.Progress(); r < 0 || r > n || fr < 0 || fr > 1 {
				t.Fatalf("progress %d/%d %f", r, n, fr)
			}
		}
		if d.Complete() {
			if _, cbor, err := d.Result(); err != nil || len(cbor) == 0 {
				t.Fatalf("complete but Result %d %v", len(cbor), err)
			}
		}
	})
}

// BenchmarkFountain10kDrop20 measures how many frames a receiver needs for a
// 10 kB PSBT at the default 200-byte fragments when 20 % of the frames shown
// are lost at random: recv/seqLen is frames successfully scanned over the
// minimum ceil(size/fragment); shown/seqLen counts the dropped ones too.
func BenchmarkFountain10kDrop20(b *testing.B) {
	psbt := fakePSBT(10_000, 10)
	e, err := EncodePSBT(psbt, TypeCryptoPSBT, 200)
	if err != nil {
		b.Fatal(err)
	}
	parts := make([]string, 20*e.SeqLen())
	for i := range parts {
		parts[i] = e.Part(uint32(i + 1))
	}
	r := rand.New(rand.NewPCG(42, 42))
	var recvTotal, shownTotal int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := NewDecoder()
		shown, recv := 0, 0
		for _, p := range parts {
			shown++
			if r.IntN(5) == 0 {
				continue
			}
			recv++
			if err := d.Receive(p); err != nil {
				b.Fatal(err)
			}
			if d.Complete() {
				break
			}
		}
		if !d.Complete() {
			b.Fatal("not complete")
		}
		recvTotal += recv
		shownTotal += shown
	}
	n := float64(b.N * e.SeqLen())
	b.ReportMetric(float64(recvTotal)/n, "recv/seqLen")
	b.ReportMetric(float64(shownTotal)/n, "shown/seqLen")
	b.ReportMetric(float64(e.SeqLen()), "seqLen")
}

// BenchmarkFountain100kDrop20 is the same measurement for 100 kB (501 parts).
func BenchmarkFountain100kDrop20(b *testing.B) {
	psbt := fakePSBT(100_000, 10)
	e, _ := EncodePSBT(psbt, TypeCryptoPSBT, 200)
	r := rand.New(rand.NewPCG(42, 43))
	var recvTotal int
	for i := 0; i < b.N; i++ {
		d := NewDecoder()
		for seq := uint32(1); !d.Complete(); seq++ {
			if r.IntN(5) == 0 {
				continue
			}
			recvTotal++
			if err := d.Receive(e.Part(seq)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(recvTotal)/float64(b.N*e.SeqLen()), "recv/seqLen")
}

func BenchmarkEncode100k(b *testing.B) {
	psbt := fakePSBT(100_000, 1)
	b.SetBytes(int64(len(psbt)))
	for i := 0; i < b.N; i++ {
		e, err := EncodePSBT(psbt, TypeCryptoPSBT, 200)
		if err != nil {
			b.Fatal(err)
		}
		for s := 1; s <= e.SeqLen(); s++ {
			_ = e.Part(uint32(s))
		}
	}
}

func BenchmarkDecode100k(b *testing.B) {
	psbt := fakePSBT(100_000, 1)
	e, _ := EncodePSBT(psbt, TypeCryptoPSBT, 200)
	var parts []string
	for s := 1; s <= e.SeqLen(); s++ {
		parts = append(parts, e.Part(uint32(s)))
	}
	b.SetBytes(int64(len(psbt)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d := NewDecoder()
		for _, p := range parts {
			if err := d.Receive(p); err != nil {
				b.Fatal(err)
			}
		}
		if !d.Complete() {
			b.Fatal("incomplete")
		}
	}
}
