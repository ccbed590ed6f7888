package online

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/file"
	"github.com/btcsuite/btcd/chaincfg"
)

// Wallet is a watch-only wallet as stored in the data directory. It holds no
// secret: the descriptor (public keys), the network and bookkeeping.
type Wallet struct {
	Name       string `json:"name"`
	Descriptor string `json:"descriptor"`
	Network    string `json:"network"`
	// GapLimit is how many unused addresses in a row end a scan.
	GapLimit int `json:"gap_limit"`
	// Labels maps an address or an outpoint to the operator's note.
	Labels map[string]string `json:"labels,omitempty"`
	// Frozen lists outpoints that prepare must not spend.
	Frozen map[string]bool `json:"frozen,omitempty"`

	desc *descriptor.Descriptor
	net  *chaincfg.Params
}

// DefaultGapLimit is the BIP44 gap limit most wallets use.
const DefaultGapLimit = 20

var walletName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func walletPath(dataDir, name string) (string, error) {
	if !walletName.MatchString(name) {
		return "", fmt.Errorf("wallet name %q: use letters, digits, '.', '_' or '-' (at most 64)", name)
	}
	return filepath.Join(dataDir, "wallets", name+".json"), nil
}

// Desc returns the parsed descriptor.
func (w *Wallet) Desc() *descriptor.Descriptor { return w.desc }

// Net returns the wallet's network.
func (w *Wallet) Net() *chaincfg.Params { return w.net }

// ImportWallet checks a descriptor (checksum, network, watch-only) and saves
// it as a new wallet. An existing wallet of the same name is never replaced.
func ImportWallet(env *Env, name, desc, network string) (*Wallet, error) {
	net, err := Network(network)
	if err != nil {
		return nil, err
	}
	d, err := descriptor.Parse(desc, net)
	if err != nil {
		return nil, err
	}
	path, err := walletPath(env.DataDir, name)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("a wallet named %q already exists in %s; choose another --wallet name", name, env.DataDir)
	}
	w := &Wallet{Name: name, Descriptor: d.String(), Network: net.Name, GapLimit: DefaultGapLimit, desc: d, net: net}
	if err := w.save(env.DataDir); err != nil {
		return nil, err
	}
	return w, nil
}

// LoadWallet reads a wallet from the data directory and re-checks its
// descriptor, so a hand-edited file cannot smuggle in a bad one.
func LoadWallet(env *Env, name string) (*Wallet, error) {
	path, err := walletPath(env.DataDir, name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no wallet named %q in %s: import one with `airsign-online wallet import DESCRIPTOR`", name, env.DataDir)
	}
	if err != nil {
		return nil, fmt.Errorf("reading wallet: %w", err)
	}
	var w Wallet
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v); import the descriptor again", path, err)
	}
	w.net, err = Network(w.Network)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w.desc, err = descriptor.Parse(w.Descriptor, w.net)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if w.GapLimit <= 0 {
		w.GapLimit = DefaultGapLimit
	}
	return &w, nil
}

func (w *Wallet) save(dataDir string) error {
	path, err := walletPath(dataDir, w.Name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating the data directory: %w", err)
	}
	data, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	return file.WriteAtomic(path, append(data, '\n'), 0o600)
}
