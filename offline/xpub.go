package offline

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/file"
	"github.com/btcsuite/btcd/btcutil/base58"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// XPubOptions are the inputs of `export xpub`.
type XPubOptions struct {
	Key     KeySource
	Kind    string
	Account uint32
	// Format is "descriptor" (a key expression [fp/path]xpub, what
	// descriptors and Sparrow take) or "coldcard" (the JSON a Coldcard
	// writes for multisig setup, which Sparrow, Caravan and Coldcard import).
	Format string
	Out    string
}

// ParseMultiKind adds the multisig cosigner types to ParseKind.
func ParseMultiKind(name string) (descriptor.Kind, error) {
	switch name {
	case "wsh-multi", "wsh", "p2wsh":
		return descriptor.WSHSortedMulti, nil
	case "sh-wsh-multi", "sh-wsh", "p2sh-p2wsh":
		return descriptor.SHWSHSortedMulti, nil
	}
	return ParseKind(name)
}

// ExportXPub prints the account xpub with its origin, for the online side
// or as a multisig cosigner for other wallets.
func ExportXPub(env *Env, opts XPubOptions) error {
	kind, err := ParseMultiKind(opts.Kind)
	if err != nil {
		return err
	}
	key, err := opts.Key.LoadKey(env)
	if err != nil {
		return err
	}
	defer key.Wipe()
	var text string
	switch opts.Format {
	case "", "descriptor":
		k, err := descriptor.AccountKey(kind, key.Master, opts.Account, env.Net)
		if err != nil {
			return err
		}
		text = k.String() + "\n"
	case "coldcard":
		text, err = coldcardXPubJSON(key, opts.Account, env.Net)
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("--format %q: use descriptor or coldcard", opts.Format)
	}
	if opts.Out != "" {
		if err := file.WriteAtomic(opts.Out, []byte(text), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprint(env.Stdout, text)
	return nil
}

// SLIP-132 version bytes Coldcard uses in its multisig export: the
// script type rides in the xpub's prefix (Ypub/Zpub, Upub/Vpub).
var slip132 = map[string]map[bool][4]byte{
	"p2sh_p2wsh": {true: {0x02, 0x95, 0xb4, 0x3f}, false: {0x02, 0x42, 0x89, 0xef}},
	"p2wsh":      {true: {0x02, 0xaa, 0x7e, 0xd3}, false: {0x02, 0x57, 0x54, 0x83}},
}

func withVersion(xpub string, version [4]byte) (string, error) {
	raw, ver, err := base58.CheckDecode(xpub)
	if err != nil {
		return "", err
	}
	full := append([]byte{ver}, raw...)
	copy(full[:4], version[:])
	return base58.CheckEncode(full[1:], full[0]), nil
}

// coldcardXPubJSON writes the multisig xpub export in Coldcard's format
// (the file a Coldcard writes as ccxp-XFP.json): the BIP45, BIP48 p2sh-p2wsh
// and p2wsh account xpubs with their paths and the master fingerprint.
func coldcardXPubJSON(key *Key, account uint32, net *chaincfg.Params) (string, error) {
	mainnet := net.Net == chaincfg.MainNetParams.Net
	coin := "1"
	if mainnet {
		coin = "0"
	}
	out := map[string]any{}
	var fp [4]byte
	for _, c := range []struct {
		name string
		kind descriptor.Kind
	}{{"p2sh_p2wsh", descriptor.SHWSHSortedMulti}, {"p2wsh", descriptor.WSHSortedMulti}} {
		k, err := descriptor.AccountKey(c.kind, key.Master, account, net)
		if err != nil {
			return "", err
		}
		fp = k.MasterFingerprint
		x, err := withVersion(k.XPub.String(), slip132[c.name][mainnet])
		if err != nil {
			return "", err
		}
		out[c.name] = x
		out[c.name+"_deriv"] = fmt.Sprintf("m/48'/%s'/%d'/%d'", coin, account, map[string]int{"p2sh_p2wsh": 1, "p2wsh": 2}[c.name])
	}
	// BIP45 p2sh: m/45'
	k45, err := key.Master.Derive(hdkeychain.HardenedKeyStart + 45)
	if err != nil {
		return "", err
	}
	pub45, err := k45.Neuter()
	s45 := ""
	if err == nil {
		s45 = pub45.String()
	}
	k45.Zero()
	if err != nil {
		return "", err
	}
	out["p2sh"], out["p2sh_deriv"] = s45, "m/45'"
	out["xfp"] = strings.ToUpper(hex.EncodeToString(fp[:]))
	out["account"] = account
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return "", err
	}
	return buf.String(), nil
}
