package online

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/ur"
	"github.com/airsign/airsign/transport/ur/urdescriptor"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// Wallet is a watch-only wallet as stored in the data directory. It holds no
// secret: the descriptor (public keys), the network and bookkeeping.
type Wallet struct {
	Name       string `json:"name"`
	Descriptor string `json:"descriptor"`
	Network    string `json:"network"`
	// GapLimit is how many unused addresses in a row end a scan.
	GapLimit int `json:"gap_limit"`
	// Labels maps an address or an outpoint (TXID:VOUT) to the operator's note.
	Labels map[string]string `json:"labels,omitempty"`
	// Frozen lists outpoints that prepare must not spend.
	Frozen map[string]bool `json:"frozen,omitempty"`

	desc *descriptor.Descriptor
	net  *chaincfg.Params
	// gap is the gap limit of this run: GapLimit unless --gap-limit says
	// otherwise (an override that is not saved).
	gap int
}

// DefaultGapLimit is the BIP44 gap limit most wallets use.
const DefaultGapLimit = 20

// MaxGapLimit bounds --gap-limit: a scan asks about two gaps of addresses
// at least, and a gap of more than this is a typo.
const MaxGapLimit = 10_000

var walletName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func walletDir(dataDir string) string { return filepath.Join(dataDir, "wallets") }

func walletPath(dataDir, name string) (string, error) {
	if !walletName.MatchString(name) {
		return "", fmt.Errorf("wallet name %q: use letters, digits, '.', '_' or '-' (at most 64, not starting with a symbol)", name)
	}
	return filepath.Join(walletDir(dataDir), name+".json"), nil
}

// Desc returns the parsed descriptor.
func (w *Wallet) Desc() *descriptor.Descriptor { return w.desc }

// Net returns the wallet's network.
func (w *Wallet) Net() *chaincfg.Params { return w.net }

// ImportOptions are the inputs of `airsign-online wallet import`.
type ImportOptions struct {
	Name string
	// Source is a descriptor, or a file holding one (plain text, or
	// airsign-offline's enrollment JSON {"descriptor": …}), or "-" for
	// stdin. Empty when QR is given.
	Source string
	// QR lists image files or directories holding a QR code whose text is
	// the descriptor.
	QR []string
	// Network is the wallet's network (--network); empty means the
	// enrollment file's, else EnvNetwork, else mainnet.
	Network string
	// EnvNetwork is AIRSIGN_NETWORK, which an enrollment file's network
	// overrides.
	EnvNetwork string
	// GapLimit is stored with the wallet; 0 means DefaultGapLimit.
	GapLimit int
	// Type picks the wallet out of a UR crypto-account (SeedSigner,
	// Keystone and Passport export one with a wallet per script type):
	// wpkh, sh-wpkh or tr. Empty takes the account's only one.
	Type string
}

// ImportWallet reads a descriptor from a string, a file or a QR code, checks
// it (BIP380 checksum required, network, watch-only) and saves it as a new
// wallet. An existing wallet of the same name is never replaced.
func ImportWallet(env *Env, opts ImportOptions) (*Wallet, error) {
	text, fileNet, err := readDescriptorSource(env, opts)
	if err != nil {
		return nil, err
	}
	if opts.Type != "" && !text.fromAccount {
		return nil, fmt.Errorf("%s: --type picks a wallet out of a UR crypto-account (SeedSigner, Keystone, Passport); this holds one wallet already, so drop --type", text.where)
	}
	// --network, else the enrollment file's, else AIRSIGN_NETWORK, else
	// mainnet (unless a UR says test network, which is not exact enough).
	network, said := opts.Network, "--network"
	switch {
	case network != "":
	case fileNet != "":
		network, said = fileNet, text.where
	case opts.EnvNetwork != "":
		network, said = opts.EnvNetwork, "AIRSIGN_NETWORK"
	case text.urNet == urdescriptor.NetTest:
		return nil, fmt.Errorf("%s is for a test network, which a UR code cannot name exactly: pass --network testnet, signet or regtest", text.where)
	default:
		network, said = "mainnet", "the default network"
	}
	net, err := Network(network)
	if err != nil {
		return nil, err
	}
	isMain := net.Net == chaincfg.MainNetParams.Net
	if (text.urNet == urdescriptor.NetMain && !isMain) || (text.urNet == urdescriptor.NetTest && isMain) {
		class := "mainnet"
		if text.urNet == urdescriptor.NetTest {
			class = "a test network"
		}
		return nil, fmt.Errorf("%s is for %s but %s says %s; mixing networks is refused", text.where, class, said, net.Name)
	}
	if fileNet != "" {
		fn, err := Network(fileNet)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", text.where, err)
		}
		if fn != net {
			return nil, fmt.Errorf("%s is for %s but %s says %s; mixing networks is refused", text.where, fn.Name, said, net.Name)
		}
	}
	d, err := descriptor.ParseStrict(text.desc, net)
	if err != nil {
		if errors.Is(err, descriptor.ErrWrongNetwork) {
			return nil, fmt.Errorf("%s: %w (pass --network mainnet, testnet, signet or regtest to match the keys)", text.where, err)
		}
		return nil, fmt.Errorf("%s: %w", text.where, err)
	}
	if text.id != "" && !strings.EqualFold(text.id, d.ID()) {
		return nil, fmt.Errorf("%s: its id %q does not match its descriptor's ID %s: the file is damaged or was edited", text.where, text.id, d.ID())
	}
	gap := opts.GapLimit
	if gap == 0 {
		gap = DefaultGapLimit
	}
	if err := checkGapLimit(gap); err != nil {
		return nil, err
	}
	path, err := walletPath(env.DataDir, opts.Name)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		return nil, fmt.Errorf("a wallet named %q already exists in %s; choose another --wallet name", opts.Name, env.DataDir)
	}
	w := &Wallet{Name: opts.Name, Descriptor: d.String(), Network: net.Name, GapLimit: gap, desc: d, net: net, gap: gap}
	if err := w.save(env.DataDir); err != nil {
		return nil, err
	}
	return w, nil
}

func checkGapLimit(n int) error {
	if n < 1 || n > MaxGapLimit {
		return fmt.Errorf("--gap-limit %d: give 1 to %d", n, MaxGapLimit)
	}
	return nil
}

// descriptorText is a descriptor read from somewhere, with what came with it.
type descriptorText struct {
	desc  string
	where string // for messages: "the descriptor given", "wallet.json", "the QR code in a.png"
	id    string // the enrollment file's "id", if any
	// urNet is the network class a UR's coin info or key origins name
	// (urdescriptor.NetMain or NetTest; "" when unknown or not a UR).
	urNet string
	// fromAccount says the descriptor was picked out of a crypto-account,
	// the only source --type applies to.
	fromAccount bool
}

// maxDescriptorFile bounds a descriptor file: a 20-key multisig is ~2.5 KB.
const maxDescriptorFile = 64 << 10

// readDescriptorSource finds the descriptor text in opts and the network an
// enrollment file names ("" if none).
func readDescriptorSource(env *Env, opts ImportOptions) (descriptorText, string, error) {
	if (opts.Source == "") == (len(opts.QR) == 0) {
		return descriptorText{}, "", fmt.Errorf("give one descriptor source: the descriptor itself, a file holding it, '-' for stdin, or --qr IMAGE")
	}
	if len(opts.QR) > 0 {
		texts, err := qrcode.DecodePaths(opts.QR)
		if len(texts) == 0 {
			if err == nil {
				err = errors.New("no QR code found")
			}
			return descriptorText{}, "", fmt.Errorf("reading the descriptor QR code: %w", err)
		}
		where := "the QR code in " + strings.Join(opts.QR, ", ")
		if ur.IsUR(texts[0]) {
			// One code or every frame of an animated series.
			return urDescriptor(texts, where, opts.Type)
		}
		if len(texts) > 1 {
			return descriptorText{}, "", fmt.Errorf("found %d different QR codes in %s; a text descriptor fits in one code", len(texts), strings.Join(opts.QR, ", "))
		}
		return parseDescriptorData([]byte(texts[0]), where, opts.Type)
	}
	src := opts.Source
	// A descriptor always has parentheses, a UR starts "ur:"; a file name
	// or "-" needs neither.
	if ur.IsUR(src) {
		return urDescriptor(strings.Fields(src), "the UR given", opts.Type)
	}
	if strings.ContainsAny(src, "()") {
		return parseDescriptorData([]byte(src), "the descriptor given", opts.Type)
	}
	var data []byte
	var err error
	if src == "-" {
		data, err = readCapped(env.Stdin, "stdin")
	} else {
		var f *os.File
		if f, err = os.Open(src); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return descriptorText{}, "", fmt.Errorf("%q is neither a descriptor nor a file: expected e.g. wpkh([fp/84h/0h/0h]xpub…/<0;1>/*)#checksum or a file holding it", src)
			}
			return descriptorText{}, "", fmt.Errorf("reading the descriptor: %w", err)
		}
		defer f.Close()
		data, err = readCapped(f, src)
	}
	if err != nil {
		return descriptorText{}, "", err
	}
	return parseDescriptorData(data, src, opts.Type)
}

func readCapped(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxDescriptorFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > maxDescriptorFile {
		return nil, fmt.Errorf("%s is larger than %d KiB: not a descriptor file", name, maxDescriptorFile>>10)
	}
	return data, nil
}

// enrollmentFile is the part of airsign-offline's `wallet enroll` output the
// online side reads; the tag is for the offline side and is not checked here.
type enrollmentFile struct {
	Descriptor *string `json:"descriptor"`
	Network    string  `json:"network"`
	ID         string  `json:"id"`
}

// ParseDescriptorFile reads the descriptor in the content of a descriptor
// file or QR code: airsign-offline's enrollment JSON, or text holding one
// descriptor (blank lines and lines starting with '#' are skipped). It
// returns the descriptor text and the network the JSON names ("" if none);
// the descriptor itself is not checked here.
func ParseDescriptorFile(data []byte, name string) (desc, network string, err error) {
	t, n, err := parseDescriptorData(data, name, "")
	return t.desc, n, err
}

func parseDescriptorData(data []byte, name, accountType string) (descriptorText, string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return descriptorText{}, "", fmt.Errorf("%s is not text (not UTF-8)", name)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return descriptorText{}, "", fmt.Errorf("%s is empty: expected a descriptor", name)
	}
	if trimmed[0] == '{' {
		var e enrollmentFile
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		if err := dec.Decode(&e); err != nil {
			return descriptorText{}, "", fmt.Errorf("%s looks like JSON but does not parse: %v", name, err)
		}
		if dec.More() {
			return descriptorText{}, "", fmt.Errorf("%s holds more than one JSON object", name)
		}
		if e.Descriptor == nil || strings.TrimSpace(*e.Descriptor) == "" {
			return descriptorText{}, "", fmt.Errorf("%s is JSON without a \"descriptor\" field (expected airsign-offline's enrollment file)", name)
		}
		return descriptorText{desc: *e.Descriptor, where: name, id: e.ID}, e.Network, nil
	}
	var found string
	foundLine := 0
	sc := bufio.NewScanner(bytes.NewReader(trimmed))
	sc.Buffer(make([]byte, 0, 4096), maxDescriptorFile+1)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if ur.IsUR(s) {
			// Scanned UR parts, one per line (a handheld scanner types them).
			return urDescriptor(urLines(trimmed), name, accountType)
		}
		if found != "" {
			return descriptorText{}, "", fmt.Errorf("%s line %d: a second descriptor (the first is on line %d); import one descriptor per wallet", name, line, foundLine)
		}
		found, foundLine = s, line
	}
	if err := sc.Err(); err != nil {
		return descriptorText{}, "", fmt.Errorf("reading %s: %v", name, err)
	}
	if found == "" {
		return descriptorText{}, "", fmt.Errorf("%s holds only comments: expected a descriptor", name)
	}
	where := name
	if foundLine > 1 {
		where = fmt.Sprintf("%s line %d", name, foundLine)
	}
	return descriptorText{desc: found, where: where}, "", nil
}

// urLines returns the non-blank, non-comment lines of scanned text.
func urLines(data []byte) []string {
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// urDescriptor reads a UR crypto-output or output-descriptor (Sparrow's
// "Show descriptor QR", airsign-offline export descriptor --qr…), or picks
// the wallet of accountType out of a crypto-account.
func urDescriptor(parts []string, where, accountType string) (descriptorText, string, error) {
	typ, msg, err := urdescriptor.ReadParts(parts)
	if err != nil {
		return descriptorText{}, "", fmt.Errorf("%s: %w", where, err)
	}
	switch typ {
	case urdescriptor.TypeCryptoAccount:
		return accountWallet(msg, where, accountType)
	case urdescriptor.TypeCryptoHDKey:
		return descriptorText{}, "", fmt.Errorf("%s is a single key (UR crypto-hdkey), not a wallet: a multisig cosigner key goes into airsign-offline wallet multisig", where)
	}
	got, err := urdescriptor.Decode(typ, msg)
	if err != nil {
		return descriptorText{}, "", fmt.Errorf("%s: %w", where, err)
	}
	return descriptorText{desc: got.Text, where: where, urNet: got.Net}, "", nil
}

// accountScripts maps --type to the output shapes of a crypto-account.
var accountScripts = map[string]string{"wpkh": "wpkh", "sh-wpkh": "sh(wpkh)", "tr": "tr"}

func accountWallet(msg []byte, where, accountType string) (descriptorText, string, error) {
	acct, err := urdescriptor.DecodeAccount(msg)
	if err != nil {
		return descriptorText{}, "", fmt.Errorf("%s: %w", where, err)
	}
	var wallets []urdescriptor.AccountOutput
	var names []string
	for _, o := range acct.Outputs {
		for name, shape := range accountScripts {
			if o.Script == shape {
				wallets = append(wallets, o)
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	var pick urdescriptor.AccountOutput
	switch {
	case accountType != "":
		shape, ok := accountScripts[accountType]
		if !ok {
			return descriptorText{}, "", fmt.Errorf("--type %q: use wpkh, sh-wpkh or tr", accountType)
		}
		if pick, err = acct.Find(shape); err != nil {
			return descriptorText{}, "", fmt.Errorf("%s: %w", where, err)
		}
	case len(wallets) == 1:
		pick = wallets[0]
	case len(wallets) == 0:
		return descriptorText{}, "", fmt.Errorf("%s: the account export holds no wpkh, sh(wpkh) or tr wallet", where)
	default:
		return descriptorText{}, "", fmt.Errorf("%s: the account export holds %d wallets; choose one with --type (%s)", where, len(wallets), strings.Join(names, ", "))
	}
	return descriptorText{desc: pick.Text, where: where + " (" + pick.Script + " of the account)", urNet: acct.Net, fromAccount: true}, "", nil
}

// LoadWallet reads a wallet from the data directory and re-checks its
// descriptor, so a hand-edited file cannot smuggle in a bad one. A gap
// limit set on env (--gap-limit) applies to this run only.
func LoadWallet(env *Env, name string) (*Wallet, error) {
	path, err := walletPath(env.DataDir, name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		hint := "import one with `airsign-online wallet import DESCRIPTOR`"
		if names, _ := walletNames(env.DataDir); len(names) > 0 {
			hint = "wallets here: " + strings.Join(names, ", ") + " (choose with --wallet NAME)"
		}
		return nil, fmt.Errorf("no wallet named %q in %s: %s", name, env.DataDir, hint)
	}
	if err != nil {
		return nil, fmt.Errorf("reading wallet: %w", err)
	}
	var w Wallet
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v); import the descriptor again", path, err)
	}
	if w.Name != name {
		return nil, fmt.Errorf("%s names wallet %q, not %q: it was renamed by hand; rename it back or import again", path, w.Name, name)
	}
	w.net, err = Network(w.Network)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w.desc, err = descriptor.Parse(w.Descriptor, w.net)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if w.GapLimit <= 0 || w.GapLimit > MaxGapLimit {
		w.GapLimit = DefaultGapLimit
	}
	w.gap = w.GapLimit
	if env.GapLimit != 0 {
		if err := checkGapLimit(env.GapLimit); err != nil {
			return nil, err
		}
		w.gap = env.GapLimit
	}
	return &w, nil
}

func (w *Wallet) save(dataDir string) error {
	path, err := walletPath(dataDir, w.Name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating the data directory: %w", err)
	}
	data, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	return file.WriteAtomic(path, append(data, '\n'), 0o600)
}

func walletNames(dataDir string) ([]string, error) {
	entries, err := os.ReadDir(walletDir(dataDir))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n, ok := strings.CutSuffix(e.Name(), ".json")
		if ok && e.Type().IsRegular() && walletName.MatchString(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, nil
}

// ListWallets prints the wallets in the data directory, one per line: name,
// type, network, descriptor ID.
func ListWallets(env *Env) error {
	names, err := walletNames(env.DataDir)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(names) == 0) {
		env.Infof("no wallets in %s: import one with `airsign-online wallet import DESCRIPTOR`", env.DataDir)
		return nil
	}
	if err != nil {
		return fmt.Errorf("listing wallets: %w", err)
	}
	for _, n := range names {
		w, err := LoadWallet(env, n)
		if err != nil {
			env.Printf("%-20s  (unreadable: %v)\n", n, err)
			continue
		}
		env.Printf("%-20s  %-14s  %-8s  %s\n", n, w.desc.Kind(), w.net.Name, w.desc.ID())
	}
	return nil
}

// ParseOutPoint reads TXID:VOUT as wallets and block explorers print it.
func ParseOutPoint(s string) (wire.OutPoint, error) {
	s = strings.TrimSpace(s)
	txid, vout, ok := strings.Cut(s, ":")
	if !ok {
		return wire.OutPoint{}, fmt.Errorf("%q is not an outpoint: expected TXID:VOUT (64 hex digits, a colon, the output number)", s)
	}
	if len(txid) != 2*chainhash.HashSize || !isHex(txid) {
		return wire.OutPoint{}, fmt.Errorf("outpoint %q: the txid must be 64 hex digits", s)
	}
	h, err := chainhash.NewHashFromStr(txid)
	if err != nil {
		return wire.OutPoint{}, fmt.Errorf("outpoint %q: %v", s, err)
	}
	n, err := strconv.ParseUint(vout, 10, 32)
	if err != nil || !digits(vout) {
		return wire.OutPoint{}, fmt.Errorf("outpoint %q: the output number must be a whole number below 4294967296", s)
	}
	return wire.OutPoint{Hash: *h, Index: uint32(n)}, nil
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// maxLabel bounds a label: a note, not a document.
const maxLabel = 200

// SetLabel attaches the operator's note to an address (of any wallet: a
// payee's too) or an outpoint. An empty text removes the label.
func SetLabel(env *Env, walletName, target, text string) error {
	w, err := LoadWallet(env, walletName)
	if err != nil {
		return err
	}
	key, what, err := labelKey(w, target)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > maxLabel {
		return fmt.Errorf("the label is %d characters; keep it to %d", utf8.RuneCountInString(text), maxLabel)
	}
	for _, r := range text {
		if unicode.IsControl(r) {
			return fmt.Errorf("the label holds a control character (%U); use plain text on one line", r)
		}
	}
	if text == "" {
		if _, ok := w.Labels[key]; !ok {
			env.Infof("%s %s had no label", what, key)
			return nil
		}
		delete(w.Labels, key)
		if err := w.save(env.DataDir); err != nil {
			return err
		}
		env.Infof("removed the label of %s %s", what, key)
		return nil
	}
	if w.Labels == nil {
		w.Labels = map[string]string{}
	}
	w.Labels[key] = text
	if err := w.save(env.DataDir); err != nil {
		return err
	}
	env.Infof("labelled %s %s: %s", what, key, text)
	return nil
}

// labelKey normalises a label target: an outpoint or an address of the
// wallet's network.
func labelKey(w *Wallet, target string) (key, what string, err error) {
	target = strings.TrimSpace(target)
	if strings.Contains(target, ":") {
		op, err := ParseOutPoint(target)
		if err != nil {
			return "", "", err
		}
		return op.String(), "coin", nil
	}
	a, err := ParseAddress(target, w.net)
	if err != nil {
		return "", "", fmt.Errorf("%w (label takes an address or a coin TXID:VOUT)", err)
	}
	return a.EncodeAddress(), "address", nil
}

// SetFrozen freezes (prepare and bump will not spend it) or
// unfreezes a coin. Freezing a coin the wallet does not hold yet is allowed:
// a deposit announced but not yet seen can be frozen ahead.
func SetFrozen(env *Env, walletName, outpoint string, frozen bool) error {
	w, err := LoadWallet(env, walletName)
	if err != nil {
		return err
	}
	op, err := ParseOutPoint(outpoint)
	if err != nil {
		return err
	}
	key := op.String()
	if w.Frozen[key] == frozen {
		if frozen {
			env.Infof("coin %s was already frozen", key)
		} else {
			env.Infof("coin %s was not frozen", key)
		}
		return nil
	}
	if frozen {
		if w.Frozen == nil {
			w.Frozen = map[string]bool{}
		}
		w.Frozen[key] = true
	} else {
		delete(w.Frozen, key)
	}
	if err := w.save(env.DataDir); err != nil {
		return err
	}
	if frozen {
		env.Infof("froze coin %s: prepare will not spend it until it is unfrozen", key)
	} else {
		env.Infof("unfroze coin %s", key)
	}
	return nil
}
