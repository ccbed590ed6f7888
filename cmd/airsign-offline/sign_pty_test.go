package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/airsign/airsign/transport/parts"
	"github.com/airsign/airsign/transport/qrcode"
)

// These tests play the operator of a signing session at an 80×24 terminal
// (see terminal in ceremony_pty_test.go): the PSBT checked before anyone
// types a share, a mistyped digest typed again without the shares, and the
// signed PSBT shown as QR codes that fit the screen and scan.

// p1 is the payment of sign.txtar: 1.5 BTC from the "abandon … about" test
// key on regtest, digest ISOLATE DEMISE EXPRESS PIPE.
const p1 = "cHNidP8BAHECAAAAAS0ntwoeWhWRAfdWbGcnRgxnf0yVQTsbhhmOHsP0v8QLAAAAAAD9////AoDR8AgAAAAAFgAU0MSj7wnpl7bpnjl+UY/j5BoRjKG/HRUhAQAAABYAFC80qhzwClOwVaKRoDp9RfCmmItSbgAAAAABAGgBAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/////xZZCCFTcgiG8V1fCy9QMlNIL2J0Y2Qv/////wEA8gUqAQAAABYAFNDEo+8J6Ze26Z45flGP4+QaEYyhAAAAAAEBHwDyBSoBAAAAFgAU0MSj7wnpl7bpnjl+UY/j5BoRjKEiBgLnqyU3tdSelwMJquBunknzbOHJ/rvUTsjg0cygtPnDGRhzxdoKVAAAgAEAAIAAAACAAAAAAAAAAAAAACICA11J7M1U0AmeQ2did8em1GJdYR2oil30m/lReneRp3elGHPF2gpUAACAAQAAgAAAAIABAAAAAAAAAAA="

// highFee is psbt/testdata/attacks/high-fee-rate.psbt: 14,184 sat/vB.
const highFee = "cHNidP8BAHECAAAAAQFsARFi9ctAHYU/yL/RWsejWKMEvD9N4P7OgQvy9geMAAAAAAD9////AoDDyQEAAAAAFgAUypli700yulGiDSLlnnCJVrRCza8AmQ0EAAAAABYAFC80qhzwClOwVaKRoDp9RfCmmItSAAAAAAABAFICAAAAAQEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAChAQAAAAD/////AQDh9QUAAAAAFgAU0MSj7wnpl7bpnjl+UY/j5BoRjKEAAAAAAQEfAOH1BQAAAAAWABTQxKPvCemXtumeOX5Rj+PkGhGMoSIGAuerJTe11J6XAwmq4G6eSfNs4cn+u9ROyODRzKC0+cMZGHPF2gpUAACAAQAAgAAAAIAAAAAAAAAAAAAAIgIDXUnszVTQCZ5DZ2J3x6bUYl1hHaiKXfSb+VF6d5Gnd6UYc8XaClQAAIABAACAAAAAgAEAAAAAAAAAAA=="

// signingDesk writes the PSBTs and splits the test key 2-of-3; it returns
// the directory and two shares as their holders type them.
func signingDesk(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"p1.b64":       p1,
		"highfee.b64":  highFee,
		"mnemonic.txt": "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("airsign-offline", "shares", "split", "-t", "2", "-n", "3", "--mnemonic-file", "mnemonic.txt", "--out-dir", "shares")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AIRSIGN_NETWORK=regtest", "AIRSIGN_ALLOW_ONLINE=1", "XDG_DATA_HOME="+filepath.Join(dir, "data"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("shares split: %v\n%s", err, out)
	}
	var shares []string
	for _, i := range []string{"1", "3"} {
		b, err := os.ReadFile(filepath.Join(dir, "shares", "share-"+i+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		shares = append(shares, strings.TrimSpace(string(b)))
	}
	return dir, shares
}

// TestSignAtATerminal: the operator signs a payment with --qr-term at an
// 80×24 console, mistypes the digest once and types it again, types two
// shares (asked once each), steps through the codes with the arrow keys
// and quits with q. Every code shown fits 80×24 with its caption and the
// codes scan back to the signed PSBT written beside the unsigned one.
func TestSignAtATerminal(t *testing.T) {
	dir, shares := signingDesk(t)
	tm := startTerminal(t, dir, "sign", "p1.b64", "--shares", "--qr-term")

	tm.expect(`Type the confirmation digest shown online: `)
	tm.send("abandon ability able about\r")
	tm.expect(`this is not the PSBT that was prepared online`)
	tm.expect(`Type the confirmation digest shown online: `)
	tm.send("isol demi expr pipe\r")
	for i, s := range shares {
		tm.expect(`Share ` + strconv.Itoa(i+1) + ` \(typed, not shown`)
		tm.send(s + "\r")
	}
	tm.expect(`wrote p1-signed\.psbt`)
	n, err := strconv.Atoi(tm.expect(`code 1 of (\d+)  space: pause`)[1])
	if err != nil || n < 2 {
		t.Fatalf("want a series of codes, got %v", err)
	}
	for i := 2; i <= n; i++ {
		tm.send("\x1b[C") // right arrow: the next code, paused
		tm.expect(regexp.QuoteMeta("code " + strconv.Itoa(i) + " of " + strconv.Itoa(n) + " (paused)"))
	}
	tm.send("q")
	tm.expect(`Carry back to the online machine: p1-signed\.psbt`)
	tm.expect(`airsign-online broadcast p1-signed\.psbt`)
	if err := tm.wait(); err != nil {
		t.Fatalf("sign: %v\n%s", err, tail(tm.screen()))
	}

	screen := tm.screen()
	for _, l := range wideLines(screen) {
		t.Errorf("a line wider than the 80-column terminal:\n%q", l)
	}
	if c := strings.Count(screen, "(typed, not shown"); c != 2 {
		t.Errorf("asked for %d shares, want 2 (the digest retry must not ask again)", c)
	}
	if strings.Contains(strings.ToLower(screen), "isolate") {
		t.Errorf("the offline screen showed the confirmation digest")
	}
	signed, err := os.ReadFile(filepath.Join(dir, "p1-signed.psbt"))
	if err != nil {
		t.Fatal(err)
	}
	frames := qrcode.TerminalFrames(screen[strings.Index(screen, "Showing "):])
	if len(frames) < n {
		t.Fatalf("found %d codes on the screen, want at least %d", len(frames), n)
	}
	c := parts.NewCollector()
	for i, f := range frames {
		lines := strings.Split(f, "\n")
		if len(lines)+1 > 24 {
			t.Errorf("code %d: %d lines and its caption, more than 24", i+1, len(lines))
		}
		if w := len([]rune(lines[0])); w > 80 {
			t.Errorf("code %d is %d characters wide, more than 80", i+1, w)
		}
		texts, err := qrcode.DecodeTerminal(f, false)
		if err != nil {
			t.Fatalf("code %d as shown does not scan: %v\n%q", i+1, err, f)
		}
		c.Add(texts[0])
	}
	got, err := c.PSBT()
	if err != nil || !bytes.Equal(got, signed) {
		t.Fatalf("the codes shown do not give the signed PSBT: %v", err)
	}
}

// TestHighFeeRefusedBeforeShares: a PSBT whose fee the policy refuses is
// refused (exit 3) before the digest or any share is asked for.
func TestHighFeeRefusedBeforeShares(t *testing.T) {
	dir, _ := signingDesk(t)
	tm := startTerminal(t, dir, "sign", "highfee.b64", "--shares", "--out", "s.psbt")
	tm.expect(`REFUSED: transaction: the fee rate 14184\.4 sat/vB`)
	tm.expect(`no share was asked for`)
	refusedBeforeShares(t, tm)
}

// refusedBeforeShares checks the session ended with a refusal (exit 3)
// before the digest or any share was asked for, on lines that fit.
func refusedBeforeShares(t *testing.T, tm *terminal) {
	t.Helper()
	err := tm.wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Fatalf("want exit code 3, got %v", err)
	}
	s := tm.screen()
	if strings.Contains(s, "Share 1") || strings.Contains(s, "confirmation digest shown online") {
		t.Fatalf("asked for the digest or a share before refusing:\n%s", tail(s))
	}
	for _, l := range wideLines(s) {
		t.Errorf("a line wider than the 80-column terminal:\n%q", l)
	}
}

// csi matches the terminal control sequences the QR animation writes.
var csi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// wideLines returns the lines of a terminal's output wider than 80
// columns, which the terminal would wrap wherever they reach its edge.
func wideLines(out string) []string {
	var wide []string
	for _, l := range strings.Split(csi.ReplaceAllString(out, ""), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if i := strings.LastIndexByte(l, '\r'); i >= 0 {
			l = l[i+1:] // a carriage return starts the line over
		}
		if len([]rune(l)) > 80 {
			wide = append(wide, l)
		}
	}
	return wide
}

// TestSignedAgainRefusedBeforeShares: a PSBT this key has signed already
// is refused (exit 3) before the digest or any share is asked for, with
// the next step as a hint, on lines that fit the terminal.
func TestSignedAgainRefusedBeforeShares(t *testing.T) {
	dir, _ := signingDesk(t)
	cmd := exec.Command("airsign-offline", "sign", "p1.b64", "--mnemonic-file", "mnemonic.txt", "--confirm", "isol demi expr pipe", "--out", "s1.psbt")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AIRSIGN_NETWORK=regtest", "AIRSIGN_ALLOW_ONLINE=1", "XDG_DATA_HOME="+filepath.Join(dir, "data"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("first sign: %v\n%s", err, out)
	}
	tm := startTerminal(t, dir, "sign", "s1.psbt", "--shares", "--out", "s2.psbt")
	tm.expect(`every input of key 73c5da0a already carries its signature`)
	tm.expect(`hint: give the PSBT to airsign-online broadcast`)
	refusedBeforeShares(t, tm)
}

// TestWhichKeyAsked: typed shares, no wallet, and a multisig PSBT refused
// for one of the keys its inputs name but not for the others: the operator
// is asked which key the shares rebuild (the fingerprint on the cards),
// and the PSBT is refused before any share.
func TestWhichKeyAsked(t *testing.T) {
	dir, _ := signingDesk(t)
	raw, err := os.ReadFile(filepath.Join("..", "..", "psbt", "testdata", "attacks", "multisig-change-planted-input-path.psbt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ms.psbt"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	tm := startTerminal(t, dir, "sign", "ms.psbt", "--shares", "--out", "s.psbt")
	tm.expect(`The inputs name 3 keys`)
	tm.expect(`Which key do the shares rebuild\? Its fingerprint, from a share card: `)
	tm.send("73c5da0a\r")
	tm.expect(`REFUSED: input 0: names our key at \[73c5da0a\]`)
	tm.expect(`no share was asked for`)
	refusedBeforeShares(t, tm)
}
