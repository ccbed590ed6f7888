package offline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

// TestMultisigBIP129KeyRecords: the two signers' round-1 key records of
// BIP129's NO_ENCRYPTION test vector give the round-2 wallet, whose first
// address the BIP states; the signatures are checked, and said to be.
func TestMultisigBIP129KeyRecords(t *testing.T) {
	dir := filepath.Join("..", "psbt", "descriptor", "bsms", "testdata")
	rec1 := filepath.Join(dir, "bip129-no-encryption-signer1-key.bsms")
	rec2 := filepath.Join(dir, "bip129-no-encryption-signer2-key.bsms")
	var out, errOut bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errOut, Net: &chaincfg.MainNetParams}
	if err := MultisigDescriptor(context.Background(), env, MultisigOptions{Threshold: 2, Kind: "wsh-multi", Cosigners: []string{rec1, rec2}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "first receive address bc1qrgc6p3kylfztu06ysl752gwwuekhvtfh9vr7zg43jvu60mutamcsv948ej") {
		t.Errorf("not BIP129's wallet:\n%s", errOut.String())
	}
	for _, n := range []string{`cosigner 1: BIP129 key record "Signer 1 key": signature by its key verified`, `cosigner 2: BIP129 key record "Signer 2 key": signature by its key verified`} {
		if !strings.Contains(errOut.String(), n) {
			t.Errorf("no note %q in\n%s", n, errOut.String())
		}
	}

	// A record whose key was swapped, and one of a bare public key.
	data, err := os.ReadFile(rec1)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := os.ReadFile(rec2)
	swapped := strings.Replace(string(data), strings.Split(string(data), "\n")[2], strings.Split(string(other), "\n")[2], 1)
	bad := filepath.Join(t.TempDir(), "swapped.bsms")
	if err := os.WriteFile(bad, []byte(swapped), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ arg, want string }{
		{bad, "the signature was not made by the key on line 3"},
		{filepath.Join(dir, "bip129-pubkeys-signer1-key.bsms"), "holds a single public key, not an xpub"},
	} {
		env := &Env{Stdout: &out, Stderr: &errOut, Net: &chaincfg.MainNetParams}
		err := MultisigDescriptor(context.Background(), env, MultisigOptions{Threshold: 2, Kind: "wsh-multi", Cosigners: []string{c.arg, rec2}})
		if err == nil || !strings.Contains(err.Error(), "cosigner 1") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.arg, err, c.want)
		}
	}
}
