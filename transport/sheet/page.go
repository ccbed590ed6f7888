package sheet

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"

	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/ur"
	"github.com/airsign/airsign/transport/ur/urdescriptor"
)

// QRParts returns the sheet's QR content: the descriptor as one UR
// crypto-output (what Sparrow, Keystone and airsign read) when it fits one
// printed code at level M, else as the fewest numbered UR parts that do
// (a multisig of many keys), every part needed.
func (s *Sheet) QRParts() ([]string, error) {
	msg, err := urdescriptor.Encode(s.Desc)
	if err != nil {
		return nil, err
	}
	single, err := ur.Encode(urdescriptor.TypeCryptoOutput, msg)
	if err != nil {
		return nil, err
	}
	if _, err := qrcode.Encode(single, qrcode.LevelM, true); err == nil {
		return []string{single}, nil
	}
	enc, err := ur.NewEncoder(urdescriptor.TypeCryptoOutput, msg, 600)
	if err != nil {
		return nil, err
	}
	parts := make([]string, enc.SeqLen())
	for i := range parts {
		parts[i] = enc.Part(uint32(i + 1))
	}
	return parts, nil
}

// pageTemplate fits one A4 or Letter page: the QR code top right, the
// plain words beside it, then the descriptor and the addresses in a
// monospace font that tells 0 from O and 1 from l.
var pageTemplate = template.Must(template.New("sheet").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>airsign wallet backup sheet — wallet {{.ID}}</title>
<style>
@page { size: A4 portrait; margin: 11mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9pt; color: #000; margin: 0; }
h1 { font-size: 14pt; margin: 0 0 2mm 0; }
.note { border: 1.5px solid #000; padding: 1.5mm 2.5mm; margin-bottom: 3mm; font-weight: bold; }
.top { display: flex; gap: 5mm; align-items: flex-start; }
table { border-collapse: collapse; }
td { vertical-align: top; padding: 0.4mm 2mm 0.4mm 0; }
td.l { font-weight: bold; white-space: nowrap; }
.mono { font-family: "DejaVu Sans Mono", "Courier New", monospace; overflow-wrap: anywhere; word-break: break-all; }
.qr { text-align: center; font-size: 7.5pt; }
.qr img { width: {{.QRWidth}}mm; height: {{.QRWidth}}mm; image-rendering: pixelated; display: block; }
h2 { font-size: 10pt; margin: 3mm 0 1mm 0; }
.desc { font-size: 8.5pt; border: 1px solid #000; padding: 1.5mm; }
.small { font-size: 7.5pt; }
ol { margin: 0; padding-left: 7mm; } li { font-size: 9.5pt; }
.foot { margin-top: 3mm; font-size: 8.5pt; }
</style></head><body>
<h1>airsign wallet backup sheet · wallet {{.ID}}</h1>
<div class="note">{{.Note}}</div>
<div class="top">
<table>{{range .Fields}}<tr><td class="l">{{.Label}}</td><td{{if not .Label}} class="mono small"{{end}}>{{.Value}}</td></tr>{{end}}</table>
<div class="qr">{{range $i, $q := .QR}}<img alt="QR code {{$q.N}} of the descriptor" src="data:image/png;base64,{{$q.PNG}}">{{if gt (len $.QR) 1}}code {{$q.N}} of {{len $.QR}}<br>{{end}}{{end}}UR crypto-output (Sparrow: scan;<br>airsign: drill --sheet)</div>
</div>
<h2>{{.DescHeading}}</h2>
<div class="mono desc">descriptor: {{.Descriptor}}</div>
{{if .Receive}}<h2>The same wallet as two descriptors, for software without &lt;0;1&gt;</h2>
<div class="mono small">receive: {{.Receive}}</div>
<div class="mono small" style="margin-top:1mm">change: {{.Change}}</div>{{end}}
<h2>First receive addresses: a restored wallet must show exactly these</h2>
<ol start="0" class="mono">{{range .First}}<li>{{.}}</li>{{end}}</ol>
<div class="foot">{{.Keys}}</div>
<div class="foot">Made {{.Date}} by airsign-offline. Compare the wallet ID and the first address with the ceremony checklist.</div>
</body></html>
`))

type qrImage struct {
	N   int
	PNG string
}

// HTML renders the printable page. Every QR code is drawn, decoded back
// with airsign's reader, and the codes together must give the sheet's
// descriptor again before the page is returned.
func (s *Sheet) HTML() ([]byte, error) {
	parts, err := s.QRParts()
	if err != nil {
		return nil, err
	}
	var imgs []qrImage
	var read []string
	for i, p := range parts {
		m, err := qrcode.Encode(p, qrcode.LevelM, true)
		if err != nil {
			return nil, fmt.Errorf("wallet sheet QR code %d: %w", i+1, err)
		}
		img := m.Image(4)
		got, err := qrcode.DecodeImage(img)
		if err != nil || len(got) != 1 || got[0] != p {
			return nil, fmt.Errorf("wallet sheet QR code %d does not read back (%v); nothing was written", i+1, err)
		}
		read = append(read, got[0])
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return nil, err
		}
		imgs = append(imgs, qrImage{N: i + 1, PNG: base64.StdEncoding.EncodeToString(buf.Bytes())})
	}
	back, err := urdescriptor.DecodeParts(read)
	if err != nil || back.Text != s.Desc.String() {
		return nil, fmt.Errorf("the wallet sheet's QR code reads back as another descriptor (%v); nothing was written", err)
	}
	width := 62
	if len(imgs) > 1 {
		width = 45
	}
	var out bytes.Buffer
	err = pageTemplate.Execute(&out, map[string]any{
		"ID": s.Desc.ID(), "Note": privacyNote, "Fields": s.Fields(), "QR": imgs, "QRWidth": width,
		"Descriptor": s.Desc.String(), "DescHeading": descriptorHeading, "Receive": s.Receive, "Change": s.Change, "First": s.First,
		"Keys": s.keysNote(), "Date": s.Date.UTC().Format("2006-01-02"),
	})
	return out.Bytes(), err
}
