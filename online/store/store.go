// Package store is airsign-online's memory: one SQLite database per data
// directory holding every watch-only wallet and what the online side learns
// about it (addresses seen, coins, transactions, labels, freezes, the PSBTs
// it prepared and broadcast, watch state, proofs and drill reports).
//
// Why a database and not a file per wallet: commands run side by side (a
// cron `watch` beside an operator, a script labelling coins), and a file
// read, changed and rewritten whole loses every change but the last writer's.
// Here every command's change is one SQLite transaction taken with a write
// lock up front (BEGIN IMMEDIATE), so concurrent commands queue instead of
// overwriting each other, and a change reported done has been committed and
// synced (WAL, synchronous=FULL): a killed process or a power cut loses
// nothing that was reported.
//
// The driver is modernc.org/sqlite, SQLite translated to Go, so the release
// binaries stay static, cgo-free and byte-reproducible.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the store's file in the data directory.
const FileName = "airsign-online.db"

// BusyTimeout is how long a command waits for another one's write to
// finish before giving up. Writes are short (no network talk happens inside
// a transaction), so waiting this long means something is wrong.
const BusyTimeout = 60 * time.Second

// Store is an open store. It is safe for use by several goroutines; every
// read and write goes through View or Update.
type Store struct {
	db   *sql.DB
	path string
	// Legacy says which JSON wallets of an earlier airsign-online this
	// Open imported (empty but on the first run over such a directory).
	Legacy LegacyImport
}

// Path is the database file, for messages.
func Path(dataDir string) string { return filepath.Join(dataDir, FileName) }

// Exists reports whether dataDir already holds a store.
func Exists(dataDir string) bool {
	_, err := os.Stat(Path(dataDir))
	return err == nil
}

// Present reports whether dataDir holds a store or the JSON wallets of an
// earlier airsign-online, which Open would import: commands that only
// read need not create a store where there is nothing to read.
func Present(dataDir string) bool {
	if Exists(dataDir) {
		return true
	}
	_, err := os.Stat(filepath.Join(dataDir, LegacyDir))
	return err == nil
}

// Open opens the store of dataDir, creating the directory and the database
// if needed, upgrading an older schema in place and importing the JSON
// wallets of airsign-online versions before the store (once; the old files
// are kept, renamed, as a backup). A store written by a newer airsign-online
// is refused with ErrTooNew; a damaged one with a *CorruptError.
func Open(ctx context.Context, dataDir string) (*Store, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	s, err := openFile(Path(dataDir), false)
	if err != nil {
		return nil, err
	}
	imported, err := s.migrate(ctx, dataDir)
	if err != nil {
		s.db.Close()
		return nil, err
	}
	if imported {
		// The files stay where they are if the rename fails: never read
		// again now that the store exists, they are a backup either way.
		s.Legacy.BackupDir, _ = keepLegacyBackup(dataDir)
	}
	return s, nil
}

// openFile opens the database at path with the pragmas every connection
// needs. readOnly opens a backup to check it.
func openFile(path string, readOnly bool) (*Store, error) {
	q := url.Values{}
	// busy_timeout first: the journal_mode change below takes a lock.
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if readOnly {
		q.Add("mode", "ro")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	// One connection: a command does one thing at a time, and a single
	// connection can never wait on a lock held by its own process.
	db.SetMaxOpenConns(1)
	s := &Store{db: db, path: path}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, s.wrap(fmt.Errorf("opening %s: %w", path, err))
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// File is the database file's path.
func (s *Store) File() string { return s.path }

// Tx is one transaction: the methods that read and change the store.
type Tx struct {
	ctx    context.Context
	tx     *sql.Tx
	legacy LegacyImport
}

// Update runs fn in one write transaction: everything fn changed is
// committed together (and synced) when it returns nil, nothing when it
// returns an error or ctx is cancelled.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, false, fn)
}

// View runs fn in one read transaction: it sees one consistent state, and
// writers are not blocked meanwhile (WAL).
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, true, fn)
}

func (s *Store) run(ctx context.Context, readOnly bool, fn func(*Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return s.wrap(err)
	}
	if err := fn(&Tx{ctx: ctx, tx: tx}); err != nil {
		tx.Rollback()
		return s.wrap(err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(fmt.Errorf("saving to %s: %w", s.path, err))
	}
	return nil
}

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(t.ctx, query, args...)
}

func (t *Tx) query(query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(t.ctx, query, args...)
}

func (t *Tx) row(query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// ErrTooNew is returned by Open for a store written by a newer
// airsign-online, whose schema this one does not know.
var ErrTooNew = errors.New("the store was written by a newer airsign-online")

// CorruptError says the database file is damaged, and what to do.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("%s is damaged (%v).\n"+
		"Restore a backup:  airsign-online wallet restore BACKUP-FILE\n"+
		"or rebuild it from the chain: move the file aside, then\n"+
		"  airsign-online wallet import DESCRIPTOR  and  airsign-online utxos\n"+
		"(labels come back only from an export: airsign-online labels import FILE)", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// wrap turns SQLite's "malformed" and "not a database" into a
// *CorruptError naming the file and the way out.
func (s *Store) wrap(err error) error {
	if err == nil {
		return nil
	}
	var ce *CorruptError
	if errors.As(err, &ce) {
		return err
	}
	if isCorrupt(err) {
		return &CorruptError{Path: s.path, Err: err}
	}
	if isBusy(err) {
		return fmt.Errorf("%s stayed locked by another airsign-online command for %s: %w (is one stuck? stop it and try again)", s.path, BusyTimeout, err)
	}
	return err
}

func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return 0
}

func isCorrupt(err error) bool {
	c := sqliteCode(err)
	return c == sqlite3.SQLITE_CORRUPT || c == sqlite3.SQLITE_NOTADB
}

func isBusy(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_BUSY }

func isConstraint(err error) bool { return sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT }

// now is the time stored with records, in Unix seconds.
func now() int64 { return time.Now().Unix() }

// selectAll runs a query and scans each row into a new T.
func selectAll[T any](t *Tx, scan func(*sql.Rows, *T) error, query string, args ...any) ([]T, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
