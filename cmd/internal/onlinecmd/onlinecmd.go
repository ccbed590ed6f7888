// Package onlinecmd is the command tree of airsign-online: cobra wiring, flags and
// exit codes. The logic lives in package online; the binary's main only calls Main.
package onlinecmd

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/airsign/airsign/cmd/internal/cli"
	"github.com/airsign/airsign/cmd/internal/version"
	"github.com/airsign/airsign/online"
	"github.com/airsign/airsign/online/backend"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/spf13/cobra"
)

// Main runs the command line args and returns the exit code.
func Main(args []string) int {
	env := &online.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	return cli.Run(newRoot(env), args, os.Stderr, nil)
}

// nodeFlags say how to reach the node. The password is never a flag value
// (it would show in `ps` and shell history): it comes from the environment
// or a file.
type nodeFlags struct {
	url, user, passFile, cookie, backend string
}

func (n *nodeFlags) connect(ctx context.Context, net *chaincfg.Params) (backend.Backend, error) {
	if n.url == "" {
		return nil, fmt.Errorf("no node address: give --rpc-url or set AIRSIGN_RPC_URL")
	}
	cfg := backend.Config{URL: n.url, User: n.user, Password: os.Getenv("AIRSIGN_RPC_PASS"), CookieFile: n.cookie}
	if n.passFile != "" {
		b, err := os.ReadFile(n.passFile)
		if err != nil {
			return nil, fmt.Errorf("reading --rpc-pass-file: %w", err)
		}
		cfg.Password = strings.TrimSpace(string(b))
	}
	switch n.backend {
	case "btcd":
		return backend.NewBtcd(cfg)
	}
	return nil, cli.UsageError{Err: fmt.Errorf("unknown --backend %q: this build talks to btcd", n.backend)}
}

func newRoot(env *online.Env) *cobra.Command {
	var node nodeFlags
	var walletName string
	root := &cobra.Command{
		Use:   "airsign-online",
		Short: "Watch-only wallet: find UTXOs, prepare PSBTs, broadcast signed ones",
		Long: `airsign-online runs on the connected laptop and holds no key: only a watch-only
descriptor. It prepares unsigned PSBTs for airsign-offline and broadcasts the
signed ones.

The node is given by --rpc-url, --rpc-user and the password in AIRSIGN_RPC_PASS
or --rpc-pass-file (never on the command line); AIRSIGN_RPC_URL and
AIRSIGN_RPC_USER work too.

Exit codes: 0 success, 1 error, 2 bad command line.`,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			env.Connect = node.connect
		},
	}
	root.Version = version.String()
	pf := root.PersistentFlags()
	pf.StringVar(&env.DataDir, "datadir", envOr("AIRSIGN_DATADIR", online.DefaultDataDir()), "directory holding the watch-only wallets (env AIRSIGN_DATADIR)")
	pf.StringVarP(&walletName, "wallet", "w", envOr("AIRSIGN_WALLET", "default"), "wallet name (env AIRSIGN_WALLET)")
	pf.StringVar(&node.backend, "backend", envOr("AIRSIGN_BACKEND", "btcd"), "chain backend: btcd")
	pf.StringVar(&node.url, "rpc-url", os.Getenv("AIRSIGN_RPC_URL"), "node RPC URL, e.g. http://127.0.0.1:8334 (env AIRSIGN_RPC_URL)")
	pf.StringVar(&node.user, "rpc-user", os.Getenv("AIRSIGN_RPC_USER"), "node RPC user (env AIRSIGN_RPC_USER)")
	pf.StringVar(&node.passFile, "rpc-pass-file", "", "file holding the RPC password (else env AIRSIGN_RPC_PASS)")
	pf.StringVar(&node.cookie, "rpc-cookie", "", "cookie file with user:password (Bitcoin Core's .cookie)")

	root.AddCommand(walletCmd(env, &walletName), utxosCmd(env, &walletName), prepareCmd(env, &walletName),
		broadcastCmd(env, &walletName), statusCmd(env, &walletName))
	return root
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

func walletCmd(env *online.Env, name *string) *cobra.Command {
	w := &cobra.Command{Use: "wallet", Short: "Import and show the watch-only wallet"}
	var network string
	imp := &cobra.Command{
		Use:   "import DESCRIPTOR",
		Short: "Import a watch-only output descriptor (checksum verified)",
		Args:  cli.ExactArgs(1, "one descriptor, e.g. wpkh([fp/84h/0h/0h]xpub…/<0;1>/*)#checksum"),
		RunE: func(cmd *cobra.Command, args []string) error {
			wal, err := online.ImportWallet(env, *name, args[0], network)
			if err != nil {
				return err
			}
			env.Printf("imported wallet %q (%s, %s)\ndescriptor ID: %s\n", wal.Name, wal.Desc().Kind(), wal.Net().Name, wal.Desc().ID())
			return nil
		},
	}
	imp.Flags().StringVar(&network, "network", envOr("AIRSIGN_NETWORK", "mainnet"), "mainnet, testnet, signet or regtest (env AIRSIGN_NETWORK)")
	show := &cobra.Command{
		Use:   "show",
		Short: "Show the wallet's descriptor and network",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, args []string) error { return online.ShowWallet(env, *name) },
	}
	var change bool
	var n, start uint32
	addrs := &cobra.Command{
		Use:   "addresses",
		Short: "List the wallet's receive (or change) addresses",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return online.ListAddresses(env, *name, change, start, n)
		},
	}
	addrs.Flags().BoolVar(&change, "change", false, "list change addresses")
	addrs.Flags().Uint32VarP(&n, "n", "n", 10, "how many")
	addrs.Flags().Uint32Var(&start, "start", 0, "first index")
	w.AddCommand(imp, show, addrs)
	return w
}

func utxosCmd(env *online.Env, name *string) *cobra.Command {
	return &cobra.Command{
		Use:   "utxos",
		Short: "List the wallet's coins and balance from the node",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := signalContext()
			defer cancel()
			return online.ListUTXOs(ctx, env, *name)
		},
	}
}

func prepareCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.PrepareOptions
	cmd := &cobra.Command{
		Use:   "prepare (--to ADDR:AMOUNT… | --sweep ADDR) --out FILE",
		Short: "Build the unsigned PSBT for a payment",
		Long: `Build the unsigned PSBT for a payment. AMOUNT is in BTC (0.015) or satoshis
(1500000sat). Change goes to the wallet's next unused change address, with its
derivation in the PSBT so the offline signer can verify it.`,
		Args: cli.ExactArgs(0, "no arguments (use --to and --out)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet = *name
			ctx, cancel := signalContext()
			defer cancel()
			return online.Prepare(ctx, env, opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.To, "to", nil, "pay ADDRESS:AMOUNT (repeat for a batch)")
	cmd.Flags().StringVar(&opts.Sweep, "sweep", "", "send every spendable coin to this address, less the fee")
	cmd.Flags().Float64Var(&opts.FeeRate, "fee-rate", 0, "fee rate in sat/vB (default: the node's estimate)")
	cmd.Flags().Float64Var(&opts.MaxFeeRate, "max-fee-rate", 0, "refuse fee rates above this, sat/vB (default 10000 = 0.1 BTC/kvB)")
	cmd.Flags().StringArrayVar(&opts.Coins, "utxo", nil, "spend only this coin, TXID:VOUT (repeat; coin control)")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the unsigned PSBT to this new file")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the analysis as JSON")
	return cmd
}

func broadcastCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.BroadcastOptions
	cmd := &cobra.Command{
		Use:   "broadcast SIGNED-SOURCE…",
		Short: "Combine, finalize, test-accept and send signed PSBTs",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet, opts.Sources = *name, args
			ctx, cancel := signalContext()
			defer cancel()
			return online.Broadcast(ctx, env, opts)
		},
	}
	cmd.Flags().Float64Var(&opts.MaxFeeRate, "max-fee-rate", 0, "refuse fee rates above this, sat/vB (default 10000 = 0.1 BTC/kvB)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the raw transaction and the node's verdict; send nothing")
	return cmd
}

func statusCmd(env *online.Env, name *string) *cobra.Command {
	return &cobra.Command{
		Use:   "status TXID",
		Short: "Show a transaction's confirmations",
		Args:  cli.ExactArgs(1, "one txid"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := signalContext()
			defer cancel()
			return online.Status(ctx, env, *name, args[0])
		},
	}
}
