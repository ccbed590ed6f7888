package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"
)

// These tests play ceremonies at a real terminal (a pty is the program's
// /dev/tty), as people would, with the slips people make, and check that
// nothing typed correctly is thrown away and that the log tells the truth.

// terminal is one command run on a pty: what it printed, and a cursor past
// what the test has already read.
type terminal struct {
	t    *testing.T
	f    *os.File
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	pos  int
	done chan struct{}
	err  error
}

func startTerminal(t *testing.T, dir string, args ...string) *terminal {
	t.Helper()
	bin, err := exec.LookPath("airsign-offline")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AIRSIGN_NETWORK=regtest", "AIRSIGN_ALLOW_ONLINE=1", "XDG_DATA_HOME="+filepath.Join(dir, "data"))
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	tm := &terminal{t: t, f: f, cmd: cmd, done: make(chan struct{})}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			tm.mu.Lock()
			tm.out.Write(buf[:n])
			tm.mu.Unlock()
			if err != nil {
				break
			}
		}
		tm.err = cmd.Wait()
		close(tm.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		f.Close()
		<-tm.done
	})
	return tm
}

// stuck bounds a wait for output that never comes, so a broken prompt fails
// the test instead of hanging it; no assertion depends on timing.
const stuck = 60 * time.Second

// expect waits until re matches the output after the cursor, moves the
// cursor past the match, and returns the submatches. The screen is wrapped
// to 80 columns, so a space in re (outside a character class) matches
// where a line was broken too.
func (tm *terminal) expect(re string) []string {
	tm.t.Helper()
	rx := regexp.MustCompile(wrapped(re))
	deadline := time.Now().Add(stuck)
	for {
		tm.mu.Lock()
		rest := tm.out.String()[tm.pos:]
		loc := rx.FindStringSubmatchIndex(rest)
		if loc != nil {
			m := rx.FindStringSubmatch(rest)
			tm.pos += loc[1]
			tm.mu.Unlock()
			return m
		}
		tm.mu.Unlock()
		select {
		case <-tm.done:
			tm.mu.Lock()
			rest = tm.out.String()[tm.pos:]
			tm.mu.Unlock()
			if m := rx.FindStringSubmatch(rest); m != nil {
				return m
			}
			tm.t.Fatalf("the program ended (%v) without printing %q; its last output:\n%s", tm.err, re, tail(rest))
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("no %q on the screen; its last output:\n%s", re, tail(rest))
		}
	}
}

// wrapped turns each space of a regular expression, outside character
// classes, into \s+: a space, or a line break and the next line's indent.
func wrapped(re string) string {
	var b strings.Builder
	class := false
	for i := 0; i < len(re); i++ {
		c := re[i]
		switch {
		case c == '\\' && i+1 < len(re):
			b.WriteByte(c)
			i++
			b.WriteByte(re[i])
			continue
		case c == '[':
			class = true
		case c == ']':
			class = false
		case c == ' ' && !class:
			b.WriteString(`\s+`)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}

// answer waits for step's prompt and types keys. The program writes a
// prompt only once the terminal is in raw mode, so the keys cannot arrive
// early.
func (tm *terminal) answer(step, keys string) {
	tm.t.Helper()
	tm.expect(regexp.QuoteMeta("[" + step + "]"))
	tm.send(keys)
}

func (tm *terminal) send(keys string) {
	tm.t.Helper()
	if _, err := tm.f.WriteString(keys); err != nil {
		tm.t.Fatal(err)
	}
}

// wait waits for the program to end and returns its error.
func (tm *terminal) wait() error {
	tm.t.Helper()
	select {
	case <-tm.done:
		return tm.err
	case <-time.After(stuck):
		tm.t.Fatal("the program did not end")
		return nil
	}
}

// screen is everything the program printed.
func (tm *terminal) screen() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// today is the date the witnesses type at step 1.4 (this machine's is as
// good as a calendar here).
func today() string { return time.Now().UTC().Format("2006-01-02") }

// fairRolls are n rolls of a simulated fair die, the same every run.
func fairRolls(n int) string {
	r := rand.New(rand.NewPCG(14, 14))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('1' + r.IntN(6))
	}
	return string(b)
}

// readCard reads the share card shown on screen: rows of block numbers,
// each followed by its row of blocks; the holder copies the blocks only.
func readCard(shown string) string {
	var rows []string
	for _, l := range strings.Split(strings.ReplaceAll(shown, "\r", ""), "\n") {
		if strings.TrimSpace(l) != "" {
			rows = append(rows, l)
		}
	}
	var blocks []string
	for i := 1; i < len(rows); i += 2 {
		blocks = append(blocks, strings.Fields(rows[i])...)
	}
	return strings.Join(blocks, " ")
}

func lastLogRecord(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ls := strings.Split(strings.TrimSpace(string(b)), "\n")
	return ls[len(ls)-1]
}

// keygenAtTerminal starts a 2-of-2 keygen at a terminal and answers up to
// the passphrase (none if pass is empty; else typed with a slip in the
// second entry, then twice right); it returns the work directory, the log
// and the terminal.
func keygenAtTerminal(t *testing.T, pass string) (string, string, *terminal) {
	if testing.Short() {
		t.Skip("plays ceremonies at a terminal")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "ceremony.jsonl")
	tm := startTerminal(t, dir, "ceremony", "keygen", "--log", log, "--export-dir", filepath.Join(dir, "usb"))
	tm.answer("1.1", "Alice\r")
	tm.answer("1.2", "Bob, Carol\r")
	tm.answer("1.3", "BW\r")
	// The date from a witness's calendar: a slip in its shape is asked
	// again, with the shape named.
	tm.answer("1.4", "3.12.2026\r")
	tm.expect(`type the date as YYYY-MM-DD`)
	tm.answer("1.4", today()+"\r")
	tm.expect(`Date recorded: ` + today() + `, typed by the witnesses`)
	tm.answer("2.1", "2 of 2\r")
	if pass == "" {
		tm.answer("2.2", "no\r")
		return dir, log, tm
	}
	tm.answer("2.2", "yes\r")
	tm.answer("2.2", "Dana\r")
	tm.expect(`Dana: type the passphrase \(it is not shown\)`)
	tm.send(pass + "\r")
	tm.expect(`Dana: type the passphrase again`)
	tm.send(pass + "x\r")
	tm.expect(`The two entries differ\. Nothing else is lost: type the passphrase twice again\.`)
	tm.answer("2.2", pass+"\r")
	tm.answer("2.2", pass+"\r")
	tm.expect(`the share cards alone do NOT recover this wallet`)
	return dir, log, tm
}

// A keygen and drill of a wallet with a BIP39 passphrase, with a slip at
// most steps: the passphrase's second entry, the dice, the fingerprint,
// a copy, a share, the passphrase at the drill.
func TestKeygenAndDrillAtATerminal(t *testing.T) {
	const pass = "correct horse 25th word"
	dir, log, tm := keygenAtTerminal(t, pass)

	// The dice: 98 rolls, with a slip corrected by backspace and a key that
	// is not a face; Enter after 98 keeps them and asks for the rest.
	rolls := fairRolls(101)
	tm.expect(`\[2\.3\]`)
	tm.expect(`   0 rolls    0 bits 99 more`)
	tm.send(rolls[:50] + "9" + "4\x7f" + rolls[50:98])
	tm.expect(`  98 rolls  253 bits  1 more \| … `)
	tm.send("\r")
	tm.expect(`98 rolls so far \(253 bits\); roll at least 1 more`)
	tm.expect(`  98 rolls  253 bits  1 more`)
	tm.send(rolls[98:] + "\r")

	// A mistyped fingerprint, then the right one.
	fp := tm.expect(`Read aloud — fingerprint: ([0-9a-f]{8})`)[1]
	wrong := "0" + fp[1:]
	if fp[0] == '0' {
		wrong = "1" + fp[1:]
	}
	tm.answer("2.5", wrong+"\r")
	tm.expect(`That is not the fingerprint on the screen \(` + fp + `\): 8 characters typed, 8 expected; character 1 differs`)
	tm.answer("2.5", strings.ToUpper(fp)+"\r")
	id := tm.expect(`Read aloud — descriptor ID: ([0-9a-f]{8})`)[1]
	tm.answer("2.6", id+"\r")
	setID := tm.expect(`Read aloud — share set id: ([0-9A-Z]+)`)[1]
	tm.answer("3.2", setID+"\r")

	cards := map[int]string{}
	for h := 1; h <= 2; h++ {
		tm.answer("4.1", fmt.Sprintf("Holder %d\r", h))
		tm.expect(`press Enter to show the card\. `)
		tm.send("\r")
		card := tm.expect(`(?s)\n(.*?)After copying every block`)[1]
		cards[h] = readCard(card)
		tm.send("\r")
		tm.answer("4.2", "copied\r")
		if h == 1 {
			// A copy with one block wrong: the card is shown again.
			bad := []byte(cards[h])
			i := len(bad) / 2
			for bad[i] == ' ' {
				i++
			}
			if bad[i] == 'q' || bad[i] == 'Q' {
				bad[i] = 'r'
			} else {
				bad[i] = 'q'
			}
			tm.answer("4.3", string(bad)+"\r")
			tm.expect(`The copy does not match the card`)
			tm.expect(`press Enter to show the card\. `)
			tm.send("\r")
			tm.expect(`After copying every block`)
			tm.send("\r")
		}
		tm.answer("4.3", cards[h]+"\r")
		tm.expect(fmt.Sprintf("Holder %d's copy is correct", h))
		tm.answer("4.4", "CW\r")
	}
	addr := tm.expect(`Read aloud — first receive address: (bcrt1[0-9a-z]+)`)[1]
	tm.answer("5.2", addr[len(addr)-8:]+"\r")
	tm.answer("6.2", "done\r")
	keygenHead := tm.expect(`keygen completed\. Log head: ([a-z ]+)\r?\n`)[1]
	if err := tm.wait(); err != nil {
		t.Fatalf("keygen: %v\n%s", err, tail(tm.screen()))
	}
	checkConsole(t, "keygen with a passphrase", tm.screen())
	logText, _ := os.ReadFile(log)
	for _, want := range []string{`"dice_batches_refused":"0","dice_entries":"2","dice_rolls":"101"`, `"event":"completed"`,
		`"event":"passphrase-chosen","data":{"holder":"Dana","passphrase":"yes"}`} {
		if !bytes.Contains(logText, []byte(want)) {
			t.Fatalf("the keygen log lacks %s", want)
		}
	}
	if bytes.Contains(logText, []byte("horse")) || strings.Contains(tm.screen(), "horse") {
		t.Fatal("the passphrase is in the log or on the screen")
	}
	usb, _ := os.ReadFile(filepath.Join(dir, "usb", "descriptor.txt"))
	if !bytes.Contains(usb, []byte("["+fp+"/")) {
		t.Fatalf("the exported descriptor is not the wallet with the passphrase (%s): %s", fp, usb)
	}
	// The backup sheet tells a stranger the cards alone are not enough,
	// and who keeps the passphrase; never the passphrase.
	sheet, err := os.ReadFile(filepath.Join(dir, "usb", "wallet-sheet-"+id+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`Passphrase: +YES: key `+fp+` needs a BIP39 passphrase .* kept by Dana`).Match(sheet) || bytes.Contains(sheet, []byte("horse")) {
		t.Fatalf("the wallet sheet does not say the key needs Dana's passphrase:\n%s", sheet)
	}

	// The drill: a wrong share then the right one, a mistyped fingerprint
	// from the paper then the right one.
	tm = startTerminal(t, dir, "ceremony", "drill", "--log", log)
	tm.answer("1.1", "Alice\r")
	tm.answer("1.2", "Bob\r")
	tm.answer("1.3", "BW\r")
	tm.answer("1.4", today()+"\r")
	tm.answer("2.1", "Holder 1\r")
	tm.answer("2.2", cards[1]+"\r")
	tm.answer("2.1", "Holder 2\r")
	tm.answer("2.2", cards[1]+"\r")
	tm.expect(`This share is not accepted: share 1 was already entered`)
	tm.answer("2.2", cards[2]+"\r")
	tm.expect(`The wallet's passphrase is asked next`)
	// A mistyped passphrase: the fingerprint on paper names both, and the
	// passphrase is asked again without the shares.
	tm.answer("3.2", "correct horse 26th word\r")
	tm.answer("3.3", fp+"\r")
	tm.expect(`The fingerprint with this passphrase is [0-9a-f]{8}, the checklist says ` + fp + `\.`)
	tm.answer("3.2", pass+"\r")
	tm.answer("3.3", fp+"\r")
	tm.expect(`The fingerprint with the passphrase matches the paper: ` + fp)
	tm.answer("3.4", id+"\r")
	tm.answer("3.5", addr[len(addr)-8:]+"\r")
	tm.expect(`Drill report: PASS`)
	tm.answer("4.3", "BW\r")
	tm.expect(`drill completed\.`)
	if err := tm.wait(); err != nil {
		t.Fatalf("drill: %v", err)
	}
	checkConsole(t, "drill with a passphrase", tm.screen())
	// Before step 3.3 the drill showed none of the paper's values.
	drill := tm.screen()
	if before := drill[:strings.Index(drill, "[3.3]")]; strings.Contains(before, fp) || strings.Contains(before, id) {
		t.Fatal("the drill showed the fingerprint or descriptor ID before the witnesses typed them")
	}

	// The keygen's words still check its records, with the drill after.
	out, err := exec.Command("airsign-offline", "ceremony", "verify-log", log, "--head", keygenHead).CombinedOutput()
	if err != nil || !regexp.MustCompile(`records 1–\d+ match the words of keygen on \S+ \(end of act 6\); \d+ later records follow \(drill on \S+\), chain intact`).Match(out) {
		t.Fatalf("verify-log --head with the keygen's words: %v\n%s", err, out)
	}

	// Ctrl-C at a prompt ends the drill at once, and the log says so.
	tm = startTerminal(t, dir, "ceremony", "drill", "--log", log)
	tm.answer("1.1", "Alice\r")
	tm.answer("1.2", "Bob\r")
	tm.answer("1.3", "BW\r")
	tm.answer("1.4", today()+"\r")
	tm.answer("2.1", "Holder 1\r")
	tm.answer("2.2", cards[1][:10]+"\x03")
	if err := tm.wait(); err == nil {
		t.Fatal("the drill ended without an error after Ctrl-C")
	}
	if last := lastLogRecord(t, log); !strings.Contains(last, `"event":"interrupted"`) || !strings.Contains(last, "Ctrl-C was pressed at holder 1's prompt") {
		t.Fatalf("last record after Ctrl-C: %s", last)
	}
}

// "stop" after a card was shown: the screen and the log say what exists,
// and the set is void.
func TestKeygenStoppedAfterACardAtATerminal(t *testing.T) {
	_, log, tm := keygenAtTerminal(t, "")
	_, _, setID := tm.makeKey()
	tm.answer("4.1", "Holder 1\r")
	tm.expect(`press Enter to show the card\. `)
	tm.send("\r")
	tm.expect(`After copying every block`)
	tm.send("\r")
	tm.answer("4.2", "stop\r")
	tm.expect(`stopped at step 4\.2 \(interrupted\): holder 1 typed stop`)
	tm.expect(`1 card\(s\) of share set ` + setID + ` were shown \(holder 1\)\. This keygen did not finish, so share set ` + setID + ` is VOID`)
	var exit *exec.ExitError
	if err := tm.wait(); !errors.As(err, &exit) {
		t.Fatalf("keygen stopped: %v", err)
	}
	checkConsole(t, "keygen stopped", tm.screen())
	last := lastLogRecord(t, log)
	for _, want := range []string{`"event":"interrupted"`, `"cards_shown":"1"`, `"void_set":"` + setID + `"`, "is VOID: destroy those cards"} {
		if !strings.Contains(last, want) {
			t.Fatalf("the stop record lacks %s: %s", want, last)
		}
	}
}

// screenRows is what an 80-column console shows of output, row by row as
// written: a "\r" redraw keeps the last text of its row, escape sequences
// take no room, a clear screen is a row "\f" (nothing above it is seen).
func screenRows(out string) []string {
	csi := regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)
	var rows []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "\x1b[2J") {
			rows = append(rows, "\f")
			l = l[strings.LastIndex(l, "\x1b[2J"):]
		}
		l = strings.TrimRight(l, "\r")
		l = l[strings.LastIndex(l, "\r")+1:]
		rows = append(rows, csi.ReplaceAllString(l, ""))
	}
	return rows
}

// checkConsole checks a ceremony's screen against an 80×24 console: no row
// passes 80 columns (the console would break it anywhere, a value
// included), and the log head words of every act that a later question
// follows are on screen, within 24 rows of that question's input line, when
// it is asked.
func checkConsole(t *testing.T, name, out string) {
	t.Helper()
	rows := screenRows(out)
	for i, r := range rows {
		if n := utf8.RuneCountInString(r); n > 80 {
			t.Errorf("%s: row %d has %d columns: %q", name, i, n, r)
		}
	}
	head := regexp.MustCompile(`^Log head words: ([a-z]+(?: [a-z]+){5})$`)
	prompt := regexp.MustCompile(`^\[\d+\.\d+\] `)
	act := regexp.MustCompile(`^End of act (\d+)`)
	for i, r := range rows {
		m := head.FindStringSubmatch(r)
		if m == nil || i == 0 || !act.MatchString(rows[i-1]) {
			continue
		}
		q := -1
		for j := i + 1; j < len(rows) && q < 0; j++ {
			if prompt.MatchString(rows[j]) {
				q = j
			}
		}
		if q < 0 {
			continue // the last act: nothing is asked after it
		}
		for q < len(rows)-1 && !strings.HasPrefix(rows[q], ">") && !strings.Contains(rows[q], "press Enter") && !strings.Contains(rows[q], "rolls") {
			q++ // the question's input line
		}
		last := -1
		for j := i; j <= q; j++ {
			switch {
			case rows[j] == "\f":
				last = -1
			case strings.Contains(rows[j], m[1]):
				last = j
			}
		}
		if last < 0 || q-last+1 > 24 {
			t.Errorf("%s: the head words of %s (%q) are not on screen at the question %q, %d rows later:\n%s",
				name, rows[i-1], m[1], rows[q], q-last+1, strings.Join(rows[max(0, last):q+1], "\n"))
		}
	}
}

// Every ceremony's screens fit an 80×24 console: a keygen of 3 shares, a
// drill with a slip in a share, a re-issue. No line passes 80 columns, and
// each act's head words are on screen when the next question is asked (a
// keygen's act 4 used to scroll them away before anything was asked).
func TestCeremonyScreensFitAConsole(t *testing.T) {
	if testing.Short() {
		t.Skip("plays ceremonies at a terminal")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "ceremony.jsonl")
	tm := startTerminal(t, dir, "ceremony", "keygen", "--log", log, "--export-dir", filepath.Join(dir, "usb"))
	tm.opening()
	tm.answer("2.1", "2 of 3\r")
	tm.answer("2.2", "no\r")
	fp, id, _ := tm.makeKey()
	cards := map[int]string{}
	for h := 1; h <= 3; h++ {
		cards[h] = tm.handOut(4, fmt.Sprintf("Holder %d", h))
	}
	addr := tm.expect(`(?s)Read aloud — first receive\s+address: (bcrt1[0-9a-z]+)`)[1]
	tm.answer("5.2", addr[len(addr)-8:]+"\r")
	tm.answer("6.2", "done\r")
	tm.finish("keygen")

	// A drill; the first share is typed short, and the message says so.
	tm = startTerminal(t, dir, "ceremony", "drill", "--log", log)
	tm.opening()
	tm.answer("2.1", "Holder 1\r")
	tm.answer("2.2", cards[1][:len(cards[1])-6]+"\r")
	tm.expect(`This share is not accepted: the share has \d+ characters`)
	tm.answer("2.2", cards[1]+"\r")
	tm.rebuild(fp, id, "Holder 3", cards[3])
	tm.answer("3.5", addr[len(addr)-8:]+"\r")
	tm.answer("4.3", "BW\r")
	tm.finish("drill")

	// A re-issue of 2 new cards from shares 2 and 3.
	tm = startTerminal(t, dir, "ceremony", "reshare", "--log", log)
	tm.opening()
	tm.rebuild(fp, id, "Holder 2", cards[2], "Holder 3", cards[3])
	tm.answer("4.1", "2 of 2\r")
	newSet := tm.expect(`Read aloud — share set id: ([0-9A-Z]+)`)[1]
	tm.answer("4.3", newSet+"\r")
	for h := 1; h <= 2; h++ {
		tm.handOut(5, fmt.Sprintf("New %d", h))
	}
	tm.answer("6.2", "understood\r")
	tm.answer("6.3", "BW\r")
	tm.finish("reshare")
}

// opening answers act 1 of a ceremony: the operator, a witness, the room
// check and the date.
func (tm *terminal) opening() {
	tm.t.Helper()
	tm.answer("1.1", "Alice\r")
	tm.answer("1.2", "Bob\r")
	tm.answer("1.3", "BW\r")
	tm.answer("1.4", today()+"\r")
}

// rebuild types shares (holder name, card, in pairs) at steps 2.1 and 2.2,
// then the fingerprint and descriptor ID from the paper at 3.3 and 3.4.
func (tm *terminal) rebuild(fp, id string, holderCards ...string) {
	tm.t.Helper()
	for i := 0; i+1 < len(holderCards); i += 2 {
		tm.answer("2.1", holderCards[i]+"\r")
		tm.answer("2.2", holderCards[i+1]+"\r")
	}
	tm.answer("3.3", fp+"\r")
	tm.answer("3.4", id+"\r")
}

// handOut plays the card act (its steps act.1 to act.4) for one holder:
// name, card shown and copied, typed back, sealed. It returns the card.
func (tm *terminal) handOut(act int, name string) string {
	tm.t.Helper()
	step := func(n int) string { return fmt.Sprintf("%d.%d", act, n) }
	tm.answer(step(1), name+"\r")
	tm.expect(`press Enter to show the card\. `)
	tm.send("\r")
	card := readCard(tm.expect(`(?s)\n(.*?)After copying every block`)[1])
	tm.send("\r")
	tm.answer(step(2), "copied\r")
	tm.answer(step(3), card+"\r")
	tm.answer(step(4), "CW\r")
	return card
}

// finish waits for a ceremony to complete and checks its screen against
// the console (checkConsole).
func (tm *terminal) finish(name string) {
	tm.t.Helper()
	if err := tm.wait(); err != nil {
		tm.t.Fatalf("%s: %v\n%s", name, err, tail(tm.screen()))
	}
	checkConsole(tm.t, name, tm.screen())
}

// makeKey plays a keygen from the dice (99 fair rolls) to the share set id
// (step 3.2), the values read aloud typed back right; it returns the
// fingerprint, the descriptor ID and the share set id.
func (tm *terminal) makeKey() (fp, id, setID string) {
	tm.t.Helper()
	tm.expect(`\[2\.3\]`)
	tm.expect(`99 more`)
	tm.send(fairRolls(99) + "\r")
	fp = tm.expect(`Read aloud — fingerprint: ([0-9a-f]{8})`)[1]
	tm.answer("2.5", fp+"\r")
	id = tm.expect(`Read aloud — descriptor ID: ([0-9a-f]{8})`)[1]
	tm.answer("2.6", id+"\r")
	setID = tm.expect(`Read aloud — share set id: ([0-9A-Z]+)`)[1]
	tm.answer("3.2", setID+"\r")
	return fp, id, setID
}

// A passphrase "Stop" is a passphrase: a secret prompt never takes what is
// typed as a command. Ctrl-C is how to stop there, and the log then blames
// the key, not a typed word.
func TestStopIsAPassphraseAtATerminal(t *testing.T) {
	_, log, tm := keygenAtTerminal(t, "Stop")
	tm.expect(`\[2\.3\]`)
	tm.expect(`99 more`)
	tm.send("\x03")
	if err := tm.wait(); err == nil {
		t.Fatal("the keygen ended without an error after Ctrl-C")
	}
	logText, _ := os.ReadFile(log)
	if last := lastLogRecord(t, log); !strings.Contains(last, "Ctrl-C was pressed at the operator's prompt") || bytes.Contains(logText, []byte("typed stop")) {
		t.Fatalf("last record %s", last)
	}
	if strings.Contains(tm.screen(), "Stop") || bytes.Contains(logText, []byte("Stop")) {
		t.Fatal("the passphrase is on the screen or in the log")
	}
}
