package offline

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/psbt/descriptor/descriptortest"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/sheet"
)

// drillWithSheet runs a drill of dir's keygen shares 1 and 3 against the
// wallet sheet src.
func drillWithSheet(t *testing.T, dir, src string, w ceremony.Wallet) (ceremony.Result, error) {
	t.Helper()
	def, _ := ceremony.Lookup("drill")
	return RunCeremony(context.Background(), testEnv(t), CeremonyOptions{Name: "drill", Log: filepath.Join(dir, "log.jsonl"), Sheet: src, AllowOnline: true},
		answers(t, def, drillAnswers(w, share(t, dir, 1), share(t, dir, 3))))
}

// TestKeygenWritesTheSheetAndTheDrillTakesIt: keygen writes the wallet
// sheet beside the descriptor and beside the cards; a drill given that
// sheet (its text, or a picture of its QR code) passes; a sheet of another
// wallet fails the drill; a damaged sheet is refused before any share.
func TestKeygenWritesTheSheetAndTheDrillTakesIt(t *testing.T) {
	dir, res := keygen(t)
	d, err := descriptor.Parse(res.Made.Descriptor, testEnv(t).Net)
	if err != nil {
		t.Fatal(err)
	}
	name := "wallet-sheet-" + d.ID()
	for _, f := range []string{"usb/" + name + ".txt", "usb/" + name + ".html", "cards/" + name + ".html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("keygen did not write %s: %v", f, err)
		}
	}
	text := filepath.Join(dir, "usb", name+".txt")
	got, err := drillWithSheet(t, dir, text, res.Made)
	if err != nil || !got.DrillPassed {
		t.Fatalf("drill with the sheet's text: %v", err)
	}

	s, _ := sheet.New(d, time.Now())
	parts, _ := s.QRParts()
	m, err := qrcode.Encode(parts[0], qrcode.LevelM, true)
	if err != nil {
		t.Fatal(err)
	}
	pic := filepath.Join(dir, "sheet-qr.png")
	f, _ := os.Create(pic)
	if err := png.Encode(f, m.Image(4)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got, err := drillWithSheet(t, dir, pic, res.Made); err != nil || !got.DrillPassed {
		t.Fatalf("drill with a picture of the sheet's QR code: %v", err)
	}

	other, _ := sheet.New(regtestWPKH(t), time.Now()) // a wallet of another key
	otherPath := filepath.Join(dir, "other-sheet.txt")
	os.WriteFile(otherPath, other.Text(), 0o644)
	if got, err := drillWithSheet(t, dir, otherPath, res.Made); err == nil || got.DrillPassed || !strings.Contains(err.Error(), "fingerprint") {
		t.Fatalf("a drill against another wallet's sheet: %v, want a failed comparison", err)
	}

	data, _ := os.ReadFile(text)
	damaged := filepath.Join(dir, "damaged.txt")
	os.WriteFile(damaged, []byte(strings.Replace(string(data), s.First[0], s.First[1], 1)), 0o644)
	env := testEnv(t)
	def, _ := ceremony.Lookup("drill")
	_, err = RunCeremony(context.Background(), env, CeremonyOptions{Name: "drill", Log: filepath.Join(dir, "log.jsonl"), Sheet: damaged, AllowOnline: true},
		answers(t, def, "ceremony: drill\nsecrets: drill\n"))
	if err == nil || !strings.Contains(err.Error(), "--sheet") || !strings.Contains(err.Error(), "receive address 0") {
		t.Fatalf("damaged sheet: %v", err)
	}
}

// TestDrillOfACosignerTakesTheMultisigSheet: a key made as a cosigner is
// drilled against the multisig's sheet; its test signature is its own
// place in the wallet, which verifies alone.
func TestDrillOfACosignerTakesTheMultisigSheet(t *testing.T) {
	dir := t.TempDir()
	env := testEnv(t)
	res, err := RunCeremony(context.Background(), env, CeremonyOptions{
		Name: "keygen", Answers: "testdata/keygen-2of3.answers", Log: filepath.Join(dir, "log.jsonl"),
		ExportDir: filepath.Join(dir, "usb"), ShareDir: filepath.Join(dir, "shares"), Cosigner: true, AllowOnline: true,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := os.ReadFile(filepath.Join(dir, "usb", "cosigner.txt"))
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{strings.TrimSpace(string(mine))}
	for _, w := range descriptortest.Wallets(t) {
		if w.Kind() == descriptor.WSHSortedMulti && w.Net() == env.Net {
			for _, k := range w.Keys()[:2] {
				keys = append(keys, k.String())
			}
		}
	}
	ms, err := descriptor.Parse("wsh(sortedmulti(2,"+strings.Join(keys, "/<0;1>/*,")+"/<0;1>/*))", env.Net)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := sheet.New(ms, time.Now())
	path := filepath.Join(dir, "multisig-sheet.txt")
	os.WriteFile(path, s.Text(), 0o644)
	w, err := walletOf(ms, res.Made.Fingerprint, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := drillWithSheet(t, dir, path, w)
	if err != nil || !got.DrillPassed {
		t.Fatalf("cosigner drill against the multisig sheet: %v\n%s", err, env.Stdout)
	}
	if got.Rebuilt.Descriptor != ms.String() {
		t.Fatalf("rebuilt %s, want the multisig", got.Rebuilt.Descriptor)
	}
}

// regtestWPKH is descriptortest's regtest wpkh wallet.
func regtestWPKH(t *testing.T) *descriptor.Descriptor {
	for _, d := range descriptortest.Wallets(t) {
		if d.Kind() == descriptor.WPKH && d.Net() == testEnv(t).Net && d.HasBranch(1) {
			return d
		}
	}
	t.Fatal("no regtest wpkh wallet in descriptortest")
	return nil
}

// linePrompter answers ReadLine with one fixed line.
type linePrompter struct{ line string }

func (p linePrompter) ReadSecret(string) ([]byte, error) { return nil, os.ErrInvalid }
func (p linePrompter) ReadLine(string) (string, error)   { return p.line, nil }

// TestSheetTyped: --sheet - takes the descriptor line typed from the
// paper; a slip is caught by its checksum, before any share is asked for.
func TestSheetTyped(t *testing.T) {
	d := regtestWPKH(t)
	env := testEnv(t)
	env.Prompter = linePrompter{"  " + d.String()}
	got, err := readSheetSource(env, "-")
	if err != nil || got.String() != d.String() {
		t.Fatalf("typed descriptor line: %v %v", got, err)
	}
	slip := []byte(d.String())
	slip[20] ^= 0x20 // a letter in the wrong case
	env.Prompter = linePrompter{string(slip)}
	if _, err := readSheetSource(env, "-"); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("a slip in the typed line: %v", err)
	}
	env.Prompter = linePrompter{strings.Split(d.String(), "#")[0]}
	if _, err := readSheetSource(env, "-"); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("a line without its checksum: %v", err)
	}
}
