package offline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
)

// TestNamedKeyNotRebuilt: the operator names a cosigner's key before the
// shares, and the holders type cards of another key: each card is refused
// as it is typed, naming both keys, since the screen confirmed was for
// the named key; no key is rebuilt.
func TestNamedKeyNotRebuilt(t *testing.T) {
	src := "../psbt/testdata/attacks/multisig-change-planted-input-path.psbt"
	p, err := psbt.Decode([]byte(mustRead(t, src)))
	if err != nil {
		t.Fatal(err)
	}
	var cosigner string
	for _, c := range p.Claims() {
		if fp := psbt.FormatFingerprint(c.Fingerprint); c.Output < 0 && fp != "73c5da0a" {
			cosigner = fp
			break
		}
	}
	if cosigner == "" {
		t.Fatalf("%s names no cosigner", src)
	}
	out, pr, _, err := signWithShares(t, src, cosigner)
	if pr.which != 1 {
		t.Fatalf("asked which key %d times, want once (the PSBT is refused for one key, not the others)\n%s", pr.which, out)
	}
	said := strings.ReplaceAll(out, "\n  ", " ") // the screen wraps
	if err == nil || !strings.Contains(said, "a card of key 73c5da0a; the key to rebuild is "+cosigner) || regexp.MustCompile(`of set [0-9A-F]{8} accepted`).MatchString(said) {
		t.Fatalf("want every card refused as typed, naming both keys; got %v\n%s", err, out)
	}
}

// TestPassphraseKeyNotTakenFromShares: with --passphrase, the share files'
// header names the key without it, not the key that signs. A payment of
// the passphrase's wallet must not be refused before the key as "no input
// of key 73c5da0a" (it once was): it is signed.
func TestPassphraseKeyNotTakenFromShares(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	base, err := KeyFromEntropy(make([]byte, 16), net)
	if err != nil {
		t.Fatal(err)
	}
	key, err := base.withPassphrase([]byte("TREZOR"), net)
	if err != nil {
		t.Fatal(err)
	}
	d, err := key.Descriptor(descriptor.WPKH, 0, net)
	key.Wipe()
	if err != nil {
		t.Fatal(err)
	}
	coin, _ := d.Derive(0, 0)
	change, _ := d.Derive(1, 0)
	origin := func(der *descriptor.Derived) []psbt.KeyOrigin {
		k := der.Keys[0]
		return []psbt.KeyOrigin{{PubKey: k.PubKey, Fingerprint: k.Fingerprint, Path: k.Path}}
	}
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: 7}, nil, nil))
	prev.AddTxOut(wire.NewTxOut(100_000_000, coin.Script))
	p, err := psbt.Build(2, 0,
		[]psbt.InputSpec{{PrevTx: prev, Sequence: 0xfffffffd, Keys: origin(coin)}},
		[]psbt.OutputSpec{{PkScript: change.Script, Amount: 30_000_000}, {PkScript: change.Script, Amount: 69_990_000, Keys: origin(change)}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	raw, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "pass.psbt")
	var files []string
	for i, sh := range testShares(t) {
		f := filepath.Join(dir, "share"+string(rune('1'+i))+".txt")
		files = append(files, f)
		if err := os.WriteFile(f, sh, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(src, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	pr := &holderPrompter{digests: []string{psbt.Digest(p)}, shares: [][]byte{[]byte("TREZOR")}}
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Net: net, Prompter: pr}
	err = Sign(context.Background(), env, SignOptions{
		Sources: []string{src}, Out: filepath.Join(dir, "signed.psbt"), Key: KeySource{ShareFiles: files, Passphrase: true},
		Policy: psbt.DefaultPolicy(), AllowOnline: true, LogPath: filepath.Join(dir, "signing.jsonl"),
	})
	if err != nil {
		t.Fatalf("sign: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "signed input 0 with key") {
		t.Errorf("not signed:\n%s", out.String())
	}
}

// TestHintsApart: sign's advice comes as a hint (printed on a "hint:"
// line), not glued into the message.
func TestHintsApart(t *testing.T) {
	var out bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &out, Net: &chaincfg.RegressionNetParams, Prompter: &holderPrompter{}}
	err := Sign(context.Background(), env, SignOptions{
		Sources: []string{mixedInputs}, Out: filepath.Join(t.TempDir(), "s.psbt"), Key: KeySource{Shares: true},
		Confirm: "abandon ability able about", Policy: psbt.DefaultPolicy(), AllowOnline: true,
		LogPath: filepath.Join(t.TempDir(), "signing.jsonl"),
	})
	if !errors.Is(err, ErrRefused) || strings.Contains(err.Error(), "check the words") {
		t.Fatalf("want a refusal without the advice in its message, got %v", err)
	}
	if h := transport.Hints(err); len(h) != 1 || h[0] != "check the words given with --confirm against the online screen" {
		t.Errorf("hints %q", h)
	}
}
