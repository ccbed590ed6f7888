package online

import (
	"context"
	"errors"
	"fmt"
	"github.com/airsign/airsign/transport"
	"regexp"
	"strings"

	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg"
)

// Wallet is a watch-only wallet as stored in the data directory's store.
// It holds no secret: the descriptor (public keys), the network and
// bookkeeping.
type Wallet struct {
	Name       string
	Descriptor string
	Network    string
	// GapLimit is how many unused addresses in a row end a scan.
	GapLimit int
	// Birthday is the first block height that can hold the wallet's coins,
	// as given at import (0: unknown). It is kept for a restore elsewhere
	// (a wallet that rescans from a height needs it) and shown by show.
	Birthday int32
	// Labels maps an address or an outpoint (TXID:VOUT) to the operator's
	// note (the store's BIP329 addr and output labels), as loaded.
	Labels map[string]string
	// Frozen lists outpoints that prepare must not spend, as loaded.
	Frozen map[string]bool

	id      int64  // the store's id
	dataDir string // where the store is, to record what a scan saw
	desc    *descriptor.Descriptor
	net     *chaincfg.Params
	// gap is the gap limit of this run: GapLimit unless --gap-limit says
	// otherwise (an override that is not saved).
	gap int
}

// DefaultGapLimit is the BIP44 gap limit most wallets use.
const DefaultGapLimit = 20

// MaxGapLimit bounds --gap-limit: a scan asks about two gaps of addresses
// at least, and a gap of more than this is a typo.
const MaxGapLimit = 10_000

var walletName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func checkWalletName(name string) error {
	if !walletName.MatchString(name) {
		return fmt.Errorf("wallet name %q: use letters, digits, '.', '_' or '-' (at most 64, not starting with a symbol)", name)
	}
	return nil
}

// Desc returns the parsed descriptor.
func (w *Wallet) Desc() *descriptor.Descriptor { return w.desc }

// Net returns the wallet's network.
func (w *Wallet) Net() *chaincfg.Params { return w.net }

func checkGapLimit(n int) error {
	if n < 1 || n > MaxGapLimit {
		return fmt.Errorf("--gap-limit %d: give 1 to %d", n, MaxGapLimit)
	}
	return nil
}

// openStore opens the data directory's store, saying once which JSON
// wallets of an earlier airsign-online it imported.
func (e *Env) openStore(ctx context.Context) (*store.Store, error) {
	s, err := store.Open(ctx, e.DataDir)
	if err != nil {
		return nil, err
	}
	if l := s.Legacy; len(l.Imported)+len(l.Skipped) > 0 {
		if len(l.Imported) > 0 {
			e.Infof("imported %s of an earlier airsign-online into %s: %s", plural(len(l.Imported), "wallet"), s.File(), strings.Join(l.Imported, ", "))
		}
		for _, why := range l.Skipped {
			e.Warnf("not imported: %s", why)
		}
		e.Infof("the old JSON files are kept in %s", l.BackupDir)
	}
	return s, nil
}

// update runs fn as one write transaction on the data directory's store.
// Store calls are short and local, so they run to the end even when the
// command is being cancelled: a change is either all saved or not at all.
func (e *Env) update(fn func(*store.Tx) error) error {
	return e.withStore(func(s *store.Store) error { return s.Update(context.Background(), fn) })
}

// view runs fn as one read transaction on the data directory's store.
func (e *Env) view(fn func(*store.Tx) error) error {
	return e.withStore(func(s *store.Store) error { return s.View(context.Background(), fn) })
}

func (e *Env) withStore(fn func(*store.Store) error) error {
	s, err := e.openStore(context.Background())
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// LoadWallet reads a wallet, its labels and freezes from the store and
// re-checks its descriptor, so a hand-edited store cannot smuggle in a
// bad one. A gap limit set on env (--gap-limit) applies to this run only.
func LoadWallet(env *Env, name string) (*Wallet, error) {
	if err := checkWalletName(name); err != nil {
		return nil, err
	}
	if !store.Present(env.DataDir) {
		return nil, transport.WithHint(fmt.Errorf("no wallet named %q in %s", name, env.DataDir), "import one with `airsign-online wallet import DESCRIPTOR`")
	}
	var rec store.WalletRecord
	var labels []store.Label
	var frozen, names []string
	err := env.view(func(t *store.Tx) error {
		var err error
		rec, err = t.Wallet(name)
		if errors.Is(err, store.ErrNoWallet) {
			names, _ = t.WalletNames()
			return err
		}
		if err != nil {
			return err
		}
		if labels, err = t.Labels(rec.ID); err != nil {
			return err
		}
		frozen, err = t.Frozen(rec.ID)
		return err
	})
	if errors.Is(err, store.ErrNoWallet) {
		hint := "import one with `airsign-online wallet import DESCRIPTOR`"
		if len(names) > 0 {
			hint = "wallets here: " + strings.Join(names, ", ") + " (choose with --wallet NAME)"
		}
		return nil, transport.WithHint(fmt.Errorf("no wallet named %q in %s", name, env.DataDir), hint)
	}
	if err != nil {
		return nil, fmt.Errorf("reading wallet %q: %w", name, err)
	}
	w := &Wallet{Name: name, Descriptor: rec.Descriptor, Network: rec.Network, GapLimit: rec.GapLimit, Birthday: rec.Birthday,
		Labels: map[string]string{}, Frozen: map[string]bool{}, id: rec.ID, dataDir: env.DataDir}
	for _, l := range labels {
		if l.Type == store.LabelAddr || l.Type == store.LabelOutput {
			w.Labels[l.Ref] = l.Label
		}
	}
	for _, op := range frozen {
		w.Frozen[op] = true
	}
	where := fmt.Sprintf("wallet %q in %s", name, store.Path(env.DataDir))
	if w.net, err = Network(w.Network); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if w.desc, err = descriptor.Parse(w.Descriptor, w.net); err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if w.GapLimit <= 0 || w.GapLimit > MaxGapLimit {
		w.GapLimit = DefaultGapLimit
	}
	w.gap = w.GapLimit
	if env.GapLimit != 0 {
		if err := checkGapLimit(env.GapLimit); err != nil {
			return nil, err
		}
		w.gap = env.GapLimit
	}
	return w, nil
}

// ListWallets prints the wallets in the data directory, one per line: name,
// type, network, descriptor ID.
func ListWallets(env *Env) error {
	var names []string
	if !store.Present(env.DataDir) {
		env.Infof("no wallets in %s: import one with `airsign-online wallet import DESCRIPTOR`", env.DataDir)
		return nil
	}
	if err := env.view(func(t *store.Tx) (err error) { names, err = t.WalletNames(); return err }); err != nil {
		return fmt.Errorf("listing wallets: %w", err)
	}
	if len(names) == 0 {
		env.Infof("no wallets in %s: import one with `airsign-online wallet import DESCRIPTOR`", env.DataDir)
		return nil
	}
	for _, n := range names {
		w, err := LoadWallet(env, n)
		if err != nil {
			env.Printf("%-20s  (unreadable: %v)\n", n, err)
			continue
		}
		env.Printf("%-20s  %-14s  %-8s  %s\n", n, w.desc.Kind(), w.net.Name, w.desc.ID())
	}
	return nil
}

// rememberPrepared notes a PSBT prepare or bump made (its digest and txid)
// in the store before it is written out, so `watch` and an auditor can
// tell the wallet's own transactions from others.
func (w *Wallet) rememberPrepared(env *Env, a *psbt.Analysis) error {
	return env.update(func(t *store.Tx) error {
		return t.RecordPSBT(w.id, store.PSBTRecord{Kind: store.PSBTPrepared, Digest: a.Digest, Txid: a.TxID})
	})
}
