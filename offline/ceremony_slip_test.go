package offline

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/ceremony"
)

// sweepOnSecondReady leaves the sweep missing at the first "ready" of step
// 6.1 (the operator forgot the USB stick) and writes it at the second.
type sweepOnSecondReady struct {
	*sweepOnReady
	asked int
	steps []string
}

func (s *sweepOnSecondReady) Ask(p ceremony.Prompt) (string, error) {
	s.steps = append(s.steps, p.Step)
	if p.Step == "6.1" {
		s.asked++
		if s.asked == 1 {
			return s.sweepOnReady.Prompter.Ask(p)
		}
	}
	return s.sweepOnReady.Ask(p)
}

// Rotate's "ready" at 6.1 checks the sweep before any old share is typed: a
// missing file is named (once: no doubled "reading the sweep") and ready is
// asked again; the ceremony then completes with nothing lost.
func TestRotateChecksTheSweepAtReady(t *testing.T) {
	dir, res := keygen(t)
	env := testEnv(t)
	def, _ := ceremony.Lookup("rotate")
	text := rotateAnswers("6.1: ready\n6.1: ready\n") + fmt.Sprintf("7.1: H1\n7.2: %s\n7.1: H2\n7.2: %s\n8.3: %s\n8.4: %s\n9.2: @shown\n9.3: W\n9.6: done\n",
		share(t, dir, 1), share(t, dir, 2), res.Made.Fingerprint, res.Made.ID)
	newUSB := filepath.Join(dir, "usb2")
	sweep := filepath.Join(dir, "sweep.psbt")
	var screen bytes.Buffer
	p := &sweepOnSecondReady{sweepOnReady: &sweepOnReady{Prompter: answersTo(t, def, text, &screen), t: t, oldDesc: mustRead(t, filepath.Join(dir, "usb", "descriptor.txt")),
		newDesc: filepath.Join(newUSB, "descriptor.txt"), sweepOut: sweep}}
	got, err := RunCeremony(context.Background(), env, CeremonyOptions{Name: "rotate", Log: filepath.Join(dir, "log.jsonl"), AllowOnline: true,
		ExportDir: newUSB, ShareDir: filepath.Join(dir, "new"), Sweep: sweep, SweepOut: filepath.Join(dir, "sweep-signed.psbt")}, p)
	out := screen.String()
	if err != nil {
		t.Fatalf("rotate: %v\n%s", err, out)
	}
	if got.SweepTxID == "" {
		t.Fatalf("rotate result %+v", got)
	}
	if p.asked != 2 {
		t.Errorf("ready was asked %d times at 6.1, want 2 (the missing sweep asks again)", p.asked)
	}
	if !strings.Contains(out, "The sweep cannot be signed as it is: "+sweep+" is not there: bring the unsigned sweep from the online laptop as that file (--sweep)") {
		t.Errorf("the missing sweep is not named at 6.1:\n%s", out)
	}
	if strings.Contains(out, "reading the sweep: reading the sweep") {
		t.Error("the doubled prefix is back")
	}
	// No old share was asked for before the sweep was checked.
	for i, st := range p.steps {
		if st == "7.2" {
			t.Fatalf("a share was asked (answer %d) before 6.1 passed: %v", i, p.steps)
		}
		if st == "6.1" && p.asked == 2 {
			break
		}
	}
}
