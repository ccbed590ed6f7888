package urdescriptor

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/psbt/descriptor/descriptortest"
	"github.com/airsign/airsign/transport/ur"
	"github.com/btcsuite/btcd/chaincfg"
)

type vector struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Hex      string `json:"hex"`
	UR       string `json:"ur"`
	Want     string `json:"want"`
	Error    string `json:"error"`
	Secret   string `json:"secret"`
	Parses   string `json:"parses"`
	NameInUR string `json:"name_in_ur"`
}

func loadVectors(t testing.TB) []vector {
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func stripChecksum(s string) string {
	body, _, _ := strings.Cut(s, "#")
	return body
}

// TestVectors checks the published vectors: the descriptor text each one
// means, or the refusal, and that the UR text carries the same CBOR.
func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			msg, err := hex.DecodeString(v.Hex)
			if err != nil {
				t.Fatal(err)
			}
			if v.UR != "" {
				d := ur.NewDecoder()
				if err := d.Receive(v.UR); err != nil {
					t.Fatal(err)
				}
				typ, body, err := d.Result()
				if err != nil {
					t.Fatal(err)
				}
				if typ != v.Type || hex.EncodeToString(body) != v.Hex {
					t.Fatalf("UR holds %s %x, want %s %s", typ, body, v.Type, v.Hex)
				}
			}
			got, err := Decode(v.Type, msg)
			if v.Error != "" {
				if err == nil {
					t.Fatalf("decoded to %q, want an error containing %q", got.Text, v.Error)
				}
				if !strings.Contains(err.Error(), v.Error) {
					t.Fatalf("error %q does not contain %q", err, v.Error)
				}
				if v.Secret != "" && strings.Contains(strings.ToLower(err.Error()), v.Secret[:16]) {
					t.Fatalf("error quotes the private key: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Want != "" && stripChecksum(got.Text) != v.Want {
				t.Errorf("text\n got %s\nwant %s", stripChecksum(got.Text), v.Want)
			}
			if sum, _ := descriptor.Checksum(stripChecksum(got.Text)); got.Text != stripChecksum(got.Text)+"#"+sum {
				t.Errorf("checksum of %q is not %s", got.Text, sum)
			}
			if got.Name != v.NameInUR {
				t.Errorf("name %q, want %q", got.Name, v.NameInUR)
			}
			if v.Parses != "" {
				net := &chaincfg.MainNetParams
				if _, err := descriptor.ParseStrict(got.Text, net); err != nil {
					t.Fatalf("ParseStrict(%s): %v", got.Text, err)
				}
				if got.Net != NetUnknown && got.Net != NetMain {
					t.Errorf("network class %q, want mainnet", got.Net)
				}
			}
		})
	}
}

// TestOutputDescriptorMultisig pins the keys of the BCR-2023-010 2-of-3.
func TestOutputDescriptorMultisig(t *testing.T) {
	var v vector
	for _, x := range loadVectors(t) {
		if x.Parses != "" {
			v = x
		}
	}
	msg, _ := hex.DecodeString(v.Hex)
	got, err := Decode(TypeOutputDescriptor, msg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := descriptor.ParseStrict(got.Text, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind() != descriptor.WSHSortedMulti || d.Threshold() != 2 || len(d.Keys()) != 3 {
		t.Fatalf("got %v %d-of-%d", d.Kind(), d.Threshold(), len(d.Keys()))
	}
	k := d.Keys()[0]
	if hex.EncodeToString(k.MasterFingerprint[:]) != "dc567276" || descriptor.FormatPath(k.Path) != "m/48h/0h/0h/2h" {
		t.Errorf("key 1 origin %x/%s", k.MasterFingerprint, descriptor.FormatPath(k.Path))
	}
	pub, _ := k.XPub.ECPubKey()
	if hex.EncodeToString(pub.SerializeCompressed()) != "021c0b479ecf6e67713ddf0c43b634592f51c037b6f951fb1dc6361a98b1e5735e" {
		t.Errorf("key 1 public key %x", pub.SerializeCompressed())
	}
	if hex.EncodeToString(k.XPub.ChainCode()) != "6b3a4cfb6a45f6305efe6e0e976b5d26ba27f7c344d7fc7abef7be2d06d52dfd" {
		t.Errorf("key 1 chain code %x", k.XPub.ChainCode())
	}
	if !d.HasBranch(0) || !d.HasBranch(1) {
		t.Errorf("branches %v, want <0;1>", d.Branches())
	}
}

func TestRoundTrip(t *testing.T) {
	for _, d := range descriptortest.Wallets(t) {
		msg, err := Encode(d)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		got, err := Decode(TypeCryptoOutput, msg)
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if got.Text != d.String() {
			t.Errorf("round trip\n got %s\nwant %s", got.Text, d)
		}
		wantNet := NetTest
		if d.Net() == &chaincfg.MainNetParams {
			wantNet = NetMain
		}
		if got.Net != wantNet {
			t.Errorf("%s: network class %q, want %q", d, got.Net, wantNet)
		}
		// And through a UR string, as a QR code carries it.
		s, err := ur.Encode(TypeCryptoOutput, msg)
		if err != nil {
			t.Fatal(err)
		}
		dec := ur.NewDecoder()
		if err := dec.Receive(s); err != nil {
			t.Fatal(err)
		}
		if typ, body, err := dec.Result(); err != nil || typ != TypeCryptoOutput || !bytes.Equal(body, msg) {
			t.Fatalf("UR round trip: %s %x %v", typ, body, err)
		}
	}
}

// TestEncodeSparrowForm pins the exact bytes of one wallet, the form
// Sparrow writes (SettingsController.getCryptoOutput): coin info {type 0,
// network}, origin {components, fingerprint, depth}, parent fingerprint,
// and no children for <0;1>/*.
func TestEncodeSparrowForm(t *testing.T) {
	d, err := descriptor.ParseStrict("wpkh([d34db33f/84h/0h/0h]xpub6CY2xt3mvQejPFUw26CychtL4GMq1yp41aMW2U27mvThqefpZYwXpGscV26JuVj13Fpg4kgSENheUSbTqm5f8z25zrhXpPVss5zWeMGnAKR/<0;1>/*)#8jha0cge", &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	want := "d90194" + // 404 wpkh
		"d9012f" + "a5" + // 303 crypto-hdkey, 5 fields
		"03582102d2b36900396c9282fa14628566582f206a5dd0bcc8d5e892611806cafb0301f0" +
		"045820637807030d55d01f9a0cb3a7839515d796bd07706386a6eddf06cc29a65a0e29" +
		"05d90131a201000200" + // use-info: type 0, network 0
		"06d90130a3018618" + "54f500f500f5" + "021ad34db33f" + "0303" + // origin 84h/0h/0h, fp, depth 3
		"081a78412e3a" // parent fingerprint
	if got := hex.EncodeToString(msg); got != want {
		t.Errorf("crypto-output\n got %s\nwant %s", got, want)
	}
}

func TestDecodeParts(t *testing.T) {
	d := descriptortest.Wallets(t)[3] // a 2-of-3, large enough to split
	msg, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := ur.NewEncoder(TypeCryptoOutput, msg, 60)
	if err != nil {
		t.Fatal(err)
	}
	if enc.SeqLen() < 3 {
		t.Fatalf("only %d parts; the test wants a series", enc.SeqLen())
	}
	var parts []string
	for i := enc.SeqLen() + 2; i >= 1; i-- { // reverse order, with fountain parts
		parts = append(parts, enc.Part(uint32(i)))
	}
	got, err := DecodeParts(parts)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != d.String() {
		t.Errorf("got %s, want %s", got.Text, d)
	}

	other, _ := Encode(descriptortest.Wallets(t)[0])
	single, _ := ur.Encode(TypeCryptoOutput, other)
	psbtUR, _ := ur.Encode("crypto-psbt", []byte{0x41, 0})
	for _, c := range []struct {
		name  string
		parts []string
		want  string
	}{
		{"none", nil, "no UR code"},
		{"incomplete", parts[:1], "incomplete"},
		{"two messages", []string{parts[0], single}, "code 2 belongs to another message"},
		{"not a UR", []string{"wpkh(xpub)"}, "code 1:"},
		{"a PSBT", []string{psbtUR}, "not a wallet descriptor"},
	} {
		if _, err := DecodeParts(c.parts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// TestRoundTripMasterWithoutOrigin: a multisig may name a cosigner by its
// bare master xpub; the UR must read back as the same text.
func TestRoundTripMasterWithoutOrigin(t *testing.T) {
	net := &chaincfg.RegressionNetParams
	m, err := descriptortest.Master(t, 9, net).Neuter()
	if err != nil {
		t.Fatal(err)
	}
	other, err := descriptor.AccountKey(descriptor.WSHSortedMulti, descriptortest.Master(t, 1, net), 0, net)
	if err != nil {
		t.Fatal(err)
	}
	body := "wsh(sortedmulti(1," + other.String() + "/<0;1>/*," + m.String() + "/<0;1>/*))"
	sum, _ := descriptor.Checksum(body)
	d, err := descriptor.ParseStrict(body+"#"+sum, net)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(TypeCryptoOutput, msg)
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != d.String() {
		t.Errorf("round trip\n got %s\nwant %s", got.Text, d)
	}
}
