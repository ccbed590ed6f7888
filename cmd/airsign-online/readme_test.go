package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/creack/pty"
)

// TestReadmeWalkthrough runs the README's walk-through (receive, pay, sign,
// broadcast, status, history) command for command as printed, each at a
// terminal (a pty of 80×24), on a real btcd regtest node: an operator types
// the shares and the confirmation digest when asked and answers "y" to
// "send?". Only the placeholders of the README change: /media/usb is a
// temporary directory, bc1q… a regtest payee and TXID the txid broadcast
// printed. A README that drifts from the binaries fails here.
func TestReadmeWalkthrough(t *testing.T) {
	if os.Getenv("AIRSIGN_REGTEST") != "1" {
		t.Skip("set AIRSIGN_REGTEST=1 to run against a real btcd regtest node (make test does)")
	}
	lines := readmeWalkthrough(t, "../../README.md")
	work := t.TempDir()
	usb := filepath.Join(work, "usb")
	bin := filepath.Join(work, "bin")
	for _, d := range []string{usb, bin} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	build := exec.Command("go", "build", "-o", bin, "../airsign-online", "../airsign-offline")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// The key (BIP39's first test mnemonic) as three shares, two of which
	// the operator types; its first receive address is also where the node
	// mines, which is how the walk-through's address gets paid.
	const first = "bcrt1q6rz28mcfaxtmd6v789l9rrlrusdprr9pz3cppk"
	payee := testPayee(t)
	mnemonic := filepath.Join(work, "mnemonic.txt")
	if err := os.WriteFile(mnemonic, []byte(strings.Repeat("abandon ", 11)+"about\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AIRSIGN_NETWORK=regtest", "AIRSIGN_ALLOW_ONLINE=1", "AIRSIGN_DATADIR="+filepath.Join(work, "datadir"),
		"XDG_DATA_HOME="+filepath.Join(work, "data"), "AIRSIGN_WALLET=", "AIRSIGN_SATS=")
	node := filepath.Join(work, "node")
	regtest := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("bash", append([]string{"../../scripts/regtest.sh"}, args...)...)
		cmd.Env = append(os.Environ(), "AIRSIGN_REGTEST_DIR="+node)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("regtest.sh %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	regtest("start", first)
	t.Cleanup(func() { regtest("stop") })
	nodeEnv, err := os.ReadFile(filepath.Join(node, "env"))
	if err != nil {
		t.Fatal(err)
	}
	env = append(env, strings.Fields(string(nodeEnv))...)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env, cmd.Dir = env, work
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
		}
		return string(out)
	}
	run(filepath.Join(bin, "airsign-offline"), "shares", "split", "--mnemonic-file", mnemonic, "-t", "2", "-n", "3", "--out-dir", filepath.Join(work, "shares"))
	desc := strings.TrimSpace(run(filepath.Join(bin, "airsign-offline"), "export", "descriptor", "--mnemonic-file", mnemonic))
	run(filepath.Join(bin, "airsign-online"), "wallet", "import", desc)
	var shares []string
	for _, n := range []string{"1", "3"} {
		b, err := os.ReadFile(filepath.Join(work, "shares", "share-"+n+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		shares = append(shares, strings.TrimSpace(string(b)))
	}

	op := &operator{t: t, shares: shares}
	funded := false
	for _, line := range lines {
		if strings.Contains(line, "utxos") && !funded {
			regtest("mine", "101") // pays the address receive showed; mature after 100 more
			funded = true
		}
		line = strings.NewReplacer("/media/usb", usb, "bc1q…", payee, "TXID", op.txid).Replace(line)
		screen := op.run(line, env, work)
		switch {
		case strings.HasPrefix(line, "airsign-online receive"):
			if !strings.Contains(screen, first) {
				t.Fatalf("receive did not show the wallet's first address %s:\n%s", first, screen)
			}
		case strings.HasPrefix(line, "airsign-offline address"):
			if !strings.Contains(screen, first) {
				t.Fatalf("the offline screen does not show %s:\n%s", first, screen)
			}
		case strings.HasPrefix(line, "airsign-online utxos"):
			if !regexp.MustCompile(`Balance: [1-9][0-9.]* BTC confirmed`).MatchString(screen) {
				t.Fatalf("utxos after the payment:\n%s", screen)
			}
		case strings.HasPrefix(line, "airsign-online broadcast"):
			regtest("mine", "1")
		case strings.HasPrefix(line, "airsign-online status"):
			if !strings.Contains(screen, "1 confirmation,") {
				t.Fatalf("status after a block:\n%s", screen)
			}
		case strings.HasPrefix(line, "airsign-online history"):
			if !strings.Contains(screen, "sent 0.01500000 BTC + fee, 1 confirmation") || !strings.Contains(screen, op.txid) {
				t.Fatalf("history after the payment:\n%s", screen)
			}
		}
	}
	if op.txid == "TXID" || !funded {
		t.Fatalf("the walk-through never broadcast (txid %s) or was never paid", op.txid)
	}
}

// readmeWalkthrough returns the command lines of the README's block marked
// <!-- walkthrough -->, without their comments.
func readmeWalkthrough(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(data), "<!-- walkthrough -->")
	block, _, ok2 := strings.Cut(block, "<!-- walkthrough end -->")
	if !ok || !ok2 {
		t.Fatalf("%s has no <!-- walkthrough --> … <!-- walkthrough end --> block", path)
	}
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(block))
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "```") || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, line)
	}
	if len(lines) < 5 {
		t.Fatalf("the walk-through block holds %d commands", len(lines))
	}
	return lines
}

// operator plays the person at the terminal: types the shares and the
// digest when asked, answers "y" to "send?", and ends a QR animation (q
// offline, Ctrl-C online) once the command has written its file.
type operator struct {
	t      *testing.T
	shares []string
	digest string
	txid   string
}

// stuckAfter bounds a command that waits for input the operator never
// gives, so a broken prompt fails the test instead of hanging it; nothing
// asserted depends on timing.
const stuckAfter = 3 * time.Minute

var (
	sharePrompt  = regexp.MustCompile(`Share (\d+) \(typed, not shown`)
	digestPrompt = regexp.MustCompile(`Type the confirmation digest shown online: `)
	sendPrompt   = regexp.MustCompile(`send\? \[y/N\] `)
	digestShown  = regexp.MustCompile(`Confirmation digest: ([A-Z]+(?: [A-Z]+)*)`)
	txidShown    = regexp.MustCompile(`(?m)^([0-9a-f]{64})\r?$`)
	// qrDone is the animation's own caption, not a line printed before
	// it: those are wrapped to 80 columns, so where they break depends on
	// the temporary directory's length (a "; wrote " split across lines
	// once left the operator waiting for three minutes).
	qrDone = regexp.MustCompile(`q: quit`)
)

// run runs one README line with bash on a pty and returns what it showed.
func (op *operator) run(line string, env []string, dir string) string {
	t := op.t
	t.Helper()
	cmd := exec.Command("bash", "-c", line)
	cmd.Env, cmd.Dir = env, dir
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 80})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var mu sync.Mutex
	var screen bytes.Buffer
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			mu.Lock()
			screen.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				break
			}
		}
		done <- cmd.Wait()
	}()
	answered := 0 // prompts answered so far, counted on the screen
	var lastQ time.Time
	deadline := time.Now().Add(stuckAfter)
	for {
		select {
		case err := <-done:
			out := screen.String()
			if err != nil {
				t.Fatalf("%s: %v\n%s", line, err, out)
			}
			if m := digestShown.FindStringSubmatch(out); m != nil && strings.Contains(line, "prepare") {
				op.digest = m[1]
			}
			if m := txidShown.FindStringSubmatch(out); m != nil && strings.Contains(line, "broadcast") {
				op.txid = m[1]
			}
			return out
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("%s: stuck; its screen:\n%s", line, screen.String())
		}
		mu.Lock()
		out := screen.String()
		mu.Unlock()
		prompts := sharePrompt.FindAllStringIndex(out, -1)
		prompts = append(prompts, digestPrompt.FindAllStringIndex(out, -1)...)
		prompts = append(prompts, sendPrompt.FindAllStringIndex(out, -1)...)
		if len(prompts) > answered {
			last := lastOf(prompts)
			switch {
			case sharePrompt.MatchString(out[last[0]:last[1]]):
				n := len(sharePrompt.FindAllString(out, -1))
				if n > len(op.shares) {
					t.Fatalf("%s: asked for share %d, the operator has %d:\n%s", line, n, len(op.shares), out)
				}
				f.WriteString(op.shares[n-1] + "\r")
			case digestPrompt.MatchString(out[last[0]:last[1]]):
				if op.digest == "" {
					t.Fatalf("%s: asks for the digest before prepare showed one:\n%s", line, out)
				}
				f.WriteString(op.digest + "\r")
			default:
				f.WriteString("y\r")
			}
			answered = len(prompts)
			continue
		}
		if strings.Contains(line, "--qr-term") && qrDone.MatchString(out) && time.Since(lastQ) > 250*time.Millisecond {
			// Both sides' animations quit on q, as their screens say.
			f.WriteString("q")
			lastQ = time.Now()
		}
	}
}

// lastOf is the match that starts last.
func lastOf(locs [][]int) []int {
	last := locs[0]
	for _, l := range locs[1:] {
		if l[0] > last[0] {
			last = l
		}
	}
	return last
}

// testPayee is a regtest address no test key owns.
func testPayee(t *testing.T) string {
	t.Helper()
	a, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{0xee}, 20), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	return a.EncodeAddress()
}
