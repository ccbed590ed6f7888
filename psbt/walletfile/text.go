package walletfile

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
)

// line is one meaningful line of a text file, numbered from 1.
type line struct {
	n    int
	text string
}

func meaningful(s string) []line {
	var out []line
	for i, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		out = append(out, line{i + 1, l})
	}
	return out
}

// coldcardField matches the header lines of Coldcard's multisig setup
// file; coldcardKey a cosigner line "0F056943: xpub…".
var (
	coldcardField = regexp.MustCompile(`(?i)^(name|policy|derivation|format)\s*:\s*(.*)$`)
	coldcardKey   = regexp.MustCompile(`^([0-9A-Fa-f]{8})\s*:\s*([A-Za-z0-9]+)$`)
	// label is "Receive: " or "Change descriptor: " before a descriptor.
	label = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 _()-]{0,40}?:\s*`)
	// branch finds the child steps after each key of a descriptor.
	branch = regexp.MustCompile(`/(0|1|<0;1>)/\*`)
	// extKey finds extended public keys in descriptor text.
	extKey = regexp.MustCompile(`[xtuvyzUVYZ]pub[1-9A-HJ-NP-Za-km-z]{100,112}`)
)

func readText(s, typ string) (*Wallet, error) {
	lines := meaningful(s)
	if w, ok, err := coreCommand(lines, typ); ok {
		return w, err
	}
	if len(lines) == 1 && strings.HasPrefix(lines[0].text, "addwallet ") {
		return specterDIY(lines[0])
	}
	if len(lines) == 1 && strings.HasPrefix(lines[0].text, sparrowFile) && !strings.Contains(lines[0].text, "(") {
		return nil, fmt.Errorf("%w: this is a Sparrow wallet file (encrypted), not an export: in Sparrow, use File > Export Wallet > Output Descriptor and import that file", ErrUnsupported)
	}
	for _, l := range lines {
		if coldcardKey.MatchString(l.text) || (coldcardField.MatchString(l.text) && !strings.Contains(l.text, "(")) {
			return readColdcardSetup(lines)
		}
	}
	return readDescriptorLines(lines)
}

// readColdcardSetup reads Coldcard's multisig setup file: Name, Policy
// ("M of N"), Format (P2WSH, P2SH-P2WSH), Derivation lines, each applying
// to the keys after it, and one "XFP: xpub" line per cosigner. Electrum,
// Nunchuk, Keystone and airsign-offline's `wallet multisig --coldcard`
// write the same format.
func readColdcardSetup(lines []line) (*Wallet, error) {
	w := &Wallet{Format: "Coldcard multisig setup file"}
	var policy, format, deriv string
	var policyLine int
	var keys []keyExpr
	var prefixes []string
	for _, l := range lines {
		if m := coldcardKey.FindStringSubmatch(l.text); m != nil {
			if deriv == "" {
				return nil, fmt.Errorf("%w: line %d: key %s comes before any Derivation line (e.g. Derivation: m/48'/0'/0'/2')", ErrMissing, l.n, strings.ToUpper(m[1]))
			}
			k, err := newKey(fmt.Sprintf("line %d", l.n), m[1], deriv, m[2])
			if err != nil {
				return nil, err
			}
			_, prefix, _, _ := descriptor.StandardKey(m[2])
			prefixes = append(prefixes, prefix)
			keys = append(keys, k)
			continue
		}
		m := coldcardField.FindStringSubmatch(l.text)
		if m == nil {
			return nil, fmt.Errorf("%w: line %d is neither a setting (Name, Policy, Derivation, Format) nor a cosigner line XFP: xpub", ErrInconsistent, l.n)
		}
		v := strings.TrimSpace(m[2])
		switch strings.ToLower(m[1]) {
		case "name":
			w.Name = v
		case "policy":
			policy, policyLine = v, l.n
		case "derivation":
			deriv = v
		case "format":
			format = v
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no cosigner lines (XFP: xpub)", ErrMissing)
	}
	if policy == "" {
		return nil, fmt.Errorf("%w: no Policy line (e.g. Policy: 2 of %d)", ErrMissing, len(keys))
	}
	m, n, ok := parsePolicy(policy)
	if !ok {
		return nil, fmt.Errorf("%w: line %d: Policy %q is not \"M of N\"", ErrInconsistent, policyLine, policy)
	}
	if n != len(keys) {
		return nil, fmt.Errorf("%w: Policy says %d of %d but the file lists %d cosigners", ErrInconsistent, m, n, len(keys))
	}
	if format == "" {
		format = formatFromPrefixes(prefixes)
		if format == "" {
			return nil, fmt.Errorf("%w: no Format line (P2WSH or P2SH-P2WSH), and the keys' prefixes do not say", ErrMissing)
		}
	}
	var err error
	if w.Net, err = netOf(keys); err != nil {
		return nil, err
	}
	if w.Descriptor, err = multisig(format, m, keys); err != nil {
		return nil, err
	}
	return w, nil
}

func parsePolicy(s string) (m, n int, ok bool) {
	f := strings.Fields(strings.ReplaceAll(strings.ToLower(s), "/", " of "))
	if len(f) != 3 || f[1] != "of" {
		return 0, 0, false
	}
	m, e1 := strconv.Atoi(f[0])
	n, e2 := strconv.Atoi(f[2])
	return m, n, e1 == nil && e2 == nil
}

// formatFromPrefixes reads the script type from SLIP-132 multisig
// prefixes when all keys agree (Zpub/Vpub: P2WSH, Ypub/Upub: P2SH-P2WSH).
func formatFromPrefixes(prefixes []string) string {
	format := ""
	for _, p := range prefixes {
		f := map[string]string{"Zpub": "p2wsh", "Vpub": "p2wsh", "Ypub": "p2sh-p2wsh", "Upub": "p2sh-p2wsh"}[p]
		if f == "" || (format != "" && f != format) {
			return ""
		}
		format = f
	}
	return format
}

// found is one descriptor line of a text file.
type found struct {
	n        int
	text     string // as written, label removed
	labelled bool
}

// readDescriptorLines reads text holding descriptors, one per line,
// optionally labelled ("Receive: wpkh(…)#…"): a single descriptor, a
// receive/change pair (Sparrow and Bitcoin Core export one wallet so), or
// several lines that all describe the same wallet (Sparrow's export has
// the multipath form and the pair). A pair becomes one multipath wallet.
func readDescriptorLines(lines []line) (*Wallet, error) {
	var descs []found
	for _, l := range lines {
		t := l.text
		lab := label.FindString(t)
		if lab != "" && strings.Contains(t[len(lab):], "(") && !strings.Contains(lab, "(") {
			descs = append(descs, found{l.n, strings.TrimSpace(t[len(lab):]), true})
			continue
		}
		if strings.Contains(t, "(") {
			descs = append(descs, found{l.n, t, false})
			continue
		}
		return nil, fmt.Errorf("%w: line %d is not a descriptor", ErrNotWalletFile, l.n)
	}
	switch {
	case len(descs) == 0:
		return nil, fmt.Errorf("%w: no descriptor", ErrNotWalletFile)
	case len(descs) == 1:
		return oneDescriptor(descs[0])
	}
	return joinDescriptors(descs)
}

// oneDescriptor passes a plain descriptor back to the caller's own reader,
// takes the label off a labelled one, and completes a key-only export
// without a checksum (Keystone, Cobo: wpkh([fp/84'/0'/0']zpub…/1/*)).
func oneDescriptor(f found) (*Wallet, error) {
	body, had, err := descriptor.SplitChecksum(f.text)
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", f.n, err)
	}
	if !had && slipKeys(body) {
		norm, err := standardKeys(body)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", f.n, err)
		}
		norm = branch.ReplaceAllString(norm, "/<0;1>/*")
		if !strings.Contains(norm, "/<0;1>/*") {
			norm = strings.Replace(norm, ")", "/<0;1>/*)", 1)
		}
		d, err := withSum(norm)
		if err != nil {
			return nil, err
		}
		return &Wallet{Descriptor: d, Format: "key export (Keystone, Cobo)", NoChecksum: true}, nil
	}
	if !f.labelled {
		return nil, fmt.Errorf("%w: a plain descriptor", ErrNotWalletFile)
	}
	return &Wallet{Descriptor: f.text, Format: "labelled descriptor"}, nil
}

// slipKeys reports whether a descriptor holds SLIP-132 keys (zpub, Vpub…).
func slipKeys(body string) bool {
	for _, k := range extKey.FindAllString(body, -1) {
		if !strings.HasPrefix(k, "xpub") && !strings.HasPrefix(k, "tpub") {
			return true
		}
	}
	return false
}

// standardKeys rewrites SLIP-132 keys in a descriptor to xpub/tpub.
func standardKeys(body string) (string, error) {
	var bad error
	out := extKey.ReplaceAllStringFunc(body, func(k string) string {
		std, _, _, err := descriptor.StandardKey(k)
		if err != nil {
			bad = err
			return k
		}
		return std
	})
	return out, bad
}

// joinDescriptors checks that every line describes the same wallet and
// returns it with both branches when the lines give both.
func joinDescriptors(descs []found) (*Wallet, error) {
	var wallet string
	branches := map[string]bool{}
	for _, f := range descs {
		body, had, err := descriptor.SplitChecksum(f.text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", f.n, err)
		}
		if !had {
			return nil, fmt.Errorf("%w: line %d has no #checksum; a file of several descriptors needs each one's checksum", ErrMissing, f.n)
		}
		if body, err = standardKeys(body); err != nil {
			return nil, fmt.Errorf("line %d: %w", f.n, err)
		}
		seen := map[string]bool{}
		for _, m := range branch.FindAllStringSubmatch(body, -1) {
			seen[m[1]] = true
		}
		if len(seen) != 1 {
			return nil, fmt.Errorf("%w: line %d: its keys do not all end in /0/*, /1/* or /<0;1>/*", ErrUnsupported, f.n)
		}
		for b := range seen {
			if b == "<0;1>" {
				branches["0"], branches["1"] = true, true
			} else {
				branches[b] = true
			}
		}
		norm := branch.ReplaceAllString(body, "/<0;1>/*")
		if wallet == "" {
			wallet = norm
		} else if norm != wallet {
			return nil, fmt.Errorf("%w: line %d describes another wallet than line %d (not the same keys and script); import one wallet per file", ErrInconsistent, f.n, descs[0].n)
		}
	}
	w := &Wallet{Format: "receive and change descriptors"}
	if !branches["0"] || !branches["1"] {
		return nil, fmt.Errorf("%w: the %d descriptors are all for the same branch; give the receive (/0/*) and change (/1/*) descriptors, or one with /<0;1>/*", ErrInconsistent, len(descs))
	}
	var err error
	if w.Descriptor, err = withSum(wallet); err != nil {
		return nil, err
	}
	return w, nil
}

// sparrowFile is how a Sparrow wallet file starts: "SPRW" in base64.
const sparrowFile = "U1BSV"

// specterDIY reads the command Specter DIY takes to add a wallet, which
// Sparrow exports for it: "addwallet NAME&DESCRIPTOR".
func specterDIY(l line) (*Wallet, error) {
	name, desc, ok := strings.Cut(strings.TrimPrefix(l.text, "addwallet "), "&")
	if !ok || !strings.Contains(desc, "(") {
		return nil, fmt.Errorf("%w: line %d: Specter DIY's addwallet command is \"addwallet NAME&DESCRIPTOR\"", ErrInconsistent, l.n)
	}
	w := &Wallet{Format: "Specter DIY addwallet command", Name: strings.TrimSpace(name)}
	return specterWallet(desc, w, fmt.Sprintf("line %d, the descriptor after &", l.n))
}
