package online

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/airsign/airsign/online/store"
)

// maxLabel bounds a label typed at the command line: a note, not a
// document.
const maxLabel = 200

// SetLabel attaches the operator's note to an address (of any wallet: a
// payee's too) or an outpoint. An empty text removes the label. The change
// is one store transaction: labels set by commands running together all
// stay.
func SetLabel(env *Env, walletName, target, text string) error {
	w, err := LoadWallet(env, walletName)
	if err != nil {
		return err
	}
	typ, key, what, err := labelKey(w, target)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > maxLabel {
		return fmt.Errorf("the label is %d characters; keep it to %d", utf8.RuneCountInString(text), maxLabel)
	}
	if r, bad := controlIn(text); bad {
		return fmt.Errorf("the label holds a control character (%U); use plain text on one line", r)
	}
	if text == "" {
		var had bool
		if err := env.update(func(t *store.Tx) (err error) { had, err = t.DeleteLabel(w.id, typ, key); return err }); err != nil {
			return err
		}
		if !had {
			env.Infof("%s %s had no label", what, key)
			return nil
		}
		env.Infof("removed the label of %s %s", what, key)
		return nil
	}
	err = env.update(func(t *store.Tx) error {
		_, err := t.PutLabel(w.id, store.Label{Type: typ, Ref: key, Label: text})
		return err
	})
	if err != nil {
		return err
	}
	env.Infof("labelled %s %s: %s", what, key, text)
	return nil
}

// controlIn finds a control character (a line break, an escape that would
// drive the terminal) in s.
func controlIn(s string) (rune, bool) {
	for _, r := range s {
		if unicode.IsControl(r) {
			return r, true
		}
	}
	return 0, false
}

// labelKey normalises a label target: an outpoint (a BIP329 output) or an
// address of the wallet's network (a BIP329 addr).
func labelKey(w *Wallet, target string) (typ, key, what string, err error) {
	target = strings.TrimSpace(target)
	if strings.Contains(target, ":") {
		op, err := ParseOutPoint(target)
		if err != nil {
			return "", "", "", err
		}
		return store.LabelOutput, op.String(), "coin", nil
	}
	a, err := ParseAddress(target, w.net)
	if err != nil {
		return "", "", "", fmt.Errorf("%w (label takes an address or a coin TXID:VOUT)", err)
	}
	return store.LabelAddr, a.EncodeAddress(), "address", nil
}
