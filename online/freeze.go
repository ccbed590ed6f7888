package online

import "github.com/airsign/airsign/online/store"

// SetFrozen freezes (prepare and bump will not spend it) or
// unfreezes a coin. Freezing a coin the wallet does not hold yet is allowed:
// a deposit announced but not yet seen can be frozen ahead.
func SetFrozen(env *Env, walletName, outpoint string, frozen bool) error {
	w, err := LoadWallet(env, walletName)
	if err != nil {
		return err
	}
	op, err := ParseOutPoint(outpoint)
	if err != nil {
		return err
	}
	key := op.String()
	var changed bool
	if err := env.update(func(t *store.Tx) (err error) { changed, err = t.SetFrozen(w.id, key, frozen); return err }); err != nil {
		return err
	}
	switch {
	case !changed && frozen:
		env.Infof("coin %s was already frozen", key)
	case !changed:
		env.Infof("coin %s was not frozen", key)
	case frozen:
		env.Infof("froze coin %s: prepare will not spend it until it is unfrozen", key)
	default:
		env.Infof("unfroze coin %s", key)
	}
	return nil
}
