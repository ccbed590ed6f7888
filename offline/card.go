package offline

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airsign/airsign/shamir"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/qrcode"
)

// CardOptions are the inputs of `shares card`.
type CardOptions struct {
	ShareFiles []string
	OutDir     string
	// Now is the date printed on the card (tests fix it).
	Now time.Time
}

// cardTemplate is one printable page per share: the text in blocks large
// enough to read aloud, the same text as a QR code (paper error correction),
// what the share is, and lines for the holder's name and signature.
var cardTemplate = template.Must(template.New("card").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>airsign share {{.Index}} of {{.Count}} — set {{.SetID}}</title>
<style>
@page { size: A5 landscape; margin: 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #000; }
.card { border: 2px solid #000; padding: 8mm; max-width: 180mm; }
h1 { font-size: 16pt; margin: 0 0 4mm 0; }
.meta { font-size: 10pt; margin-bottom: 4mm; }
.text { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 15pt; line-height: 1.6; letter-spacing: 0.5pt; }
.row { display: flex; gap: 8mm; align-items: flex-start; }
img { width: 55mm; height: 55mm; image-rendering: pixelated; }
.sign { margin-top: 8mm; font-size: 10pt; }
.sign div { margin-top: 4mm; }
.line { display: inline-block; border-bottom: 1px solid #000; width: 70mm; height: 6mm; margin-right: 6mm; }
.line.short { width: 30mm; }
.warn { font-size: 9pt; margin-top: 4mm; }
</style></head><body><div class="card">
<h1>airsign key share {{.Index}} of {{.Count}}</h1>
<div class="meta">Set <b>{{.SetID}}</b> · any <b>{{.Threshold}}</b> of {{.Count}} shares rebuild key <b>{{.Fingerprint}}</b> · printed {{.Date}}</div>
<div class="row">
<div class="text">{{range .Lines}}{{.}}<br>{{end}}</div>
<img alt="QR code of share {{.Index}}" src="data:image/png;base64,{{.QR}}">
</div>
<div class="sign"><div>Holder name <span class="line"></span></div><div>Signature <span class="line"></span> Date <span class="line short"></span></div></div>
<div class="warn">Keep this card secret and apart from the other shares. The format is described in airsign's docs/shares.md; any {{.Threshold}} cards recover the key without airsign.</div>
</div></body></html>
`))

// SharesCard writes a printable card (HTML with the share's QR code) for
// each share file given. Every QR code is decoded back before it is written.
func SharesCard(env *Env, opts CardOptions) error {
	if opts.OutDir == "" {
		return fmt.Errorf("give --out-dir DIR for the cards")
	}
	shares, err := readShares(env, opts.ShareFiles)
	if err != nil {
		return err
	}
	defer wipeShares(shares)
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if err := os.MkdirAll(opts.OutDir, 0o700); err != nil {
		return err
	}
	env.Warnf("cards hold the share in clear: print them and delete the files")
	for _, s := range shares {
		page, err := renderCard(s, opts.Now)
		if err != nil {
			return err
		}
		path := filepath.Join(opts.OutDir, fmt.Sprintf("card-%d.html", s.Index))
		err = file.WriteAtomic(path, page, 0o600)
		wipe(page)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "wrote %s\n", path)
	}
	return nil
}

func renderCard(s shamir.Share, now time.Time) ([]byte, error) {
	text, err := s.MarshalText()
	if err != nil {
		return nil, err
	}
	defer wipe(text)
	compact, err := s.MarshalCompact()
	if err != nil {
		return nil, err
	}
	defer wipe(compact)
	m, err := qrcode.Encode(string(compact), qrcode.LevelM, true)
	if err != nil {
		return nil, err
	}
	img := m.Image(8)
	got, err := qrcode.DecodeImage(img)
	if err != nil || len(got) != 1 || got[0] != string(compact) {
		return nil, fmt.Errorf("share %d: the card's QR code does not read back; nothing was written", s.Index)
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		return nil, err
	}
	blocks := strings.Fields(string(text))
	var lines []string
	for i := 0; i < len(blocks); i += 6 {
		lines = append(lines, strings.Join(blocks[i:min(i+6, len(blocks))], " "))
	}
	var out bytes.Buffer
	err = cardTemplate.Execute(&out, map[string]any{
		"Index": s.Index, "Count": s.Count, "SetID": s.SetID.String(), "Threshold": s.Threshold,
		"Fingerprint": s.Fingerprint.String(), "Date": now.UTC().Format("2006-01-02"),
		"Lines": lines, "QR": base64.StdEncoding.EncodeToString(pngBuf.Bytes()),
	})
	return out.Bytes(), err
}
