package offline

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/shamir"
	"github.com/btcsuite/btcd/chaincfg"
)

// holderPrompter plays the people at the table: it answers the digest
// prompt with digests in turn and the share prompts with shares, and
// counts the share prompts.
type holderPrompter struct {
	digests []string
	shares  [][]byte
	asked   int    // share prompts
	lines   int    // digest prompts
	which   int    // "which key" prompts
	key     string // the answer to "which key" (the test key's if empty)
}

func (p *holderPrompter) ReadSecret(prompt string) ([]byte, error) {
	p.asked++
	if len(p.shares) == 0 {
		return nil, errors.New("no more shares")
	}
	s := p.shares[0]
	p.shares = p.shares[1:]
	return bytes.Clone(s), nil
}

func (p *holderPrompter) ReadLine(prompt string) (string, error) {
	if strings.HasPrefix(prompt, "Which key") {
		p.which++
		if p.key != "" {
			return p.key, nil
		}
		return "73c5da0a", nil // printed on the test key's share cards
	}
	p.lines++
	if len(p.digests) == 0 {
		return "", errors.New("no more digests")
	}
	d := p.digests[0]
	p.digests = p.digests[1:]
	return d, nil
}

// testShares splits the "abandon … about" test key (the attack corpus'
// key) 2-of-3 and returns two shares as a holder types them.
func testShares(t *testing.T) [][]byte {
	t.Helper()
	key, err := KeyFromEntropy(make([]byte, 16), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	defer key.Wipe()
	shares, err := shamir.Split(make([]byte, 16), shamirFingerprint(key.Fingerprint), 2, 3, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, s := range shares[:2] {
		text, err := s.AppendText(nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, text)
	}
	return out
}

// testEnrollment enrolls the test key's wpkh account 0 descriptor.
func testEnrollment(t *testing.T, dir string) string {
	t.Helper()
	net := &chaincfg.RegressionNetParams
	mnemonic := filepath.Join(dir, "mnemonic.txt")
	if err := os.WriteFile(mnemonic, []byte("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := KeyFromEntropy(make([]byte, 16), net)
	if err != nil {
		t.Fatal(err)
	}
	d, err := key.Descriptor(descriptor.WPKH, 0, net)
	key.Wipe()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "wallet.json")
	var buf bytes.Buffer
	env := &Env{Stdout: &buf, Stderr: &buf, Net: net}
	if err := Enroll(env, EnrollOptions{Key: KeySource{MnemonicFile: mnemonic}, Descriptor: d.String(), Out: out}); err != nil {
		t.Fatalf("enroll: %v\n%s", err, buf.String())
	}
	return out
}

// needsKeyWithoutWallet are the attacks only the key (or an enrolled
// wallet) can see: an attacker's output dressed as our change, or their
// coin dressed as ours, with the attacker's own key under our fingerprint
// is told from ours only by deriving ours.
var needsKeyWithoutWallet = map[string]bool{"fake-change": true, "input-foreign-key-our-fingerprint": true}

// TestSignRefusesBeforeShares runs sign over the whole attack corpus with
// holders who type shares: a PSBT that is refused must be refused before
// the first share is asked for (with an enrolled wallet, every one; without,
// every one but those that only the key can see). With typed shares and a
// PSBT whose inputs name several keys, the operator names the key first.
func TestSignRefusesBeforeShares(t *testing.T) {
	files, err := filepath.Glob("../psbt/testdata/attacks/*.psbt")
	if err != nil || len(files) < 20 {
		t.Fatalf("attack corpus not found: %v (%d files)", err, len(files))
	}
	shares := testShares(t)
	dir := t.TempDir()
	wallet := testEnrollment(t, dir)
	refusedBeforeKey, askedWhich := 0, 0
	// How much is known of the key before it is rebuilt: an enrolled
	// wallet (which names our fingerprint), --expect-fingerprint, or
	// nothing but the shares about to be typed.
	for _, mode := range []string{"wallet", "fingerprint", "typed"} {
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), ".psbt")
			t.Run(mode+"/"+name, func(t *testing.T) {
				raw, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				digest := "abandon ability able about"
				if p, err := psbt.Decode(raw); err == nil {
					digest = psbt.Digest(p)
				}
				pr := &holderPrompter{digests: []string{digest}, shares: shares}
				var out bytes.Buffer
				env := &Env{Stdout: &out, Stderr: &out, Net: &chaincfg.RegressionNetParams, Prompter: pr}
				opts := SignOptions{
					Sources: []string{f}, Out: filepath.Join(t.TempDir(), "signed.psbt"),
					Key: KeySource{Shares: true}, Policy: psbt.DefaultPolicy(),
					AllowOnline: true, LogPath: filepath.Join(t.TempDir(), "signing.jsonl"),
				}
				switch mode {
				case "wallet":
					opts.WalletFile = wallet
				case "fingerprint":
					opts.Key.ExpectFingerprint = "73c5da0a"
				}
				if name == "fee-over-hard-cap" {
					opts.Policy.MaxFee, opts.Policy.AllowHighFee = 100_000, true
				}
				err = Sign(context.Background(), env, opts)
				askedWhich += pr.which
				switch {
				case err == nil:
					// A warn-only case (psbt's TestAttacks says which).
				case mode != "wallet" && needsKeyWithoutWallet[name]:
					if !errors.Is(err, ErrRefused) {
						t.Fatalf("want a refusal, got %v", err)
					}
				case pr.asked > 0:
					t.Fatalf("refused after %d share prompt(s): %v\n%s", pr.asked, err, out.String())
				default:
					refusedBeforeKey++
				}
			})
		}
	}
	// The corpus is mostly refusals; if few came before the key, sign
	// stopped refusing (or the corpus moved) and the test proves nothing.
	if refusedBeforeKey < 2*len(files) {
		t.Errorf("only %d of %d runs were refused before the key", refusedBeforeKey, 3*len(files))
	}
	// The multisig PSBTs name three keys: with typed shares and nothing
	// else, the operator is asked which (and only then).
	if askedWhich == 0 {
		t.Errorf("no run asked which key the shares rebuild")
	}
}

// TestDigestRetry: a mistyped digest says what it means, never shows the
// right words, and may be typed again; no share is asked for until it
// matches, and three misses refuse.
func TestDigestRetry(t *testing.T) {
	raw, err := os.ReadFile("../psbt/testdata/attacks/unknown-fields.psbt")
	if err != nil {
		t.Fatal(err)
	}
	p, err := psbt.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	right := psbt.Digest(p)
	wrong := "abandon ability able about"
	for _, tc := range []struct {
		name    string
		digests []string
		signs   bool
	}{
		{"second try", []string{wrong, strings.ToUpper(right)}, true},
		{"three misses", []string{wrong, wrong, wrong, right}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr := &holderPrompter{digests: tc.digests, shares: testShares(t)}
			var stdout, stderr bytes.Buffer
			env := &Env{Stdout: &stdout, Stderr: &stderr, Net: &chaincfg.RegressionNetParams, Prompter: pr}
			err := Sign(context.Background(), env, SignOptions{
				Sources: []string{"../psbt/testdata/attacks/unknown-fields.psbt"}, Out: filepath.Join(t.TempDir(), "s.psbt"),
				Key: KeySource{Shares: true}, Policy: psbt.DefaultPolicy(), AllowOnline: true,
				LogPath: filepath.Join(t.TempDir(), "log.jsonl"),
			})
			all := stdout.String() + stderr.String()
			if err != nil {
				all += err.Error()
			}
			if strings.Contains(strings.ToLower(all), strings.Fields(right)[0]) {
				t.Errorf("the right digest was shown:\n%s", all)
			}
			if !strings.Contains(all, "this is not the PSBT that was prepared online") {
				t.Errorf("the mismatch is not explained:\n%s", all)
			}
			if tc.signs {
				if err != nil || pr.asked != 2 || pr.lines != 2 {
					t.Fatalf("want signed after 2 digest tries and 2 shares; got err=%v, tries=%d, shares=%d", err, pr.lines, pr.asked)
				}
				return
			}
			if !errors.Is(err, ErrRefused) || pr.asked != 0 || pr.lines != DigestTries {
				t.Fatalf("want a refusal after %d tries and no share; got err=%v, tries=%d, shares=%d", DigestTries, err, pr.lines, pr.asked)
			}
		})
	}
}
