package offline

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/psbt/descriptor/bsms"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/ur"
	"github.com/airsign/airsign/transport/ur/urdescriptor"
	"github.com/btcsuite/btcd/chaincfg"
)

// MultisigOptions are the inputs of `wallet multisig`.
type MultisigOptions struct {
	Threshold int
	// Kind is wsh-multi (default) or sh-wsh-multi.
	Kind string
	// Coldcard, if set, also writes Coldcard's multisig setup file (Name,
	// Policy, Derivation, Format, XFP: xpub lines), which a Coldcard imports
	// to join the wallet as a cosigner.
	Coldcard string
	// BSMS, if set, also writes the wallet's BIP129 descriptor record.
	BSMS string
	// SheetDir, if set, receives the wallet backup sheet (HTML and text).
	SheetDir string
	// Cosigners are key expressions ([fp/48h/…/2h]xpub), files holding one
	// (cosigner.txt from a keygen ceremony or `export xpub`), Coldcard's
	// multisig JSON export (ccxp-XFP.json), a signer's BIP129 key record
	// (its signature is verified), or a UR account or key export.
	Cosigners []string
	// QR also shows the descriptor as QR codes.
	QR transport.QROptions
}

// MultisigDescriptor builds the watch-only descriptor of a k-of-n
// sortedmulti wallet from its cosigners' exports. It needs no key: every
// cosigner runs it, and each compares the descriptor ID on their screen
// before enrolling it with their own key.
func MultisigDescriptor(ctx context.Context, env *Env, opts MultisigOptions) error {
	kind, err := ParseMultiKind(opts.Kind)
	if err != nil {
		return err
	}
	if !kind.IsMultisig() {
		return fmt.Errorf("--type %s is not a multisig type: use wsh-multi or sh-wsh-multi", opts.Kind)
	}
	if err := opts.QR.CheckDescriptor(); err != nil {
		return err
	}
	if len(opts.Cosigners) < 2 {
		return fmt.Errorf("a multisig needs at least 2 cosigners, got %d", len(opts.Cosigners))
	}
	if opts.Threshold < 1 || opts.Threshold > len(opts.Cosigners) {
		return fmt.Errorf("--threshold %d: need 1 ≤ threshold ≤ %d cosigners", opts.Threshold, len(opts.Cosigners))
	}
	var keys []string
	for i, c := range opts.Cosigners {
		k, note, err := cosignerKey(c, kind, env.Net)
		if err != nil {
			return fmt.Errorf("cosigner %d (%s): %w", i+1, c, err)
		}
		if note != "" {
			fmt.Fprintf(env.Stderr, "cosigner %d: %s\n", i+1, note)
		}
		keys = append(keys, k+"/<0;1>/*")
	}
	body := fmt.Sprintf("sortedmulti(%d,%s)", opts.Threshold, strings.Join(keys, ","))
	if kind == descriptor.SHWSHSortedMulti {
		body = "sh(wsh(" + body + "))"
	} else {
		body = "wsh(" + body + ")"
	}
	d, err := descriptor.Parse(body, env.Net)
	if err != nil {
		return err
	}
	env.Printf("%s\n", d.String())
	if opts.Coldcard != "" {
		if err := file.WriteAtomic(opts.Coldcard, []byte(coldcardSetup(d, opts.Threshold)), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "wrote Coldcard's multisig setup file %s\n", opts.Coldcard)
	}
	if opts.BSMS != "" {
		if err := writeBSMS(env, opts.BSMS, d); err != nil {
			return err
		}
	}
	if opts.SheetDir != "" {
		// Made from the cosigners' public keys: whether any needs a
		// passphrase is on its own keygen sheet, not known here.
		if _, err := writeSheet(opts.SheetDir, d, time.Now(), sheetExtra{}); err != nil {
			return err
		}
		sheetNote(env, opts.SheetDir, d)
	}
	first, err := d.FirstAddress()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "%d-of-%d %s wallet, descriptor ID %s, first receive address %s: every cosigner should see the same ID and address before enrolling it\n", opts.Threshold, len(keys), d.Kind(), d.ID(), first)
	return showDescriptorQR(ctx, env, d, opts.QR)
}

// cosignerKey reads one cosigner's key expression from text, a file, or
// Coldcard's multisig JSON. The note, if any, tells the operator what was
// checked on the way (a BIP129 key record's signature).
func cosignerKey(arg string, kind descriptor.Kind, net *chaincfg.Params) (key, note string, err error) {
	text, err := cosignerText(arg)
	if err != nil {
		return "", "", err
	}
	if text, err = joinSpecterParts(text); err != nil {
		return "", "", err
	}
	switch {
	case ur.IsUR(text):
		key, err = urCosigner(strings.Fields(text), kind)
	case strings.HasPrefix(text, "{"):
		key, err = coldcardCosigner([]byte(text), kind, net)
	case bsms.IsKeyRecord([]byte(text)):
		return bsmsCosigner([]byte(text))
	case !strings.HasPrefix(text, "["):
		err = fmt.Errorf("a cosigner key needs its origin, like [73c5da0a/48h/1h/0h/2h]tpub…; export it with `airsign-offline export xpub`")
	default:
		key, err = standardCosigner(text, kind)
	}
	return key, "", err
}

// slip132Multisig is the multisig script each SLIP-132 multisig prefix
// names, and bip48Script the one the fourth step of a BIP48 path names.
var (
	slip132Multisig = map[string]descriptor.Kind{"Zpub": descriptor.WSHSortedMulti, "Vpub": descriptor.WSHSortedMulti, "Ypub": descriptor.SHWSHSortedMulti, "Upub": descriptor.SHWSHSortedMulti}
	bip48Script     = map[string]descriptor.Kind{"2h": descriptor.WSHSortedMulti, "1h": descriptor.SHWSHSortedMulti}
	multiFlag       = map[descriptor.Kind]string{descriptor.WSHSortedMulti: "wsh-multi", descriptor.SHWSHSortedMulti: "sh-wsh-multi"}
)

// standardCosigner rewrites a SLIP-132 key (SeedSigner shows
// [fp/48h/1h/0h/2h]Vpub…) to xpub/tpub when its BIP48 origin path names
// the same multisig script as its prefix and as --type: the prefix alone
// is a hint, the path is what the cosigner's wallet derives. Any other
// key is left for the descriptor parser to judge.
func standardCosigner(text string, kind descriptor.Kind) (string, error) {
	origin, key, ok := strings.Cut(strings.TrimPrefix(text, "["), "]")
	if !ok {
		return text, nil
	}
	std, prefix, _, err := descriptor.StandardKey(key)
	if err != nil || prefix == "xpub" || prefix == "tpub" {
		return text, nil
	}
	byPrefix, ok := slip132Multisig[prefix]
	if !ok {
		return "", fmt.Errorf("a %s is a single-signature key; export the cosigner's multisig key (BIP48, m/48h/…/2h) instead", prefix)
	}
	steps := strings.Split(strings.NewReplacer("'", "h", "H", "h").Replace(origin), "/")
	byPath, ok := bip48Script[steps[len(steps)-1]]
	if len(steps) != 5 || steps[1] != "48h" || !ok {
		return "", fmt.Errorf("the %s key's origin path is not BIP48 (fp/48h/coin/account/1h or 2h), so nothing confirms the script type its prefix names; convert it to an xpub/tpub yourself if you know its script", prefix)
	}
	if byPath != byPrefix {
		return "", fmt.Errorf("the key's prefix %s names %s but its origin path ends in %s, which names %s: the export contradicts itself", prefix, multiFlag[byPrefix], steps[4], multiFlag[byPath])
	}
	if byPrefix != kind {
		return "", fmt.Errorf("the key is for a %s wallet (%s, path …/%s) but --type is %s; pass --type %s, or use the cosigner's %s key", multiFlag[byPrefix], prefix, steps[4], multiFlag[kind], multiFlag[byPrefix], multiFlag[kind])
	}
	return "[" + origin + "]" + std, nil
}

// specterPart is one line of Specter's (and SeedSigner's) multi-part QR
// text: "p1of4 …".
var specterPart = regexp.MustCompile(`^p([0-9]{1,2})of([0-9]{1,2}) (.*)$`)

// joinSpecterParts joins the parts of Specter's multi-part QR text, given
// one per line in any order; other text is returned as it is.
func joinSpecterParts(text string) (string, error) {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 || !specterPart.MatchString(lines[0]) {
		return text, nil
	}
	var parts []string
	total := 0
	for i, l := range lines {
		m := specterPart.FindStringSubmatch(l)
		if m == nil {
			return "", fmt.Errorf("line %d is not a part \"pNofM …\" like the lines before it (Specter's multi-part QR text)", i+1)
		}
		n, _ := strconv.Atoi(m[1])
		t, _ := strconv.Atoi(m[2])
		if total == 0 {
			total, parts = t, make([]string, t)
		}
		if t != total || n < 1 || n > total {
			return "", fmt.Errorf("line %d: part p%sof%s does not belong to a series of %d parts", i+1, m[1], m[2], total)
		}
		parts[n-1] = m[3]
	}
	for i, p := range parts {
		if p == "" {
			return "", fmt.Errorf("the multi-part QR text (Specter's pNofM) lacks part %d of %d: scan every part", i+1, total)
		}
	}
	return strings.Join(parts, ""), nil
}

// cosignerText is the text of one cosigner argument: the argument itself,
// the QR code of a picture, or a file's content.
func cosignerText(arg string) (string, error) {
	text := arg
	switch {
	case strings.HasPrefix(arg, "["):
	case transport.IsQRPicture(arg):
		texts, err := qrcode.DecodePaths([]string{arg})
		if len(texts) == 0 {
			if err == nil {
				err = errors.New("no QR code found")
			}
			return "", err
		}
		text = strings.Join(texts, "\n")
	default:
		data, err := os.ReadFile(arg)
		if err != nil {
			return "", fmt.Errorf("neither a key expression [fp/path]xpub nor a readable file: %w", err)
		}
		text = strings.TrimSpace(string(data))
	}
	return text, nil
}

// bsmsCosigner takes the key of a signer's BIP129 round-1 key record,
// after checking the record's signature by that key: a key swapped on
// its way to the coordinator fails here.
func bsmsCosigner(data []byte) (key, note string, err error) {
	r, err := bsms.ParseKeyRecord(data)
	if err != nil {
		return "", "", err
	}
	if err := r.Verify(); err != nil {
		return "", "", err
	}
	_, k, _ := strings.Cut(r.Key, "]")
	if _, err := hex.DecodeString(k); err == nil {
		return "", "", errors.New("the BIP129 key record holds a single public key, not an xpub: airsign derives each cosigner's addresses from its xpub; ask the signer for a record of its account xpub")
	}
	return r.Key, fmt.Sprintf("BIP129 key record %q: signature by its key verified", clipText(r.Description)), nil
}

// clipText keeps outside text short in messages.
func clipText(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// urCosigner takes the multisig key of a UR export: the wsh(cosigner) (or
// sh(wsh(cosigner))) output of a crypto-account, as SeedSigner, Keystone
// and Passport show it, or a bare crypto-hdkey.
func urCosigner(parts []string, kind descriptor.Kind) (string, error) {
	typ, msg, err := urdescriptor.ReadParts(parts)
	if err != nil {
		return "", err
	}
	switch {
	case urdescriptor.IsAccount(typ):
		acct, err := urdescriptor.DecodeAccount(msg)
		if err != nil {
			return "", err
		}
		shape := "wsh(cosigner)"
		if kind == descriptor.SHWSHSortedMulti {
			shape = "sh(wsh(cosigner))"
		}
		o, err := acct.Find(shape)
		if err != nil {
			return "", err
		}
		return o.Key, nil
	case urdescriptor.IsHDKey(typ):
		key, _, err := urdescriptor.DecodeHDKey(msg)
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(key, "[") {
			return "", errors.New("the crypto-hdkey has no origin (master fingerprint and path); export the cosigner key with its origin")
		}
		return key, nil
	}
	return "", fmt.Errorf("a UR %s is not a cosigner key (expected ur:%s, ur:%s, ur:%s or ur:%s)", typ, urdescriptor.TypeCryptoAccount, urdescriptor.TypeAccountDescriptor, urdescriptor.TypeCryptoHDKey, urdescriptor.TypeHDKey)
}

// coldcardCosigner takes the p2wsh (or p2sh_p2wsh) entry of Coldcard's
// multisig export, converting its SLIP-132 prefix back to xpub/tpub.
func coldcardCosigner(data []byte, kind descriptor.Kind, net *chaincfg.Params) (string, error) {
	var cc map[string]any
	if err := json.Unmarshal(data, &cc); err != nil {
		return "", fmt.Errorf("not Coldcard's multisig JSON: %v", err)
	}
	name := "p2wsh"
	if kind == descriptor.SHWSHSortedMulti {
		name = "p2sh_p2wsh"
		if _, ok := cc[name]; !ok {
			name = "p2wsh_p2sh" // older Coldcard firmware
		}
	}
	xfp, _ := cc["xfp"].(string)
	x, _ := cc[name].(string)
	deriv, _ := cc[name+"_deriv"].(string)
	// Coldcard's generic JSON export (Mk4, Q) carries the cosigner keys as
	// sections bip48_2 (p2wsh) and bip48_1 (p2sh-p2wsh): {deriv, xpub}.
	section := map[string]string{"p2wsh": "bip48_2", "p2sh_p2wsh": "bip48_1", "p2wsh_p2sh": "bip48_1"}[name]
	if sec, ok := cc[section].(map[string]any); ok && x == "" {
		name = section
		x, _ = sec["xpub"].(string)
		deriv, _ = sec["deriv"].(string)
	}
	if len(xfp) != 8 || x == "" || !strings.HasPrefix(deriv, "m/") {
		return "", fmt.Errorf("the Coldcard export lacks xfp, %s or %s_deriv", name, name)
	}
	version := net.HDPublicKeyID
	plain, err := withVersion(x, version)
	if err != nil {
		return "", fmt.Errorf("the Coldcard export's %s key is damaged: %v", name, err)
	}
	path := strings.ReplaceAll(strings.TrimPrefix(deriv, "m"), "'", "h")
	return "[" + strings.ToLower(xfp) + path + "]" + plain, nil
}

// coldcardSetup writes the multisig wallet in Coldcard's setup-file format:
// a header, then each cosigner as "XFP: xpub", each preceded by its
// derivation when they differ.
func coldcardSetup(d *descriptor.Descriptor, threshold int) string {
	var b strings.Builder
	keys := d.Keys()
	format := "P2WSH"
	if d.Kind() == descriptor.SHWSHSortedMulti {
		format = "P2SH-P2WSH"
	}
	fmt.Fprintf(&b, "# Coldcard multisig setup file (written by airsign-offline)\n#\nName: airsign-%s\nPolicy: %d of %d\nFormat: %s\n", d.ID(), threshold, len(keys), format)
	same := true
	for _, k := range keys[1:] {
		same = same && descriptor.FormatPath(k.Path) == descriptor.FormatPath(keys[0].Path)
	}
	if same {
		fmt.Fprintf(&b, "Derivation: %s\n", strings.ReplaceAll(descriptor.FormatPath(keys[0].Path), "h", "'"))
	}
	b.WriteString("\n")
	for _, k := range keys {
		if !same {
			fmt.Fprintf(&b, "Derivation: %s\n", strings.ReplaceAll(descriptor.FormatPath(k.Path), "h", "'"))
		}
		fmt.Fprintf(&b, "%s: %s\n", strings.ToUpper(hex.EncodeToString(k.MasterFingerprint[:])), k.XPub.String())
	}
	return b.String()
}
