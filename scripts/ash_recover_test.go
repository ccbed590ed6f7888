package scripts

import (
	"bytes"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/shamir"
	"github.com/airsign/airsign/transport/sheet"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// keyOf is an airsign key made from entropy as airsign makes it (BIP39
// mnemonic, empty passphrase, BIP32 master): the Go side of the test.
func keyOf(t *testing.T, entropy []byte, net *chaincfg.Params) (*hdkeychain.ExtendedKey, shamir.Fingerprint) {
	t.Helper()
	m, err := bip39.EntropyToMnemonic(entropy)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := bip39.Seed(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	master, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := psbt.MasterFingerprint(master)
	if err != nil {
		t.Fatal(err)
	}
	var f shamir.Fingerprint
	copy(f[:], []byte{byte(fp), byte(fp >> 8), byte(fp >> 16), byte(fp >> 24)})
	return master, f
}

// splitTexts splits entropy T of N with airsign's shamir package and
// returns the share texts.
func splitTexts(t *testing.T, entropy []byte, fp shamir.Fingerprint, threshold, count int) []string {
	t.Helper()
	shares, err := shamir.Split(entropy, fp, threshold, count, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range shares {
		text, err := s.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(text))
	}
	return out
}

// pure counts runs, to alternate the RIPEMD-160 implementations.
var pure int

// runRecover runs scripts/ash_recover.py with the shares typed on stdin
// (one in upper case with dashes, as the reading rules allow).
func runRecover(t *testing.T, sheetPath string, shares []string) (string, error) {
	t.Helper()
	in := strings.Join(shares, "\n") + "\n"
	cmd := exec.Command("python3", "ash_recover.py", "--show-secret", "--sheet", sheetPath)
	// Every other run uses the script's own RIPEMD-160, not OpenSSL's.
	pure++
	if pure%2 == 0 {
		cmd.Env = append(os.Environ(), "ASH_PURE_RIPEMD=1")
	}
	cmd.Stdin = strings.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String() + errb.String(), err
}

// TestPythonRecoversFromPaper: a decoder written from docs/shares.md alone,
// in another language (scripts/ash_recover.py, Python standard library
// only), decodes airsign's shares, rebuilds the key (entropy, fingerprint)
// and, from the wallet sheet's text alone, the descriptor and the first
// receive addresses: wpkh, sh(wpkh) and tr at accounts other than 0, on
// testnet and mainnet, and each key of a 2-of-3 multisig.
func TestPythonRecoversFromPaper(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	dir := t.TempDir()
	testnet, mainnet := &chaincfg.TestNet3Params, &chaincfg.MainNetParams
	entropy := func(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }
	type keyed struct {
		entropy []byte
		master  *hdkeychain.ExtendedKey
		fp      shamir.Fingerprint
	}
	mk := func(e []byte, net *chaincfg.Params) keyed {
		m, fp := keyOf(t, e, net)
		return keyed{e, m, fp}
	}
	type wallet struct {
		name string
		d    *descriptor.Descriptor
		keys []keyed
	}
	var wallets []wallet
	for i, c := range []struct {
		kind    descriptor.Kind
		account uint32
		net     *chaincfg.Params
	}{
		{descriptor.WPKH, 2, testnet}, {descriptor.SHWPKH, 5, testnet}, {descriptor.TR, 7, testnet}, {descriptor.TR, 1, mainnet},
	} {
		k := mk(entropy(byte(0x10+i), 16+4*i), c.net)
		d, err := descriptor.New(c.kind, k.master, c.account, c.net)
		if err != nil {
			t.Fatal(err)
		}
		wallets = append(wallets, wallet{c.kind.String(), d, []keyed{k}})
	}
	var ms []keyed
	var cos []descriptor.Key
	for i := 0; i < 3; i++ {
		k := mk(entropy(byte(0x40+i), 32), testnet)
		ak, err := descriptor.AccountKey(descriptor.WSHSortedMulti, k.master, 0, testnet)
		if err != nil {
			t.Fatal(err)
		}
		ms, cos = append(ms, k), append(cos, ak)
	}
	d, err := descriptor.NewSortedMulti(descriptor.WSHSortedMulti, 2, cos, testnet)
	if err != nil {
		t.Fatal(err)
	}
	wallets = append(wallets, wallet{"2-of-3 wsh", d, ms})

	for wi, w := range wallets {
		s, err := sheet.New(w.d, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, s.FileName()+".txt")
		if err := os.WriteFile(path, s.Text(), 0o644); err != nil {
			t.Fatal(err)
		}
		for ki, k := range w.keys {
			texts := splitTexts(t, k.entropy, k.fp, 2, 3)
			// shares 3 and 1, the first typed in capitals with dashes
			typed := []string{strings.ToUpper(strings.ReplaceAll(texts[2], " ", "-")), texts[0]}
			out, err := runRecover(t, path, typed)
			if err != nil {
				t.Fatalf("%s key %d: ash_recover.py failed: %v\n%s", w.name, ki+1, err, out)
			}
			for _, want := range []string{
				"entropy: " + hex.EncodeToString(k.entropy) + "\n",
				"fingerprint: " + k.fp.String() + " (as in the shares)",
				"sheet: descriptor rebuilt: " + w.d.String() + "\n",
				"sheet: wallet ID " + w.d.ID() + "\n",
				"sheet: receive 2 " + s.First[2] + " as on the sheet",
				"\nOK\n",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("%s key %d: output lacks %q:\n%s", w.name, ki+1, want, out)
				}
			}
		}
		if wi == 0 {
			// The decoder refuses what docs/shares.md says to refuse.
			k := w.keys[0]
			texts := splitTexts(t, k.entropy, k.fp, 2, 3)
			other := splitTexts(t, k.entropy, k.fp, 2, 3)
			typo := []byte(texts[1])
			typo[len(typo)-3] ^= 1 // a slip in the checksum block
			for name, c := range map[string]struct {
				shares []string
				want   string
			}{
				"one share":    {texts[:1], "need 2 shares, got 1"},
				"duplicate":    {[]string{texts[0], texts[0]}, "same share given twice"},
				"two sets":     {[]string{texts[0], other[1]}, "two splits mixed"},
				"typo":         {[]string{texts[0], string(typo)}, ""},
				"other wallet": {splitTexts(t, wallets[4].keys[0].entropy, wallets[4].keys[0].fp, 2, 2), "is not in the sheet's wallet"},
			} {
				out, err := runRecover(t, path, c.shares)
				if err == nil || !strings.Contains(out, c.want) {
					t.Errorf("%s: exit %v, output %q, want a refusal containing %q", name, err, out, c.want)
				}
			}
		}
	}
}

// TestPythonSLIP132: --slip132 gives Electrum the cosigner key airsign's
// Coldcard export gives for the same key (export_xpub.txtar's key).
func TestPythonSLIP132(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	out, err := exec.Command("python3", "ash_recover.py", "--slip132",
		"tpubDFH9dgzveyD8zTbPUFuLrGmCydNvxehyNdUXKJAQN8x4aZ4j6UZqGfnqFrD4NqyaTVGKbvEW54tsvPTK2UoSbCC1PJY8iCNiwTL3RWZEheQ", "--type", "wsh").CombinedOutput()
	want := "Vpub5n95dMZrDHj6SeBgJ1oz4Fae2N2eJNuWK3VTKDb2dzGpMFLUHLmtyDfen7AaQxwQ5mZnMyXdVrkEaoMLVTH8FmVBRVWPGFYWhmtDUGehGmq\n"
	if err != nil || string(out) != want {
		t.Fatalf("--slip132: %v %q, want %q", err, out, want)
	}
}

// runArgs runs scripts/ash_recover.py with args and stdin; it returns
// stdout and stderr together and whether it exited 0.
func runArgs(t *testing.T, stdin string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command("python3", append([]string{"ash_recover.py"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

// TestPythonMessages: what ash_recover.py says to a stranger with cards
// and a sheet: a typo is named by the card's share number and the block,
// an invalid character is named with the alphabet's rule, a bad share
// among more than T is left out (and named) and the good ones used, a
// missing share names the set to look for; a passphrase sheet names the
// passphrase's holder (and --show-xprv warns it is the words-only key);
// a cosigner key's own sheet is not "OK": the wallet is the multisig.
func TestPythonMessages(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	dir := t.TempDir()
	net := &chaincfg.TestNet3Params
	e := bytes.Repeat([]byte{0x21}, 16)
	master, fp := keyOf(t, e, net)
	texts := splitTexts(t, e, fp, 2, 3)
	compact := func(s string) string { return strings.ReplaceAll(s, " ", "") }
	typo := []byte(compact(texts[2]))
	typo[4*6+1] = map[bool]byte{true: 'q', false: 'p'}[typo[4*6+1] != 'q'] // block 7
	for _, c := range []struct {
		name, in string
		ok       bool
		want     []string
	}{
		{"typo first", string(typo) + "\n" + texts[0] + "\n", false, []string{"line 1 (share 3 of its set): checksum mismatch: block 7 looks mistyped"}},
		{"bad character", compact(texts[0])[:12] + "b" + compact(texts[0])[13:] + "\n", false,
			[]string{"'b' in block 4 is not a share character", "never b, i, o or 1 after ash1"}},
		{"three, one bad", texts[0] + "\n" + texts[1] + "\n" + string(typo) + "\n", true,
			[]string{"left out: line 3 (share 3 of its set): checksum mismatch: block 7", "2 good shares are enough", "\nOK\n"}},
		{"one share", texts[0] + "\n", false, []string{"need 2 shares, got 1: find another card of set "}},
	} {
		out, ok := runArgs(t, c.in)
		if ok != c.ok {
			t.Errorf("%s: exit 0 = %v, want %v:\n%s", c.name, ok, c.ok, out)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", c.name, w, out)
			}
		}
	}

	// A passphrase wallet's sheet: the wallet is the words with a passphrase.
	pm, err := bip39.EntropyToMnemonic(e)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := bip39.Seed(pm, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	withPass, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	write := func(d *descriptor.Descriptor, edit func(*sheet.Sheet)) string {
		s, err := sheet.New(d, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		edit(s)
		path := filepath.Join(dir, s.FileName()+".txt")
		if err := os.WriteFile(path, s.Text(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	pd, err := descriptor.New(descriptor.WPKH, withPass, 0, net)
	if err != nil {
		t.Fatal(err)
	}
	pfp := pd.Keys()[0].MasterFingerprint
	pp := write(pd, func(s *sheet.Sheet) {
		s.PassphraseKeys, s.PassphraseHolder = []string{hex.EncodeToString(pfp[:])}, "Dana Holder"
	})
	two := texts[0] + "\n" + texts[1] + "\n"
	out, ok := runArgs(t, two, "--sheet", pp, "--show-xprv")
	for _, w := range []string{"this wallet needs Dana Holder's BIP39 passphrase", "use the words", "WARNING: the sheet says this wallet needs Dana Holder's BIP39 passphrase; this xprv is of the words ALONE"} {
		if ok || !strings.Contains(strings.ToLower(out), strings.ToLower(w)) {
			t.Errorf("passphrase sheet: exit 0 = %v, output lacks %q:\n%s", ok, w, out)
		}
	}
	if strings.Contains(out, "is not in the sheet's wallet") {
		t.Errorf("passphrase sheet: still says only that the key is not in the wallet:\n%s", out)
	}

	// A key made as a multisig cosigner: its own single-key sheet is not
	// the wallet; the multisig's sheet is.
	sd, err := descriptor.New(descriptor.WPKH, master, 0, net)
	if err != nil {
		t.Fatal(err)
	}
	cos, err := descriptor.AccountKey(descriptor.WSHSortedMulti, master, 0, net)
	if err != nil {
		t.Fatal(err)
	}
	own := write(sd, func(s *sheet.Sheet) { s.Cosigner = &cos })
	out, ok = runArgs(t, two, "--sheet", own)
	if ok || strings.Contains(out, "\nOK\n") || !strings.Contains(out, "NOT the wallet: the key is a COSIGNER of a multisig") ||
		!strings.Contains(out, "gives the sheet's cosigner xpub "+cos.XPub.String()) {
		t.Errorf("cosigner key on its own sheet: exit 0 = %v:\n%s", ok, out)
	}
	var keys []descriptor.Key
	keys = append(keys, cos)
	for i := byte(0); i < 2; i++ {
		m, _ := keyOf(t, bytes.Repeat([]byte{0x60 + i}, 16), net)
		k, err := descriptor.AccountKey(descriptor.WSHSortedMulti, m, 0, net)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	md, err := descriptor.NewSortedMulti(descriptor.WSHSortedMulti, 2, keys, net)
	if err != nil {
		t.Fatal(err)
	}
	if out, ok := runArgs(t, two, "--sheet", write(md, func(*sheet.Sheet) {})); !ok || !strings.HasSuffix(out, "\nOK\n") {
		t.Errorf("cosigner key on the multisig's sheet: exit 0 = %v:\n%s", ok, out)
	}
}

// TestPythonHelp: every option of ash_recover.py says what it does.
func TestPythonHelp(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	out, ok := runArgs(t, "", "--help")
	if !ok {
		t.Fatalf("--help fails:\n%s", out)
	}
	for _, opt := range []string{"--share-file FILE", "--sheet SHEET.txt", "--show-secret", "--show-xprv", "--slip132 XPUB", "--type {wsh,sh-wsh}"} {
		i := strings.Index(out, "  "+opt)
		if i < 0 {
			t.Errorf("--help lacks %s:\n%s", opt, out)
			continue
		}
		line := strings.SplitN(out[i+2+len(opt):], "\n", 2)[0]
		if strings.TrimSpace(line) == "" {
			t.Errorf("--help: %s has no description on its line:\n%s", opt, out)
		}
	}
	if !strings.Contains(out, "BIP39 mnemonic") {
		t.Errorf("--help does not say --show-secret prints the words:\n%s", out)
	}
}
