package shamir

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// seeded returns a deterministic randomness source for tests.
func seeded(s string) *rand.ChaCha8 {
	var seed [32]byte
	copy(seed[:], s)
	return rand.NewChaCha8(seed)
}

var testFP = Fingerprint{0x73, 0xc5, 0xda, 0x0a}

func mustSplit(t testing.TB, secretLen, threshold, count int, seed string) (secret []byte, shares []Share) {
	t.Helper()
	r := seeded(seed)
	secret = make([]byte, secretLen)
	r.Read(secret)
	shares, err := Split(secret, testFP, threshold, count, r)
	if err != nil {
		t.Fatal(err)
	}
	return secret, shares
}

func text(t testing.TB, s Share) string {
	t.Helper()
	b, err := s.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// encodeRaw writes any bytes as share text with a valid checksum, bypassing
// Validate, to build texts that only the field checks can reject.
func encodeRaw(b []byte) string {
	var sb strings.Builder
	sb.WriteString(Prefix)
	for i, v := range appendChecksum(toWords(b)) {
		if (len(Prefix)+i)%BlockSize == 0 {
			sb.WriteByte(' ')
		}
		sb.WriteByte(charset[v])
	}
	return sb.String()
}

// change replaces the character at position i (ignoring spaces) of a
// grouped text.
func change(text string, i int, c byte) string {
	b := []byte(text)
	for k := range b {
		if b[k] == ' ' {
			continue
		}
		if i == 0 {
			b[k] = c
			return string(b)
		}
		i--
	}
	panic("position out of range")
}

// other returns an alphabet character different from c.
func other(c byte, k int) byte {
	i := strings.IndexByte(charset, c)
	return charset[(i+1+k%31)%32]
}

func TestTextLengths(t *testing.T) {
	want := map[int]int{16: 62, 20: 68, 24: 74, 28: 81, 32: 87}
	for n, total := range want {
		_, shares := mustSplit(t, n, 2, 3, "lengths")
		txt := text(t, shares[0])
		compact := strings.ReplaceAll(txt, " ", "")
		if len(compact) != total {
			t.Errorf("%d-byte secret: %d characters, want %d", n, len(compact), total)
		}
		for i, blk := range strings.Split(txt, " ") {
			if len(blk) != BlockSize && i != len(strings.Split(txt, " "))-1 {
				t.Errorf("block %d is %q", i+1, blk)
			}
		}
		if !strings.HasPrefix(txt, "ash1 ") || txt != strings.ToLower(txt) {
			t.Errorf("text form %q", txt)
		}
	}
}

func TestParseRoundTripAndGrouping(t *testing.T) {
	_, shares := mustSplit(t, 32, 3, 5, "roundtrip")
	s := shares[2]
	txt := text(t, s)
	compact, err := s.MarshalCompact()
	if err != nil {
		t.Fatal(err)
	}
	if string(compact) != strings.ToUpper(strings.ReplaceAll(txt, " ", "")) {
		t.Fatalf("compact %s", compact)
	}
	nospace := strings.ReplaceAll(txt, " ", "")
	variants := []string{
		txt,
		string(compact),
		strings.ReplaceAll(txt, " ", "-"),
		strings.ReplaceAll(txt, " ", "\n"),
		"  " + strings.ReplaceAll(txt, " ", " - ") + "\r\n",
		nospace[:10] + " " + nospace[10:33] + "\t" + strings.ToUpper(nospace[33:]),
	}
	for _, v := range variants {
		got, err := ParseShare([]byte(v), "share 3")
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if got.Index != 3 || got.Threshold != 3 || got.Count != 5 || got.SetID != s.SetID ||
			got.Fingerprint != testFP || got.Version != Version || !bytes.Equal(got.Payload, s.Payload) || got.Label != "share 3" {
			t.Fatalf("%q parsed as %v", v, got)
		}
	}
	var u Share
	if err := u.UnmarshalText([]byte(txt)); err != nil || !bytes.Equal(u.Payload, s.Payload) {
		t.Fatalf("UnmarshalText: %v", err)
	}
}

// TestParseShareErrors: every way a typed share can be wrong, with the
// exact message the user sees.
func TestParseShareErrors(t *testing.T) {
	_, shares := mustSplit(t, 32, 3, 5, "parse errors")
	good := text(t, shares[2])
	raw := shares[2].bytes()
	withByte := func(off int, v byte) string {
		b := slices.Clone(raw)
		b[off] = v
		return encodeRaw(b)
	}
	compact := strings.ReplaceAll(good, " ", "")
	// change(good, p, …) changes compact position p, which is in block p/4+1.
	typo := change(good, 25, other(compact[25], 0))
	blocks := strings.Split(good, " ")
	dropped := strings.Join(append(slices.Clone(blocks[:6]), blocks[6][1:]), " ") + " " + strings.Join(blocks[7:], " ")
	doubled := strings.Join(append(slices.Clone(blocks[:9]), blocks[9][:1]+blocks[9]), " ") + " " + strings.Join(blocks[10:], " ")

	tests := []struct {
		name   string
		text   string
		err    error
		blocks []int
		msg    string
	}{
		{"empty", "  - ", ErrLength, nil, "share 3 is empty"},
		{"other prefix", "bc1" + good[4:], ErrPrefix, []int{1}, `share 3, block 1 should read "ash1": this is not an airsign share, or its start is mistyped`},
		{"prefix typo", "asx1" + good[4:], ErrPrefix, []int{1}, `share 3, block 1 should read "ash1": this is not an airsign share, or its start is mistyped`},
		{"letter o", change(good, 4+9, 'o'), ErrCharacter, []int{4}, "share 3, block 4: a character that never appears in shares (after ash1 there is no b, i, o or 1: o is probably 0, i and 1 probably l, b probably 8)"},
		{"two bad characters", change(change(good, 4, 'b'), 40, '1'), ErrCharacter, []int{2, 11}, "share 3, blocks 2 and 11: a character that never appears in shares (after ash1 there is no b, i, o or 1: o is probably 0, i and 1 probably l, b probably 8)"},
		{"non-ASCII", good[:37] + "é" + good[38:], ErrCharacter, []int{8}, ""},
		{"typo", typo, ErrChecksum, []int{7}, "share 3, block 7 looks mistyped"},
		{"two typos", change(change(good, 5, other(compact[5], 3)), 70, other(compact[70], 1)), ErrChecksum, []int{2, 18}, "share 3, blocks 2 and 18 look mistyped"},
		{"many typos", change(change(change(change(good, 8, other(compact[8], 0)), 30, other(compact[30], 4)), 44, other(compact[44], 9)), 61, other(compact[61], 2)), ErrChecksum, nil,
			"share 3 does not match its checksum: several characters look mistyped; compare every block with the card"},
		{"character dropped", dropped, ErrLength, []int{7}, "share 3 has one character too few: block 7 looks wrong"},
		{"character doubled", doubled, ErrLength, []int{10}, "share 3 has one character too many: block 10 looks wrong"},
		{"half a share", good[:40], ErrLength, nil, "share 3 has 32 characters; a share has 62, 68, 74, 81 or 87 (count the blocks against the card)"},
		{"version 2", withByte(0, 2), ErrVersion, nil, "share 3 uses share format version 2; this airsign reads version 1 (use the airsign that wrote it, or a newer one)"},
		{"index 0", withByte(11, 0), ErrIndexZero, nil, "share 3 has index 0, which no share can have (indexes run 1..5)"},
		{"index above count", withByte(11, 6), ErrField, nil, "share 3 has index 6, outside 1..5"},
		{"threshold 1", withByte(5, 1), ErrField, nil, "share 3 says threshold 1; it must be 2..16"},
		{"threshold above count", withByte(5, 6), ErrField, nil, "share 3 says 6 of 5 shares; the count must be 6..16"},
		{"count 17", withByte(6, 17), ErrField, nil, "share 3 says 3 of 17 shares; the count must be 3..16"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseShare([]byte(tc.text), "share 3")
			if !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
			var se *ShareError
			if !errors.As(err, &se) || se.Label != "share 3" || !slices.Equal(se.Blocks, tc.blocks) {
				t.Fatalf("error %#v, want blocks %v", err, tc.blocks)
			}
			if tc.msg != "" && err.Error() != tc.msg {
				t.Fatalf("message\n got %q\nwant %q", err.Error(), tc.msg)
			}
			assertNoShareText(t, err.Error(), good)
		})
	}
}

// TestParsePadding: a text with a valid checksum but non-zero padding bits
// (never written by airsign) is refused.
func TestParsePadding(t *testing.T) {
	_, shares := mustSplit(t, 16, 2, 3, "padding")
	w := toWords(shares[0].bytes()) // 32 bytes = 256 bits in 52 words: 4 padding bits
	w[len(w)-1] |= 1
	w = appendChecksum(w)
	txt := Prefix
	for _, v := range w {
		txt += string(charset[v])
	}
	_, err := ParseShare([]byte(txt), "")
	if !errors.Is(err, ErrPadding) || err.Error() != "share has a valid checksum but non-zero padding bits: it was not written by airsign" {
		t.Fatalf("got %v", err)
	}
}

// assertNoShareText fails if msg contains any 4-character run of the share
// text after the prefix (errors must never carry share material).
func assertNoShareText(t *testing.T, msg, share string) {
	t.Helper()
	compact := strings.ReplaceAll(share, " ", "")[len(Prefix):]
	for i := 0; i+4 <= len(compact); i++ {
		if strings.Contains(strings.ToLower(msg), compact[i:i+4]) {
			t.Fatalf("error message %q contains share text %q", msg, compact[i:i+4])
		}
	}
}

// TestEverySingleChangeDetected: the property the format promises. For a
// share of every secret size, every character replaced by every other
// alphabet character is refused, and the error names exactly its block.
func TestEverySingleChangeDetected(t *testing.T) {
	for _, n := range []int{16, 20, 24, 28, 32} {
		_, shares := mustSplit(t, n, 3, 5, fmt.Sprint("single ", n))
		good := strings.ReplaceAll(text(t, shares[4]), " ", "")
		checked := 0
		for i := len(Prefix); i < len(good); i++ {
			for _, c := range []byte(charset) {
				if c == good[i] {
					continue
				}
				bad := good[:i] + string(c) + good[i+1:]
				_, err := ParseShare([]byte(bad), "share 5")
				var se *ShareError
				if !errors.Is(err, ErrChecksum) || !errors.As(err, &se) || !slices.Equal(se.Blocks, []int{i/BlockSize + 1}) {
					t.Fatalf("%d bytes, position %d → %c: %v", n, i, c, err)
				}
				want := fmt.Sprintf("share 5, block %d looks mistyped", i/BlockSize+1)
				if err.Error() != want {
					t.Fatalf("got %q, want %q", err, want)
				}
				checked++
			}
		}
		if want := 31 * (len(good) - len(Prefix)); checked != want {
			t.Fatalf("checked %d changes, want %d", checked, want)
		}
	}
}

// TestMultiCharacterErrorsDetected: a random sample of changes of 2, 3 and
// 4 characters (TestChecksumDistance proves all of them) and of 5 to 8
// characters (detected with probability 1 - 2^-30) is never accepted.
func TestMultiCharacterErrorsDetected(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	_, shares := mustSplit(t, 32, 3, 5, "multi")
	good := []byte(strings.ReplaceAll(text(t, shares[0]), " ", ""))
	trials := 10000
	if testing.Short() {
		trials = 2000
	}
	for trial := 0; trial < trials; trial++ {
		k := 2 + trial%7
		bad := slices.Clone(good)
		for _, p := range r.Perm(len(good) - len(Prefix))[:k] {
			bad[len(Prefix)+p] = other(bad[len(Prefix)+p], r.IntN(31))
		}
		if s, err := ParseShare(bad, ""); err == nil {
			t.Fatalf("%d changes accepted: %v", k, s)
		}
	}
}

// TestFormatRedacts: no fmt verb prints the payload.
func TestFormatRedacts(t *testing.T) {
	_, shares := mustSplit(t, 16, 2, 3, "redact")
	s := shares[1]
	want := fmt.Sprintf("share 2 of 3 (set %s, threshold 2, master 73c5da0a)", s.SetID)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		got := fmt.Sprintf(verb, s)
		if got != want {
			t.Errorf("%s: %q", verb, got)
		}
		got = fmt.Sprintf(verb, []Share{s})
		if !strings.Contains(got, want) || strings.Contains(strings.ToLower(got), fmt.Sprintf("%x", s.Payload[:3])) {
			t.Errorf("%s of a slice: %q", verb, got)
		}
	}
	assertNoShareText(t, fmt.Sprintf("%v %+v", s, &s), text(t, s))
}
