package offline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
)

// mixedInputs is a payment from a wpkh and a taproot coin of the test key.
const mixedInputs = "../psbt/testdata/attacks/change-mixed-inputs.psbt"

// noticePrompter is holderPrompter that also notes how much had been
// printed when the first share was asked for.
type noticePrompter struct {
	holderPrompter
	out          *bytes.Buffer
	atFirstShare int
}

func (p *noticePrompter) ReadSecret(prompt string) ([]byte, error) {
	if p.asked == 0 {
		p.atFirstShare = p.out.Len()
	}
	return p.holderPrompter.ReadSecret(prompt)
}

// signWithShares signs src with typed shares (naming key which if asked,
// the test key if ""); it returns what was printed, the prompter, the
// signed file's path and the error.
func signWithShares(t *testing.T, src, which string) (string, *noticePrompter, string, error) {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p, err := psbt.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	pr := &noticePrompter{holderPrompter: holderPrompter{digests: []string{psbt.Digest(p)}, shares: testShares(t), key: which}, out: &out, atFirstShare: -1}
	env := &Env{Stdout: &out, Stderr: &out, Net: &chaincfg.RegressionNetParams, Prompter: pr}
	dst := filepath.Join(t.TempDir(), "signed.psbt")
	err = Sign(context.Background(), env, SignOptions{
		Sources: []string{src}, Out: dst, Key: KeySource{Shares: true}, Policy: psbt.DefaultPolicy(),
		AllowOnline: true, LogPath: filepath.Join(t.TempDir(), "signing.jsonl"),
	})
	return out.String(), pr, dst, err
}

// rewrite decodes the PSBT file src, lets edit change it, and writes it
// to a new file.
func rewrite(t *testing.T, src string, edit func(p *btcpsbt.Packet)) string {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	p, err := btcpsbt.NewFromRawBytes(bytes.NewReader(raw), false)
	if err != nil {
		t.Fatal(err)
	}
	edit(p)
	var b bytes.Buffer
	if err := p.Serialize(&b); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "edited.psbt")
	if err := os.WriteFile(dst, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestSignAgain: a PSBT this key signed already is refused before any
// share; one it signed in part says which inputs carry its signature
// before the shares are typed, signs only the others, and keeps the
// signatures there byte for byte (ECDSA and taproot).
func TestSignAgain(t *testing.T) {
	out, _, signed, err := signWithShares(t, mixedInputs, "")
	if err != nil {
		t.Fatalf("first signature: %v\n%s", err, out)
	}
	if !strings.Contains(out, "signed inputs 0, 1 with key 73c5da0a") {
		t.Fatalf("first signature: %s", out)
	}
	full, err := btcpsbt.NewFromRawBytes(strings.NewReader(mustRead(t, signed)), false)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("fully signed", func(t *testing.T) {
		out, pr, dst, err := signWithShares(t, signed, "")
		if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "every input of key 73c5da0a already carries its signature") {
			t.Fatalf("want a refusal, got %v\n%s", err, out)
		}
		if pr.asked > 0 || pr.lines > 0 {
			t.Errorf("asked for %d share(s) and %d digest(s) before refusing", pr.asked, pr.lines)
		}
		if _, err := os.Stat(dst); err == nil {
			t.Errorf("wrote %s", dst)
		}
	})

	for _, tc := range []struct {
		name       string
		keep, sign int
		drop       func(p *btcpsbt.Packet)
	}{
		{"ecdsa kept", 0, 1, func(p *btcpsbt.Packet) { p.Inputs[1].TaprootKeySpendSig = nil }},
		{"taproot kept", 1, 0, func(p *btcpsbt.Packet) { p.Inputs[0].PartialSigs = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, pr, dst, err := signWithShares(t, rewrite(t, signed, tc.drop), "")
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			notice := strings.Index(out, "already carries a signature from key 73c5da0a; it is kept")
			if notice < 0 || pr.atFirstShare < 0 || notice > pr.atFirstShare {
				t.Errorf("no notice before the first share (notice at %d, first share at %d):\n%s", notice, pr.atFirstShare, out)
			}
			if !strings.Contains(out, "Input "+string(rune('0'+tc.keep))+" already carries") || !strings.Contains(out, "signed input "+string(rune('0'+tc.sign))+" with key") {
				t.Errorf("want input %d kept and input %d signed:\n%s", tc.keep, tc.sign, out)
			}
			if strings.Count(out, "already carries") != 1 {
				t.Errorf("the notice is given %d times, want once:\n%s", strings.Count(out, "already carries"), out)
			}
			got, err := btcpsbt.NewFromRawBytes(strings.NewReader(mustRead(t, dst)), false)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got.Inputs {
				g, w := got.Inputs[i], full.Inputs[i]
				if len(g.PartialSigs) != len(w.PartialSigs) || !bytes.Equal(g.TaprootKeySpendSig, w.TaprootKeySpendSig) {
					t.Errorf("input %d: signatures differ from the first signing", i)
				}
				for j := range g.PartialSigs {
					if !bytes.Equal(g.PartialSigs[j].Signature, w.PartialSigs[j].Signature) {
						t.Errorf("input %d: signature changed", i)
					}
				}
			}
		})
	}

	// A compromised online machine files forged signatures under our key
	// on every input: that is not "already signed" (it once refused every
	// signing before the shares), and ours replace them.
	t.Run("every input's signature forged", func(t *testing.T) {
		forged := rewrite(t, signed, func(p *btcpsbt.Packet) {
			sig := bytes.Clone(p.Inputs[0].PartialSigs[0].Signature)
			sig[10] ^= 1
			p.Inputs[0].PartialSigs[0].Signature = sig
			p.Inputs[1].TaprootKeySpendSig = bytes.Repeat([]byte{0x11}, 64)
		})
		out, _, _, err := signWithShares(t, forged, "")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		said := regexp.MustCompile(`\n +`).ReplaceAllString(out, " ")
		if !strings.Contains(said, "signed inputs 0, 1 with key") || !strings.Contains(said, "input 1: carries its taproot key-path signature, which does not verify") {
			t.Errorf("want both forged signatures named and replaced:\n%s", out)
		}
	})

	// Every input finalized (a planted final witness does it too): refused
	// before any share, since no key could add anything.
	t.Run("every input finalized", func(t *testing.T) {
		final := rewrite(t, signed, func(p *btcpsbt.Packet) {
			for i := range p.Inputs {
				p.Inputs[i].FinalScriptWitness = []byte{1, 1, 0x51} // one item: OP_TRUE
			}
		})
		out, pr, _, err := signWithShares(t, final, "")
		said := regexp.MustCompile(`\n +`).ReplaceAllString(out+fmt.Sprint(err), " ")
		if !errors.Is(err, ErrRefused) || pr.asked != 0 || !regexp.MustCompile(`every input is already (signed and )?finalized`).MatchString(said) {
			t.Fatalf("want a refusal before any share (asked %d): %v\n%s", pr.asked, err, out)
		}
	})

	t.Run("planted signature replaced", func(t *testing.T) {
		planted := rewrite(t, signed, func(p *btcpsbt.Packet) {
			p.Inputs[1].TaprootKeySpendSig = nil
			sig := bytes.Clone(p.Inputs[0].PartialSigs[0].Signature)
			sig[10] ^= 1
			p.Inputs[0].PartialSigs[0].Signature = sig
		})
		out, _, _, err := signWithShares(t, planted, "")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		// Seen before the key: the review says the planted signature
		// counts for nothing, and it is replaced.
		said := regexp.MustCompile(`\n +`).ReplaceAllString(out, " ")
		if !strings.Contains(said, "input 0: carries the signature filed under key") || !strings.Contains(said, "which does not verify against this transaction") ||
			!strings.Contains(said, "signed inputs 0, 1 with key") || strings.Contains(said, "already carries a signature") {
			t.Errorf("want input 0's planted signature named before the key, and both inputs signed:\n%s", out)
		}
	})
}
