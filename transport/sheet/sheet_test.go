package sheet

import (
	"bytes"
	"flag"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/psbt/descriptor/descriptortest"
	"github.com/btcsuite/btcd/chaincfg"
)

var update = flag.Bool("update", false, "rewrite the golden sheets in testdata")

var date = time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

// wallets are descriptortest's wallets by name: mainnet wpkh, sh-wpkh and
// tr at account 3, 2-of-3 multisigs, and the same on regtest.
func wallets(t testing.TB) map[string]*descriptor.Descriptor {
	out := map[string]*descriptor.Descriptor{}
	for _, d := range descriptortest.Wallets(t) {
		name := strings.NewReplacer("(", "-", ")", "").Replace(d.Kind().String())
		if d.Net().Net != chaincfg.MainNetParams.Net {
			name = "regtest-" + name
		}
		if !d.HasBranch(1) {
			name += "-receive-only"
		}
		out[name] = d
	}
	return out
}

// TestGolden: the text sheet of every kind of wallet, as printed.
func TestGolden(t *testing.T) {
	for name, d := range wallets(t) {
		s, err := New(d, date)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", name+".txt")
		if *update {
			if err := os.WriteFile(path, s.Text(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if got := s.Text(); !bytes.Equal(got, want) {
			t.Errorf("%s: the sheet changed:\n%s\nwant (go test -update to accept):\n%s", name, got, want)
		}
	}
}

// TestReadBack: the text sheet, its QR content, and the descriptor line
// typed alone each give the wallet back.
func TestReadBack(t *testing.T) {
	for name, d := range wallets(t) {
		s, err := New(d, date)
		if err != nil {
			t.Fatal(err)
		}
		parts, err := s.QRParts()
		if err != nil {
			t.Fatal(err)
		}
		for form, in := range map[string]string{
			"text": string(s.Text()), "qr": strings.Join(parts, "\n"), "typed": "  " + d.String() + "\n",
		} {
			got, err := Read([]byte(in), d.Net())
			if err != nil {
				t.Fatalf("%s %s: %v", name, form, err)
			}
			if got.String() != d.String() {
				t.Fatalf("%s %s: read %s", name, form, got)
			}
		}
	}
}

func TestSheetSays(t *testing.T) {
	w := wallets(t)
	ms, _ := New(w["regtest-wsh-sortedmulti"], date)
	text := string(ms.Text())
	for _, want := range []string{"Threshold:        2 of 3", "Cosigner 3:", "regtest", "Derivation:       m/48h/1h/0h/2h for every cosigner, as on their lines below (BIP48: purpose 48h, coin 1h = test networks, account 0h, script type 2h)\n", "PRIVATE, NOT SECRET", "ash1 shares, spec v1", "docs/recovery.md", "receive: wsh(", "  2  bcrt1q"} {
		if !strings.Contains(text, want) {
			t.Errorf("multisig sheet lacks %q:\n%s", want, text)
		}
	}
	tr, _ := New(w["tr"], date)
	text = string(tr.Text())
	for _, want := range []string{"Account:          3", "path m/86h/0h/3h", "Taproot", "bitcoin mainnet",
		"Derivation:       m/86h/0h/3h (BIP86: purpose 86h, coin 0h = mainnet, account 3h)\n",
		`SHA-256 of the "descriptor:" line's text after "descriptor: ", its #checksum included`} {
		if !strings.Contains(text, want) {
			t.Errorf("tr sheet lacks %q:\n%s", want, text)
		}
	}
}

// TestDerivationIsThePathUsed: a P2SH-P2WSH multisig built from cosigner
// exports at …/2h (cosigner.txt) says that path on its Derivation line, as
// on every cosigner line, never BIP48's …/1h; no sheet prints the
// placeholders "coin h/account h".
func TestDerivationIsThePathUsed(t *testing.T) {
	w := wallets(t)
	body, _, _ := strings.Cut(w["wsh-sortedmulti"].String(), "#")
	d, err := descriptor.Parse("sh("+body+")", w["wsh-sortedmulti"].Net())
	if err != nil {
		t.Fatal(err)
	}
	s, _ := New(d, date)
	text := string(s.Text())
	want := "Derivation:       m/48h/0h/0h/2h for every cosigner, as on their lines below (BIP48: purpose 48h, coin 0h = mainnet, account 0h, script type 2h); " +
		"BIP48 numbers this script type 1h, but these keys were exported at 2h: restore with the path as printed\n"
	if !strings.Contains(text, want) || strings.Contains(text, "/1h") || !strings.Contains(text, "path m/48h/0h/0h/2h") {
		t.Errorf("sh-wsh sheet of …/2h keys: want %q and no /1h:\n%s", want, text)
	}
	for name, d := range w {
		s, _ := New(d, date)
		if strings.Contains(string(s.Text()), "coin h") {
			t.Errorf("%s: the sheet prints the placeholder \"coin h\":\n%s", name, s.Text())
		}
	}
}

// TestCosignerSheet: the sheet of a key made as a multisig cosigner says
// first that the wallet is the multisig and its sheet goes with the cards,
// and gives the key's BIP48 path and xpub; it still reads back.
func TestCosignerSheet(t *testing.T) {
	w := wallets(t)
	d := w["wpkh"]
	s, _ := New(d, date)
	plain := string(s.Text())
	cos := w["wsh-sortedmulti"].Keys()[0]
	s.Cosigner = &cos
	text := string(s.Text())
	page, err := s.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{text, html.UnescapeString(string(page))} {
		for _, want := range []string{"THIS KEY IS A COSIGNER OF A MULTISIG WALLET", "the money is in the multisig", "must be kept with these cards",
			"wallet multisig --sheet", "As cosigner", "path m/48h/0h/0h/2h", cos.XPub.String(), "keep the multisig's own sheet with the cards"} {
			if !strings.Contains(doc, want) {
				t.Errorf("cosigner sheet lacks %q:\n%s", want, doc)
			}
		}
	}
	if !strings.HasPrefix(strings.SplitN(text, "\n", 5)[3], "COSIGNER KEY:") {
		t.Errorf("the cosigner warning is not the sheet's first line:\n%s", text)
	}
	if strings.Contains(plain, "COSIGNER") || strings.Contains(plain, "As cosigner") {
		t.Errorf("a sheet of a key not made as a cosigner mentions one:\n%s", plain)
	}
	if back, err := ReadText([]byte(text)); err != nil || back.String() != d.String() {
		t.Fatalf("the cosigner sheet does not read back: %v", err)
	}
}

// TestSheetPassphrase: a key that needs a passphrase is named on the text
// and the page, with who keeps it; the sheet still reads back, and a sheet
// without one says nothing of passphrases.
func TestSheetPassphrase(t *testing.T) {
	d := wallets(t)["tr"]
	s, _ := New(d, date)
	if strings.Contains(string(s.Text()), "Passphrase") {
		t.Fatalf("a sheet without a passphrase mentions one:\n%s", s.Text())
	}
	s.PassphraseKeys, s.PassphraseHolder = []string{"0a1b2c3d"}, "Dana Holder"
	s.SharesKey, s.SharesSetID = "73c5da0a", "E8C80C74"
	text := string(s.Text())
	page, err := s.HTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{text, string(page)} {
		for _, want := range []string{"YES: key 0a1b2c3d needs a BIP39 passphrase", "kept by Dana Holder", "another, empty wallet", "with the BIP39 passphrase (see Passphrase above)",
			"Share cards", "key 73c5da0a, share set E8C80C74: what the matching share cards print"} {
			if !strings.Contains(doc, want) {
				t.Errorf("sheet lacks %q:\n%s", want, doc)
			}
		}
	}
	back, err := ReadText([]byte(text))
	if err != nil || back.String() != d.String() {
		t.Fatalf("the sheet with a passphrase line does not read back: %v", err)
	}
}

// TestHTML: the page carries the descriptor, the addresses and a QR code
// per part; a multisig of 3 keys fits one code.
func TestHTML(t *testing.T) {
	for name, d := range wallets(t) {
		s, _ := New(d, date)
		page, err := s.HTML()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		page2 := string(page)
		if !strings.Contains(page2, d.ID()) || !strings.Contains(page2, s.First[2]) || strings.Count(page2, "data:image/png;base64,") != 1 {
			t.Errorf("%s: page lacks the ID, an address or its one QR code", name)
		}
		if !strings.Contains(page2, "descriptor: "+html.EscapeString(d.String())) || !strings.Contains(html.UnescapeString(page2), `The "descriptor:" line (BIP380`) {
			t.Errorf("%s: page lacks the descriptor: line under the name docs/recovery.md uses", name)
		}
	}
}

func TestReadRefuses(t *testing.T) {
	d := wallets(t)["regtest-wpkh"]
	s, _ := New(d, date)
	text := string(s.Text())
	noSum, _, _ := strings.Cut(d.String(), "#")
	other := wallets(t)["regtest-tr"]
	for _, c := range []struct{ name, in, want string }{
		{"empty", " \n", "is empty"},
		{"no checksum", noSum, "checksum"},
		{"typo", strings.Replace(d.String(), "wpkh([", "wpkh([0", 1), ""},
		{"changed id", strings.Replace(text, "Wallet ID:        "+d.ID(), "Wallet ID:        00000000", 1), "says wallet ID 00000000"},
		{"changed address", strings.Replace(text, s.First[1], s.First[2], 1), "receive address 1 is not the descriptor's"},
		{"no descriptor line", strings.Replace(text, "\ndescriptor:", "\ndescribed:", 1), "no line starting"},
		{"other descriptor", strings.Replace(text, d.String(), other.String(), 1), "says wallet ID"},
		{"wrong network", wallets(t)["wpkh"].String(), "mainnet"},
		{"incomplete UR", "UR:CRYPTO-OUTPUT/1-3/LPADAXCFAXHLCYYNDYSBZMHDWZ", "QR code"},
		{"huge", strings.Repeat("a", MaxSize+1), "larger than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read([]byte(c.in), d.Net())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Read: %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// FuzzRead: Read and ReadText never panic, and what they accept is a descriptor whose
// own sheet reads back to it.
func FuzzRead(f *testing.F) {
	for _, d := range wallets(f) {
		s, _ := New(d, date)
		f.Add(s.Text())
		f.Add([]byte(d.String()))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if d, err := ReadText(data); err == nil {
			if back, err := Read([]byte(d.String()), d.Net()); err != nil || back.String() != d.String() {
				t.Fatalf("ReadText accepted a sheet whose descriptor does not read back: %v", err)
			}
		}
		for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.RegressionNetParams} {
			d, err := Read(data, net)
			if err != nil {
				continue
			}
			s, err := New(d, date)
			if err != nil {
				continue // e.g. a wallet whose first addresses cannot be derived
			}
			back, err := Read(s.Text(), net)
			if err != nil || back.String() != d.String() {
				t.Fatalf("sheet of an accepted descriptor does not read back: %v", err)
			}
		}
	})
}

func TestReadText(t *testing.T) {
	for name, d := range wallets(t) {
		s, _ := New(d, date)
		if !IsSheet(s.Text()) {
			t.Fatalf("%s: IsSheet false", name)
		}
		got, err := ReadText(s.Text())
		if err != nil || got.String() != d.String() {
			t.Fatalf("%s: ReadText %v %v", name, got, err)
		}
	}
	s, _ := New(wallets(t)["wpkh"], date)
	for in, want := range map[string]string{
		strings.Replace(string(s.Text()), "Network:          bitcoin mainnet", "Network:          moonnet", 1): "unknown network \"moonnet\"",
		strings.Replace(string(s.Text()), "Network:", "Net:", 1):                                               "no \"Network:\" line",
		strings.Replace(string(s.Text()), "Network:          bitcoin mainnet", "Network:          regtest", 1): "mainnet",
	} {
		if _, err := ReadText([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadText: %v, want %q", err, want)
		}
	}
}

// TestRecoveryDocSaysWhatTheSheetSays: docs/recovery.md names the sheet's
// "descriptor:" line as the sheet does, says the wallet ID covers its
// #checksum, and sends a P2SH-P2WSH restore to the path the cosigner lines
// show rather than BIP48's …/1'.
func TestRecoveryDocSaysWhatTheSheetSays(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "recovery.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(doc)), " ")
	for _, want := range []string{"`descriptor:` line after `descriptor: `, **its `#checksum` included**", "the path on **that cosigner's line** of the sheet",
		"BIP86 and BIP341", "even Y", "BIP39 English word list", "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda", "--show-secret",
		"THIS KEY IS A COSIGNER OF A MULTISIG WALLET"} {
		if !strings.Contains(text, want) {
			t.Errorf("docs/recovery.md lacks %q", want)
		}
	}
	if strings.Contains(text, "`…/1'` for P2SH-P2WSH)") || strings.Contains(text, "coin h") {
		t.Errorf("docs/recovery.md still gives …/1' for P2SH-P2WSH or the placeholder \"coin h\"")
	}
	if !strings.Contains(descriptorHeading, `The "descriptor:" line`) || !strings.Contains(CosignerWarning, "THIS KEY IS A COSIGNER OF A MULTISIG WALLET") {
		t.Errorf("the sheet's names changed: update docs/recovery.md with them")
	}
}
