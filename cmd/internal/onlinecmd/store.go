package onlinecmd

import (
	"github.com/airsign/airsign/cmd/internal/cli"
	"github.com/airsign/airsign/online"
	"github.com/spf13/cobra"
)

// The commands of the online store: backup and restore of the whole store,
// BIP329 label export and import.

func backupCmd(env *online.Env) *cobra.Command {
	return &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent snapshot of every wallet, label and freeze to a new FILE",
		Long: `Write a consistent snapshot of the data directory's store (every wallet,
label, freeze and record) to FILE, which must not exist. Commands may run
meanwhile: the snapshot holds each of their changes whole or not at all.
Restore it with 'airsign-online wallet restore FILE'.`,
		Args: cli.ExactArgs(1, "the backup file to write"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return online.BackupStore(cmd.Context(), env, args[0])
		},
	}
}

func restoreCmd(env *online.Env) *cobra.Command {
	return &cobra.Command{
		Use:   "restore FILE",
		Short: "Replace the store with a backup (the replaced store is kept beside it)",
		Long: `Replace the data directory's store with a backup written by 'wallet backup',
after checking the backup is whole. The store it replaces is kept beside it
(DATADIR/airsign-online.db.before-restore-TIME, or .damaged-TIME when it
could not be read). Then run 'airsign-online utxos' to bring the coins up to
date. Without a backup, a damaged store is rebuilt from the descriptor:
move it aside, 'wallet import DESCRIPTOR', then 'utxos' rescans the chain.`,
		Args: cli.ExactArgs(1, "the backup file to restore"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return online.RestoreStore(cmd.Context(), env, args[0])
		},
	}
}

func labelsCmd(env *online.Env, name *string) *cobra.Command {
	c := &cobra.Command{
		Use:   "labels",
		Short: "Export or import the wallet's labels and freezes as BIP329 JSON Lines (Sparrow and others)",
	}
	export := &cobra.Command{
		Use:   "export FILE",
		Short: "Write the wallet's labels and frozen coins to a new BIP329 FILE ('-': stdout)",
		Args:  cli.ExactArgs(1, "the file to write, or - for stdout"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return online.ExportLabels(env, *name, args[0])
		},
	}
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Merge a BIP329 FILE ('-': stdin) into the wallet's labels and freezes, all or nothing",
		Long: `Merge a BIP329 label file ('-': stdin) into the wallet: a label of the
same type and ref is replaced, never duplicated; a record without a label or
"spendable" leaves what is there; "spendable": false freezes a coin and true
unfreezes it. Records whose origin names another wallet, and types BIP329 does
not define, are passed over. A bad line is named and nothing is imported.`,
		Args: cli.ExactArgs(1, "the BIP329 file to read, or - for stdin"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := online.ImportLabels(env, *name, args[0])
			return err
		},
	}
	c.AddCommand(export, imp)
	return c
}

// drillsCmd is `airsign-online drills import`: the ceremony logs carried
// over from the offline laptop, so `status` and `watch` can say what is
// overdue without it.
func drillsCmd(env *online.Env, name *string) *cobra.Command {
	c := &cobra.Command{
		Use:   "drills",
		Short: "Keep the reports of the offline ceremonies (keygen, drills, rotations) for status and watch",
	}
	var opts online.DrillsImportOptions
	imp := &cobra.Command{
		Use:   "import LOG… [--head WORDS]",
		Short: "Verify ceremony logs copied from the offline laptop and record their runs",
		Long: `Verify the hash chain of each ceremony log copied from the offline laptop
(airsign-offline's --log file, carried over on a USB stick) and record in the
wallet (--wallet) the report of every completed keygen, rotate and reshare and
of every drill: its date (the one the witnesses typed, else the offline
machine's clock, and which), the share numbers and holders, pass or fail, and
the proof of reserves it signed. 'airsign-online status' and 'watch' judge the
schedule from these reports.

A run recorded before is not recorded again, so a log may be imported again
as it grows. A log whose runs are all of another key is refused, naming the
wallet. A damaged or edited log is refused whole, naming the record.

What cannot be checked here is said every time: where the log ends (records
cut from its end, or a log rewritten whole, need the head words written on the
paper checklist: --head), and records sealed with a MAC, which only the
offline laptop can check with the key.`,
		Args: cli.MinArgs(1, "the ceremony log file(s)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Wallet, opts.Logs = *name, args
			return online.ImportDrills(cmd.Context(), env, opts)
		},
	}
	imp.Flags().StringVar(&opts.Head, "head", "", "the head words (or hex) on the paper checklist of the log's last ceremony")
	c.AddCommand(imp)
	return c
}
