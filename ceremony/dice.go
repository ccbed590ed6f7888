package ceremony

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Dice rules. A d6 roll carries log2(6) ≈ 2.585 bits, so 99 rolls carry 255.9
// bits: enough for a 256-bit key even if the OS randomness were worthless.
const (
	// MinDiceRolls is the fewest rolls accepted.
	MinDiceRolls = 99
	// MaxDiceRolls bounds the input; more rolls add nothing.
	MaxDiceRolls = 1000
	// diceChiSquareLimit refuses rolls whose face counts, or whose
	// differences between consecutive rolls (mod 6), are this far from
	// uniform (Pearson's chi-square, 5 degrees of freedom). For fair dice the
	// chance of exceeding 44 is 7.5e-8 per test with 99 rolls (exact, computed
	// in TestDiceFalseRefusalExact) and falls towards the asymptotic 1.9e-8
	// with more rolls.
	diceChiSquareLimit = 44.0
	// diceMaxRun refuses a face repeated this many times in a row. For fair
	// dice the chance of a run of 13 or more is at most 3.8e-7 in 1000 rolls
	// (3.4e-8 in 99).
	diceMaxRun = 13
)

// DiceError says why typed dice rolls were refused. It never repeats the
// rolls, which are secret.
type DiceError struct {
	// Pos is the 1-based character position of a bad character, or 0.
	Pos    int
	Reason string
}

func (e *DiceError) Error() string {
	if e.Pos > 0 {
		return fmt.Sprintf("dice: character %d: %s", e.Pos, e.Reason)
	}
	return "dice: " + e.Reason
}

// ParseDice reads typed d6 rolls: the digits 1 to 6, with spaces, tabs,
// newlines, commas, hyphens or dots anywhere between them. It returns the
// faces (1–6), one byte per roll; they are secret, so the caller wipes them.
// It checks only the characters and the count; CheckDice judges the rolls.
func ParseDice(text []byte) ([]byte, error) {
	rolls, err := parseRolls(text)
	if err != nil {
		return nil, err
	}
	if len(rolls) < MinDiceRolls {
		n := len(rolls)
		wipe(rolls)
		return nil, &DiceError{Reason: fmt.Sprintf("%d rolls typed; at least %d are needed", n, MinDiceRolls)}
	}
	return rolls, nil
}

// parseRolls is ParseDice without the lower bound: one line of a dice entry
// that may continue on the next.
func parseRolls(text []byte) ([]byte, error) {
	rolls := make([]byte, 0, len(text))
	for i, c := range text {
		switch {
		case '1' <= c && c <= '6':
			if len(rolls) == MaxDiceRolls {
				wipe(rolls)
				return nil, &DiceError{Reason: fmt.Sprintf("more than %d rolls; %d are plenty", MaxDiceRolls, MinDiceRolls)}
			}
			rolls = append(rolls, c-'0')
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '-' || c == '.':
		case c == '0' || c == '7' || c == '8' || c == '9':
			wipe(rolls)
			return nil, &DiceError{Pos: i + 1, Reason: "a die shows 1 to 6; this digit is not a face"}
		default:
			wipe(rolls)
			return nil, &DiceError{Pos: i + 1, Reason: "only the digits 1 to 6 and spaces may be typed"}
		}
	}
	return rolls, nil
}

// CheckDice refuses rolls that are obviously not from a fair die thrown for
// real: all one face, a face that never shows, face counts or consecutive
// differences far from uniform (chi-square over 44, 5 degrees of freedom), or
// 13 or more equal faces in a row. Fair dice are refused with a chance below
// one in a million: summing the four tests' chances, about 2.7e-7 for 99
// rolls and at most 6.2e-7 for 1000 (see the constants). Yet typed patterns
// such as 123456123456… or 111222333…, long blocks of one face and dice
// that lack a face are all caught. A refusal means: roll again.
//
// A pass does not prove the dice fair; it is why the rolls are mixed with OS
// randomness (MixEntropy) rather than used alone.
func CheckDice(rolls []byte) error {
	n := len(rolls)
	if n < MinDiceRolls {
		return &DiceError{Reason: fmt.Sprintf("%d rolls; at least %d are needed", n, MinDiceRolls)}
	}
	var faces, diffs [6]int
	run, longest := 1, 1
	for i, r := range rolls {
		if r < 1 || r > 6 {
			return &DiceError{Reason: fmt.Sprintf("roll %d is not a face 1–6", i+1)}
		}
		faces[r-1]++
		if i > 0 {
			diffs[(int(r)-int(rolls[i-1])+6)%6]++
			if r == rolls[i-1] {
				run++
				longest = max(longest, run)
			} else {
				run = 1
			}
		}
	}
	missing := 0
	for _, c := range faces {
		if c == n {
			return &DiceError{Reason: fmt.Sprintf("all %d rolls show the same face; throw a real die", n)}
		}
		if c == 0 {
			missing++
		}
	}
	if missing > 0 {
		return &DiceError{Reason: fmt.Sprintf("%d of the six faces never show in %d rolls (a fair die misses a face with odds below 1 in 10 million): check the die and roll again", missing, n)}
	}
	if chiSquare(faces[:], n) > diceChiSquareLimit {
		return &DiceError{Reason: "the faces are far too uneven for a fair die: use another die and roll again"}
	}
	if chiSquare(diffs[:], n-1) > diceChiSquareLimit {
		return &DiceError{Reason: "the rolls follow a pattern (the steps from one roll to the next are far too regular): throw the die for every roll and roll again"}
	}
	if longest >= diceMaxRun {
		return &DiceError{Reason: fmt.Sprintf("one face shows %d times in a row; a fair die does that with odds below 1 in a million: roll again", longest)}
	}
	return nil
}

// chiSquare is Pearson's statistic of counts against a uniform expectation.
func chiSquare(counts []int, n int) float64 {
	e := float64(n) / float64(len(counts))
	var x float64
	for _, c := range counts {
		d := float64(c) - e
		x += d * d / e
	}
	return x
}

// diceMixTag separates this use of SHA-256 from any other.
const diceMixTag = "airsign dice entropy v1"

// MixEntropy makes key entropy of size bytes (16 or 32) from dice rolls and
// 32 bytes read from osRand (crypto/rand.Reader in the program):
//
//	SHA-256("airsign dice entropy v1" || rolls as ASCII digits '1'..'6' || os random)[:size]
//
// The result is unpredictable if either input is: dice protect against a
// weak or backdoored OS generator, and the OS generator against lazy dice.
func MixEntropy(rolls []byte, osRand io.Reader, size int) ([]byte, error) {
	if size != 16 && size != 32 {
		return nil, fmt.Errorf("dice: entropy size %d bytes; BIP39 keys here use 16 or 32", size)
	}
	if err := CheckDice(rolls); err != nil {
		return nil, err
	}
	var osr [32]byte
	defer wipe(osr[:])
	if _, err := io.ReadFull(osRand, osr[:]); err != nil {
		return nil, fmt.Errorf("dice: reading OS randomness: %v", err)
	}
	h := sha256.New()
	h.Write([]byte(diceMixTag))
	digits := make([]byte, len(rolls))
	for i, r := range rolls {
		digits[i] = '0' + r
	}
	h.Write(digits)
	wipe(digits)
	h.Write(osr[:])
	sum := h.Sum(nil)
	out := make([]byte, size)
	copy(out, sum)
	wipe(sum)
	return out, nil
}

// DiceEntropy parses, checks and mixes typed rolls in one go, wiping the
// parsed rolls; the caller wipes text and the result.
func DiceEntropy(text []byte, osRand io.Reader, size int) (entropy []byte, rolls int, err error) {
	r, err := ParseDice(text)
	if err != nil {
		return nil, 0, err
	}
	defer wipe(r)
	e, err := MixEntropy(r, osRand, size)
	if err != nil {
		return nil, 0, err
	}
	return e, len(r), nil
}

// wipe zeroes a secret buffer.
func wipe(b []byte) {
	clear(b)
}

// diceBits is the entropy n rolls of a fair die carry: n·log2(6) bits.
func diceBits(n int) int { return int(float64(n) * math.Log2(6)) }

// doDice collects the rolls, as many entries as it takes: a short entry is
// kept and continued ("98 rolls so far; at least 1 more"), a line with a
// character that is not a face is refused alone, and a batch that fails
// CheckDice is set aside and rolled again at this same step. Dice rolls are
// secret until mixed with the computer's randomness (afterwards knowing them
// does not reveal the key), so a terminal may echo them to the operator.
func doDice(r *runner, s *Step) error {
	var rolls []byte
	defer func() { wipe(rolls) }()
	entries, refused := 0, 0
	var ent []byte
	err := r.retry(0, func() error {
		text, err := r.askDice(s, len(rolls))
		if err != nil {
			return err
		}
		more, err := parseRolls(text)
		wipe(text)
		if err != nil {
			return again("%v. That line is not kept; the %d rolls typed before it are. Type that line again.", err, len(rolls))
		}
		entries++
		if len(rolls)+len(more) > MaxDiceRolls {
			wipe(more)
			return again("dice: that makes more than %d rolls; %d are plenty. That line is not kept; type fewer.", MaxDiceRolls, MinDiceRolls)
		}
		all := make([]byte, 0, len(rolls)+len(more))
		all = append(append(all, rolls...), more...)
		wipe(rolls)
		wipe(more)
		rolls = all
		if len(rolls) < MinDiceRolls {
			return again("%d rolls so far (%d bits); roll at least %d more and type them.", len(rolls), diceBits(len(rolls)), MinDiceRolls-len(rolls))
		}
		if err := CheckDice(rolls); err != nil {
			n := len(rolls)
			wipe(rolls)
			rolls = nil
			refused++
			return again("%v\nThese %d rolls are set aside and wiped. Roll again from the first roll; the ceremony stays at this step.", err, n)
		}
		ent, err = MixEntropy(rolls, r.opts.Rand, r.opts.EntropyBytes)
		var de *DiceError
		if errors.As(err, &de) {
			return again("%v", err)
		}
		return err
	}, nil)
	if err != nil {
		var st *stop
		if errors.As(err, &st) {
			return err
		}
		return failed(err, "making the key: %v", err)
	}
	wipe(r.key)
	r.key = ent
	return r.record(s, "entropy", map[string]string{
		"dice_rolls": strconv.Itoa(len(rolls)), "dice_entries": strconv.Itoa(entries), "dice_batches_refused": strconv.Itoa(refused),
		"os_random_bytes": "32", "entropy_bits": strconv.Itoa(8 * len(ent)),
		"mix": "SHA-256(tag || dice || OS random)"})
}

// askDice asks for (more) dice rolls: through a DiceAsker, which echoes each
// roll with a running count, or as a secret line.
func (r *runner) askDice(s *Step, have int) ([]byte, error) {
	text := fmt.Sprintf("Operator: type the dice rolls, at least %d (faces 1 to 6)", MinDiceRolls)
	if have > 0 {
		text = fmt.Sprintf("Operator: type the next rolls (%d so far, at least %d more)", have, max(0, MinDiceRolls-have))
	}
	p := r.prompt(s, text)
	// Dice are no secret word: they are echoed (a DiceAsker takes only
	// the faces 1 to 6), and "stop" holds no roll, so stop is a command
	// here as at a public prompt.
	if d, ok := r.p.(DiceAsker); ok {
		return r.read(s, true, func() ([]byte, error) { return d.AskDice(p, have) })
	}
	return r.read(s, true, func() ([]byte, error) { return r.p.AskSecret(p) })
}
