package bip39

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"golang.org/x/text/unicode/norm"
)

const englishSHA256 = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"

func TestWordlistHash(t *testing.T) {
	sum := sha256.Sum256([]byte(englishTxt))
	if got := hex.EncodeToString(sum[:]); got != englishSHA256 {
		t.Fatalf("english.txt SHA-256 = %s, want %s", got, englishSHA256)
	}
	if len(Words()) != 2048 || Words()[0] != "abandon" || Words()[2047] != "zoo" {
		t.Fatal("word list is not the BIP39 English list")
	}
}

type vector struct {
	entropy, mnemonic, seed, xprv string
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string][][4]string
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	var vs []vector
	for _, v := range raw["english"] {
		vs = append(vs, vector{v[0], v[1], v[2], v[3]})
	}
	if len(vs) != 24 {
		t.Fatalf("got %d English vectors, want 24", len(vs))
	}
	return vs
}

func TestVectors(t *testing.T) {
	for i, v := range loadVectors(t) {
		ent, _ := hex.DecodeString(v.entropy)
		m, err := EntropyToMnemonic(ent)
		if err != nil {
			t.Fatalf("vector %d: EntropyToMnemonic: %v", i, err)
		}
		if string(m) != v.mnemonic {
			t.Errorf("vector %d: mnemonic = %q, want %q", i, m, v.mnemonic)
		}
		back, err := MnemonicToEntropy([]byte(v.mnemonic))
		if err != nil {
			t.Fatalf("vector %d: MnemonicToEntropy: %v", i, err)
		}
		if !bytes.Equal(back, ent) {
			t.Errorf("vector %d: entropy = %x, want %s", i, back, v.entropy)
		}
		seed, err := Seed([]byte(v.mnemonic), []byte("TREZOR"))
		if err != nil {
			t.Fatalf("vector %d: Seed: %v", i, err)
		}
		if hex.EncodeToString(seed) != v.seed {
			t.Errorf("vector %d: seed = %x, want %s", i, seed, v.seed)
		}
		master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
		if err != nil {
			t.Fatalf("vector %d: NewMaster: %v", i, err)
		}
		if got := master.String(); got != v.xprv {
			t.Errorf("vector %d: xprv = %s, want %s", i, got, v.xprv)
		}
	}
}

// The seed hashes the canonical sentence, so odd spacing and case must
// not change it.
func TestNormalisation(t *testing.T) {
	v := loadVectors(t)[0]
	messy := "  " + strings.ToUpper(strings.ReplaceAll(v.mnemonic, " ", " \t\n  ")) + "\r\n"
	ent, err := MnemonicToEntropy([]byte(messy))
	if err != nil || hex.EncodeToString(ent) != v.entropy {
		t.Fatalf("MnemonicToEntropy(messy) = %x, %v", ent, err)
	}
	seed, err := Seed([]byte(messy), []byte("TREZOR"))
	if err != nil || hex.EncodeToString(seed) != v.seed {
		t.Fatalf("Seed(messy) = %x, %v", seed, err)
	}
}

func TestEmptyPassphrase(t *testing.T) {
	// BIP84's test mnemonic; its root key is given in BIP84 itself.
	m := []byte("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	seed, err := Seed(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	const want = "xprv9s21ZrQH143K3GJpoapnV8SFfukcVBSfeCficPSGfubmSFDxo1kuHnLisriDvSnRRuL2Qrg5ggqHKNVpxR86QEC8w35uxmGoggxtQTPvfUu"
	if got := master.String(); got != want {
		t.Fatalf("root = %s, want %s", got, want)
	}
}

func TestBadEntropy(t *testing.T) {
	for _, n := range []int{0, 1, 15, 17, 18, 31, 33, 64} {
		if _, err := EntropyToMnemonic(make([]byte, n)); err == nil {
			t.Errorf("EntropyToMnemonic(%d bytes) succeeded", n)
		}
	}
}

func TestBadMnemonics(t *testing.T) {
	abandon11 := strings.Repeat("abandon ", 11)
	tests := []struct {
		name, mnemonic, wantErr string
		secret                  string // must not appear in the error
	}{
		{"empty", "", "has 0 words", ""},
		{"eleven", strings.TrimSpace(abandon11), "has 11 words", ""},
		{"thirteen", abandon11 + "about about", "has 13 words", ""},
		{"unknown word", abandon11 + "abacus", "word 12 is not in the BIP39 English list", "abacus"},
		{"unknown first", "zebraa " + strings.Repeat("abandon ", 10) + "about", "word 1 is not in the BIP39 English list", "zebraa"},
		{"word 7", "abandon abandon abandon abandon abandon abandon abandom abandon abandon abandon abandon about", "word 7 is not", "abandom"},
		{"prefix only", "aban " + strings.Repeat("abandon ", 10) + "about", "word 1 is not", "aban"},
		{"long junk", strings.Repeat("abandon ", 11) + strings.Repeat("x", 100), "word 12 is not", "xxxx"},
		{"non-ascii", strings.Repeat("abandon ", 11) + "abóut", "word 12 is not", "abóut"},
		{"checksum", abandon11 + "abandon", "checksum is wrong", ""},
		{"swapped", "about abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon", "checksum is wrong", ""},
		{"zoo checksum", strings.Repeat("zoo ", 12), "checksum is wrong", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ent, err := MnemonicToEntropy([]byte(tt.mnemonic))
			if err == nil {
				t.Fatalf("accepted, entropy %x", ent)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q leaks the word %q", err, tt.secret)
			}
			if _, serr := Seed([]byte(tt.mnemonic), nil); serr == nil || serr.Error() != err.Error() {
				t.Errorf("Seed error = %v, want %v", serr, err)
			}
		})
	}
	_, err := MnemonicToEntropy([]byte(abandon11 + "abandon"))
	if !errors.Is(err, ErrChecksum) {
		t.Errorf("checksum error %v is not ErrChecksum", err)
	}
}

func TestBadPassphrase(t *testing.T) {
	m := []byte(strings.Repeat("abandon ", 11) + "about")
	tests := []struct{ pass, want string }{
		{"tab\there", "passphrase character 4 is a control character"},
		{"secret\n", "passphrase character 7 is a control character"},
		{"\x00", "passphrase character 1 is a control character"},
		{"del\x7f", "passphrase character 4 is a control character"},
		{"caf\xe9", "passphrase character 4 is not valid UTF-8"},
		{"ok\xc3", "passphrase character 3 is not valid UTF-8"},
	}
	for _, tt := range tests {
		_, err := Seed(m, []byte(tt.pass))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Seed with passphrase %q: err = %v, want %q", tt.pass, err, tt.want)
		}
	}
	if _, err := Seed(m, []byte(" ~!All printable ASCII 0123456789 ")); err != nil {
		t.Errorf("printable ASCII passphrase refused: %v", err)
	}
}

// BIP39 hashes the NFKD form of the passphrase: composed and decomposed
// spellings of the same text give one seed, equal to the seed of the
// explicit NFKD bytes; a different text gives another.
func TestPassphraseNFKD(t *testing.T) {
	m := []byte(strings.Repeat("abandon ", 11) + "about")
	seed := func(p string) string {
		s, err := Seed(m, []byte(p))
		if err != nil {
			t.Fatalf("Seed(%q): %v", p, err)
		}
		return hex.EncodeToString(s)
	}
	composed := seed("caf\u00e9 \u2460")    // é as one code point, circled digit one
	decomposed := seed("cafe\u0301 \u2460") // e + combining acute
	nfkd := seed("cafe\xcc\x81 1")          // the NFKD bytes themselves
	if composed != decomposed || composed != nfkd {
		t.Errorf("NFKD spellings give different seeds: %s %s %s", composed, decomposed, nfkd)
	}
	if seed("cafe") == composed || seed("caf\u00e9") == composed {
		t.Error("different passphrases give the same seed")
	}
}

// The Japanese vectors' passphrase "㍍ガバヴァぱばぐゞちぢ十人十色" changes
// under NFKD (㍍ becomes メートル, voiced kana decompose), so they check
// that the salt is normalised exactly as BIP39 says. airsign reads only
// English mnemonics; the Japanese sentence is NFKD-normalised here, as
// BIP39 specifies for the mnemonic, and fed to the seed function.
func TestPassphraseNFKDJapaneseVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/test_JP_BIP39.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []struct {
		Phrase string `json:"mnemonic"`
		Salt   string `json:"passphrase"`
		Seed   string `json:"seed"`
		Xprv   string `json:"bip32_xprv"`
	}
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 24 {
		t.Fatalf("got %d Japanese vectors, want 24", len(vs))
	}
	if norm.NFKD.String(vs[0].Salt) == vs[0].Salt {
		t.Fatal("the vectors' passphrase is already NFKD; it would not test normalisation")
	}
	for i, v := range vs {
		s, err := seed([]byte(norm.NFKD.String(v.Phrase)), []byte(v.Salt))
		if err != nil {
			t.Fatalf("vector %d: %v", i, err)
		}
		if hex.EncodeToString(s) != v.Seed {
			t.Errorf("vector %d: seed %x, want %s", i, s, v.Seed)
		}
		master, err := hdkeychain.NewMaster(s, &chaincfg.MainNetParams)
		if err != nil || master.String() != v.Xprv {
			t.Errorf("vector %d: xprv %v, %v", i, master, err)
		}
	}
}

func TestWordHelpers(t *testing.T) {
	if !IsWord([]byte("abandon")) || IsWord([]byte("Abandon")) || IsWord([]byte("aban")) || IsWord(nil) {
		t.Error("IsWord is wrong")
	}
	// Every word is determined by its first four letters.
	for _, w := range Words() {
		p := w
		if len(p) > 4 {
			p = p[:4]
		}
		got, ok := Complete([]byte(p))
		if !ok || got != w {
			t.Fatalf("Complete(%q) = %q, %v; want %q", p, got, ok, w)
		}
	}
	for _, p := range []string{"", "a", "ab", "abs", "xyz", "abandonx", "Abandon"} {
		if got, ok := Complete([]byte(p)); ok {
			t.Errorf("Complete(%q) = %q, want no match", p, got)
		}
	}
	// Words returns a copy.
	w := Words()
	w[0] = "changed"
	if Words()[0] != "abandon" {
		t.Error("Words exposes the internal list")
	}
}

// Every entropy length round-trips, for many values.
func TestRoundTrip(t *testing.T) {
	for n := 16; n <= 32; n += 4 {
		for seed := 0; seed < 64; seed++ {
			ent := make([]byte, n)
			for i := range ent {
				ent[i] = byte(seed*31 + i*7 + seed*i)
			}
			m, err := EntropyToMnemonic(ent)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(strings.Fields(string(m))); got != n*3/4 {
				t.Fatalf("%d bytes gave %d words", n, got)
			}
			back, err := MnemonicToEntropy(m)
			if err != nil || !bytes.Equal(back, ent) {
				t.Fatalf("round trip of %x: %x, %v", ent, back, err)
			}
		}
	}
}

// errTemplate matches every error MnemonicToEntropy may return; anything
// else might carry part of the secret input.
var errTemplate = regexp.MustCompile(`^bip39: (the mnemonic has \d+ words; it must have 12, 15, 18, 21 or 24|word \d+ is not in the BIP39 English list|the mnemonic's checksum is wrong: a word is mistyped or the order is wrong)$`)

func FuzzMnemonicToEntropy(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add([]byte(v.mnemonic))
	}
	f.Add([]byte(strings.Repeat("abandon ", 12)))
	f.Add([]byte("  ZOO zoo\tzoo zoo zoo zoo zoo zoo zoo zoo zoo wrong\n"))
	f.Fuzz(func(t *testing.T, m []byte) {
		ent, err := MnemonicToEntropy(m)
		if err != nil {
			if !errTemplate.MatchString(err.Error()) {
				t.Fatalf("error %q is not one of the fixed messages (it may echo input)", err)
			}
			return
		}
		// Accepted: the canonical mnemonic must round-trip.
		canon, err := EntropyToMnemonic(ent)
		if err != nil {
			t.Fatalf("entropy %x from an accepted mnemonic: %v", ent, err)
		}
		if got := strings.Join(strings.Fields(strings.ToLower(string(m))), " "); got != string(canon) {
			t.Fatalf("canonical %q != normalised input %q", canon, got)
		}
	})
}

func BenchmarkSeed(b *testing.B) {
	m := []byte(strings.Repeat("abandon ", 11) + "about")
	for b.Loop() {
		if _, err := Seed(m, []byte("TREZOR")); err != nil {
			b.Fatal(err)
		}
	}
}
