package onlinecmd

import (
	"github.com/airsign/airsign/cmd/internal/cli"
	"github.com/airsign/airsign/online"
	"github.com/spf13/cobra"
)

func watchCmd(env *online.Env) *cobra.Command {
	var opts online.WatchOptions
	cmd := &cobra.Command{
		Use:   "watch [--config FILE] [--json] [--prom FILE]",
		Short: "One pass over every wallet: deposits, unexpected spends, thresholds (exit 4 on an alert)",
		Long: `One pass over every wallet of the data directory, for cron or a systemd timer
(airsign runs no daemon). It compares each wallet's coins with the last pass and
reports deposits and confirmations, and raises an ALERT for:

  - any coin spent by a transaction airsign-online did not broadcast (the
    alarm of cold storage: someone else holds the key, or signed outside the
    process);
  - an unconfirmed deposit that vanished from the mempool;
  - a balance under its floor or over its ceiling, a wallet's share of the
    total above or below its bounds (--config);
  - no proof of reserves verified here for reserves_every_days (--config).

The configuration is JSON, e.g.
  {"wallets": {"cold": {"min": "10"}, "hot": {"max_percent": 5}},
   "reserves_every_days": 90}
Amounts are BTC ("0.5") or satoshis ("150000sat"); shares are percent of the
total of every wallet.

Output: text lines, JSON Lines (--json), and the Prometheus text format for
node-exporter's textfile collector (--prom FILE, written atomically). Exit code
4 when any alert was raised, 0 when none, 1 on an error. Messages give amounts
in BTC, or in satoshis with --sats; as everywhere in airsign, JSON numbers are
integer satoshis in fields ending in _sat (amount_sat), and the Prometheus
metrics are in satoshis too (airsign_wallet_balance_sat), whatever --sats says.

cron:    */10 * * * * airsign-online watch --prom /var/lib/node_exporter/airsign.prom
systemd: a oneshot service running the same command, started by a timer with
         OnUnitActiveSec=10min (the README has both units).`,
		Args: cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return online.Watch(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.ConfigFile, "config", "", "thresholds file (JSON)")
	f.BoolVar(&opts.JSON, "json", false, "print one JSON object per event (JSON Lines)")
	f.StringVar(&opts.PromFile, "prom", "", "also write the Prometheus text format to this file (atomically)")
	return cmd
}
