package offline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
)

// TestMultisigCosignerWithPassphrase: a cosigner whose key is the words
// with a BIP39 passphrase enrolls the multisig only with the passphrase
// (typed with stray spaces, which are dropped), the sheet written beside
// the enrollment says that key needs it, and a spend is signed with the
// words, the passphrase and the enrolled wallet.
func TestMultisigCosignerWithPassphrase(t *testing.T) {
	base := keyOfMnemonic(t, mnemonicA)
	a, err := base.withPassphrase([]byte("TREZOR"), regtest)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Wipe)
	d := multisig(t, a, keyOfMnemonic(t, mnemonicB), keyOfMnemonic(t, mnemonicC))
	dir := t.TempDir()
	mn := filepath.Join(dir, "mnemonic.txt")
	if err := os.WriteFile(mn, []byte(mnemonicA+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Without the passphrase the words are another key, not a cosigner.
	var said bytes.Buffer
	env := &Env{Stdout: &said, Stderr: &said, Net: regtest}
	if err := Enroll(env, EnrollOptions{Key: KeySource{MnemonicFile: mn}, Descriptor: d.String(), Out: filepath.Join(dir, "plain.json")}); err == nil {
		t.Fatal("the words without the passphrase were enrolled as a cosigner")
	}

	wallet := filepath.Join(dir, "wallet.json")
	env.Prompter = &scriptedPrompter{secrets: [][]byte{[]byte(" TREZOR  ")}}
	if err := Enroll(env, EnrollOptions{Key: KeySource{MnemonicFile: mn, Passphrase: true}, Descriptor: d.String(), Out: wallet}); err != nil {
		t.Fatalf("enroll with the passphrase: %v\n%s", err, said.String())
	}
	fp := psbt.FormatFingerprint(a.Fingerprint)
	sheet, err := os.ReadFile(filepath.Join(dir, "wallet-sheet-"+d.ID()+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sheet), "YES: key "+fp+" needs a BIP39 passphrase") || strings.Contains(string(sheet), "TREZOR") {
		t.Fatalf("the sheet does not say key %s needs a passphrase:\n%s", fp, sheet)
	}

	p := spend(t, d, d, nil)
	raw, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "spend.psbt")
	if err := os.WriteFile(src, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	said.Reset()
	env.Prompter = &holderPrompter{digests: []string{psbt.Digest(p)}, shares: [][]byte{[]byte("TREZOR")}}
	err = Sign(context.Background(), env, SignOptions{
		Sources: []string{src}, Out: filepath.Join(dir, "signed.psbt"), WalletFile: wallet,
		Key: KeySource{MnemonicFile: mn, Passphrase: true}, Policy: psbt.DefaultPolicy(), AllowOnline: true,
		LogPath: filepath.Join(dir, "signing.jsonl"),
	})
	if err != nil {
		t.Fatalf("sign: %v\n%s", err, said.String())
	}
	if !strings.Contains(said.String(), "signed input 0 with key "+fp) {
		t.Fatalf("not signed with the passphrase key %s:\n%s", fp, said.String())
	}
}
