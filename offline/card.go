package offline

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/shamir"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/sheet"
	"github.com/btcsuite/btcd/chaincfg"
)

// walletHasKey reports whether the key of fingerprint fp is one of w's.
func walletHasKey(w *descriptor.Descriptor, fp shamir.Fingerprint) bool {
	for _, k := range w.Keys() {
		if k.MasterFingerprint == [4]byte(fp) {
			return true
		}
	}
	return false
}

// readWalletArg reads a wallet given as a descriptor, or a file holding
// one, a BSMS record, an enrollment, or the wallet sheet's text.
func readWalletArg(arg string, net *chaincfg.Params) (*descriptor.Descriptor, error) {
	text, err := descriptorText(arg)
	if err != nil {
		return nil, err
	}
	return sheet.Read([]byte(text), net)
}

// CardOptions are the inputs of `shares card`.
type CardOptions struct {
	ShareFiles []string
	OutDir     string
	// Now is the date printed on the card (tests fix it).
	Now time.Time
	// Wallet, if given (a descriptor, or a file holding one or the wallet
	// sheet), is named on every card: wallet ID, script type, network.
	Wallet string
	// AllowOnline reads shares on a machine that is not air-gapped (logged).
	AllowOnline bool
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
.card { border: 2px solid #000; padding: 7mm; max-width: 180mm; }
h1 { font-size: 16pt; margin: 0 0 3mm 0; }
.meta { font-size: 10pt; margin-bottom: 3mm; }
.row { display: flex; gap: 7mm; align-items: flex-start; }
table.blocks { border-collapse: collapse; }
table.blocks td { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 15pt; padding: 0 2.2mm; letter-spacing: 0.5pt; }
table.blocks tr.n td { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 7pt; color: #555; text-align: center; padding-top: 1.5mm; letter-spacing: 0; }
img { width: 50mm; height: 50mm; image-rendering: pixelated; }
.sign { margin-top: 6mm; font-size: 10pt; }
.sign div { margin-top: 4mm; }
.line { display: inline-block; border-bottom: 1px solid #000; width: 70mm; height: 6mm; margin-right: 6mm; }
.line.short { width: 30mm; }
.warn { font-size: 8.5pt; margin-top: 4mm; }
.xpub { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 7pt; overflow-wrap: anywhere; word-break: break-all; }
</style></head><body><div class="card">
<h1>airsign key share {{.Index}} of {{.Count}}</h1>
<div class="meta">Set <b>{{.SetID}}</b> · any <b>{{.Threshold}}</b> of {{.Count}} shares rebuild key <b>{{.Fingerprint}}</b> · printed {{.Date}}<br>
{{if .Cosigner}}<b>{{.CosignerWarning}}</b><br>
As cosigner: fingerprint {{.Fingerprint}}, path {{.CosignerPath}} · {{.Network}} · <span class="xpub">{{.CosignerXPub}}</span><br>
Single-key test wallet {{.WalletID}} (holds nothing){{else if .WalletID}}Wallet <b>{{.WalletID}}</b> · {{.Script}} · {{.Network}}{{if .Passphrase}} · <b>needs the BIP39 passphrase too</b> (its holder is named on the sheet){{end}}{{else}}Wallet: see the wallet backup sheet kept with this card{{end}}</div>
<div class="row">
<table class="blocks">{{range .Rows}}<tr class="n">{{range .}}<td>{{.N}}</td>{{end}}</tr><tr>{{range .}}<td>{{printf "%s" .Text}}</td>{{end}}</tr>{{end}}</table>
<img alt="QR code of share {{.Index}}" src="data:image/png;base64,{{.QR}}">
</div>
<div class="sign"><div>Holder name <span class="line"></span></div><div>Signature <span class="line"></span> Date <span class="line short"></span></div></div>
<div class="warn">Keep this card secret and apart from the other shares; keep the wallet backup sheet with it. Copy the blocks, not their small numbers. Format: {{.Spec}}: any {{.Threshold}} cards recover the key without airsign (docs/recovery.md).</div>
</div></body></html>
`))

// SharesCard writes a printable card (HTML with the share's QR code) for
// each share file given. Every QR code is decoded back before it is written.
func SharesCard(env *Env, opts CardOptions) error {
	if opts.OutDir == "" {
		return fmt.Errorf("give --out-dir DIR for the cards")
	}
	var wallet *descriptor.Descriptor
	if opts.Wallet != "" {
		w, err := readWalletArg(opts.Wallet, env.Net)
		if err != nil {
			return fmt.Errorf("--wallet: %w", err)
		}
		wallet = w
	}
	if err := requireAirgapForSecrets(env, opts.AllowOnline); err != nil {
		return err
	}
	shares, err := readShares(env, opts.ShareFiles, 0)
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
		page, err := renderCard(s, opts.Now, cardWallet{d: wallet})
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

// cardWallet is what a card says of the wallet its key belongs to.
type cardWallet struct {
	// d, when known, is the wallet; a card whose fingerprint is not in d
	// does not name it, unless ours says d is the wallet of the very key
	// split (a ceremony's: with a passphrase, d's fingerprint is not the
	// words', which the card carries).
	d    *descriptor.Descriptor
	ours bool
	// passphrase: the key needs a BIP39 passphrase besides the words.
	passphrase bool
	// cosigner is the key's multisig cosigner export when it was made as
	// one: the card then says the wallet is the multisig.
	cosigner *descriptor.Key
}

// renderCard draws one share's card, naming what w says of its wallet.
func renderCard(s shamir.Share, now time.Time, cw cardWallet) ([]byte, error) {
	w := cw.d
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
	var walletID, script, network string
	if w != nil && (cw.ours || walletHasKey(w, s.Fingerprint)) {
		walletID, script, network = w.ID(), sheet.ScriptType(w.Kind()), sheet.NetworkName(w.Net())
	}
	var cosPath, cosXPub string
	if c := cw.cosigner; c != nil && walletID != "" && !w.Kind().IsMultisig() {
		cosPath, cosXPub = descriptor.FormatPath(c.Path), c.XPub.String()
	}
	var out bytes.Buffer
	err = cardTemplate.Execute(&out, map[string]any{
		"Index": s.Index, "Count": s.Count, "SetID": s.SetID.String(), "Threshold": s.Threshold,
		"Fingerprint": s.Fingerprint.String(), "Date": now.UTC().Format("2006-01-02"),
		"Rows": shamir.Rows(text), "QR": base64.StdEncoding.EncodeToString(pngBuf.Bytes()),
		"Spec": sheet.Spec, "WalletID": walletID, "Script": script, "Network": network,
		"Passphrase": cw.passphrase && walletID != "", "Cosigner": cosXPub != "", "CosignerPath": cosPath, "CosignerXPub": cosXPub,
		"CosignerWarning": sheet.CosignerWarning,
	})
	return out.Bytes(), err
}
