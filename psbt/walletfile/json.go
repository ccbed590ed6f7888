package walletfile

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
)

// readJSON tells the JSON formats apart by their fields.
func readJSON(data []byte, typ string) (*Wallet, error) {
	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("%w: JSON that does not parse (%v)", ErrNotWalletFile, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one JSON object", ErrNotWalletFile)
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := top[n]; !ok {
				return false
			}
		}
		return true
	}
	switch {
	case has("descriptor") && (has("blockheight") || has("label")) && !has("tag"):
		return readSpecter(data)
	case has("descriptor"):
		return nil, fmt.Errorf("%w: airsign's own enrollment file", ErrNotWalletFile)
	case has("wallet_type"):
		return readElectrum(top)
	case has("extendedPublicKeys"):
		return readCaravan(data)
	case has("xfp", "p2wsh_deriv"):
		return nil, fmt.Errorf("%w: this is one cosigner's key (Coldcard's multisig export, ccxp-XFP.json), not a wallet: give it to `airsign-offline wallet multisig` with the other cosigners", ErrUnsupported)
	case has("xfp") && (has("bip84") || has("bip49") || has("bip86") || has("bip44")):
		return readColdcardGeneric(top, typ)
	case has("descriptors"):
		return readCoreList(data, typ)
	case has("ExtPubKey") || has("TaprootExtPubKey"):
		return readExtPubKey(top, typ)
	}
	return nil, fmt.Errorf("%w: JSON of an unknown format", ErrNotWalletFile)
}

func str(top map[string]json.RawMessage, name string) string {
	var s string
	if raw, ok := top[name]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return strings.TrimSpace(s)
}

// readSpecter reads Specter Desktop's wallet export: {"label",
// "blockheight", "descriptor"}. Its descriptor often has neither child
// steps nor a checksum; Specter wallets use /0/* and /1/*.
func readSpecter(data []byte) (*Wallet, error) {
	var f struct {
		Label      string `json:"label"`
		Descriptor string `json:"descriptor"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: Specter wallet file: %v", ErrInconsistent, err)
	}
	return specterWallet(f.Descriptor, &Wallet{Format: "Specter wallet file", Name: f.Label}, "the Specter wallet file, field descriptor")
}

// specterWallet completes a descriptor as Specter Desktop and Specter DIY
// write it (often neither child steps nor a checksum; their wallets use
// /0/* and /1/*) into w; what names the field in messages.
func specterWallet(desc string, w *Wallet, what string) (*Wallet, error) {
	body, had, err := descriptor.SplitChecksum(strings.TrimSpace(desc))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if strings.Contains(body, "multi(") && !strings.Contains(body, "sortedmulti(") {
		return nil, fmt.Errorf("%w: the descriptor uses multi() (keys in the order written); airsign derives sortedmulti() wallets only, whose addresses differ: export the wallet as sortedmulti if that is what it is", ErrUnsupported)
	}
	if body, err = standardKeys(body); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	body = branch.ReplaceAllString(body, "/<0;1>/*")
	body = bareKey.ReplaceAllString(body, "$1/<0;1>/*$2")
	w.NoChecksum = !had
	if w.Descriptor, err = withSum(body); err != nil {
		return nil, err
	}
	return w, nil
}

// bareKey is an extended key with no child steps after it.
var bareKey = regexp.MustCompile(`([xt]pub[1-9A-HJ-NP-Za-km-z]{100,112})([,)])`)

// electrumKeystore is the part of an Electrum keystore a watch-only wallet
// needs.
type electrumKeystore struct {
	XPub            string  `json:"xpub"`
	Derivation      string  `json:"derivation"`
	RootFingerprint string  `json:"root_fingerprint"`
	CKCCXfp         *uint32 `json:"ckcc_xfp"`
}

func (k electrumKeystore) key(what string) (keyExpr, string, error) {
	fp := k.RootFingerprint
	if fp == "" && k.CKCCXfp != nil {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], *k.CKCCXfp)
		fp = hex.EncodeToString(b[:])
	}
	switch {
	case k.XPub == "":
		return keyExpr{}, "", fmt.Errorf("%w: %s has no xpub", ErrMissing, what)
	case fp == "":
		return keyExpr{}, "", fmt.Errorf("%w: %s has no root_fingerprint (the master key's fingerprint); open the wallet in a newer Electrum or re-export it with its device connected", ErrMissing, what)
	case k.Derivation == "":
		return keyExpr{}, "", fmt.Errorf("%w: %s has no derivation (the key's path)", ErrMissing, what)
	}
	key, err := newKey(what, fp, k.Derivation, k.XPub)
	if err != nil {
		return keyExpr{}, "", err
	}
	_, prefix, _, _ := descriptor.StandardKey(k.XPub)
	return key, prefix, nil
}

// readElectrum reads an Electrum wallet file (unencrypted): a standard
// wallet's "keystore", or a multisig's "x1/" … "xN/" keystores with
// wallet_type "MofN". Electrum says the script type by the key prefix.
func readElectrum(top map[string]json.RawMessage) (*Wallet, error) {
	w := &Wallet{Format: "Electrum wallet file"}
	wt := str(top, "wallet_type")
	if wt == "standard" {
		var ks electrumKeystore
		if err := json.Unmarshal(top["keystore"], &ks); err != nil || top["keystore"] == nil {
			return nil, fmt.Errorf("%w: the Electrum wallet has no keystore", ErrMissing)
		}
		k, prefix, err := ks.key("keystore")
		if err != nil {
			return nil, err
		}
		typ := map[string]string{"zpub": "wpkh", "vpub": "wpkh", "ypub": "sh-wpkh", "upub": "sh-wpkh"}[prefix]
		if typ == "" {
			return nil, fmt.Errorf("%w: the keystore's %s key makes a legacy P2PKH wallet in Electrum; airsign supports segwit (zpub, ypub) and taproot", ErrUnsupported, prefix)
		}
		if w.Net, err = netOf([]keyExpr{k}); err != nil {
			return nil, err
		}
		w.Descriptor, err = singleKey(typ, k)
		return w, err
	}
	m, n, ok := parsePolicy(strings.Replace(wt, "of", " of ", 1))
	if !ok {
		return nil, fmt.Errorf("%w: Electrum wallet_type %q (airsign reads standard and MofN multisig wallets)", ErrUnsupported, wt)
	}
	var keys []keyExpr
	var prefixes []string
	for i := 1; i <= n; i++ {
		name := "x" + strconv.Itoa(i) + "/"
		var ks electrumKeystore
		if err := json.Unmarshal(top[name], &ks); err != nil || top[name] == nil {
			return nil, fmt.Errorf("%w: wallet_type %s but there is no keystore %s", ErrMissing, wt, name)
		}
		k, prefix, err := ks.key(name)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
		prefixes = append(prefixes, prefix)
	}
	format := formatFromPrefixes(prefixes)
	if format == "" {
		return nil, fmt.Errorf("%w: the keystores' prefixes (%s) are not all Zpub/Vpub (P2WSH) or all Ypub/Upub (P2SH-P2WSH); legacy P2SH multisig is not supported", ErrUnsupported, strings.Join(prefixes, ", "))
	}
	var err error
	if w.Net, err = netOf(keys); err != nil {
		return nil, err
	}
	w.Descriptor, err = multisig(format, m, keys)
	return w, err
}

// readCaravan reads Caravan's wallet configuration (Unchained's
// coordinator; Sparrow and Nunchuk read and write it too).
func readCaravan(data []byte) (*Wallet, error) {
	var f struct {
		Name        string `json:"name"`
		AddressType string `json:"addressType"`
		Network     string `json:"network"`
		Quorum      struct {
			Required int `json:"requiredSigners"`
			Total    int `json:"totalSigners"`
		} `json:"quorum"`
		Keys []struct {
			Name string `json:"name"`
			Path string `json:"bip32Path"`
			XPub string `json:"xpub"`
			XFP  string `json:"xfp"`
		} `json:"extendedPublicKeys"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: Caravan wallet configuration: %v", ErrInconsistent, err)
	}
	w := &Wallet{Format: "Caravan wallet configuration", Name: f.Name}
	if f.AddressType == "" {
		return nil, fmt.Errorf("%w: no addressType", ErrMissing)
	}
	if f.Quorum.Total != len(f.Keys) {
		return nil, fmt.Errorf("%w: quorum.totalSigners is %d but extendedPublicKeys lists %d", ErrInconsistent, f.Quorum.Total, len(f.Keys))
	}
	var keys []keyExpr
	for i, c := range f.Keys {
		what := fmt.Sprintf("extendedPublicKeys %d (%s)", i+1, c.Name)
		if c.XFP == "" || c.Path == "" || strings.EqualFold(c.Path, "unknown") {
			return nil, fmt.Errorf("%w: %s has no xfp or bip32Path; airsign needs every key's origin to recognise change and sign", ErrMissing, what)
		}
		k, err := newKey(what, c.XFP, c.Path, c.XPub)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	var err error
	if w.Net, err = netOf(keys); err != nil {
		return nil, err
	}
	if said := netClass(f.Network); said != "" && w.Net != "" && said != w.Net {
		return nil, fmt.Errorf("%w: network %q but the keys are for %s", ErrInconsistent, f.Network, w.Net)
	}
	w.Descriptor, err = multisig(f.AddressType, f.Quorum.Required, keys)
	return w, err
}

func netClass(name string) string {
	switch strings.ToLower(name) {
	case "mainnet", "main", "bitcoin", "btc":
		return NetMain
	case "testnet", "test", "testnet3", "testnet4", "signet", "regtest", "xtn", "xrt":
		return NetTest
	}
	return ""
}

// coldcardEntries maps Coldcard's generic-export sections to --type.
var coldcardEntries = map[string]string{"bip84": "wpkh", "bip49": "sh-wpkh", "bip86": "tr"}

// readColdcardGeneric reads Coldcard's generic JSON export (Advanced >
// MicroSD > Export Wallet > Generic JSON; Mk4 and Q write the same): one
// section per single-key script type, each with its path, xpub, usually
// a descriptor and the first address.
func readColdcardGeneric(top map[string]json.RawMessage, typ string) (*Wallet, error) {
	w := &Wallet{Format: "Coldcard generic JSON export", Net: netClass(str(top, "chain"))}
	xfp := str(top, "xfp")
	var avail []string
	for sec, t := range coldcardEntries {
		if _, ok := top[sec]; ok {
			avail = append(avail, t)
		}
	}
	sort.Strings(avail)
	switch {
	case typ == "pkh":
		// The bip44 section is there, but no airsign wallet is legacy.
		return nil, fmt.Errorf("%w: --type pkh: legacy P2PKH wallets (the bip44 section) are not supported; use one of %s", ErrUnsupported, strings.Join(avail, ", "))
	case typ != "" && !contains(avail, typ):
		return nil, fmt.Errorf("%w: the export has no %s wallet (it has: %s)", ErrMissing, typ, strings.Join(avail, ", "))
	case typ == "" && len(avail) == 1:
		typ = avail[0]
	case typ == "" && len(avail) == 0:
		return nil, fmt.Errorf("%w: the export holds no wpkh, sh(wpkh) or tr wallet", ErrUnsupported)
	case typ == "":
		return nil, fmt.Errorf("%w: choose one with --type (%s)", ErrChoose, strings.Join(avail, ", "))
	}
	var sec string
	for s, t := range coldcardEntries {
		if t == typ {
			sec = s
		}
	}
	var e struct {
		Deriv string `json:"deriv"`
		XPub  string `json:"xpub"`
		Desc  string `json:"desc"`
		First string `json:"first"`
	}
	if err := json.Unmarshal(top[sec], &e); err != nil {
		return nil, fmt.Errorf("%w: section %s: %v", ErrInconsistent, sec, err)
	}
	w.First, w.Picked = e.First, len(avail) > 1
	k, err := newKey(sec, xfp, e.Deriv, e.XPub)
	if err != nil {
		return nil, err
	}
	if kn, _ := netOf([]keyExpr{k}); w.Net != "" && kn != w.Net {
		return nil, fmt.Errorf("%w: chain %q but the %s key is for %s", ErrInconsistent, str(top, "chain"), sec, kn)
	}
	w.Net, _ = netOf([]keyExpr{k})
	built, err := singleKey(typ, k)
	if err != nil {
		return nil, err
	}
	w.Descriptor = built
	if e.Desc != "" {
		// Newer firmware writes the descriptor: it must be the one the
		// section's fields make.
		body, _, err := descriptor.SplitChecksum(e.Desc)
		if err != nil {
			return nil, fmt.Errorf("section %s, desc: %w", sec, err)
		}
		b, _, _ := descriptor.SplitChecksum(built)
		if !sameDescriptor(body, b) {
			return nil, fmt.Errorf("%w: section %s: its desc is not the descriptor of its xfp, deriv and xpub", ErrInconsistent, sec)
		}
	}
	return w, nil
}

// sameDescriptor compares descriptor bodies ignoring how hardened steps
// are written (' or h).
func sameDescriptor(a, b string) bool {
	n := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "'", "h"), "H", "h") }
	return n(a) == n(b)
}

// coldcardWasabiPath is the account Coldcard's "Wasabi wallet" export
// holds (Coldcard/firmware shared/backups.py, generate_wasabi_wallet).
const coldcardWasabiPath = "84h/0h/0h"

// readExtPubKey reads the single-key exports keyed "ExtPubKey": Cobo
// Vault and Keystone ({ExtPubKey, MasterFingerprint, AccountKeyPath}),
// Wasabi's wallet file (SegWit and Taproot accounts) and Coldcard's
// export for Wasabi.
func readExtPubKey(top map[string]json.RawMessage, typ string) (*Wallet, error) {
	w := &Wallet{Format: "ExtPubKey JSON export (Keystone, Cobo, Wasabi)"}
	switch {
	case top["CoboVaultFirmwareVersion"] != nil:
		w.Format = "Cobo Vault JSON export"
	case top["ColdCardFirmwareVersion"] != nil:
		w.Format = "Coldcard export for Wasabi"
	case top["MinGapLimit"] != nil || top["EncryptedSecret"] != nil:
		w.Format = "Wasabi wallet file"
	}
	fp := str(top, "MasterFingerprint")
	type cand struct{ typ, field, pathField, xpub, path string }
	var cands []cand
	if x := str(top, "ExtPubKey"); x != "" {
		pf := "AccountKeyPath"
		p := str(top, pf)
		if p == "" && str(top, "SegWitAccountKeyPath") != "" {
			pf, p = "SegWitAccountKeyPath", str(top, "SegWitAccountKeyPath")
		}
		if p == "" && top["ColdCardFirmwareVersion"] != nil {
			// Coldcard's export for Wasabi names no path: the firmware
			// always exports m/84'/0'/0' as an xpub (testnet
			// Coldcards too), so the key is read as mainnet's account 0.
			p = coldcardWasabiPath
		}
		cands = append(cands, cand{"", "ExtPubKey", pf, x, p})
	}
	if x := str(top, "TaprootExtPubKey"); x != "" {
		cands = append(cands, cand{"tr", "TaprootExtPubKey", "TaprootAccountKeyPath", x, str(top, "TaprootAccountKeyPath")})
	}
	if fp == "" {
		return nil, fmt.Errorf("%w: no MasterFingerprint", ErrMissing)
	}
	var keys []keyExpr
	var types []string
	for _, c := range cands {
		if c.path == "" {
			return nil, fmt.Errorf("%w: %s has no %s (the key's derivation path)", ErrMissing, c.field, c.pathField)
		}
		k, err := newKey(c.field, fp, c.path, c.xpub)
		if err != nil {
			return nil, err
		}
		t := c.typ
		if t == "" {
			_, prefix, _, _ := descriptor.StandardKey(c.xpub)
			t = map[string]string{"zpub": "wpkh", "vpub": "wpkh", "ypub": "sh-wpkh", "upub": "sh-wpkh"}[prefix]
		}
		if t == "" {
			purpose, _, _ := strings.Cut(k.path, "/")
			t = map[string]string{"84h": "wpkh", "49h": "sh-wpkh", "86h": "tr"}[purpose]
		}
		if t == "" {
			return nil, fmt.Errorf("%w: %s at %s: neither its prefix nor its path says segwit or taproot", ErrUnsupported, c.field, c.path)
		}
		keys = append(keys, k)
		types = append(types, t)
	}
	pick := -1
	for i, t := range types {
		if typ == t || (typ == "" && len(types) == 1) {
			pick = i
		}
	}
	switch {
	case pick >= 0:
	case typ == "":
		return nil, fmt.Errorf("%w: choose one with --type (%s)", ErrChoose, strings.Join(types, ", "))
	default:
		return nil, fmt.Errorf("%w: the file has no %s wallet (it has: %s)", ErrMissing, typ, strings.Join(types, ", "))
	}
	w.Picked = len(types) > 1
	var err error
	if w.Net, err = netOf(keys[pick : pick+1]); err != nil {
		return nil, err
	}
	w.Descriptor, err = singleKey(types[pick], keys[pick])
	return w, err
}
