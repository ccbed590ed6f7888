package offline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/bip39"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// seedSignerCosigner is the key SeedSigner's tests export (their seed
// "obscure bone …", passphrase "pass", testnet, m/48h/1h/0h/2h), derived
// here rather than copied, so the test checks what the exports say.
func seedSignerCosigner(t *testing.T) string {
	t.Helper()
	seed, err := bip39.Seed([]byte("obscure bone gas open exotic abuse virus bunker shuffle nasty ship dash"), []byte("pass"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := hdkeychain.NewMaster(seed, regtest)
	if err != nil {
		t.Fatal(err)
	}
	const h = hdkeychain.HardenedKeyStart
	for _, s := range []uint32{h + 48, h + 1, h, h + 2} {
		if k, err = k.Derive(s); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := k.Neuter()
	if err != nil {
		t.Fatal(err)
	}
	return "[c49122a5/48h/1h/0h/2h]" + pub.String()
}

// TestMultisigSeedSignerExports builds a 2-of-2 of SeedSigner's exported
// cosigner key and another, from each form SeedSigner shows it in.
func TestMultisigSeedSignerExports(t *testing.T) {
	want := seedSignerCosigner(t) + "/<0;1>/*"
	other := keyOfMnemonic(t, "legal winner thank year wave sausage worth useful legal winner thank yellow")
	ak, err := descriptor.AccountKey(descriptor.WSHSortedMulti, other.Master, 0, regtest)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, arg string }{
		// UR crypto-account, a bare wsh output (no tag 308).
		{"UR crypto-account", filepath.Join("..", "transport", "ur", "urdescriptor", "testdata", "seedsigner", "ur-xpub-qr.txt")},
		// [fp/48h/1h/0h/2h]Vpub…: SLIP-132, its path confirming P2WSH.
		{"static xpub", filepath.Join("testdata", "seedsigner", "xpub-qr.txt")},
		// The same text in four parts "pNofM …".
		{"Specter parts", filepath.Join("testdata", "seedsigner", "specter-xpub-qr.txt")},
	} {
		env := testEnv(t)
		err := MultisigDescriptor(context.Background(), env, MultisigOptions{Threshold: 2, Kind: "wsh-multi", Cosigners: []string{c.arg, ak.String()}})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := env.Stdout.(*bytes.Buffer).String(); !strings.Contains(got, want) {
			t.Errorf("%s: got\n%s\nwant a key %s", c.name, got, want)
		}
	}
}

// TestSLIP132CosignerRefused: a SLIP-132 key is converted only when its
// BIP48 path, its prefix and --type name the same script; a Specter series
// must be whole.
func TestSLIP132CosignerRefused(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "seedsigner", "xpub-qr.txt"))
	if err != nil {
		t.Fatal(err)
	}
	vpub := strings.TrimSpace(string(data))
	parts, err := os.ReadFile(filepath.Join("testdata", "seedsigner", "specter-xpub-qr.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(parts)), "\n")
	for _, c := range []struct {
		name, text string
		kind       descriptor.Kind
		want       string
	}{
		{"path names sh-wsh", strings.Replace(vpub, "0h/2h]", "0h/1h]", 1), descriptor.WSHSortedMulti, "prefix Vpub names wsh-multi but its origin path ends in 1h, which names sh-wsh-multi"},
		{"not BIP48", strings.Replace(vpub, "48h/1h/0h/2h]", "84h/1h/0h]", 1), descriptor.WSHSortedMulti, "origin path is not BIP48"},
		{"other --type", vpub, descriptor.SHWSHSortedMulti, "--type is sh-wsh-multi; pass --type wsh-multi"},
		{"missing part", strings.Join(lines[:3], "\n"), descriptor.WSHSortedMulti, "lacks part 4 of 4"},
		{"part of another series", strings.Join(lines[:3], "\n") + "\np4of5 x", descriptor.WSHSortedMulti, "line 4: part p4of5"},
		{"stray line", strings.Join(lines[:3], "\n") + "\nhello", descriptor.WSHSortedMulti, "line 4 is not a part"},
	} {
		dir := t.TempDir()
		p := filepath.Join(dir, "k.txt")
		if err := os.WriteFile(p, []byte(c.text), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := cosignerKey(p, c.kind, regtest)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// In order or not, the parts give the static text's key.
	shuffled := strings.Join([]string{lines[2], lines[0], lines[3], lines[1]}, "\n")
	if got, err := joinSpecterParts(shuffled); err != nil || got != vpub {
		t.Errorf("joined %q, %v", got, err)
	}
}
