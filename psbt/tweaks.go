package psbt

import (
	"bytes"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
)

// tweaks remembers, for one packet, the BIP86 output script of every
// x-only key whose tweak the analysis has computed. Signing analyses a
// packet up to three times (the review before the key, the review with
// it, and Sign's own), and each tweak costs a point decompression and a
// scalar multiplication: a thousand taproot inputs paid for them three
// times. The memo holds public keys and scripts only; it is keyed by the
// key's bytes, so a packet changed between two analyses is still judged
// on what it holds.
type tweaks struct {
	mu      sync.Mutex
	scripts map[string][]byte // x-only key → its BIP86 P2TR script (nil: not a key)
}

// pays reports whether pkScript is the BIP86 (key path only) taproot
// output of the x-only key.
func (t *tweaks) pays(xonly, pkScript []byte) bool {
	script := t.script(xonly)
	return script != nil && bytes.Equal(pkScript, script)
}

func (t *tweaks) script(xonly []byte) []byte {
	t.mu.Lock()
	script, ok := t.scripts[string(xonly)]
	t.mu.Unlock()
	if ok {
		return script
	}
	if key, err := schnorr.ParsePubKey(xonly); err == nil {
		script = p2trScript(txscript.ComputeTaprootKeyNoScript(key))
	}
	t.mu.Lock()
	if t.scripts == nil {
		t.scripts = map[string][]byte{}
	}
	t.scripts[string(xonly)] = script
	t.mu.Unlock()
	return script
}

// warm works out, on all cores, the tweaks of the taproot keys of ours
// that the analysis of p's inputs is about to check one by one.
func (t *tweaks) warm(p *btcpsbt.Packet, ours func(fp uint32) bool) {
	var keys [][]byte
	t.mu.Lock()
	for i := range p.Inputs {
		for _, d := range p.Inputs[i].TaprootBip32Derivation {
			if _, known := t.scripts[string(d.XOnlyPubKey)]; !known && ours(d.MasterKeyFingerprint) && len(d.LeafHashes) == 0 {
				keys = append(keys, d.XOnlyPubKey)
			}
		}
	}
	t.mu.Unlock()
	parallelFor(len(keys), func(k int) { t.script(keys[k]) })
}
