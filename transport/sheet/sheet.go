// Package sheet makes the wallet backup sheet: one printed page that,
// beside the share cards, carries everything else a stranger needs to
// rebuild the wallet years later without airsign — the descriptor with its
// checksum (in full and as a UR crypto-output QR code), what it means in
// plain words (script type, BIP path, account, network, threshold, every
// cosigner's fingerprint and xpub), the wallet ID, the first receive
// addresses to check a restore against, and where the share format and the
// recovery steps are written.
//
// The sheet holds no secret: it cannot spend. It is private: it shows every
// address and so the balance. It is written as text (which Read takes
// back, for drills and scripts) and as a printable HTML page that fits one
// A4 or Letter page; the page's QR code is decoded back before it is
// written.
package sheet

import (
	"fmt"
	"strings"
	"time"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// Spec names the share format and its version, as the cards and the sheet
// print it; docs/shares.md is its text.
const Spec = "ash1 shares, spec v1 (airsign docs/shares.md)"

// Addresses is how many receive addresses the sheet lists.
const Addresses = 3

// Sheet is the content of one wallet backup sheet.
type Sheet struct {
	// Desc is the wallet.
	Desc *descriptor.Descriptor
	// Date is printed on the sheet (the day it was made).
	Date time.Time
	// Receive and Change are the single-branch descriptors (…/0/* and
	// …/1/*) for software that does not read <0;1> (BIP389).
	Receive, Change string
	// First are the first receive addresses, index 0, 1, 2.
	First []string
	// PassphraseKeys are the fingerprints of the keys that need a BIP39
	// passphrase besides the words on their share cards; PassphraseHolder
	// names who keeps it (never the passphrase itself). A stranger
	// restoring from the cards alone would otherwise find an empty wallet
	// and stop looking.
	PassphraseKeys   []string
	PassphraseHolder string
}

// New builds the sheet of d.
func New(d *descriptor.Descriptor, date time.Time) (*Sheet, error) {
	s := &Sheet{Desc: d, Date: date}
	var err error
	if d.HasBranch(0) && d.HasBranch(1) {
		if s.Receive, err = d.StringFor(0); err != nil {
			return nil, err
		}
		if s.Change, err = d.StringFor(1); err != nil {
			return nil, err
		}
	}
	for i := uint32(0); i < Addresses; i++ {
		der, err := d.Derive(0, i)
		if err != nil {
			return nil, fmt.Errorf("wallet sheet: deriving receive address %d: %w", i, err)
		}
		s.First = append(s.First, der.Address.EncodeAddress())
	}
	return s, nil
}

// FileName is the sheet's file name without extension: wallet-sheet-ID.
func (s *Sheet) FileName() string { return "wallet-sheet-" + s.Desc.ID() }

// scriptWords says in plain words what kind of wallet d is and which BIP
// fixes its derivation path.
func scriptWords(k descriptor.Kind) (words, bip string) {
	switch k {
	case descriptor.WPKH:
		return "single key, native SegWit (P2WPKH)", "BIP84: m/84h/coin h/account h (coin 0 on mainnet, 1 on test networks)"
	case descriptor.SHWPKH:
		return "single key, nested SegWit (P2SH-P2WPKH)", "BIP49: m/49h/coin h/account h (coin 0 on mainnet, 1 on test networks)"
	case descriptor.TR:
		return "single key, Taproot key path (P2TR)", "BIP86: m/86h/coin h/account h (coin 0 on mainnet, 1 on test networks)"
	case descriptor.WSHSortedMulti:
		return "multisig, native SegWit (P2WSH), sortedmulti", "BIP48 script type 2: m/48h/coin h/account h/2h (coin 0 on mainnet, 1 on test networks)"
	case descriptor.SHWSHSortedMulti:
		return "multisig, nested SegWit (P2SH-P2WSH), sortedmulti", "BIP48 script type 1: m/48h/coin h/account h/1h (coin 0 on mainnet, 1 on test networks)"
	}
	return k.String(), ""
}

// ScriptType says in plain words what kind of wallet k is, e.g. "single
// key, native SegWit (P2WPKH)".
func ScriptType(k descriptor.Kind) string {
	w, _ := scriptWords(k)
	return w
}

// addressPrefix is how the wallet's addresses start: the bech32 prefix
// with its witness version letter (bc1q, tb1p, bcrt1q), or the base58
// first character (3, 2).
func addressPrefix(addr string) string {
	for _, hrp := range []string{"bc1", "tb1", "bcrt1"} {
		if strings.HasPrefix(addr, hrp) && len(addr) > len(hrp) {
			return addr[:len(hrp)+1]
		}
	}
	return addr[:1]
}

// NetworkName is the network in the words wallets use for it.
func NetworkName(net *chaincfg.Params) string {
	switch net.Net {
	case chaincfg.MainNetParams.Net:
		return "bitcoin mainnet"
	case chaincfg.TestNet3Params.Net:
		return "testnet3"
	case chaincfg.RegressionNetParams.Net:
		return "regtest"
	case chaincfg.SigNetParams.Net:
		return "signet"
	}
	return net.Name
}

// account is the account number of a standard path (third step), or -1.
func account(path []uint32) int64 {
	if len(path) < 3 || path[2] < hdkeychain.HardenedKeyStart {
		return -1
	}
	return int64(path[2] - hdkeychain.HardenedKeyStart)
}

// Field is one labelled line of the sheet.
type Field struct{ Label, Value string }

// Fields are the sheet's plain-words lines, in the order printed.
func (s *Sheet) Fields() []Field {
	d := s.Desc
	words, bip := scriptWords(d.Kind())
	keys := d.Keys()
	f := []Field{
		{"Wallet ID", d.ID() + " (first 8 hex digits of SHA-256 of the descriptor text below)"},
		{"Network", NetworkName(d.Net())},
		{"Script type", words},
		{"Derivation", bip},
		{"Addresses start", addressPrefix(s.First[0]) + "…"},
	}
	if acct := account(keys[0].Path); acct >= 0 {
		f = append(f, Field{"Account", fmt.Sprint(acct)})
	}
	if d.Kind().IsMultisig() {
		f = append(f, Field{"Threshold", fmt.Sprintf("%d of %d: any %d of the %d keys below sign; keys sorted in each script (sortedmulti)", d.Threshold(), len(keys), d.Threshold(), len(keys))})
	}
	if len(s.PassphraseKeys) > 0 {
		holder := "its holder named on the keygen checklist"
		if s.PassphraseHolder != "" {
			holder = s.PassphraseHolder
		}
		f = append(f, Field{"Passphrase", fmt.Sprintf("YES: key %s needs a BIP39 passphrase besides the words on its share cards; it is kept by %s, never written here. Without it the cards give another, empty wallet.", strings.Join(s.PassphraseKeys, ", "), holder)})
	}
	f = append(f, Field{"Branches", "receive …/0/i, change …/1/i below each key's path"})
	for i, k := range keys {
		label := "Key"
		if len(keys) > 1 {
			label = fmt.Sprintf("Cosigner %d", i+1)
		}
		f = append(f, Field{label, fmt.Sprintf("fingerprint %x, path %s", k.MasterFingerprint[:], descriptor.FormatPath(k.Path))})
		f = append(f, Field{"", k.XPub.String()})
	}
	return f
}

// Text is the sheet as plain text: what the HTML page shows, one field a
// line, the descriptor on a line that starts "descriptor:" (Read finds it).
func (s *Sheet) Text() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "AIRSIGN WALLET BACKUP SHEET, wallet %s, made %s\n", s.Desc.ID(), s.Date.UTC().Format("2006-01-02"))
	b.WriteString(privacyNote + "\n\n")
	for _, f := range s.Fields() {
		label := f.Label
		if label != "" {
			label += ":"
		}
		fmt.Fprintf(&b, "%-17s %s\n", label, f.Value)
	}
	b.WriteString("\nThe descriptor (BIP380, with checksum; <0;1> is receive;change, BIP389):\n")
	fmt.Fprintf(&b, "descriptor: %s\n", s.Desc.String())
	if s.Receive != "" {
		b.WriteString("For software without <0;1>, the same wallet as two descriptors:\n")
		fmt.Fprintf(&b, "receive: %s\nchange: %s\n", s.Receive, s.Change)
	}
	b.WriteString("\nFirst receive addresses (a restored wallet must show these):\n")
	for i, a := range s.First {
		fmt.Fprintf(&b, "  %d  %s\n", i, a)
	}
	b.WriteString("\n" + s.keysNote() + "\n")
	return []byte(b.String())
}

const privacyNote = "PRIVATE, NOT SECRET: this sheet cannot spend, but it shows every address and the balance of the wallet. Keep a copy with every share card."

func (s *Sheet) keysNote() string {
	d := s.Desc
	what := "The key is on the share cards"
	if d.Kind().IsMultisig() {
		what = "Each cosigner's key is on its own set of share cards (or its own device)"
	}
	if len(s.PassphraseKeys) > 0 {
		what += ", with the BIP39 passphrase (see Passphrase above)"
	}
	return what + ": " + Spec + ". To rebuild the wallet without airsign, follow docs/recovery.md (Sparrow, Electrum, Bitcoin Core, or by hand). Both pages are printed with this sheet and are in every airsign release's docs."
}
