package onlinecmd

import (
	"github.com/airsign/airsign/cmd/internal/cli"
	"github.com/airsign/airsign/online"
	"github.com/spf13/cobra"
)

// reservesCmd is `airsign-online reserves prepare | verify`: BIP127 proofs of
// reserves, the drill that proves a key restored from paper still signs for
// the real coins without moving them.
func reservesCmd(env *online.Env, name *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reserves",
		Short: "Prove the wallet's coins can be spent, without moving them (BIP127)",
		Long: `A proof of reserves is a transaction that spends every coin of the wallet to
one output of their total, made unspendable by a first input that spends a coin
which cannot exist: the SHA-256 of the proof's message. Signing it offline
(airsign-offline sign, or during the recovery drill) proves the key rebuilt
from the shares controls the coins; nothing it produces can move a coin.

  airsign-online reserves prepare --out proof.psbt [--message TEXT]
  airsign-offline sign proof.psbt --shares --out proof-signed.psbt
  airsign-online reserves verify proof-signed.psbt [--out proof.txhex]

The commitment input is derived from the message as BIP127 says (SHA-256 of
"Proof-of-Reserves: " + message). Other verifiers differ: make the proof with
--format bdk for bdk-reserves (SHA-256d), or --format elements for
ElementsProject's reserves (SHA-256 of its challenge alone; a BIP127 proof also
passes there with the challenge "Proof-of-Reserves: MESSAGE"). verify reads
proofs in all three, bdk-reserves' own PSBTs included (give --message), and
writes the final transaction (--out, ElementsProject and BIP127 verifiers) or
the finalized PSBT (--out-psbt, bdk-reserves' verify_proof).`,
	}
	cmd.AddCommand(reservesPrepareCmd(env, name), reservesVerifyCmd(env, name))
	return cmd
}

func reservesPrepareCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.ReservesPrepareOptions
	cmd := &cobra.Command{
		Use:   "prepare --out FILE [--message TEXT]",
		Short: "Build the unsigned proof-of-reserves PSBT over every confirmed coin",
		Long: `Build the BIP127 proof-of-reserves PSBT over every confirmed coin of the
wallet, frozen ones included. The message (--message) is what the proof commits
to; by default it names the wallet, the block height, the date and a random
challenge. An auditor's own challenge makes the proof theirs: no proof made
earlier can be passed off as it.`,
		Args: cli.ExactArgs(0, "no arguments (use --out and --message)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet = *name
			return online.ReservesPrepare(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Message, "message", "", "the message the proof commits to (default: wallet, height, date and a random challenge)")
	f.StringVarP(&opts.Out, "out", "o", "", "write the unsigned proof PSBT to this new file")
	f.StringVar(&opts.Format, "format", "bip127", "how the commitment input is derived from the message: bip127, bdk (for bdk-reserves) or elements (for ElementsProject's reserves)")
	f.BoolVar(&opts.JSON, "json", false, "print the analysis as JSON")
	cli.QRFlags(cmd, &opts.QR)
	return cmd
}

func reservesVerifyCmd(env *online.Env, name *string) *cobra.Command {
	var opts online.ReservesVerifyOptions
	cmd := &cobra.Command{
		Use:   "verify SIGNED-PROOF… [--height N] [--out FILE]",
		Short: "Check a signed proof of reserves against the chain and print what it proves",
		Long: `Check a signed proof of reserves: every signature is run through btcd's
script engine against the coins as the node has them, every coin must have been
confirmed at --height (default: the tip), and the report gives the proven total,
the height, the message and which coins have moved since. SIGNED-PROOF is the
signed PSBT (one per cosigner of a multisig, combined here) or the final proof
transaction in hex (then --message is needed). Exit code 1 when it does not
verify.`,
		Args: cli.MinArgs(1, "the signed proof (PSBT file(s), QR frames, or the final transaction in hex)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet = *name
			opts.Sources = args
			return online.ReservesVerify(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Message, "message", "", "the message the proof must commit to (needed for a final transaction)")
	f.Int32Var(&opts.Height, "height", 0, "judge the proof at this block height (default: the tip)")
	f.StringVarP(&opts.Out, "out", "o", "", "write the final proof transaction (hex) to this new file")
	f.StringVar(&opts.OutPSBT, "out-psbt", "", "write the finalized proof PSBT (what bdk-reserves verifies) to this new file")
	f.BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	return cmd
}
