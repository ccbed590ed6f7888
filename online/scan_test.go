package online

import (
	"context"
	"encoding/json"
	"github.com/airsign/airsign/psbt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil"
)

// TestScanGapLimit: coins at indexes separated by fewer than gap-limit
// unused addresses are found; a coin after a full gap is not, as in every
// BIP44 wallet, until --gap-limit is raised.
func TestScanGapLimit(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	for _, i := range []uint32{0, 19, 39} { // gaps of 18 and 19 unused
		e.fundAt(t, w, 0, i, 1000_000)
	}
	e.fundAt(t, w, 0, 60, 5000_000) // 20 unused before it: beyond the gap
	e.fundAt(t, w, 1, 4, 2000_000)
	s, err := w.scan(context.Background(), e.chain)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Coins) != 4 || s.NextUnused[0] != 40 || s.NextUnused[1] != 5 || s.Used[0] != 3 || s.Used[1] != 1 {
		t.Fatalf("found %d coins, next unused %v, used %v; want 4, {0:40 1:5}, {0:3 1:1}", len(s.Coins), s.NextUnused, s.Used)
	}
	conf, unconf, imm, frozen := s.Balance(w)
	if conf != 5000_000 || unconf != 0 || imm != 0 || frozen != 0 {
		t.Fatalf("balance %v %v %v %v", conf, unconf, imm, frozen)
	}

	e.GapLimit = 21
	w, err = LoadWallet(e.Env, "w")
	if err != nil {
		t.Fatal(err)
	}
	if s, err = w.scan(context.Background(), e.chain); err != nil {
		t.Fatal(err)
	}
	if len(s.Coins) != 5 || s.NextUnused[0] != 61 {
		t.Fatalf("with gap limit 21: %d coins, next unused %d; want 5 and 61", len(s.Coins), s.NextUnused[0])
	}
	if w.GapLimit != DefaultGapLimit {
		t.Fatal("--gap-limit was saved")
	}
}

// TestScanManyAddresses: 700 used receive and 300 used change addresses are
// found in a few growing windows per branch, not one call per gap.
func TestScanManyAddresses(t *testing.T) {
	if testing.Short() {
		t.Skip("derives ~2,000 addresses")
	}
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	for i := uint32(0); i < 700; i++ {
		e.fundAt(t, w, 0, i, 10_000)
	}
	for i := uint32(0); i < 300; i++ {
		e.fundAt(t, w, 1, i, 20_000)
	}
	s, err := w.scan(context.Background(), e.chain)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Coins) != 1000 || s.NextUnused[0] != 700 || s.NextUnused[1] != 300 {
		t.Fatalf("found %d coins, next unused %v", len(s.Coins), s.NextUnused)
	}
	// Receive: windows of 20, 40, 80, 160, 320, 500 (two ahead); change: 20 … 320.
	if e.chain.scanCalls > 14 {
		t.Errorf("%d ScanAddresses calls for 1,000 used addresses", e.chain.scanCalls)
	}
	if e.chain.scanned > 1000+2*1000 {
		t.Errorf("asked about %d addresses", e.chain.scanned)
	}
}

func TestListUTXOs(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	a := e.fundAt(t, w, 0, 0, 100_000_000)
	b := e.fundAt(t, w, 0, 2, 50_000_000)
	e.chain.tip++ // a and b have 2 confirmations
	d, _ := w.desc.Derive(1, 0)
	c := e.chain.fund(d.Script, 25_000_000)
	e.chain.txs[c.Hash].height = 0 // in the mempool
	if err := SetFrozen(e.Env, "w", b.String(), true); err != nil {
		t.Fatal(err)
	}
	if err := SetLabel(e.Env, "w", a.String(), "cold deposit"); err != nil {
		t.Fatal(err)
	}
	if err := SetLabel(e.Env, "w", p2wpkhA, "first receive address"); err != nil {
		t.Fatal(err)
	}
	e.reset()
	if err := ListUTXOs(context.Background(), e.Env, UTXOOptions{Wallet: "w"}); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	for _, want := range []string{
		a.String() + "  1.00000000 BTC  2     " + p2wpkhA + "  0/0   cold deposit first receive address",
		b.String() + "  0.50000000 BTC  2     ",
		"[frozen]",
		c.String() + "  0.25000000 BTC  0     " + p2wpkhB + "  1/0   [unconfirmed]",
		"Balance: 1.00000000 BTC confirmed, 0.25000000 BTC unconfirmed, 0.00000000 BTC immature (tip height 201)",
		"Frozen:  0.50000000 BTC in 1 coin (not spent by prepare until unfrozen)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}

	// On a console every coin is a block that fits it, its outpoint and
	// address whole on lines of their own.
	e.reset()
	e.OutWidth = psbt.ScreenWidth
	if err := ListUTXOs(context.Background(), e.Env, UTXOOptions{Wallet: "w"}); err != nil {
		t.Fatal(err)
	}
	e.OutWidth = 0
	screen := e.out.String()
	for _, l := range strings.Split(screen, "\n") {
		if n := utf8.RuneCountInString(l); n > psbt.ScreenWidth {
			t.Errorf("a line of %d columns on a console:\n%s", n, l)
		}
	}
	for _, want := range []string{
		a.String() + "\n  1.00000000 BTC, 2 confirmations, receive 0/0  cold deposit first receive address\n  " + p2wpkhA + "\n",
		c.String() + "\n  0.25000000 BTC, 0 confirmations, change 1/0  [unconfirmed]\n  " + p2wpkhB + "\n",
		"[frozen]",
	} {
		if !strings.Contains(strings.ReplaceAll(screen, "\n    ", " "), want) { // a long label wraps
			t.Errorf("missing %q on the console:\n%s", want, screen)
		}
	}

	e.reset()
	if err := ListUTXOs(context.Background(), e.Env, UTXOOptions{Wallet: "w", JSON: true}); err != nil {
		t.Fatal(err)
	}
	var j utxosJSON
	if err := json.Unmarshal(e.out.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j.Confirmed != 100_000_000 || j.Unconfirmed != 25_000_000 || j.Frozen != 50_000_000 || len(j.Coins) != 3 || j.Coins[0].Label != "cold deposit" || !j.Coins[1].Frozen {
		t.Errorf("JSON %+v", j)
	}
}

// serialChain is a fakeChain that asks, as Bitcoin Core's scantxoutset
// needs, for big batches one call at a time, and records overlaps.
type serialChain struct {
	*fakeChain
	mu             sync.Mutex
	inFlight, most int
	smallest       int
}

func (s *serialChain) ScanTuning() (int, bool) { return 1000, false }

func (s *serialChain) ScanAddresses(ctx context.Context, addrs []btcutil.Address) (map[string]backend.AddressInfo, error) {
	s.mu.Lock()
	s.inFlight++
	s.most = max(s.most, s.inFlight)
	if s.smallest == 0 || len(addrs) < s.smallest {
		s.smallest = len(addrs)
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	time.Sleep(time.Millisecond) // give an overlapping call the chance to show
	return s.fakeChain.ScanAddresses(ctx, addrs)
}

func TestScanTuner(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	e.fundAt(t, w, 0, 3, 10_000)
	e.fundAt(t, w, 1, 15, 20_000)
	e.fundAt(t, w, 1, 30, 20_000)
	sc := &serialChain{fakeChain: e.chain}
	s, err := w.scan(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Coins) != 3 || s.NextUnused[0] != 4 || s.NextUnused[1] != 31 {
		t.Fatalf("%d coins, next unused %v", len(s.Coins), s.NextUnused)
	}
	if sc.most != 1 || sc.smallest < 1000 || e.chain.scanCalls != 2 {
		t.Fatalf("%d calls, at most %d at once, smallest %d addresses; want 2 calls (one per branch), one at a time, ≥1000 each", e.chain.scanCalls, sc.most, sc.smallest)
	}
}

func TestScanPlans(t *testing.T) {
	e := newTestEnv(t)
	w := e.importTest(t, "w", testDescriptor(t, descriptor.WPKH))
	core, err := backend.NewCore(backend.Config{URL: "http://127.0.0.1:8332", User: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	esplora, err := backend.NewEsplora(backend.Config{URL: "http://127.0.0.1:3002"})
	if err != nil {
		t.Fatal(err)
	}
	btcd, err := backend.NewBtcd(backend.Config{URL: "http://127.0.0.1:8334", User: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		b    backend.Backend
		want scanPlan
	}{
		{btcd, scanPlan{first: 20, max: maxScanWindow, ahead: scanAhead, together: true}},
		{core, scanPlan{first: 1000, max: 1000, ahead: 1, together: false}},
		{esplora, scanPlan{first: 20, max: maxScanWindow, ahead: 1, together: false}},
		{&serialChain{fakeChain: e.chain}, scanPlan{first: 1000, max: 1000, ahead: 1, together: false}},
	} {
		if got := w.plan(c.b); got != c.want {
			t.Errorf("%T: plan %+v, want %+v", c.b, got, c.want)
		}
	}
}
