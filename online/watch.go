package online

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport/file"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Cold storage fails quietly. `watch` is one pass over every wallet of the
// data directory, for cron or a systemd timer (no daemon of ours): it
// compares the coins with the last pass and reports deposits, confirmations
// and, as the alarm, any spend that airsign did not broadcast; balance
// thresholds and ratios across wallets; proofs of reserves overdue. Output is
// for existing monitoring: text, JSON lines, or the Prometheus text format
// for node-exporter's textfile collector, and a non-zero exit on any alert.

// WatchOptions are the inputs of `airsign-online watch`.
type WatchOptions struct {
	// ConfigFile holds thresholds (see WatchConfig); empty: none.
	ConfigFile string
	// JSON prints one JSON object per event (JSON Lines).
	JSON bool
	// PromFile is written (atomically) in the Prometheus text exposition
	// format.
	PromFile string
	// Now is the pass's time (time.Now if zero).
	Now time.Time
}

// WatchConfig is the thresholds file.
type WatchConfig struct {
	Wallets map[string]WalletThresholds `json:"wallets"`
	// ReservesEveryDays alerts when no proof of reserves of a wallet was
	// verified here (reserves verify) for this many days; 0 is off.
	ReservesEveryDays int `json:"reserves_every_days"`
	// Schedule is the ceremony schedule, as in the policy file's
	// "schedule" (ceremony.ParseSchedule): a wallet with ceremony reports
	// (drills import) raises drill-overdue alerts from it.
	Schedule json.RawMessage `json:"schedule"`

	sched ceremony.Schedule
}

// WalletThresholds are one wallet's limits. Amounts are BTC ("10",
// "0.5") or satoshis ("150000sat"), as everywhere in airsign-online; shares
// are percent of the total of every watched wallet.
type WalletThresholds struct {
	Min        string  `json:"min"`
	Max        string  `json:"max"`
	MinPercent float64 `json:"min_percent"`
	MaxPercent float64 `json:"max_percent"`

	min, max int64
}

// MaxWatchConfig bounds the thresholds file.
const MaxWatchConfig = 1 << 20

// ParseWatchConfig reads the thresholds file strictly: a typo in an alarm
// must not silently turn it off.
func ParseWatchConfig(r io.Reader) (*WatchConfig, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxWatchConfig+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxWatchConfig {
		return nil, fmt.Errorf("the watch configuration is larger than %d bytes", MaxWatchConfig)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c WatchConfig
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("the watch configuration is not valid: %v (fields: wallets{NAME: min, max, min_percent, max_percent}, reserves_every_days, schedule)", err)
	}
	if dec.More() {
		return nil, errors.New("the watch configuration has text after its JSON object")
	}
	if c.sched, err = watchSchedule(c.Schedule); err != nil {
		return nil, err
	}
	if c.ReservesEveryDays < 0 {
		return nil, fmt.Errorf("reserves_every_days is %d; give 0 (off) or more", c.ReservesEveryDays)
	}
	for name, t := range c.Wallets {
		if err := checkWalletName(name); err != nil {
			return nil, fmt.Errorf("wallets: %w", err)
		}
		for _, f := range []struct {
			field string
			text  string
			dst   *int64
		}{{"min", t.Min, &t.min}, {"max", t.Max, &t.max}} {
			if f.text == "" {
				continue
			}
			v, err := ParseAmount(f.text)
			if err != nil {
				return nil, fmt.Errorf("wallets.%s.%s: %v", name, f.field, err)
			}
			*f.dst = v
		}
		if t.max > 0 && t.min > t.max {
			return nil, fmt.Errorf("wallets.%s: min %s is above max %s", name, t.Min, t.Max)
		}
		for _, p := range []struct {
			field string
			v     float64
		}{{"min_percent", t.MinPercent}, {"max_percent", t.MaxPercent}} {
			if p.v < 0 || p.v > 100 {
				return nil, fmt.Errorf("wallets.%s.%s is %v; give a percentage from 0 to 100", name, p.field, p.v)
			}
		}
		c.Wallets[name] = t
	}
	return &c, nil
}

// WatchEvent is one thing a pass found. Alert marks what needs a person.
type WatchEvent struct {
	Time          string `json:"time"`
	Wallet        string `json:"wallet"`
	Kind          string `json:"kind"`
	Alert         bool   `json:"alert"`
	Outpoint      string `json:"outpoint,omitempty"`
	Amount        int64  `json:"amount_sat,omitempty"`
	Confirmations int32  `json:"confirmations,omitempty"`
	Message       string `json:"message"`
}

// The kinds of event.
const (
	WatchFirstPass       = "first-pass"
	WatchDeposit         = "deposit"
	WatchConfirmed       = "confirmed"
	WatchSpent           = "spent"
	WatchUnexpectedSpend = "unexpected-spend"
	WatchVanished        = "vanished"
	WatchBelowMin        = "balance-below-min"
	WatchAboveMax        = "balance-above-max"
	WatchShareHigh       = "share-above-max"
	WatchShareLow        = "share-below-min"
	WatchReservesDue     = "reserves-overdue"
	WatchDrillDue        = "drill-overdue"
	WatchStateReset      = "state-reset"
)

// AlertError is returned when a pass raised an alert: the exit code is 4.
type AlertError struct{ Alerts int }

func (e *AlertError) Error() string {
	return fmt.Sprintf("%s raised; see the events above", plural(e.Alerts, "alert"))
}

// ExitCode is 4, as for an overdue `ceremony status`: attention needed.
func (e *AlertError) ExitCode() int { return 4 }

// watchCoin is a coin as the last pass saw it.
type watchCoin struct {
	Amount        int64 `json:"amount"`
	Confirmations int32 `json:"confirmations"`
}

type watchState struct {
	Coins map[string]watchCoin `json:"coins"`
}

// walletPass is one wallet's result in a pass.
type walletPass struct {
	name        string
	confirmed   int64
	unconfirmed int64
	coins       int
	lastProof   int64
}

// Watch runs one pass over every wallet of the data directory.
func Watch(ctx context.Context, env *Env, opts WatchOptions) error {
	cfg := &WatchConfig{sched: ceremony.DefaultSchedule()}
	if opts.ConfigFile != "" {
		f, err := os.Open(opts.ConfigFile)
		if err != nil {
			return fmt.Errorf("opening the watch configuration: %w", err)
		}
		cfg, err = ParseWatchConfig(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", opts.ConfigFile, err)
		}
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	if !store.Present(env.DataDir) {
		return fmt.Errorf("no wallet in %s to watch: import one with `airsign-online wallet import DESCRIPTOR`", env.DataDir)
	}
	var names []string
	if err := env.view(func(t *store.Tx) (err error) { names, err = t.WalletNames(); return err }); err != nil {
		return err
	}
	for name := range cfg.Wallets {
		if !slices.Contains(names, name) {
			return fmt.Errorf("%s: wallets.%s: no such wallet in %s (wallets: %s)", opts.ConfigFile, name, env.DataDir, strings.Join(names, ", "))
		}
	}
	var events []WatchEvent
	var passes []walletPass
	for _, name := range names {
		evs, pass, err := watchWallet(ctx, env, name, cfg, now)
		if err != nil {
			return fmt.Errorf("wallet %q: %w", name, err)
		}
		events = append(events, evs...)
		passes = append(passes, pass)
	}
	events = append(events, thresholdEvents(cfg, passes, now, env.amount)...)
	alerts := 0
	for _, e := range events {
		if e.Alert {
			alerts++
		}
	}
	if err := printWatch(env, events, opts.JSON); err != nil {
		return err
	}
	if opts.PromFile != "" {
		if err := file.WriteAtomic(opts.PromFile, promText(passes, events, now), 0o644); err != nil {
			return err
		}
	}
	if alerts > 0 {
		return &AlertError{Alerts: alerts}
	}
	return nil
}

// watchWallet scans one wallet and compares it with the last pass.
func watchWallet(ctx context.Context, env *Env, name string, cfg *WatchConfig, now time.Time) ([]WatchEvent, walletPass, error) {
	pass := walletPass{name: name}
	w, err := LoadWallet(env, name)
	if err != nil {
		return nil, pass, err
	}
	b, err := env.backendFor(ctx, w.net)
	if err != nil {
		return nil, pass, err
	}
	s, err := env.scan(ctx, w, b)
	if err != nil {
		return nil, pass, err
	}
	var prev store.WatchState
	var had bool
	var ours []store.PSBTRecord
	var proofs []store.ReservesProof
	err = env.view(func(t *store.Tx) error {
		var err error
		if prev, had, err = t.WatchState(w.id); err != nil {
			return err
		}
		if ours, err = t.PSBTs(w.id, store.PSBTBroadcast); err != nil {
			return err
		}
		proofs, err = t.ReservesProofs()
		return err
	})
	if err != nil {
		return nil, pass, err
	}
	stamp := now.UTC().Format(time.RFC3339)
	ev := func(kind string, alert bool, op string, amount int64, confs int32, format string, args ...any) WatchEvent {
		return WatchEvent{Time: stamp, Wallet: name, Kind: kind, Alert: alert, Outpoint: op, Amount: amount, Confirmations: confs, Message: fmt.Sprintf(format, args...)}
	}
	var events []WatchEvent
	var old watchState
	if had {
		if err := json.Unmarshal([]byte(prev.State), &old); err != nil {
			// Nothing to compare with: this pass starts again from what
			// the chain holds, and says so as an alert, since spends
			// between the last good pass and now cannot be seen.
			events = append(events, ev(WatchStateReset, true, "", 0, 0, "the last watch state in the store was damaged (%v); this pass starts again, and spends since the last good pass cannot be told apart", err))
			had = false
		}
	}
	cur := watchState{Coins: map[string]watchCoin{}}
	for _, c := range s.Coins {
		op := c.OutPoint.String()
		cur.Coins[op] = watchCoin{Amount: int64(c.Amount), Confirmations: c.Confirmations}
		pass.coins++
		if c.InMempool() {
			pass.unconfirmed += int64(c.Amount)
		} else {
			pass.confirmed += int64(c.Amount)
		}
	}
	if !had {
		events = append(events, ev(WatchFirstPass, false, "", pass.confirmed, 0,
			"first pass: %s, %s confirmed; later passes report what changes", plural(pass.coins, "coin"), env.amount(pass.confirmed)))
	} else {
		ops := slices.Sorted(maps.Keys(cur.Coins))
		for _, op := range ops {
			c := cur.Coins[op]
			was, seen := old.Coins[op]
			switch {
			case !seen:
				events = append(events, ev(WatchDeposit, false, op, c.Amount, c.Confirmations, "deposit of %s (%s)", env.amount(c.Amount), confirmations(c.Confirmations)))
			case was.Confirmations == 0 && c.Confirmations > 0:
				events = append(events, ev(WatchConfirmed, false, op, c.Amount, c.Confirmations, "deposit of %s confirmed", env.amount(c.Amount)))
			}
		}
		gone := map[wire.OutPoint]watchCoin{}
		for _, op := range slices.Sorted(maps.Keys(old.Coins)) {
			if _, still := cur.Coins[op]; still {
				continue
			}
			o, err := wire.NewOutPointFromString(op)
			if err != nil {
				return nil, pass, fmt.Errorf("the last watch state names %q, which is no outpoint", op)
			}
			gone[*o] = old.Coins[op]
		}
		if len(gone) > 0 {
			spentBy := ourSpends(ctx, b, ours, prev.UpdatedAt)
			for _, op := range sortedOutPoints(gone) {
				c := gone[op]
				switch {
				case spentBy[op] != "":
					events = append(events, ev(WatchSpent, false, op.String(), c.Amount, 0, "spent by %s, which airsign broadcast", spentBy[op]))
				case c.Confirmations == 0:
					events = append(events, ev(WatchVanished, true, op.String(), c.Amount, 0, "an unconfirmed deposit of %s left the mempool before it confirmed (replaced or dropped by its sender)", env.amount(c.Amount)))
				default:
					events = append(events, ev(WatchUnexpectedSpend, true, op.String(), c.Amount, 0, "UNEXPECTED SPEND: %s left the wallet in a transaction airsign did not broadcast; find out who holds the key", env.amount(c.Amount)))
				}
			}
		}
	}
	for _, p := range proofs {
		if p.WalletID == w.id && p.VerifiedAt > pass.lastProof {
			pass.lastProof = p.VerifiedAt
		}
	}
	if d := cfg.ReservesEveryDays; d > 0 {
		since := "no proof of reserves was ever verified here"
		due := pass.lastProof == 0
		if !due {
			age := now.Sub(time.Unix(pass.lastProof, 0))
			due = age > time.Duration(d)*24*time.Hour
			since = fmt.Sprintf("the last proof of reserves was verified %d days ago", int(age.Hours()/24))
		}
		if due {
			events = append(events, ev(WatchReservesDue, true, "", 0, 0, "%s; the schedule asks for one every %d days (airsign-online reserves prepare, signed in a drill, then reserves verify)", since, d))
		}
	}
	drills, err := w.drillEvents(env, cfg, now)
	if err != nil {
		return nil, pass, err
	}
	for _, d := range drills {
		events = append(events, ev(d.Kind, true, "", 0, 0, "%s", d.Message))
	}
	state, err := json.Marshal(cur)
	if err != nil {
		return nil, pass, err
	}
	err = env.update(func(t *store.Tx) error {
		return t.SetWatchState(w.id, store.WatchState{TipHeight: s.Tip, State: string(state)})
	})
	return events, pass, err
}

// ourSpends maps each coin spent by a transaction airsign broadcast since
// the last pass (and a margin) to that transaction's txid. A transaction the
// node no longer knows (replaced by a bump) spends nothing any more.
func ourSpends(ctx context.Context, b interface {
	RawTransaction(context.Context, chainhash.Hash) (*wire.MsgTx, error)
}, ours []store.PSBTRecord, since int64) map[wire.OutPoint]string {
	out := map[wire.OutPoint]string{}
	for _, r := range ours {
		if since > 0 && r.CreatedAt < since-24*3600 {
			continue
		}
		h, err := chainhash.NewHashFromStr(r.Txid)
		if err != nil {
			continue
		}
		tx, err := b.RawTransaction(ctx, *h)
		if err != nil {
			continue
		}
		for _, in := range tx.TxIn {
			out[in.PreviousOutPoint] = r.Txid
		}
	}
	return out
}

// thresholdEvents checks balances and shares across wallets; amount
// formats the amounts of its messages (BTC, or satoshis with --sats).
func thresholdEvents(cfg *WatchConfig, passes []walletPass, now time.Time, amount func(int64) string) []WatchEvent {
	var total int64
	for _, p := range passes {
		total += p.confirmed
	}
	stamp := now.UTC().Format(time.RFC3339)
	var out []WatchEvent
	for _, p := range passes {
		t, ok := cfg.Wallets[p.name]
		if !ok {
			continue
		}
		add := func(kind, format string, args ...any) {
			out = append(out, WatchEvent{Time: stamp, Wallet: p.name, Kind: kind, Alert: true, Amount: p.confirmed, Message: fmt.Sprintf(format, args...)})
		}
		if t.Min != "" && p.confirmed < t.min {
			add(WatchBelowMin, "balance %s is below its floor of %s", amount(p.confirmed), amount(t.min))
		}
		if t.Max != "" && p.confirmed > t.max {
			add(WatchAboveMax, "balance %s is above its ceiling of %s", amount(p.confirmed), amount(t.max))
		}
		if total > 0 {
			share := 100 * float64(p.confirmed) / float64(total)
			if t.MaxPercent > 0 && share > t.MaxPercent {
				add(WatchShareHigh, "holds %.2f%% of the total %s, above its %g%%", share, amount(total), t.MaxPercent)
			}
			if t.MinPercent > 0 && share < t.MinPercent {
				add(WatchShareLow, "holds %.2f%% of the total %s, below its %g%%", share, amount(total), t.MinPercent)
			}
		}
	}
	return out
}

func printWatch(env *Env, events []WatchEvent, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		for _, e := range events {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	}
	if len(events) == 0 {
		env.Printf("nothing changed\n")
	}
	for _, e := range events {
		tag := "info "
		if e.Alert {
			tag = "ALERT"
		}
		where := ""
		if e.Outpoint != "" {
			where = " " + e.Outpoint
		}
		line := fmt.Sprintf("%s %s %s%s: %s", tag, e.Wallet, e.Kind, where, e.Message)
		if env.OutWidth > 0 {
			line = psbt.WrapText(line, env.OutWidth) // a console; a log keeps one line an event
		}
		env.Printf("%s\n", line)
	}
	return nil
}

// promText is the pass in the Prometheus text exposition format (for
// node-exporter's textfile collector).
func promText(passes []walletPass, events []WatchEvent, now time.Time) []byte {
	var b strings.Builder
	metric := func(name, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
	}
	alerts := map[string]int{}
	unexpected := map[string]int{}
	for _, e := range events {
		if e.Alert {
			alerts[e.Wallet]++
		}
		if e.Kind == WatchUnexpectedSpend {
			unexpected[e.Wallet]++
		}
	}
	metric("airsign_wallet_balance_sat", "Confirmed balance of the wallet, in satoshis.")
	for _, p := range passes {
		fmt.Fprintf(&b, "airsign_wallet_balance_sat{wallet=%q} %d\n", p.name, p.confirmed)
	}
	metric("airsign_wallet_unconfirmed_sat", "Unconfirmed incoming amount, in satoshis.")
	for _, p := range passes {
		fmt.Fprintf(&b, "airsign_wallet_unconfirmed_sat{wallet=%q} %d\n", p.name, p.unconfirmed)
	}
	metric("airsign_wallet_coins", "Unspent coins of the wallet.")
	for _, p := range passes {
		fmt.Fprintf(&b, "airsign_wallet_coins{wallet=%q} %d\n", p.name, p.coins)
	}
	metric("airsign_watch_alerts", "Alerts raised by the last watch pass.")
	for _, p := range passes {
		fmt.Fprintf(&b, "airsign_watch_alerts{wallet=%q} %d\n", p.name, alerts[p.name])
	}
	metric("airsign_watch_unexpected_spends", "Coins spent by transactions airsign did not broadcast, in the last pass.")
	for _, p := range passes {
		fmt.Fprintf(&b, "airsign_watch_unexpected_spends{wallet=%q} %d\n", p.name, unexpected[p.name])
	}
	metric("airsign_reserves_last_proof_timestamp_seconds", "When a proof of reserves of the wallet was last verified here (0: never).")
	for _, p := range passes {
		fmt.Fprintf(&b, "airsign_reserves_last_proof_timestamp_seconds{wallet=%q} %d\n", p.name, p.lastProof)
	}
	metric("airsign_watch_last_run_timestamp_seconds", "When the last watch pass ran.")
	fmt.Fprintf(&b, "airsign_watch_last_run_timestamp_seconds %d\n", now.Unix())
	return []byte(b.String())
}

func confirmations(n int32) string {
	if n == 0 {
		return "unconfirmed"
	}
	if n == 1 {
		return "1 confirmation"
	}
	return fmt.Sprintf("%d confirmations", n)
}

func sortedOutPoints(m map[wire.OutPoint]watchCoin) []wire.OutPoint {
	out := make([]wire.OutPoint, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
