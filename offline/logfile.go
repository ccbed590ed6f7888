package offline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/airsign/airsign/ceremony"
)

// DefaultLogPath is where the signing log lives unless --log says otherwise:
// on the offline machine, beside the user's data, not on the USB stick.
func DefaultLogPath() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "airsign", "signing.jsonl")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "airsign", "signing.jsonl")
	}
	return "airsign-signing.jsonl"
}

// openLog opens a hash-chained log for appending after verifying what is
// already there, so a record is never chained onto a tampered history.
func openLog(path string) (*ceremony.LogWriter, func() error, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("creating the log directory: %w", err)
	}
	head := ceremony.GenesisHead()
	if f, err := os.Open(path); err == nil {
		sum, verr := ceremony.Verify(f, "")
		f.Close()
		if verr != nil {
			return nil, nil, fmt.Errorf("the log %s fails verification (%v): keep it as evidence, and name a new log with --log", path, verr)
		}
		head = sum.Head
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("opening the log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the log: %w", err)
	}
	return ceremony.NewLogWriter(f, head), f.Close, nil
}
