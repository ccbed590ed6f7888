package ceremony

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The steps whose answer is typed in public: acknowledgements, initials,
// names, the threshold and values read aloud. Each asks through askUntil or
// retry, so a slip costs one more try and nothing else.

func doAck(r *runner, s *Step) error {
	if err := r.ackWord(s); err != nil {
		return err
	}
	return r.record(s, "ack", map[string]string{"typed": s.Word})
}

// ackWord asks for s.Word until it is typed.
func (r *runner) ackWord(s *Step) error {
	return r.askUntil(s, fmt.Sprintf("%s: type %q when this is done (or stop)", r.actor(s), s.Word), func(ans string) error {
		if strings.EqualFold(ans, s.Word) {
			return nil
		}
		return again("That is not %q. Type %q to go on, or stop to end the ceremony.", s.Word, s.Word)
	})
}

var initialsRE = regexp.MustCompile(`^\p{L}[\p{L}. ]{0,9}$`)

func doInitials(r *runner, s *Step) error {
	var initials string
	err := r.askUntil(s, "Witness: initial the checklist, then type your initials here", func(ans string) error {
		if !initialsRE.MatchString(ans) {
			return again("Initials are 1 to 10 letters (dots and spaces allowed). Type them again.")
		}
		initials = ans
		return nil
	})
	if err != nil {
		return err
	}
	return r.record(s, "initials", map[string]string{"initials": initials})
}

func doOperatorName(r *runner, s *Step) error {
	err := r.askUntil(s, "Operator: type your name", func(ans string) error {
		if err := validName(ans); err != nil {
			return again("%v. Type it again.", err)
		}
		r.operator = ans
		return nil
	})
	if err != nil {
		return err
	}
	return r.record(s, "participant", map[string]string{"role": "operator", "name": r.operator})
}

func doWitnessNames(r *runner, s *Step) error {
	err := r.askUntil(s, "Witnesses: type your names, separated by commas", func(ans string) error {
		var names []string
		for _, n := range strings.Split(ans, ",") {
			n = strings.TrimSpace(n)
			if err := validName(n); err != nil {
				return again("Name %d: %v. Type the names again.", len(names)+1, err)
			}
			names = append(names, n)
		}
		r.witnesses = names
		return nil
	})
	if err != nil {
		return err
	}
	return r.record(s, "participant", map[string]string{"role": "witness", "names": strings.Join(r.witnesses, ", "), "count": strconv.Itoa(len(r.witnesses))})
}

func doHolderName(r *runner, s *Step) error {
	if err := r.askHolderName(s, fmt.Sprintf("Holder %d: type your name", r.holder)); err != nil {
		return err
	}
	return r.record(s, "holder", map[string]string{"holder": strconv.Itoa(r.holder), "name": r.holderNames[r.holder]})
}

// askHolderName asks the current holder's name until it is valid. A name
// already typed for another holder of this run is asked again: typed again
// it stands (one person may hold two cards), else the new one replaces it.
func (r *runner) askHolderName(s *Step, question string) error {
	var pending string
	return r.askUntil(s, question, func(ans string) error {
		if err := validName(ans); err != nil {
			return again("%v. Type it again.", err)
		}
		for h := 1; h <= len(r.holderNames)+1; h++ {
			if n, ok := r.holderNames[h]; ok && h != r.holder && strings.EqualFold(n, ans) && !strings.EqualFold(pending, ans) {
				pending = ans
				return again("%q is already the name typed for holder %d. If one person holds both cards, type it again; if it is a slip, type the right name.", ans, h)
			}
		}
		r.holderNames[r.holder] = ans
		return nil
	})
}

func doThreshold(r *runner, s *Step) error {
	err := r.askUntil(s, "Operator: type the threshold and the number of shares as T of N (for example 2 of 3)", func(ans string) error {
		t, n, err := ParseThreshold(ans)
		if err != nil {
			return again("%v.", err)
		}
		r.threshold, r.count = t, n
		return nil
	})
	if err != nil {
		return err
	}
	return r.record(s, "threshold", map[string]string{"threshold": strconv.Itoa(r.threshold), "shares": strconv.Itoa(r.count)})
}

// compare is a ReadAloud step: a value the program has, compared with a
// second source by typing it.
//
// With showFirst the value is shown first: the witnesses copy it onto paper
// and type the copy back, as often as it takes, each miss naming the first
// character that differs.
//
// Without it the value is typed from paper before the program shows its
// own (a drill tests the paper, not the screen): a miss names only where the
// typing differs, without showing the value; after MaxTries misses the step
// fails and both values are named.
type compare struct {
	what      string
	value     func(r *runner) string
	last      int
	showFirst bool
	ask       string
}

func (c compare) do(r *runner, s *Step) error {
	v := c.value(r)
	if v == "" {
		return failed(nil, "there is no %s to compare yet", c.what)
	}
	label := c.what
	want := v
	if c.last > 0 {
		label = fmt.Sprintf("last %d characters of the %s", c.last, c.what)
		if n := len(v); n > c.last {
			want = v[n-c.last:]
		}
	}
	if c.showFirst {
		if err := r.show(fmt.Sprintf("Read aloud — %s: %s", c.what, v)); err != nil {
			return err
		}
	}
	p := r.prompt(s, c.ask)
	limit := r.opts.MaxTries
	if c.showFirst {
		p.Shown = v
		limit = 0
	}
	var typed string
	err := r.retry(limit, func() error {
		ans, err := r.askPrompt(s, p)
		if err != nil {
			return err
		}
		if sameValue(v, ans, c.last) {
			return nil
		}
		typed = ans
		if c.showFirst {
			return again("That is not the %s on the screen (%s): %s. Check the paper against the screen, correct it, and type it again.", label, v, difference(want, ans))
		}
		return again("That does not match the %s of the key rebuilt (%s). Check that you typed what the paper says and type it again.", label, difference(want, ans))
	}, func(string) error {
		return failed(nil, "the %s on paper does not match the program's after %d tries: typed %q, the program has %s (%s)", label, limit, typed, want, difference(want, typed))
	})
	if err != nil {
		return err
	}
	verb := "matches"
	if c.last > 0 {
		verb = "match"
	}
	if err := r.show(fmt.Sprintf("The %s %s: %s", label, verb, v)); err != nil {
		return err
	}
	return r.record(s, "compared", map[string]string{"what": c.what, "value": v})
}
