// Package offlinecmd is the command tree of airsign-offline: cobra wiring, flags and
// exit codes. The logic lives in package offline; the binary's main only calls Main.
package offlinecmd

import (
	"errors"
	"fmt"
	"os"

	"github.com/airsign/airsign/cmd/internal/cli"
	"github.com/airsign/airsign/cmd/internal/version"
	"github.com/airsign/airsign/offline"
	"github.com/spf13/cobra"
)

// Main runs the command line args and returns the exit code.
func Main(args []string) int {
	offline.Harden()
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

Exit codes: 0 success, 1 error, 2 bad command line, 3 refused (nothing signed),
4 overdue (ceremony status).`,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			net, err := offline.Network(network)
			if err != nil {
				return cli.UsageError{Err: err}
			}
			env.Net = net
			return nil
		},
	}
	root.Version = version.String()
	root.PersistentFlags().BoolVar(&env.Sats, "sats", os.Getenv("AIRSIGN_SATS") == "1", "show amounts in satoshis instead of BTC (env AIRSIGN_SATS=1); JSON is always in satoshis")
	root.PersistentFlags().StringVar(&network, "network", envOr("AIRSIGN_NETWORK", "mainnet"), "mainnet, testnet, signet or regtest (env AIRSIGN_NETWORK)")
	root.AddCommand(inspectCmd(env), signCmd(env), exportCmd(env), sharesCmd(env), airgapCmd(env), walletCmd(env), addressCmd(env), ceremonyCmd(env), cli.QRCmd(cli.Streams{Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr}))
	return root
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// allowOnlineFlag is the one escape from the air-gap check, the same for
// sign, the ceremonies and every command that rebuilds the key or reads
// shares; using it is logged.
func allowOnlineFlag(cmd *cobra.Command, p *bool, what string) {
	cmd.Flags().BoolVar(p, "allow-online", os.Getenv("AIRSIGN_ALLOW_ONLINE") == "1", what+" although the machine is not air-gapped (logged; env AIRSIGN_ALLOW_ONLINE=1)")
}

// keyCommandFlags are keyFlags and --allow-online, for the commands other
// than sign that rebuild the key.
func keyCommandFlags(cmd *cobra.Command, ks *offline.KeySource) {
	keyFlags(cmd, ks)
	allowOnlineFlag(cmd, &ks.AllowOnline, "rebuild the key")
}

func keyFlags(cmd *cobra.Command, ks *offline.KeySource) {
	cmd.Flags().StringVar(&ks.MnemonicFile, "mnemonic-file", "", "read the BIP39 mnemonic from a file (drills and tests only)")
	cmd.Flags().StringArrayVar(&ks.ShareFiles, "share-file", nil, "rebuild the key from this share file (repeat for each share)")
	cmd.Flags().BoolVar(&ks.Shares, "shares", false, "rebuild the key from Shamir shares typed at the terminal")
	cmd.Flags().StringVar(&ks.ExpectFingerprint, "expect-fingerprint", "", "refuse shares of any key but this master fingerprint (8 hex digits)")
	cmd.Flags().BoolVar(&ks.Passphrase, "passphrase", false, "the wallet has a BIP39 passphrase: type it at the terminal, not shown (never on the command line)")
}

func inspectCmd(env *offline.Env) *cobra.Command {
	opts := offline.InspectOptions{Policy: defaultPolicy()}
	cmd := &cobra.Command{
		Use:   "inspect [PSBT-SOURCE…] [--camera /dev/videoN]",
		Short: "Decode a PSBT and explain what it does; never signs",
		Long:  cli.SourceHelp + "\n\nExit code 3 when sign would refuse the PSBT (the same checks, the same policy).",
		Args:  cli.SourcesOrCamera(&env.Camera),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Sources = args
			return offline.Inspect(cmd.Context(), env, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Descriptor, "descriptor", "", "watch-only descriptor used to verify change outputs")
	cmd.Flags().StringVar(&opts.WalletFile, "wallet", "", "enrolled wallet file, as for sign (its descriptor is read without the key)")
	cmd.Flags().StringVar(&opts.PolicyFile, "policy", os.Getenv("AIRSIGN_POLICY"), "policy file, as for sign (env AIRSIGN_POLICY): exit 3 when sign would refuse")
	cmd.Flags().BoolVar(&opts.Policy.AllowHighFee, "allow-high-fee", false, "as for sign")
	cmd.Flags().BoolVar(&opts.Policy.AllowSighash, "allow-sighash", false, "as for sign")
	cli.CameraFlag(cmd, &env.Camera)
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the analysis as JSON")
	return cmd
}

func signCmd(env *offline.Env) *cobra.Command {
	opts := offline.SignOptions{Policy: defaultPolicy()}
	cmd := &cobra.Command{
		Use:   "sign [PSBT-SOURCE…] [--camera DEV] (--out FILE | --qr DIR | --qr-gif FILE | --qr-html FILE | --qr-term)",
		Short: "Explain, check policy, confirm, sign and write the signed PSBT",
		Long:  cli.SourceHelp,
		Args:  cli.SourcesOrCamera(&env.Camera),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Sources = args
			return offline.Sign(cmd.Context(), env, opts)
		},
	}
	cli.QRFlags(cmd, &opts.QR)
	cli.CameraFlag(cmd, &env.Camera)
	keyFlags(cmd, &opts.Key)
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write the signed PSBT to this new file")
	cmd.Flags().StringVar(&opts.Confirm, "confirm", "", "the confirmation digest, instead of typing it (drills and tests)")
	cmd.Flags().BoolVar(&opts.Policy.AllowHighFee, "allow-high-fee", false, "sign although the fee is above the warning threshold")
	cmd.Flags().BoolVar(&opts.Policy.AllowSighash, "allow-sighash", false, "sign inputs that ask for a sighash other than ALL/DEFAULT")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the analysis as JSON")
	cmd.Flags().StringVar(&opts.PolicyFile, "policy", os.Getenv("AIRSIGN_POLICY"), "policy file (JSON, see docs/policy.md) replacing the default policy (env AIRSIGN_POLICY)")
	cmd.Flags().StringVar(&opts.WalletFile, "wallet", "", "enrolled wallet file: change is verified against its descriptor only (its tag is verified with the key)")
	allowOnlineFlag(cmd, &opts.AllowOnline, "sign")
	cmd.Flags().StringVar(&opts.LogPath, "log", os.Getenv("AIRSIGN_LOG"), "hash-chained signing log (default "+offline.DefaultLogPath()+"; env AIRSIGN_LOG)")
	cmd.Flags().StringVar(&opts.LogHead, "log-head", "", "the signing log's head words written on the signing sheet after the last signature: refuse if the log no longer holds them")
	return cmd
}

func airgapCmd(env *offline.Env) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "airgap-check",
		Short: "Check the machine is air-gapped: no network, no radio, no swap, no core dumps",
		Long: `airgap-check lists what would let a key leave this machine: network
interfaces up (other than loopback), wireless interfaces, active swap, core
dumps allowed. It also prints the SHA-256 of this binary to compare with the
release's SHA256SUMS. Exit code 3 when the machine is not air-gapped.`,
		Args: cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return offline.AirgapCheck(env, asJSON) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
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
			return offline.ExportDescriptor(cmd.Context(), env, opts)
		},
	}
	keyCommandFlags(desc, &opts.Key)
	desc.Flags().StringVar(&opts.Kind, "type", "wpkh", "wallet type: wpkh, sh-wpkh or tr")
	desc.Flags().Uint32Var(&opts.Account, "account", 0, "BIP44-family account number")
	desc.Flags().StringVarP(&opts.Out, "out", "o", "", "also write the descriptor to this file")
	cli.DescriptorQRFlags(desc, &opts.QR)
	var xo offline.XPubOptions
	xpub := &cobra.Command{
		Use:   "xpub",
		Short: "Print the account xpub with its origin ([fp/path]xpub), e.g. as a multisig cosigner",
		Long: `export xpub prints the key's account xpub with its key origin, the form
descriptors and Sparrow take. --type wsh-multi (BIP48 m/48h/coin/account/2h)
or sh-wsh-multi (…/1h) gives a multisig cosigner key; --format coldcard writes
the JSON a Coldcard exports for multisig setup (Sparrow, Caravan and Coldcard
import it).`,
		Args: cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return offline.ExportXPub(env, xo) },
	}
	keyCommandFlags(xpub, &xo.Key)
	xpub.Flags().StringVar(&xo.Kind, "type", "wsh-multi", "wpkh, sh-wpkh, tr, wsh-multi or sh-wsh-multi")
	xpub.Flags().Uint32Var(&xo.Account, "account", 0, "account number")
	xpub.Flags().StringVar(&xo.Format, "format", "descriptor", "descriptor or coldcard")
	xpub.Flags().StringVarP(&xo.Out, "out", "o", "", "also write it to this file")
	export.AddCommand(desc, xpub)
	return export
}

func sharesCmd(env *offline.Env) *cobra.Command {
	shares := &cobra.Command{
		Use:   "shares",
		Short: "Split the key into Shamir shares, combine, verify, print cards",
		Long: `Shares split the key's BIP39 entropy T-of-N. The format is in docs/shares.md:
any T shares recover the key without airsign. Each share's checksum catches any
typo of up to four characters and names the block that looks wrong.`,
	}
	var split offline.SplitOptions
	splitCmd := &cobra.Command{
		Use:   "split --threshold T --shares N",
		Short: "Split the key (from a typed mnemonic) into T-of-N shares, shown one at a time",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, args []string) error { return offline.SharesSplit(env, split) },
	}
	splitCmd.Flags().StringVar(&split.Key.MnemonicFile, "mnemonic-file", "", "read the BIP39 mnemonic from a file (drills and tests only)")
	allowOnlineFlag(splitCmd, &split.Key.AllowOnline, "read the mnemonic")
	splitCmd.Flags().IntVarP(&split.Threshold, "threshold", "t", 0, "shares needed to rebuild the key (2-16)")
	splitCmd.Flags().IntVarP(&split.Count, "shares", "n", 0, "shares to make (threshold-16)")
	splitCmd.Flags().StringVar(&split.OutDir, "out-dir", "", "write share-1.txt … share-N.txt here instead of showing them (drills and tests)")

	var comb offline.CombineOptions
	combineCmd := &cobra.Command{
		Use:   "combine",
		Short: "Rebuild the key in memory from shares; print its fingerprint",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, args []string) error { return offline.SharesCombine(env, comb) },
	}
	combineCmd.Flags().StringArrayVar(&comb.Key.ShareFiles, "share-file", nil, "a share file (repeat; default: type the shares)")
	combineCmd.Flags().StringVar(&comb.Key.ExpectFingerprint, "expect-fingerprint", "", "refuse shares of any key but this master fingerprint")
	allowOnlineFlag(combineCmd, &comb.Key.AllowOnline, "rebuild the key")
	combineCmd.Flags().BoolVar(&comb.ShowMnemonic, "show-mnemonic", false, "also show the BIP39 mnemonic (only where no camera can see the screen)")

	var ver offline.VerifyOptions
	verifyCmd := &cobra.Command{
		Use:   "verify",
		Short: "Check shares without revealing the key",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, args []string) error { return offline.SharesVerify(env, ver) },
	}
	verifyCmd.Flags().StringArrayVar(&ver.ShareFiles, "share-file", nil, "a share file (repeat; default: type the shares)")
	verifyCmd.Flags().StringVar(&ver.ExpectFingerprint, "expect-fingerprint", "", "check the shares are for this master fingerprint")
	allowOnlineFlag(verifyCmd, &ver.AllowOnline, "read shares")

	var card offline.CardOptions
	cardCmd := &cobra.Command{
		Use:   "card --out-dir DIR",
		Short: "Write a printable card (HTML with QR code) for each share",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, args []string) error { return offline.SharesCard(env, card) },
	}
	cardCmd.Flags().StringArrayVar(&card.ShareFiles, "share-file", nil, "a share file (repeat; default: type the shares)")
	cardCmd.Flags().StringVar(&card.OutDir, "out-dir", "", "directory for card-N.html")
	cardCmd.Flags().StringVar(&card.Wallet, "wallet", "", "the wallet the key belongs to (descriptor, or its file, BSMS record or wallet sheet), named on each card")
	allowOnlineFlag(cardCmd, &card.AllowOnline, "read shares")
	shares.AddCommand(splitCmd, combineCmd, verifyCmd, cardCmd)
	return shares
}

func walletCmd(env *offline.Env) *cobra.Command {
	w := &cobra.Command{Use: "wallet", Short: "Enroll and show the authenticated watch-only descriptor; build a multisig one"}
	var enroll offline.EnrollOptions
	enrollCmd := &cobra.Command{
		Use:   "enroll DESCRIPTOR-OR-FILE --out FILE",
		Short: "Check our key is in a descriptor and write it authenticated by our key",
		Long: `enroll checks that the descriptor contains our own xpub at the origin it names
(a swapped xpub is refused) and writes the descriptor with an HMAC tag only this
key can make. sign --wallet FILE verifies the tag before trusting the descriptor.
The file may also be a BIP129 (BSMS) descriptor record, as Coldcard and Nunchuk
write it; its first address is checked against the descriptor.
A multisig in which one key not ours can spend alone (a 1-of-n) is refused,
naming that key, unless --allow-foreign-quorum is given; that allowance is kept
in the enrollment and shown at every signature. Where other keys can spend only
together (an ordinary 2-of-3), enroll says who, and does not refuse. Enrollments do
not expire: the offline machine has no clock it can trust.
For a multisig, the wallet backup sheet (wallet-sheet-ID.html and .txt: the
descriptor, every cosigner's xpub, the first addresses) is written beside --out:
print it and keep a copy with every share card.`,
		Args: cli.ExactArgs(1, "one descriptor, or a file holding it"),
		RunE: func(cmd *cobra.Command, args []string) error {
			enroll.Descriptor = args[0]
			return offline.Enroll(env, enroll)
		},
	}
	keyCommandFlags(enrollCmd, &enroll.Key)
	enrollCmd.Flags().StringVarP(&enroll.Out, "out", "o", "", "enrollment file to write")
	enrollCmd.Flags().BoolVar(&enroll.AllowForeignQuorum, "allow-foreign-quorum", false, "enroll a multisig in which one key not ours can spend alone (recorded, shown at every signature)")
	var show offline.WalletShowOptions
	showCmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Verify an enrollment file with the key and show its descriptor and addresses",
		Args:  cli.ExactArgs(1, "one enrollment file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			show.File = args[0]
			return offline.WalletShow(cmd.Context(), env, show)
		},
	}
	keyCommandFlags(showCmd, &show.Key)
	cli.DescriptorQRFlags(showCmd, &show.QR)
	var mo offline.MultisigOptions
	multiCmd := &cobra.Command{
		Use:   "multisig --threshold K COSIGNER…",
		Short: "Build a k-of-n sortedmulti descriptor from the cosigners' exported keys",
		Long: `multisig builds the watch-only descriptor wsh(sortedmulti(K, …)) (or
sh(wsh(…)) with --type sh-wsh-multi) from each cosigner's export: a key
expression [fp/48h/coin/account/2h]xpub (SLIP-132 Zpub/Vpub too, when its
path agrees), a file holding one (cosigner.txt from a keygen ceremony with
--cosigner, or export xpub), a signer's BIP129 key record (its signature is
verified), Coldcard's multisig JSON, Specter's pNofM text parts, or a UR
crypto-account or crypto-hdkey (SeedSigner, Keystone, Passport) as a QR
picture, a directory of frames, or scanned text.
It needs no key. Every cosigner compares the descriptor ID, then enrolls the
descriptor with their own key (wallet enroll).`,
		Args: cli.MinArgs(2, "at least two cosigner keys or files"),
		RunE: func(cmd *cobra.Command, args []string) error {
			mo.Cosigners = args
			return offline.MultisigDescriptor(cmd.Context(), env, mo)
		},
	}
	multiCmd.Flags().IntVarP(&mo.Threshold, "threshold", "t", 0, "signatures needed (K)")
	multiCmd.Flags().StringVar(&mo.Kind, "type", "wsh-multi", "wsh-multi or sh-wsh-multi")
	multiCmd.Flags().StringVar(&mo.Coldcard, "coldcard", "", "also write Coldcard's multisig setup file here (for a Coldcard cosigner)")
	multiCmd.Flags().StringVar(&mo.BSMS, "bsms", "", "also write the wallet's BIP129 (BSMS) descriptor record here (Coldcard, Nunchuk)")
	multiCmd.Flags().StringVar(&mo.SheetDir, "sheet", "", "also write the wallet backup sheet (wallet-sheet-ID.html and .txt) into this directory")
	cli.DescriptorQRFlags(multiCmd, &mo.QR)
	w.AddCommand(enrollCmd, showCmd, multiCmd)
	return w
}

func addressCmd(env *offline.Env) *cobra.Command {
	var opts offline.AddressOptions
	cmd := &cobra.Command{
		Use:   "address --index N [--change]",
		Short: "Show an address derived from the key, to check a deposit address",
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE:  func(cmd *cobra.Command, args []string) error { return offline.Address(env, opts) },
	}
	keyCommandFlags(cmd, &opts.Key)
	cmd.Flags().Uint32Var(&opts.Index, "index", 0, "address index")
	cmd.Flags().BoolVar(&opts.Change, "change", false, "a change address instead of a receive address")
	cmd.Flags().StringVar(&opts.Kind, "type", "wpkh", "wallet type: wpkh, sh-wpkh or tr")
	cmd.Flags().Uint32Var(&opts.Account, "account", 0, "account number")
	cmd.Flags().BoolVar(&opts.QR, "qr", false, "also show the address as a QR code")
	return cmd
}

func ceremonyCmd(env *offline.Env) *cobra.Command {
	c := &cobra.Command{
		Use:   "ceremony",
		Short: "Run the scripted, logged key ceremonies; verify logs; print checklists",
		Long: `A ceremony walks numbered steps that the witnesses follow on the printed
checklist (CEREMONY.md, or: airsign-offline ceremony checklist NAME). Every step
is appended to a hash-chained log; at the end of each act the log head is shown
as words for the witnesses to write on paper.`,
	}
	for _, name := range []string{"keygen", "drill", "reshare", "rotate"} {
		c.AddCommand(runCeremonyCmd(env, name))
	}
	var head string
	verify := &cobra.Command{
		Use:   "verify-log FILE",
		Short: "Check a ceremony or signing log: any edit, deletion, insertion or reordering is found",
		Args:  cli.ExactArgs(1, "one log file"),
		RunE:  func(cmd *cobra.Command, args []string) error { return offline.VerifyLog(env, args[0], head) },
	}
	verify.Flags().StringVar(&head, "head", "", "the head words (or hex) written on the paper checklist")
	var checklistHTML bool
	checklist := &cobra.Command{
		Use:   "checklist [NAME]",
		Short: "Print the paper checklist of a ceremony, or sign's signing sheet (all if no name)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			if checklistHTML {
				return usageIfUnknown(offline.ChecklistHTML(env, name))
			}
			return usageIfUnknown(offline.Checklist(env, name))
		},
	}
	checklist.Flags().BoolVar(&checklistHTML, "html", false, "print a print-ready HTML page instead of Markdown (open it in a browser and print)")
	answers := &cobra.Command{
		Use:   "answers-template NAME",
		Short: "Print an answers file for a ceremony, to fill in for drills and tests",
		Args:  cli.ExactArgs(1, "one ceremony name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return usageIfUnknown(offline.AnswersTemplate(env, args[0]))
		},
	}
	c.AddCommand(verify, checklist, answers, statusCmd(env))
	return c
}

func runCeremonyCmd(env *offline.Env, name string) *cobra.Command {
	opts := offline.CeremonyOptions{Name: name}
	short := map[string]string{
		"keygen":  "Make a new key from dice and OS randomness, split it into share cards, export the watch-only wallet",
		"drill":   "Recovery drill: rebuild the key from T shares, compare with the record, sign a test transaction",
		"reshare": "Issue a new share set for the same key (old shares still work: use rotate to cut a holder off)",
		"rotate":  "Make a new key and sign the sweep of the old wallet to it with the old key",
	}[name]
	cmd := &cobra.Command{
		Use:   name,
		Short: short,
		Args:  cli.ExactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := offline.RunCeremony(cmd.Context(), env, opts, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "\n%s completed. Log head: %s\n", name, res.Head.Words())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Log, "log", "", "ceremony log file (appended; hash-chained)")
	f.StringVar(&opts.Answers, "answers", "", "run from an answers file instead of the terminal (drills, tests, demo)")
	allowOnlineFlag(cmd, &opts.AllowOnline, "run")
	switch name {
	case "keygen", "rotate":
		f.StringVar(&opts.Kind, "type", "wpkh", "wallet type exported: wpkh, sh-wpkh or tr")
		f.Uint32Var(&opts.Account, "account", 0, "account number")
		f.StringVar(&opts.ExportDir, "export-dir", "", "where to write the watch-only descriptor and its QR (the USB stick)")
		f.IntVar(&opts.EntropyBytes, "entropy-bytes", 32, "32 (24 words) or 16 (12 words)")
		f.BoolVar(&opts.Cosigner, "cosigner", false, "also export the key as a multisig cosigner (BIP48 xpub with origin, and Coldcard's JSON)")
	}
	switch name {
	case "keygen", "reshare", "rotate":
		f.StringVar(&opts.CardDir, "card-dir", "", "also write a printable card per share here (HTML)")
		f.StringVar(&opts.ShareDir, "share-dir", "", "test runs only (answers file with secrets: test): write each share's text here")
	}
	switch name {
	case "drill", "reshare", "rotate":
		f.StringVar(&opts.Record, "record", "", "watch-only descriptor (file) the rebuilt key must match (default: the last one in the log)")
		f.BoolVar(&opts.Passphrase, "passphrase", false, "the wallet rebuilt has a BIP39 passphrase: type it at the terminal after the shares, not shown (asked anyway when the log's keygen recorded one; never on the command line)")
	}
	if name == "drill" {
		f.StringVar(&opts.Sheet, "sheet", "", "the wallet backup sheet the rebuilt key must give: its .txt file, a picture of its QR code, or - to type its descriptor line")
		f.StringVar(&opts.TestPSBT, "test-psbt", "", "PSBT to sign as the test: a file or QR frames; a proof of reserves is signed for the real coins (default: one that spends nothing real)")
		f.StringVar(&opts.ProofOut, "proof-out", "", "new file for the signed proof of reserves, when --test-psbt is one")
	}
	if name == "rotate" {
		f.StringVar(&opts.Sweep, "sweep", "", "the unsigned sweep PSBT prepared online (read when the ceremony reaches the sweep)")
		f.StringVar(&opts.SweepOut, "sweep-out", "", "where to write the signed sweep")
	}
	return cmd
}

// usageIfUnknown makes an unknown ceremony name a command-line error (exit 2).
func usageIfUnknown(err error) error {
	if errors.Is(err, offline.ErrUnknownCeremony) {
		return cli.UsageError{Err: err}
	}
	return err
}
