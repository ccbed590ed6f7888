// Package onlinecmd is the command tree of airsign-online: cobra wiring, flags and
// exit codes. The logic lives in package online; the binary's main only calls Main.
package onlinecmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/airsign/airsign/cmd/internal/cli"
	"github.com/airsign/airsign/cmd/internal/version"
	"github.com/airsign/airsign/online"
	"github.com/airsign/airsign/online/backend"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/spf13/cobra"
)

// Main runs the command line args and returns the exit code.
func Main(args []string) int {
	env := &online.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Ask: online.TerminalAsk(os.Stderr), Width: cli.ConsoleWidth(os.Stderr), OutWidth: cli.ConsoleWidth(os.Stdout)}
	return cli.Run(newRoot(env), args, os.Stderr, nil)
}

// nodeFlags say how to reach the node. The password is never a flag value
// (it would show in `ps` and shell history): it comes from the environment
// or a file.
type nodeFlags struct {
	url, user, passFile, cookie, backend, cert, proxy string
	timeout                                           time.Duration
	// progress receives "waiting for …" lines while the node is slow.
	progress io.Writer
}

func (n *nodeFlags) connect(ctx context.Context, net *chaincfg.Params) (backend.Backend, error) {
	if n.url == "" {
		return nil, transport.WithHint(errors.New("no node address"), "give --rpc-url or set AIRSIGN_RPC_URL")
	}
	if n.timeout < 0 {
		return nil, cli.UsageError{Err: fmt.Errorf("--rpc-timeout %s is negative", n.timeout)}
	}
	cfg := backend.Config{URL: n.url, User: n.user, Password: os.Getenv("AIRSIGN_RPC_PASS"), CookieFile: n.cookie,
		Timeout: n.timeout, TLSCertFile: n.cert, Proxy: n.proxy, Progress: n.progress}
	if n.passFile != "" {
		b, err := os.ReadFile(n.passFile)
		if err != nil {
			return nil, fmt.Errorf("reading --rpc-pass-file: %w", err)
		}
		cfg.Password = strings.TrimSpace(string(b))
	}
	if n.backend == "esplora" {
		// An Esplora server may be a public one: the node's RPC user and
		// password (often set in the environment for Core or btcd) must
		// never be sent to it. Its own credentials go in its URL.
		if n.passFile != "" || n.cookie != "" {
			return nil, cli.UsageError{Err: errors.New("--rpc-pass-file and --rpc-cookie are for btcd and Core; an Esplora server takes its credentials only in its URL (https://user:pass@host/api)")}
		}
	}
	switch n.backend {
	case "btcd":
		return backend.NewBtcd(cfg)
	case "core", "bitcoind":
		return backend.NewCore(cfg)
	case "esplora":
		return backend.NewEsplora(cfg)
	}
	return nil, cli.UsageError{Err: fmt.Errorf("unknown --backend %q: use btcd, core (Bitcoin Core) or esplora", n.backend)}
}

func newRoot(env *online.Env) *cobra.Command {
	var node nodeFlags
	var walletName string
	root := &cobra.Command{
		Use:   "airsign-online",
		Short: "Watch-only wallet: find UTXOs, prepare PSBTs, broadcast signed ones",
		Long: `airsign-online runs on the connected laptop and holds no key: only watch-only
descriptors, one per named wallet (--wallet). It prepares unsigned PSBTs for
airsign-offline and broadcasts the signed ones.

The chain backend is a btcd node (--addrindex --txindex), Bitcoin Core
(scantxoutset; cookie or user/password) or an Esplora server (electrs), chosen
by --backend. It is given by --rpc-url, --rpc-user and the password in
AIRSIGN_RPC_PASS or --rpc-pass-file (never on the command line), or Core's
--rpc-cookie; AIRSIGN_RPC_URL and AIRSIGN_RPC_USER work too. --proxy sends
every request through a proxy, e.g. socks5h://127.0.0.1:9050 for Tor.

Exit codes: 0 success, 1 error, 2 bad command line.`,
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			env.Connect, node.progress = node.connect, env.Stderr
		},
	}
	root.Version = version.String()
	pf := root.PersistentFlags()
	pf.StringVar(&env.DataDir, "datadir", envOr("AIRSIGN_DATADIR", online.DefaultDataDir()), "directory holding the watch-only wallets (env AIRSIGN_DATADIR)")
	pf.StringVarP(&walletName, "wallet", "w", envOr("AIRSIGN_WALLET", "default"), "wallet name (env AIRSIGN_WALLET)")
	pf.BoolVar(&env.Sats, "sats", os.Getenv("AIRSIGN_SATS") == "1", "show amounts in satoshis instead of BTC (env AIRSIGN_SATS=1); JSON is always in satoshis")
	pf.IntVar(&env.GapLimit, "gap-limit", 0, "unused addresses in a row that end a scan (default: the wallet's, 20 unless set at import)")
	pf.StringVar(&node.backend, "backend", envOr("AIRSIGN_BACKEND", "btcd"), "chain backend: btcd, core (Bitcoin Core) or esplora (env AIRSIGN_BACKEND)")
	pf.StringVar(&node.url, "rpc-url", os.Getenv("AIRSIGN_RPC_URL"), "node RPC URL, e.g. http://127.0.0.1:8334, or the Esplora API root (env AIRSIGN_RPC_URL)")
	pf.StringVar(&node.user, "rpc-user", os.Getenv("AIRSIGN_RPC_USER"), "node RPC user (env AIRSIGN_RPC_USER)")
	pf.StringVar(&node.passFile, "rpc-pass-file", "", "file holding the RPC password (else env AIRSIGN_RPC_PASS)")
	pf.StringVar(&node.cookie, "rpc-cookie", "", "cookie file with user:password (Bitcoin Core's .cookie)")
	pf.StringVar(&node.cert, "rpc-cert", "", "PEM certificate to trust for an https node (btcd's rpc.cert)")
	pf.StringVar(&node.proxy, "proxy", os.Getenv("AIRSIGN_PROXY"), "send every backend request through this proxy, e.g. socks5h://127.0.0.1:9050 for Tor (env AIRSIGN_PROXY)")
	pf.DurationVar(&node.timeout, "rpc-timeout", 30*time.Second, "give up on a node request after this long, retries included (a read that fails at once is tried up to 3 times within it); a wait is reported every 5 s")

	root.AddCommand(walletCmd(env, &walletName), utxosCmd(env, &walletName),
		labelCmd(env, &walletName), labelsCmd(env, &walletName), freezeCmd(env, &walletName, true), freezeCmd(env, &walletName, false),
		prepareCmd(env, &walletName), bumpCmd(env, &walletName), updateCmd(env, &walletName),
		broadcastCmd(env, &walletName), statusCmd(env, &walletName),
		receiveCmd(env, &walletName), historyCmd(env, &walletName),
		reservesCmd(env, &walletName), drillsCmd(env, &walletName), watchCmd(env),
		cli.QRCmd(cli.Streams{Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr}))
	return root
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func walletCmd(env *online.Env, name *string) *cobra.Command {
	w := &cobra.Command{Use: "wallet", Short: "Import, list and show the watch-only wallets"}
	var imp online.ImportOptions
	impCmd := &cobra.Command{
		Use:   "import (DESCRIPTOR | FILE | - | --qr IMAGE…)",
		Short: "Import a watch-only output descriptor (checksum required) as a new named wallet",
		Long: `Import a watch-only output descriptor as a new wallet named by --wallet.

The descriptor comes as the argument itself, a file holding it (plain text, or
airsign-offline's enrollment file {"descriptor": …}), '-' for stdin, or --qr
with pictures of a QR code: the descriptor as text, or a UR crypto-output or
output-descriptor (one code, or every frame of an animated one), as
airsign-offline export descriptor --qr and Sparrow show it. A text descriptor
needs its BIP380 checksum (#…). Types: wpkh, sh(wpkh), tr (key path),
wsh(sortedmulti) and sh(wsh(sortedmulti)), with key origins and <0;1>/*.
A UR crypto-account (the watch-only export of SeedSigner, Keystone or
Passport) holds one wallet per script type: pick it with --type.
A UR names only "mainnet" or "a test network": for the latter pass --network.

--network defaults to the enrollment file's network, else AIRSIGN_NETWORK,
else mainnet. --gap-limit given here is saved with the wallet, and so is
--birthday, the first block height that can hold its coins (e.g. the tip on
the day of its keygen; a coin found below it later lowers it, with a warning).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(imp.QR) > 0 {
				return cli.ExactArgs(0, "no argument with --qr")(cmd, args)
			}
			return cli.ExactArgs(1, "one descriptor, e.g. wpkh([fp/84h/0h/0h]xpub…/<0;1>/*)#checksum, or a file holding it")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			imp.Name, imp.GapLimit = *name, env.GapLimit
			if len(args) == 1 {
				imp.Source = args[0]
			}
			if !cmd.Flags().Changed("network") {
				imp.Network, imp.EnvNetwork = "", os.Getenv("AIRSIGN_NETWORK")
			}
			wal, err := online.ImportWallet(env, imp)
			if err != nil {
				return err
			}
			kind := wal.Desc().Kind().String()
			if wal.Desc().Kind().IsMultisig() {
				kind = fmt.Sprintf("%s, %d of %d", kind, wal.Desc().Threshold(), len(wal.Desc().Keys()))
			}
			first, err := wal.Desc().FirstAddress()
			if err != nil {
				return err
			}
			env.Printf("imported wallet %q (%s, %s)\ndescriptor ID: %s\nfirst receive address: %s\n", wal.Name, kind, wal.Net().Name, wal.Desc().ID(), first)
			return nil
		},
	}
	impCmd.Flags().StringVar(&imp.Network, "network", "", "mainnet, testnet, signet or regtest (default: the file's, else env AIRSIGN_NETWORK, else mainnet)")
	impCmd.Flags().Int32Var(&imp.Birthday, "birthday", 0, "first block height that can hold the wallet's coins, saved with it (default: unknown)")
	impCmd.Flags().StringVar(&imp.Type, "type", "", "from a UR crypto-account (SeedSigner, Keystone, Passport): which wallet, wpkh, sh-wpkh or tr (default: its only one)")
	impCmd.Flags().StringArrayVar(&imp.QR, "qr", nil, "read the descriptor from a QR code in this image (PNG, JPEG, GIF) or directory")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the wallets in the data directory",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, args []string) error { return online.ListWallets(env) },
	}
	var showQR transport.QROptions
	show := &cobra.Command{
		Use:   "show",
		Short: "Show the wallet's descriptor, network and keys (--qr…: as a QR code for a watch-only wallet)",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return online.ShowWallet(cmd.Context(), env, *name, showQR)
		},
	}
	cli.DescriptorQRFlags(show, &showQR)
	var change bool
	var n, start uint32
	addrs := &cobra.Command{
		Use:   "addresses",
		Short: "List the wallet's receive (or change) addresses, with their labels",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return online.ListAddresses(env, *name, change, start, n)
		},
	}
	addrs.Flags().BoolVar(&change, "change", false, "list change addresses")
	addrs.Flags().Uint32VarP(&n, "n", "n", 10, "how many")
	addrs.Flags().Uint32Var(&start, "start", 0, "first index")
	w.AddCommand(impCmd, list, show, addrs, backupCmd(env), restoreCmd(env))
	return w
}

func utxosCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.UTXOOptions
	cmd := &cobra.Command{
		Use:   "utxos",
		Short: "Scan the wallet: its coins, labels and balance (confirmed / unconfirmed) from the node",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet = *name
			return online.ListUTXOs(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the coins and balance as JSON")
	return cmd
}

func labelCmd(env *online.Env, name *string) *cobra.Command {
	return &cobra.Command{
		Use:   "label (ADDRESS | TXID:VOUT) TEXT",
		Short: "Label an address or a coin (an empty TEXT removes the label)",
		Args:  cli.ExactArgs(2, "an address or TXID:VOUT, and the label text (quoted)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return online.SetLabel(env, *name, args[0], args[1])
		},
	}
}

func freezeCmd(env *online.Env, name *string, freeze bool) *cobra.Command {
	use, short := "freeze TXID:VOUT", "Freeze a coin: prepare and bump will not spend it"
	if !freeze {
		use, short = "unfreeze TXID:VOUT", "Unfreeze a coin"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cli.ExactArgs(1, "one coin, TXID:VOUT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return online.SetFrozen(env, *name, args[0], freeze)
		},
	}
}

func prepareCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.PrepareOptions
	cmd := &cobra.Command{
		Use:   "prepare (--to ADDR:AMOUNT… | --to-file CSV | --sweep ADDR) --out FILE",
		Short: "Build the unsigned PSBT for a payment, a batch of payouts or a sweep",
		Long: `Build the unsigned PSBT for a payment. AMOUNT is in BTC (0.015) or satoshis
(1500000sat). --to-file reads a batch from CSV, one ADDRESS,AMOUNT per line
(a first line with no digits in its amount field, such as "address,amount", is
taken as a header; errors name the line).

Coins: branch and bound looks for a set that needs no change; else the largest
coins are used and change goes to the wallet's next unused change address, with
its derivation in the PSBT so the offline signer can verify it. Change below
the dust limit goes to the fee. Frozen, unconfirmed and immature coins are not
chosen, and a sweep warns about what it leaves behind. --utxo spends exactly the
coins named, unconfirmed ones included (with a warning); frozen and immature
ones are refused.

Fee: --fee-rate, or the node's estimate for --target-blocks (default 6), or,
when the node has none, 2 sat/vB with a warning. The transaction signals RBF
(replace it later with 'bump') unless --no-rbf; its locktime is the tip height
(anti-fee-sniping) unless --locktime.`,
		Args: cli.ExactArgs(0, "no arguments (use --to and --out)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet = *name
			opts.HasLockTime = cmd.Flags().Changed("locktime")
			return online.Prepare(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.To, "to", nil, "pay ADDRESS:AMOUNT (repeat for a batch)")
	f.StringVar(&opts.ToFile, "to-file", "", "pay every ADDRESS,AMOUNT line of this CSV file ('-' for stdin)")
	f.StringVar(&opts.Sweep, "sweep", "", "send every spendable coin (or every --utxo coin) to this address, less the fee")
	f.Float64Var(&opts.FeeRate, "fee-rate", 0, "fee rate in sat/vB (default: the node's estimate)")
	f.IntVar(&opts.TargetBlocks, "target-blocks", 0, "ask the node's estimate for confirmation within N blocks (default 6)")
	f.Float64Var(&opts.MaxFeeRate, "max-fee-rate", 0, "refuse fee rates above this, sat/vB (default 10000 = 0.1 BTC/kvB)")
	f.StringArrayVar(&opts.Coins, "utxo", nil, "spend exactly this coin, TXID:VOUT (repeat; coin control)")
	f.BoolVar(&opts.NoRBF, "no-rbf", false, "do not signal replaceability (BIP125); the transaction cannot be bumped")
	f.Uint32Var(&opts.LockTime, "locktime", 0, "nLockTime: a block height, or a Unix time from 500000000 (default: the tip height)")
	f.StringVarP(&opts.Out, "out", "o", "", "write the unsigned PSBT to this new file")
	f.BoolVar(&opts.JSON, "json", false, "print the analysis as JSON")
	f.IntVar(&opts.PSBTVersion, "psbt-version", 0, "write PSBT version 0 (BIP174) or 2 (BIP370)")
	cli.QRFlags(cmd, &opts.QR)
	return cmd
}

func bumpCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.BumpOptions
	cmd := &cobra.Command{
		Use:   "bump TXID --fee-rate N --out FILE",
		Short: "Prepare an RBF replacement of a wallet transaction waiting in the mempool",
		Long: `Prepare a BIP125 replacement PSBT of a wallet transaction that is in the
mempool: the same inputs and payments, a higher fee taken from the change, or
from more of the wallet's coins when the change cannot pay it. The new fee is
at least the old fee plus 1 sat/vB of the new size, at the rate asked for.
Refused when the transaction is confirmed, unknown to the node, does not signal
RBF, or spends coins that are not the wallet's. Sign and broadcast the result
like a prepared PSBT; the node then drops the original.`,
		Args: cli.ExactArgs(1, "the txid of the transaction to replace"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet, opts.TxID = *name, args[0]
			return online.Bump(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().Float64Var(&opts.FeeRate, "fee-rate", 0, "the replacement's fee rate in sat/vB")
	cmd.Flags().Float64Var(&opts.MaxFeeRate, "max-fee-rate", 0, "refuse fee rates above this, sat/vB (default 10000)")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the replacement PSBT to this new file")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the analysis as JSON")
	cli.QRFlags(cmd, &opts.QR)
	return cmd
}

func updateCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.UpdateOptions
	cmd := &cobra.Command{
		Use:   "update PSBT-SOURCE... --out FILE",
		Short: "Add what the offline signer needs to a PSBT from another coordinator (BIP174 Updater)",
		Long: `Take an unsigned PSBT that another coordinator (Specter, BlueWallet, a
SeedSigner flow) made for this wallet's coins and write it again with each
input's previous transaction (non_witness_utxo), the wallet's BIP32 derivations
and scripts for its inputs and change, and a multisig's global xpubs, so that
airsign-offline can prove the amounts and the change instead of refusing. The
transaction is not changed (its txid is checked). A PSBT that already carries
signatures is refused; other fields of the original are not carried over.`,
		Args: cli.MinArgs(1, "the PSBT to update (a file, '-' for stdin, or QR images)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet, opts.Sources = *name, args
			return online.Update(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the updated PSBT to this new file")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the analysis as JSON")
	cli.QRFlags(cmd, &opts.QR)
	return cmd
}

func broadcastCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.BroadcastOptions
	cmd := &cobra.Command{
		Use:   "broadcast SIGNED-SOURCE…",
		Short: "Combine, finalize, test-accept and send signed PSBTs",
		Long: `Combine the signed PSBTs (one, or one per cosigner of a multisig), finalize,
show where the money goes, the fee and the confirmation digest, ask the node
whether it would accept the transaction, then ask "send? [y/N]" and send it.
--yes sends without asking (scripts); without a terminal to ask at, broadcast
needs --yes (or --dry-run) and refuses before reading anything. Sending a
transaction the node already has reports its status instead. --expect-txid
refuses any PSBT of another transaction (prepare prints the txid).

Each SIGNED-SOURCE is one signed PSBT: a file (binary, base64 or hex), - for
stdin, or QR images / a directory of QR frames (UR, BBQr or one base64 code,
in any order).`,
		Args: cli.SourcesOrCamera(&opts.Camera),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet, opts.Sources = *name, args
			return online.Broadcast(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().Float64Var(&opts.MaxFeeRate, "max-fee-rate", 0, "refuse fee rates above this, sat/vB (default 10000 = 0.1 BTC/kvB)")
	cli.CameraFlag(cmd, &opts.Camera)
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "print the raw transaction and the node's verdict; send nothing")
	cmd.Flags().StringVar(&opts.ExpectTxID, "expect-txid", "", "refuse PSBTs of any other transaction than this txid")
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "send without asking \"send? [y/N]\" (scripts)")
	return cmd
}

func statusCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.ColdStatusOptions
	cmd := &cobra.Command{
		Use:   "status [TXID] [--policy FILE] [--json]",
		Short: "Show a transaction's confirmations, or (no TXID) what the ceremony schedule says is overdue",
		Long: `With a TXID: the transaction's confirmations.

Without: the cold storage schedule's answer for the wallet, the same as
'airsign-offline ceremony status' gives from the logs: key age, last drill
and the shares that took part, every holder's last drill, proofs of reserves,
and what is overdue against the "schedule" of the policy file (--policy; by
default a drill every 180 days, every holder yearly, a new key every 730
days). It reads the reports 'drills import' recorded and the proofs of
reserves 'reserves verify' checked. Exit code 4 when anything is overdue.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if opts.PolicyFile != "" || opts.JSON {
					return cli.UsageError{Err: errors.New("--policy and --json are for the schedule's status, without a TXID")}
				}
				return online.Status(cmd.Context(), env, *name, args[0])
			}
			opts.Wallet = *name
			return online.ColdStatus(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.PolicyFile, "policy", "", "policy file whose \"schedule\" object sets the periods")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the schedule's status as JSON")
	return cmd
}

func receiveCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.ReceiveOptions
	cmd := &cobra.Command{
		Use:   "receive",
		Short: "Show the wallet's next unused receive address (--qr-term: as a QR code)",
		Long: `Show the wallet's next receive address: the first after the last one with a
transaction in the chain or the mempool that receive has not handed out yet, so
each payer gets an address of their own. An address counts as used once a
payment to it is seen; the unpaid ones handed out before it then no longer
count. A wallet restored from the descriptor stops looking after gap-limit
unused addresses in a row: receive warns at the last address it would find and
refuses past it unless --force (the restore then needs a larger --gap-limit,
which it says). The address goes to stdout; its index, label and the offline
command that shows the same address from the key go to stderr.`,
		Args: cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet = *name
			return online.Receive(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "hand out an address past the gap limit (a restore then needs a larger --gap-limit)")
	cmd.Flags().BoolVar(&opts.QRTerm, "qr-term", false, "also show the address as a QR code (bitcoin:ADDRESS) in the terminal")
	return cmd
}

func historyCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.HistoryOptions
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List the wallet's transactions: amounts, fee, confirmations, labels",
		Long: `List the wallet's transactions, newest first: what each paid to or spent from
the wallet, its fee, its confirmations and its label. The transactions are
those the data directory knows (each that paid a coin a scan saw — history
scans first — and each broadcast from here), looked up on the node again.
--json prints them with amounts in satoshis (received_sat, sent_sat, net_sat,
fee_sat: null when unknown).`,
		Args: cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet = *name
			return online.History(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the transactions as JSON (amounts in satoshis)")
	return cmd
}
