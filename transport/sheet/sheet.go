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
	// SharesKey and SharesSetID, when set, are what the key's share cards
	// print: the fingerprint of the words alone (the cards' "rebuild key
	// F") and the share set ID. A passphrase wallet's sheet names them, as
	// nothing else on it matches its cards.
	SharesKey, SharesSetID string
	// Cosigner, when set, is the key's multisig cosigner export (keygen
	// --cosigner: cosigner.txt, BIP48 path with origin). The wallet that
	// holds the money is then the multisig, not the single-key wallet
	// this sheet describes, and the sheet says so.
	Cosigner *descriptor.Key
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
		return "single key, native SegWit (P2WPKH)", "BIP84"
	case descriptor.SHWPKH:
		return "single key, nested SegWit (P2SH-P2WPKH)", "BIP49"
	case descriptor.TR:
		return "single key, Taproot key path (P2TR)", "BIP86"
	case descriptor.WSHSortedMulti:
		return "multisig, native SegWit (P2WSH), sortedmulti", "BIP48"
	case descriptor.SHWSHSortedMulti:
		return "multisig, nested SegWit (P2SH-P2WSH), sortedmulti", "BIP48"
	}
	return k.String(), ""
}

// hardened says path step i in words ("0h"), "" when the path is shorter.
func hardened(path []uint32, i int) string {
	if i >= len(path) || path[i] < hdkeychain.HardenedKeyStart {
		return ""
	}
	return fmt.Sprintf("%dh", path[i]-hdkeychain.HardenedKeyStart)
}

// derivation is the Derivation line: the path the keys really use, with
// the actual values (never "coin h/account h"), and what each step means.
func derivation(d *descriptor.Descriptor) string {
	_, bip := scriptWords(d.Kind())
	keys := d.Keys()
	path := descriptor.FormatPath(keys[0].Path)
	for _, k := range keys[1:] {
		if descriptor.FormatPath(k.Path) != path {
			return "each cosigner's own path, as on its line below"
		}
	}
	p := keys[0].Path
	coin := hardened(p, 1)
	switch coin {
	case "0h":
		coin += " = mainnet"
	case "1h":
		coin += " = test networks"
	}
	if bip == "" || len(p) < 3 || coin == "" || hardened(p, 0) == "" || hardened(p, 2) == "" {
		return path
	}
	if !d.Kind().IsMultisig() {
		return fmt.Sprintf("%s (%s: purpose %s, coin %s, account %s)", path, bip, hardened(p, 0), coin, hardened(p, 2))
	}
	out := fmt.Sprintf("%s for every cosigner, as on their lines below (%s: purpose %s, coin %s, account %s", path, bip, hardened(p, 0), coin, hardened(p, 2))
	st := hardened(p, 3)
	if st == "" {
		return out + ")"
	}
	out += ", script type " + st + ")"
	// BIP48 numbers P2SH-P2WSH 1h and P2WSH 2h; keys exported at the
	// other number (a cosigner.txt is at 2h) are used at the path they
	// carry, and a restore must use that path too.
	if want := map[descriptor.Kind]string{descriptor.WSHSortedMulti: "2h", descriptor.SHWSHSortedMulti: "1h"}[d.Kind()]; st != want {
		out += fmt.Sprintf("; BIP48 numbers this script type %s, but these keys were exported at %s: restore with the path as printed", want, st)
	}
	return out
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
	words, _ := scriptWords(d.Kind())
	keys := d.Keys()
	var f []Field
	if c := s.Cosigner; c != nil && !d.Kind().IsMultisig() {
		f = append(f, Field{"COSIGNER KEY", CosignerWarning})
	}
	f = append(f,
		Field{"Wallet ID", d.ID() + ` (first 8 hex digits of SHA-256 of the "descriptor:" line's text after "descriptor: ", its #checksum included)`},
		Field{"Network", NetworkName(d.Net())},
		Field{"Script type", words},
		Field{"Derivation", derivation(d)},
	)
	f = append(f, []Field{
		{"Addresses start", addressPrefix(s.First[0]) + "…"},
	}...)
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
	if s.SharesKey != "" {
		set := ""
		if s.SharesSetID != "" {
			set = ", share set " + s.SharesSetID
		}
		f = append(f, Field{"Share cards", fmt.Sprintf("key %s%s: what the matching share cards print (the words alone, without the passphrase)", s.SharesKey, set)})
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
	if c := s.Cosigner; c != nil && !d.Kind().IsMultisig() {
		f = append(f, Field{"As cosigner", fmt.Sprintf("fingerprint %x, path %s (BIP48; the key in cosigner.txt that the multisig is built from)", c.MasterFingerprint[:], descriptor.FormatPath(c.Path))})
		f = append(f, Field{"", c.XPub.String()})
	}
	return f
}

// CosignerWarning is what the sheet and the cards of a key made as a
// multisig cosigner say first.
const CosignerWarning = "THIS KEY IS A COSIGNER OF A MULTISIG WALLET: the money is in the multisig, not in the single-key wallet below " +
	"(that one only proves the key at drills and holds nothing). The multisig's own sheet (threshold, every cosigner's xpub: " +
	"airsign-offline wallet multisig --sheet, or wallet enroll, prints it) must be kept with these cards; without it the cards rebuild a key, not the wallet."

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
	b.WriteString("\n" + descriptorHeading + ":\n")
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

// descriptorHeading names the descriptor line the same way on the text,
// the page and in docs/recovery.md.
const descriptorHeading = `The "descriptor:" line (BIP380, with its #checksum; <0;1> is receive;change, BIP389; the wallet ID is SHA-256 of its text after "descriptor: ")`

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
	if s.Cosigner != nil && !d.Kind().IsMultisig() {
		what += "; the wallet is the multisig this key is a cosigner of: keep the multisig's own sheet with the cards (see COSIGNER KEY above)"
	}
	return what + ": " + Spec + ". To rebuild the wallet without airsign, follow docs/recovery.md (Sparrow, Electrum, Bitcoin Core, or by hand). Both pages are printed with this sheet and are in every airsign release's docs."
}
