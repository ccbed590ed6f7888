package ceremony_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/ceremony/ceremonytest"
)

func TestParseAnswersBadInput(t *testing.T) {
	tests := []struct {
		name, in, says string
	}{
		{"no ceremony", "1.1: Alice\n", "does not say which ceremony"},
		{"unknown ceremony", "ceremony: party\n", "line 1: no ceremony \"party\""},
		{"ceremony twice", "ceremony: keygen\nceremony: drill\n", "line 2: ceremony: given twice"},
		{"bad secrets value", "ceremony: keygen\nsecrets: yes\n", "line 2: secrets: must be none, drill or test"},
		{"no colon", "ceremony: keygen\n\n1.1 Alice\n", "line 3: no colon"},
		{"unknown key", "ceremony: keygen\nname: Alice\n", `line 2: "name" is not a step id`},
		{"step id with three parts", "ceremony: keygen\n1.2.3: x\n", `line 2: "1.2.3" is not a step id`},
		{"step zero", "ceremony: keygen\n0.1: x\n", `"0.1" is not a step id`},
		{"control character", "ceremony: keygen\n1.1: A\x00lice\n", "line 2: has a control character"},
		{"bad UTF-8", "ceremony: keygen\n1.1: \xff\n", "line 2: not valid UTF-8"},
		{"line too long", "ceremony: keygen\n1.1: " + strings.Repeat("a", 5000) + "\n", "line 2: longer than 4096"},
		{"file too large", "ceremony: keygen\n" + strings.Repeat("1.1: a\n", 200000), "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ceremony.ParseAnswers(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("got %v, want %q", err, tt.says)
			}
		})
	}
}

func TestAnswersRefusedForCeremony(t *testing.T) {
	tests := []struct {
		name, def, in, says string
	}{
		{"other ceremony", "keygen", "ceremony: drill\n", "it is for the drill ceremony, not keygen"},
		{"unknown step", "keygen", "ceremony: keygen\n\n9.9: x\n", "line 3: step 9.9 is not a step of the keygen ceremony"},
		{"automatic step", "keygen", "ceremony: keygen\n2.4: yes\n", "line 2: step 2.4 (Key) is done by the program"},
		{"secret without permission", "keygen", "ceremony: keygen\n2.3: 123\n", "line 2: step 2.3 (Dice) is a secret entry"},
		{"drill secrets in a keygen", "keygen", "ceremony: keygen\nsecrets: drill\n2.3: 123\n", "is a secret entry"},
		{"@shown on an answer step", "keygen", "ceremony: keygen\n1.1: @shown\n", "@shown answers only read-aloud and secret steps"},
		{"date in another shape", "keygen", "ceremony: keygen\n1.4: 03/12/2026\n", "line 2: step 1.4 (Date): type the date as YYYY-MM-DD"},
		{"date not on the calendar", "drill", "ceremony: drill\n\n1.4: 2026-02-30\n", "line 3: step 1.4 (Date): 2026-02-30 is not a day on the calendar"},
		{"date before Bitcoin", "rotate", "ceremony: rotate\n1.4: 2008-12-31\n", "before 2009-01-03"},
		{"date with a time", "reshare", "ceremony: reshare\n1.4: 2026-12-03 10:00\n", "type the date as YYYY-MM-DD"},
		{"@shown secret in a drill file", "drill", "ceremony: drill\nsecrets: drill\n2.2: @shown\n", "needs \"secrets: test\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ceremony.ParseAnswers(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			def, _ := ceremony.Lookup(tt.def)
			_, err = ceremony.NewAnswersPrompter(a, def, nil)
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("got %v, want %q", err, tt.says)
			}
		})
	}
	// A drill file may carry shares with "secrets: drill".
	a, err := ceremony.ParseAnswers(strings.NewReader("ceremony: drill\nsecrets: drill\n2.2: share\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ceremony.NewAnswersPrompter(a, ceremony.Drill(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestAnswersFileKeygenThenDrill(t *testing.T) {
	f, err := os.Open("testdata/keygen-2of3.answers")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := ceremony.ParseAnswers(f)
	if err != nil {
		t.Fatal(err)
	}
	var screen bytes.Buffer
	p, err := ceremony.NewAnswersPrompter(a, ceremony.Keygen(), &screen)
	if err != nil {
		t.Fatal(err)
	}
	fake := &ceremonytest.Fake{}
	log, lw := newLog()
	// The file's first dice line has only 60 rolls: they are kept and the
	// runner asks for more, taking the next answer for step 2.3.
	kp := &cardKeeper{AnswersPrompter: p, cards: map[int]string{}}
	res, err := ceremony.Run(context.Background(), ceremony.Keygen(), kp, lw, fake, ceremony.Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, screen.String())
	}
	if res.NewSet.Count != 3 || !strings.Contains(log.String(), `"prompter":"answers file (secrets: test)"`) {
		t.Fatalf("result %+v", res)
	}
	for _, want := range []string{"60 rolls so far (155 bits); roll at least 39 more", "[4.2: card shown to holder 2]", "> [secret from the answers file, line 20]", "> " + res.Made.Fingerprint} {
		if !strings.Contains(screen.String(), want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if len(p.Leftovers()) != 0 {
		t.Fatalf("leftovers %v", p.Leftovers())
	}

	// A drill from an answers file with "secrets: drill", holders 1 and 3.
	a0 := res.Made.Addresses[0]
	drill := "ceremony: drill\nsecrets: drill\n1.1: Alice Operator\n1.2: Bob Witness\n1.3: BW\n1.4: 2026-12-03\n" +
		"2.1: Dan Holder\n2.2: " + kp.cards[1] + "\n2.1: Frank Holder\n2.2: " + kp.cards[3] + "\n" +
		"3.3: " + res.Made.Fingerprint + "\n3.4: " + res.Made.ID + "\n3.5: " + a0[len(a0)-8:] + "\n4.3: BW\n"
	da, err := ceremony.ParseAnswers(strings.NewReader(drill))
	if err != nil {
		t.Fatal(err)
	}
	dp, err := ceremony.NewAnswersPrompter(da, ceremony.Drill(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fake.Recorded = res.Made
	d, err := ceremony.Run(context.Background(), ceremony.Drill(), dp, lw, fake, ceremony.Options{})
	if err != nil || !d.DrillPassed || d.OldSetID != res.NewSet.SetID {
		t.Fatalf("drill: %+v, %v", d, err)
	}
	if !strings.Contains(log.String(), `"prompter":"answers file (secrets: drill)"`) {
		t.Error("the drill's log does not say it ran from an answers file")
	}
	if err := fake.Wiped(); err != nil {
		t.Fatal(err)
	}
}

// cardKeeper keeps the cards shown, as holders keep their copies; embedding
// the concrete prompter keeps its Describe and Finish.
type cardKeeper struct {
	*ceremony.AnswersPrompter
	cards map[int]string
}

func (c *cardKeeper) ShowSecret(p ceremony.Prompt, secret []byte) error {
	c.cards[p.Holder] = string(secret)
	return c.AnswersPrompter.ShowSecret(p, secret)
}

func TestAnswersPrompterAskOrderAndLeftovers(t *testing.T) {
	a, err := ceremony.ParseAnswers(strings.NewReader("ceremony: keygen\n4.1: A\n1.1: Op\n4.1: B\n6.2: done\n6.2: extra\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ceremony.NewAnswersPrompter(a, ceremony.Keygen(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ step, ans string }{{"4.1", "A"}, {"1.1", "Op"}, {"4.1", "B"}, {"6.2", "done"}} {
		got, err := p.Ask(ceremony.Prompt{Step: want.step})
		if err != nil || got != want.ans {
			t.Fatalf("step %s: %q, %v", want.step, got, err)
		}
	}
	if _, err := p.Ask(ceremony.Prompt{Step: "4.1", Actor: "holder 3"}); !errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "no answer left for step 4.1 (holder 3)") {
		t.Fatalf("no answer left: %v", err)
	}
	if _, err := p.AskSecret(ceremony.Prompt{Step: "2.2"}); err == nil {
		t.Fatal("secret given without permission")
	}
	if l := p.Leftovers(); len(l) != 1 || l[0] != "line 6 (step 6.2)" {
		t.Fatalf("leftovers %v", l)
	}
	if err := p.Finish(); err == nil || !strings.Contains(err.Error(), "1 answers not used: line 6 (step 6.2)") {
		t.Fatalf("finish: %v", err)
	}
}

func TestAnswersTemplateParses(t *testing.T) {
	for _, def := range ceremony.Definitions() {
		var b bytes.Buffer
		if err := ceremony.WriteAnswersTemplate(&b, def); err != nil {
			t.Fatal(err)
		}
		a, err := ceremony.ParseAnswers(&b)
		if err != nil {
			t.Fatalf("%s template: %v", def.Name, err)
		}
		if _, err := ceremony.NewAnswersPrompter(a, def, nil); err != nil {
			t.Fatalf("%s template: %v", def.Name, err)
		}
	}
}

func FuzzAnswers(f *testing.F) {
	seed, _ := os.ReadFile("testdata/keygen-2of3.answers")
	f.Add(seed)
	f.Add([]byte("ceremony: drill\nsecrets: drill\n2.2: FAKE-1\n2.2: @shown\n"))
	f.Add([]byte("ceremony: keygen\n1.1 no colon\n"))
	f.Add([]byte("secrets: test\nceremony: rotate\n9.9: x\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ceremony.ParseAnswers(bytes.NewReader(data))
		if err != nil {
			// Errors never quote an answer (it may be a secret). The
			// ceremony's name may be quoted (an unknown one is clipped);
			// an answer that happens to equal it is not a leak.
			name := ""
			for _, line := range strings.Split(string(data), "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "ceremony" {
					name = strings.TrimSpace(v)
				}
			}
			for _, line := range strings.Split(string(data), "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) != "ceremony" && strings.TrimSpace(v) != name && len(strings.TrimSpace(v)) >= 24 && strings.Contains(err.Error(), strings.TrimSpace(v)) {
					t.Fatalf("error %q quotes an answer", err)
				}
			}
			return
		}
		def, err := ceremony.Lookup(a.Ceremony)
		if err != nil {
			t.Fatalf("parsed a file for unknown ceremony %q", a.Ceremony)
		}
		p, err := ceremony.NewAnswersPrompter(a, def, nil)
		if err != nil {
			return
		}
		// Drive every step once; nothing may panic.
		for _, act := range def.Acts {
			for _, s := range act.Steps {
				pr := ceremony.Prompt{Step: s.ID, Actor: string(s.Actor), Holder: 1, Shown: "x"}
				if s.Confirm == ceremony.Secret {
					p.ShowSecret(pr, []byte("card"))
					p.AskSecret(pr)
				} else {
					p.Ask(pr)
				}
			}
		}
		p.Finish()
	})
}
