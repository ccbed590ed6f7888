package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"modernc.org/sqlite"
)

// Backup writes a consistent snapshot of the store to path (VACUUM INTO:
// one read transaction, so commands running meanwhile are neither blocked
// nor half-included). The snapshot is written beside path, synced and
// renamed into place, so path is never half a backup; an existing path is
// refused, never replaced.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists; choose a new backup file name (a backup is never overwritten)", path)
	}
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.tmp-%d", filepath.Base(path), time.Now().UnixNano()))
	defer os.Remove(tmp)
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return s.wrap(fmt.Errorf("writing the backup %s: %w", path, err))
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("writing the backup %s: %w", path, err)
	}
	// A hard link never replaces a file another process made meanwhile.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; choose a new backup file name (a backup is never overwritten)", path)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("writing the backup %s: %w", path, err)
		}
	}
	syncFile(dir)
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// CheckBackup opens a backup read-only and checks it is a whole, readable
// store this airsign-online can use; it returns the wallets it holds.
func CheckBackup(ctx context.Context, path string) ([]string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("reading the backup: %w", err)
	}
	b, err := openFile(path, true)
	if err != nil {
		return nil, notABackup(path, err)
	}
	defer b.Close()
	v, err := userVersion(ctx, b.db)
	if err != nil {
		return nil, notABackup(path, err)
	}
	if v == 0 {
		return nil, fmt.Errorf("%s is not an airsign-online store backup (it holds no airsign-online schema)", path)
	}
	if v > SchemaVersion() {
		return nil, b.tooNew(v)
	}
	var check string
	if err := b.db.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&check); err != nil {
		return nil, notABackup(path, err)
	}
	if check != "ok" {
		return nil, fmt.Errorf("%s is damaged (%s): use another backup, or rebuild from the descriptor (wallet import, then utxos)", path, check)
	}
	var names []string
	err = b.View(ctx, func(t *Tx) error {
		names, err = t.WalletNames()
		return err
	})
	if err != nil {
		return nil, notABackup(path, err)
	}
	return names, nil
}

func notABackup(path string, err error) error {
	return fmt.Errorf("%s is not a readable airsign-online backup (%v): check the file name, or use another backup", path, err)
}

// Restore replaces the store of dataDir with the backup at path, after
// checking the backup whole. What it replaces is not thrown away: a
// readable store is first saved with Backup beside it, a damaged one is
// moved aside; the name is returned ("" when there was no store). The
// copy goes through SQLite's backup API under the store's own lock, so a
// command running meanwhile sees the store before or after, never half.
func Restore(ctx context.Context, dataDir, path string) (kept string, err error) {
	if _, err := CheckBackup(ctx, path); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("creating the data directory: %w", err)
	}
	stamp := time.Now().UTC().Format("20060102T150405Z")
	dbPath := Path(dataDir)
	if Exists(dataDir) {
		kept = dbPath + ".before-restore-" + stamp
		cur, err := openFile(dbPath, false)
		if err == nil {
			err = cur.Backup(ctx, kept)
			cur.Close()
		}
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				return "", fmt.Errorf("saving the current store before restoring: %w", err)
			}
			// Damaged: move it (and its WAL, which belongs to it) aside.
			kept = dbPath + ".damaged-" + stamp
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Rename(dbPath+suffix, kept+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
					return "", fmt.Errorf("moving the damaged store aside: %w", err)
				}
			}
		}
	}
	dst, err := openFile(dbPath, false)
	if err != nil {
		return kept, err
	}
	defer dst.Close()
	conn, err := dst.db.Conn(ctx)
	if err != nil {
		return kept, dst.wrap(err)
	}
	defer conn.Close()
	src := "file:" + (&url.URL{Path: path}).EscapedPath() + "?mode=ro"
	err = conn.Raw(func(dc any) error {
		r, ok := dc.(interface {
			NewRestore(string) (*sqlite.Backup, error)
		})
		if !ok {
			return errors.New("the SQLite driver has no backup API")
		}
		bk, err := r.NewRestore(src)
		if err != nil {
			return err
		}
		for more := true; more; {
			if more, err = bk.Step(-1); err != nil {
				bk.Finish()
				return err
			}
		}
		return bk.Finish()
	})
	if err != nil {
		return kept, fmt.Errorf("restoring %s from %s: %w", dbPath, path, err)
	}
	conn.Close()
	// An older backup is upgraded now, not by the next command.
	if _, err := dst.migrate(ctx, dataDir); err != nil {
		return kept, err
	}
	return kept, nil
}
