package chainlog

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// bytewords is the 256-word list of Blockchain Commons' Bytewords
// (BCR-2020-012, BlockchainCommons/Research papers/bcr-2020-012-bytewords.md):
// word i stands for byte value i. Every word has four letters and no two words
// share their first three letters, their last three letters, or their first and
// last letter, so a word written by hand on a checklist is hard to misread as
// another one.
var bytewords = [256]string{
	"able", "acid", "also", "apex", "aqua", "arch", "atom", "aunt",
	"away", "axis", "back", "bald", "barn", "belt", "beta", "bias",
	"blue", "body", "brag", "brew", "bulb", "buzz", "calm", "cash",
	"cats", "chef", "city", "claw", "code", "cola", "cook", "cost",
	"crux", "curl", "cusp", "cyan", "dark", "data", "days", "deli",
	"dice", "diet", "door", "down", "draw", "drop", "drum", "dull",
	"duty", "each", "easy", "echo", "edge", "epic", "even", "exam",
	"exit", "eyes", "fact", "fair", "fern", "figs", "film", "fish",
	"fizz", "flap", "flew", "flux", "foxy", "free", "frog", "fuel",
	"fund", "gala", "game", "gear", "gems", "gift", "girl", "glow",
	"good", "gray", "grim", "guru", "gush", "gyro", "half", "hang",
	"hard", "hawk", "heat", "help", "high", "hill", "holy", "hope",
	"horn", "huts", "iced", "idea", "idle", "inch", "inky", "into",
	"iris", "iron", "item", "jade", "jazz", "join", "jolt", "jowl",
	"judo", "jugs", "jump", "junk", "jury", "keep", "keno", "kept",
	"keys", "kick", "kiln", "king", "kite", "kiwi", "knob", "lamb",
	"lava", "lazy", "leaf", "legs", "liar", "list", "limp", "lion",
	"logo", "loud", "love", "luau", "luck", "lung", "main", "many",
	"math", "maze", "memo", "menu", "meow", "mild", "mint", "miss",
	"monk", "nail", "navy", "need", "news", "next", "noon", "note",
	"numb", "obey", "oboe", "omit", "onyx", "open", "oval", "owls",
	"paid", "part", "peck", "play", "plus", "poem", "pool", "pose",
	"puff", "puma", "purr", "quad", "quiz", "race", "ramp", "real",
	"redo", "rich", "road", "rock", "roof", "ruby", "ruin", "runs",
	"rust", "safe", "saga", "scar", "sets", "silk", "skew", "slot",
	"soap", "solo", "song", "stub", "surf", "swan", "taco", "task",
	"taxi", "tent", "tied", "time", "tiny", "toil", "tomb", "toys",
	"trip", "tuna", "twin", "ugly", "undo", "unit", "urge", "user",
	"vast", "very", "veto", "vial", "vibe", "view", "visa", "void",
	"vows", "wall", "wand", "warm", "wasp", "wave", "waxy", "webs",
	"what", "when", "whiz", "wolf", "work", "yank", "yawn", "yell",
	"yoga", "yurt", "zaps", "zest", "zinc", "zone", "zoom", "zero",
}

var bytewordIndex = func() map[string]byte {
	m := make(map[string]byte, len(bytewords))
	for i, w := range bytewords {
		m[w] = byte(i)
	}
	return m
}()

// HeadWordCount is how many words HeadWords gives: 6 words are 48 bits of the
// head hash, short enough for a witness to write on paper and read back, long
// enough that nobody can forge a different log with the same words by chance.
const HeadWordCount = 6

// minHeadBytes is the least of a head a witness may hand to Verify (4 words or
// 8 hex digits); fewer would make an accidental match too likely.
const minHeadBytes = 4

// HeadWords gives the first HeadWordCount bytes of a log head as Bytewords,
// separated by spaces: what the screen shows at the end of each act and what
// witnesses copy onto the paper checklist.
func HeadWords(head [32]byte) string {
	return bytesToWords(head[:HeadWordCount])
}

func bytesToWords(b []byte) string {
	words := make([]string, len(b))
	for i, c := range b {
		words[i] = bytewords[c]
	}
	return strings.Join(words, " ")
}

// ParseHead reads a log head as a witness wrote it down: Bytewords (at least 4,
// separated by spaces, hyphens or commas, any case) or hex (at least 8 digits,
// up to the full 64). It returns the bytes given, a prefix of the head hash, so
// Verify can compare them with the log.
func ParseHead(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("head: nothing given")
	}
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '-' || r == ',' || r == '\t' || r == '\n' || r == '\r'
	})
	if len(fields) == 1 && isHex(fields[0]) {
		h := strings.ToLower(fields[0])
		if len(h)%2 != 0 || len(h) < 2*minHeadBytes || len(h) > 64 {
			return nil, fmt.Errorf("head: %d hex digits given; give an even number from %d to 64", len(h), 2*minHeadBytes)
		}
		return hex.DecodeString(h)
	}
	if len(fields) > 32 {
		return nil, fmt.Errorf("head: %d words given; a head is at most 32 words", len(fields))
	}
	out := make([]byte, 0, len(fields))
	for i, f := range fields {
		b, ok := bytewordIndex[strings.ToLower(f)]
		if !ok {
			if len(f) > 12 {
				f = f[:12] + "…"
			}
			return nil, fmt.Errorf("head: word %d %q is not a Bytewords word (check the spelling on the checklist)", i+1, f)
		}
		out = append(out, b)
	}
	if len(out) < minHeadBytes {
		return nil, fmt.Errorf("head: %d words given; give at least %d", len(out), minHeadBytes)
	}
	return out, nil
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	// Four-letter hex-only strings like "face" or "beef" are not Bytewords, but
	// "dead" and "cafe" are not either; the Bytewords list has no word made only
	// of the letters a-f, so there is no ambiguity.
	return true
}
