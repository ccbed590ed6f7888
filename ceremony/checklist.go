package ceremony

import (
	"fmt"
	"io"
	"strings"
)

// roleDuties describes each role on paper.
var roleDuties = map[Role]string{
	Operator: "works the offline laptop's keyboard and reads the screen aloud.",
	Witness:  "watches every step, compares the values read aloud with this paper, writes them in the boxes and initials each step. At least one, better two.",
	Holder:   "receives or brings one share card, types it when asked, and keeps it sealed. Nobody else sees a holder's card.",
}

const headWordsLine = "`______ ______ ______ ______ ______ ______`"

// holderRows is how many rows a per-holder grid prints; more holders add
// rows by hand.
const holderRows = 5

// WriteChecklist writes the printable paper checklist of the given
// ceremonies as Markdown that also reads well as plain text: for each, the
// purpose, warnings, roles, a participants table, every step with a box to
// tick, initials and time, the boxes for values to write down, the line for
// the log head words after each act, and a sign-off. CEREMONY.md is this
// function's output for Definitions(), so paper and program cannot drift.
func WriteChecklist(w io.Writer, defs ...*Definition) error {
	var b strings.Builder
	b.WriteString("# airsign ceremony checklists\n\n")
	b.WriteString("<!-- Generated from the definitions in ceremony/ by `make ceremony-doc`. Do not edit: " +
		"a test fails when this file and the program disagree. -->\n\n")
	b.WriteString("Print the checklist of the ceremony you are about to run, one copy per witness " +
		"(`airsign-offline ceremony checklist NAME` prints one). The program shows the same step numbers as this paper.\n\n")
	b.WriteString("How to use it:\n\n")
	b.WriteString("- Do the steps in order. When a step is done, tick its box and write your initials and the time.\n")
	b.WriteString("- *Read aloud*: one person reads the value from the screen; the witnesses compare it with this paper or write it in the box.\n")
	b.WriteString("- *Secret entry*: only the person named types, and nobody else looks. Secrets are never written on this paper.\n")
	b.WriteString("- At the end of each act the screen shows six log head words (again just before the next question, when the program has printed more since). Write them on that act's line. " +
		"They let anyone check later that the log was not changed: `airsign-offline ceremony verify-log LOGFILE --head \"WORDS\"`.\n")
	b.WriteString("- A slip costs a retry, never the work done: a mistyped value is asked again with what differs named; a short dice entry is kept and continued; " +
		"dice refused as implausible are rolled again at the same step. Type `stop` at a prompt that shows what is typed, or press Ctrl-C at any prompt, to end the ceremony at once; the log records it. At a *secret entry* only Ctrl-C stops: what is typed there is never taken as a command.\n")
	b.WriteString("- *Dice* are shown on screen as they are typed, with the count and the entropy so far: the rolls are mixed with the computer's own randomness, " +
		"so seeing them does not reveal the key. Still, nobody writes them down or films them.\n")
	b.WriteString("- *Press Enter* pauses are listed under their step: the program waits there.\n")
	b.WriteString("- If the ceremony stops early, the screen says where, what exists outside the program, and shows head words: write all three under the last act reached, " +
		"and tick \"stopped\" in the sign-off.\n\n")
	b.WriteString("**A ceremony is all or nothing; there is no resume.** A key generation, re-issue or rotation stopped after a card was shown is *void*: " +
		"the screen and the log list the cards shown and the files exported; destroy those cards in front of the witnesses, delete the exported files, and run the ceremony again " +
		"from the start. The program refuses a void set's shares, and a void wallet never becomes the record drills compare with. " +
		"(Resuming would need the wiped key back, and witnesses would sign for steps they did not see.) " +
		"The one exception: a rotation stopped after its sweep was signed keeps its new cards, since the sweep pays the new wallet.\n\n")
	b.WriteString("**A drill tests the paper.** The witnesses type the fingerprint, the descriptor ID and the first address's last 8 characters from the boxes of the " +
		"key generation checklist before the program shows the rebuilt key's; a paper that does not match fails the drill, naming the difference.\n\n")
	if len(defs) > 1 {
		b.WriteString("Ceremonies:\n\n")
		for i, d := range defs {
			fmt.Fprintf(&b, "%d. %s (`%s`)\n", i+1, d.Title, d.Name)
		}
		b.WriteString("\n")
	}
	for _, d := range defs {
		if err := d.Validate(); err != nil {
			return err
		}
		writeCeremony(&b, d)
	}
	b.WriteString("---\n\n## Checking a ceremony log\n\n")
	b.WriteString("`airsign-offline ceremony verify-log LOGFILE --head \"WORDS\"` checks the whole log and that it ends with the words written at the end of the last act; " +
		"it names the first record that was edited, removed, inserted or moved. The words written at the end of any act of any ceremony check the records up to that act: " +
		"\"records 1–34 match the words of keygen on DATE (end of act 6); 66 later records follow (drill on DATE), chain intact\". " +
		"The later records are checked with the words written at their own ceremonies.\n\n")
	b.WriteString("Without airsign: the log has one JSON record per line. Each record's `prev` is the SHA-256 of the line before it (its exact bytes, without the line end); " +
		"the first record's `prev` is the SHA-256 of the text `airsign ceremony log v1`. For example, `sed -n 3p LOGFILE | tr -d '\\n' | sha256sum` must equal the `prev` of line 4. " +
		"The head words are the first six bytes of the last line's SHA-256 in Bytewords (Blockchain Commons BCR-2020-012), one word per byte.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// Checklist writes the paper checklist of the ceremony named name, for
// `airsign-offline ceremony checklist NAME`; "sign" is the signing sheet.
func Checklist(w io.Writer, name string) error {
	if name == "sign" {
		if _, err := io.WriteString(w, "# airsign signing sheet\n\n"); err != nil {
			return err
		}
		return WriteSigningSheet(w)
	}
	d, err := Lookup(name)
	if err != nil {
		return err
	}
	return WriteChecklist(w, d)
}

func writeCeremony(b *strings.Builder, d *Definition) {
	fmt.Fprintf(b, "---\n\n## %s — `airsign-offline ceremony %s`\n\n%s\n\n", d.Title, d.Name, d.Purpose)
	for _, w := range d.Warnings {
		fmt.Fprintf(b, "> **Important.** %s\n>\n", w)
	}
	if len(d.Warnings) > 0 {
		trimLast(b, ">\n")
		b.WriteString("\n")
	}
	b.WriteString("**Roles**\n\n")
	seen := map[Role]bool{}
	for _, r := range d.Participants {
		if !seen[r] {
			seen[r] = true
			fmt.Fprintf(b, "- **%s** — %s\n", r.Title(), roleDuties[r])
		}
	}
	b.WriteString("\n**Participants**\n\n| Name | Role | Signature | Time |\n|------|------|-----------|------|\n")
	for _, r := range d.Participants {
		fmt.Fprintf(b, "| | %s | | |\n", r.Title())
	}
	b.WriteString("\nDate: ______________  Place: ______________  This copy belongs to: ______________\n\n")
	for _, a := range d.Acts {
		writeAct(b, &a)
	}
	b.WriteString("### Sign-off\n\n")
	b.WriteString("The ceremony [ ] completed  [ ] stopped at step ______ because: ____________________________\n\n")
	b.WriteString("If it stopped: what the screen says exists (cards shown, files exported): ____________________________  " +
		"Void cards destroyed in front of the witnesses [ ]  Exported files deleted [ ]\n\n")
	b.WriteString("Operator: ______________________  Witness: ______________________  Witness: ______________________\n\n")
}

// stepWho is the "(who, how)" of a step on paper.
func stepWho(s *Step) string {
	if s.Confirm == Auto {
		return "done by the program"
	}
	return strings.ToLower(s.Actor.Title()) + ", " + s.Confirm.String()
}

// boxLine is the blank to write a value in, long enough for it: a whole
// address needs room for 62 characters in groups of four.
func boxLine(box string) string {
	if strings.Contains(box, "address (all of it)") {
		return "`____ ____ ____ ____ ____ ____ ____ ____`\n    `____ ____ ____ ____ ____ ____ ____ ____`"
	}
	return "________________________________"
}

func trimLast(b *strings.Builder, suffix string) {
	s := strings.TrimSuffix(b.String(), suffix)
	b.Reset()
	b.WriteString(s)
}

func writeAct(b *strings.Builder, a *Act) {
	fmt.Fprintf(b, "### Act %d — %s", a.Number, a.Title)
	switch a.Repeat {
	case EachHolder:
		b.WriteString(" (for each holder)\n\nDo these steps once for each holder in turn, then tick that holder's row in the table below.\n\n")
	case EachShare:
		b.WriteString(" (for each share)\n\nDo these steps once for each holder who brings a share, until the program says it has enough; tick a row per holder.\n\n")
	default:
		b.WriteString("\n\n")
	}
	for _, s := range a.Steps {
		box := "[ ] "
		if a.Repeat != Once {
			box = ""
		}
		fmt.Fprintf(b, "- %s**%s %s** (%s) — %s\n", box, s.ID, s.Title, stepWho(&s), s.Instruction)
		if s.Confirm == Ack {
			fmt.Fprintf(b, "  - Typed: `%s`\n", s.Word)
		}
		for _, p := range s.Pauses {
			fmt.Fprintf(b, "  - [ ] Pause: %s.\n", p)
		}
		if s.Box != "" {
			fmt.Fprintf(b, "  - %s: %s\n", s.Box, boxLine(s.Box))
		}
		if a.Repeat == Once {
			b.WriteString("  - Initials: ________  Time: ________\n")
		}
	}
	b.WriteString("\n")
	if a.Repeat != Once {
		noun := "Holder"
		if a.Repeat == EachShare {
			noun = "Share no."
		}
		fmt.Fprintf(b, "| %s | Name |", noun)
		for _, s := range a.Steps {
			fmt.Fprintf(b, " %s |", s.ID)
		}
		b.WriteString(" Initials | Time |\n|---|---|")
		for range a.Steps {
			b.WriteString("---|")
		}
		b.WriteString("---|---|\n")
		for i := 1; i <= holderRows; i++ {
			num := fmt.Sprint(i)
			if a.Repeat == EachShare {
				num = ""
			}
			fmt.Fprintf(b, "| %s | |", num)
			for range a.Steps {
				b.WriteString(" [ ] |")
			}
			b.WriteString(" | |\n")
		}
		fmt.Fprintf(b, "\nMore than %d? Add rows by hand.\n\n", holderRows)
	}
	fmt.Fprintf(b, "End of act %d — write the log head words shown on screen: %s\n\n", a.Number, headWordsLine)
}
