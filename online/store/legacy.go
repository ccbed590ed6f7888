package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Before the store, airsign-online kept one JSON file per wallet in
// DATADIR/wallets/NAME.json. The first Open over such a directory imports
// them (in the transaction that creates the store, so it happens once even
// when commands start together) and then renames the directory to
// LegacyBackupDir: kept, but no longer read.

// LegacyDir is where the JSON wallets lived.
const LegacyDir = "wallets"

// LegacyBackupDir is what LegacyDir is renamed to once imported.
const LegacyBackupDir = "wallets.json-backup"

// LegacyImport says what the first Open made of the JSON wallets.
type LegacyImport struct {
	// Imported names the wallets imported.
	Imported []string
	// Skipped names the files that could not be read, with why; they stay
	// in the backup directory.
	Skipped []string
	// BackupDir is where the JSON files are now.
	BackupDir string
}

// legacyWallet is the JSON file of one wallet.
type legacyWallet struct {
	Name       string            `json:"name"`
	Descriptor string            `json:"descriptor"`
	Network    string            `json:"network"`
	GapLimit   int               `json:"gap_limit"`
	Labels     map[string]string `json:"labels"`
	Frozen     map[string]bool   `json:"frozen"`
}

// importLegacy imports every DATADIR/wallets/*.json into the new store.
func (t *Tx) importLegacy(dataDir string) error {
	dir := filepath.Join(dataDir, LegacyDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the JSON wallets of an earlier version in %s: %w", dir, err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		why, err := t.importLegacyFile(path, name)
		if err != nil {
			return err
		}
		if why != "" {
			t.legacy.Skipped = append(t.legacy.Skipped, e.Name()+": "+why)
			continue
		}
		t.legacy.Imported = append(t.legacy.Imported, name)
	}
	sort.Strings(t.legacy.Imported)
	return nil
}

// importLegacyFile imports one file; a file it cannot use is skipped
// with the reason (why), not an error, so one damaged file does not keep
// the operator from the other wallets.
func (t *Tx) importLegacyFile(path, name string) (why string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error(), nil
	}
	var lw legacyWallet
	if err := json.Unmarshal(data, &lw); err != nil {
		return fmt.Sprintf("damaged (%v)", err), nil
	}
	if lw.Name != name || lw.Descriptor == "" || lw.Network == "" {
		return "not an airsign-online wallet file (name, descriptor or network missing or renamed)", nil
	}
	id, err := t.AddWallet(WalletRecord{Name: lw.Name, Descriptor: lw.Descriptor, Network: lw.Network, GapLimit: lw.GapLimit})
	if err != nil {
		if errors.Is(err, ErrWalletExists) {
			return "a wallet of that name is in the store already", nil
		}
		return "", err
	}
	for key, text := range lw.Labels {
		typ := LabelAddr
		if strings.Contains(key, ":") {
			typ = LabelOutput
		}
		if _, err := t.PutLabel(id, Label{Type: typ, Ref: key, Label: text}); err != nil {
			return "", err
		}
	}
	for op, frozen := range lw.Frozen {
		if frozen {
			if _, err := t.SetFrozen(id, op, true); err != nil {
				return "", err
			}
		}
	}
	return "", nil
}

// keepLegacyBackup renames the imported JSON wallets' directory out of the
// way. A failure leaves the files where they were; they are never read
// again (the store exists now), so it is harmless.
func keepLegacyBackup(dataDir string) (string, error) {
	from := filepath.Join(dataDir, LegacyDir)
	to := filepath.Join(dataDir, LegacyBackupDir)
	for i := 2; ; i++ {
		if _, err := os.Lstat(to); errors.Is(err, os.ErrNotExist) {
			break
		}
		to = filepath.Join(dataDir, fmt.Sprintf("%s.%d", LegacyBackupDir, i))
	}
	if err := os.Rename(from, to); err != nil {
		return from, err
	}
	return to, nil
}
