package online

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/airsign/airsign/online/store"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/psbt/walletfile"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/airsign/airsign/transport/sheet"
	"github.com/airsign/airsign/transport/ur"
	"github.com/airsign/airsign/transport/ur/urdescriptor"
	"github.com/btcsuite/btcd/chaincfg"
)

// This file reads a watch-only descriptor from where an operator has one
// (the text itself, a file, airsign-offline's enrollment JSON, a QR code,
// UR parts) and stores it as a new wallet.

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
	// Birthday is the first block height that can hold the wallet's coins
	// (e.g. the tip on the day of its keygen), stored with it; 0 is unknown.
	Birthday int32
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
		return nil, transport.WithHint(fmt.Errorf("%s: --type picks a wallet out of a UR crypto-account (SeedSigner, Keystone, Passport); this holds one wallet already", text.where), "drop --type")
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
		return nil, transport.WithHint(testNetworkUnnamed(text), "pass --network testnet, signet or regtest")
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
			return nil, transport.WithHint(fmt.Errorf("%s: %w", text.where, err), "pass --network mainnet, testnet, signet or regtest to match the keys")
		}
		return nil, fmt.Errorf("%s: %w", text.where, err)
	}
	if text.check != nil {
		if err := text.check(d); err != nil {
			return nil, fmt.Errorf("%s: %w", text.where, err)
		}
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
	if err := checkWalletName(opts.Name); err != nil {
		return nil, err
	}
	if opts.Birthday < 0 {
		return nil, fmt.Errorf("--birthday %d: a block height is 0 (unknown) or more", opts.Birthday)
	}
	w := &Wallet{Name: opts.Name, Descriptor: d.String(), Network: net.Name, GapLimit: gap, Birthday: opts.Birthday, desc: d, net: net, gap: gap, dataDir: env.DataDir}
	err = env.update(func(t *store.Tx) error {
		w.id, err = t.AddWallet(store.WalletRecord{Name: w.Name, Descriptor: w.Descriptor, Network: w.Network, GapLimit: gap, Birthday: opts.Birthday})
		return err
	})
	if errors.Is(err, store.ErrWalletExists) {
		return nil, transport.WithHint(fmt.Errorf("a wallet named %q already exists in %s", opts.Name, env.DataDir), "choose another name with --wallet")
	}
	if err != nil {
		return nil, err
	}
	return w, nil
}

// descriptorText is a descriptor read from somewhere, with what came with it.
type descriptorText struct {
	desc  string
	where string // for messages: "the descriptor given", "wallet.json", "the QR code in a.png"
	id    string // the enrollment file's "id", if any
	// urNet is the network class a UR's coin info or key origins name,
	// or another wallet's file does (urdescriptor.NetMain or NetTest;
	// "" when unknown).
	urNet string
	// walletFile says urNet comes from another wallet's file, not a UR.
	walletFile bool
	// fromAccount says the descriptor was picked out of a crypto-account
	// or another wallet's multi-wallet export, the sources --type applies to.
	fromAccount bool
	// check, if set, compares what another wallet's file states (its
	// first address) with the parsed descriptor.
	check func(*descriptor.Descriptor) error
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

// testNetworkUnnamed says that the source names a test network but not
// which: a UR's coin info, a Coldcard "chain": "XTN" or tpubs cannot,
// since testnet, signet and regtest share their key versions.
func testNetworkUnnamed(text descriptorText) error {
	if text.walletFile {
		return fmt.Errorf("%s is for a test network but does not say which (testnet, signet and regtest keys look the same)", text.where)
	}
	return fmt.Errorf("%s is for a test network, which a UR code cannot name exactly", text.where)
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
	// airsign's own wallet backup sheet (its text file): its descriptor
	// line, checked against the sheet's wallet ID and addresses.
	if sheet.IsSheet(trimmed) {
		d, err := sheet.ReadText(trimmed)
		if err != nil {
			return descriptorText{}, "", fmt.Errorf("%s: %w", name, err)
		}
		return descriptorText{desc: d.String(), where: name + " (airsign wallet sheet)"}, "", nil
	}
	// Other wallets' files: BSMS records, Coldcard setup files, descriptor
	// pairs, labelled lines, JSON exports (psbt/walletfile).
	if w, err := walletfile.Read(trimmed, accountType); err == nil {
		return descriptorText{desc: w.Descriptor, where: name + " (" + w.Format + ")", urNet: w.Net, walletFile: true, fromAccount: w.Picked, check: w.Check}, "", nil
	} else if !errors.Is(err, walletfile.ErrNotWalletFile) {
		return descriptorText{}, "", fmt.Errorf("%s: %w", name, err)
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
			return descriptorText{}, "", fmt.Errorf("%s is JSON without a \"descriptor\" field, in no format airsign reads (expected airsign-offline's enrollment file, or a wallet export of Bitcoin Core (listdescriptors), Coldcard, Electrum, Caravan, Specter, Keystone/Cobo or Wasabi)", name)
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
			return descriptorText{}, "", transport.WithHint(fmt.Errorf("%s line %d: a second descriptor (the first is on line %d)", name, line, foundLine), "import one descriptor per wallet")
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
	switch {
	case urdescriptor.IsAccount(typ):
		return accountWallet(msg, where, accountType)
	case urdescriptor.IsHDKey(typ):
		return descriptorText{}, "", fmt.Errorf("%s is a single key (UR %s), not a wallet: a multisig cosigner key goes into airsign-offline wallet multisig", where, typ)
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
	case len(wallets) == 0 && len(acct.Outputs) > 0 && strings.Contains(acct.Outputs[0].Script, "cosigner"):
		// SeedSigner's multisig xpub export: a key for a multisig, not a
		// wallet to watch by itself.
		return descriptorText{}, "", transport.WithHint(fmt.Errorf("%s: the account export holds a multisig cosigner key (%s), not a wallet", where, acct.Outputs[0].Script), "give it to airsign-offline wallet multisig with the other cosigners, then import the multisig descriptor it prints")
	case len(wallets) == 0:
		return descriptorText{}, "", fmt.Errorf("%s: the account export holds no wpkh, sh(wpkh) or tr wallet", where)
	default:
		return descriptorText{}, "", fmt.Errorf("%s: the account export holds %d wallets; choose one with --type (%s)", where, len(wallets), strings.Join(names, ", "))
	}
	return descriptorText{desc: pick.Text, where: where + " (" + pick.Script + " of the account)", urNet: acct.Net, fromAccount: true}, "", nil
}
