package sheet

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/airsign/airsign/transport/qrcode"
)

// TestPrintedPage prints multisig and single-key sheets the way a person
// would (HTML → PDF with headless Chromium → a 110 dpi page image with
// pdftoppm) and checks that the page is one page, and that zbar (zbarimg)
// and airsign's own reader both read the QR code off the page image back
// to the sheet's descriptor. It needs chromium, pdfinfo, pdftoppm and
// zbarimg (Debian: chromium, poppler-utils, zbar-tools) and runs only with
// AIRSIGN_PRINT=1 (Chromium takes seconds per page).
func TestPrintedPage(t *testing.T) {
	if os.Getenv("AIRSIGN_PRINT") == "" {
		t.Skip("set AIRSIGN_PRINT=1 to print sheets with chromium and read them with zbar")
	}
	for _, tool := range []string{"chromium", "pdfinfo", "pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not installed: %v", tool, err)
		}
	}
	dir := t.TempDir()
	for name, d := range wallets(t) {
		if name != "wsh-sortedmulti" && name != "regtest-tr" {
			continue
		}
		s, _ := New(d, time.Now())
		page, err := s.HTML()
		if err != nil {
			t.Fatal(err)
		}
		html := filepath.Join(dir, name+".html")
		pdf := filepath.Join(dir, name+".pdf")
		os.WriteFile(html, page, 0o644)
		if out, err := exec.Command("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--print-to-pdf="+pdf, html).CombinedOutput(); err != nil {
			t.Fatalf("chromium: %v\n%s", err, out)
		}
		info, _ := exec.Command("pdfinfo", pdf).Output()
		if !strings.Contains(string(info), "Pages:           1\n") {
			t.Errorf("%s: the sheet does not print on one page:\n%s", name, info)
		}
		if out, err := exec.Command("pdftoppm", "-r", "110", "-png", "-singlefile", pdf, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v\n%s", err, out)
		}
		img := filepath.Join(dir, name+".png")
		zbar, err := exec.Command("zbarimg", "-q", "--raw", img).Output()
		if err != nil {
			t.Fatalf("%s: zbarimg: %v", name, err)
		}
		ours, err := qrcode.DecodePaths([]string{img})
		if err != nil {
			t.Fatalf("%s: our reader: %v", name, err)
		}
		for who, text := range map[string]string{"zbar": strings.TrimSpace(string(zbar)), "airsign": strings.Join(ours, "\n")} {
			got, err := Read([]byte(text), d.Net())
			if err != nil || got.String() != d.String() {
				t.Errorf("%s: %s read the printed QR as %v (%v)", name, who, got, err)
			}
		}
	}
}
