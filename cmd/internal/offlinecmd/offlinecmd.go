// Package offlinecmd is the command tree of airsign-offline: cobra wiring, flags and
// exit codes. The logic lives in package offline; the binary's main only calls Main.
package offlinecmd

import (
	"errors"
	"os"

	"github.com/airsign/airsign/cmd/internal/cli"
	"github.com/airsign/airsign/offline"
	"github.com/spf13/cobra"
)

// Main runs the command line args and returns the exit code.
func Main(args []string) int {
	env := &offline.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Prompter: offline.TTYPrompter{}}
	root := newRoot(env)
	return cli.Run(root, args, os.Stderr, func(err error) bool { return errors.Is(err, offline.ErrRefused) })
}

func newRoot(env *offline.Env) *cobra.Command {
	var network string
	root := &cobra.Command{
		Use:   "airsign-offline",
		Short: "Air-gapped signer for Bitcoin cold storage",
		Long: `airsign-offline runs on the air-gapped laptop. It holds no key at rest: it
rebuilds the key for one command, shows what a PSBT really does, checks it
against policy, signs, and runs the key ceremonies.

Exit codes: 0 success, 1 error, 2 bad command line, 3 refused (nothing signed).`,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			net, err := offline.Network(network)
			if err != nil {
				return cli.UsageError{Err: err}
			}
			env.Net = net
			return nil
		},
	}
	root.PersistentFlags().StringVar(&network, "network", envOr("AIRSIGN_NETWORK", "mainnet"), "mainnet, testnet, signet or regtest (env AIRSIGN_NETWORK)")
	root.AddCommand(inspectCmd(env), signCmd(env), exportCmd(env))
	return root
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func keyFlags(cmd *cobra.Command, ks *offline.KeySource) {
	cmd.Flags().StringVar(&ks.MnemonicFile, "mnemonic-file", "", "read the BIP39 mnemonic from a file (drills and tests only)")
	cmd.Flags().StringArrayVar(&ks.ShareFiles, "share-file", nil, "rebuild the key from this share file (repeat for each share)")
	cmd.Flags().BoolVar(&ks.Shares, "shares", false, "rebuild the key from Shamir shares typed at the terminal")
}

func inspectCmd(env *offline.Env) *cobra.Command {
	var opts offline.InspectOptions
	cmd := &cobra.Command{
		Use:   "inspect PSBT-SOURCE",
		Short: "Decode a PSBT and explain what it does; never signs",
		Args:  cli.ExactArgs(1, "one PSBT source (a file, or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Source = args[0]
			return offline.Inspect(env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Descriptor, "descriptor", "", "watch-only descriptor used to verify change outputs")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the analysis as JSON")
	return cmd
}

func signCmd(env *offline.Env) *cobra.Command {
	opts := offline.SignOptions{Policy: defaultPolicy()}
	cmd := &cobra.Command{
		Use:   "sign PSBT-SOURCE --out FILE",
		Short: "Explain, check policy, confirm, sign and write the signed PSBT",
		Args:  cli.ExactArgs(1, "one PSBT source (a file, or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Source = args[0]
			return offline.Sign(env, opts)
		},
	}
	keyFlags(cmd, &opts.Key)
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the signed PSBT to this new file")
	cmd.Flags().StringVar(&opts.Confirm, "confirm", "", "the confirmation digest, instead of typing it (drills and tests)")
	cmd.Flags().BoolVar(&opts.Policy.AllowHighFee, "allow-high-fee", false, "sign although the fee is above the warning threshold")
	cmd.Flags().BoolVar(&opts.Policy.AllowSighash, "allow-sighash", false, "sign inputs that ask for a sighash other than ALL/DEFAULT")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the analysis as JSON")
	return cmd
}

func exportCmd(env *offline.Env) *cobra.Command {
	export := &cobra.Command{Use: "export", Short: "Export watch-only data for the online side"}
	var opts offline.ExportOptions
	desc := &cobra.Command{
		Use:   "descriptor",
		Short: "Print the watch-only output descriptor of the key",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return offline.ExportDescriptor(env, opts)
		},
	}
	keyFlags(desc, &opts.Key)
	desc.Flags().StringVar(&opts.Kind, "type", "wpkh", "wallet type: wpkh, sh-wpkh or tr")
	desc.Flags().Uint32Var(&opts.Account, "account", 0, "BIP44-family account number")
	desc.Flags().StringVarP(&opts.Out, "out", "o", "", "also write the descriptor to this file")
	export.AddCommand(desc)
	return export
}
