package sheet

import (
	"errors"
	"fmt"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/ur"
	"github.com/airsign/airsign/transport/ur/urdescriptor"
	"github.com/btcsuite/btcd/chaincfg"
)

// MaxSize bounds the text Read takes: a sheet of 16 cosigners is under
// 16 KiB.
const MaxSize = 64 << 10

// Read takes the wallet back from what a person has of the sheet: the
// sheet's text file, the text of its QR code(s) (UR crypto-output parts,
// one per line, as a scanner types them), or the descriptor line typed by
// hand. The descriptor must carry its checksum (BIP380): typed from paper,
// the checksum is what catches a wrong character. When the text is a whole
// sheet, its wallet ID and first addresses must agree with its descriptor.
func Read(data []byte, net *chaincfg.Params) (*descriptor.Descriptor, error) {
	if len(data) > MaxSize {
		return nil, fmt.Errorf("the wallet sheet is larger than %d bytes: not a sheet", MaxSize)
	}
	text := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	if text == "" {
		return nil, errors.New("the wallet sheet is empty: give the sheet's text file, its QR code or its descriptor line")
	}
	fields := strings.Fields(text)
	if ur.IsUR(fields[0]) {
		dec, err := urdescriptor.DecodeParts(fields)
		if err != nil {
			return nil, fmt.Errorf("the wallet sheet's QR code: %w", err)
		}
		return descriptor.ParseStrict(dec.Text, net)
	}
	lines := strings.Split(text, "\n")
	var desc, id string
	var first []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(l, "descriptor:"):
			desc = strings.TrimSpace(strings.TrimPrefix(l, "descriptor:"))
		case strings.HasPrefix(l, "Wallet ID:"):
			if f := strings.Fields(strings.TrimPrefix(l, "Wallet ID:")); len(f) > 0 {
				id = f[0]
			}
		case desc != "" && len(first) < Addresses && strings.HasPrefix(l, fmt.Sprintf("%d  ", len(first))):
			first = append(first, strings.TrimSpace(l[1:]))
		}
	}
	if desc == "" {
		if len(lines) > 1 {
			return nil, errors.New("the wallet sheet has no line starting \"descriptor:\"; give the sheet's text file, or type the descriptor line alone")
		}
		desc = text
	}
	d, err := descriptor.ParseStrict(desc, net)
	if err != nil {
		return nil, fmt.Errorf("the wallet sheet's descriptor: %w", err)
	}
	if id != "" && id != d.ID() {
		return nil, fmt.Errorf("the wallet sheet says wallet ID %s but its descriptor has ID %s: the sheet was changed", id, d.ID())
	}
	for i, a := range first {
		der, err := d.Derive(0, uint32(i))
		if err != nil {
			return nil, err
		}
		if got := der.Address.EncodeAddress(); got != a {
			return nil, fmt.Errorf("the wallet sheet's receive address %d is not the descriptor's (%s): the sheet was changed", i, got)
		}
	}
	return d, nil
}

// IsSheet reports whether data is a wallet sheet's text (it has the
// sheet's title line).
func IsSheet(data []byte) bool {
	return strings.HasPrefix(strings.TrimPrefix(strings.TrimSpace(string(data)), "\ufeff"), "AIRSIGN WALLET BACKUP SHEET")
}

// ReadText is Read for a sheet's text file, on the network its "Network:"
// line names, for callers that take the network from what they read (the
// caller's own network check then refuses a sheet of another one).
func ReadText(data []byte) (*descriptor.Descriptor, error) {
	for _, l := range strings.Split(string(data), "\n") {
		name, ok := strings.CutPrefix(strings.TrimSpace(l), "Network:")
		if !ok {
			continue
		}
		for _, net := range []*chaincfg.Params{&chaincfg.MainNetParams, &chaincfg.TestNet3Params, &chaincfg.RegressionNetParams, &chaincfg.SigNetParams} {
			if NetworkName(net) == strings.TrimSpace(name) {
				return Read(data, net)
			}
		}
		name = strings.TrimSpace(name)
		if len(name) > 24 {
			name = name[:24]
		}
		return nil, fmt.Errorf("the wallet sheet names an unknown network %q", name)
	}
	return nil, errors.New("the wallet sheet has no \"Network:\" line")
}
