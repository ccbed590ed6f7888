package store

import (
	"database/sql"
	"errors"
)

// Label types, as BIP329 names them.
const (
	LabelTx     = "tx"
	LabelAddr   = "addr"
	LabelPubkey = "pubkey"
	LabelInput  = "input"
	LabelOutput = "output"
	LabelXpub   = "xpub"
)

// Label is one BIP329 label: the operator's note on a transaction,
// address, key, input or output of a wallet.
type Label struct {
	Type   string
	Ref    string
	Label  string
	Origin string // BIP329 "origin": a key origin, e.g. wpkh([d34db33f/84'/0'/0'])
}

// PutLabel sets a label, replacing the one of the same type and ref. It
// reports whether anything changed (false: the same label was there).
func (t *Tx) PutLabel(walletID int64, l Label) (changed bool, err error) {
	res, err := t.exec(`INSERT INTO labels (wallet_id, type, ref, label, origin) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (wallet_id, type, ref) DO UPDATE SET label = excluded.label, origin = excluded.origin
		WHERE label IS NOT excluded.label OR origin IS NOT excluded.origin`,
		walletID, l.Type, l.Ref, l.Label, l.Origin)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// LabelOf returns the label of a type and ref ("" if none).
func (t *Tx) LabelOf(walletID int64, typ, ref string) (string, error) {
	var l string
	err := t.row(`SELECT label FROM labels WHERE wallet_id = ? AND type = ? AND ref = ?`, walletID, typ, ref).Scan(&l)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return l, err
}

// DeleteLabel removes a label and reports whether there was one.
func (t *Tx) DeleteLabel(walletID int64, typ, ref string) (bool, error) {
	res, err := t.exec(`DELETE FROM labels WHERE wallet_id = ? AND type = ? AND ref = ?`, walletID, typ, ref)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Labels lists a wallet's labels ordered by type and ref.
func (t *Tx) Labels(walletID int64) ([]Label, error) {
	return selectAll(t, func(rows *sql.Rows, l *Label) error { return rows.Scan(&l.Type, &l.Ref, &l.Label, &l.Origin) },
		`SELECT type, ref, label, origin FROM labels WHERE wallet_id = ? ORDER BY type, ref`, walletID)
}

// SetFrozen freezes or unfreezes an outpoint and reports whether that
// changed anything.
func (t *Tx) SetFrozen(walletID int64, outpoint string, frozen bool) (changed bool, err error) {
	var res sql.Result
	if frozen {
		res, err = t.exec(`INSERT INTO freezes (wallet_id, outpoint, frozen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			walletID, outpoint, now())
	} else {
		res, err = t.exec(`DELETE FROM freezes WHERE wallet_id = ? AND outpoint = ?`, walletID, outpoint)
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// Frozen lists a wallet's frozen outpoints in order.
func (t *Tx) Frozen(walletID int64) ([]string, error) {
	return t.strings(`SELECT outpoint FROM freezes WHERE wallet_id = ? ORDER BY outpoint`, walletID)
}

// strings runs a query of one text column.
func (t *Tx) strings(query string, args ...any) ([]string, error) {
	return selectAll(t, func(rows *sql.Rows, s *string) error { return rows.Scan(s) }, query, args...)
}
