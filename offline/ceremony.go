package offline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/shamir"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/qrcode"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// CeremonyOptions are the inputs of `ceremony keygen|drill|reshare|rotate`.
type CeremonyOptions struct {
	Name string
	// Answers runs the ceremony from an answers file instead of the
	// terminal (drills, tests, the demo).
	Answers string
	// Log is the ceremony log (hash-chained JSON Lines), appended to.
	Log string
	// Kind and Account choose the watch-only wallet exported (wpkh default).
	Kind    string
	Account uint32
	// ExportDir receives descriptor.txt and descriptor.png for the online side.
	ExportDir string
	// CardDir, if set, receives a printable card per share (HTML).
	CardDir string
	// ShareDir, only with an answers file that says "secrets: test",
	// receives each share's text (share-N.txt), so a demo or test can run a
	// drill afterwards. The key of such a run is not secret.
	ShareDir string
	// Sheet is the wallet backup sheet a drill checks the rebuilt key
	// against: its text file, a picture of its QR code, or "-" to type its
	// descriptor line. It is read and checked before any share is typed.
	Sheet string
	// Record is the watch-only descriptor (file) a rebuilt key is compared
	// with; default: the last wallet made in the ceremony log.
	Record string
	// TestPSBT is the PSBT a drill signs (a file, QR frames or pictures);
	// default: a self-made one that spends nothing real. A BIP127 proof of
	// reserves (airsign-online reserves prepare) is signed for the real
	// coins and written to ProofOut.
	TestPSBT string
	// ProofOut is the new file the signed proof of reserves goes to.
	ProofOut string
	// Sweep is the unsigned sweep PSBT of a rotation; SweepOut where the
	// signed one is written.
	Sweep, SweepOut string
	// EntropyBytes is 32 (24 words, default) or 16 (12 words).
	EntropyBytes int
	// Cosigner also exports the key as a multisig cosigner (BIP48 p2wsh and
	// p2sh-p2wsh xpubs with origin: cosigner.txt, and Coldcard's JSON) for
	// a multisig wallet with other keys or devices.
	Cosigner    bool
	AllowOnline bool
	// Passphrase says the wallet whose key a drill, reshare or rotate
	// rebuilds has a BIP39 passphrase, typed at the terminal (unseen)
	// after the shares. Without it the passphrase is asked when the log's
	// keygen recorded one. A keygen asks at its own step instead.
	Passphrase bool
}

// checkCeremonyFlags refuses, before anyone rolls a die or hands out a
// card, the flags a later step needs and would otherwise only find
// missing then: re-running a keygen or rotate makes another key.
func checkCeremonyFlags(opts CeremonyOptions) error {
	if (opts.Name == "keygen" || opts.Name == "rotate") && opts.ExportDir == "" {
		return fmt.Errorf("give --export-dir DIR: the %s writes the watch-only wallet there for the online side", opts.Name)
	}
	if opts.Name == "keygen" && opts.Passphrase {
		return errors.New("--passphrase is for the wallet a drill, reshare or rotate rebuilds; the keygen asks at step 2.2 whether the new wallet has one")
	}
	if opts.Name == "drill" {
		if err := checkDrillPSBT(opts); err != nil {
			return err
		}
	}
	if opts.Name != "rotate" {
		return nil
	}
	if opts.Sweep == "" || opts.SweepOut == "" {
		return errors.New("give --sweep FILE (where the online side's unsigned sweep will be) and --sweep-out FILE (a new file for the signed sweep): the rotation signs the sweep of the old key")
	}
	if opts.Sweep == opts.SweepOut {
		return errors.New("--sweep and --sweep-out are the same file; the signed sweep goes to a new file")
	}
	if _, err := os.Lstat(opts.SweepOut); err == nil {
		return fmt.Errorf("--sweep-out %s already exists; give a new file for the signed sweep", opts.SweepOut)
	}
	return nil
}

// RunCeremony runs one ceremony with the terminal (or an answers file) as
// its prompter and appends every step to the ceremony log.
func RunCeremony(ctx context.Context, env *Env, opts CeremonyOptions, prompter ceremony.Prompter) (ceremony.Result, error) {
	def, err := ceremony.Lookup(opts.Name)
	if err != nil {
		return ceremony.Result{}, err
	}
	if opts.Log == "" {
		return ceremony.Result{}, fmt.Errorf("give --log FILE: every ceremony appends to a log the witnesses verify")
	}
	if err := checkCeremonyFlags(opts); err != nil {
		return ceremony.Result{}, err
	}
	recs, err := readCeremonyLog(opts.Log)
	if err != nil {
		return ceremony.Result{}, err
	}
	// The record a rebuilt key is compared with is what the log held before
	// this ceremony: rotate logs its new key before it rebuilds the old one.
	// Without one, a ceremony that rebuilds a key is refused now, before
	// anybody types a share.
	var logged string
	var loggedErr error
	var fromSheet *descriptor.Descriptor
	if opts.Sheet != "" {
		if fromSheet, err = readSheetSource(env, opts.Sheet); err != nil {
			return ceremony.Result{}, fmt.Errorf("--sheet %s: %w", opts.Sheet, err)
		}
	}
	if opts.Record == "" && fromSheet == nil {
		logged, loggedErr = lastLoggedDescriptor(opts.Log, recs)
		if loggedErr != nil && opts.Name != "keygen" {
			return ceremony.Result{}, loggedErr
		}
	}
	if prompter == nil {
		if opts.Answers != "" {
			f, err := os.Open(opts.Answers)
			if err != nil {
				return ceremony.Result{}, fmt.Errorf("opening the answers file: %w", err)
			}
			ans, err := ceremony.ParseAnswers(f)
			f.Close()
			if err != nil {
				return ceremony.Result{}, fmt.Errorf("%s: %w", opts.Answers, err)
			}
			if opts.ShareDir != "" && ans.Secrets != "test" {
				return ceremony.Result{}, fmt.Errorf("--share-dir writes shares in clear: it is allowed only with an answers file that says \"secrets: test\"")
			}
			prompter, err = ceremony.NewAnswersPrompter(ans, def, consoleWriter{env.Stdout})
			if err != nil {
				return ceremony.Result{}, fmt.Errorf("%s: %w", opts.Answers, err)
			}
		} else {
			if opts.ShareDir != "" {
				return ceremony.Result{}, fmt.Errorf("--share-dir writes shares in clear: it is allowed only for test runs from an answers file")
			}
			prompter = &ttyCeremonyPrompter{env: env}
		}
	}
	log, closeLog, err := openLog(opts.Log)
	if err != nil {
		return ceremony.Result{}, err
	}
	defer closeLog()
	kind, err := ParseKind(opts.Kind)
	if err != nil {
		return ceremony.Result{}, err
	}
	acts := &ceremonyActions{env: env, opts: opts, kind: kind, logged: logged, loggedErr: loggedErr, sheet: fromSheet}
	rebuildPass, noPass := opts.Passphrase, false
	if opts.Name != "keygen" && !rebuildPass && opts.Record == "" && fromSheet == nil && loggedErr == nil {
		var known bool
		rebuildPass, known = loggedPassphrase(recs)
		noPass = known && !rebuildPass
	}
	current := ""
	if opts.Record == "" && fromSheet == nil {
		current = ceremony.CurrentSet(recs) // the set of the key the log records
	}
	res, err := ceremony.Run(ctx, def, prompter, log, acts, ceremony.Options{EntropyBytes: opts.EntropyBytes, VoidSets: ceremony.VoidSets(recs),
		RevokedSets: ceremony.RevokedSets(recs), CurrentSet: current, LogDates: ceremony.DatesOf(recs), RebuildPassphrase: rebuildPass, NoPassphraseLogged: noPass})
	if opts.CardDir != "" {
		// Each card holds a share in clear: together they are the key.
		// Said however the ceremony ended, since cards may already exist.
		if cards, _ := filepath.Glob(filepath.Join(opts.CardDir, "card-*.html")); len(cards) > 0 {
			// Wrapped for the console, the command to run on a line of its own.
			fmt.Fprint(env.Stderr, ceremonyText(fmt.Sprintf("warning: %d share card(s) are in %s, each holding a share in clear (together they are the key): "+
				"print them, then delete the files and empty any print queue:\n  shred -u %s/card-*.html\n", len(cards), opts.CardDir, opts.CardDir)))
		}
	}
	return res, err
}

// ceremonyActions does the ceremonies' key arithmetic and file work.
type ceremonyActions struct {
	env  *Env
	opts CeremonyOptions
	kind descriptor.Kind
	// cosigner holds the public cosigner exports of the key made (Cosigner).
	cosignerKey, cosignerJSON string
	// made is the wallet of the last key Wallet described: the one whose
	// cards are handed out, named on each card; madePassphrase says its
	// key needs a BIP39 passphrase besides the cards' words.
	made           *descriptor.Descriptor
	madePassphrase bool
	// cosigner is the made key's cosigner export (Cosigner), for its
	// cards and sheet.
	cosigner *descriptor.Key
	// sheet is the wallet read from --sheet, the record when given.
	sheet *descriptor.Descriptor
	// cosignerFP is the rebuilt key's fingerprint when the record is a
	// multisig holding that key.
	cosignerFP string
	// logged is the last wallet descriptor in the log before this run.
	logged    string
	loggedErr error
}

var _ ceremony.Actions = (*ceremonyActions)(nil)

func (c *ceremonyActions) AirGapCheck(ctx context.Context) ([]ceremony.Check, error) {
	r := CheckAirgap()
	var out []ceremony.Check
	net := ceremony.Check{Name: "network", OK: len(r.Interfaces) == 0 && len(r.Wireless) == 0, Required: !c.opts.AllowOnline, Detail: "no network interface up but loopback, no radio"}
	if !net.OK {
		net.Detail = strings.Join(append(prefixAll("up: ", r.Interfaces), prefixAll("radio: ", r.Wireless)...), ", ")
		if c.opts.AllowOnline {
			net.Detail += " (overridden with --allow-online)"
		}
	}
	swap := ceremony.Check{Name: "swap", OK: len(r.Swap) == 0, Detail: "no swap active"}
	if !swap.OK {
		swap.Detail = "swap active on " + strings.Join(r.Swap, ", ")
	}
	core := ceremony.Check{Name: "core dumps", OK: !r.CoreDumps, Required: true, Detail: "core dumps off"}
	if r.CoreDumps {
		core.Detail = "core dumps are allowed"
	}
	bin := ceremony.Check{Name: "binary", OK: true, Detail: "sha256 " + r.Binary}
	return append(out, net, swap, core, bin), nil
}

func prefixAll(p string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = p + x
	}
	return out
}

// keyOf rebuilds the key from copies of the runner's entropy and
// passphrase (the runner keeps and wipes its own); it also returns the
// fingerprint of the words alone, the one shares carry.
func (c *ceremonyActions) keyOf(k ceremony.Key) (*Key, uint32, error) {
	key, err := KeyFromEntropy(bytes.Clone(k.Entropy), c.env.Net)
	if err != nil {
		return nil, 0, err
	}
	words := key.Fingerprint
	if len(k.Passphrase) > 0 {
		if key, err = key.withPassphrase(bytes.Clone(k.Passphrase), c.env.Net); err != nil {
			return nil, 0, err
		}
	}
	return key, words, nil
}

func (c *ceremonyActions) Wallet(ctx context.Context, k ceremony.Key) (ceremony.Wallet, error) {
	key, words, err := c.keyOf(k)
	if err != nil {
		return ceremony.Wallet{}, err
	}
	defer key.Wipe()
	sharesFP := psbt.FormatFingerprint(words)
	kind, account := c.kind, c.opts.Account
	// A rebuilt key is described the way its record describes it (type and
	// account), so the comparison is like with like.
	if rec, err := c.recordDescriptor(); err == nil {
		if keys := rec.Keys(); len(keys) == 1 && keys[0].PSBTFingerprint() == key.Fingerprint && len(keys[0].Path) == 3 {
			kind, account = rec.Kind(), keys[0].Path[2]&^hdkeychain.HardenedKeyStart
		}
		// A cosigner's key gives the multisig when its xpub is in it at
		// the origin the record names (the other keys come from the record).
		if rec.Kind().IsMultisig() && checkOurKeyIn(key, rec) == nil {
			c.cosignerFP = psbt.FormatFingerprint(key.Fingerprint)
			return walletOf(rec, c.cosignerFP, sharesFP)
		}
	}
	d, err := key.Descriptor(kind, account, c.env.Net)
	if err != nil {
		return ceremony.Wallet{}, err
	}
	c.made, c.madePassphrase = d, len(k.Passphrase) > 0
	if c.opts.Cosigner {
		k, err := descriptor.AccountKey(descriptor.WSHSortedMulti, key.Master, c.opts.Account, c.env.Net)
		if err != nil {
			return ceremony.Wallet{}, err
		}
		if c.cosignerJSON, err = coldcardXPubJSON(key, c.opts.Account, c.env.Net); err != nil {
			return ceremony.Wallet{}, err
		}
		c.cosignerKey, c.cosigner = k.String(), &k
	}
	w, err := walletOf(d, psbt.FormatFingerprint(key.Fingerprint), sharesFP)
	w.Cosigner = c.cosignerKey
	return w, err
}

// walletOf is the ceremony's view of descriptor d: fp is the key's
// fingerprint in it, sharesFP the one its shares carry (the words'
// without the passphrase; "" for a recorded wallet, known only by its
// descriptor).
func walletOf(d *descriptor.Descriptor, fp, sharesFP string) (ceremony.Wallet, error) {
	w := ceremony.Wallet{Fingerprint: fp, SharesFingerprint: sharesFP, Descriptor: d.String(), ID: d.ID()}
	for i := uint32(0); i < 3; i++ {
		der, err := d.Derive(0, i)
		if err != nil {
			return w, err
		}
		w.Addresses = append(w.Addresses, der.Address.EncodeAddress())
	}
	return w, nil
}

func (c *ceremonyActions) Split(ctx context.Context, entropy []byte, fingerprint string, threshold, count int) (ceremony.ShareSet, error) {
	fp, err := ParseFingerprint(fingerprint)
	if err != nil {
		return ceremony.ShareSet{}, err
	}
	shares, err := shamir.Split(entropy, fp, threshold, count, nil)
	if err != nil {
		return ceremony.ShareSet{}, err
	}
	defer wipeShares(shares)
	set := ceremony.ShareSet{SetID: shares[0].SetID.String(), Threshold: threshold, Count: count}
	for _, s := range shares {
		text, err := s.MarshalText()
		if err != nil {
			return ceremony.ShareSet{}, err
		}
		set.Shares = append(set.Shares, text)
	}
	return set, nil
}

func infoOf(s shamir.Share) ceremony.ShareInfo {
	return ceremony.ShareInfo{SetID: s.SetID.String(), Threshold: s.Threshold, Count: s.Count, Index: s.Index, Fingerprint: s.Fingerprint.String()}
}

func (c *ceremonyActions) ParseShare(ctx context.Context, text []byte) (ceremony.ShareInfo, error) {
	s, err := shamir.ParseShare(text, "the share")
	if err != nil {
		return ceremony.ShareInfo{}, err
	}
	defer s.Wipe()
	return infoOf(s), nil
}

func (c *ceremonyActions) CheckCopy(ctx context.Context, shown, typed []byte) error {
	want, err := shamir.ParseShare(shown, "the card shown")
	if err != nil {
		return err
	}
	defer want.Wipe()
	got, err := shamir.ParseShare(typed, "the copy")
	if err != nil {
		return err
	}
	defer got.Wipe()
	if got.SetID != want.SetID || got.Index != want.Index || !bytes.Equal(got.Payload, want.Payload) {
		return fmt.Errorf("the copy is a valid share but not share %d of set %s: it was copied from another card", want.Index, want.SetID)
	}
	return nil
}

func (c *ceremonyActions) Combine(ctx context.Context, texts [][]byte) ([]byte, error) {
	var shares []shamir.Share
	defer func() { wipeShares(shares) }()
	for i, t := range texts {
		s, err := shamir.ParseShare(t, fmt.Sprintf("share %d", i+1))
		if err != nil {
			return nil, err
		}
		shares = append(shares, s)
	}
	return shamir.Combine(shares)
}

// SignTest signs a PSBT that spends nothing real: by default one spending a
// made-up coin paid to the key's first address, so the drill proves the key
// signs for this wallet without any real coin at stake.
func (c *ceremonyActions) SignTest(ctx context.Context, k ceremony.Key, w ceremony.Wallet) (ceremony.TestSignature, error) {
	key, _, err := c.keyOf(k)
	if err != nil {
		return ceremony.TestSignature{}, err
	}
	defer key.Wipe()
	var p *psbt.Packet
	if c.opts.TestPSBT != "" {
		if p, err = readDrillPSBT(ctx, c.opts.TestPSBT); err != nil {
			return ceremony.TestSignature{}, err
		}
		if p.IsReserves() {
			return c.signReserves(key, p)
		}
	} else {
		d, err := descriptor.Parse(w.Descriptor, c.env.Net)
		if err != nil {
			return ceremony.TestSignature{}, err
		}
		if d.Kind().IsMultisig() {
			// One cosigner cannot complete a k-of-n signature; its key
			// signs for its own place in the wallet, as a 1-of-1 of the
			// same script type and path, which verifies on its own.
			if d, err = cosignerTestWallet(d, key.Fingerprint); err != nil {
				return ceremony.TestSignature{}, err
			}
		}
		if p, err = selfTestPSBT(d); err != nil {
			return ceremony.TestSignature{}, err
		}
	}
	res, err := psbt.Sign(p, key.Master, psbt.WithNetwork(c.env.Net))
	if err != nil {
		return ceremony.TestSignature{}, err
	}
	enc, err := p.Encode()
	if err != nil {
		return ceremony.TestSignature{}, err
	}
	sum := sha256.Sum256(enc)
	verified := false
	if psbt.Finalize(p) == nil {
		if _, err := psbt.Extract(p); err != nil {
			return ceremony.TestSignature{}, fmt.Errorf("the test signature does not verify: %w", err)
		}
		verified = true
	}
	return ceremony.TestSignature{PSBTSHA256: hex.EncodeToString(sum[:]), Inputs: len(res.Signed), Verified: verified}, nil
}

// cosignerTestWallet is the 1-of-1 wallet of one cosigner's key in d.
func cosignerTestWallet(d *descriptor.Descriptor, fp uint32) (*descriptor.Descriptor, error) {
	for _, k := range d.Keys() {
		if k.PSBTFingerprint() == fp {
			return descriptor.NewSortedMulti(d.Kind(), 1, []descriptor.Key{k}, d.Net())
		}
	}
	return nil, fmt.Errorf("the key %s is not in the wallet %s", psbt.FormatFingerprint(fp), d.ID())
}

// selfTestPSBT spends a made-up coin (its previous transaction spends the
// all-zero outpoint, so it can never exist on any chain) paying the
// wallet's first receive address, back to that address.
func selfTestPSBT(d *descriptor.Descriptor) (*psbt.Packet, error) {
	der, err := d.Derive(0, 0)
	if err != nil {
		return nil, err
	}
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{}, 0), []byte("airsign recovery drill: not a real coin"), nil))
	prev.AddTxOut(wire.NewTxOut(100_000, der.Script))
	var keys []psbt.KeyOrigin
	for _, k := range der.Keys {
		keys = append(keys, psbt.KeyOrigin{PubKey: k.PubKey, Fingerprint: k.Fingerprint, Path: k.Path})
	}
	in := psbt.InputSpec{PrevTx: prev, Vout: 0, Sequence: wire.MaxTxInSequenceNum, Keys: keys,
		RedeemScript: der.RedeemScript, WitnessScript: der.WitnessScript, Taproot: d.Kind() == descriptor.TR}
	return psbt.Build(2, 0, []psbt.InputSpec{in}, []psbt.OutputSpec{{PkScript: der.Script, Amount: 99_000}})
}

func (c *ceremonyActions) PrintCard(ctx context.Context, card ceremony.Card) ([]ceremony.Artefact, error) {
	if c.opts.ShareDir != "" {
		if err := os.MkdirAll(c.opts.ShareDir, 0o700); err != nil {
			return nil, err
		}
		path := filepath.Join(c.opts.ShareDir, fmt.Sprintf("share-%d.txt", card.Index))
		if err := file.WriteAtomic(path, append(bytes.Clone(card.Share), '\n'), 0o600); err != nil {
			return nil, err
		}
	}
	if c.opts.CardDir == "" {
		return nil, nil
	}
	s, err := shamir.ParseShare(card.Share, fmt.Sprintf("share %d", card.Index))
	if err != nil {
		return nil, err
	}
	defer s.Wipe()
	page, err := renderCard(s, time.Now(), cardWallet{d: c.made, ours: true, passphrase: c.madePassphrase, cosigner: c.cosigner})
	if err != nil {
		return nil, err
	}
	defer wipe(page)
	if err := os.MkdirAll(c.opts.CardDir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(c.opts.CardDir, fmt.Sprintf("card-%s-%d.html", card.SetID, card.Index))
	if err := file.WriteAtomic(path, page, 0o600); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(page)
	return []ceremony.Artefact{{Name: filepath.Base(path), SHA256: hex.EncodeToString(sum[:])}}, nil
}

func (c *ceremonyActions) Export(ctx context.Context, w ceremony.Wallet) ([]ceremony.Artefact, error) {
	dir := c.opts.ExportDir
	if dir == "" {
		return nil, errors.New("no --export-dir given for the watch-only wallet")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	text := []byte(w.Descriptor + "\n")
	path := filepath.Join(dir, "descriptor.txt")
	if err := file.WriteAtomic(path, text, 0o644); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(text)
	arts := []ceremony.Artefact{{Name: "descriptor.txt", SHA256: hex.EncodeToString(sum[:])}}
	if c.cosignerKey != "" {
		for _, f := range [][2]string{{"cosigner.txt", c.cosignerKey + "\n"}, {"ccxp-" + strings.ToUpper(w.Fingerprint) + ".json", c.cosignerJSON}} {
			name, data := f[0], f[1]
			if err := file.WriteAtomic(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				return nil, err
			}
			s := sha256.Sum256([]byte(data))
			arts = append(arts, ceremony.Artefact{Name: name, SHA256: hex.EncodeToString(s[:])})
		}
		pngs, err := qrcode.WritePNGs(filepath.Join(dir, "cosigner-qr"), []string{c.cosignerKey}, qrcode.Options{})
		if err != nil {
			return nil, fmt.Errorf("writing the cosigner QR: %w", err)
		}
		for _, p := range pngs {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, err
			}
			s := sha256.Sum256(data)
			arts = append(arts, ceremony.Artefact{Name: filepath.Join("cosigner-qr", filepath.Base(p)), SHA256: hex.EncodeToString(s[:])})
		}
	}
	pngs, err := qrcode.WritePNGs(filepath.Join(dir, "descriptor-qr"), []string{w.Descriptor}, qrcode.Options{})
	if err != nil {
		return nil, fmt.Errorf("writing the descriptor QR: %w", err)
	}
	for _, p := range pngs {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		s := sha256.Sum256(data)
		arts = append(arts, ceremony.Artefact{Name: filepath.Join("descriptor-qr", filepath.Base(p)), SHA256: hex.EncodeToString(s[:])})
	}
	sheetArts, err := c.writeSheets(w)
	return append(arts, sheetArts...), err
}

// writeSheets writes the wallet backup sheet into the export directory and,
// beside the cards, into the card directory.
func (c *ceremonyActions) writeSheets(w ceremony.Wallet) ([]ceremony.Artefact, error) {
	d, err := descriptor.Parse(w.Descriptor, c.env.Net)
	if err != nil {
		return nil, err
	}
	pass := sheetExtra{cosigner: c.cosigner}
	if w.HasPassphrase() {
		pass.fingerprint, pass.holder = w.Fingerprint, w.PassphraseHolder
		pass.sharesKey, pass.setID = w.SharesFingerprint, w.SharesSetID
	}
	arts, err := writeSheet(c.opts.ExportDir, d, time.Now(), pass)
	if err != nil {
		return nil, err
	}
	sheetNote(c.env, c.opts.ExportDir, d)
	if c.opts.CardDir != "" {
		if _, err := writeSheet(c.opts.CardDir, d, time.Now(), pass); err != nil {
			return nil, err
		}
	}
	return arts, nil
}

// RecordedWallet is the wallet the rebuilt key must match: a descriptor file
// given with --record, else the last wallet a keygen or rotate wrote to the
// ceremony log.
func (c *ceremonyActions) RecordedWallet(ctx context.Context) (ceremony.Wallet, error) {
	d, err := c.recordDescriptor()
	if err != nil {
		return ceremony.Wallet{}, err
	}
	fp := ""
	if keys := d.Keys(); len(keys) == 1 {
		fp = psbt.FormatFingerprint(keys[0].PSBTFingerprint())
	} else {
		fp = c.cosignerFP
	}
	return walletOf(d, fp, "")
}

func (c *ceremonyActions) recordDescriptor() (*descriptor.Descriptor, error) {
	if c.sheet != nil {
		return c.sheet, nil
	}
	var text string
	if c.opts.Record != "" {
		t, err := descriptorText(c.opts.Record)
		if err != nil {
			return nil, err
		}
		text = t
	} else {
		if c.loggedErr != nil {
			return nil, c.loggedErr
		}
		text = c.logged
	}
	return descriptor.Parse(text, c.env.Net)
}

// readCeremonyLog reads a verified ceremony log's records; a log that does
// not exist yet has none.
func readCeremonyLog(path string) ([]ceremony.Record, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the ceremony log cannot be read: %w", err)
	}
	if _, err := ceremony.Verify(bytes.NewReader(data), ""); err != nil {
		return nil, fmt.Errorf("the ceremony log %s fails verification: %w", path, err)
	}
	var recs []ceremony.Record
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var rec ceremony.Record
		if json.Unmarshal(line, &rec) == nil { // Verify has accepted every line
			recs = append(recs, rec)
		}
	}
	return recs, nil
}

// lastLoggedDescriptor finds the wallet a ceremony log records: the
// descriptor exported by the last keygen or rotate run that completed.
// Only an "exported" record counts, and only in a completed run: a failed
// drill logs the key it rebuilt, and a stopped keygen's wallet is void;
// neither may become the key later drills are checked against.
func lastLoggedDescriptor(path string, recs []ceremony.Record) (string, error) {
	var recorded, exported string
	for _, rec := range recs {
		switch rec.Event {
		case ceremony.EventStarted:
			exported = ""
		case "exported":
			exported = rec.Data["descriptor"]
		case ceremony.EventCompleted:
			if exported != "" {
				recorded = exported
			}
		}
	}
	if recorded == "" {
		return "", fmt.Errorf("the ceremony log %s records no completed keygen or rotate: give --record FILE with the wallet's watch-only descriptor (airsign-offline export descriptor, or the descriptor.txt the keygen wrote)", path)
	}
	return recorded, nil
}

// loggedPassphrase says whether the wallet lastLoggedDescriptor finds has
// a BIP39 passphrase: its keygen or rotate logged passphrase=yes when it
// was made. Logs from before the question have no record: no passphrase,
// but known is false (the log cannot tell); known is true when that run
// logged its answer, yes or no.
func loggedPassphrase(recs []ceremony.Record) (has, known bool) {
	var chosen, asked bool
	for _, rec := range recs {
		switch rec.Event {
		case ceremony.EventStarted:
			chosen, asked = false, false
		case "passphrase-chosen":
			chosen, asked = rec.Data["passphrase"] == "yes", true
		case ceremony.EventCompleted:
			if rec.Ceremony == "keygen" || rec.Ceremony == "rotate" {
				has, known = chosen, asked
			}
		}
	}
	return has, known
}

func (c *ceremonyActions) LoadSweep(ctx context.Context, from, to ceremony.Wallet) (ceremony.Sweep, error) {
	if c.opts.Sweep == "" {
		return ceremony.Sweep{}, errors.New("no --sweep FILE given for the unsigned sweep PSBT")
	}
	data, err := os.ReadFile(c.opts.Sweep)
	if errors.Is(err, os.ErrNotExist) {
		return ceremony.Sweep{}, fmt.Errorf("%s is not there: bring the unsigned sweep from the online laptop as that file (--sweep)", c.opts.Sweep)
	}
	if err != nil {
		return ceremony.Sweep{}, err
	}
	p, err := psbt.Decode(data)
	if err != nil {
		return ceremony.Sweep{}, fmt.Errorf("%s: %w", c.opts.Sweep, err)
	}
	oldDesc, err := descriptor.Parse(from.Descriptor, c.env.Net)
	if err != nil {
		return ceremony.Sweep{}, err
	}
	fp := uint32(0)
	if keys := oldDesc.Keys(); len(keys) == 1 {
		fp = keys[0].PSBTFingerprint()
	}
	a := psbt.DefaultPolicy().Apply(psbt.Analyze(p, c.env.Net, fp, psbt.DescriptorWallet(oldDesc)))
	if r := a.Refusals(); len(r) > 0 {
		return ceremony.Sweep{}, fmt.Errorf("the sweep is refused: %s", r[0])
	}
	for _, in := range a.Inputs {
		if !in.Ours {
			return ceremony.Sweep{}, fmt.Errorf("input %d of the sweep is not from the old wallet %s", in.Index, from.Fingerprint)
		}
	}
	if len(a.Outputs) != 1 {
		return ceremony.Sweep{}, fmt.Errorf("the sweep has %d outputs; a sweep pays everything to one address of the new wallet", len(a.Outputs))
	}
	dest := a.Outputs[0].Address
	if len(to.Addresses) == 0 || dest != to.Addresses[0] {
		return ceremony.Sweep{}, fmt.Errorf("the sweep pays %s, not the new wallet's first address (the one in the box \"First receive address\" of the rotation checklist): prepare it again with airsign-online prepare --sweep thatADDRESS", dest)
	}
	sum := sha256.Sum256(data)
	return ceremony.Sweep{PSBT: data, PSBTSHA256: hex.EncodeToString(sum[:]), Inputs: len(a.Inputs), AmountSats: a.Outputs[0].Amount, FeeSats: a.Fee, Destination: dest}, nil
}

func (c *ceremonyActions) SignSweep(ctx context.Context, k ceremony.Key, s ceremony.Sweep) (ceremony.SignedSweep, error) {
	if c.opts.SweepOut == "" {
		return ceremony.SignedSweep{}, errors.New("no --sweep-out FILE given for the signed sweep")
	}
	key, _, err := c.keyOf(k)
	if err != nil {
		return ceremony.SignedSweep{}, err
	}
	defer key.Wipe()
	p, err := psbt.Decode(s.PSBT)
	if err != nil {
		return ceremony.SignedSweep{}, err
	}
	_, sum, err := c.signAndWrite(key, p, c.opts.SweepOut)
	if err != nil {
		return ceremony.SignedSweep{}, err
	}
	return ceremony.SignedSweep{TxID: p.TxID(), Artefacts: []ceremony.Artefact{{Name: filepath.Base(c.opts.SweepOut), SHA256: hex.EncodeToString(sum[:])}}}, nil
}
