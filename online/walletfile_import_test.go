package online

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/psbt/descriptor/bsms"
	"github.com/airsign/airsign/transport"
)

// TestImportOtherWallets imports files vendored from other wallets' test
// suites (psbt/walletfile/testdata/SOURCES.md) through `wallet import`.
func TestImportOtherWallets(t *testing.T) {
	dir := filepath.Join("..", "psbt", "walletfile", "testdata")
	tests := []struct {
		file, network, typ string
		first, err         string
	}{
		// Coldcard firmware's generic export; its bip84 "first" is the
		// firmware's own first address (testnet), the same script on regtest.
		{file: "coldcard/coldcard-export.json", network: "regtest", typ: "wpkh", first: "bcrt1qupyd58ndsh7lut0et0vtrq432jvu9jtdx8fgyv"},
		{file: "coldcard/coldcard-export.json", network: "regtest", err: "choose one with --type (sh-wpkh, wpkh)"},
		{file: "coldcard/coldcard-export.json", network: "mainnet", typ: "wpkh", err: "is for a test network but --network says mainnet"},
		// "chain": "XTN" names no network exactly; and it is no UR.
		{file: "coldcard/coldcard-export.json", typ: "wpkh", err: "(Coldcard generic JSON export) is for a test network but does not say which"},
		{file: "sparrow/specter-diy-export.txt", network: "mainnet"},
		{file: "sparrow/sparrow-single-seed-wallet", network: "mainnet", err: "a Sparrow wallet file (encrypted), not an export"},
		{file: "coldcard/export-p2wsh-myself.txt", network: "testnet"},
		{file: "sparrow/descriptor-receive-change1.txt", network: "mainnet"},
		{file: "sparrow/descriptor-labelled.txt", network: "mainnet"},
		{file: "sparrow/caravan-multisig-export-1.json", network: "mainnet"},
		{file: "sparrow/caravan-multisig-export-1.json", network: "mainnet", typ: "wpkh", err: "--type picks a wallet"},
	}
	for i, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			e := newTestEnv(t)
			w, err := ImportWallet(e.Env, ImportOptions{Name: "w" + itoa(int64(i)), Source: filepath.Join(dir, tt.file), Network: tt.network, Type: tt.typ})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.first != "" {
				if got, _ := w.Desc().FirstAddress(); got != tt.first {
					t.Errorf("first address %s, want %s", got, tt.first)
				}
			}
		})
	}
}

// TestImportBSMS: a BIP129 descriptor record (as airsign-offline and
// Coldcard write one) imports as its wallet; an edited first address is
// refused.
func TestImportBSMS(t *testing.T) {
	d := testDescriptor(t, descriptor.WSHSortedMulti)
	rec, err := bsms.Format(d)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t)
	p := e.path("wallet.bsms")
	if err := os.WriteFile(p, rec, 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := ImportWallet(e.Env, ImportOptions{Name: "b", Source: p, Network: "regtest"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Descriptor != d.String() {
		t.Fatalf("imported %s, want %s", w.Descriptor, d)
	}
	lines := strings.Split(strings.TrimSpace(string(rec)), "\n")
	other, _ := d.Derive(0, 1)
	lines[3] = other.Address.EncodeAddress()
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ImportWallet(e.Env, ImportOptions{Name: "c", Source: p, Network: "regtest"}); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("edited record: %v", err)
	}
}

// TestImportAccountDescriptor: the BCR-2023-019 test vector's UR
// (ur:account-descriptor) imports its wpkh wallet with --type.
func TestImportAccountDescriptor(t *testing.T) {
	e := newTestEnv(t)
	w, err := ImportWallet(e.Env, ImportOptions{Name: "a", Source: bcr2023019UR, Network: "mainnet", Type: "wpkh"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(w.Descriptor, "wpkh([37b5eed4/84h/0h/0h]xpub6BkU445MSEBXbPjD3g2c2ch6mn8yy1SXXQUM7EwjgYiq6Wt1NDwDZ45npqWcV8uQC5oi2gHuVukoCoZZyT4HKq8EpotPMqGqxdZRuapCQ23/<0;1>/*)#") {
		t.Fatalf("imported %s", w.Descriptor)
	}
}

// bcr2023019UR is the UR text of BCR-2023-019's test vector
// (BlockchainCommons/Research papers/bcr-2023-019-account-descriptor.md).
const bcr2023019UR = "ur:account-descriptor/oeadcyemrewytyaolttantjyoeadiojojeisdefzdydtaolytantjloxaxhdclaxwmfmdeiamecsdsemgtvsjzcncygrkowtrontzschgezokstswkkscfmklrtauteyaahdcxiehfonurdppfyntapejpproypegrdawkgmaewejlsfdtsrfybdehcaflmtrlbdhpamtantjooeadlncsdwykaeykaeykaocyemrewytyaycynlytsnyltantjyoeadjzjkisdektjojeisdefzdydtdtaolytantjloxaxhdclaostvelfemdyynwydwyaievosrgmambklovabdgypdglldvespsthysadamhpmjeinaahdcxntdllnaaeykoytdacygegwhgjsiyonpywmcmrpwphsvodsrerozsbyaxluzcoxdpamtantjooeadlncsehykaeykaeykaocyemrewytyaycypdbskeuytantjyoeadisktjojeisdefzdydtaolytantjloxaxhdclaxzcfxeegdrpmogrgwkbzctlttweadkiengrwlhtprremouoluutqdpfbncedkynfhaahdcxjpwevdeogthttkmeswzcolcpsaahcfnshkhtehytclmnteatmoteadtlwynnftloamtantjooeadlncsghykaeykaeykaocyemrewytyaycybthlvytstantjyoeadjojkisdeiajljkiniojtihjpdefzdydtdtaolytantjloxaxhdclaxhhsnhdrpftdwuocntilydibehnecmovdfekpjkclcslasbhkpawsaddmcmmnahnyaahdcxlotedtndfymyltclhlmtpfsadscnhtztaolbnnkistaedegwfmmedreetnwmcycnamtantjooeadlfcsdpykaocyemrewytyaycyemrewytytantjyoeadkpjkisdektjkisdeiajljkiniojtihjpdefzdydtdtdtaolytantjloxaxhdclaxdwkswmztpytnswtsecnblfbayajkdldeclqzzolrsnhljedsgminetytbnahatbyaahdcxkkguwsvyimjkvwteytwztyswvendtpmncpasfrrylprnhtkblndrgrmkoyjtbkrpamtantjooeadlocsdyykaeykaeykadykaocyemrewytyaycyhkrpnddrtantjyoeadjsktjkisdeiajljkiniojtihjpdefzdydtdtaolytantjloxaxhdclaohnhffmvsbndslrfgclpfjejyatbdpebacnzokotofxntaoemvskpaowmryfnotfgaahdcxdlnbvecentssfsssgylnhkrstoytecrdlyadrekirfaybglahltalsrfcaeerobwamtantjooeadlocsdyykaeykaeykaoykaocyemrewytyaycyhkrpnddrtantjyoeadiyjyjpdefzdydtaolytantjloxaxhdclaorkrhkeytwsoykorletwstbwycagtbsotmeptjkesgwrfcmveskvdmngujzttgtdpaahdcxgrfgmuvyylmwcxjtttechplslgoegagaptdniatidmhdmebdwfryfsnsdkcplyvaamtantjooeadlncshfykaeykaeykaocyemrewytyaycytostatbnyadleoeh"

// TestImportSeedSignerCosignerAccount: SeedSigner's multisig xpub export
// (a crypto-account whose only output is a bare wsh key) is read, and
// refused as a cosigner key with the command that takes it.
func TestImportSeedSignerCosignerAccount(t *testing.T) {
	e := newTestEnv(t)
	src := filepath.Join("..", "transport", "ur", "urdescriptor", "testdata", "seedsigner", "ur-xpub-qr.txt")
	_, err := ImportWallet(e.Env, ImportOptions{Name: "s", Source: src, Network: "testnet"})
	if err == nil || !strings.Contains(err.Error(), "holds a multisig cosigner key (wsh(cosigner)), not a wallet") {
		t.Fatalf("got %v", err)
	}
	if h := strings.Join(transport.Hints(err), " "); !strings.Contains(h, "airsign-offline wallet multisig") {
		t.Errorf("hint %q", h)
	}
}

// TestImportBitcoinCore: Coldcard's Bitcoin Core export (the text around an
// importdescriptors command; key and first address of Coldcard's test
// wallet, psbt/walletfile/testdata/coldcard) and Bitcoin Core's
// listdescriptors JSON import as their receive/change wallet.
func TestImportBitcoinCore(t *testing.T) {
	for _, c := range []struct{ name, text, network, first string }{
		{"bitcoin-core.txt", coldcardCoreExport, "testnet", "tb1qupyd58ndsh7lut0et0vtrq432jvu9jtdyws9n9"},
		{"listdescriptors.json", coreListDescriptors, "mainnet", ""},
	} {
		e := newTestEnv(t)
		p := e.path(c.name)
		if err := os.WriteFile(p, []byte(c.text), 0o600); err != nil {
			t.Fatal(err)
		}
		w, err := ImportWallet(e.Env, ImportOptions{Name: "core", Source: p, Network: c.network})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !strings.Contains(w.Descriptor, "/<0;1>/*") {
			t.Errorf("%s: imported %s", c.name, w.Descriptor)
		}
		if got, _ := w.Desc().FirstAddress(); c.first != "" && got != c.first {
			t.Errorf("%s: first address %s, want %s", c.name, got, c.first)
		}
	}
}

const coldcardCoreExport = `# Bitcoin Core Wallet Import File

https://github.com/Coldcard/firmware/blob/master/docs/bitcoin-core-usage.md

## For wallet with master key fingerprint: 0F056943

Wallet operates on blockchain: Bitcoin Testnet

## Bitcoin Core RPC

The following command can be entered after opening Window -> Console
in Bitcoin Core, or using bitcoin-cli:

importdescriptors '[{"desc": "wpkh([0f056943/84h/1h/0h]tpubDC7jGaaSE66Pn4dgtbAAstde4bCyhSUs4r3P8WhMVvPByvcRrzrwqSvpF9Ghx83Z1LfVugGRrSBko5UEKELCz9HoMv5qKmGq3fqnnbS5E9r/0/*)#erexmnep", "range": [0, 1000], "timestamp": "now", "internal": false, "keypool": true, "active": true, "watchonly": true}, {"desc": "wpkh([0f056943/84h/1h/0h]tpubDC7jGaaSE66Pn4dgtbAAstde4bCyhSUs4r3P8WhMVvPByvcRrzrwqSvpF9Ghx83Z1LfVugGRrSBko5UEKELCz9HoMv5qKmGq3fqnnbS5E9r/1/*)#ghu8xxfe", "range": [0, 1000], "timestamp": "now", "internal": true, "keypool": true, "active": true, "watchonly": true}]'

## Resulting Addresses (first 3)

m/84h/1h/0h/0/0 => tb1qupyd58ndsh7lut0et0vtrq432jvu9jtdyws9n9
`

const coreListDescriptors = `{
  "wallet_name": "watch",
  "descriptors": [
    {
      "desc": "wpkh([a262308d/84h/0h/0h]xpub6DM7CYgaTMdMbhTcLTUWmNUE5WLXK5hx8ZMa4sRw8qYJPqtqKYiKnwsmT8A6AijDVAUZRivdBnXdR8QE7Y9vVnqvzPL3fXCmu1WtCRLdAoz/0/*)#s5x06kda",
      "timestamp": 1690000000,
      "active": true,
      "internal": false,
      "range": [0, 999],
      "next": 0,
      "next_index": 0
    },
    {
      "desc": "wpkh([a262308d/84h/0h/0h]xpub6DM7CYgaTMdMbhTcLTUWmNUE5WLXK5hx8ZMa4sRw8qYJPqtqKYiKnwsmT8A6AijDVAUZRivdBnXdR8QE7Y9vVnqvzPL3fXCmu1WtCRLdAoz/1/*)#pqrw8ra9",
      "timestamp": 1690000000,
      "active": true,
      "internal": true,
      "range": [0, 999],
      "next": 0,
      "next_index": 0
    }
  ]
}
`
