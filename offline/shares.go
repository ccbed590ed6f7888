package offline

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/shamir"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
)

// shamirFingerprint converts the PSBT-convention fingerprint (little-endian
// uint32) to the four bytes wallets print and shares carry.
func shamirFingerprint(fp uint32) shamir.Fingerprint {
	var out shamir.Fingerprint
	binary.LittleEndian.PutUint32(out[:], fp)
	return out
}

// ParseFingerprint reads 8 hex digits (as wallets print a master
// fingerprint) for --expect-fingerprint.
func ParseFingerprint(s string) (shamir.Fingerprint, error) {
	var fp shamir.Fingerprint
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != 4 {
		return fp, fmt.Errorf("fingerprint %q: expected 8 hex digits, e.g. 73c5da0a", s)
	}
	copy(fp[:], b)
	return fp, nil
}

// SplitOptions are the inputs of `shares split`.
type SplitOptions struct {
	Key       KeySource
	Threshold int
	Count     int
	// OutDir writes share-1.txt … share-N.txt (drills and tests; shares on a
	// disk are only as safe as the disk).
	OutDir string
}

// SharesSplit splits the key's BIP39 entropy into T-of-N shares and hands
// them out one at a time: on the terminal, each shown only until its holder
// has copied it, or as files for drills.
func SharesSplit(env *Env, opts SplitOptions) error {
	if opts.Threshold < 2 || opts.Threshold > opts.Count || opts.Count > shamir.MaxShares {
		return fmt.Errorf("need 2 ≤ --threshold ≤ --shares ≤ %d (got %d of %d)", shamir.MaxShares, opts.Threshold, opts.Count)
	}
	key, err := opts.Key.LoadKey(env)
	if err != nil {
		return err
	}
	defer key.Wipe()
	shares, err := shamir.Split(key.Entropy(), shamirFingerprint(key.Fingerprint), opts.Threshold, opts.Count, rand.Reader)
	if err != nil {
		return err
	}
	defer func() {
		for i := range shares {
			shares[i].Wipe()
		}
	}()
	setID := shares[0].SetID
	fmt.Fprintf(env.Stderr, "split key %s into %d shares, any %d of which rebuild it (set %s)\n",
		shamirFingerprint(key.Fingerprint), opts.Count, opts.Threshold, setID)
	if opts.OutDir != "" {
		env.Warnf("writing shares to %s: shares on a disk are for drills and tests; for real keys hand each one out on paper", opts.OutDir)
		if err := os.MkdirAll(opts.OutDir, 0o700); err != nil {
			return err
		}
		// Every name is checked before any is written: an old share left
		// in the directory must not end up beside shares of the new set.
		for _, s := range shares {
			path := filepath.Join(opts.OutDir, fmt.Sprintf("share-%d.txt", s.Index))
			if _, err := os.Lstat(path); err == nil {
				return transport.WithHint(fmt.Errorf("%s already exists (a share of an earlier split?); nothing was written", path), "give --out-dir an empty directory")
			}
		}
		for _, s := range shares {
			text, err := s.MarshalText()
			if err != nil {
				return err
			}
			path := filepath.Join(opts.OutDir, fmt.Sprintf("share-%d.txt", s.Index))
			err = file.WriteNewAtomic(path, append(text, '\n'), 0o600)
			wipe(text)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "wrote %s\n", path)
		}
		return nil
	}
	return showSharesOneByOne(env, shares)
}

// showSharesOneByOne puts each share on the terminal for its holder, then
// clears the screen before the next, so no one sees another holder's share.
func showSharesOneByOne(env *Env, shares []shamir.Share) (err error) {
	shown := false
	defer func() {
		// Ended early (Ctrl-D, a closed terminal): no share may stay on
		// the screen or in its scrollback for the next person.
		if err != nil && shown {
			fmt.Fprint(env.Stdout, clearScreen)
		}
	}()
	for _, s := range shares {
		if _, err := env.Prompter.ReadLine(fmt.Sprintf("\nHolder of share %d of %d: come to the screen alone, then press Enter. ", s.Index, s.Count)); err != nil {
			return err
		}
		text, err := s.MarshalText()
		if err != nil {
			return err
		}
		// The share goes to the screen from bytes, never through a Go
		// string (which could not be wiped); only the prompt is a string.
		shown = true
		err = showSecretText(env.Stdout, fmt.Sprintf("\n  Share %d of %d   set %s   any %d rebuild the key   key %s\n\n", s.Index, s.Count, s.SetID, s.Threshold, s.Fingerprint), text, "\n\n")
		wipe(text)
		if err != nil {
			return err
		}
		_, err = env.Prompter.ReadLine("Copy it by hand, block by block (not the numbers), then press Enter to clear the screen. ")
		if err != nil {
			return err
		}
		if _, err := env.Prompter.ReadLine(clearScreen + "(screen cleared) Press Enter for the next holder. "); err != nil {
			return err
		}
		shown = false
	}
	return nil
}

// clearScreen clears the terminal and its scrollback (ED 2, ED 3) and homes
// the cursor.
const clearScreen = "\033[2J\033[3J\033[H"

// wrapBlocks lays a share's text out as on its card: rows of
// shamir.BlocksPerRow blocks, each under its block number (the number an
// error like "block 8 looks mistyped" names). The numbers are not part of
// the share: the holder copies the blocks only. It returns bytes, never a
// string, so the caller can wipe the share's text once it is on the screen;
// the buffer is locked in memory (lockSecret) meanwhile.
func wrapBlocks(text []byte) []byte {
	rows := shamir.Rows(text)
	size := 0
	for _, row := range rows {
		size += 3
		for _, blk := range row {
			size += 8 + max(len(blk.Text), 4)
		}
	}
	// Sized once: a reallocation would leave an unwiped copy behind.
	out := make([]byte, 0, size)
	lockSecret(out[:cap(out)])
	for i, row := range rows {
		if i > 0 {
			out = append(out, "\n\n"...)
		}
		for _, blk := range row {
			out = fmt.Appendf(out, "%6d", blk.N)
		}
		out = append(out, '\n')
		for _, blk := range row {
			out = append(out, ' ', ' ')
			out = append(out, blk.Text...)
			for pad := len(blk.Text); pad < 4; pad++ {
				out = append(out, ' ')
			}
		}
		for len(out) > 0 && out[len(out)-1] == ' ' {
			out = out[:len(out)-1]
		}
	}
	return out
}

// showSecretText writes a share's text (laid out by wrapBlocks) between
// before and after, straight from bytes, and wipes the layout.
func showSecretText(w io.Writer, before string, text []byte, after string) error {
	blocks := wrapBlocks(text)
	defer func() { wipe(blocks); unlockSecret(blocks[:cap(blocks)]) }()
	if _, err := io.WriteString(w, before); err != nil {
		return err
	}
	if _, err := w.Write(blocks); err != nil {
		return err
	}
	_, err := io.WriteString(w, after)
	return err
}

// readShares reads shares from files, or from the terminal one by one
// without echo until the threshold is reached.
func readShares(env *Env, files []string) ([]shamir.Share, error) {
	var shares []shamir.Share
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading share file: %w", err)
		}
		s, err := shamir.ParseShare(data, f)
		wipe(data)
		if err != nil {
			return nil, err
		}
		shares = append(shares, s)
	}
	if len(files) > 0 {
		return shares, nil
	}
	need := 0
	for i := 1; need == 0 || len(shares) < need; i++ {
		text, err := env.Prompter.ReadSecret(fmt.Sprintf("Share %d (typed, not shown; spaces and case do not matter): ", i))
		if err != nil {
			return nil, err
		}
		s, err := shamir.ParseShare(text, fmt.Sprintf("share %d", i))
		wipe(text)
		if err != nil {
			sayf(env.Stderr, "%v — type it again\n", err)
			i--
			continue
		}
		if dup := sameShareAs(shares, s); dup != "" {
			// Caught here, not after the last share: a duplicate must not
			// count toward the threshold.
			sayf(env.Stderr, "%s — type another share\n", dup)
			i--
			continue
		}
		need = s.Threshold
		shares = append(shares, s)
		sayf(env.Stderr, "share %d of set %s accepted (%d of %d needed)\n", s.Index, s.SetID, len(shares), need)
	}
	return shares, nil
}

// sameShareAs says why s cannot join the shares typed so far: the same
// card again, or a card of another set. "" when it can.
func sameShareAs(typed []shamir.Share, s shamir.Share) string {
	for _, t := range typed {
		if t.SetID != s.SetID {
			return fmt.Sprintf("this is share %d of set %s, but the shares so far are of set %s", s.Index, s.SetID, t.SetID)
		}
		if t.Index == s.Index {
			return fmt.Sprintf("share %d of set %s was typed already", s.Index, s.SetID)
		}
	}
	return ""
}

// combineShares rebuilds the BIP39 entropy from shares for KeySource, and
// returns the master fingerprint the shares carry, which the caller checks
// against the key it derives.
func combineShares(env *Env, ks KeySource) ([]byte, shamir.Fingerprint, error) {
	shares, err := readShares(env, ks.ShareFiles)
	if err != nil {
		return nil, shamir.Fingerprint{}, err
	}
	defer wipeShares(shares)
	if len(shares) == 0 {
		return nil, shamir.Fingerprint{}, transport.WithHint(errors.New("no shares given"), "give --share-file FILE once for each share, or --shares to type them")
	}
	var secret []byte
	if ks.ExpectFingerprint != "" {
		fp, perr := ParseFingerprint(ks.ExpectFingerprint)
		if perr != nil {
			return nil, shamir.Fingerprint{}, perr
		}
		secret, err = shamir.CombineExpect(shares, fp)
	} else {
		secret, err = shamir.Combine(shares)
	}
	return secret, shares[0].Fingerprint, err
}

func wipeShares(shares []shamir.Share) {
	for i := range shares {
		shares[i].Wipe()
	}
}

// CombineOptions are the inputs of `shares combine`.
type CombineOptions struct {
	Key          KeySource
	ShowMnemonic bool
}

// SharesCombine rebuilds the key in memory from shares and prints its
// fingerprint (and, only if asked, the standard BIP39 mnemonic any wallet
// restores).
func SharesCombine(env *Env, opts CombineOptions) error {
	if len(opts.Key.ShareFiles) == 0 {
		opts.Key.Shares = true
	}
	key, err := opts.Key.LoadKey(env)
	if err != nil {
		return err
	}
	defer key.Wipe()
	env.Printf("rebuilt key with master fingerprint %s\n", shamirFingerprint(key.Fingerprint))
	if opts.ShowMnemonic {
		m, err := bip39.EntropyToMnemonic(key.Entropy())
		if err != nil {
			return err
		}
		env.Printf("BIP39 mnemonic (%d words; any BIP39 wallet restores it):\n%s\n", len(strings.Fields(string(m))), m)
		wipe(m)
	}
	return nil
}

// VerifyOptions are the inputs of `shares verify`.
type VerifyOptions struct {
	ShareFiles        []string
	ExpectFingerprint string
	// AllowOnline reads shares on a machine that is not air-gapped (logged).
	AllowOnline bool
}

// SharesVerify checks shares without revealing the secret: each share's
// checksum and fields, one set, no duplicates; with enough shares, the
// digest and the fingerprint too.
func SharesVerify(env *Env, opts VerifyOptions) error {
	if err := requireAirgapForSecrets(env, opts.AllowOnline); err != nil {
		return err
	}
	shares, err := readShares(env, opts.ShareFiles)
	if err != nil {
		return err
	}
	defer wipeShares(shares)
	var rep shamir.Report
	if opts.ExpectFingerprint != "" {
		fp, err := ParseFingerprint(opts.ExpectFingerprint)
		if err != nil {
			return err
		}
		rep, err = shamir.VerifyExpect(shares, fp)
		if err != nil {
			return err
		}
	} else if rep, err = shamir.Verify(shares); err != nil {
		return err
	}
	env.Printf("set %s: %d-of-%d shares for key %s; shares given: %v\n", rep.SetID, rep.Threshold, rep.Count, rep.Fingerprint, rep.Indices)
	if rep.Recovered {
		env.Printf("OK: the shares combine to the key (digest checked; the key was wiped)\n")
	} else {
		env.Printf("each share is well-formed; %d more needed to check that they combine\n", rep.Threshold-len(rep.Indices))
	}
	return nil
}
