package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/airsign/airsign/transport/parts"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/creack/pty"
)

// These tests run airsign-online's --qr-term on a real terminal (a pty of
// a given size), as an operator at a console would: the codes fit it, the
// keys work, and a terminal too small for any code is told what to do.

// console is one airsign-online command on a pty.
type console struct {
	t    *testing.T
	f    *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	pos  int
	done chan error
}

func startConsole(t *testing.T, dir string, cols, rows uint16, args ...string) *console {
	t.Helper()
	bin, err := exec.LookPath("airsign-online")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AIRSIGN_NETWORK=regtest", "AIRSIGN_DATADIR="+filepath.Join(dir, "datadir"), "AIRSIGN_WALLET=", "AIRSIGN_RPC_URL=")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: rows, Cols: cols})
	if err != nil {
		t.Fatal(err)
	}
	c := &console{t: t, f: f, done: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			c.mu.Lock()
			c.out.Write(buf[:n])
			c.mu.Unlock()
			if err != nil {
				break
			}
		}
		c.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		f.Close()
	})
	return c
}

// expect waits until re matches what was shown after the cursor, moves the
// cursor past it and returns the submatches. The bound only stops a hung
// program from hanging the test.
func (c *console) expect(re string) []string {
	c.t.Helper()
	rx := regexp.MustCompile(re)
	for deadline := time.Now().Add(stuckAfter); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		rest := c.out.String()[c.pos:]
		if loc := rx.FindStringSubmatchIndex(rest); loc != nil {
			m := rx.FindStringSubmatch(rest)
			c.pos += loc[1]
			c.mu.Unlock()
			return m
		}
		c.mu.Unlock()
	}
	c.t.Fatalf("no %q on the screen:\n%s", re, c.screen())
	return nil
}

func (c *console) send(keys string) {
	c.t.Helper()
	if _, err := c.f.WriteString(keys); err != nil {
		c.t.Fatal(err)
	}
}

func (c *console) wait() error {
	c.t.Helper()
	select {
	case err := <-c.done:
		return err
	case <-time.After(stuckAfter):
		c.t.Fatalf("the program did not end:\n%s", c.screen())
		return nil
	}
}

func (c *console) screen() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// checkFits decodes every code shown after from and fails when one does
// not fit cols×rows with its caption; it returns the texts read.
func checkFits(t *testing.T, shown string, cols, rows int) []string {
	t.Helper()
	frames := qrcode.TerminalFrames(shown)
	if len(frames) == 0 {
		t.Fatalf("no code on the screen:\n%s", shown)
	}
	var texts []string
	for i, f := range frames {
		lines := strings.Split(f, "\n")
		if len(lines)+1 > rows {
			t.Errorf("code %d: %d lines and its caption, more than %d", i+1, len(lines), rows)
		}
		if w := len([]rune(lines[0])); w > cols {
			t.Errorf("code %d is %d characters wide, more than %d", i+1, w, cols)
		}
		got, err := qrcode.DecodeTerminal(f, false)
		if err != nil {
			t.Fatalf("code %d as shown does not scan: %v", i+1, err)
		}
		texts = append(texts, got[0])
	}
	return texts
}

// TestQRTermAtAConsole: `qr encode --qr-term` at an 80×24 console shows a
// PSBT as a series of codes that each fit, steps through them with the
// right arrow, quits on q, and the codes on the screen give the PSBT back.
func TestQRTermAtAConsole(t *testing.T) {
	src, err := filepath.Abs("../../psbt/testdata/attacks/multisig-change-honest.psbt")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	c := startConsole(t, t.TempDir(), 80, 24, "qr", "encode", src, "--qr-term")
	c.expect(`press q when the other machine has read them all`)
	n, err := strconv.Atoi(c.expect(`code 1 of (\d+)  space: pause`)[1])
	if err != nil || n < 2 {
		t.Fatalf("want a series of codes at 80×24, got %v", err)
	}
	for i := 2; i <= n; i++ {
		c.send("\x1b[C")
		c.expect(regexp.QuoteMeta("code " + strconv.Itoa(i) + " of " + strconv.Itoa(n) + " (paused)"))
	}
	c.send("q")
	if err := c.wait(); err != nil {
		t.Fatalf("qr encode: %v\n%s", err, c.screen())
	}
	col := parts.NewCollector()
	for _, s := range checkFits(t, c.screen(), 80, 24) {
		col.Add(s)
	}
	got, err := col.PSBT()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the codes shown do not give the PSBT back: %v", err)
	}
}

// TestQRTermTooSmall: a terminal no code fits is refused before anything
// is drawn, with the size it needs and what to do instead.
func TestQRTermTooSmall(t *testing.T) {
	src, err := filepath.Abs("../../psbt/testdata/attacks/multisig-change-honest.psbt")
	if err != nil {
		t.Fatal(err)
	}
	c := startConsole(t, t.TempDir(), 40, 12, "qr", "encode", src, "--qr-term")
	if err := c.wait(); err == nil {
		t.Fatal("qr encode --qr-term in a 40×12 terminal succeeded")
	}
	// The error is wrapped to the 40 columns this console has.
	shown := strings.ReplaceAll(c.screen(), "\r\n", "\n")
	for _, l := range strings.Split(shown, "\n") {
		if n := utf8.RuneCountInString(l); n > 40 {
			t.Errorf("a line of %d columns in a 40-column console: %q", n, l)
		}
	}
	said := regexp.MustCompile(`\n +`).ReplaceAllString(shown, " ")
	for _, want := range []string{`the terminal is 40×12 characters, and the smallest QR code that carries a PSBT part needs \d+×\d+`, `hint: .*font smaller.*--qr DIR`} {
		if !regexp.MustCompile(want).MatchString(said) {
			t.Errorf("no %q on the screen:\n%s", want, shown)
		}
	}
	if strings.ContainsRune(c.screen(), '▀') {
		t.Error("a code was drawn in a terminal too small for it")
	}
}

// TestWalletShowQRTermAtAConsole: the watch-only descriptor shown online
// for a phone's wallet fits an 80×24 console too (as a series: one code
// of it would not), and q ends it.
func TestWalletShowQRTermAtAConsole(t *testing.T) {
	dir := t.TempDir()
	imp := startConsole(t, dir, 80, 24, "-w", "a", "wallet", "import", "wpkh([73c5da0a/84h/1h/0h]tpubDC8msFGeGuwnKG9Upg7DM2b4DaRqg3CUZa5g8v2SRQ6K4NSkxUgd7HsL2XVWbVm39yBA4LAxysQAm397zwQSQoQgewGiYZqrA9DsP4zbQ1M/<0;1>/*)#lxek0ef2")
	if err := imp.wait(); err != nil {
		t.Fatalf("wallet import: %v\n%s", err, imp.screen())
	}
	c := startConsole(t, dir, 80, 24, "-w", "a", "wallet", "show", "--qr-term")
	c.expect(`press q when the other machine has read them all`)
	c.expect(`code 1 of \d+  space: pause`)
	c.send("q")
	if err := c.wait(); err != nil {
		t.Fatalf("wallet show: %v\n%s", err, c.screen())
	}
	texts := checkFits(t, c.screen(), 80, 24)
	if !strings.HasPrefix(strings.ToLower(texts[0]), "ur:crypto-output") {
		t.Errorf("the code shown is %q, want a UR crypto-output", texts[0])
	}
}
