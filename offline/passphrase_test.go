package offline

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

// TestPassphrase: with --passphrase the key is the BIP39 key with that
// passphrase (the first vector of psbt/bip39/testdata/vectors.json, Trezor's
// BIP39 vectors: "abandon … about" with "TREZOR"), its fingerprint is the
// one shown, and an empty passphrase or a missing terminal is refused.
func TestPassphrase(t *testing.T) {
	dir := t.TempDir()
	words := filepath.Join(dir, "m.txt")
	if err := os.WriteFile(words, []byte(strings.Repeat("abandon ", 11)+"about\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var screen bytes.Buffer
	env := &Env{Stdout: &screen, Stderr: &screen, Net: &chaincfg.MainNetParams, Prompter: &scriptedPrompter{secrets: [][]byte{[]byte("TREZOR")}}}
	key, err := KeySource{MnemonicFile: words, Passphrase: true, AllowOnline: true}.LoadKey(env)
	if err != nil {
		t.Fatal(err)
	}
	defer key.Wipe()
	if got := key.Master.String(); got != "xprv9s21ZrQH143K3h3fDYiay8mocZ3afhfULfb5GX8kCBdno77K4HiA15Tg23wpbeF1pLfs1c5SPmYHrEpTuuRhxMwvKDwqdKiGJS9XFKzUsAF" {
		t.Fatalf("master key %s… is not BIP39's vector with TREZOR", got[:16])
	}
	if !key.Passphrase || !strings.Contains(screen.String(), "with the passphrase the master fingerprint is") || !strings.Contains(screen.String(), "(without it, 73c5da0a)") {
		t.Errorf("screen: %s", screen.String())
	}
	if strings.Contains(screen.String(), "TREZOR") {
		t.Fatal("the passphrase was shown")
	}
	// Without --passphrase: the plain key.
	plain, err := KeySource{MnemonicFile: words, AllowOnline: true}.LoadKey(env)
	if err != nil || plain.Fingerprint == key.Fingerprint {
		t.Fatalf("plain key: %v", err)
	}
	plain.Wipe()
	// Empty, no terminal, and two that differ at creation.
	env.Prompter = &scriptedPrompter{secrets: [][]byte{{}}}
	if _, err := (KeySource{MnemonicFile: words, Passphrase: true, AllowOnline: true}).LoadKey(env); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty passphrase: %v", err)
	}
	env.Prompter = nil
	if _, err := (KeySource{MnemonicFile: words, Passphrase: true, AllowOnline: true}).LoadKey(env); err == nil || !strings.Contains(err.Error(), "needs a terminal") {
		t.Fatalf("no terminal: %v", err)
	}
	env.Prompter = &scriptedPrompter{secrets: [][]byte{[]byte("one"), []byte("two")}}
	if _, err := askPassphrase(env, true); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Fatalf("differing passphrases: %v", err)
	}
	// Spaces around it are dropped, as the ceremonies drop them: the key
	// is TREZOR's, and only spaces is no passphrase.
	env.Prompter = &scriptedPrompter{secrets: [][]byte{[]byte("  TREZOR \t")}}
	spaced, err := KeySource{MnemonicFile: words, Passphrase: true, AllowOnline: true}.LoadKey(env)
	if err != nil || spaced.Fingerprint != key.Fingerprint {
		t.Fatalf("a passphrase typed with spaces around it: %v, fingerprint %08x, want %08x", err, spaced.Fingerprint, key.Fingerprint)
	}
	if !strings.Contains(screen.String(), "spaces before or after the passphrase were dropped") || strings.Contains(screen.String(), "TREZOR") {
		t.Fatalf("the dropped spaces were not said, or the passphrase was shown:\n%s", screen.String())
	}
	spaced.Wipe()
	env.Prompter = &scriptedPrompter{secrets: [][]byte{[]byte("   ")}}
	if _, err := askPassphrase(env, false); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("a passphrase of spaces: %v", err)
	}
	env.Prompter = &scriptedPrompter{secrets: [][]byte{[]byte("TREZOR"), []byte("TREZOR ")}}
	if p, err := askPassphrase(env, true); err != nil || string(p) != "TREZOR" {
		t.Fatalf("the same passphrase, once with a trailing space: %v", err)
	}
}
