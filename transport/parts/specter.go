package parts

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/airsign/airsign/transport/bbqr"
	"github.com/airsign/airsign/transport/ur"
)

// Specter DIY and Specter Desktop show a large PSBT as an animation of
// "pMofN PAYLOAD" codes: the base64 PSBT cut into N pieces in order, part M
// carrying the M-th piece.

var specterPart = regexp.MustCompile(`^[pP]([0-9]{1,4})[oO][fF]([0-9]{1,4})\s+(\S+)$`)

// maxSpecterParts bounds N: a PSBT at MaxSize in small codes stays below.
const maxSpecterParts = 9999

// specterState collects one animation.
type specterState struct {
	total  int
	pieces map[int]string
}

// specterParts returns the parts of text when every line of it is a
// pMofN code, else nil.
func specterParts(text string) [][]string {
	var out [][]string
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		m := specterPart.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			return nil
		}
		out = append(out, m)
	}
	return out
}

func (c *Collector) addSpecter(m []string) (Progress, error) {
	idx, _ := strconv.Atoi(m[1])
	total, _ := strconv.Atoi(m[2])
	if idx < 1 || total < 1 || idx > total || total > maxSpecterParts {
		return c.Progress(), fmt.Errorf("the Specter part p%sof%s is not used: the part number must be between 1 and the count", m[1], m[2])
	}
	var notice error
	s := c.specter
	if c.format == FormatSpecter && s != nil && (s.total != total || (s.pieces[idx] != "" && s.pieces[idx] != m[3])) {
		c.Reset()
		notice = fmt.Errorf("%w (a Specter part of another animation arrived)", ErrStartedOver)
	} else if err := c.switchTo(FormatSpecter); err != nil {
		notice = err
	}
	if c.specter == nil {
		c.format = FormatSpecter
		c.specter = &specterState{total: total, pieces: map[int]string{}}
	}
	s = c.specter
	if c.psbt != nil {
		return c.Progress(), notice
	}
	s.pieces[idx] = m[3]
	if len(s.pieces) < s.total {
		return c.Progress(), notice
	}
	var whole strings.Builder
	for i := 1; i <= s.total; i++ {
		whole.WriteString(s.pieces[i])
	}
	psbt, _ := decodeSingle(whole.String())
	if psbt == nil {
		what := sniff(whole.String())
		c.Reset()
		return c.Progress(), fmt.Errorf("%w: the %d Specter parts join into %s", ErrNotPSBT, total, what)
	}
	c.psbt = psbt
	return c.Progress(), notice
}

// IsPart reports whether text is one code of a series (UR, BBQr or a
// Specter pMofN part), as opposed to a whole PSBT or something else.
func IsPart(text string) bool {
	t := strings.TrimSpace(text)
	return ur.IsUR(t) || bbqr.IsPart(t) || specterParts(t) != nil
}
