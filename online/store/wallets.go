package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// WalletRecord is a watch-only wallet as stored: nothing secret, only the
// descriptor (public keys) and its bookkeeping. The store does not parse
// the descriptor; the online package checks it on every load.
type WalletRecord struct {
	ID         int64
	Name       string
	Descriptor string
	Network    string
	// GapLimit is how many unused addresses in a row end a scan.
	GapLimit int
	// Birthday is the first block height that can hold the wallet's
	// coins (0: unknown), where a rescan may start.
	Birthday int32
}

// ErrWalletExists is returned by AddWallet for a name already taken.
var ErrWalletExists = errors.New("a wallet of that name exists")

// ErrNoWallet is returned for a wallet name the store does not hold.
var ErrNoWallet = errors.New("no such wallet")

// AddWallet stores a new wallet and returns its id. An existing wallet of
// the same name is never replaced (ErrWalletExists).
func (t *Tx) AddWallet(w WalletRecord) (int64, error) {
	res, err := t.exec(`INSERT INTO wallets (name, descriptor, network, gap_limit, birthday, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, w.Name, w.Descriptor, w.Network, w.GapLimit, w.Birthday, now())
	if isConstraint(err) {
		return 0, fmt.Errorf("wallet %q: %w", w.Name, ErrWalletExists)
	}
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Wallet reads the wallet called name (ErrNoWallet if there is none).
func (t *Tx) Wallet(name string) (WalletRecord, error) {
	w := WalletRecord{Name: name}
	err := t.row(`SELECT id, descriptor, network, gap_limit, birthday FROM wallets WHERE name = ?`, name).
		Scan(&w.ID, &w.Descriptor, &w.Network, &w.GapLimit, &w.Birthday)
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("wallet %q: %w", name, ErrNoWallet)
	}
	return w, err
}

// WalletNames lists the wallets' names in order.
func (t *Tx) WalletNames() ([]string, error) {
	return t.strings(`SELECT name FROM wallets ORDER BY name`)
}

// SetBirthday records the first block height that can hold the wallet's
// coins, when it is earlier than the one known (or none is).
func (t *Tx) SetBirthday(walletID int64, height int32) error {
	_, err := t.exec(`UPDATE wallets SET birthday = ? WHERE id = ? AND (birthday = 0 OR birthday > ?)`, height, walletID, height)
	return err
}
