package online

import (
	"context"
	"fmt"
	"strings"

	"github.com/airsign/airsign/online/store"
)

// BackupStore writes a consistent snapshot of the data directory's store
// (every wallet, label, freeze and record) to path, a new file.
func BackupStore(ctx context.Context, env *Env, path string) error {
	if !store.Present(env.DataDir) {
		return fmt.Errorf("%s holds no wallets to back up", env.DataDir)
	}
	s, err := env.openStore(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Backup(ctx, path); err != nil {
		return err
	}
	env.Infof("backed up %s to %s; restore it with `airsign-online wallet restore %s`", s.File(), path, path)
	return nil
}

// RestoreStore replaces the data directory's store with a backup, after
// checking the backup whole; the store it replaces is kept beside it.
func RestoreStore(ctx context.Context, env *Env, path string) error {
	kept, err := store.Restore(ctx, env.DataDir, path)
	if err != nil {
		return err
	}
	var names []string
	err = env.view(func(t *store.Tx) (err error) { names, err = t.WalletNames(); return err })
	if err != nil {
		return err
	}
	env.Infof("restored %s from %s: wallets %s", store.Path(env.DataDir), path, strings.Join(names, ", "))
	if kept != "" {
		env.Infof("the store it replaced is kept as %s", kept)
	}
	env.Infof("run `airsign-online utxos` to bring the coins up to date from the chain")
	return nil
}
