package psbt

import (
	"bytes"
	"encoding/base64"
	"sync"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	btcpsbt "github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"
)

// Issue 16, classes 1 and 2: change that is our key, but not the wallet
// being spent. Each case says which wallet the signer holds (walletMode)
// and which outputs must come out as change and which as EXTERNAL.

// walletMode is what the signer compares change against.
type walletMode int

const (
	// bothWallets runs a case twice, without an enrolled wallet and with
	// our wpkh account 0 enrolled, expecting the same verdict.
	bothWallets walletMode = iota
	// keyOnly: no enrolled wallet; our key in the accounts the inputs
	// spend from (ChangeWallet's rule 2).
	keyOnly
	// enrolledWPKH: our BIP84 account 0 enrolled.
	enrolledWPKH
	// enrolledMulti: the 2-of-3 wsh(sortedmulti) of kit.multi enrolled.
	enrolledMulti
)

func (m walletMode) String() string {
	return [...]string{"none, or wpkh account 0 enrolled", "none enrolled", "wpkh account 0 enrolled", "2-of-3 multisig enrolled"}[m]
}

func (m walletMode) modes() []walletMode {
	if m == bothWallets {
		return []walletMode{keyOnly, enrolledWPKH}
	}
	return []walletMode{m}
}

// changeWallet is what the offline signer builds in that mode.
func (k *kit) changeWallet(p *Packet, m walletMode) Wallet {
	switch m {
	case enrolledWPKH:
		return ChangeWallet(p, k.fp, DescriptorWallet(k.wpkh), k.wallet)
	case enrolledMulti:
		return ChangeWallet(p, k.fp, DescriptorWallet(k.multisig(nil)), k.wallet)
	}
	return ChangeWallet(p, k.fp, nil, k.wallet)
}

func warnOut(code Code, i int, fragment string) want { return want{code, -1, i, Warn, fragment} }

var (
	cosignerOnce sync.Once
	cosigners    []*hdkeychain.ExtendedKey
)

// cosigner i is a fixed foreign master key (never ours); 3 plays the
// attacker.
func cosigner(i int) *hdkeychain.ExtendedKey {
	cosignerOnce.Do(func() {
		for j := 0; j < 4; j++ {
			m, err := hdkeychain.NewMaster(bytes.Repeat([]byte{byte(0x40 + j)}, 32), regtest)
			if err != nil {
				panic(err)
			}
			cosigners = append(cosigners, m)
		}
	})
	return cosigners[i]
}

// multisig is a wsh(sortedmulti) of our key (account 0) and the cosigners
// named; nil means the wallet's 2-of-3 with cosigners 0 and 1.
func (k *kit) multisig(spec *multiSpec) *descriptor.Descriptor {
	if spec == nil {
		spec = &multiSpec{threshold: 2, others: []int{0, 1}, ours: true}
	}
	var keys []descriptor.Key
	if spec.ours {
		key, err := descriptor.AccountKey(descriptor.WSHSortedMulti, k.master, 0, regtest)
		if err != nil {
			panic(err)
		}
		keys = append(keys, key)
	}
	for _, i := range spec.others {
		key, err := descriptor.AccountKey(descriptor.WSHSortedMulti, cosigner(i), 0, regtest)
		if err != nil {
			panic(err)
		}
		keys = append(keys, key)
	}
	d, err := descriptor.NewSortedMulti(descriptor.WSHSortedMulti, spec.threshold, keys, regtest)
	if err != nil {
		panic(err)
	}
	return d
}

type multiSpec struct {
	threshold int
	others    []int
	ours      bool
}

func allOrigins(der *descriptor.Derived) []KeyOrigin {
	var keys []KeyOrigin
	for _, dk := range der.Keys {
		keys = append(keys, KeyOrigin{PubKey: dk.PubKey, Fingerprint: dk.Fingerprint, Path: dk.Path})
	}
	return keys
}

// multiCoin is a coin of the enrolled 2-of-3 at 0/index.
func (k *kit) multiCoin(t testing.TB, salt, index uint32, amount int64) InputSpec {
	der := k.derive(t, k.multisig(nil), 0, index)
	return InputSpec{PrevTx: prevTx(salt, wire.NewTxOut(amount, der.Script)), Sequence: wire.MaxTxInSequenceNum - 2, Keys: allOrigins(der), WitnessScript: der.WitnessScript}
}

// multiChange is change to multisig d at 1/index, with every key's origin.
func (k *kit) multiChange(t testing.TB, d *descriptor.Descriptor, index uint32, amount int64) OutputSpec {
	der := k.derive(t, d, 1, index)
	return OutputSpec{PkScript: der.Script, Amount: amount, Keys: allOrigins(der), WitnessScript: der.WitnessScript}
}

// ourAccount is our single-sig descriptor of kind at another account.
func (k *kit) ourAccount(kind descriptor.Kind, account uint32) *descriptor.Descriptor {
	d, err := descriptor.New(kind, k.master, account, regtest)
	if err != nil {
		panic(err)
	}
	return d
}

// spend builds a payment of 0.3 BTC to the payee from ins with the given
// change, and serializes it.
func spend(ins func(t testing.TB, k *kit) []InputSpec, change func(t testing.TB, k *kit) OutputSpec) func(testing.TB, *kit) []byte {
	return func(t testing.TB, k *kit) []byte {
		p := mustBuild(t, ins(t, k), []OutputSpec{k.pay(30_000_000), change(t, k)})
		return encodePacket(t, p.p)
	}
}

func oneWPKHCoin(t testing.TB, k *kit) []InputSpec {
	return []InputSpec{k.wpkhCoin(t, 1, 0, 0, 100_000_000)}
}

func oneMultiCoin(t testing.TB, k *kit) []InputSpec {
	return []InputSpec{k.multiCoin(t, 5, 0, 100_000_000)}
}

func account1Coin(t testing.TB, k *kit) []InputSpec {
	der := k.derive(t, k.ourAccount(descriptor.WPKH, 1), 0, 3)
	return []InputSpec{{PrevTx: prevTx(11, wire.NewTxOut(100_000_000, der.Script)), Sequence: wire.MaxTxInSequenceNum - 2, Keys: origin(der)}}
}

func account1Change(t testing.TB, k *kit) OutputSpec {
	return k.change(t, k.ourAccount(descriptor.WPKH, 1), 0, 69_998_590)
}

const outside = "outside the wallet this transaction spends from"

func changeAttacks() []attack {
	return []attack{
		{
			name:  "change-other-account",
			about: "wpkh coin of account 0; \"change\" to our wpkh account 1 (1/0)",
			build: spend(oneWPKHCoin, func(t testing.TB, k *kit) OutputSpec {
				return k.change(t, k.ourAccount(descriptor.WPKH, 1), 0, 69_998_590)
			}),
			want:     []want{warnOut("change-outside-wallet", 1, outside)},
			signs:    true,
			external: []int{0, 1},
		},
		{
			name:     "change-other-purpose-taproot",
			about:    "wpkh coin; \"change\" to our BIP86 taproot account 0",
			build:    spend(oneWPKHCoin, func(t testing.TB, k *kit) OutputSpec { return k.change(t, k.tr, 0, 69_998_590) }),
			want:     []want{warnOut("change-outside-wallet", 1, outside)},
			signs:    true,
			external: []int{0, 1},
		},
		{
			name:     "change-other-purpose-nested",
			about:    "wpkh coin; \"change\" to our BIP49 sh(wpkh) account 0",
			build:    spend(oneWPKHCoin, func(t testing.TB, k *kit) OutputSpec { return k.change(t, k.shwpkh, 0, 69_998_590) }),
			want:     []want{warnOut("change-outside-wallet", 1, outside)},
			signs:    true,
			external: []int{0, 1},
		},
		{
			name:     "change-account-1-no-wallet",
			about:    "coin and change both in our wpkh account 1, no wallet enrolled: the inputs' own account",
			build:    spend(account1Coin, account1Change),
			wallet:   keyOnly,
			signs:    true,
			external: []int{0},
			change:   []int{1},
		},
		{
			name:     "change-account-1-enrolled",
			about:    "the same coin and change in account 1, with account 0 enrolled: the enrolled wallet only",
			build:    spend(account1Coin, account1Change),
			wallet:   enrolledWPKH,
			want:     []want{warnOut("change-outside-wallet", 1, outside)},
			signs:    true,
			external: []int{0, 1},
		},
		{
			name:  "change-mixed-inputs",
			about: "a wpkh and a taproot coin; change to taproot account 0, which an input spends from: verified",
			build: spend(func(t testing.TB, k *kit) []InputSpec {
				return []InputSpec{k.wpkhCoin(t, 1, 0, 0, 50_000_000), k.trCoin(t, 2, 0, 0, 50_000_000)}
			}, func(t testing.TB, k *kit) OutputSpec { return k.change(t, k.tr, 0, 69_997_000) }),
			wallet:   keyOnly,
			signs:    true,
			external: []int{0},
			change:   []int{1},
		},
		{
			name:  "multisig-change-to-single-key",
			about: "coin of the enrolled 2-of-3; \"change\" to our own wpkh 1/0: funds would leave the multisig",
			build: spend(oneMultiCoin, func(t testing.TB, k *kit) OutputSpec {
				return k.change(t, k.wpkh, 0, 69_998_000)
			}),
			wallet:   enrolledMulti,
			want:     []want{warnOut("change-outside-wallet", 1, outside)},
			signs:    true,
			external: []int{0, 1},
		},
		{
			name:  "multisig-change-to-single-key-no-wallet",
			about: "the same without an enrolled wallet: our key cannot vouch for a multisig",
			build: spend(oneMultiCoin, func(t testing.TB, k *kit) OutputSpec {
				return k.change(t, k.wpkh, 0, 69_998_000)
			}),
			wallet:   keyOnly,
			want:     []want{warnOut("change-outside-wallet", 1, outside)},
			signs:    true,
			external: []int{0, 1},
		},
		{
			name:  "multisig-change-honest",
			about: "coin of the enrolled 2-of-3, change to the same 2-of-3 at 1/0",
			build: spend(oneMultiCoin, func(t testing.TB, k *kit) OutputSpec {
				return k.multiChange(t, k.multisig(nil), 0, 69_998_000)
			}),
			wallet:   enrolledMulti,
			signs:    true,
			external: []int{0},
			change:   []int{1},
		},
		{
			name:  "multisig-change-no-wallet",
			about: "the same honest multisig change without an enrolled wallet: unverifiable, so EXTERNAL",
			build: spend(oneMultiCoin, func(t testing.TB, k *kit) OutputSpec {
				return k.multiChange(t, k.multisig(nil), 0, 69_998_000)
			}),
			wallet:   keyOnly,
			want:     []want{warnOut("change-outside-wallet", 1, outside)},
			signs:    true,
			external: []int{0, 1},
		},
		{
			name:  "multisig-change-foreign-1-of-2",
			about: "coin of the enrolled 2-of-3; change to sortedmulti(1, ours, attacker) at our path 1/0: the attacker spends it alone",
			build: spend(oneMultiCoin, func(t testing.TB, k *kit) OutputSpec {
				return k.multiChange(t, k.multisig(&multiSpec{threshold: 1, others: []int{3}, ours: true}), 0, 69_998_000)
			}),
			wallet: enrolledMulti,
			want:   []want{refuseOut("fake-change", 1, "our wallet's script there is different")},
		},
		{
			name:  "multisig-change-swapped-cosigner",
			about: "coin of the enrolled 2-of-3; change to a 2-of-3 with one cosigner swapped for the attacker's key",
			build: spend(oneMultiCoin, func(t testing.TB, k *kit) OutputSpec {
				return k.multiChange(t, k.multisig(&multiSpec{threshold: 2, others: []int{0, 3}, ours: true}), 0, 69_998_000)
			}),
			wallet: enrolledMulti,
			want:   []want{refuseOut("fake-change", 1, "our wallet's script there is different")},
		},
		{
			name:  "multisig-change-planted-input-path",
			about: "enrolled 2-of-3 coin also listing our key at wpkh account 5 (a planted derivation); change to that account",
			build: func(t testing.TB, k *kit) []byte {
				p := mustBuild(t, oneMultiCoin(t, k), []OutputSpec{k.pay(30_000_000), k.change(t, k.ourAccount(descriptor.WPKH, 5), 0, 69_998_000)})
				der := k.derive(t, k.ourAccount(descriptor.WPKH, 5), 0, 0)
				p.p.Inputs[0].Bip32Derivation = append(p.p.Inputs[0].Bip32Derivation, &btcpsbt.Bip32Derivation{PubKey: der.Keys[0].PubKey, MasterKeyFingerprint: k.fp, Bip32Path: der.Keys[0].Path})
				return encodePacket(t, p.p)
			},
			wallet: keyOnly,
			// The planted key is not in the coin's script: refused as a lie
			// about the input before the change is looked at.
			want: []want{refuseIn("key-not-in-script", 0, "not in the script of the coin it spends"), warnOut("change-outside-wallet", 1, outside)},
		},
	}
}

// sanityAttacks are issue 16's class 7: transactions nobody should sign
// quietly.
func sanityAttacks() []attack {
	manyDust := func(t testing.TB, k *kit) []byte {
		outs := []OutputSpec{k.change(t, k.wpkh, 0, 99_460_000)}
		for i := 0; i < 3_300; i++ {
			outs = append(outs, OutputSpec{PkScript: k.externalScript, Amount: 100})
		}
		p := mustBuild(t, oneWPKHCoin(t, k), outs)
		return encodePacket(t, p.p)
	}
	return []attack{
		{
			name:  "dust-over-100kvb",
			about: "3,300 outputs of 100 sat each: over the 100 kvB (400,000 WU) standardness limit, every one dust",
			build: manyDust,
			// 0.0021 BTC of fee (2 sat/vB) is most of the 0.0033 BTC sent.
			policy: func(p *Policy) { p.AllowHighFee = true },
			want: []want{
				{"weight-nonstandard", -1, -1, Warn, "more than the 400000 WU (100 kvB) nodes relay"},
				warnOut("dust", 1, "pays 100 sat, below the dust limit of 294 sat for a p2wpkh output"),
				{"dust", -1, -1, Warn, "3300 outputs are below the dust limit"},
			},
			signs: true,
		},
		{
			name:  "locktime-far",
			about: "a height locktime of 400,000,000: some 7,600 years of blocks ahead",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) { p.UnsignedTx.LockTime = 400_000_000 }),
			want:  []want{{"locktime-far", -1, -1, Warn, "cannot be mined before block 400000000, more than a year"}},
			signs: true,
		},
		{
			name:  "locktime-disabled",
			about: "a locktime with every nSequence 0xffffffff: the locktime (and RBF) is off",
			build: mutate(func(t testing.TB, k *kit, p *btcpsbt.Packet) {
				p.UnsignedTx.LockTime = 100
				p.UnsignedTx.TxIn[0].Sequence = wire.MaxTxInSequenceNum
			}),
			want:  []want{{"locktime-disabled", -1, -1, Warn, "turns the locktime off (and RBF with it)"}},
			signs: true,
		},
		{
			name:      "two-psbts-binary",
			about:     "two whole PSBTs one after the other in one file",
			build:     func(t testing.TB, k *kit) []byte { h := encodePacket(t, k.honest(t).p); return append(h, h...) },
			decodeErr: "a second PSBT",
		},
		{
			name:  "two-psbts-base64",
			about: "two base64 PSBTs on two lines of one file",
			build: func(t testing.TB, k *kit) []byte {
				b := []byte(base64.StdEncoding.EncodeToString(encodePacket(t, k.honest(t).p)) + "\n")
				return append(b, b...)
			},
			decodeErr: "the text holds 2 base64 PSBTs",
		},
	}
}

// checkChangeVerdict checks which outputs the analysis calls change.
func checkChangeVerdict(t *testing.T, at attack, a *Analysis) {
	t.Helper()
	for _, i := range at.external {
		if a.Outputs[i].Change {
			t.Errorf("output %d is called change; want EXTERNAL", i)
		}
	}
	for _, i := range at.change {
		if !a.Outputs[i].Change {
			t.Errorf("output %d is EXTERNAL; want verified change", i)
		}
	}
	var external int64
	for _, o := range a.Outputs {
		if !o.Change {
			external += o.Amount
		}
	}
	if len(a.Refusals()) == 0 && a.Spend != external+a.Fee {
		t.Errorf("spend %d, want the external outputs %d plus the fee %d", a.Spend, external, a.Fee)
	}
}
