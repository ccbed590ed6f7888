package offline

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/sheet"
)

// writeSheet writes the wallet backup sheet of d into dir, as a printable
// page (wallet-sheet-ID.html) and as text (wallet-sheet-ID.txt), and
// returns what it wrote with SHA-256 hashes for a ceremony log. The sheet
// holds no secret (0644), but it shows the whole wallet: it is private.
func writeSheet(dir string, d *descriptor.Descriptor, now time.Time, pass sheetExtra) ([]ceremony.Artefact, error) {
	s, err := sheet.New(d, now)
	if err != nil {
		return nil, err
	}
	if pass.fingerprint != "" {
		s.PassphraseKeys, s.PassphraseHolder = []string{pass.fingerprint}, pass.holder
		s.SharesKey, s.SharesSetID = pass.sharesKey, pass.setID
	}
	s.Cosigner = pass.cosigner
	page, err := s.HTML()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var arts []ceremony.Artefact
	for _, f := range []struct {
		ext  string
		data []byte
	}{{".html", page}, {".txt", s.Text()}} {
		name := s.FileName() + f.ext
		if err := file.WriteAtomic(filepath.Join(dir, name), f.data, 0o644); err != nil {
			return nil, fmt.Errorf("writing the wallet sheet: %w", err)
		}
		sum := sha256.Sum256(f.data)
		arts = append(arts, ceremony.Artefact{Name: name, SHA256: hex.EncodeToString(sum[:])})
	}
	return arts, nil
}

// sheetExtra is what the sheet says besides the wallet: the fingerprint
// of the key that needs a passphrase ("" for none), who keeps it, if
// known, and what that key's cards print (the words' fingerprint and the
// share set ID); and, for a key made as a multisig cosigner, its cosigner
// export.
type sheetExtra struct {
	fingerprint, holder string
	sharesKey, setID    string
	cosigner            *descriptor.Key
}

// sheetNote tells the operator where the sheet is and what to do with it.
func sheetNote(env *Env, dir string, d *descriptor.Descriptor) {
	// The path on a line of its own: it is copied, and must not be cut.
	fmt.Fprint(env.Stderr, ceremonyText(fmt.Sprintf("wrote the wallet backup sheet (and its .txt beside it):\n  %s.html\n"+
		"print it with docs/shares.md and docs/recovery.md and keep a copy with every share card; it is private (it shows every address), not secret\n",
		filepath.Join(dir, "wallet-sheet-"+d.ID()))))
}

// readSheetSource reads the wallet a drill checks against from the wallet
// backup sheet: its text file, a picture of the printed sheet or of its QR
// code (scanned or photographed), or "-" for the descriptor line typed
// from the paper (its checksum catches a slip).
func readSheetSource(env *Env, src string) (*descriptor.Descriptor, error) {
	var data []byte
	switch {
	case src == "-":
		if env.Prompter == nil {
			return nil, errors.New("no terminal to type the sheet's descriptor line on")
		}
		line, err := env.Prompter.ReadLine("Type the descriptor line of the wallet sheet (after \"descriptor:\", with its #checksum): ")
		if err != nil {
			return nil, err
		}
		data = []byte(line)
	case transport.IsQRPicture(src):
		texts, err := qrcode.DecodePaths([]string{src})
		if len(texts) == 0 {
			if err == nil {
				err = errors.New("no QR code found in the picture")
			}
			return nil, err
		}
		data = []byte(strings.Join(texts, "\n"))
	default:
		var err error
		if data, err = os.ReadFile(src); err != nil {
			return nil, err
		}
	}
	d, err := sheet.Read(data, env.Net)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(env.Stderr, "wallet sheet: %s %s wallet %s, first receive address %s\n", sheet.NetworkName(d.Net()), d.Kind(), d.ID(), firstAddress(d))
	return d, nil
}

func firstAddress(d *descriptor.Descriptor) string {
	a, err := d.FirstAddress()
	if err != nil {
		return "(none)"
	}
	return a
}
