package offline

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/airsign/airsign/shamir"
	"github.com/btcsuite/btcd/chaincfg"
)

// scriptedPrompter answers typed secrets in order and fails ReadLine at
// call failAt (1-based; 0 never), recording every prompt.
type scriptedPrompter struct {
	secrets [][]byte
	prompts []string
	failAt  int
}

func (p *scriptedPrompter) ReadSecret(prompt string) ([]byte, error) {
	p.prompts = append(p.prompts, prompt)
	if len(p.secrets) == 0 {
		return nil, errors.New("no more secrets")
	}
	s := p.secrets[0]
	p.secrets = p.secrets[1:]
	return bytes.Clone(s), nil
}

func (p *scriptedPrompter) ReadLine(prompt string) (string, error) {
	p.prompts = append(p.prompts, prompt)
	if len(p.prompts) == p.failAt {
		return "", errors.New("EOF")
	}
	return "", nil
}

// TestTypedDuplicateShareDoesNotCount: share 1 typed twice used to count
// as 2 of 2, then fail with every share to be typed again.
func TestTypedDuplicateShareDoesNotCount(t *testing.T) {
	dir, _ := keygen(t)
	s1, s2 := share(t, dir, 1), share(t, dir, 2)
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Net: &chaincfg.RegressionNetParams,
		Prompter: &scriptedPrompter{secrets: [][]byte{[]byte(s1), []byte(s1), []byte(s2)}}}
	if err := SharesVerify(env, VerifyOptions{}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "share 1 of set") || !strings.Contains(out.String(), "was typed already — type another share") {
		t.Errorf("the duplicate is not named:\n%s", out.String())
	}
	if strings.Contains(out.String(), "accepted (2 of 2 needed)\nshare 1") {
		t.Errorf("the duplicate counted:\n%s", out.String())
	}
}

// TestSplitClearsTheScreenWhenCutShort: the terminal closing while a share
// is shown must not leave it on screen.
func TestSplitClearsTheScreenWhenCutShort(t *testing.T) {
	var out bytes.Buffer
	p := &scriptedPrompter{failAt: 3, secrets: [][]byte{[]byte("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")}}
	env := &Env{Stdout: &out, Stderr: &out, Net: &chaincfg.RegressionNetParams, Prompter: p}
	if err := SharesSplit(env, SplitOptions{Threshold: 2, Count: 3}); err == nil {
		t.Fatal("split went on after the terminal failed")
	}
	// The share is written to the screen from bytes, then the prompt asks
	// to copy it; the terminal fails at that prompt.
	if last := p.prompts[len(p.prompts)-1]; !strings.Contains(last, "Copy it by hand") || !strings.Contains(out.String(), "ash1") {
		t.Fatalf("the test expected a share on screen when the terminal failed: %q", last)
	}
	for _, pr := range p.prompts {
		if strings.Contains(pr, "ash1") {
			t.Fatalf("a share went through a prompt string: %q", pr)
		}
	}
	if !strings.HasSuffix(out.String(), clearScreen) {
		t.Errorf("the screen was not cleared after the failure: %q", out.String())
	}
}

// TestSplitOutDirWritesAllOrNothing: an old share-2.txt used to let the
// new share-1.txt be written before the refusal, mixing two sets.
func TestSplitOutDirWritesAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "share-2.txt")
	if err := os.WriteFile(old, []byte("old share\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	words := filepath.Join(t.TempDir(), "m.txt")
	if err := os.WriteFile(words, []byte("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := &Env{Stdout: &out, Stderr: &out, Net: &chaincfg.RegressionNetParams}
	err := SharesSplit(env, SplitOptions{Threshold: 2, Count: 3, OutDir: dir, Key: KeySource{MnemonicFile: words}})
	if err == nil || !strings.Contains(err.Error(), "share-2.txt already exists") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "share-1.txt")); !os.IsNotExist(err) {
		t.Error("share-1.txt of the new set was written beside the old share-2.txt")
	}
}

// TestTypedSharesKeptBySet: holders' slips at the share prompt never cost
// the cards typed right. A card of another set (another key's, or an old
// set) typed first is kept apart and the right set still rebuilds; the
// same card twice is refused; with the key known, another key's card is
// refused as typed, naming both keys.
func TestTypedSharesKeptBySet(t *testing.T) {
	split := func(secret byte, fp uint32) [][]byte {
		shares, err := shamir.Split(bytes.Repeat([]byte{secret}, 16), shamirFingerprint(fp), 2, 3, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]byte
		for _, s := range shares {
			text, err := s.AppendText(nil)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, text)
		}
		return out
	}
	ours, oldSet, other := split(1, 0x11111111), split(1, 0x11111111), split(2, 0x22222222)
	for _, tc := range []struct {
		name    string
		typed   [][]byte
		cardKey uint32
		asked   int
		say     string
	}{
		{"another key's card first", [][]byte{other[0], ours[1], ours[2]}, 0, 3, "set apart"},
		{"an old set's card first", [][]byte{oldSet[0], ours[0], ours[2]}, 0, 3, "set apart"},
		{"the same card twice", [][]byte{ours[0], ours[0], ours[1]}, 0, 3, "was typed already"},
		{"another key's card refused as typed", [][]byte{other[0], other[1], ours[0], ours[1]}, 0x11111111, 4, "a card of key 22222222; the key to rebuild is 11111111"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			pr := &scriptedPrompter{secrets: tc.typed}
			env := &Env{Stdout: &out, Stderr: &out, Prompter: pr}
			shares, err := readShares(env, nil, tc.cardKey)
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			secret, err := shamir.Combine(shares)
			if err != nil || !bytes.Equal(secret, bytes.Repeat([]byte{1}, 16)) || len(pr.prompts) != tc.asked {
				t.Fatalf("rebuilt %x (%v) after %d cards, want ours after %d:\n%s", secret, err, len(pr.prompts), tc.asked, out.String())
			}
			said := strings.ReplaceAll(out.String(), "\n  ", " ")
			if tc.say == "set apart" {
				tc.say = "cards of more than one set were typed; each set is kept apart"
			}
			if !strings.Contains(said, tc.say) {
				t.Errorf("the screen does not say %q:\n%s", tc.say, out.String())
			}
		})
	}
}

// TestTypedShareMessagesFitTheScreen: what is said at the share prompt (a
// share of the wrong length, one of another set) is wrapped to 80 columns;
// it used to be one line of up to 111.
func TestTypedShareMessagesFitTheScreen(t *testing.T) {
	dir, _ := keygen(t)
	other, _ := keygen(t)
	s1, s2, x2 := share(t, dir, 1), share(t, dir, 2), share(t, other, 2)
	short := strings.Join(strings.Fields(s1), "")
	short = short[:len(short)-2]
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Net: &chaincfg.RegressionNetParams,
		Prompter: &scriptedPrompter{secrets: [][]byte{[]byte(short), []byte(s1), []byte(x2), []byte(s2)}}}
	if err := SharesVerify(env, VerifyOptions{}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	said := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{"characters; a share has", "— type it again", "each set is kept apart"} {
		if !strings.Contains(said, want) {
			t.Errorf("not said: %q\n%s", want, out.String())
		}
	}
	for _, l := range strings.Split(out.String(), "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("a line of %d columns: %q", n, l)
		}
	}
}
