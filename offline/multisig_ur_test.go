package offline

import (
	"bytes"
	"context"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/ur"
	"github.com/airsign/airsign/transport/ur/cbor"
	"github.com/airsign/airsign/transport/ur/urdescriptor"
)

// cosignerHDKey is the tagged crypto-hdkey of a key's BIP48 account key,
// cut out of our own crypto-output of a 1-of-1 sortedmulti: after the
// tags 401 and 407 (3 bytes each) and the map head {1: 1, 2: [ (5 bytes).
func cosignerHDKey(t *testing.T, k *Key, kind descriptor.Kind) (hdkey []byte, expr string) {
	t.Helper()
	ak, err := descriptor.AccountKey(kind, k.Master, 0, regtest)
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.NewSortedMulti(descriptor.WSHSortedMulti, 1, []descriptor.Key{ak}, regtest)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := urdescriptor.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(msg, []byte{0xd9, 0x01, 0x91, 0xd9, 0x01, 0x97, 0xa2, 0x01, 0x01, 0x02, 0x81}) {
		t.Fatalf("unexpected crypto-output layout %x", msg[:11])
	}
	return msg[11:], ak.String()
}

// accountCBOR is a crypto-account of one key: wpkh plus the wsh and
// sh(wsh) cosigner outputs, as SeedSigner and Keystone export them.
func accountCBOR(t *testing.T, k *Key) []byte {
	t.Helper()
	wpkh, err := descriptor.New(descriptor.WPKH, k.Master, 0, regtest)
	if err != nil {
		t.Fatal(err)
	}
	wpkhMsg, err := urdescriptor.Encode(wpkh)
	if err != nil {
		t.Fatal(err)
	}
	wsh, _ := cosignerHDKey(t, k, descriptor.WSHSortedMulti)
	shwsh, _ := cosignerHDKey(t, k, descriptor.SHWSHSortedMulti)
	b := cbor.AppendMap(nil, 2)
	b = cbor.AppendUint(cbor.AppendUint(b, 1), uint64(bits.ReverseBytes32(k.Fingerprint)))
	b = cbor.AppendArray(cbor.AppendUint(b, 2), 3)
	b = append(cbor.AppendTag(b, 308), wpkhMsg...)
	b = append(cbor.AppendTag(cbor.AppendTag(cbor.AppendTag(b, 308), 401), 410), wsh...)
	b = append(cbor.AppendTag(cbor.AppendTag(cbor.AppendTag(cbor.AppendTag(b, 308), 400), 401), 410), shwsh...)
	return b
}

// TestMultisigCosignersFromUR builds a 2-of-3 whose cosigners come as a
// crypto-account QR picture, a crypto-hdkey text file and a key
// expression, and checks it is the wallet of the three keys.
func TestMultisigCosignersFromUR(t *testing.T) {
	a := keyOfMnemonic(t, "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	b := keyOfMnemonic(t, "legal winner thank year wave sausage worth useful legal winner thank yellow")
	c := keyOfMnemonic(t, "letter advice cage absurd amount doctor acoustic avoid letter advice cage above")
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	acctUR, err := ur.Encode(urdescriptor.TypeCryptoAccount, accountCBOR(t, a))
	if err != nil {
		t.Fatal(err)
	}
	pngs, err := qrcode.WritePNGs(filepath.Join(dir, "account"), []string{acctUR}, qrcode.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hd, _ := cosignerHDKey(t, b, descriptor.WSHSortedMulti)
	hdUR, err := ur.Encode(urdescriptor.TypeCryptoHDKey, hd)
	if err != nil {
		t.Fatal(err)
	}
	_, cExpr := cosignerHDKey(t, c, descriptor.WSHSortedMulti)

	for _, kind := range []string{"wsh-multi", "sh-wsh-multi"} {
		env := testEnv(t)
		cosigners := []string{pngs[0], write("b.txt", hdUR+"\n"), cExpr}
		if kind == "sh-wsh-multi" {
			_, bExpr := cosignerHDKey(t, b, descriptor.SHWSHSortedMulti)
			_, cExpr2 := cosignerHDKey(t, c, descriptor.SHWSHSortedMulti)
			cosigners = []string{filepath.Join(dir, "account"), bExpr, cExpr2}
		}
		if err := MultisigDescriptor(context.Background(), env, MultisigOptions{Threshold: 2, Kind: kind, Cosigners: cosigners}); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		k, _ := ParseMultiKind(kind)
		var keys []descriptor.Key
		for _, key := range []*Key{a, b, c} {
			ak, err := descriptor.AccountKey(k, key.Master, 0, regtest)
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, ak)
		}
		want, err := descriptor.NewSortedMulti(k, 2, keys, regtest)
		if err != nil {
			t.Fatal(err)
		}
		if got := env.Stdout.(*bytes.Buffer).String(); !strings.Contains(got, want.String()) {
			t.Errorf("%s: got\n%s\nwant %s", kind, got, want)
		}
	}

	// Refusals name the cosigner and what is wrong.
	wpkhOnly := cbor.AppendMap(nil, 2)
	wpkhOnly = cbor.AppendUint(cbor.AppendUint(wpkhOnly, 1), uint64(bits.ReverseBytes32(a.Fingerprint)))
	wpkhOnly = cbor.AppendArray(cbor.AppendUint(wpkhOnly, 2), 1)
	wd, _ := descriptor.New(descriptor.WPKH, a.Master, 0, regtest)
	wm, _ := urdescriptor.Encode(wd)
	wpkhOnly = append(cbor.AppendTag(wpkhOnly, 308), wm...)
	noCosigner, _ := ur.Encode(urdescriptor.TypeCryptoAccount, wpkhOnly)
	walletUR, _ := ur.Encode("crypto-output", wm)
	for _, c := range []struct {
		name, arg, want string
	}{
		{"account without a cosigner output", write("n.txt", noCosigner), "cosigner 1 (" + filepath.Join(dir, "n.txt") + "): the account export has no wsh(cosigner) output (it has wpkh)"},
		{"a wallet, not a key", write("w.txt", walletUR), "a UR crypto-output is not a cosigner key"},
		{"damaged", write("d.txt", strings.Replace(hdUR, "TAAD", "TAAE", 1)), "code 1:"},
		{"empty picture directory", t.TempDir(), "cosigner 1"},
	} {
		err := MultisigDescriptor(context.Background(), testEnv(t), MultisigOptions{Threshold: 2, Kind: "wsh-multi", Cosigners: []string{c.arg, cExpr}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
