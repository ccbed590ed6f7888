package ceremony

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// A BIP39 passphrase makes another wallet from the same words. The shares
// hold the words only; the passphrase is kept apart by the person the
// checklist names, so T holders alone cannot spend. The runner holds it in
// memory beside the key, hands it to the actions with the entropy, and
// wipes it with the key. The log says only that a passphrase exists and
// who holds it: never the passphrase, nothing derived from it alone.

// doChoosePassphrase is keygen's (and rotate's) question, asked before the
// dice: does the new wallet have a passphrase? If so, who holds it, and
// the passphrase itself, typed twice unseen; two entries that differ are
// asked again, nothing else lost.
func doChoosePassphrase(r *runner, s *Step) error {
	wipe(r.passphrase)
	r.passphrase = nil
	var yes bool
	err := r.askUntil(s, "Operator: does this wallet have a BIP39 passphrase? Type yes or no", func(ans string) error {
		switch strings.ToLower(ans) {
		case "yes", "y":
			yes = true
		case "no", "n":
			yes = false
		default:
			return again("Type yes or no.")
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !yes {
		if err := r.show("No passphrase: the share cards alone rebuild this wallet."); err != nil {
			return err
		}
		return r.record(s, "passphrase-chosen", map[string]string{"passphrase": "no"})
	}
	var holder string
	err = r.askUntil(s, "Who holds the passphrase? Type their name (write it in the box too)", func(ans string) error {
		if err := validName(ans); err != nil {
			return again("%v. Type it again.", err)
		}
		holder = ans
		return nil
	})
	if err != nil {
		return err
	}
	pass, err := r.askNewPassphrase(s, holder)
	if err != nil {
		return err
	}
	r.passphrase = pass
	r.res.Passphrase, r.res.PassphraseHolder = true, holder
	msg := fmt.Sprintf("Passphrase entered twice, the same. %s holds it. It is kept in memory for this ceremony only: never shown, logged, or written on a card.\n"+
		"IMPORTANT: the share cards alone do NOT recover this wallet; the passphrase is needed too. Lose it and the coins are lost.", holder)
	if err := r.show(msg); err != nil {
		return err
	}
	return r.record(s, "passphrase-chosen", map[string]string{"passphrase": "yes", "holder": holder})
}

// askNewPassphrase asks for a new passphrase twice, unseen, until both
// entries are the same and not empty.
func (r *runner) askNewPassphrase(s *Step, holder string) ([]byte, error) {
	var pass []byte
	err := r.retry(0, func() error {
		first, err := r.askSecret(s, holder+": type the passphrase (it is not shown)")
		if err != nil {
			return err
		}
		if len(first) == 0 {
			return again("An empty passphrase is no passphrase. Type the passphrase, or press Ctrl-C to stop and start again answering no.")
		}
		second, err := r.askSecret(s, holder+": type the passphrase again (it is not shown)")
		if err != nil {
			wipe(first)
			return err
		}
		same := bytes.Equal(first, second)
		wipe(second)
		if !same {
			wipe(first)
			return again("The two entries differ. Nothing else is lost: type the passphrase twice again.")
		}
		pass = first
		return nil
	}, nil)
	return pass, err
}

// doRebuildPassphrase is the passphrase of a key rebuilt from shares: asked
// (once, unseen) when the wallet has one, and the wallet derived with it.
// Its fingerprint is shown only after the witnesses have typed the one on
// paper (doPaperFingerprint), which also catches a mistyped passphrase.
func doRebuildPassphrase(r *runner, s *Step) error {
	r.passStep = s
	if !r.opts.RebuildPassphrase {
		msg := "Nothing to type: no --passphrase was given, and nothing says this wallet has a passphrase. If it has one, stop and start again with --passphrase."
		if r.opts.NoPassphraseLogged {
			msg = "This wallet has no passphrase (its keygen in the log says none): nothing to type."
		}
		if err := r.show(msg); err != nil {
			return err
		}
		return r.record(s, "passphrase-entered", map[string]string{"passphrase": "no"})
	}
	if err := r.enterPassphrase(s); err != nil {
		return err
	}
	if err := r.show("Passphrase entered. The wallet's fingerprint with it is shown after the witnesses have typed the one on paper."); err != nil {
		return err
	}
	return r.record(s, "passphrase-entered", map[string]string{"passphrase": "yes"})
}

// enterPassphrase asks for the rebuilt wallet's passphrase and derives the
// wallet with it; a slip is caught by the fingerprint on paper.
func (r *runner) enterPassphrase(s *Step) error {
	var pass []byte
	err := r.retry(0, func() error {
		p, err := r.askSecret(s, "Passphrase holder: type the wallet's BIP39 passphrase (it is not shown)")
		if err != nil {
			return err
		}
		if len(p) == 0 {
			return again("The passphrase is empty. Type it again.")
		}
		pass = p
		return nil
	}, nil)
	if err != nil {
		return err
	}
	wipe(r.passphrase)
	r.passphrase = pass
	w, err := r.a.Wallet(r.ctx, r.secret())
	if err == nil {
		w, err = checkWallet(w)
	}
	if err != nil {
		return failed(err, "deriving the wallet with the passphrase: %v", err)
	}
	r.keyWallet, r.res.Rebuilt = w, w
	return nil
}

// doPaperFingerprint is the drill's "fingerprint on paper". With a
// passphrase, a fingerprint that is not the paper's most often means a
// mistyped passphrase: both values are named and the passphrase is asked
// again (the shares are kept), then the paper's fingerprint once more.
func doPaperFingerprint(c compare) stepFunc {
	return func(r *runner, s *Step) error {
		if !r.opts.RebuildPassphrase || r.passStep == nil {
			err := c.do(r, s)
			var st *stop
			if errors.As(err, &st) && st.failed && !r.opts.NoPassphraseLogged {
				st.reason += "; if the wallet has a BIP39 passphrase, run the ceremony again with --passphrase"
			}
			return err
		}
		for try := 1; ; try++ {
			ans, err := r.ask(s, c.ask)
			if err != nil {
				return err
			}
			fp := r.res.Rebuilt.Fingerprint
			if sameValue(fp, ans, 0) {
				break
			}
			paper := normValue(ans)
			if try >= r.opts.MaxTries {
				return failed(nil, "the fingerprint with this passphrase is %s, the checklist says %s (after %d tries): the passphrase or the paper is not this wallet's", fp, paper, try)
			}
			if err := r.show(fmt.Sprintf("The fingerprint with this passphrase is %s, the checklist says %s.\n"+
				"Usually the passphrase was mistyped; or the box was misread. The shares are kept: the passphrase holder types the passphrase again, then a witness types the fingerprint from the checklist again.", fp, paper)); err != nil {
				return err
			}
			if err := r.enterPassphrase(r.passStep); err != nil {
				return err
			}
		}
		fp := r.res.Rebuilt.Fingerprint
		if err := r.show("The fingerprint with the passphrase matches the paper: " + fp); err != nil {
			return err
		}
		return r.record(s, "compared", map[string]string{"what": c.what, "value": fp})
	}
}
