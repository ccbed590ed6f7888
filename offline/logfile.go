package offline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/ceremony/chainlog"
	"github.com/airsign/airsign/psbt"
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

// logFile is a hash-chained log on disk that other airsign processes may
// append to at the same moment (two signs, a sign and a ceremony). Every
// append holds an exclusive lock on the file (lockFile) from reading its
// end to syncing the new record, so appends queue and the chain never
// forks.
type logFile struct{ path string }

// Exclusive implements chainlog.Shared.
func (f logFile) Exclusive(fn func(r io.Reader, w io.Writer) error) error {
	fd, err := os.OpenFile(f.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("opening the log: %w", err)
	}
	defer fd.Close()
	if err := lockFile(fd); err != nil {
		return fmt.Errorf("locking the log %s: %w", f.path, err)
	}
	defer unlockFile(fd)
	// Reads start at the beginning; with O_APPEND every write goes to the
	// end, whatever has been read.
	if err := fn(fd, fd); err != nil {
		return err
	}
	return fd.Sync()
}

// openLog opens a hash-chained log for appending after verifying what is
// already there, so a record is never chained onto a tampered history.
func openLog(path string) (*ceremony.LogWriter, func() error, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("creating the log directory: %w", err)
	}
	w, err := chainlog.NewSharedWriter(logFile{path})
	if err != nil {
		return nil, nil, fmt.Errorf("the log %s fails verification (%v): keep it as evidence, and name a new log with --log", path, err)
	}
	return w, func() error { return nil }, nil
}

// openSigningLog opens the signing log like openLog and, given the head the
// operator wrote on the signing sheet after the last signature (--log-head),
// checks the log still holds it: a log cut short, rewritten or deleted since
// is refused before anything else happens.
func openSigningLog(env *Env, path, sheetHead string) (*ceremony.LogWriter, func() error, error) {
	if sheetHead != "" {
		want, err := chainlog.ParseHead(sheetHead)
		if err != nil {
			return nil, nil, fmt.Errorf("--log-head: %w", err)
		}
		f, err := os.Open(path)
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, fmt.Errorf("%w to sign: the signing log %s does not exist, but the signing sheet holds its head %q: it was deleted or moved. Find it (or keep what is left as evidence) before signing again", ErrRefused, path, sheetHead)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("opening the log: %w", err)
		}
		found, after := false, 0
		sum, verr := chainlog.Verify(f, chainlog.Options{Each: func(_ chainlog.Record, h [32]byte) {
			if found {
				after++
			} else if string(h[:len(want)]) == string(want) {
				found = true
			}
		}})
		f.Close()
		switch {
		case verr != nil:
			return nil, nil, fmt.Errorf("the log %s fails verification (%v): keep it as evidence, and name a new log with --log", path, verr)
		case !found:
			return nil, nil, fmt.Errorf("%w to sign: the signing log %s does not hold the head %q written on the signing sheet (it ends at record %d, %q): records were cut from its end, or it was rewritten. Keep it as evidence and name a new log with --log", ErrRefused, path, sheetHead, sum.Records, sum.Head.Words())
		}
		if after > 0 {
			fmt.Fprintf(env.Stderr, "the signing log holds the head on the signing sheet; %s added after it (refusals, or signatures written on a later sheet)\n", plural(after, "record"))
		}
	}
	return openLog(path)
}

// signingLogMAC is the key that seals this key's records in the signing
// log, derived from the master key like the enrollment key (keySecret), so
// that someone who rewrites the log without it is found by the next sign.
func signingLogMAC(key *Key) (*chainlog.MACKey, error) {
	k, err := keySecret(key, "airsign signing log mac v1")
	if err != nil {
		return nil, err
	}
	return &chainlog.MACKey{ID: "sign:" + psbt.FormatFingerprint(key.Fingerprint), Key: k}, nil
}

// logOutputs is how many outputs a signing record lists one by one; the
// rest are counted and covered by outputs_sha256, so a record stays a few
// kilobytes whatever the PSBT (a 1,200-output PSBT once made a record too
// long to write, and was signed without one).
const logOutputs = 16

// logSummary is what a signing record says about a PSBT besides its hash:
// the fee, what leaves the wallet, the digest, and its outputs (the first
// logOutputs listed, all of them hashed).
func logSummary(a *psbt.Analysis) map[string]string {
	data := map[string]string{
		"fee_sat":   fmt.Sprint(a.Fee),
		"spend_sat": fmt.Sprint(a.Spend),
		"digest":    a.Digest,
		"n_inputs":  fmt.Sprint(len(a.Inputs)),
		"n_outputs": fmt.Sprint(len(a.Outputs)),
	}
	h := sha256.New()
	var outs []string
	for _, o := range a.Outputs {
		kind := "external"
		if o.Change {
			kind = "change"
		}
		line := fmt.Sprintf("%s:%d:%s", displayAddr(o), o.Amount, kind)
		fmt.Fprintln(h, line)
		if len(outs) < logOutputs {
			outs = append(outs, line)
		}
	}
	if len(a.Outputs) > logOutputs {
		outs = append(outs, fmt.Sprintf("…and %d more", len(a.Outputs)-logOutputs))
	}
	data["outputs"] = strings.Join(outs, " ")
	data["outputs_sha256"] = hex.EncodeToString(h.Sum(nil))
	return data
}

// logTextMax bounds free text from a PSBT in a signing record; longer text
// is cut and its SHA-256 kept, so the record stays small and still pins it.
const logTextMax = 256

func boundedText(s string) string {
	if len(s) <= logTextMax {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return strings.ToValidUTF8(s[:logTextMax], "") + "… (sha256 " + hex.EncodeToString(sum[:]) + ")"
}
