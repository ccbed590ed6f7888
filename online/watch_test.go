package online

import (
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/psbt"
)

func TestParseWatchConfig(t *testing.T) {
	c, err := ParseWatchConfig(strings.NewReader(`{"wallets": {"cold": {"min": "10", "max": "1500000000sat"}, "hot": {"max_percent": 5}}, "reserves_every_days": 90}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Wallets["cold"].min != 1_000_000_000 || c.Wallets["cold"].max != 1_500_000_000 || c.Wallets["hot"].MaxPercent != 5 || c.ReservesEveryDays != 90 {
		t.Fatalf("config = %+v", c)
	}
	for _, bad := range []struct{ in, want string }{
		{``, "not valid"},
		{`[]`, "not valid"},
		{`{"wallet": {}}`, `unknown field "wallet"`},
		{`{"wallets": {"cold": {"min": "ten"}}}`, "wallets.cold.min"},
		{`{"wallets": {"cold": {"min": "2", "max": "1"}}}`, "min 2 is above max 1"},
		{`{"wallets": {"cold": {"max_percent": 101}}}`, "wallets.cold.max_percent is 101"},
		{`{"wallets": {"cold": {"min_percent": -1}}}`, "wallets.cold.min_percent is -1"},
		{`{"wallets": {"../x": {}}}`, "wallets:"},
		{`{"reserves_every_days": -5}`, "reserves_every_days is -5"},
		{`{} {}`, "text after"},
	} {
		if _, err := ParseWatchConfig(strings.NewReader(bad.in)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: err = %v, want %q", bad.in, err, bad.want)
		}
	}
}

// Thresholds and shares are judged over the confirmed balances of every
// wallet of the pass.
func TestThresholdEvents(t *testing.T) {
	c, err := ParseWatchConfig(strings.NewReader(`{"wallets": {"cold": {"min": "10"}, "hot": {"max_percent": 5}}}`))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	evs := thresholdEvents(c, []walletPass{{name: "cold", confirmed: 9_0000_0000}, {name: "hot", confirmed: 1_0000_0000}}, now, psbt.FormatBTC)
	if len(evs) != 2 || evs[0].Kind != WatchBelowMin || evs[1].Kind != WatchShareHigh || !evs[1].Alert {
		t.Fatalf("events = %+v", evs)
	}
	if !strings.Contains(evs[1].Message, "holds 10.00% of the total 10.00000000 BTC, above its 5%") {
		t.Fatalf("message = %q", evs[1].Message)
	}
	if evs := thresholdEvents(c, []walletPass{{name: "cold", confirmed: 20_0000_0000}, {name: "hot", confirmed: 1}}, now, psbt.FormatBTC); len(evs) != 0 {
		t.Fatalf("events within limits: %+v", evs)
	}
	// --sats: the messages in satoshis; the event's amount_sat stays
	// the integer it always is.
	env := &Env{Sats: true}
	evs = thresholdEvents(c, []walletPass{{name: "cold", confirmed: 9_0000_0000}, {name: "hot", confirmed: 1_0000_0000}}, now, env.amount)
	if len(evs) != 2 || !strings.Contains(evs[0].Message, "balance 900000000 sat is below its floor of 1000000000 sat") || evs[0].Amount != 9_0000_0000 {
		t.Fatalf("events with --sats = %+v", evs)
	}
}

func FuzzParseWatchConfig(f *testing.F) {
	for _, s := range []string{`{}`, `{"wallets": {"cold": {"min": "1", "max_percent": 5}}}`, `{"reserves_every_days": 1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := ParseWatchConfig(strings.NewReader(in))
		if err != nil {
			return
		}
		for name, w := range c.Wallets {
			if w.min < 0 || w.max < 0 || (w.max > 0 && w.min > w.max) || w.MaxPercent < 0 || w.MaxPercent > 100 {
				t.Fatalf("accepted %q: %+v", name, w)
			}
		}
	})
}
