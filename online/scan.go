package online

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Coin is one unspent output of the wallet with where it comes from.
type Coin struct {
	backend.UTXO
	Branch, Index uint32
	Derived       *descriptor.Derived
}

// Scan is what the wallet holds according to the backend.
type Scan struct {
	Coins []Coin
	// NextUnused is, per branch, the first index after the last used one.
	NextUnused map[uint32]uint32
	// Used counts, per branch, the addresses with any transaction.
	Used map[uint32]int
	// Looked is, per branch, how many addresses were asked about.
	Looked map[uint32]uint32
	Tip    int32
	// BirthdayFrom is set when a coin was found below the wallet's
	// recorded birthday: the birthday was wrong, and is now this height.
	BirthdayFrom int32
	// byScript maps every output script looked at to its derivation, so
	// bump can tell the wallet's inputs and change from others'.
	byScript map[string]*descriptor.Derived
}

// Scan windows: the first window of a branch is one gap long, so a new
// wallet costs one small question per branch; each next window is twice as
// long, up to maxScanWindow addresses, while addresses keep being used.
// scanAhead windows are asked at once, so the node works on the next window
// while the previous answer is read. Addresses asked about beyond the end
// of the gap are ignored, so the result is the same as a one-by-one scan.
const (
	maxScanWindow = 500
	scanAhead     = 2
)

// ScanTuner may be implemented by a backend whose ScanAddresses calls are
// costly each or must not overlap — Bitcoin Core's scantxoutset reads the
// whole UTXO set once per call and runs one at a time. The scan then asks
// about at least minBatch addresses per call and, unless parallel, makes
// one call at a time. Backends without it get windows that start at one
// gap and grow, two in flight per branch, both branches at once.
type ScanTuner interface {
	ScanTuning() (minBatch int, parallel bool)
}

// scanPlan is how a scan asks: window sizes and how many calls overlap.
type scanPlan struct {
	first, max int
	ahead      int  // windows in flight per branch
	together   bool // branches at the same time
}

func (w *Wallet) plan(b backend.Backend) scanPlan {
	p := scanPlan{first: w.gap, max: max(w.gap, maxScanWindow), ahead: scanAhead, together: true}
	t, ok := b.(ScanTuner)
	if !ok {
		t, ok = knownTuning(b)
	}
	if ok {
		minBatch, parallel := t.ScanTuning()
		p.first = max(w.gap, minBatch)
		p.max = max(p.max, p.first)
		if !parallel {
			p.ahead, p.together = 1, false
		}
	}
	return p
}

// tuning is a ScanTuner for backends that do not say themselves.
type tuning struct {
	minBatch int
	parallel bool
}

func (t tuning) ScanTuning() (int, bool) { return t.minBatch, t.parallel }

// knownTuning describes the backends this package knows that do not (yet)
// implement ScanTuner: Bitcoin Core's scantxoutset reads the whole UTXO set
// per call and refuses a second one while one runs, so a scan asks about a
// thousand addresses per call, one call at a time; Esplora keeps several
// requests in flight per call already, and a public server rate-limits, so
// calls do not overlap.
func knownTuning(b backend.Backend) (ScanTuner, bool) {
	switch b.(type) {
	case *backend.Core:
		return tuning{1000, false}, true
	case *backend.Esplora:
		return tuning{0, false}, true
	}
	return nil, false
}

// scan asks the backend about the wallet's addresses, every branch at the
// same time (unless the backend says otherwise), until a branch has
// gap-limit unused addresses in a row.
func (w *Wallet) scan(ctx context.Context, b backend.Backend) (*Scan, error) {
	tip, err := b.TipHeight(ctx)
	if err != nil {
		return nil, err
	}
	plan := w.plan(b)
	branches := w.desc.Branches()
	results := make([]branchScan, len(branches))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for i, br := range branches {
		if !plan.together {
			if results[i] = w.scanBranch(ctx, b, br, plan); results[i].err != nil {
				break
			}
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = w.scanBranch(ctx, b, br, plan)
			if results[i].err != nil {
				cancel() // the other branch need not finish
			}
		}()
	}
	wg.Wait()
	s := &Scan{NextUnused: map[uint32]uint32{}, Used: map[uint32]int{}, Looked: map[uint32]uint32{},
		Tip: tip, byScript: map[string]*descriptor.Derived{}}
	for i, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		br := branches[i]
		s.NextUnused[br], s.Used[br], s.Looked[br] = r.next, r.used, uint32(len(r.ders))
		s.Coins = append(s.Coins, r.coins...)
		for _, d := range r.ders {
			s.byScript[string(d.Script)] = d
		}
	}
	sort.Slice(s.Coins, func(i, j int) bool {
		if s.Coins[i].Amount != s.Coins[j].Amount {
			return s.Coins[i].Amount > s.Coins[j].Amount
		}
		return s.Coins[i].OutPoint.String() < s.Coins[j].OutPoint.String()
	})
	if err := w.record(results, s); err != nil {
		return nil, err
	}
	return s, nil
}

// scan scans w and says what the scan changed that the operator must
// carry to paper: every command that scans goes through here.
func (env *Env) scan(ctx context.Context, w *Wallet, b backend.Backend) (*Scan, error) {
	old := w.Birthday
	s, err := w.scan(ctx, b)
	if err != nil {
		return nil, err
	}
	if s.BirthdayFrom > 0 {
		env.Warnf("a coin was confirmed at height %d, before the wallet's recorded birthday %d: the birthday is now %d; correct it wherever you noted it", s.BirthdayFrom, old, s.BirthdayFrom)
	}
	return s, nil
}

// openScanned loads a wallet, connects to its node and scans it: where
// utxos, receive, history and reserves start.
func (env *Env) openScanned(ctx context.Context, name string) (*Wallet, backend.Backend, *Scan, error) {
	w, err := LoadWallet(env, name)
	if err != nil {
		return nil, nil, nil, err
	}
	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := env.scan(ctx, w, b)
	if err != nil {
		return nil, nil, nil, err
	}
	return w, b, s, nil
}

// record saves what a scan saw in the store (addresses, coins, every
// transaction that paid or spent them, where the backend lists them, else
// those that paid the coins), in one transaction after the node has
// answered: no lock is held while the network is slow. A wallet not
// loaded from a store (tests) records nothing.
func (w *Wallet) record(results []branchScan, s *Scan) error {
	if w.dataDir == "" {
		return nil
	}
	var r store.ScanResult
	for i, br := range w.desc.Branches() {
		for _, d := range results[i].ders {
			r.Addresses = append(r.Addresses, store.AddressSeen{Branch: br, Index: d.Index,
				Address: d.Address.EncodeAddress(), Used: results[i].usedAt[d.Index]})
		}
	}
	seen := map[chainhash.Hash]bool{}
	for _, res := range results {
		for _, h := range res.txids {
			if !seen[h] {
				seen[h] = true
				r.Txids = append(r.Txids, h.String())
			}
		}
	}
	for _, c := range s.Coins {
		r.Coins = append(r.Coins, store.CoinRecord{OutPoint: c.OutPoint.String(), Amount: int64(c.Amount),
			Height: c.Height, Branch: c.Branch, Index: c.Index, Coinbase: c.Coinbase})
	}
	st, err := store.Open(context.Background(), w.dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	// A coin below the recorded birthday proves the birthday wrong: it is
	// lowered, so a restore that trusts it cannot miss that coin. A wallet
	// without one learns none here (the coins left now are no proof of
	// when the first was paid).
	if w.Birthday > 0 {
		for _, c := range s.Coins {
			if c.Height > 0 && c.Height < w.Birthday && (s.BirthdayFrom == 0 || c.Height < s.BirthdayFrom) {
				s.BirthdayFrom = c.Height
			}
		}
	}
	return st.Update(context.Background(), func(t *store.Tx) error {
		if s.BirthdayFrom > 0 {
			if err := t.SetBirthday(w.id, s.BirthdayFrom); err != nil {
				return err
			}
			w.Birthday = s.BirthdayFrom
		}
		return t.RecordScan(w.id, r)
	})
}

type branchScan struct {
	coins  []Coin
	next   uint32
	used   int
	usedAt map[uint32]bool  // the used indexes
	txids  []chainhash.Hash // every transaction touching the branch's addresses, where the backend lists them
	ders   []*descriptor.Derived
	err    error
}

type windowResult struct {
	ders  []*descriptor.Derived
	infos map[string]backend.AddressInfo
	err   error
}

func (w *Wallet) scanBranch(ctx context.Context, b backend.Backend, branch uint32, plan scanPlan) (r branchScan) {
	ctx, cancel := context.WithCancel(ctx)
	// Deferred in this order, cancel runs first: it abandons the windows
	// asked beyond the gap, then the wait makes sure none of them is still
	// talking to the backend once the scan has returned.
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	var queue []chan windowResult
	start, size := uint32(0), plan.first
	launch := func() {
		ch := make(chan windowResult, 1) // never blocks an abandoned sender
		wg.Add(1)
		go func(start uint32, size int) {
			defer wg.Done()
			ders, err := deriveRange(w.desc, branch, start, size)
			if err != nil {
				ch <- windowResult{err: err}
				return
			}
			addrs := make([]btcutil.Address, len(ders))
			for i, d := range ders {
				addrs[i] = d.Address
			}
			infos, err := b.ScanAddresses(ctx, addrs)
			ch <- windowResult{ders, infos, err}
		}(start, size)
		queue = append(queue, ch)
		start += uint32(size)
		size = max(plan.first, min(2*size, plan.max))
	}
	unusedRun := 0
	for {
		for len(queue) < plan.ahead {
			launch()
		}
		res := <-queue[0]
		queue = queue[1:]
		if res.err != nil {
			r.err = res.err
			return r
		}
		for _, d := range res.ders {
			r.ders = append(r.ders, d)
			info, ok := res.infos[d.Address.EncodeAddress()]
			if !ok {
				r.err = fmt.Errorf("%s did not answer about address %d/%d (%s)", b.Name(), branch, d.Index, d.Address.EncodeAddress())
				return r
			}
			if info.Used || len(info.UTXOs) > 0 {
				unusedRun = 0
				r.next = d.Index + 1
				r.used++
				if r.usedAt == nil {
					r.usedAt = map[uint32]bool{}
				}
				r.usedAt[d.Index] = true
			} else {
				unusedRun++
			}
			for _, u := range info.UTXOs {
				r.coins = append(r.coins, Coin{UTXO: u, Branch: branch, Index: d.Index, Derived: d})
			}
			r.txids = append(r.txids, info.Txids...)
			if unusedRun >= w.gap {
				return r
			}
		}
	}
}

// deriveRange derives n addresses from branch/start on every CPU: public
// BIP32 derivation costs about half a millisecond per key, which for a
// wallet of thousands of addresses is most of a scan's own work.
func deriveRange(d *descriptor.Descriptor, branch, start uint32, n int) ([]*descriptor.Derived, error) {
	out := make([]*descriptor.Derived, n)
	workers := min(runtime.GOMAXPROCS(0), max(1, n/8))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for wk := 0; wk < workers; wk++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := wk; i < n; i += workers {
				der, err := d.Derive(branch, start+uint32(i))
				if err != nil {
					errs[wk] = fmt.Errorf("deriving address %d/%d: %w", branch, start+uint32(i), err)
					return
				}
				out[i] = der
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Balance sums the coins: confirmed and spendable, unconfirmed, immature,
// and (counted in neither of the first three) frozen.
func (s *Scan) Balance(w *Wallet) (confirmed, unconfirmed, immature, frozen btcutil.Amount) {
	for _, c := range s.Coins {
		switch {
		case w.Frozen[c.OutPoint.String()]:
			frozen += c.Amount
		case c.Immature(w.net):
			immature += c.Amount
		case c.InMempool():
			unconfirmed += c.Amount
		default:
			confirmed += c.Amount
		}
	}
	return
}
