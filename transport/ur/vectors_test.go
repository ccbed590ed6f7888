package ur

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// loadVectors reads testdata/vectors.txt: "name: value" lines, in order.
func loadVectors(t testing.TB) map[string][]string {
	t.Helper()
	f, err := os.Open("testdata/vectors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			t.Fatalf("bad vector line %q", line)
		}
		out[k] = append(out[k], v)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func ints(t testing.TB, s string) []int {
	t.Helper()
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatalf("bad int list %q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wolf(n int) []byte { return newXoshiro256([]byte("Wolf")).nextData(n) }

func one(t *testing.T, v map[string][]string, k string) string {
	t.Helper()
	if len(v[k]) != 1 {
		t.Fatalf("vector %s: %d entries", k, len(v[k]))
	}
	return v[k][0]
}

func TestRNGVectors(t *testing.T) {
	v := loadVectors(t)
	r := newXoshiro256([]byte("Wolf"))
	var got []int
	for range 100 {
		got = append(got, int(r.next()%100))
	}
	if want := ints(t, one(t, v, "rng1")); !slices.Equal(got, want) {
		t.Errorf("rng1 = %v, want %v", got, want)
	}
	var seed [4]byte
	c := crc32.ChecksumIEEE([]byte("Wolf"))
	seed[0], seed[1], seed[2], seed[3] = byte(c>>24), byte(c>>16), byte(c>>8), byte(c)
	r = newXoshiro256(seed[:])
	got = got[:0]
	for range 100 {
		got = append(got, int(r.next()%100))
	}
	if want := ints(t, one(t, v, "rng2")); !slices.Equal(got, want) {
		t.Errorf("rng2 = %v, want %v", got, want)
	}
	r = newXoshiro256([]byte("Wolf"))
	got = got[:0]
	for range 100 {
		got = append(got, int(r.nextInt(1, 10)))
	}
	if want := ints(t, one(t, v, "rng3")); !slices.Equal(got, want) {
		t.Errorf("rng3 = %v, want %v", got, want)
	}
	// testXOR of bcr-2024-001.
	r = newXoshiro256([]byte("Wolf"))
	d1, d2 := r.nextData(10), r.nextData(10)
	if hex.EncodeToString(d1) != "916ec65cf77cadf55cd7" || hex.EncodeToString(d2) != "f9cda1a1030026ddd42e" {
		t.Errorf("nextData = %x %x", d1, d2)
	}
	xorInto(d1, d2)
	if hex.EncodeToString(d1) != "68a367fdf47c8b2888f9" {
		t.Errorf("xor = %x", d1)
	}
}

func TestSamplerVector(t *testing.T) {
	v := loadVectors(t)
	s := newAliasSampler([]float64{1, 2, 4, 8})
	r := newXoshiro256([]byte("Wolf"))
	var got []int
	for range 500 {
		got = append(got, s.next(r.nextDouble))
	}
	if want := ints(t, one(t, v, "sampler_1_2_4_8")); !slices.Equal(got, want) {
		t.Errorf("sampler = %v, want %v", got, want)
	}
}

// fullShuffle is bc-ur's shuffled(): all items, through shuffledPrefix.
func TestShuffleVector(t *testing.T) {
	v := loadVectors(t)
	r := newXoshiro256([]byte("Wolf"))
	for i, row := range v["shuffle"] {
		idx := shuffledPrefix(10, 10, r)
		got := make([]int, len(idx))
		for j, x := range idx {
			got[j] = x + 1 // the vector shuffles the values 1..10
		}
		if want := ints(t, row); !slices.Equal(got, want) {
			t.Errorf("shuffle %d = %v, want %v", i, got, want)
		}
	}
	if len(v["shuffle"]) != 10 {
		t.Fatalf("%d shuffle vectors", len(v["shuffle"]))
	}
	// bcr-2024-001 testShuffle: a fresh generator, prefix of each length.
	for count := 1; count <= 10; count++ {
		idx := shuffledPrefix(10, count, newXoshiro256([]byte("Wolf")))
		want := []int{5, 3, 8, 2, 9, 4, 6, 7, 0, 1}[:count]
		if !slices.Equal(idx, want) {
			t.Errorf("prefix %d = %v, want %v", count, idx, want)
		}
	}
}

func TestFragmentLengthAndPartition(t *testing.T) {
	for _, c := range []struct{ len, min, max, want int }{
		{12345, 1005, 1955, 1764},
		{12345, 1005, 30000, 12345},
		{1024, 10, 100, 94},
		{258, 10, 30, 29},
		{5, 10, 200, 5}, // shorter than the minimum: one fragment
	} {
		if got := findNominalFragmentLength(c.len, c.min, c.max); got != c.want {
			t.Errorf("findNominalFragmentLength(%d,%d,%d) = %d, want %d", c.len, c.min, c.max, got, c.want)
		}
		// Same as the reference's linear search.
		ref := 0
		for count := 1; count <= max(c.len/c.min, 1); count++ {
			ref = (c.len + count - 1) / count
			if ref <= c.max {
				break
			}
		}
		if ref != c.want {
			t.Errorf("reference search gives %d for %v", ref, c)
		}
	}
	v := loadVectors(t)
	msg := wolf(1024)
	frags := partitionMessage(msg, findNominalFragmentLength(len(msg), 10, 100))
	want := v["partition_1024_100"]
	if len(frags) != len(want) {
		t.Fatalf("%d fragments, want %d", len(frags), len(want))
	}
	for i := range frags {
		if hex.EncodeToString(frags[i]) != want[i] {
			t.Errorf("fragment %d = %x, want %s", i, frags[i], want[i])
		}
	}
}

func TestDegreeVectors(t *testing.T) {
	v := loadVectors(t)
	// bc-ur test_choose_degree: 11 fragments, rng seeded "Wolf-<nonce>".
	w := make([]float64, 11)
	for i := range w {
		w[i] = 1 / float64(i+1)
	}
	s := newAliasSampler(w)
	var got []int
	for nonce := 1; nonce <= 200; nonce++ {
		r := newXoshiro256([]byte(fmt.Sprintf("Wolf-%d", nonce)))
		got = append(got, s.next(r.nextDouble)+1)
	}
	if want := ints(t, one(t, v, "degrees_nonce")); !slices.Equal(got, want) {
		t.Errorf("degrees = %v, want %v", got, want)
	}
	// bcr-2024-001 testDegreeChooser: one generator "Wolf", 1000 draws.
	r := newXoshiro256([]byte("Wolf"))
	got = got[:0]
	for range 1000 {
		got = append(got, s.next(r.nextDouble)+1)
	}
	if want := ints(t, one(t, v, "degrees_wolf_1000")); !slices.Equal(got, want) {
		t.Errorf("degrees (1000) differ from the vector")
	}
}

func TestChooseFragmentsVectors(t *testing.T) {
	v := loadVectors(t)
	msg := wolf(1024)
	fl := findNominalFragmentLength(len(msg), 10, 100)
	c := newFragmentChooser(len(partitionMessage(msg, fl)), crc32.ChecksumIEEE(msg))
	for _, name := range []string{"choose_fragments_1024", "choose_fragments_1024_mur"} {
		rows := v[name]
		if len(rows) < 30 {
			t.Fatalf("%s: %d rows", name, len(rows))
		}
		for i, row := range rows {
			if got, want := c.choose(uint32(i+1)), ints(t, row); !slices.Equal(got, want) {
				t.Errorf("%s seqNum %d = %v, want %v", name, i+1, got, want)
			}
		}
	}
}

func TestCRC32Vectors(t *testing.T) {
	v := loadVectors(t)
	for _, c := range []struct {
		in   []byte
		want uint32
	}{
		{[]byte("Hello, world!"), 0xebe6c6e6},
		{[]byte("Wolf"), 0x598c84dc},
	} {
		if got := crc32.ChecksumIEEE(c.in); got != c.want {
			t.Errorf("crc32(%q) = %08x, want %08x", c.in, got, c.want)
		}
	}
	in, want, _ := strings.Cut(one(t, v, "crc32_hex"), " = ")
	if got := fmt.Sprintf("%08x", crc32.ChecksumIEEE(unhex(t, in))); got != want {
		t.Errorf("crc32 of long vector = %s, want %s", got, want)
	}
}

func TestBytewordsVectors(t *testing.T) {
	v := loadVectors(t)
	cases := []struct {
		in   []byte
		want string
	}{
		{[]byte{0, 1, 2, 128, 255}, "aeadaolazmjendeoti"},
	}
	var in2 []byte
	for _, x := range ints(t, one(t, v, "bytewords_input_2")) {
		in2 = append(in2, byte(x))
	}
	cases = append(cases, struct {
		in   []byte
		want string
	}{in2, one(t, v, "bytewords_minimal_2")})
	h, w, _ := strings.Cut(one(t, v, "bytewords_example"), " = ")
	cases = append(cases, struct {
		in   []byte
		want string
	}{unhex(t, h), w})
	for _, c := range cases {
		if got := EncodeBytewords(c.in); got != c.want {
			t.Errorf("EncodeBytewords(%x) = %s, want %s", c.in, got, c.want)
		}
		for _, s := range []string{c.want, strings.ToUpper(c.want)} {
			got, err := DecodeBytewords(s)
			if err != nil || !bytes.Equal(got, c.in) {
				t.Errorf("DecodeBytewords(%s) = %x, %v", s, got, err)
			}
		}
	}
}

func TestBytewordsBad(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"aeadaolazojendeowf", "checksum"}, // bc-ur: bad checksum
		{"", "too short"},
		{"wf", "too short"},
		{"aeadaolazmjendeot", "odd length"},
		{"aeadaolazmjendeotx", "not a byteword"},
		{"aeadaolazmjende0i", "odd length"},
		{"aeadaolazmjende0it", "not a letter"},
		{"aeadaolazmjende-ti", "not a letter"},
		{"aeadaolazmjendeoti ", "odd length"},
		{"aeadaolazmjendeota", "checksum"},
	} {
		_, err := DecodeBytewords(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeBytewords(%q) error = %v, want %q", c.in, err, c.want)
		}
	}
}

func TestFountainEncoderVectors(t *testing.T) {
	v := loadVectors(t)
	e := newFountainEncoder(wolf(256), 30)
	descs, cbors := v["fountain_part_256_30"], v["fountain_cbor_256_30"]
	if len(descs) != 20 || len(cbors) != 20 {
		t.Fatalf("vectors: %d, %d", len(descs), len(cbors))
	}
	for i := range 20 {
		p := e.nextPart()
		desc := fmt.Sprintf("seqNum:%d, seqLen:%d, messageLen:%d, checksum:%d, data:%x", p.seqNum, p.seqLen, p.messageLen, p.checksum, p.data)
		if desc != descs[i] {
			t.Errorf("part %d = %s, want %s", i+1, desc, descs[i])
		}
		if got := hex.EncodeToString(p.cbor()); got != cbors[i] {
			t.Errorf("part %d cbor = %s, want %s", i+1, got, cbors[i])
		}
		q, err := decodeFountainPart(p.cbor())
		if err != nil || !bytes.Equal(q.cbor(), p.cbor()) {
			t.Errorf("part %d does not round-trip: %v", i+1, err)
		}
	}
}

func TestPartCBORVector(t *testing.T) {
	p := &fountainPart{seqNum: 12, seqLen: 8, messageLen: 100, checksum: 0x12345678, data: []byte{1, 5, 3, 3, 5}}
	const want = "850c0818641a12345678450105030305"
	if got := hex.EncodeToString(p.cbor()); got != want {
		t.Fatalf("cbor = %s, want %s", got, want)
	}
	q, err := decodeFountainPart(unhex(t, want))
	if err != nil {
		t.Fatal(err)
	}
	if q.seqNum != 12 || q.seqLen != 8 || q.messageLen != 100 || q.checksum != 0x12345678 || !bytes.Equal(q.data, p.data) {
		t.Fatalf("decoded %+v", q)
	}
}

func TestUREncoderVectors(t *testing.T) {
	v := loadVectors(t)
	want := v["ur_part_256_30"]
	e, err := NewEncoder("bytes", EncodeCBORBytes(wolf(256)), 30)
	if err != nil {
		t.Fatal(err)
	}
	if e.SeqLen() != 9 || e.FragmentLen() != 29 {
		t.Fatalf("SeqLen %d FragmentLen %d", e.SeqLen(), e.FragmentLen())
	}
	for i := range 20 {
		got := e.NextPart()
		if got != strings.ToUpper(got) {
			t.Errorf("part %d not uppercase", i+1)
		}
		if strings.ToLower(got) != want[i] {
			t.Errorf("part %d = %s, want %s", i+1, got, want[i])
		}
		if p := e.Part(uint32(i + 1)); p != got {
			t.Errorf("Part(%d) != NextPart", i+1)
		}
	}
	single, err := Encode("bytes", EncodeCBORBytes(wolf(50)))
	if err != nil || strings.ToLower(single) != one(t, v, "ur_single_50") {
		t.Errorf("single = %s, %v", single, err)
	}
}

func TestURCBORVectors(t *testing.T) {
	v := loadVectors(t)
	for _, line := range v["ur_cbor"] {
		lhs, want, _ := strings.Cut(line, " = ")
		typ, h, _ := strings.Cut(lhs, " ")
		got, err := Encode(typ, unhex(t, h))
		if err != nil || strings.ToLower(got) != want {
			t.Errorf("Encode(%s, %s) = %s, %v; want %s", typ, h, got, err, want)
		}
		d := NewDecoder()
		if err := d.Receive(want); err != nil {
			t.Fatalf("Receive(%s): %v", want, err)
		}
		gt, gc, err := d.Result()
		if err != nil || gt != typ || hex.EncodeToString(gc) != h {
			t.Errorf("decode %s = %s %x %v", want, gt, gc, err)
		}
	}
}

func TestURDecoderVectors(t *testing.T) {
	v := loadVectors(t)
	parts := v["ur_part_256_30"]
	want := EncodeCBORBytes(wolf(256))
	// Plain parts in reverse, then only mixed ones with gaps: both complete.
	for name, order := range map[string][]int{
		"reverse":        {8, 7, 6, 5, 4, 3, 2, 1, 0},
		"mixed-and-gaps": {9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0, 1, 2, 3, 4, 5, 6, 7, 8},
		"dups":           {0, 0, 1, 1, 0, 2, 3, 3, 4, 5, 6, 7, 8},
	} {
		d := NewDecoder()
		for _, i := range order {
			if err := d.Receive(parts[i]); err != nil {
				t.Fatalf("%s: part %d: %v", name, i+1, err)
			}
			if d.Complete() {
				break
			}
		}
		typ, cbor, err := d.Result()
		if err != nil || typ != "bytes" || !bytes.Equal(cbor, want) {
			t.Errorf("%s: result %s %v", name, typ, err)
		}
	}
}
