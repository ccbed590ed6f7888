package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// What the online side learns from the chain. All of it can be learnt
// again by a rescan from the descriptor; it is kept so that commands can
// say what changed since the last look (watch, history) without asking
// the node about everything again.

// AddressSeen is an address a scan asked about.
type AddressSeen struct {
	Branch, Index uint32
	Address       string
	Used          bool
}

// CoinRecord is an unspent output of the wallet seen by the last scan.
type CoinRecord struct {
	OutPoint      string
	Amount        int64
	Height        int32 // 0: unconfirmed
	Branch, Index uint32
	Coinbase      bool
}

// ScanResult is what one scan saw: the addresses it asked about, the
// wallet's coins at that moment, and the transactions that paid or spent
// the wallet's addresses (where the backend lists them), so history shows
// a payment whose coin was spent before any scan saw it.
type ScanResult struct {
	Addresses []AddressSeen
	Coins     []CoinRecord
	Txids     []string
}

// RecordScan saves a scan: the addresses (an address once used stays
// used), the coins (replacing those of the previous scan: a coin missing
// now was spent), and a history row for each transaction that paid a
// coin. Only what changed since the last scan is written, so rescanning
// an unchanged wallet of thousands of addresses costs a few reads.
func (t *Tx) RecordScan(walletID int64, r ScanResult) error {
	type slot struct{ branch, index uint32 }
	known := map[slot]bool{} // address slot -> used
	type addrRow struct {
		slot
		used bool
	}
	rows, err := selectAll(t, func(rows *sql.Rows, a *addrRow) error { return rows.Scan(&a.branch, &a.index, &a.used) },
		`SELECT branch, idx, used FROM addresses WHERE wallet_id = ?`, walletID)
	if err != nil {
		return err
	}
	for _, a := range rows {
		known[a.slot] = a.used
	}
	var addr *sql.Stmt
	for _, a := range r.Addresses {
		used, ok := known[slot{a.Branch, a.Index}]
		if ok && (used || !a.Used) {
			continue
		}
		if addr == nil {
			if addr, err = t.tx.PrepareContext(t.ctx, `INSERT INTO addresses (wallet_id, branch, idx, address, used) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (wallet_id, branch, idx) DO UPDATE SET used = max(used, excluded.used)`); err != nil {
				return err
			}
			defer addr.Close()
		}
		if _, err := addr.ExecContext(t.ctx, walletID, a.Branch, a.Index, a.Address, a.Used); err != nil {
			return fmt.Errorf("saving address %d/%d: %w", a.Branch, a.Index, err)
		}
	}

	old, err := t.Coins(walletID)
	if err != nil {
		return err
	}
	had := make(map[CoinRecord]bool, len(old))
	for _, c := range old {
		had[c] = true
	}
	current := make(map[string]bool, len(r.Coins))
	for _, c := range r.Coins {
		current[c.OutPoint] = true
	}
	for _, c := range old {
		if !current[c.OutPoint] {
			if _, err := t.exec(`DELETE FROM coins WHERE wallet_id = ? AND outpoint = ?`, walletID, c.OutPoint); err != nil {
				return err
			}
		}
	}
	var coin, hist *sql.Stmt
	seen := now()
	txids := map[string]bool{}
	for _, c := range r.Coins {
		if had[c] {
			continue // the same coin at the same height: its history row is there too
		}
		if coin == nil {
			if coin, err = t.tx.PrepareContext(t.ctx, `INSERT INTO coins (wallet_id, outpoint, amount, height, branch, idx, coinbase) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (wallet_id, outpoint) DO UPDATE SET amount = excluded.amount, height = excluded.height,
					branch = excluded.branch, idx = excluded.idx, coinbase = excluded.coinbase`); err != nil {
				return err
			}
			defer coin.Close()
			if hist, err = t.tx.PrepareContext(t.ctx, `INSERT INTO transactions (wallet_id, txid, height, first_seen) VALUES (?, ?, ?, ?)
				ON CONFLICT (wallet_id, txid) DO UPDATE SET height = excluded.height WHERE height IS NOT excluded.height`); err != nil {
				return err
			}
			defer hist.Close()
		}
		if _, err := coin.ExecContext(t.ctx, walletID, c.OutPoint, c.Amount, c.Height, c.Branch, c.Index, c.Coinbase); err != nil {
			return fmt.Errorf("saving coin %s: %w", c.OutPoint, err)
		}
		txid, _, _ := strings.Cut(c.OutPoint, ":")
		if txids[txid] {
			continue
		}
		txids[txid] = true
		if _, err := hist.ExecContext(t.ctx, walletID, txid, c.Height, seen); err != nil {
			return fmt.Errorf("saving transaction %s: %w", txid, err)
		}
	}
	return t.recordTxids(walletID, r.Txids, txids, seen)
}

// recordTxids adds a history row for each transaction not known yet (its
// height is filled in when it pays a coin; history asks the node anyway).
func (t *Tx) recordTxids(walletID int64, all []string, done map[string]bool, seen int64) error {
	if len(all) == 0 {
		return nil
	}
	known, err := t.strings(`SELECT txid FROM transactions WHERE wallet_id = ?`, walletID)
	if err != nil {
		return err
	}
	for _, k := range known {
		done[k] = true
	}
	var ins *sql.Stmt
	for _, txid := range all {
		if done[txid] {
			continue
		}
		done[txid] = true
		if ins == nil {
			if ins, err = t.tx.PrepareContext(t.ctx, `INSERT INTO transactions (wallet_id, txid, height, first_seen) VALUES (?, ?, 0, ?)
				ON CONFLICT (wallet_id, txid) DO NOTHING`); err != nil {
				return err
			}
			defer ins.Close()
		}
		if _, err := ins.ExecContext(t.ctx, walletID, txid, seen); err != nil {
			return fmt.Errorf("saving transaction %s: %w", txid, err)
		}
	}
	return nil
}

// Coins lists the coins of the last scan.
func (t *Tx) Coins(walletID int64) ([]CoinRecord, error) {
	return selectAll(t, func(rows *sql.Rows, c *CoinRecord) error {
		return rows.Scan(&c.OutPoint, &c.Amount, &c.Height, &c.Branch, &c.Index, &c.Coinbase)
	},
		`SELECT outpoint, amount, height, branch, idx, coinbase FROM coins WHERE wallet_id = ? ORDER BY outpoint`, walletID)
}

// UsedAddresses counts, per branch, the addresses seen used.
func (t *Tx) UsedAddresses(walletID int64) (map[uint32]int, error) {
	type count struct {
		branch uint32
		n      int
	}
	counts, err := selectAll(t, func(rows *sql.Rows, c *count) error { return rows.Scan(&c.branch, &c.n) },
		`SELECT branch, count(*) FROM addresses WHERE wallet_id = ? AND used GROUP BY branch`, walletID)
	out := map[uint32]int{}
	for _, c := range counts {
		out[c.branch] = c.n
	}
	return out, err
}

// TxRecord is one transaction of the wallet's history.
type TxRecord struct {
	Txid      string
	Height    int32 // 0: unconfirmed
	FirstSeen int64
	// Received and Sent are what it paid to and spent from the wallet (0
	// when not known yet); Fee is -1 when unknown.
	Received, Sent, Fee int64
}

// PutTransaction adds or updates a transaction of the history; FirstSeen
// is kept from the first time.
func (t *Tx) PutTransaction(walletID int64, r TxRecord) error {
	if r.FirstSeen == 0 {
		r.FirstSeen = now()
	}
	_, err := t.exec(`INSERT INTO transactions (wallet_id, txid, height, first_seen, received, sent, fee) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (wallet_id, txid) DO UPDATE SET height = excluded.height, received = excluded.received,
			sent = excluded.sent, fee = excluded.fee`,
		walletID, r.Txid, r.Height, r.FirstSeen, r.Received, r.Sent, r.Fee)
	return err
}

// Transactions lists the history, newest first (unconfirmed on top).
func (t *Tx) Transactions(walletID int64) ([]TxRecord, error) {
	return selectAll(t, func(rows *sql.Rows, r *TxRecord) error {
		return rows.Scan(&r.Txid, &r.Height, &r.FirstSeen, &r.Received, &r.Sent, &r.Fee)
	}, `SELECT txid, height, first_seen, received, sent, fee FROM transactions WHERE wallet_id = ?
		ORDER BY height = 0 DESC, height DESC, first_seen DESC, txid`, walletID)
}

// PSBT kinds.
const (
	PSBTPrepared  = "prepared"
	PSBTBroadcast = "broadcast"
)

// PSBTRecord is a PSBT this side prepared or broadcast.
type PSBTRecord struct {
	Kind      string // PSBTPrepared or PSBTBroadcast
	Digest    string // the digest prepare shows (hex)
	Txid      string // the unsigned transaction's txid
	CreatedAt int64
}

// RecordPSBT remembers a prepared or broadcast PSBT; recording the same
// one twice is not an error.
func (t *Tx) RecordPSBT(walletID int64, r PSBTRecord) error {
	if r.Kind != PSBTPrepared && r.Kind != PSBTBroadcast {
		return fmt.Errorf("PSBT kind %q: want %q or %q", r.Kind, PSBTPrepared, PSBTBroadcast)
	}
	_, err := t.exec(`INSERT INTO psbts (wallet_id, kind, digest, txid, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		walletID, r.Kind, r.Digest, r.Txid, now())
	return err
}

// PSBTs lists the wallet's recorded PSBTs of a kind ("" for both), oldest
// first.
func (t *Tx) PSBTs(walletID int64, kind string) ([]PSBTRecord, error) {
	return selectAll(t, func(rows *sql.Rows, r *PSBTRecord) error { return rows.Scan(&r.Kind, &r.Digest, &r.Txid, &r.CreatedAt) },
		`SELECT kind, digest, txid, created_at FROM psbts WHERE wallet_id = ? AND (? = '' OR kind = ?)
		ORDER BY created_at, digest`, walletID, kind, kind)
}

// WatchState is where the last watch pass over a wallet got to.
type WatchState struct {
	TipHeight int32
	TipHash   string
	// State is the watch command's own JSON (thresholds seen, alerts sent).
	State     string
	UpdatedAt int64
}

// WatchState reads the watch state (ok false if watch never ran).
func (t *Tx) WatchState(walletID int64) (s WatchState, ok bool, err error) {
	err = t.row(`SELECT tip_height, tip_hash, state, updated_at FROM watch_state WHERE wallet_id = ?`, walletID).
		Scan(&s.TipHeight, &s.TipHash, &s.State, &s.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	return s, err == nil, err
}

// SetWatchState saves the watch state.
func (t *Tx) SetWatchState(walletID int64, s WatchState) error {
	if s.State == "" {
		s.State = "{}"
	}
	_, err := t.exec(`INSERT INTO watch_state (wallet_id, tip_height, tip_hash, state, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (wallet_id) DO UPDATE SET tip_height = excluded.tip_height, tip_hash = excluded.tip_hash,
			state = excluded.state, updated_at = excluded.updated_at`,
		walletID, s.TipHeight, s.TipHash, s.State, now())
	return err
}

// HandOut picks the next receive address of a branch to hand out and
// records it, in this one transaction so that two receives started
// together get two addresses: the first index from next (the first after
// the last used one) that receive has not handed out while unpaid. pick
// sees that index and returns the address to record, or an error to hand
// out nothing (the gap limit).
func (t *Tx) HandOut(walletID int64, branch, next uint32, pick func(index uint32) (string, error)) (uint32, error) {
	var last sql.NullInt64
	err := t.row(`SELECT max(idx) FROM addresses WHERE wallet_id = ? AND branch = ? AND idx >= ? AND handed_out > 0 AND NOT used`,
		walletID, branch, next).Scan(&last)
	if err != nil {
		return 0, err
	}
	index := next
	if last.Valid {
		index = uint32(last.Int64) + 1
	}
	addr, err := pick(index)
	if err != nil {
		return 0, err
	}
	_, err = t.exec(`INSERT INTO addresses (wallet_id, branch, idx, address, handed_out) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (wallet_id, branch, idx) DO UPDATE SET handed_out = excluded.handed_out`,
		walletID, branch, index, addr, now())
	return index, err
}
