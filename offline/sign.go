package offline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
)

// SignOptions are the inputs of `airsign-offline sign`.
type SignOptions struct {
	// Sources hold the PSBT to sign (see ReadPSBT).
	Sources []string
	// Out is the signed PSBT file; QR is where the signed PSBT is shown
	// or written as QR codes. At least one is needed.
	Out string
	QR  transport.QROptions
	Key KeySource
	// Confirm is the confirmation digest given by flag (drills, tests);
	// empty means ask the operator to type it.
	Confirm string
	Policy  psbt.Policy
	JSON    bool
	// AllowOnline signs on a machine that is not air-gapped (logged).
	AllowOnline bool
	// LogPath is the hash-chained signing log (DefaultLogPath if empty).
	LogPath string
	// LogHead is the log head the operator wrote on the signing sheet after
	// the last signature: the log must still hold it (not cut short,
	// rewritten or deleted). Empty skips the check.
	LogHead string
	// PolicyFile replaces the default policy (docs/policy.md); the
	// operator's --allow-* flags still apply on top.
	PolicyFile string
	// WalletFile is an enrollment file whose descriptor also counts for
	// change (multisig, non-standard paths); its tag is verified first.
	WalletFile string
}

// ErrRefused is returned when airsign-offline refuses: a PSBT, a descriptor
// or a machine it will not sign with. It is psbt.ErrRefused, so a refusal
// of psbt.Sign and one of this package match the same sentinel (exit 3).
var ErrRefused = psbt.ErrRefused

// DigestTries is how many times the operator may type the confirmation
// digest before sign gives up; no share has been typed yet, so a retry
// costs nobody anything.
const DigestTries = 3

// Sign shows what the PSBT does, applies the policy, asks the operator to
// type the confirmation digest shown online, signs with the key rebuilt for
// this command and releases the signed PSBT (a new file, written atomically
// and read back, and/or QR codes).
//
// The stages read in the order they run, and the order is the point:
// everything that can refuse without the key runs before anyone is asked
// for a share, so holders never type their shares for a PSBT that is then
// refused for its fee, its network or its output file.
func Sign(ctx context.Context, env *Env, opts SignOptions) error {
	fitQRTerm(env, &opts.QR)
	if err := checkSignOptions(&opts); err != nil {
		return err
	}
	s, err := readSignSource(ctx, env, opts)
	if err != nil {
		return err
	}
	defer s.closeLog()
	if err := s.reviewBeforeKey(); err != nil {
		return err
	}
	if err := s.confirmDigest(); err != nil {
		return err
	}
	if err := s.rebuildKey(); err != nil {
		return err
	}
	defer s.key.Wipe()
	out, err := s.signAndRecord()
	if err != nil {
		return err
	}
	return s.release(out)
}

// signSession is one run of sign, filled stage by stage.
type signSession struct {
	ctx  context.Context
	env  *Env
	opts SignOptions

	// readSignSource
	overridden []string // air-gap problems overridden with --allow-online
	log        *ceremony.LogWriter
	closeLog   func() error
	raw        []byte
	p          *psbt.Packet
	sum        [32]byte

	// reviewBeforeKey
	enrolled *enrolledWallet
	review   *review
	// stated is the key the operator named before the shares
	// (askWhichKey), 0 if none was asked for.
	stated uint32

	// rebuildKey
	key    *Key
	wallet psbt.Wallet // what counts as change (changeWallet)
	// foreignQuorum says who can spend the enrolled wallet alone, when it
	// was enrolled with --allow-foreign-quorum; logged with every record.
	foreignQuorum string
	a             *psbt.Analysis

	// signAndRecord
	res psbt.SignResult
	// newly are the inputs signed by this session; kept those that
	// already carried the key's signature (see resign.go), and
	// keptNoticed says the operator was told before the key.
	newly, kept []int
	keptNoticed bool
}

// checkSignOptions checks everything the command line says before anything
// is read: an output that is free, QR options, the policy file.
func checkSignOptions(opts *SignOptions) error {
	if err := transport.CheckOutput(opts.Out, opts.QR, "the signed PSBT", opts.Sources); err != nil {
		return err
	}
	if out := signedBeside(*opts); out != "" {
		// --qr-term alone leaves nothing on the USB stick; the next step
		// (broadcast FILE, as the README shows) wants the file.
		if err := transport.CheckOutput(out, transport.QROptions{}, "the signed PSBT", opts.Sources); err != nil {
			return transport.WithHint(fmt.Errorf("--qr-term also writes the signed PSBT beside the unsigned one: %w", err), "give --out FILE for another name")
		}
		opts.Out = out
	}
	pol, err := loadPolicy(opts.PolicyFile, opts.Policy)
	if err != nil {
		return err
	}
	opts.Policy = pol
	if opts.LogPath == "" {
		opts.LogPath = DefaultLogPath()
	}
	return nil
}

// signedBeside is where sign writes the signed PSBT when --qr-term is the
// only output and the PSBT came from one file: beside it, named NAME-signed.psbt
// (pay.psbt → pay-signed.psbt). "" otherwise.
func signedBeside(opts SignOptions) string {
	q := opts.QR
	if opts.Out != "" || !q.Term || q.Dir != "" || q.GIF != "" || q.HTML != "" || len(opts.Sources) != 1 {
		return ""
	}
	src := opts.Sources[0]
	if st, err := os.Stat(src); src == "-" || err != nil || !st.Mode().IsRegular() {
		return ""
	}
	base := strings.TrimSuffix(src, filepath.Ext(src))
	return base + "-signed.psbt"
}

// readSignSource checks the machine is air-gapped, opens the signing log
// and reads and decodes the PSBT.
func readSignSource(ctx context.Context, env *Env, opts SignOptions) (*signSession, error) {
	s := &signSession{ctx: ctx, env: env, opts: opts}
	var err error
	if s.overridden, err = requireAirgap(env, opts.AllowOnline); err != nil {
		return nil, err
	}
	s.opts.Key.airgapChecked = true // and the override is in the signing record
	if s.log, s.closeLog, err = openSigningLog(env, opts.LogPath, opts.LogHead); err != nil {
		return nil, err
	}
	if s.raw, s.p, err = transport.ReadPacket(ctx, opts.Sources, env.readOptions()); err != nil {
		s.closeLog()
		return nil, err
	}
	s.sum = sha256.Sum256(s.raw)
	return s, nil
}

// reviewBeforeKey shows what the PSBT does and refuses, before any share
// is asked for, every PSBT that would be refused whatever key the shares
// rebuild: network, analysis, policy, the enrolled wallet's structure. The
// refusal is logged.
func (s *signSession) reviewBeforeKey() error {
	if s.opts.WalletFile != "" {
		e, d, err := ReadEnrollment(s.env, s.opts.WalletFile)
		if err != nil {
			return err
		}
		s.enrolled = &enrolledWallet{path: s.opts.WalletFile, e: e, d: d}
	}
	known, err := s.knownFingerprint()
	if err != nil {
		return err
	}
	if known == 0 && s.opts.Key.typed() && s.env.Prompter != nil {
		if rs := reviewCandidates(s.p, s.env.Net, s.opts.Policy, s.enrolled, 0); len(rs) > 1 && !agree(rs) {
			if known, err = s.askWhichKey(rs); err != nil {
				return err
			}
			s.stated = known
		}
	}
	s.review = reviewPSBT(s.p, s.env.Net, s.opts.Policy, s.enrolled, known)
	if err := s.show(s.review.a); err != nil {
		return err
	}
	if refusals := s.review.a.Refusals(); len(refusals) > 0 {
		return s.refuseProblems(s.review.a, refusals, "before-key")
	}
	if err := s.checkSignedBeforeKey(); err != nil {
		return err
	}
	if s.review.guessed {
		sayf(s.env.Stderr, "The inputs name %d keys; the screen above is for key %s. Give --expect-fingerprint (or --wallet) to check the PSBT against your own key before the shares are typed.\n", s.review.keys, psbt.FormatFingerprint(s.review.fingerprint))
	} else if !s.opts.Key.Passphrase {
		// The cards of the key reviewed say so: one of another key is
		// refused as it is typed.
		s.opts.Key.cardKey = s.review.fingerprint
	}
	if len(s.review.unproven) > 0 {
		sayf(s.env.Stderr, "Change (claimed) is proven with the key once it is rebuilt; if it is not ours, nothing is signed.\n")
	}
	return nil
}

// confirmDigest asks the operator to type the four words shown by
// `airsign-online prepare` (on its screen or printed page). The offline
// screen never shows them, so a match proves both machines hold the same
// transaction; a mismatch never reveals the right words.
func (s *signSession) confirmDigest() error {
	const notPrepared = "this is not the PSBT that was prepared online: the words typed are not its confirmation digest"
	if r := s.review.a.Reserves; r != nil {
		if s.opts.Confirm == "" {
			return s.confirmReserves(r)
		}
		if strings.EqualFold(strings.TrimSpace(s.opts.Confirm), ReservesWord) {
			return nil
		}
	}
	if s.opts.Confirm != "" {
		if psbt.MatchDigest(s.p, s.opts.Confirm) {
			return nil
		}
		return s.refuse(s.review.a, string(psbt.CodeDigestMismatch), "", transport.WithHint(fmt.Errorf("%w to sign: %s (--confirm); nothing was signed", ErrRefused, notPrepared), "check the words given with --confirm against the online screen"))
	}
	sayf(s.env.Stderr, "\nThe online screen (or its printed page) shows the PSBT's confirmation digest:\n%d words.\n", psbt.DigestWords)
	for try := 1; try <= DigestTries; try++ {
		typed, err := s.env.Prompter.ReadLine("Type the confirmation digest shown online: ")
		if err != nil {
			return err
		}
		if psbt.MatchDigest(s.p, typed) {
			return nil
		}
		if try < DigestTries {
			sayf(s.env.Stderr, "%s.\nCheck the words on the online screen and type them again (%d of %d tries left; no share has been asked for).\n", notPrepared, DigestTries-try, DigestTries)
		}
	}
	return s.refuse(s.review.a, string(psbt.CodeDigestMismatch), "", transport.WithHint(fmt.Errorf("%w to sign: %s (%d tries); nothing was signed", ErrRefused, notPrepared, DigestTries), "if the words were read correctly, the PSBT was changed on its way: prepare it again online"))
}

// ReservesWord is what the operator types to sign a proof of reserves.
const ReservesWord = "prove"

// confirmReserves replaces the payment's digest for a BIP127 proof of
// reserves: it pays nobody, so there is no payment to confirm, but signing
// stays a deliberate act for the message shown.
func (s *signSession) confirmReserves(r *psbt.Reserves) error {
	sayf(s.env.Stderr, "\nThis is a proof of reserves: it moves nothing. It proves %s, %s, for the message %q.\n", plural(r.Coins, "coin"), psbt.FormatAmount(r.Total, s.env.Sats), r.Message)
	for try := 1; try <= DigestTries; try++ {
		typed, err := s.env.Prompter.ReadLine(fmt.Sprintf("Type %q to sign the proof: ", ReservesWord))
		if err != nil {
			return err
		}
		if strings.EqualFold(strings.TrimSpace(typed), ReservesWord) {
			return nil
		}
		if try < DigestTries {
			sayf(s.env.Stderr, "That is not %q (%d of %d tries left; no share has been asked for).\n", ReservesWord, DigestTries-try, DigestTries)
		}
	}
	return s.refuse(s.review.a, string(psbt.CodeNotConfirmed), "", fmt.Errorf("%w to sign: the proof of reserves was not confirmed; nothing was signed", ErrRefused))
}

// rebuildKey rebuilds the key, verifies the enrolled wallet's tag with it
// and analyses the PSBT again with the key: change is now proven, not
// claimed. Refusals found here are the ones that needed the key.
func (s *signSession) rebuildKey() error {
	var err error
	if s.key, err = s.opts.Key.LoadKey(s.env); err != nil {
		return err
	}
	if err := s.sealLog(); err != nil {
		return err
	}
	var enrolled *descriptor.Descriptor
	if s.enrolled != nil {
		if err := VerifyEnrollment(s.key, s.enrolled.path, s.enrolled.e, s.enrolled.d); err != nil {
			return s.refuse(s.review.a, string(psbt.CodeEnrollment), "", err)
		}
		enrolled = s.enrolled.d
		if s.foreignQuorum = AllowedForeignQuorum(s.key, s.enrolled.e, s.enrolled.d); s.foreignQuorum != "" {
			s.env.warnf("%s (the wallet was enrolled with --allow-foreign-quorum)", s.foreignQuorum)
		}
	}
	if s.stated != 0 && s.key.Fingerprint != s.stated {
		fp := psbt.FormatFingerprint(s.key.Fingerprint)
		return s.refuse(s.review.a, string(psbt.CodeKeyNotReviewed), "", transport.WithHint(
			fmt.Errorf("%w to sign: the shares rebuilt key %s, but key %s was named before them, and the screen above was for it", ErrRefused, fp, psbt.FormatFingerprint(s.stated)),
			"sign again and name key "+fp))
	}
	s.wallet = changeWallet(s.p, s.key, s.env.Net, enrolled)
	s.a = analyzeFor(s.p, s.env.Net, s.opts.Policy, s.key.Fingerprint, s.wallet)
	if refusals := s.a.Refusals(); len(refusals) > 0 {
		// The screen showed the analysis before the key; show what the
		// key found.
		fmt.Fprintln(s.env.Stdout, "\nWith the key rebuilt:")
		for _, r := range psbt.Condense(refusals) {
			fmt.Fprintln(s.env.Stdout, strings.Join(psbt.Wrap("  REFUSED: ", "           ", r.String(), psbt.ScreenWidth), "\n"))
		}
		return s.refuseProblems(s.a, refusals, "with-key")
	}
	if diff := s.review.differs(s.a); diff != "" {
		fp := psbt.FormatFingerprint(s.key.Fingerprint)
		if s.key.Fingerprint != s.review.fingerprint {
			return s.refuse(s.a, string(psbt.CodeKeyNotReviewed), "", transport.WithHint(fmt.Errorf("%w to sign: the shares rebuilt key %s, but the screen above was for key %s (with key %s, %s)", ErrRefused, fp, psbt.FormatFingerprint(s.review.fingerprint), fp, diff), "sign again with --expect-fingerprint "+fp))
		}
		return s.refuse(s.a, string(psbt.CodeKeyNotReviewed), "", transport.WithHint(fmt.Errorf("%w to sign: with the key, %s (the screen above showed otherwise)%s", ErrRefused, diff, changeReasons(s.a)), "prepare the PSBT again online"))
	}
	return nil
}

// changeReasons says why the analysis with the key counts outputs the
// PSBT claims as change EXTERNAL, in its own words: say, the change is our
// key in an account no input provably spends (an input of ours in another
// script type than its path's), which the PSBT's claims alone could not
// show. Without such a reason the claims themselves were false.
func changeReasons(a *psbt.Analysis) string {
	var why []string
	for _, pr := range a.Problems {
		if pr.Output >= 0 && pr.Code == psbt.CodeChangeOutsideWallet {
			why = append(why, pr.String())
		}
	}
	if len(why) == 0 {
		return ": the PSBT's claims about its change are false"
	}
	return ":\n  " + strings.Join(why, "\n  ")
}

// signAndRecord signs and writes the log record before anything is
// released; refusals of psbt.Sign are logged.
func (s *signSession) signAndRecord() ([]byte, error) {
	before := s.p.SignaturesOf(s.key.Fingerprint)
	res, err := psbt.Sign(s.p, s.key.Master, psbt.WithNetwork(s.env.Net), psbt.WithWallet(s.wallet), psbt.WithPolicy(s.opts.Policy))
	if err != nil {
		// Whatever psbt.Sign will not do is a refusal of this PSBT, and
		// every refusal is a record: its own (a *psbt.RefusedError reads
		// "refused to sign: …") and the ones found while signing (a key
		// the PSBT misstates, a taproot tree, nothing it can sign).
		if !errors.Is(err, psbt.ErrRefused) {
			err = fmt.Errorf("%w to sign: %w", ErrRefused, err)
		}
		return nil, s.refuse(s.a, string(psbt.CodeSignRefused), "", err)
	}
	s.res = res
	if s.newly, s.kept = s.keptSignatures(before); len(s.newly) == 0 {
		err := transport.WithHint(
			fmt.Errorf("%w to sign:\n%s", ErrRefused, screenText(fmt.Sprintf("  every input of key %s already carried its signature: nothing new was signed, and nothing is written", psbt.FormatFingerprint(s.key.Fingerprint)))),
			nextSigner)
		return nil, s.refuse(s.a, "already-signed", "", err)
	}
	out, err := s.p.Encode()
	if err != nil {
		return nil, err
	}
	outSum := sha256.Sum256(out)
	data := map[string]string{"inputs": fmt.Sprint(s.newly), "signed_sha256": hex.EncodeToString(outSum[:]), "key": psbt.FormatFingerprint(s.key.Fingerprint)}
	if len(s.kept) > 0 {
		data["kept"] = fmt.Sprint(s.kept) // already signed by this key
	}
	if err := s.record("signed", s.a, data); err != nil {
		return nil, fmt.Errorf("signed, but the signing log could not be written, so nothing is released: %w", err)
	}
	return out, nil
}

// release writes the signed PSBT (--out atomically, read back; QR
// outputs) and tells the operator what to carry back and what to run next.
func (s *signSession) release(out []byte) error {
	fp := psbt.FormatFingerprint(s.key.Fingerprint)
	s.key.Wipe() // nothing below needs the key; do not hold it while QR codes are on screen
	if s.opts.Out != "" {
		if err := file.WriteNewAtomic(s.opts.Out, out, 0o644); err != nil {
			return err
		}
		if err := readBack(s.opts.Out, out); err != nil {
			return err
		}
		sayf(s.env.Stderr, "signed %s with key %s; wrote %s\n", countInputs(s.newly), fp, s.opts.Out)
	} else {
		fmt.Fprintf(s.env.Stderr, "signed %s with key %s\n", countInputs(s.newly), fp)
	}
	for _, sk := range s.res.Skipped {
		s.env.warnf("input %d names this key but was not signed: %s", sk.Input, sk.Reason)
	}
	s.showLogHead()
	s.opts.QR.Details = s.a.PageLines()
	stopKeys := qrTermKeys(s.env, &s.opts.QR)
	lines, err := transport.WriteQR(s.ctx, out, s.opts.QR, s.env.Stdout)
	stopKeys()
	for _, l := range lines {
		fmt.Fprintln(s.env.Stderr, l)
	}
	if err != nil && s.opts.Out == "" {
		// The outputs were checked before the key was rebuilt, so this is
		// rare (a full disk); the signature must not be lost with it: the
		// signed PSBT holds no secret, so show it as base64.
		sayf(s.env.Stderr, "the QR output failed; the signed PSBT follows as base64 (write it to a file and give that to broadcast):\n")
		fmt.Fprintln(s.env.Stdout, base64.StdEncoding.EncodeToString(out))
	}
	if err == nil {
		s.nextStep()
	}
	return err
}

// nextStep says what to carry back to the online machine and the exact
// command to run there.
func (s *signSession) nextStep() {
	q := s.opts.QR
	var carry []string
	source := ""
	switch {
	case s.opts.Out != "":
		carry = append(carry, s.opts.Out+" (on the USB stick)")
		source = s.opts.Out
	case q.Dir != "":
		source = q.Dir
	case q.GIF != "":
		source = q.GIF
	}
	if q.Dir != "" {
		carry = append(carry, "the QR pictures in "+q.Dir)
	}
	if q.GIF != "" {
		carry = append(carry, "the animated QR code "+q.GIF)
	}
	if q.HTML != "" {
		carry = append(carry, "the printed page "+q.HTML+" (scan it with the online machine's camera)")
	}
	if q.Term && s.opts.Out == "" {
		carry = append(carry, "the QR codes shown on this screen (scan them with the online machine's camera)")
	}
	cmd := "airsign-online broadcast --camera /dev/video0"
	if source != "" {
		cmd = "airsign-online broadcast " + shellQuote(source)
	}
	if s.a != nil && s.a.Reserves != nil {
		// A proof of reserves is never broadcast: it is verified.
		cmd = "airsign-online qr decode --camera /dev/video0 --out proof.psbt\n  airsign-online reserves verify proof.psbt"
		if source != "" {
			cmd = "airsign-online reserves verify " + shellQuote(source)
		}
	}
	more := ""
	if s.enrolled != nil && len(s.enrolled.d.Keys()) > 1 {
		more = " (with the other cosigners' signed PSBTs, if the wallet needs more signatures)"
	}
	sayf(s.env.Stderr, "\nCarry back to the online machine: %s.\nNext, on the online machine%s:\n", strings.Join(carry, "; "), more)
	// The command whole on its line, to be copied: never wrapped.
	fmt.Fprintf(s.env.Stderr, "  %s\n", cmd)
}

// shellQuote quotes a path for a command line the operator copies, when
// it needs it.
func shellQuote(p string) string {
	if p != "" && strings.IndexFunc(p, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:,@", r))
	}) < 0 {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}

// sealLog makes this key's records in the signing log carry its MAC and
// checks the ones already there: a log rewritten by someone without the
// key is refused here, before anything is signed.
func (s *signSession) sealLog() error {
	mac, err := signingLogMAC(s.key)
	if err != nil {
		return err
	}
	if err := s.log.SealWith(mac); err != nil {
		return transport.WithHint(fmt.Errorf("%w to sign: the signing log %s fails its check with this key (%v)", ErrRefused, s.opts.LogPath, err), "keep the log as evidence, and name a new log with --log")
	}
	return nil
}

// showLogHead tells the operator the signing log's head after the
// signature, to write on the signing sheet; the next sign checks the log
// against it (--log-head), and so can verify-log --head.
func (s *signSession) showLogHead() {
	h := s.log.Head()
	sayf(s.env.Stderr, "Signing log, record %d: %s\nWrite its head on the signing sheet:\n  %s\nThe next sign checks it (so does verify-log --head):\n  --log-head '%s'\n", h.Seq, s.opts.LogPath, h.Words(), h.Words())
}

// countInputs says "input 0" or "inputs 0, 2".
func countInputs(idx []int) string {
	if len(idx) == 1 {
		return fmt.Sprintf("input %d", idx[0])
	}
	parts := make([]string, len(idx))
	for i, n := range idx {
		parts[i] = fmt.Sprint(n)
	}
	return "inputs " + strings.Join(parts, ", ")
}

// show prints the analysis without the confirmation digest.
func (s *signSession) show(a *psbt.Analysis) error {
	shown := *a
	shown.Digest = ""
	if s.opts.JSON {
		return shown.WriteJSON(s.env.Stdout)
	}
	return shown.WriteTextOptions(s.env.Stdout, psbt.TextOptions{NoDigest: true, Sats: s.env.Sats})
}

// record appends one decision to the signing log.
func (s *signSession) record(event string, a *psbt.Analysis, extra map[string]string) error {
	data := map[string]string{"psbt_sha256": hex.EncodeToString(s.sum[:]), "txid": s.p.TxID()}
	if a != nil {
		for k, v := range logSummary(a) {
			data[k] = v
		}
		if r := a.Reserves; r != nil {
			// ceremony status and the online side count proofs of
			// reserves from these.
			data["reserves"] = "yes"
			data["reserves_coins"] = fmt.Sprint(r.Coins)
			data["reserves_total_sat"] = fmt.Sprint(r.Total)
			data["reserves_message"] = boundedText(r.Message)
		}
	}
	if len(s.overridden) > 0 {
		data["allow_online"] = strings.Join(s.overridden, "; ")
	}
	if s.foreignQuorum != "" {
		data["allow_foreign_quorum"] = s.foreignQuorum
	}
	for k, v := range extra {
		data[k] = v
	}
	_, err := s.log.Append(ceremony.Record{Ceremony: "sign", Step: "-", Actor: "operator", Event: event, Data: data})
	return err
}

// refuse logs a refusal and returns err (noting a log failure in it).
func (s *signSession) refuse(a *psbt.Analysis, reason, rule string, err error) error {
	if lerr := s.record("refused", a, map[string]string{"reason": reason, "rule": rule}); lerr != nil {
		return fmt.Errorf("%w (and the signing log could not be written: %v)", err, lerr)
	}
	return err
}

// refuseProblems logs and returns the refusals of an analysis; stage says
// whether they were found before the key or with it.
func (s *signSession) refuseProblems(a *psbt.Analysis, refusals []psbt.Problem, stage string) error {
	var lines, codes []string
	for _, r := range psbt.Condense(refusals) {
		lines = append(lines, psbt.Wrap("  ", "    ", r.String(), psbt.ScreenWidth)...)
		if !slices.Contains(codes, string(r.Code)) {
			codes = append(codes, string(r.Code))
		}
	}
	err := fmt.Errorf("%w to sign:\n%s", ErrRefused, strings.Join(lines, "\n"))
	if stage == "before-key" {
		err = fmt.Errorf("%w\nnothing was signed, and no share was asked for", err)
	}
	return s.refuse(a, strings.Join(codes, ","), refusals[0].Rule, err)
}

// readBack re-reads what was written, so a failing USB stick is noticed on
// the offline machine and not at broadcast time. The bytes on disk must be
// the bytes encoded from the packet just signed; decoding them again would
// prove nothing more (it cost a tenth of a 1,000-input signing: btcd checks
// every public key as it decodes).
func readBack(path string, want []byte) error {
	got, err := readFile(path)
	if err != nil {
		return fmt.Errorf("reading back %s: %w", path, err)
	}
	if !bytes.Equal(got, want) {
		return transport.WithHint(fmt.Errorf("reading back %s: the file on disk differs from what was written", path), "use another USB stick")
	}
	return nil
}

func displayAddr(o psbt.Output) string {
	if o.Address != "" {
		return o.Address
	}
	return "script:" + o.Script
}
