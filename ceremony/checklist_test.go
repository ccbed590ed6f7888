package ceremony

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite ../CEREMONY.md from the definitions")

// TestCeremonyDocIsFresh fails when CEREMONY.md at the repository root is not
// what the definitions generate. `make ceremony-doc` runs it with -update.
func TestCeremonyDocIsFresh(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDocument(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "CEREMONY.md")
	if *update {
		if err := writeFileAtomic(path, b.Bytes()); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run make ceremony-doc)", err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		hl, wl := strings.Split(string(have), "\n"), strings.Split(b.String(), "\n")
		for i := 0; i < len(hl) || i < len(wl); i++ {
			var h, w string
			if i < len(hl) {
				h = hl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if h != w {
				t.Fatalf("CEREMONY.md is stale (first difference at line %d); run make ceremony-doc\n have: %s\n want: %s", i+1, h, w)
			}
		}
	}
}

// writeFileAtomic is the test's own: the package itself never writes files.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".CEREMONY-*.md")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func TestChecklistCoversEveryStep(t *testing.T) {
	for _, d := range Definitions() {
		var b bytes.Buffer
		if err := Checklist(&b, d.Name); err != nil {
			t.Fatal(err)
		}
		doc := b.String()
		for _, want := range []string{"## " + d.Title, "| Name | Role | Signature | Time |", "### Sign-off", "Operator: ____"} {
			if !strings.Contains(doc, want) {
				t.Errorf("%s: checklist lacks %q", d.Name, want)
			}
		}
		for _, a := range d.Acts {
			if !strings.Contains(doc, "End of act "+strconv.Itoa(a.Number)+" — write the log head words") {
				t.Errorf("%s act %d: no line for the head words", d.Name, a.Number)
			}
			for _, s := range a.Steps {
				line := "**" + s.ID + " " + s.Title + "** (" + stepWho(&s) + ") — " + s.Instruction
				if !strings.Contains(doc, line) {
					t.Errorf("%s: step %s missing or different on paper", d.Name, s.ID)
				}
				if a.Repeat == Once && !strings.Contains(doc, "- [ ] "+line) {
					t.Errorf("%s: step %s has no box to tick", d.Name, s.ID)
				}
			}
		}
		for _, w := range d.Warnings {
			if !strings.Contains(doc, "> **Important.** "+w) {
				t.Errorf("%s: warning not printed", d.Name)
			}
		}
	}
	var b bytes.Buffer
	if err := Checklist(&b, "party"); err == nil || !strings.Contains(err.Error(), "keygen, drill, reshare, rotate") {
		t.Fatalf("unknown ceremony: %v", err)
	}
}

func TestReshareSaysOldSharesStillWork(t *testing.T) {
	var b bytes.Buffer
	Checklist(&b, "reshare")
	for _, want := range []string{"The old shares still rebuild the same key", "run the rotate ceremony", "the old shares still rebuild the same key. To cut off a holder who left, run rotate."} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("reshare checklist lacks %q", want)
		}
	}
}

func TestDefinitions(t *testing.T) {
	names := map[string]bool{}
	for _, d := range Definitions() {
		if err := d.Validate(); err != nil {
			t.Fatal(err)
		}
		if names[d.Name] {
			t.Fatalf("ceremony %s twice", d.Name)
		}
		names[d.Name] = true
		ids := map[string]bool{}
		for _, a := range d.Acts {
			for _, s := range a.Steps {
				if ids[s.ID] {
					t.Fatalf("%s: step %s twice", d.Name, s.ID)
				}
				ids[s.ID] = true
				if s.Confirm == Secret && s.Actor == Witness {
					t.Errorf("%s %s: witnesses never enter secrets", d.Name, s.ID)
				}
				if len(s.Instruction) > 400 {
					t.Errorf("%s %s: instruction too long for paper (%d chars)", d.Name, s.ID, len(s.Instruction))
				}
			}
		}
		if d.Acts[0].Steps[4].do == nil || d.Acts[0].Steps[4].Confirm != Auto {
			t.Errorf("%s: the air-gap self-check is not step 1.5", d.Name)
		}
		if s := d.Acts[0].Steps[3]; s.Title != "Date" || s.Actor != Witness || s.Box == "" || s.check == nil {
			t.Errorf("%s: step 1.4 is not the witnesses' date with a box on paper", d.Name)
		}
	}
	for _, want := range []string{"keygen", "drill", "reshare", "rotate"} {
		if !names[want] {
			t.Errorf("no %s ceremony", want)
		}
		if d, err := Lookup(want); err != nil || d.Name != want {
			t.Errorf("Lookup(%s): %v", want, err)
		}
	}
	// Each call returns a fresh copy: changing one does not change another.
	k := Keygen()
	k.Acts[0].Steps[0].Title = "changed"
	if Keygen().Acts[0].Steps[0].Title == "changed" {
		t.Fatal("definitions are shared")
	}
	// Broken definitions are refused.
	bad := Keygen()
	bad.Acts[1].Steps[1].ID = "2.9"
	if bad.Validate() == nil {
		t.Error("a misnumbered step passed")
	}
	bad = Keygen()
	bad.Acts[1].Steps[3].Actor = Operator // 2.4, the key
	if bad.Validate() == nil {
		t.Error("an automatic step by the operator passed")
	}
}

// Everything a later ceremony asks the witnesses to type from paper has a
// box on the keygen and the rotate checklists, and every pause of the
// program is on paper.
func TestChecklistHasEveryBoxAndPause(t *testing.T) {
	for _, d := range []*Definition{Keygen(), Rotate()} {
		boxes := map[string]bool{}
		for _, a := range d.Acts {
			for _, s := range a.Steps {
				boxes[s.Box] = true
			}
		}
		for _, other := range Definitions() {
			for _, a := range other.Acts {
				for _, s := range a.Steps {
					if s.Paper != "" && !boxes[s.Paper] {
						t.Errorf("%s step %s asks for box %q, which the %s checklist lacks", other.Name, s.ID, s.Paper, d.Name)
					}
				}
			}
		}
		for _, want := range []string{"Descriptor ID", "First receive address (all of it)", "Share set id", "Fingerprint"} {
			if !boxes[want] {
				t.Errorf("the %s checklist has no box %q", d.Name, want)
			}
		}
	}
	var b bytes.Buffer
	if err := WriteChecklist(&b, Keygen()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{PauseShowCard, PauseClearCard} {
		if !strings.Contains(b.String(), "Pause: "+p) {
			t.Errorf("the checklist lacks the pause %q", p)
		}
	}
	d := Drill()
	var paper int
	for _, a := range d.Acts {
		for _, s := range a.Steps {
			if s.Paper != "" {
				paper++
			}
		}
	}
	if paper != 3 {
		t.Errorf("the drill checks %d values on paper, want fingerprint, descriptor ID and first address", paper)
	}
}

// TestSigningSheet: `ceremony checklist sign` prints the signing sheet,
// with a box for every value a signing later asks for under the name the
// program uses (the log head words, for --log-head) and the values the
// witness compares; CEREMONY.md carries it too.
func TestSigningSheet(t *testing.T) {
	var b bytes.Buffer
	if err := Checklist(&b, "sign"); err != nil {
		t.Fatal(err)
	}
	sheet := b.String()
	for _, want := range []string{"| Log head words |", "| Previous log head words |", "--log-head", "| Confirmation digest |", "| Transaction |", "| Key |", "| Witness | | |"} {
		if !strings.Contains(sheet, want) {
			t.Errorf("the signing sheet lacks %q:\n%s", want, sheet)
		}
	}
	var doc bytes.Buffer
	if err := WriteDocument(&doc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.String(), "## Signing session — `airsign-offline sign`") {
		t.Error("CEREMONY.md has no signing sheet")
	}
}
