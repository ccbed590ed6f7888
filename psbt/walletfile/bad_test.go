package walletfile

import (
	"errors"
	"strings"
	"testing"
)

const (
	tpubA = "tpubDF2rnouQaaYrXF4noGTv6rQYmx87cQ4GrUdhpvXkhtChwQPbdGTi8GA88NUaSrwZBwNsTkC9bFkkC8vDyGBVVAQTZ2AS6gs68RQXtXcCvkP"
	tpubB = "tpubDFcrvj5n7gyaxWQkoX69k2Zij4vthiAwvN2uhYjDrE6wktKoQaE7gKVZRiTbYdrAYH1UFPGdzdtWJc6WfR2gFMq6XpxA12gCdQmoQNU9mgm"
	recv  = "wpkh([a262308d/84h/0h/0h]xpub6DM7CYgaTMdMbhTcLTUWmNUE5WLXK5hx8ZMa4sRw8qYJPqtqKYiKnwsmT8A6AijDVAUZRivdBnXdR8QE7Y9vVnqvzPL3fXCmu1WtCRLdAoz/0/*)#s5x06kda"
	chg   = "wpkh([a262308d/84h/0h/0h]xpub6DM7CYgaTMdMbhTcLTUWmNUE5WLXK5hx8ZMa4sRw8qYJPqtqKYiKnwsmT8A6AijDVAUZRivdBnXdR8QE7Y9vVnqvzPL3fXCmu1WtCRLdAoz/1/*)#pqrw8ra9"
	other = "sh(wpkh([a262308d/84h/0h/0h]xpub6DM7CYgaTMdMbhTcLTUWmNUE5WLXK5hx8ZMa4sRw8qYJPqtqKYiKnwsmT8A6AijDVAUZRivdBnXdR8QE7Y9vVnqvzPL3fXCmu1WtCRLdAoz/1/*))"
)

func TestReadBad(t *testing.T) {
	cc := "Name: x\nPolicy: 2 of 2\nDerivation: m/48'/1'/0'/2'\nFormat: P2WSH\n0F056943: " + tpubA + "\n6BA6CFD0: " + tpubB + "\n"
	tests := []struct {
		name, in, typ string
		want          error
		says          string
	}{
		{"cc no policy", strings.Replace(cc, "Policy: 2 of 2\n", "", 1), "", ErrMissing, "no Policy line"},
		{"cc policy count", strings.Replace(cc, "2 of 2", "2 of 3", 1), "", ErrInconsistent, "lists 2 cosigners"},
		{"cc policy words", strings.Replace(cc, "2 of 2", "two of two", 1), "", ErrInconsistent, "line 2: Policy"},
		{"cc threshold 0", strings.Replace(cc, "2 of 2", "0 of 2", 1), "", ErrInconsistent, "threshold of 0"},
		{"cc no derivation", strings.Replace(cc, "Derivation: m/48'/1'/0'/2'\n", "", 1), "", ErrMissing, "before any Derivation"},
		{"cc no format", strings.Replace(cc, "Format: P2WSH\n", "", 1), "", ErrMissing, "no Format line"},
		{"cc p2sh", strings.Replace(cc, "P2WSH", "P2SH", 1), "", ErrUnsupported, "legacy P2SH"},
		{"cc odd format", strings.Replace(cc, "P2WSH", "P2TR", 1), "", ErrUnsupported, "\"P2TR\""},
		{"cc junk line", cc + "hello world\n", "", ErrInconsistent, "line 7 is neither"},
		{"cc bad path", strings.Replace(cc, "48'/1'", "48'/x'", 1), "", nil, "step 2 is not a number"},
		{"cc bad key", strings.Replace(cc, tpubB, tpubB[:len(tpubB)-1]+"n", 1), "", nil, "base58 checksum"},
		{"cc no keys", "Name: x\nPolicy: 1 of 1\nFormat: P2WSH\n", "", ErrMissing, "no cosigner lines"},
		{"pair other wallet", recv + "\n" + other + "#" + sumOf(t, other), "", ErrInconsistent, "line 2 describes another wallet"},
		{"pair no checksum", recv + "\n" + strings.Split(chg, "#")[0], "", ErrMissing, "line 2 has no #checksum"},
		{"pair bad checksum", recv + "\n" + strings.Replace(chg, "#pqrw8ra9", "#pqrw8ra8", 1), "", nil, "line 2:"},
		{"pair same branch", recv + "\n" + recv, "", ErrInconsistent, "same branch"},
		{"garbage line", recv + "\nhello\n", "", ErrNotWalletFile, "line 2 is not a descriptor"},
		{"bad type", `{"ExtPubKey": "` + tpubA + `", "AccountKeyPath": "84'/1'/0'", "MasterFingerprint": "0F056943"}`, "pkh", ErrMissing, "no pkh wallet (it has: wpkh)"},
		{"json unknown", `{"a": 1}`, "", ErrNotWalletFile, "unknown format"},
		{"json two objects", `{"a": 1}{}`, "", ErrNotWalletFile, "more than one"},
		{"json broken", `{"a": `, "", ErrNotWalletFile, "does not parse"},
		{"electrum imported", `{"wallet_type": "imported"}`, "", ErrUnsupported, "wallet_type \"imported\""},
		{"electrum no keystore", `{"wallet_type": "standard"}`, "", ErrMissing, "no keystore"},
		{"electrum no fp", `{"wallet_type": "standard", "keystore": {"xpub": "` + tpubA + `", "derivation": "m/84'/1'/0'"}}`, "", ErrMissing, "root_fingerprint"},
		{"electrum p2pkh", `{"wallet_type": "standard", "keystore": {"xpub": "` + tpubA + `", "derivation": "m/44'/1'/0'", "root_fingerprint": "0f056943"}}`, "", ErrUnsupported, "legacy P2PKH"},
		{"electrum missing x2", `{"wallet_type": "2of2", "x1/": {"xpub": "` + tpubA + `", "derivation": "m/48'/1'/0'/2'", "root_fingerprint": "0f056943"}}`, "", ErrMissing, "no keystore x2/"},
		{"caravan no xfp", `{"addressType": "P2WSH", "quorum": {"requiredSigners": 1, "totalSigners": 1}, "extendedPublicKeys": [{"name": "a", "bip32Path": "Unknown", "xpub": "` + tpubA + `"}]}`, "", ErrMissing, "no xfp or bip32Path"},
		{"caravan net", `{"addressType": "P2WSH", "network": "mainnet", "quorum": {"requiredSigners": 1, "totalSigners": 1}, "extendedPublicKeys": [{"name": "a", "bip32Path": "m/48'/1'/0'/2'", "xpub": "` + tpubA + `", "xfp": "0f056943"}]}`, "", ErrInconsistent, "network \"mainnet\""},
		{"extpub no path", `{"ExtPubKey": "` + tpubA + `", "MasterFingerprint": "0F056943"}`, "", ErrMissing, "no AccountKeyPath"},
		{"extpub no fp", `{"ExtPubKey": "` + tpubA + `", "AccountKeyPath": "84'/1'/0'"}`, "", ErrMissing, "no MasterFingerprint"},
		{"extpub bad fp", `{"ExtPubKey": "` + tpubA + `", "AccountKeyPath": "84'/1'/0'", "MasterFingerprint": "xyz"}`, "", nil, "not 8 hex digits"},
		{"wasabi two", `{"ExtPubKey": "` + tpubA + `", "AccountKeyPath": "84'/1'/0'", "MasterFingerprint": "0F056943", "TaprootExtPubKey": "` + tpubB + `", "TaprootAccountKeyPath": "86'/1'/0'"}`, "", ErrChoose, "--type (wpkh, tr)"},
		{"extpub legacy", `{"ExtPubKey": "` + tpubA + `", "AccountKeyPath": "44'/1'/0'", "MasterFingerprint": "0F056943"}`, "", ErrUnsupported, "neither its prefix nor its path"},
		{"coldcard desc mismatch", `{"chain": "XTN", "xfp": "0F056943", "bip84": {"deriv": "m/84h/1h/0h", "xpub": "` + tpubA + `", "desc": "wpkh([0f056943/84h/1h/0h]` + tpubB + `/<0;1>/*)"}}`, "", ErrInconsistent, "its desc is not"},
		{"coldcard pkh", `{"chain": "XTN", "xfp": "0F056943", "bip44": {"deriv": "m/44h/1h/0h", "xpub": "` + tpubA + `"}, "bip84": {"deriv": "m/84h/1h/0h", "xpub": "` + tpubB + `"}}`, "pkh", ErrUnsupported, "--type pkh: legacy P2PKH wallets (the bip44 section) are not supported; use one of wpkh"},
		{"coldcard chain", `{"chain": "BTC", "xfp": "0F056943", "bip84": {"deriv": "m/84h/1h/0h", "xpub": "` + tpubA + `"}}`, "", ErrInconsistent, "chain \"BTC\""},
		{"specter bad", `{"label": "x", "descriptor": "wpkh(` + tpubA + `)#zzzzzzzz"}`, "", nil, "field descriptor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Read([]byte(tt.in), tt.typ)
			if err == nil {
				t.Fatalf("accepted: %+v", w)
			}
			if (tt.want != nil && !errors.Is(err, tt.want)) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("got %v, want %v saying %q", err, tt.want, tt.says)
			}
		})
	}
}

func sumOf(t *testing.T, body string) string {
	t.Helper()
	s, err := withSum(body)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitN(s, "#", 2)[1]
}

// TestCheckFirst: a first address that does not match is reported.
func TestCheckFirst(t *testing.T) {
	w := &Wallet{First: "tb1qc58ys2dphtphg6yuugdf3d0kufmk0tye044g3l"}
	data := `{"chain": "XTN", "xfp": "0F056943", "bip84": {"deriv": "m/84h/1h/0h", "xpub": "tpubDC7jGaaSE66Pn4dgtbAAstde4bCyhSUs4r3P8WhMVvPByvcRrzrwqSvpF9Ghx83Z1LfVugGRrSBko5UEKELCz9HoMv5qKmGq3fqnnbS5E9r", "first": "` + w.First + `"}}`
	got, err := Read([]byte(data), "")
	if err != nil {
		t.Fatal(err)
	}
	d := parseTest(t, got.Descriptor)
	if err := got.Check(d); !errors.Is(err, ErrInconsistent) {
		t.Fatalf("Check: %v, want ErrInconsistent", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte("Name: x\nPolicy: 1 of 1\nDerivation: m/48'/1'/0'/2'\nFormat: P2WSH\n0F056943: "+tpubA), "")
	f.Add([]byte(recv+"\n"+chg), "")
	f.Add([]byte(`{"wallet_type": "standard", "keystore": {"xpub": "`+tpubA+`"}}`), "wpkh")
	f.Add([]byte(`{"ExtPubKey": "`+tpubA+`", "AccountKeyPath": "84'/1'/0'", "MasterFingerprint": "0F056943"}`), "")
	f.Add([]byte(coreListJSON), "")
	f.Add([]byte(coreImport), "wpkh")
	f.Add([]byte(ccCore), "")
	f.Fuzz(func(t *testing.T, data []byte, typ string) {
		w, err := Read(data, typ)
		if err == nil && w.Descriptor == "" {
			t.Fatal("no error and no descriptor")
		}
	})
}
