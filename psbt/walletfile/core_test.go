package walletfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg"
)

// Bitcoin Core exports of the wallet of recv/chg (bad_test.go), in the
// forms Bitcoin Core's RPC documentation gives: listdescriptors' result,
// an importdescriptors request, and the text Coldcard writes around the
// command (Coldcard/firmware shared/export.py, make_bitcoin_core_wallet).
var (
	coreTaproot  = "tr([a262308d/86h/0h/0h]xpub6DM7CYgaTMdMbhTcLTUWmNUE5WLXK5hx8ZMa4sRw8qYJPqtqKYiKnwsmT8A6AijDVAUZRivdBnXdR8QE7Y9vVnqvzPL3fXCmu1WtCRLdAoz/<0;1>/*)"
	coreListJSON = `{"wallet_name": "watch", "descriptors": [
  {"desc": "` + recv + `", "timestamp": 1690000000, "active": true, "internal": false, "range": [0, 999], "next": 0, "next_index": 0},
  {"desc": "` + chg + `", "timestamp": 1690000000, "active": true, "internal": true, "range": [0, 999], "next": 0, "next_index": 0}]}`
	coreImport = `[{"desc": "` + recv + `", "timestamp": "now", "active": true, "internal": false}, {"desc": "` + chg + `", "internal": true}]`
	ccCore     = "# Bitcoin Core Wallet Import File\n\nhttps://github.com/Coldcard/firmware/blob/master/docs/bitcoin-core-usage.md\n\n" +
		"## For wallet with master key fingerprint: A262308D\n\nWallet operates on blockchain: Bitcoin Mainnet\n\n## Bitcoin Core RPC\n\n" +
		"The following command can be entered after opening Window -> Console\nin Bitcoin Core, or using bitcoin-cli:\n\n" +
		"importdescriptors '" + coreImport + "'\n\n> **NOTE** If your UTXO was created before generating `importdescriptors` command, …\n\n" +
		"### Bitcoin Core before v0.21.0 \n\nimportmulti '[{\"desc\": \"" + recv + "\", \"internal\": false}]'\n\n" +
		"## Resulting Addresses (first 3)\n\nm/84h/0h/0h/0/0 => FIRST\n"
)

// TestReadBitcoinCore: each form gives the receive/change pair as one
// <0;1> wallet.
func TestReadBitcoinCore(t *testing.T) {
	want, err := withSum(strings.Replace(strings.Split(recv, "#")[0], "/0/*", "/<0;1>/*", 1))
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.ParseStrict(want, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := d.FirstAddress()
	cc := strings.Replace(ccCore, "FIRST", first, 1)
	inactive := strings.Replace(coreListJSON, `"descriptors": [`, `"descriptors": [{"desc": "`+strings.Replace(recv, "84h", "49h", 1)+`", "active": false, "internal": false},`, 1)
	for _, c := range []struct {
		name, in, typ, format, first string
	}{
		{"listdescriptors", coreListJSON, "", "Bitcoin Core listdescriptors export", ""},
		{"listdescriptors with a retired descriptor", inactive, "", "Bitcoin Core listdescriptors export", ""},
		{"listdescriptors --type", coreListJSON, "wpkh", "Bitcoin Core listdescriptors export", ""},
		{"importdescriptors", coreImport, "", "Bitcoin Core importdescriptors request", ""},
		{"Coldcard bitcoin-core.txt", cc, "", "Bitcoin Core importdescriptors command", first},
	} {
		w, err := Read([]byte(c.in), c.typ)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if w.Descriptor != want || w.Format != c.format || w.First != c.first || w.Picked != (c.typ != "") {
			t.Errorf("%s: %+v, want %s", c.name, w, want)
		}
	}
	if w, _ := Read([]byte(coreListJSON), ""); w == nil || w.Name != "watch" {
		t.Errorf("wallet name: %+v", w)
	}
	// Coldcard's first address is checked against the keys.
	other, _ := d.Derive(0, 1)
	w, err := Read([]byte(strings.Replace(ccCore, "FIRST", other.Address.EncodeAddress(), 1)), "")
	if err != nil || w.Check(d) == nil {
		t.Errorf("another first address passed: %v", err)
	}
}

// TestReadBitcoinCoreBad: several wallets, contradictions and private keys
// are refused, naming the wallets or the descriptor at fault.
func TestReadBitcoinCoreBad(t *testing.T) {
	two := `{"wallet_name": "w", "descriptors": [{"desc": "` + recv + `", "active": true, "internal": false}, {"desc": "` + chg + `", "active": true, "internal": true}, {"desc": "` + coreTaproot + "#" + sumOf(t, coreTaproot) + `", "active": true}]}`
	account1 := strings.ReplaceAll(recv[:strings.Index(recv, "#")], "84h/0h/0h", "84h/0h/1h")
	sameType := `[{"desc": "` + recv + `"}, {"desc": "` + chg + `"}, {"desc": "` + account1 + "#" + sumOf(t, account1) + `"}]`
	for _, c := range []struct {
		name, in, typ string
		want          error
		says          string
	}{
		{"two types", two, "", ErrChoose, "holds 2 active wallets (wpkh([a262308d/84h/0h/0h]…, tr([a262308d/86h/0h/0h]…); choose one with --type (tr, wpkh)"},
		{"two accounts", sameType, "", ErrChoose, "holds 2 active wallets (wpkh([a262308d/84h/0h/0h]…, wpkh([a262308d/84h/0h/1h]…) that --type cannot tell apart"},
		{"type absent", coreListJSON, "tr", ErrMissing, "no active tr descriptor"},
		{"internal contradicts", strings.Replace(coreListJSON, `"internal": true`, `"internal": false`, 1), "", ErrInconsistent, "descriptor 2: \"internal\": false but its keys do not end in /0/*"},
		{"private key", strings.Replace(coreImport, "xpub6DM7", "xprv9zQ", 1), "", ErrUnsupported, "descriptor 1 holds a private key"},
		{"no desc", `{"descriptors": [{"active": true}]}`, "", ErrMissing, "descriptor 1 has no \"desc\""},
		{"empty", `{"wallet_name": "w", "descriptors": []}`, "", ErrMissing, "holds no descriptors"},
		{"one branch", `[{"desc": "` + recv + `"}]`, "", ErrInconsistent, "same branch"},
		{"bad checksum", strings.Replace(coreImport, "#s5x06kda", "#s5x06kdb", 1), "", nil, "descriptor 1:"},
		{"command not JSON", "importdescriptors 'hello'\n", "", ErrInconsistent, "line 1: the importdescriptors argument"},
		{"two commands", "importdescriptors '" + coreImport + "'\nimportdescriptors '" + coreImport + "'\n", "", ErrChoose, "line 2: a second importdescriptors command"},
	} {
		_, err := Read([]byte(c.in), c.typ)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want %v saying %q", c.name, err, c.want, c.says)
		}
		if err != nil && strings.Contains(err.Error(), "xprv") {
			t.Errorf("%s: the error quotes a private key", c.name)
		}
	}
}
