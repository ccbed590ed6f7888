package offline

import (
	"bytes"
	"context"
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
