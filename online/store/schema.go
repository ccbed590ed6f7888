package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema's versions: migrations[i] takes a store from
// version i to i+1 (PRAGMA user_version). They are append-only: a released
// step is never edited, a change is a new step, so a newer airsign-online
// upgrades any older store in place and an older one can tell that a store
// is newer than it knows (its version is past len(migrations)).
var migrations = []func(*Tx, string) error{
	// 1: the first store; wallets from the JSON files of earlier versions
	// are imported in the same transaction.
	func(t *Tx, dataDir string) error {
		if err := t.execAll(schemaV1); err != nil {
			return err
		}
		return t.importLegacy(dataDir)
	},
	// 2: receive remembers the addresses it handed out; a ceremony run is
	// recorded once per wallet (drills import), enforced by the schema.
	func(t *Tx, _ string) error { return t.execAll(schemaV2) },
}

// SchemaVersion is the schema version this airsign-online writes.
func SchemaVersion() int { return len(migrations) }

// schemaV1 is the first schema. Amounts are satoshis, heights block
// heights (0: unconfirmed or unknown), times Unix seconds, outpoints
// "txid:vout" as block explorers print them.
var schemaV1 = []string{
	`CREATE TABLE wallets (
		id         INTEGER PRIMARY KEY,
		name       TEXT NOT NULL UNIQUE,
		descriptor TEXT NOT NULL,
		network    TEXT NOT NULL,
		gap_limit  INTEGER NOT NULL,
		birthday   INTEGER NOT NULL DEFAULT 0, -- first block height that can hold its coins; 0: unknown
		created_at INTEGER NOT NULL
	)`,
	// Every address a scan asked about, and whether it has been used.
	`CREATE TABLE addresses (
		wallet_id INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
		branch    INTEGER NOT NULL,
		idx       INTEGER NOT NULL,
		address   TEXT NOT NULL,
		used      INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (wallet_id, branch, idx)
	) WITHOUT ROWID`,
	// The coins of the last scan (unspent outputs).
	`CREATE TABLE coins (
		wallet_id INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
		outpoint  TEXT NOT NULL,
		amount    INTEGER NOT NULL,
		height    INTEGER NOT NULL,
		branch    INTEGER NOT NULL,
		idx       INTEGER NOT NULL,
		coinbase  INTEGER NOT NULL DEFAULT 0,
		PRIMARY KEY (wallet_id, outpoint)
	) WITHOUT ROWID`,
	// The wallet's transactions: history.
	`CREATE TABLE transactions (
		wallet_id  INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
		txid       TEXT NOT NULL,
		height     INTEGER NOT NULL DEFAULT 0,
		first_seen INTEGER NOT NULL,
		received   INTEGER NOT NULL DEFAULT 0, -- paid to the wallet
		sent       INTEGER NOT NULL DEFAULT 0, -- spent from the wallet
		fee        INTEGER NOT NULL DEFAULT -1, -- -1: unknown
		PRIMARY KEY (wallet_id, txid)
	) WITHOUT ROWID`,
	// BIP329 labels, keyed as BIP329 keys them (type, ref).
	`CREATE TABLE labels (
		wallet_id INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
		type      TEXT NOT NULL CHECK (type IN ('tx', 'addr', 'pubkey', 'input', 'output', 'xpub')),
		ref       TEXT NOT NULL,
		label     TEXT NOT NULL,
		origin    TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (wallet_id, type, ref)
	) WITHOUT ROWID`,
	// Coins prepare and bump must not spend (BIP329 "spendable": false).
	`CREATE TABLE freezes (
		wallet_id INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
		outpoint  TEXT NOT NULL,
		frozen_at INTEGER NOT NULL,
		PRIMARY KEY (wallet_id, outpoint)
	) WITHOUT ROWID`,
	// PSBTs this side prepared or broadcast, by digest, so watch can tell
	// the wallet's own spends from unexpected ones.
	`CREATE TABLE psbts (
		wallet_id  INTEGER NOT NULL REFERENCES wallets(id) ON DELETE CASCADE,
		kind       TEXT NOT NULL CHECK (kind IN ('prepared', 'broadcast')),
		digest     TEXT NOT NULL,
		txid       TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		PRIMARY KEY (wallet_id, kind, digest)
	) WITHOUT ROWID`,
	`CREATE INDEX psbts_txid ON psbts (wallet_id, txid)`,
	// Where the last watch pass got to.
	`CREATE TABLE watch_state (
		wallet_id   INTEGER PRIMARY KEY REFERENCES wallets(id) ON DELETE CASCADE,
		tip_height  INTEGER NOT NULL,
		tip_hash    TEXT NOT NULL,
		state       TEXT NOT NULL DEFAULT '{}', -- the watch command's own JSON
		updated_at  INTEGER NOT NULL
	)`,
	// BIP127 proofs of reserves this side prepared or verified.
	`CREATE TABLE reserves_proofs (
		id          INTEGER PRIMARY KEY,
		wallet_id   INTEGER REFERENCES wallets(id) ON DELETE SET NULL,
		message     TEXT NOT NULL,
		amount      INTEGER NOT NULL,
		height      INTEGER NOT NULL,
		proof       BLOB NOT NULL,
		verified_at INTEGER NOT NULL
	)`,
	// Drill reports (from airsign-offline's logs) this side verified.
	`CREATE TABLE drill_reports (
		id          INTEGER PRIMARY KEY,
		wallet_id   INTEGER REFERENCES wallets(id) ON DELETE SET NULL,
		log_head    TEXT NOT NULL,
		report      TEXT NOT NULL,
		verified_at INTEGER NOT NULL
	)`,
}

// schemaV2 is what version 2 adds to version 1.
var schemaV2 = []string{
	// When receive handed the address out (Unix seconds; 0: never), so
	// the next receive gives the next address while this one is unpaid.
	`ALTER TABLE addresses ADD COLUMN handed_out INTEGER NOT NULL DEFAULT 0`,
	// One report per run and wallet: a version-1 store may hold a run
	// twice (nothing stopped it); the first recorded is kept.
	`DELETE FROM drill_reports WHERE id NOT IN
		(SELECT min(id) FROM drill_reports GROUP BY coalesce(wallet_id, 0), log_head)`,
	`CREATE UNIQUE INDEX drill_reports_run ON drill_reports (coalesce(wallet_id, 0), log_head)`,
}

func (t *Tx) execAll(stmts []string) error {
	for _, q := range stmts {
		if _, err := t.exec(q); err != nil {
			return fmt.Errorf("creating the store's schema: %w", err)
		}
	}
	return nil
}

func userVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// migrate brings the store to SchemaVersion, in one write transaction so
// that commands starting together upgrade it once. It reports whether
// legacy JSON wallets were imported.
func (s *Store) migrate(ctx context.Context, dataDir string) (imported bool, err error) {
	v, err := userVersion(ctx, s.db)
	if err != nil {
		return false, s.wrap(fmt.Errorf("reading %s: %w", s.path, err))
	}
	if v == SchemaVersion() {
		return false, nil
	}
	if v > SchemaVersion() {
		return false, s.tooNew(v)
	}
	err = s.Update(ctx, func(t *Tx) error {
		// Another command may have upgraded it while this one waited.
		v, err := userVersion(ctx, t.tx)
		if err != nil {
			return err
		}
		if v > SchemaVersion() {
			return s.tooNew(v)
		}
		for ; v < SchemaVersion(); v++ {
			if err := migrations[v](t, dataDir); err != nil {
				return fmt.Errorf("upgrading %s to version %d: %w", s.path, v+1, err)
			}
		}
		// PRAGMA takes no parameters; v is an int.
		_, err = t.exec(fmt.Sprintf("PRAGMA user_version = %d", v))
		s.Legacy = t.legacy
		return err
	})
	return len(s.Legacy.Imported)+len(s.Legacy.Skipped) > 0, err
}

func (s *Store) tooNew(v int) error {
	return fmt.Errorf("%s: %w (store version %d; this one knows up to %d).\n"+
		"Run the newer airsign-online, or restore a backup this version made", s.path, ErrTooNew, v, SchemaVersion())
}
