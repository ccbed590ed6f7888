package offline

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/bip39"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// A BIP39 passphrase (the "25th word") makes another wallet from the same
// words: the shares and the mnemonic hold the entropy, the passphrase is
// kept apart by whoever the checklist names. It is typed at the terminal
// without echo for the one command, never taken from the command line or
// a file, and never written or logged. Because a mistyped passphrase
// silently makes another, empty wallet, the fingerprint WITH the
// passphrase is shown at once, to compare with the one on the paper.

// askPassphrase reads the passphrase; confirm asks twice (when a wallet is
// made, a typo would otherwise become its passphrase).
func askPassphrase(env *Env, confirm bool) ([]byte, error) {
	if env.Prompter == nil {
		return nil, errors.New("--passphrase needs a terminal to type the passphrase at (it is never taken from the command line)")
	}
	pass, err := env.Prompter.ReadSecret("Type the BIP39 passphrase (not shown; spaces around it are dropped), then Enter: ")
	if err != nil {
		return nil, err
	}
	// Spaces around it are dropped, as the ceremonies drop them from every
	// answer: a passphrase chosen at keygen then reads the same here, and
	// a stray space cannot make another, empty wallet.
	// Said when it happens (never how many, nor where): a wallet made
	// elsewhere whose passphrase really begins or ends with a space cannot
	// be rebuilt here, and its owner must learn that from the screen.
	if t := bytes.TrimSpace(pass); len(t) < len(pass) {
		out := bytes.Clone(t)
		wipe(pass)
		pass = out
		if len(pass) > 0 {
			env.warnf("spaces before or after the passphrase were dropped, as airsign's ceremonies drop them; a wallet made elsewhere with such spaces cannot be rebuilt by airsign")
		}
	}
	if len(pass) == 0 {
		return nil, errors.New("the passphrase is empty, which is the same as none: drop --passphrase")
	}
	if confirm {
		again, err := env.Prompter.ReadSecret("Type the passphrase again: ")
		if err != nil {
			wipe(pass)
			return nil, err
		}
		same := bytes.Equal(pass, bytes.TrimSpace(again))
		wipe(again)
		if !same {
			wipe(pass)
			return nil, errors.New("the two passphrases differ; nothing was made: start again")
		}
	}
	return pass, nil
}

// withPassphrase returns the key of k's words with passphrase pass and
// wipes k (the entropy moves to the new key).
func (k *Key) withPassphrase(pass []byte, net *chaincfg.Params) (*Key, error) {
	defer wipe(pass)
	mnemonic, err := bip39.EntropyToMnemonic(k.entropy)
	if err != nil {
		k.Wipe()
		return nil, err
	}
	seed, err := bip39.Seed(mnemonic, pass)
	wipe(mnemonic)
	if err != nil {
		k.Wipe()
		return nil, err
	}
	master, err := hdkeychain.NewMaster(seed, net)
	wipe(seed)
	if err != nil {
		k.Wipe()
		return nil, fmt.Errorf("deriving the master key: %w", err)
	}
	fp, err := psbt.MasterFingerprint(master)
	if err != nil {
		master.Zero()
		k.Wipe()
		return nil, err
	}
	entropy := k.entropy
	k.entropy = nil
	k.Wipe()
	return &Key{Master: master, Fingerprint: fp, entropy: entropy, Passphrase: true}, nil
}

// applyPassphrase asks for the passphrase when the source says so and
// shows the fingerprint it makes.
func (ks KeySource) applyPassphrase(env *Env, k *Key) (*Key, error) {
	if !ks.Passphrase {
		return k, nil
	}
	pass, err := askPassphrase(env, false)
	if err != nil {
		k.Wipe()
		return nil, err
	}
	base := k.Fingerprint
	k, err = k.withPassphrase(pass, env.Net)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(env.Stderr, "with the passphrase the master fingerprint is %s (without it, %s): compare it with the fingerprint written for this wallet; another one means a mistyped passphrase\n",
		psbt.FormatFingerprint(k.Fingerprint), psbt.FormatFingerprint(base))
	return k, nil
}
