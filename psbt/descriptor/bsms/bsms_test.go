package bsms

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var mainnet = &chaincfg.MainNetParams

// TestBIP129Vectors: the records of BIP129's test vectors that airsign can
// use give a wallet whose first address is the record's, and writing that
// wallet back gives the vector byte for byte.
func TestBIP129Vectors(t *testing.T) {
	for _, name := range []string{"bip129-no-encryption.bsms", "bip129-standard.bsms"} {
		t.Run(name, func(t *testing.T) {
			data := read(t, name)
			r, err := ParseRecord(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Restrictions) != 2 || !strings.HasSuffix(r.Descriptor, "/**))") {
				t.Fatalf("parsed %+v", r)
			}
			d, err := r.Wallet(mainnet)
			if err != nil {
				t.Fatal(err)
			}
			if d.Kind() != descriptor.WSHSortedMulti || d.Threshold() != 2 || len(d.Keys()) != 2 {
				t.Fatalf("wallet %s", d)
			}
			out, err := Format(d)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, data) {
				t.Fatalf("Format wrote\n%s\nwant the vector\n%s", out, data)
			}
		})
	}
}

// TestBIP129Refused: the vectors airsign cannot hold as a wallet parse as
// records but are refused as wallets with the reason.
func TestBIP129Refused(t *testing.T) {
	for name, want := range map[string]string{
		"bip129-pubkeys.bsms":  "key 1",
		"bip129-extended.bsms": "multi",
	} {
		t.Run(name, func(t *testing.T) {
			r, err := ParseRecord(read(t, name))
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Wallet(mainnet)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "BSMS record line 2") {
				t.Fatalf("Wallet: %v, want a line 2 refusal naming %q", err, want)
			}
			if !errors.Is(err, descriptor.ErrUnsupported) {
				t.Errorf("%v is not ErrUnsupported", err)
			}
		})
	}
}

// TestDecryptVectors opens BIP129's encrypted descriptor records with their
// tokens in each written form.
func TestDecryptVectors(t *testing.T) {
	for _, c := range []struct {
		dat, plain string
		tokens     []string
	}{
		{"bip129-standard.dat", "bip129-standard.bsms", []string{"a54044308ceac9b7", "0xA54044308CEAC9B7", "11907592390080907703"}},
		{"bip129-extended-signer1.dat", "bip129-extended.bsms", []string{"108a2360adb302774eb521daebbeda5e", "21984902443033505423410071144203475550"}},
	} {
		for _, tok := range c.tokens {
			toks, err := ParseToken(tok)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decrypt(read(t, c.dat), toks)
			if err != nil {
				t.Fatalf("%s with %s: %v", c.dat, tok, err)
			}
			want := bytes.TrimSuffix(read(t, c.plain), []byte("\n"))
			if !bytes.Equal(bytes.TrimSuffix(got, []byte("\n")), want) {
				t.Fatalf("%s decrypts to\n%q\nwant\n%q", c.dat, got, want)
			}
		}
	}
	toks, _ := ParseToken("11907592390080907704")
	if _, err := Decrypt(read(t, "bip129-standard.dat"), toks); err == nil || !strings.Contains(err.Error(), "wrong token") {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestParseRecordRefuses(t *testing.T) {
	good := string(read(t, "bip129-no-encryption.bsms"))
	lines := strings.Split(strings.TrimSuffix(good, "\n"), "\n")
	join := func(l ...string) []byte { return []byte(strings.Join(l, "\n")) }
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "line 1: expected \"BSMS 1.0\""},
		{"descriptor alone", []byte(lines[1]), "line 1: expected"},
		{"other version", join("BSMS 2.0", lines[1], lines[2], lines[3]), "version \"2.0\" is not supported"},
		{"three lines", join(lines[0], lines[1], lines[3]), "3 lines"},
		{"key record", join("BSMS 1.0", "00", "[59865f44/48'/0'/0'/2']026d…", "Signer 1 key", "H6DX…"), "key record"},
		{"empty descriptor", join(lines[0], "", lines[2], lines[3]), "line 2: the descriptor is empty"},
		{"hardened restriction", join(lines[0], lines[1], "/0h/*,/1/*", lines[3]), "path restriction 1: \"/0h/*\" has a hardened step"},
		{"no slash", join(lines[0], lines[1], "0/*,1/*", lines[3]), "must start with /"},
		{"star in the middle", join(lines[0], lines[1], "/*/0", lines[3]), "step 1 is not a number"},
		{"template without restrictions", join(lines[0], lines[1], NoPathRestrictions, lines[3]), "is a template"},
		{"restrictions without template", join(lines[0], strings.ReplaceAll(lines[1], "/**", "/<0;1>/*"), lines[2], lines[3]), "not a template"},
		{"no address", join(lines[0], lines[1], lines[2], "see my address below"), "line 4"},
		{"huge", bytes.Repeat([]byte("a"), MaxRecordSize+1), "not a descriptor record"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRecord(c.in)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("ParseRecord: %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestWalletRefuses(t *testing.T) {
	good := string(read(t, "bip129-no-encryption.bsms"))
	for _, c := range []struct {
		name, old, new, want string
	}{
		{"changed address", "bc1qrgc6", "bc1qrgc7", "line 4: the first address"},
		{"other branches", "/0/*,/1/*", "/0/*,/2/*", "receive and change branches"},
		{"threshold changed", "sortedmulti(2,", "sortedmulti(1,", "line 4: the first address"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseRecord([]byte(strings.Replace(good, c.old, c.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Wallet(mainnet); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Wallet: %v, want %q", err, c.want)
			}
		})
	}
	r, _ := ParseRecord([]byte(good))
	if _, err := r.Wallet(&chaincfg.TestNet3Params); err == nil || !errors.Is(err, descriptor.ErrWrongNetwork) {
		t.Fatalf("mainnet record on testnet: %v", err)
	}
}

func TestParseTokenRefuses(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "empty",
		"0xabc":                       "16 or 32 hex digits",
		"zz":                          "neither",
		"-5":                          "neither",
		"0":                           "neither",
		"3" + strings.Repeat("0", 40): "larger than 128 bits",
	} {
		if _, err := ParseToken(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseToken(%q): %v, want %q", in, err, want)
		}
	}
}

func TestDecryptRefuses(t *testing.T) {
	toks, _ := ParseToken("a54044308ceac9b7")
	for in, want := range map[string]string{
		"xyz":                   "not hex",
		"00":                    "too short",
		strings.Repeat("0", 64): "too short",
	} {
		if _, err := Decrypt([]byte(in), toks); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decrypt(%q): %v, want %q", in, err, want)
		}
	}
}

// FuzzParseRecord: ParseRecord and Wallet never panic, and a record that
// gives a wallet is written back by Format to a record giving the same
// wallet.
func FuzzParseRecord(f *testing.F) {
	for _, name := range []string{"bip129-no-encryption.bsms", "bip129-standard.bsms", "bip129-pubkeys.bsms", "bip129-extended.bsms"} {
		f.Add(read(f, name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRecord(data)
		if err != nil {
			return
		}
		d, err := r.Wallet(mainnet)
		if err != nil {
			return
		}
		out, err := Format(d)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := ParseRecord(out)
		if err != nil {
			t.Fatalf("Format wrote an unreadable record: %v\n%s", err, out)
		}
		d2, err := r2.Wallet(mainnet)
		if err != nil || d2.String() != d.String() {
			t.Fatalf("round trip: %v, %v vs %v", err, d2, d)
		}
	})
}

// TestUppercaseBech32FirstAddress: Sparrow's record with the first address
// in upper case is the BIP129 2-of-2 wallet; a base58 address with its
// case changed, or bech32 in mixed case, is still a mismatch.
func TestUppercaseBech32FirstAddress(t *testing.T) {
	r, err := ParseRecord(read(t, "sparrow-multisig-4.bsms"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := r.Wallet(mainnet)
	if err != nil {
		t.Fatal(err)
	}
	if first, _ := d.FirstAddress(); first != "bc1qrgc6p3kylfztu06ysl752gwwuekhvtfh9vr7zg43jvu60mutamcsv948ej" {
		t.Errorf("first address %s", first)
	}
	mixed := *r
	mixed.FirstAddress = "bc1QRGC6P3KYLFZTU06YSL752GWWUEKHVTFH9VR7ZG43JVU60MUTAMCSV948EJ"
	if _, err := mixed.Wallet(mainnet); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("mixed-case bech32: %v", err)
	}
	// The same keys in sh(wsh(…)): a base58 address, where case matters.
	nested := &Record{Descriptor: "sh(" + r.Descriptor + ")", Restrictions: r.Restrictions}
	nd, err := descriptor.Parse(strings.ReplaceAll("sh("+r.Descriptor+")", "/**", "/<0;1>/*"), mainnet)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := nd.FirstAddress()
	for _, a := range []string{first, strings.ToUpper(first), strings.ToLower(first)} {
		nested.FirstAddress = a
		_, err := nested.Wallet(mainnet)
		if (a == first) != (err == nil) {
			t.Errorf("base58 first address %s: %v", a, err)
		}
	}
}
