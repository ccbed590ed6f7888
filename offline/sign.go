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
	// PolicyFile replaces the default policy (docs/policy.md); the
	// operator's --allow-* flags still apply on top.
	PolicyFile string
	// WalletFile is an enrollment file whose descriptor also counts for
	// change (multisig, non-standard paths); its tag is verified first.
	WalletFile string
}

// ErrRefused is returned when airsign-offline refuses: a PSBT, a descriptor or a machine it will not sign with.
var ErrRefused = errors.New("refused")

// Sign shows what the PSBT does, applies the policy, asks the operator to
// type the confirmation digest, signs with the key rebuilt for this command
// and writes the signed PSBT atomically to a new file, which is read back
// and checked before success is reported.
func Sign(ctx context.Context, env *Env, opts SignOptions) error {
	if err := transport.CheckOutput(opts.Out, opts.QR, "the signed PSBT", opts.Sources); err != nil {
		return err
	}
	if opts.PolicyFile != "" {
		f, err := os.Open(opts.PolicyFile)
		if err != nil {
			return fmt.Errorf("opening the policy file: %w", err)
		}
		pol, err := psbt.ParsePolicy(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", opts.PolicyFile, err)
		}
		pol.AllowHighFee, pol.AllowSighash = opts.Policy.AllowHighFee, opts.Policy.AllowSighash
		opts.Policy = pol
	}
	overridden, err := requireAirgap(env, opts.AllowOnline)
	if err != nil {
		return err
	}
	if opts.LogPath == "" {
		opts.LogPath = DefaultLogPath()
	}
	log, closeLog, err := openLog(opts.LogPath)
	if err != nil {
		return err
	}
	defer closeLog()
	raw, p, err := transport.ReadPacket(ctx, opts.Sources, env.readOptions())
	if err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	record := func(event string, a *psbt.Analysis, extra map[string]string) error {
		data := map[string]string{"psbt_sha256": hex.EncodeToString(sum[:]), "txid": p.TxID()}
		if a != nil {
			data["fee_sat"] = fmt.Sprint(a.Fee)
			data["digest"] = a.Digest
			var outs []string
			for _, o := range a.Outputs {
				kind := "external"
				if o.Change {
					kind = "change"
				}
				outs = append(outs, fmt.Sprintf("%s:%d:%s", displayAddr(o), o.Amount, kind))
			}
			data["outputs"] = strings.Join(outs, " ")
		}
		if len(overridden) > 0 {
			data["allow_online"] = strings.Join(overridden, "; ")
		}
		for k, v := range extra {
			data[k] = v
		}
		_, err := log.Append(ceremony.Record{Ceremony: "sign", Step: "-", Actor: "operator", Event: event, Data: data})
		return err
	}

	key, err := opts.Key.LoadKey(env)
	if err != nil {
		return err
	}
	defer key.Wipe()

	var enrolled *descriptor.Descriptor
	if opts.WalletFile != "" {
		if enrolled, err = LoadEnrollment(env, opts.WalletFile, key); err != nil {
			return err
		}
	}
	wallets := changeWallet(p, key, env.Net, enrolled)
	a := opts.Policy.Apply(psbt.Analyze(p, env.Net, key.Fingerprint, wallets))
	if err := writeAnalysis(env, a, opts.JSON); err != nil {
		return err
	}
	refuse := func(reason, rule string, err error) error {
		if lerr := record("refused", a, map[string]string{"reason": reason, "rule": rule}); lerr != nil {
			return fmt.Errorf("%w (and the signing log could not be written: %v)", err, lerr)
		}
		return err
	}
	if refusals := a.Refusals(); len(refusals) > 0 {
		var lines, codes []string
		for _, r := range refusals {
			lines = append(lines, "  "+r.String())
			codes = append(codes, r.Code)
		}
		return refuse(strings.Join(codes, ","), refusals[0].Rule, fmt.Errorf("%w to sign:\n%s", ErrRefused, strings.Join(lines, "\n")))
	}
	ours := 0
	for _, in := range a.Inputs {
		if in.Ours {
			ours++
		}
	}
	if ours == 0 {
		return refuse("not-our-key", "", fmt.Errorf("%w to sign: no input belongs to key %s; check the key or shares used", ErrRefused, psbt.FormatFingerprint(key.Fingerprint)))
	}

	typed := opts.Confirm
	if typed == "" {
		typed, err = env.Prompter.ReadLine("\nCompare with the online screen, then type the confirmation digest to sign: ")
		if err != nil {
			return err
		}
	}
	if !psbt.MatchDigest(p, typed) {
		return refuse("digest-mismatch", "", fmt.Errorf("%w to sign: the confirmation digest typed does not match this PSBT (%s); nothing was signed", ErrRefused, strings.ToUpper(a.Digest)))
	}

	res, err := psbt.Sign(p, key.Master, psbt.WithNetwork(env.Net), psbt.WithWallet(wallets), psbt.WithPolicy(opts.Policy))
	if errors.Is(err, psbt.ErrRefused) {
		return refuse("sign-refused", "", fmt.Errorf("%w to sign: %v", ErrRefused, err))
	}
	if err != nil {
		return err
	}
	out, err := p.Encode()
	if err != nil {
		return err
	}
	if opts.Out != "" {
		if err := file.WriteNewAtomic(opts.Out, out, 0o644); err != nil {
			return err
		}
		if err := readBack(opts.Out, out, p.TxID()); err != nil {
			return err
		}
	}
	outSum := sha256.Sum256(out)
	if err := record("signed", a, map[string]string{"inputs": fmt.Sprint(res.Signed), "signed_sha256": hex.EncodeToString(outSum[:]), "key": psbt.FormatFingerprint(key.Fingerprint)}); err != nil {
		return fmt.Errorf("signed %s, but the signing log could not be written: %w", opts.Out, err)
	}
	key.Wipe() // nothing below needs the key; do not hold it while QR codes are on screen
	if opts.Out != "" {
		fmt.Fprintf(env.Stderr, "signed input(s) %v with key %s; wrote %s\n", res.Signed, psbt.FormatFingerprint(key.Fingerprint), opts.Out)
	} else {
		fmt.Fprintf(env.Stderr, "signed input(s) %v with key %s\n", res.Signed, psbt.FormatFingerprint(key.Fingerprint))
	}
	for _, s := range res.Skipped {
		env.Warnf("input %d names this key but was not signed: %s", s.Input, s.Reason)
	}
	lines, err := transport.WriteQR(ctx, out, opts.QR, env.Stdout)
	for _, l := range lines {
		fmt.Fprintln(env.Stderr, l)
	}
	if err != nil && opts.Out == "" {
		// The outputs were checked before the key was rebuilt, so this is
		// rare (a full disk); the signature must not be lost with it: the
		// signed PSBT holds no secret, so show it as base64.
		fmt.Fprintf(env.Stderr, "the QR output failed; the signed PSBT follows as base64 (write it to a file and give that to broadcast):\n")
		fmt.Fprintln(env.Stdout, base64.StdEncoding.EncodeToString(out))
	}
	return err
}

// readBack re-reads what was written, so a failing USB stick is noticed on
// the offline machine and not at broadcast time.
func readBack(path string, want []byte, txid string) error {
	got, err := readFile(path)
	if err != nil {
		return fmt.Errorf("reading back %s: %w", path, err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("reading back %s: the file on disk differs from what was written; use another USB stick", path)
	}
	p, err := psbt.Decode(got)
	if err != nil || p.TxID() != txid {
		return fmt.Errorf("reading back %s: the signed PSBT does not decode to the same transaction", path)
	}
	return nil
}

func displayAddr(o psbt.Output) string {
	if o.Address != "" {
		return o.Address
	}
	return "script:" + o.Script
}
