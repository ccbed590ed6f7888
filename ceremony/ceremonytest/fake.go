// Package ceremonytest provides a fake ceremony.Actions for tests of the
// ceremony runner and of the CLI that drives it: real threshold arithmetic
// (hashicorp/vault's shamir), but fake wallets, shares and transactions that
// are cheap, deterministic and obviously not Bitcoin.
package ceremonytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	vaultshamir "github.com/hashicorp/vault/shamir"

	"github.com/airsign/airsign/ceremony"
)

// Fake implements ceremony.Actions. Its share text is
// "FAKE-<set>-<T>of<N>-<index>-<fingerprint>-<hex payload>": readable in
// test failures, and never valid as a real share.
type Fake struct {
	mu sync.Mutex
	// Checks is what AirGapCheck returns; nil means one passing check.
	Checks []ceremony.Check
	// Recorded is what RecordedWallet returns; tests set it to the wallet a
	// keygen made. A zero value makes RecordedWallet fail.
	Recorded ceremony.Wallet
	// SweepTo overrides the sweep's destination (to test a wrong one).
	SweepTo string
	// SweepToIndex sends the sweep to that address of the new wallet.
	SweepToIndex int
	// FailSign makes SignTest report an unverified signature.
	FailSign bool
	// Calls counts calls per method name.
	Calls map[string]int
	// Exported is the wallets Export was called with.
	Exported []ceremony.Wallet
	// Cards are the cards PrintCard was given, with Share removed.
	Cards []ceremony.Card
	// held are the secret buffers the runner handed to the fake or got
	// from it (the buffers themselves, not copies), so Wiped can check that
	// the runner zeroed them all.
	held [][]byte
}

func (f *Fake) call(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Calls == nil {
		f.Calls = map[string]int{}
	}
	f.Calls[name]++
}

func (f *Fake) hold(b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.held = append(f.held, b)
}

// Wiped reports whether every secret buffer the runner handed to the fake,
// or received from it, is now all zeros.
func (f *Fake) Wiped() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, b := range f.held {
		for _, c := range b {
			if c != 0 {
				return fmt.Errorf("secret buffer %d (%d bytes) was not wiped", i, len(b))
			}
		}
	}
	return nil
}

// AirGapCheck returns f.Checks.
func (f *Fake) AirGapCheck(ctx context.Context) ([]ceremony.Check, error) {
	f.call("AirGapCheck")
	if f.Checks == nil {
		return []ceremony.Check{{Name: "network", OK: true, Required: true, Detail: "only loopback is up"}}, nil
	}
	return f.Checks, nil
}

// WalletOf is the fake wallet of entropy.
func WalletOf(entropy []byte) ceremony.Wallet {
	h := sha256.Sum256(append([]byte("fake wallet "), entropy...))
	fp := hex.EncodeToString(h[:4])
	w := ceremony.Wallet{Fingerprint: fp, SharesFingerprint: fp, Descriptor: fmt.Sprintf("wpkh([%s/84h/1h/0h]tpubFAKE%x/<0;1>/*)#fakesum0", fp, h[4:12]), ID: hex.EncodeToString(h[12:16])}
	for i := 0; i < 3; i++ {
		a := sha256.Sum256(append(h[:], byte(i)))
		w.Addresses = append(w.Addresses, fmt.Sprintf("bcrt1qfake%x", a[:16]))
	}
	return w
}

// Wallet derives the fake wallet; a passphrase makes another one, as in
// BIP39.
func (f *Fake) Wallet(ctx context.Context, key ceremony.Key) (ceremony.Wallet, error) {
	f.call("Wallet")
	f.hold(key.Entropy)
	f.hold(key.Passphrase)
	if len(key.Entropy) != 16 && len(key.Entropy) != 32 {
		return ceremony.Wallet{}, fmt.Errorf("entropy of %d bytes", len(key.Entropy))
	}
	return WalletWith(key.Entropy, key.Passphrase), nil
}

// WalletWith is the fake wallet of entropy with a passphrase (nil: none).
func WalletWith(entropy, passphrase []byte) ceremony.Wallet {
	if len(passphrase) == 0 {
		return WalletOf(entropy)
	}
	shares := WalletOf(entropy).Fingerprint
	mixed := sha256.Sum256(append(append([]byte("passphrase "), entropy...), passphrase...))
	w := WalletOf(mixed[:])
	w.SharesFingerprint = shares
	return w
}

// Split splits with vault's shamir into fake share texts.
func (f *Fake) Split(ctx context.Context, entropy []byte, fingerprint string, t, n int) (ceremony.ShareSet, error) {
	f.call("Split")
	f.hold(entropy)
	parts, err := vaultshamir.Split(entropy, n, t)
	if err != nil {
		return ceremony.ShareSet{}, err
	}
	var id [4]byte
	rand.Read(id[:])
	set := ceremony.ShareSet{SetID: strings.ToUpper(hex.EncodeToString(id[:])), Threshold: t, Count: n}
	for _, p := range parts {
		// vault puts the x coordinate last; x values are random, so the
		// share index is our own 1..n and the payload keeps x.
		text := fmt.Sprintf("FAKE-%s-%dof%d-%d-%s-%x", set.SetID, t, n, len(set.Shares)+1, fingerprint, p)
		clear(p)
		b := []byte(text)
		f.hold(b)
		set.Shares = append(set.Shares, b)
	}
	return set, nil
}

type fakeShare struct {
	info    ceremony.ShareInfo
	payload []byte
}

func parse(text []byte) (fakeShare, error) {
	t := strings.ToUpper(strings.Join(strings.Fields(string(text)), ""))
	parts := strings.Split(t, "-")
	if len(parts) != 6 || parts[0] != "FAKE" {
		return fakeShare{}, errors.New("not a fake share")
	}
	tn := strings.Split(parts[2], "OF")
	if len(tn) != 2 {
		return fakeShare{}, errors.New("block 3 looks mistyped")
	}
	th, err1 := strconv.Atoi(tn[0])
	cnt, err2 := strconv.Atoi(tn[1])
	idx, err3 := strconv.Atoi(parts[3])
	payload, err4 := hex.DecodeString(parts[5])
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || len(payload) < 17 {
		return fakeShare{}, errors.New("a block looks mistyped")
	}
	return fakeShare{info: ceremony.ShareInfo{SetID: parts[1], Threshold: th, Count: cnt, Index: idx, Fingerprint: strings.ToLower(parts[4])}, payload: payload}, nil
}

// ParseShare reads a fake share's header.
func (f *Fake) ParseShare(ctx context.Context, text []byte) (ceremony.ShareInfo, error) {
	f.call("ParseShare")
	f.hold(text)
	s, err := parse(text)
	clear(s.payload)
	return s.info, err
}

// CheckCopy compares two share texts ignoring case and spaces.
func (f *Fake) CheckCopy(ctx context.Context, shown, typed []byte) error {
	f.call("CheckCopy")
	f.hold(typed)
	norm := func(b []byte) []byte { return bytes.ToUpper(bytes.Join(bytes.Fields(b), nil)) }
	if !bytes.Equal(norm(shown), norm(typed)) {
		return errors.New("the copy differs from the card")
	}
	return nil
}

// Combine rebuilds with vault's shamir and checks the fingerprint in the
// headers, so a wrong share is caught as the real envelope would.
func (f *Fake) Combine(ctx context.Context, texts [][]byte) ([]byte, error) {
	f.call("Combine")
	var parts [][]byte
	var first ceremony.ShareInfo
	for i, t := range texts {
		f.hold(t)
		s, err := parse(t)
		if err != nil {
			return nil, fmt.Errorf("share %d: %v", i+1, err)
		}
		if i == 0 {
			first = s.info
		} else if s.info.SetID != first.SetID {
			return nil, errors.New("you are mixing two share sets")
		}
		parts = append(parts, s.payload)
	}
	if len(parts) < first.Threshold {
		return nil, fmt.Errorf("need %d, got %d", first.Threshold, len(parts))
	}
	secret, err := vaultshamir.Combine(parts)
	for _, p := range parts {
		clear(p)
	}
	if err != nil {
		return nil, err
	}
	if WalletOf(secret).Fingerprint != first.Fingerprint {
		clear(secret)
		return nil, errors.New("at least one share is forged or from a different split")
	}
	f.hold(secret)
	return secret, nil
}

// SignTest pretends to sign and verify.
func (f *Fake) SignTest(ctx context.Context, key ceremony.Key, w ceremony.Wallet) (ceremony.TestSignature, error) {
	f.call("SignTest")
	f.hold(key.Entropy)
	f.hold(key.Passphrase)
	h := sha256.Sum256([]byte("test psbt " + w.Fingerprint))
	return ceremony.TestSignature{PSBTSHA256: hex.EncodeToString(h[:]), Inputs: 1, Verified: !f.FailSign}, nil
}

// PrintCard records the card without its share.
func (f *Fake) PrintCard(ctx context.Context, c ceremony.Card) ([]ceremony.Artefact, error) {
	f.call("PrintCard")
	f.hold(c.Share)
	c.Share = nil
	f.mu.Lock()
	f.Cards = append(f.Cards, c)
	f.mu.Unlock()
	return nil, nil
}

// Export records the wallet.
func (f *Fake) Export(ctx context.Context, w ceremony.Wallet) ([]ceremony.Artefact, error) {
	f.call("Export")
	f.mu.Lock()
	f.Exported = append(f.Exported, w)
	f.mu.Unlock()
	h := sha256.Sum256([]byte(w.Descriptor))
	return []ceremony.Artefact{{Name: "wallet-" + w.Fingerprint + ".txt", SHA256: hex.EncodeToString(h[:])}}, nil
}

// RecordedWallet returns f.Recorded.
func (f *Fake) RecordedWallet(ctx context.Context) (ceremony.Wallet, error) {
	f.call("RecordedWallet")
	if f.Recorded.Fingerprint == "" {
		return ceremony.Wallet{}, errors.New("no wallet is enrolled")
	}
	return f.Recorded, nil
}

// LoadSweep makes a fake sweep to to's first address (or f.SweepTo).
func (f *Fake) LoadSweep(ctx context.Context, from, to ceremony.Wallet) (ceremony.Sweep, error) {
	f.call("LoadSweep")
	dest := to.Addresses[min(f.SweepToIndex, len(to.Addresses)-1)]
	if f.SweepTo != "" {
		dest = f.SweepTo
	}
	psbt := []byte("fake psbt from " + from.Fingerprint + " to " + dest)
	h := sha256.Sum256(psbt)
	return ceremony.Sweep{PSBT: psbt, PSBTSHA256: hex.EncodeToString(h[:]), Inputs: 2, AmountSats: 149_990_000, FeeSats: 10_000, Destination: dest}, nil
}

// SignSweep returns a fake txid.
func (f *Fake) SignSweep(ctx context.Context, key ceremony.Key, s ceremony.Sweep) (ceremony.SignedSweep, error) {
	f.call("SignSweep")
	f.hold(key.Entropy)
	f.hold(key.Passphrase)
	h := sha256.Sum256(append([]byte("signed "), s.PSBT...))
	return ceremony.SignedSweep{TxID: hex.EncodeToString(h[:]), Artefacts: []ceremony.Artefact{{Name: "sweep-signed.psbt", SHA256: hex.EncodeToString(h[:])}}}, nil
}
