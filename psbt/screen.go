package psbt

import (
	"strings"
	"unicode/utf8"
)

// ScreenWidth is the width of every line the analysis prints: the signer
// runs on an 80×24 console, where a longer line wraps at a random place and
// an address cut by the terminal can no longer be checked.
const ScreenWidth = 80

const (
	// itemIndent starts what follows "  #12  " on an input's or an
	// output's lines, so its continuation lines line up under it.
	itemIndent = "       "
	// problemIndent lines continuation lines up under the text of
	// "  REFUSED: " and "  warning: ".
	problemIndent = "           "
	// labelWidth is where the values of "Fee:", "Locktime:"… start.
	labelWidth = 14
	// addressGroup is the group size of an address too long for a line
	// (wallets show addresses in groups of 4 for the same reason: to be
	// compared group by group).
	addressGroup = 4
)

// screen builds printed text whose every line fits ScreenWidth.
type screen struct{ b strings.Builder }

func (s *screen) String() string { return s.b.String() }

func (s *screen) blank() { s.b.WriteByte('\n') }

// line writes first+text, wrapped at spaces onto lines that start with
// cont. A word longer than a whole line (a script in hex) is cut where the
// line ends; words are never run together.
func (s *screen) line(first, cont, text string) {
	for _, l := range Wrap(first, cont, text, ScreenWidth) {
		s.b.WriteString(l)
		s.b.WriteByte('\n')
	}
}

// label writes "Label:        value", the value wrapped under itself.
func (s *screen) label(label, value string) {
	w := max(labelWidth, utf8.RuneCountInString(label)+1)
	first := label + strings.Repeat(" ", w-utf8.RuneCountInString(label))
	s.line(first, strings.Repeat(" ", w), value)
}

// address writes an address whole on a line of its own; one too long for
// that (none of today's address types is) is written in groups of
// addressGroup characters, never cut inside a group.
func (s *screen) address(indent, addr string) {
	if utf8.RuneCountInString(indent+addr) <= ScreenWidth {
		s.line(indent, indent, addr)
		return
	}
	var groups []string
	for r := []rune(addr); len(r) > 0; {
		n := min(addressGroup, len(r))
		groups = append(groups, string(r[:n]))
		r = r[n:]
	}
	s.line(indent, indent, strings.Join(groups, " "))
}

// WrapText wraps every line of text to width columns with Wrap: a line's
// leading spaces stay, and its continuation lines are indented by two
// spaces more. A console wraps a long line wherever it ends, which splits a
// command or a path the operator must copy; this breaks it between words.
func WrapText(text string, width int) string {
	var b strings.Builder
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if i == len(lines)-1 && l == "" {
			break // the text ended with a line feed
		}
		indent := l[:len(l)-len(strings.TrimLeft(l, " "))]
		b.WriteString(strings.Join(Wrap(indent, indent+"  ", l[len(indent):], width), "\n"))
		if i < len(lines)-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Wrap breaks first+text into lines of at most width columns (runes): at
// spaces where it can (the spaces at a break are dropped), inside a word
// only when the word alone is wider than a line. A word that is a number
// ("3", "#3") is not parted from the word before it. Continuation lines start
// with cont. Text with no room to wrap (first or cont as wide as width) is
// returned as it is.
func Wrap(first, cont, text string, width int) []string {
	var lines []string
	cur := first
	curLen := utf8.RuneCountInString(first)
	contLen := utf8.RuneCountInString(cont)
	if curLen >= width || contLen >= width {
		return []string{first + text}
	}
	fresh := true // nothing but the prefix on the current line
	for text != "" {
		// The next word and the spaces before it.
		spaces := len(text) - len(strings.TrimLeft(text, " "))
		gap, rest := text[:spaces], text[spaces:]
		word, _, found := strings.Cut(rest, " ")
		text = ""
		if found {
			text = rest[len(word):]
		}
		// A number stays with the word before it: "input 3", "share #2"
		// and "block 812000" are read, and searched for, as one.
		for len(text) > 1 && text[0] == ' ' && startsNumber(text[1:]) {
			next, _, _ := strings.Cut(text[1:], " ")
			if utf8.RuneCountInString(word)+1+utf8.RuneCountInString(next) > width-contLen {
				break
			}
			word += " " + next
			text = text[1+len(next):]
		}
		if fresh {
			gap = ""
		}
		gapLen, wordLen := utf8.RuneCountInString(gap), utf8.RuneCountInString(word)
		if curLen+gapLen+wordLen <= width {
			cur += gap + word
			curLen += gapLen + wordLen
			fresh = false
			continue
		}
		if !fresh {
			lines = append(lines, cur)
			cur, curLen, fresh = cont, contLen, true
		}
		// The word starts a line; cut it if it is wider than one.
		r := []rune(word)
		for len(r) > width-curLen {
			n := width - curLen
			lines = append(lines, cur+string(r[:n]))
			cur, curLen = cont, contLen
			r = r[n:]
		}
		if len(r) > 0 {
			cur += string(r)
			curLen += len(r)
			fresh = false
		}
	}
	return append(lines, cur)
}

func startsNumber(s string) bool { return s[0] == '#' || s[0] >= '0' && s[0] <= '9' }

// ShortOutpoint shortens an outpoint "txid:vout" to its txid's first and
// last 8 characters ("e4131bb8…ae3101cc:0"): enough to tell coins apart on
// a screen, where nobody checks a coin by its whole txid; --json keeps it
// whole. Anything else is returned as it is.
func ShortOutpoint(op string) string {
	txid, vout, ok := strings.Cut(op, ":")
	if !ok || len(txid) != 64 {
		return op
	}
	return txid[:8] + "…" + txid[56:] + ":" + vout
}
