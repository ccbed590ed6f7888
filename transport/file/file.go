// Package file writes and reads the files that cross the air gap on a USB
// stick: atomically, so a pulled stick or a full disk never leaves half a
// PSBT, log or share, and with a size cap before anything is parsed.
package file

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteAtomic writes data to path so that a reader, a pulled USB stick or
// a full disk only ever leaves the old complete file or the new complete
// file: it writes a temporary file in the same directory, syncs it, renames
// it over path and syncs the directory. A process killed mid-write may
// leave a ".NAME.tmp-*" file beside path, never a torn path.
func WriteAtomic(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, false)
}

// WriteNewAtomic is WriteAtomic for outputs that must never replace an
// existing file (a signed PSBT must not overwrite its unsigned input or an
// earlier signature). The new file is put in place with a hard link, which
// fails if the name exists even when another process creates it at the
// same moment; on filesystems without hard links (FAT USB sticks) it falls
// back to checking first and renaming.
func WriteNewAtomic(path string, data []byte, perm os.FileMode) error {
	if err := CheckNew(path); err != nil {
		return err
	}
	return write(path, data, perm, true)
}

// CheckNew reports whether path is free for WriteNewAtomic, so a command can
// refuse a taken --out name before it does any work (or asks anyone to type
// anything), not only when it writes.
func CheckNew(path string) error {
	if _, err := os.Lstat(path); err == nil {
		return existsError(path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("checking %s: %w", path, err)
	}
	return nil
}

func existsError(path string) error {
	return fmt.Errorf("%s already exists; choose another --out name (airsign never overwrites a PSBT)", path)
}

func write(path string, data []byte, perm os.FileMode, noReplace bool) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	name := tmp.Name()
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: flushing to disk: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if noReplace {
		err := os.Link(name, path)
		switch {
		case err == nil:
			os.Remove(name)
			committed = true
			syncDir(dir)
			return nil
		case errors.Is(err, os.ErrExist):
			return existsError(path)
		}
		// No hard links here: the Lstat above is the check.
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	committed = true
	syncDir(dir)
	return nil
}

// syncDir makes a rename or link in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// MaxInputSize caps what is read from a file or stdin before parsing.
const MaxInputSize = 64 << 20

// ReadLimited reads all of r, refusing more than MaxInputSize bytes.
func ReadLimited(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxInputSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(b) > MaxInputSize {
		return nil, fmt.Errorf("%s is larger than %d MiB; that is not a PSBT", name, MaxInputSize>>20)
	}
	return b, nil
}
