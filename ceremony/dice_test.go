package ceremony

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// fairRolls gives n rolls of a simulated fair die, reproducibly.
func fairRolls(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r.IntN(6) + 1)
	}
	return out
}

func typed(rolls []byte) []byte {
	var b bytes.Buffer
	for i, r := range rolls {
		if i > 0 && i%10 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('0' + r)
	}
	return b.Bytes()
}

func TestParseDice(t *testing.T) {
	good := typed(fairRolls(1, 120))
	tests := []struct {
		name  string
		in    string
		n     int
		pos   int
		error string
	}{
		{"120 rolls in groups", string(good), 120, 0, ""},
		{"separators", strings.Join(strings.Split(string(bytes.ReplaceAll(good, []byte(" "), nil)), ""), ", ") + "\r\n", 120, 0, ""},
		{"hyphens and dots", strings.Repeat("1-2.3-4 5\t6\n", 17), 102, 0, ""},
		{"empty", "", 0, 0, "0 rolls typed; at least 99"},
		{"98 rolls", strings.Repeat("123456", 16) + "12", 0, 0, "98 rolls typed"},
		{"a zero", "1234560", 0, 7, "not a face"},
		{"a seven", "12 7", 0, 4, "not a face"},
		{"a letter", "12a", 0, 3, "only the digits 1 to 6"},
		{"unicode", "12é", 0, 3, "only the digits"},
		{"too many", strings.Repeat("1", MaxDiceRolls+1), 0, 0, "more than 1000 rolls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rolls, err := ParseDice([]byte(tt.in))
			if tt.error == "" {
				if err != nil || len(rolls) != tt.n {
					t.Fatalf("got %d rolls, %v; want %d", len(rolls), err, tt.n)
				}
				for _, r := range rolls {
					if r < 1 || r > 6 {
						t.Fatalf("roll %d", r)
					}
				}
				return
			}
			var de *DiceError
			if !errors.As(err, &de) || de.Pos != tt.pos || !strings.Contains(err.Error(), tt.error) {
				t.Fatalf("got %v, want position %d and %q", err, tt.pos, tt.error)
			}
		})
	}
}

func TestCheckDice(t *testing.T) {
	rep := func(s string, n int) []byte {
		var out []byte
		for len(out) < n {
			for _, c := range s {
				out = append(out, byte(c-'0'))
			}
		}
		return out[:n]
	}
	withRun := func(k int) []byte { // fair rolls with k fours in a row in the middle
		r := fairRolls(3, 150)
		for i := 60; i < 60+k; i++ {
			r[i] = 4
		}
		r[59], r[60+k] = 1, 2
		return r
	}
	tests := []struct {
		name  string
		rolls []byte
		error string
	}{
		{"fair 99", fairRolls(2, 99), ""},
		{"fair 1000", fairRolls(2, 1000), ""},
		{"run of 12 is fine", withRun(12), ""},
		{"too few", fairRolls(2, 98), "98 rolls"},
		{"all the same face", rep("6", 99), "all 99 rolls show the same face"},
		{"only 1-5", rep("12345", 100), "1 of the six faces never show"},
		{"two faces", rep("1212112", 120), "4 of the six faces never show"},
		{"counting up", rep("123456", 120), "pattern"},
		{"counting down", rep("654321", 300), "pattern"},
		{"pairs", rep("112233445566", 120), "pattern"},
		{"uneven", func() []byte { // every third roll a one: 44% ones
			r := fairRolls(4, 150)
			for i := 0; i < len(r); i += 3 {
				r[i] = 1
			}
			return r
		}(), "far too uneven"},
		{"blocks of equal faces", append(append(append(rep("1", 20), rep("2", 20)...), append(rep("3", 20), rep("4", 20)...)...), append(rep("5", 20), rep("6", 20)...)...), "pattern"},
		{"run of 13", withRun(13), "shows 13 times in a row"},
		{"not a face", append(fairRolls(2, 99), 7), "roll 100 is not a face"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckDice(tt.rolls)
			if tt.error == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.error) {
				t.Fatalf("got %v, want %q", err, tt.error)
			}
		})
	}
}

// TestFairDiceAccepted throws 20000 simulated fair sequences of 99 to 300
// rolls; with a false-refusal chance under 1e-6 none may be refused (the
// seeds are fixed, so this is reproducible, not flaky).
func TestFairDiceAccepted(t *testing.T) {
	for seed := uint64(0); seed < 20000; seed++ {
		n := 99 + int(seed%202)
		if err := CheckDice(fairRolls(seed, n)); err != nil {
			t.Fatalf("seed %d, %d rolls: %v", seed, n, err)
		}
	}
}

// TestDiceFalseRefusalExact computes, by summing over every possible set of
// face counts of 99 rolls (C(104,5) ≈ 92 million), the exact probability that
// fair dice fail the chi-square test, to back the figure in the constants.
func TestDiceFalseRefusalExact(t *testing.T) {
	if testing.Short() {
		t.Skip("sums 92 million terms")
	}
	const n = 99
	var lf [n + 1]float64
	for i := 1; i <= n; i++ {
		lf[i] = lf[i-1] + math.Log(float64(i))
	}
	base := lf[n] - n*math.Log(6)
	e := float64(n) / 6
	sq := func(c int) float64 { d := float64(c) - e; return d * d / e }
	var pFail float64
	for a := 0; a <= n; a++ {
		for b := 0; a+b <= n; b++ {
			for c := 0; a+b+c <= n; c++ {
				for d := 0; a+b+c+d <= n; d++ {
					x4 := sq(a) + sq(b) + sq(c) + sq(d)
					l4 := base - lf[a] - lf[b] - lf[c] - lf[d]
					r := n - a - b - c - d
					for f := 0; f <= r; f++ {
						if x4+sq(f)+sq(r-f) > diceChiSquareLimit {
							pFail += math.Exp(l4 - lf[f] - lf[r-f])
						}
					}
				}
			}
		}
	}
	t.Logf("exact P(chi-square > %v) for 99 fair rolls = %.3g", diceChiSquareLimit, pFail)
	if pFail > 1e-7 || pFail < 1e-9 {
		t.Fatalf("false refusal probability %.3g outside the documented range", pFail)
	}
}

func TestMixEntropy(t *testing.T) {
	rolls := fairRolls(5, 100)
	osr := bytes.Repeat([]byte{0xAB}, 32)
	e, err := MixEntropy(rolls, bytes.NewReader(osr), 32)
	if err != nil {
		t.Fatal(err)
	}
	// The documented construction, spelled out independently.
	var in []byte
	in = append(in, "airsign dice entropy v1"...)
	for _, r := range rolls {
		in = append(in, '0'+r)
	}
	in = append(in, osr...)
	want := sha256.Sum256(in)
	if !bytes.Equal(e, want[:]) {
		t.Fatalf("entropy %x, want %x", e, want)
	}
	e16, err := MixEntropy(rolls, bytes.NewReader(osr), 16)
	if err != nil || !bytes.Equal(e16, want[:16]) {
		t.Fatalf("16-byte entropy %x, %v", e16, err)
	}
	// Different OS randomness, different key: dice alone do not decide it.
	e2, _ := MixEntropy(rolls, bytes.NewReader(bytes.Repeat([]byte{0xAC}, 32)), 32)
	if bytes.Equal(e, e2) {
		t.Fatal("OS randomness not mixed in")
	}
	if _, err := MixEntropy(rolls, bytes.NewReader(osr[:31]), 32); err == nil {
		t.Error("short OS randomness accepted")
	}
	if _, err := MixEntropy(rolls, bytes.NewReader(osr), 24); err == nil {
		t.Error("24-byte entropy accepted")
	}
	if _, err := MixEntropy(bytes.Repeat([]byte{3}, 100), bytes.NewReader(osr), 32); err == nil {
		t.Error("bad dice mixed")
	}
	got, n, err := DiceEntropy(typed(rolls), bytes.NewReader(osr), 32)
	if err != nil || n != 100 || !bytes.Equal(got, want[:]) {
		t.Fatalf("DiceEntropy = %x, %d, %v", got, n, err)
	}
}

func FuzzDice(f *testing.F) {
	f.Add(typed(fairRolls(9, 99)))
	f.Add([]byte(strings.Repeat("123456", 20)))
	f.Add([]byte("1 2 3 x"))
	f.Add([]byte(strings.Repeat("6", 120)))
	f.Fuzz(func(t *testing.T, text []byte) {
		rolls, err := ParseDice(text)
		if err != nil {
			if rolls != nil {
				t.Fatal("rolls returned with an error")
			}
			if strings.ContainsAny(err.Error(), "\n") {
				t.Fatal("multi-line error")
			}
			return
		}
		if len(rolls) < MinDiceRolls || len(rolls) > MaxDiceRolls {
			t.Fatalf("%d rolls accepted", len(rolls))
		}
		digits := 0
		for _, c := range text {
			if '1' <= c && c <= '6' {
				digits++
			}
		}
		if digits != len(rolls) {
			t.Fatalf("%d digits, %d rolls", digits, len(rolls))
		}
		if err := CheckDice(rolls); err == nil {
			if _, err := MixEntropy(rolls, bytes.NewReader(make([]byte, 32)), 32); err != nil {
				t.Fatal(err)
			}
		}
	})
}
