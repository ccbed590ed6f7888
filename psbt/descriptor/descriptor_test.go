package descriptor

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/bip39"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// readTSV returns the tab-separated fields of the non-comment lines of a
// testdata file.
func readTSV(t testing.TB, name string) [][]string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestChecksumVectors(t *testing.T) {
	rows := readTSV(t, "checksum.txt")
	if len(rows) != 13 {
		t.Fatalf("got %d checksum vectors, want 13", len(rows))
	}
	for _, r := range rows {
		kind, desc, name := r[0], r[1], r[2]
		body, hadSum, err := splitChecksum(desc)
		switch kind {
		case "valid":
			if err != nil || !hadSum {
				t.Errorf("%s: splitChecksum(%q) = %v, %v", name, desc, hadSum, err)
			}
			b, sum, _ := strings.Cut(desc, "#")
			if got, err := Checksum(b); err != nil || got != sum {
				t.Errorf("%s: Checksum = %q, %v; want %q", name, got, err, sum)
			}
			if body != b {
				t.Errorf("%s: body = %q", name, body)
			}
		case "nochecksum":
			if err != nil || hadSum || body != desc {
				t.Errorf("%s: splitChecksum(%q) = %q, %v, %v", name, desc, body, hadSum, err)
			}
		case "invalid":
			if err == nil {
				t.Errorf("%s: splitChecksum(%q) accepted", name, desc)
			}
		default:
			t.Fatalf("bad line kind %q", kind)
		}
	}
}

func TestChecksumErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"raw(deadbeef)#", "ends in '#' with no checksum; expected #89f8spxm"},
		{"raw(deadbeef)#89f8spx", "has 7 characters"},
		{"raw(deadbeef)#89f8spxmx", "has 9 characters"},
		{"raw(deadbeef)#89f8spxb", "checksum character 8 is not in the checksum alphabet"},
		{"raw(deedbeef)#89f8spxm", "descriptor checksum is wrong: expected #"},
		{"raw(deadbeef)#89f8spxm#89f8spxm", "more than one '#'"},
		{"raw(\u00dc)#00000000", "character 5 is not allowed"},
		{"raw(dead\tbeef)", "character 9 is not allowed"},
	}
	for _, tt := range tests {
		_, _, err := splitChecksum(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("splitChecksum(%q) = %v, want error containing %q", tt.in, err, tt.want)
		}
	}
	_, _, err := splitChecksum("raw(deedbeef)#89f8spxm")
	if !errors.Is(err, ErrChecksum) {
		t.Errorf("wrong checksum error %v is not ErrChecksum", err)
	}
	if want := "descriptor checksum is wrong: expected #"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %v does not start with %q", err, want)
	}
}

// longTokens returns the runs of 20 or more base58/hex characters in s:
// anything that might be key material an error must not repeat.
func longTokens(s string) []string {
	var out []string
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		if len(tok) >= 20 {
			out = append(out, tok)
		}
	}
	return out
}

func TestBIPVectorsRefused(t *testing.T) {
	rows := readTSV(t, "bip-refused.txt")
	if len(rows) != 118 {
		t.Fatalf("got %d BIP vectors, want 118", len(rows))
	}
	private := 0
	for _, r := range rows {
		bip, desc, want, text := r[0], r[2], r[3], r[4]
		d, err := Parse(text, &chaincfg.MainNetParams)
		if err == nil {
			t.Errorf("BIP%s %s: accepted %s", bip, desc, d)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("BIP%s %s: error %q does not contain %q", bip, desc, err, want)
		}
		if strings.Contains(want, "private key") {
			private++
			if !errors.Is(err, ErrPrivateKey) {
				t.Errorf("BIP%s %s: %v is not ErrPrivateKey", bip, desc, err)
			}
		}
		for _, tok := range longTokens(text) {
			if strings.Contains(err.Error(), tok) {
				t.Errorf("BIP%s %s: error %q quotes the input", bip, desc, err)
			}
		}
	}
	if private != 49 {
		t.Errorf("%d private-key refusals, want 49", private)
	}
}

type walletVector struct {
	BIP         string `json:"bip"`
	Mnemonic    string `json:"mnemonic"`
	Network     string `json:"network"`
	Kind        string `json:"kind"`
	RootXprv    string `json:"root_xprv"`
	AccountXpub string `json:"account_xpub"`
	Addresses   []struct {
		Branch       uint32 `json:"branch"`
		Index        uint32 `json:"index"`
		PubKey       string `json:"pubkey"`
		InternalKey  string `json:"internal_key"`
		OutputKey    string `json:"output_key"`
		Script       string `json:"script"`
		RedeemScript string `json:"redeem_script"`
		Address      string `json:"address"`
	} `json:"addresses"`
}

func loadWallets(t testing.TB) []walletVector {
	t.Helper()
	data, err := os.ReadFile("testdata/wallets.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ Wallets []walletVector }
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Wallets) != 3 {
		t.Fatalf("got %d wallet vectors, want 3", len(v.Wallets))
	}
	return v.Wallets
}

func netByName(t testing.TB, name string) *chaincfg.Params {
	for _, p := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.RegressionNetParams, &chaincfg.SigNetParams} {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("unknown network %q", name)
	return nil
}

func kindByName(t testing.TB, name string) Kind {
	for k := WPKH; k <= SHWSHSortedMulti; k++ {
		if k.String() == name {
			return k
		}
	}
	t.Fatalf("unknown kind %q", name)
	return 0
}

func masterFromMnemonic(t testing.TB, mnemonic string, net *chaincfg.Params) *hdkeychain.ExtendedKey {
	t.Helper()
	seed, err := bip39.Seed([]byte(mnemonic), nil)
	if err != nil {
		t.Fatal(err)
	}
	master, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	return master
}

// The abandon...about master key's fingerprint, well known from BIP84/86
// wallets' exports; checked here against our own computation too.
const abandonFP = "73c5da0a"

func TestBIPWalletVectors(t *testing.T) {
	for _, w := range loadWallets(t) {
		t.Run("BIP"+w.BIP, func(t *testing.T) {
			net := netByName(t, w.Network)
			kind := kindByName(t, w.Kind)
			master := masterFromMnemonic(t, w.Mnemonic, net)
			if w.RootXprv != "" && master.String() != w.RootXprv {
				t.Fatalf("root = %s, want %s", master, w.RootXprv)
			}
			d, err := New(kind, master, 0, net)
			if err != nil {
				t.Fatal(err)
			}
			// The BIPs give the account key in SLIP-132 form; the descriptor
			// holds the same key with standard version bytes.
			want, err := hdkeychain.NewKeyFromString(w.AccountXpub)
			if err != nil {
				t.Fatal(err)
			}
			want, _ = want.CloneWithVersion(net.HDPublicKeyID[:])
			keys := d.Keys()
			if len(keys) != 1 || keys[0].XPub.String() != want.String() {
				t.Fatalf("account key = %v, want %s", keys, want)
			}
			if got := hex.EncodeToString(keys[0].MasterFingerprint[:]); got != abandonFP {
				t.Errorf("master fingerprint = %s, want %s", got, abandonFP)
			}
			if got, want := FormatPath(keys[0].Path), FormatPath(AccountPath(kind, net, 0)); got != want {
				t.Errorf("origin path = %s, want %s", got, want)
			}
			// The printed descriptor parses back to the same wallet.
			s := d.String()
			wantPrefix := w.Kind
			if kind == SHWPKH {
				wantPrefix = "sh(wpkh"
			}
			wantPrefix += "([" + abandonFP + "/" + strings.TrimPrefix(FormatPath(AccountPath(kind, net, 0)), "m/") + "]" + want.String() + "/<0;1>/*)"
			if !strings.HasPrefix(s, wantPrefix) {
				t.Errorf("String() = %s, want prefix %s", s, wantPrefix)
			}
			d2, err := ParseStrict(s, net)
			if err != nil {
				t.Fatalf("ParseStrict(%s): %v", s, err)
			}
			if d2.String() != s || d2.ID() != d.ID() {
				t.Errorf("round trip: %s != %s", d2, s)
			}
			for _, a := range w.Addresses {
				for _, dd := range []*Descriptor{d, d2} {
					checkAddress(t, dd, a.Branch, a.Index, a.Address, a.PubKey, a.InternalKey, a.OutputKey, a.Script, a.RedeemScript)
				}
				if a.Branch == 0 && a.Index == 0 {
					if got, err := d.FirstAddress(); err != nil || got != a.Address {
						t.Errorf("FirstAddress() = %s, %v; want the BIP's %s", got, err, a.Address)
					}
					// A change-only descriptor's first address is its change 0.
					one, err := d.StringFor(1)
					if err != nil {
						t.Fatal(err)
					}
					d1, err := ParseStrict(one, net)
					if err != nil {
						t.Fatal(err)
					}
					c, _ := d.Derive(1, 0)
					if got, err := d1.FirstAddress(); err != nil || got != c.Address.EncodeAddress() {
						t.Errorf("change-only FirstAddress() = %s, %v; want %s", got, err, c.Address)
					}
				}
			}
		})
	}
}

func checkAddress(t *testing.T, d *Descriptor, branch, index uint32, addr, pubkey, internal, output, script, redeem string) {
	t.Helper()
	der, err := d.Derive(branch, index)
	if err != nil {
		t.Fatalf("Derive(%d, %d): %v", branch, index, err)
	}
	if der.Address.EncodeAddress() != addr {
		t.Errorf("%d/%d: address %s, want %s", branch, index, der.Address.EncodeAddress(), addr)
	}
	if pubkey != "" && hex.EncodeToString(der.Keys[0].PubKey) != pubkey {
		t.Errorf("%d/%d: pubkey %x, want %s", branch, index, der.Keys[0].PubKey, pubkey)
	}
	if internal != "" && hex.EncodeToString(der.TaprootInternalKey) != internal {
		t.Errorf("%d/%d: internal key %x, want %s", branch, index, der.TaprootInternalKey, internal)
	}
	if output != "" && hex.EncodeToString(der.TaprootOutputKey) != output {
		t.Errorf("%d/%d: output key %x, want %s", branch, index, der.TaprootOutputKey, output)
	}
	if script != "" && hex.EncodeToString(der.Script) != script {
		t.Errorf("%d/%d: script %x, want %s", branch, index, der.Script, script)
	}
	if redeem != "" && hex.EncodeToString(der.RedeemScript) != redeem {
		t.Errorf("%d/%d: redeem script %x, want %s", branch, index, der.RedeemScript, redeem)
	}
	if der.Branch != branch || der.Index != index {
		t.Errorf("Branch/Index = %d/%d", der.Branch, der.Index)
	}
	// The key's PSBT derivation locates back to the same position and
	// proves the script ours.
	k := der.Keys[0]
	wantPath := append(d.Keys()[0].Path, branch, index)
	if FormatPath(k.Path) != FormatPath(wantPath) {
		t.Errorf("key path %s, want %s", FormatPath(k.Path), FormatPath(wantPath))
	}
	b, i, ok := d.Locate(k.Fingerprint, k.Path)
	if !ok || b != branch || i != index {
		t.Errorf("Locate = %d, %d, %v", b, i, ok)
	}
	if _, ok := d.IsMine(der.Script, k.Fingerprint, k.Path); !ok {
		t.Errorf("IsMine(own script) = false")
	}
	other := append([]uint32(nil), k.Path...)
	other[len(other)-1]++
	if _, ok := d.IsMine(der.Script, k.Fingerprint, other); ok {
		t.Errorf("IsMine with the wrong index = true")
	}
}

// The PSBT fingerprint is the little-endian uint32 of the printed bytes,
// as btcd's psbt package reads Bip32Derivation.
func TestFingerprintByteOrder(t *testing.T) {
	master := masterFromMnemonic(t, strings.Repeat("abandon ", 11)+"about", &chaincfg.MainNetParams)
	d, err := New(WPKH, master, 0, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	der, err := d.Derive(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if der.Keys[0].Fingerprint != 0x0adac573 {
		t.Errorf("Fingerprint = %#08x, want 0x0adac573 (bytes 73 c5 da 0a little-endian)", der.Keys[0].Fingerprint)
	}
	if d.Keys()[0].PSBTFingerprint() != 0x0adac573 {
		t.Errorf("PSBTFingerprint = %#08x", d.Keys()[0].PSBTFingerprint())
	}
}
