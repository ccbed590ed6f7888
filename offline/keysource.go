package offline

import (
	"fmt"
	"os"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/shamir"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// KeySource says where the key comes from for one command. The key is
// rebuilt in memory, used, and wiped; it is never written anywhere.
type KeySource struct {
	// MnemonicFile reads the BIP39 mnemonic from a file: for drills and
	// tests only, since the words then sit on a disk.
	MnemonicFile string
	// ShareFiles rebuilds the key from Shamir share files.
	ShareFiles []string
	// Shares rebuilds the key from shares typed at the terminal.
	Shares bool
	// ExpectFingerprint, if set, refuses shares of another key.
	ExpectFingerprint string
	// AllowOnline rebuilds the key on a machine that is not air-gapped
	// (logged), as sign --allow-online does.
	AllowOnline bool
	// Passphrase asks for a BIP39 passphrase at the terminal (no echo)
	// once the words are known (offline/passphrase.go).
	Passphrase bool

	// airgapChecked is set by a command that has checked the machine
	// itself (sign, before the review), so LoadKey does not ask again.
	airgapChecked bool
	// cardKey, when not 0, is the key whose cards are being typed (sign
	// knows it from its review): a card of another key is refused as it
	// is typed, not after the threshold.
	cardKey uint32
}

// Key is a master key held in memory for the length of one command.
type Key struct {
	Master      *hdkeychain.ExtendedKey
	Fingerprint uint32
	entropy     []byte
	// Passphrase says the key was made with a BIP39 passphrase; then
	// Fingerprint is the one with it.
	Passphrase bool
}

// Wipe zeroes the key material. Call it as soon as the command is done.
func (k *Key) Wipe() {
	if k == nil {
		return
	}
	if k.Master != nil {
		k.Master.Zero()
	}
	wipe(k.entropy)
	unlockSecret(k.entropy)
}

// Entropy returns the BIP39 entropy behind the key (the secret that shares
// split). The caller must not keep it beyond the command.
func (k *Key) Entropy() []byte { return k.entropy }

// LoadKey rebuilds the master key from the source.
//
// Every command that rebuilds the key refuses on a machine that is not
// air-gapped unless AllowOnline (which is logged): no command types shares
// or shows a mnemonic on a networked machine without a word.
func (ks KeySource) LoadKey(env *Env) (*Key, error) {
	if !ks.airgapChecked {
		if err := requireAirgapForSecrets(env, ks.AllowOnline); err != nil {
			return nil, err
		}
	}
	var entropy []byte
	var err error
	switch {
	case ks.MnemonicFile != "":
		env.warnf("reading the mnemonic from %s: a mnemonic in a file is for drills and tests only", ks.MnemonicFile)
		var raw []byte
		raw, err = os.ReadFile(ks.MnemonicFile)
		if err != nil {
			return nil, fmt.Errorf("reading the mnemonic file: %w", err)
		}
		entropy, err = bip39.MnemonicToEntropy(raw)
		wipe(raw)
	case len(ks.ShareFiles) > 0 || ks.Shares:
		var written shamir.Fingerprint
		entropy, written, err = combineShares(env, ks)
		if err != nil {
			return nil, err
		}
		key, err := KeyFromEntropy(entropy, env.Net)
		if err != nil {
			return nil, err
		}
		// The shares' digest proves they combine; this proves the key they
		// make is the one written on them (a BIP39 passphrase, or a split
		// of the wrong secret, would show here).
		if got := shamirFingerprint(key.Fingerprint); got != written {
			key.Wipe()
			return nil, fmt.Errorf("the shares rebuild a key with fingerprint %s, but they were made for key %s", got, written)
		}
		return ks.applyPassphrase(env, key)
	default:
		var raw []byte
		raw, err = env.Prompter.ReadSecret("Type the BIP39 mnemonic (not shown), then Enter: ")
		if err != nil {
			return nil, err
		}
		entropy, err = bip39.MnemonicToEntropy(raw)
		wipe(raw)
	}
	if err != nil {
		return nil, err
	}
	key, err := KeyFromEntropy(entropy, env.Net)
	if err != nil {
		return nil, err
	}
	return ks.applyPassphrase(env, key)
}

// KeyFromEntropy derives the BIP32 master key from BIP39 entropy with an
// empty passphrase, exactly as any BIP39 wallet restoring the mnemonic does.
// It takes ownership of entropy.
//
// The entropy, the mnemonic and the seed are locked in memory (lockSecret)
// while held. The master key's own bytes live inside btcd's
// hdkeychain.ExtendedKey, which airsign cannot reach to lock; Harden's
// mlockall covers them only where the memlock limit allows it.
func KeyFromEntropy(entropy []byte, net *chaincfg.Params) (*Key, error) {
	lockSecret(entropy)
	mnemonic, err := bip39.EntropyToMnemonic(entropy)
	if err != nil {
		wipe(entropy)
		return nil, err
	}
	lockSecret(mnemonic)
	seed, err := bip39.Seed(mnemonic, nil)
	wipe(mnemonic)
	unlockSecret(mnemonic)
	lockSecret(seed)
	defer unlockSecret(seed)
	if err != nil {
		wipe(entropy)
		return nil, err
	}
	master, err := hdkeychain.NewMaster(seed, net)
	wipe(seed)
	if err != nil {
		wipe(entropy)
		return nil, fmt.Errorf("deriving the master key: %w", err)
	}
	fp, err := psbt.MasterFingerprint(master)
	if err != nil {
		master.Zero()
		wipe(entropy)
		return nil, err
	}
	return &Key{Master: master, Fingerprint: fp, entropy: entropy}, nil
}

// Descriptor builds the key's standard watch-only descriptor of the given
// kind and account, the one exported to the online side.
func (k *Key) Descriptor(kind descriptor.Kind, account uint32, net *chaincfg.Params) (*descriptor.Descriptor, error) {
	return descriptor.New(kind, k.Master, account, net)
}
