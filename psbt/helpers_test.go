package psbt

import (
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"sync"
	"testing"

	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// update rewrites the generated files under testdata/ (the attack corpus
// and the golden output) instead of comparing against them.
var update = flag.Bool("update", false, "rewrite testdata/attacks and testdata/golden")

const testMnemonic = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"

var regtest = &chaincfg.RegressionNetParams

// kit is the fixed test wallet: the BIP84/86 "abandon … about" key on
// regtest, its wpkh, sh(wpkh) and tr descriptors, and helpers that build
// PSBTs spending its coins.
type kit struct {
	master            *hdkeychain.ExtendedKey
	fp                uint32
	wpkh, shwpkh, tr  *descriptor.Descriptor
	wallet            Wallet
	externalScript    []byte // a regtest address of someone else
	externalAddress   string
	attackerKey       *btcec.PrivateKey
	attackerP2WPKH    []byte
	attackerP2WPKHKey []byte
}

var (
	kitOnce sync.Once
	theKit  *kit
)

func testKit(t testing.TB) *kit {
	t.Helper()
	kitOnce.Do(func() {
		seed, err := bip39.Seed([]byte(testMnemonic), nil)
		if err != nil {
			panic(err)
		}
		master, err := hdkeychain.NewMaster(seed, regtest)
		if err != nil {
			panic(err)
		}
		k := &kit{master: master}
		if k.fp, err = MasterFingerprint(master); err != nil {
			panic(err)
		}
		for _, d := range []struct {
			kind descriptor.Kind
			dst  **descriptor.Descriptor
		}{{descriptor.WPKH, &k.wpkh}, {descriptor.SHWPKH, &k.shwpkh}, {descriptor.TR, &k.tr}} {
			if *d.dst, err = descriptor.New(d.kind, master, 0, regtest); err != nil {
				panic(err)
			}
		}
		k.wallet = &keyWallet{master: master, fp: k.fp, cache: map[[2]uint32]*descriptor.Descriptor{}}
		// Someone else: a key from a fixed hash, never ours.
		ext := sha256.Sum256([]byte("airsign test: the payee"))
		_, extPub := btcec.PrivKeyFromBytes(ext[:])
		addr, _ := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(extPub.SerializeCompressed()), regtest)
		k.externalAddress = addr.EncodeAddress()
		k.externalScript, _ = txscript.PayToAddrScript(addr)
		att := sha256.Sum256([]byte("airsign test: the attacker"))
		k.attackerKey, _ = btcec.PrivKeyFromBytes(att[:])
		k.attackerP2WPKHKey = k.attackerKey.PubKey().SerializeCompressed()
		k.attackerP2WPKH = p2wpkhScript(k.attackerP2WPKHKey)
		theKit = k
	})
	return theKit
}

// multiWallet is our wallet over several descriptors, as the offline signer
// holds one per script type.
type multiWallet []Wallet

func (m multiWallet) ScriptAt(fp uint32, path []uint32) ([]byte, uint32, uint32, bool) {
	for _, w := range m {
		if s, b, i, ok := w.ScriptAt(fp, path); ok {
			return s, b, i, ok
		}
	}
	return nil, 0, 0, false
}

// keyWallet is our key's standard single-sig accounts (BIP44 family, any
// account), as the offline signer's key-derived wallet sees them.
type keyWallet struct {
	master *hdkeychain.ExtendedKey
	fp     uint32
	mu     sync.Mutex
	cache  map[[2]uint32]*descriptor.Descriptor
}

func (w *keyWallet) ScriptAt(fp uint32, path []uint32) ([]byte, uint32, uint32, bool) {
	d, ok := w.account(fp, path)
	if !ok {
		return nil, 0, 0, false
	}
	return DescriptorWallet(d).ScriptAt(fp, path)
}

// account is the descriptor of the account path is in.
func (w *keyWallet) account(fp uint32, path []uint32) (*descriptor.Descriptor, bool) {
	kinds := map[uint32]descriptor.Kind{84: descriptor.WPKH, 49: descriptor.SHWPKH, 86: descriptor.TR}
	if fp != w.fp || len(path) != 5 || path[0] < hard || path[2] < hard || path[1] != 1+hard {
		return nil, false
	}
	kind, ok := kinds[path[0]-hard]
	if !ok {
		return nil, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	id := [2]uint32{path[0], path[2]}
	d := w.cache[id]
	if d == nil {
		var err error
		if d, err = descriptor.New(kind, w.master, path[2]-hard, regtest); err != nil {
			return nil, false
		}
		w.cache[id] = d
	}
	return d, true
}

// derive returns the address of d at branch/index.
func (k *kit) derive(t testing.TB, d *descriptor.Descriptor, branch, index uint32) *descriptor.Derived {
	t.Helper()
	der, err := d.Derive(branch, index)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// origin is the KeyOrigin of a derived address' (single) key.
func origin(der *descriptor.Derived) []KeyOrigin {
	k := der.Keys[0]
	return []KeyOrigin{{PubKey: k.PubKey, Fingerprint: k.Fingerprint, Path: k.Path}}
}

// prevTx is a deterministic previous transaction paying outs; salt makes
// its txid unique.
func prevTx(salt uint32, outs ...*wire.TxOut) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	var h chainhash.Hash
	binary.LittleEndian.PutUint32(h[:], salt)
	h[31] = 0xa1
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&h, salt), nil, nil))
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	return tx
}

func (k *kit) wpkhCoin(t testing.TB, salt uint32, branch, index uint32, amount int64) InputSpec {
	der := k.derive(t, k.wpkh, branch, index)
	return InputSpec{PrevTx: prevTx(salt, wire.NewTxOut(amount, der.Script)), Vout: 0, Sequence: wire.MaxTxInSequenceNum - 2, Keys: origin(der)}
}

func (k *kit) shwpkhCoin(t testing.TB, salt uint32, branch, index uint32, amount int64) InputSpec {
	der := k.derive(t, k.shwpkh, branch, index)
	return InputSpec{PrevTx: prevTx(salt, wire.NewTxOut(amount, der.Script)), Vout: 0, Sequence: wire.MaxTxInSequenceNum - 2, Keys: origin(der), RedeemScript: der.RedeemScript}
}

func (k *kit) trCoin(t testing.TB, salt uint32, branch, index uint32, amount int64) InputSpec {
	der := k.derive(t, k.tr, branch, index)
	return InputSpec{PrevTx: prevTx(salt, wire.NewTxOut(amount, der.Script)), Vout: 0, Sequence: wire.MaxTxInSequenceNum - 2, Keys: origin(der), Taproot: true}
}

// change is our change output of d at 1/index.
func (k *kit) change(t testing.TB, d *descriptor.Descriptor, index uint32, amount int64) OutputSpec {
	der := k.derive(t, d, 1, index)
	return OutputSpec{PkScript: der.Script, Amount: amount, Keys: origin(der), RedeemScript: der.RedeemScript, Taproot: d.Kind() == descriptor.TR}
}

func (k *kit) pay(amount int64) OutputSpec {
	return OutputSpec{PkScript: k.externalScript, Amount: amount}
}

func mustBuild(t testing.TB, ins []InputSpec, outs []OutputSpec) *Packet {
	t.Helper()
	p, err := Build(2, 0, ins, outs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// honest is the ordinary payment every attack starts from: one wpkh coin of
// 1 BTC at 0/0, 0.3 BTC to the payee, change to 1/0, a fee of 1410 sat.
func (k *kit) honest(t testing.TB) *Packet {
	return mustBuild(t, []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000)},
		[]OutputSpec{k.pay(30_000_000), k.change(t, k.wpkh, 0, 69_998_590)})
}

// analyze and sign see change as the offline signer does without an
// enrolled wallet: our key, in the accounts the inputs spend from.
func (k *kit) analyze(p *Packet, pol Policy) *Analysis {
	return pol.Apply(Analyze(p, regtest, k.fp, ChangeWallet(p, k.fp, nil, k.wallet)))
}

func (k *kit) sign(p *Packet, pol Policy) (SignResult, error) {
	return Sign(p, k.master, WithNetwork(regtest), WithWallet(ChangeWallet(p, k.fp, nil, k.wallet)), WithPolicy(pol))
}

func encode(t testing.TB, p *Packet) []byte {
	t.Helper()
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasProblem(a *Analysis, code Code) bool {
	for _, pr := range a.Problems {
		if pr.Code == code {
			return true
		}
	}
	return false
}
