package online

import (
	"bytes"

	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/airsign/airsign/online/bip329"
	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/transport/file"
)

// This file moves labels in and out as BIP329 JSON Lines, the format
// Sparrow and other wallets export and import: `labels export FILE` and
// `labels import FILE`.

// ExportLabels writes the wallet's labels and freezes to path ("-":
// stdout) as BIP329: every label, and a frozen coin as an output record
// with "spendable": false. Records carry the wallet's origin, so an
// export of several wallets can be told apart.
func ExportLabels(env *Env, walletName, path string) error {
	w, err := LoadWallet(env, walletName)
	if err != nil {
		return err
	}
	var labels []store.Label
	var frozen []string
	err = env.view(func(t *store.Tx) (err error) {
		if labels, err = t.Labels(w.id); err != nil {
			return err
		}
		frozen, err = t.Frozen(w.id)
		return err
	})
	if err != nil {
		return err
	}
	origin := walletOrigin(w)
	no := false
	var recs []bip329.Record
	at := map[string]int{}
	for _, l := range labels {
		o := l.Origin
		if o == "" {
			o = origin
		}
		text := l.Label
		if l.Type == store.LabelOutput {
			at[l.Ref] = len(recs)
		}
		recs = append(recs, bip329.Record{Type: l.Type, Ref: l.Ref, Label: &text, Origin: o})
	}
	for _, op := range frozen {
		if i, ok := at[op]; ok {
			recs[i].Spendable = &no
			continue
		}
		recs = append(recs, bip329.Record{Type: store.LabelOutput, Ref: op, Origin: origin, Spendable: &no})
	}
	var buf bytes.Buffer
	if err := bip329.Write(&buf, recs); err != nil {
		return err
	}
	if path == "-" {
		_, err = env.Stdout.Write(buf.Bytes())
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists; choose a new file name (an export never overwrites a file)", path)
	}
	if err := file.WriteAtomic(path, buf.Bytes(), 0o600); err != nil {
		return err
	}
	env.Infof("exported %s and %s of wallet %q to %s (BIP329; it tells what you paid and received: keep it private)",
		plural(len(labels), "label"), plural(len(frozen), "frozen coin"), w.Name, path)
	return nil
}

// keyOf matches a key after its origin in a descriptor: the extended key
// and its child steps, which an abbreviated BIP329 origin leaves out.
var keyOf = regexp.MustCompile(`\][^,)\[]*`)

// walletOrigin is the wallet's descriptor abbreviated as BIP329 "origin"
// asks: key origins kept, keys, child steps and checksum removed, e.g.
// wpkh([73c5da0a/84h/1h/0h]).
func walletOrigin(w *Wallet) string {
	body, _, _ := strings.Cut(w.desc.String(), "#")
	return keyOf.ReplaceAllString(body, "]")
}

// originBrackets finds the [fingerprint/path] groups of an origin.
var originBrackets = regexp.MustCompile(`\[[^\]]*\]`)

// sameOrigin compares two BIP329 origins as Sparrow does: the same script
// shape and the same set of key origins, whatever the key order and
// whether hardened steps are written h or '.
func sameOrigin(a, b string) bool {
	norm := func(s string) (string, string) {
		s = strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "'", "h"))
		keys := originBrackets.FindAllString(s, -1)
		sort.Strings(keys)
		shape := s
		if i := strings.IndexByte(s, '['); i >= 0 {
			shape = s[:i]
		}
		return shape, strings.Join(keys, ",")
	}
	sa, ka := norm(a)
	sb, kb := norm(b)
	return sa == sb && ka == kb
}

// LabelImport counts what an import did.
type LabelImport struct {
	Added, Changed, Unchanged int
	Froze, Unfroze            int
	OtherWallet               int // records whose origin is another wallet's
	Ignored                   int // record types BIP329 does not define
	SilentPayments            int // spscan records: no airsign wallet has that key
}

// ImportLabels reads a BIP329 file (path, or "-" for stdin) and merges it
// into the wallet's labels and freezes in one transaction: a label of the
// same type and ref is replaced, never duplicated; a missing label or
// spendable leaves what is there. Any bad line is named and nothing is
// imported. Records whose origin names another wallet are passed over.
func ImportLabels(env *Env, walletName, path string) (*LabelImport, error) {
	w, err := LoadWallet(env, walletName)
	if err != nil {
		return nil, err
	}
	var r io.Reader = env.Stdin
	name := path
	if path == "-" {
		name = "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("reading the labels: %w", err)
		}
		defer f.Close()
		r = f
	}
	res, err := bip329.Read(r, name)
	if err != nil {
		return nil, err
	}
	// Everything checkable is checked before the store is touched.
	origin := walletOrigin(w)
	var mine []bip329.Record
	sum := &LabelImport{Ignored: res.Ignored, SilentPayments: res.SilentPayments}
	for _, rec := range res.Records {
		if rec.Origin != "" && !sameOrigin(rec.Origin, origin) {
			sum.OtherWallet++
			continue
		}
		if rec.Type == store.LabelAddr {
			a, err := ParseAddress(rec.Ref, w.net)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w; nothing was imported", name, rec.Line, err)
			}
			rec.Ref = a.EncodeAddress()
		}
		mine = append(mine, rec)
	}
	err = env.update(func(t *store.Tx) error {
		*sum = LabelImport{Ignored: sum.Ignored, SilentPayments: sum.SilentPayments, OtherWallet: sum.OtherWallet}
		for _, rec := range mine {
			if err := importRecord(t, w.id, rec, sum); err != nil {
				return fmt.Errorf("%s line %d: %w", name, rec.Line, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, n := range res.Truncated {
		env.Warnf("%s line %d: the label was cut to %d characters", name, n, bip329.MaxLabel)
	}
	env.Infof("imported the labels of %s into wallet %q: %d new, %d changed, %d already there; froze %s, unfroze %d",
		name, w.Name, sum.Added, sum.Changed, sum.Unchanged, plural(sum.Froze, "coin"), sum.Unfroze)
	if sum.OtherWallet > 0 {
		env.Infof("passed over %s of other wallets (their origin is not %s)", plural(sum.OtherWallet, "record"), origin)
	}
	if sum.SilentPayments > 0 {
		env.Infof("passed over %s (silent payments scan keys, which airsign's wallets do not have)", plural(sum.SilentPayments, "spscan record"))
	}
	if sum.Ignored > 0 {
		env.Infof("passed over %s of types BIP329 does not define", plural(sum.Ignored, "record"))
	}
	return sum, nil
}

func importRecord(t *store.Tx, walletID int64, rec bip329.Record, sum *LabelImport) error {
	if rec.Label != nil && strings.TrimSpace(*rec.Label) != "" {
		before, err := t.LabelOf(walletID, rec.Type, rec.Ref)
		if err != nil {
			return err
		}
		changed, err := t.PutLabel(walletID, store.Label{Type: rec.Type, Ref: rec.Ref, Label: strings.TrimSpace(*rec.Label), Origin: rec.Origin})
		if err != nil {
			return err
		}
		switch {
		case before == "":
			sum.Added++
		case changed:
			sum.Changed++
		default:
			sum.Unchanged++
		}
	}
	if rec.Spendable != nil {
		changed, err := t.SetFrozen(walletID, rec.Ref, !*rec.Spendable)
		if err != nil {
			return err
		}
		if changed && *rec.Spendable {
			sum.Unfroze++
		} else if changed {
			sum.Froze++
		}
	}
	return nil
}
