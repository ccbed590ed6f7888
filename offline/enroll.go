package offline

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/sheet"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// Enrollment is a watch-only descriptor authenticated by our key, kept on
// the USB stick beside the PSBTs. The offline machine stores nothing, so it
// needs the tag to know that the descriptor it is handed is the one the
// operator enrolled and not one a compromised online machine swapped in.
type Enrollment struct {
	Descriptor  string `json:"descriptor"`
	Network     string `json:"network"`
	Fingerprint string `json:"fingerprint"`
	ID          string `json:"id"`
	// AllowForeignQuorum records the operator's --allow-foreign-quorum: a
	// key not ours can spend alone. The tag covers it.
	AllowForeignQuorum bool `json:"allow_foreign_quorum,omitempty"`
	// Tag is HMAC-SHA256 over the canonical descriptor (and the
	// allow_foreign_quorum line when set), keyed by a secret only our master
	// key can derive (see enrollKey).
	Tag string `json:"tag"`
}

// Enrollments carry no expiry. The offline machine has no clock it can
// trust (a laptop kept in a safe for a year is often days or years off, and
// anyone with the machine can set it), so an expiry would refuse honest
// enrollments at random and stop no one who holds the machine. What an
// expiry would guard against — a wallet retired since, replayed by the online
// side — is a wallet whose coins have moved; a retired multisig is retired by
// rotating the keys (ceremony rotate), after which its enrollment no longer
// verifies with the new key.

// tagged is what the enrollment tag covers: the canonical descriptor, plus a
// line for the foreign-quorum allowance so that it cannot be added or
// removed without the key. Without the allowance it is the descriptor alone,
// as it always was, so existing enrollments stay valid.
func (e Enrollment) tagged(canonical string) string {
	if e.AllowForeignQuorum {
		return canonical + "\nallow-foreign-quorum"
	}
	return canonical
}

// enrollPath is the hardened child whose private key seeds the enrollment
// MAC: 0x41495253 is "AIRS". No wallet spends from it.
const enrollPath = hdkeychain.HardenedKeyStart + 0x41495253&0x7fffffff

// keySecret derives a MAC key from the master for one use (domain): a
// hardened child's private key, hashed with the domain, so the MAC reveals
// nothing about keys that hold coins and no two uses share a key.
func keySecret(key *Key, domain string) ([]byte, error) {
	child, err := key.Master.Derive(enrollPath)
	if err != nil {
		return nil, fmt.Errorf("deriving a MAC key: %w", err)
	}
	defer child.Zero()
	priv, err := child.ECPrivKey()
	if err != nil {
		return nil, err
	}
	defer priv.Zero()
	h := sha256.New()
	h.Write([]byte(domain))
	b := priv.Serialize()
	h.Write(b)
	wipe(b)
	return h.Sum(nil), nil
}

// enrollKey is the enrollment tag's MAC key.
func enrollKey(key *Key) ([]byte, error) { return keySecret(key, "airsign wallet enrollment v1") }

func enrollTag(key *Key, canonical string) (string, error) {
	k, err := enrollKey(key)
	if err != nil {
		return "", err
	}
	defer wipe(k)
	m := hmac.New(sha256.New, k)
	m.Write([]byte(canonical))
	return hex.EncodeToString(m.Sum(nil)), nil
}

// checkOurKeyIn refuses a descriptor that does not contain our key at the
// origin it claims: the xpub-substitution attack replaces our xpub with the
// attacker's while keeping our fingerprint.
func checkOurKeyIn(key *Key, d *descriptor.Descriptor) error {
	var ours int
	for _, k := range d.Keys() {
		if k.PSBTFingerprint() != key.Fingerprint {
			continue
		}
		node := key.Master
		for _, step := range k.Path {
			child, err := node.Derive(step)
			if node != key.Master {
				node.Zero()
			}
			if err != nil {
				return err
			}
			node = child
		}
		// Neuter shares the chain code with node: compare before wiping.
		pub, err := node.Neuter()
		same := err == nil && pub.String() == k.XPub.String()
		if node != key.Master {
			node.Zero()
		}
		if err != nil {
			return err
		}
		if !same {
			return fmt.Errorf("%w: the descriptor names our fingerprint %s at %s, but the xpub there is not ours: it was altered (xpub substitution)", ErrRefused, psbt.FormatFingerprint(key.Fingerprint), descriptor.FormatPath(k.Path))
		}
		ours++
	}
	if ours == 0 {
		return fmt.Errorf("%w: our key %s is not in this descriptor", ErrRefused, psbt.FormatFingerprint(key.Fingerprint))
	}
	return nil
}

// foreignQuorum says in plain words who can spend from d without us, or ""
// when every way to reach the threshold needs our key. alone is true when a
// single key not ours reaches the threshold: that wallet is someone else's
// as much as ours, and enrolling it needs --allow-foreign-quorum. When it
// takes several keys not ours together (the other cosigners of an ordinary
// 2-of-3), that is what a multisig is; it is said at enrollment, not
// refused, since refusing it would refuse every k-of-n with n-1 ≥ k.
// Keys are ours when they carry our fingerprint (checkOurKeyIn has verified
// the xpub there).
func foreignQuorum(key *Key, d *descriptor.Descriptor) (who string, alone bool) {
	if !d.Kind().IsMultisig() {
		return "", false
	}
	var foreign []string
	for _, k := range d.Keys() {
		if k.PSBTFingerprint() != key.Fingerprint {
			foreign = append(foreign, psbt.FormatFingerprint(k.PSBTFingerprint()))
		}
	}
	t, n := d.Threshold(), len(d.Keys())
	if len(foreign) < t {
		return "", false
	}
	list := strings.Join(foreign, ", ")
	switch {
	case len(foreign) == 1:
		return fmt.Sprintf("in this %d-of-%d wallet the key %s, which is not ours, can spend every coin alone, without us", t, n, list), true
	case t == 1:
		return fmt.Sprintf("in this %d-of-%d wallet any one of the keys %s, none of them ours, can spend every coin alone, without us", t, n, list), true
	case t == len(foreign):
		return fmt.Sprintf("in this %d-of-%d wallet the keys %s, none of them ours, can spend every coin together, without us", t, n, list), false
	}
	return fmt.Sprintf("in this %d-of-%d wallet any %d of the keys %s, none of them ours, can spend every coin together, without us", t, n, t, list), false
}

// AllowedForeignQuorum says who can spend alone from an enrollment that was
// verified with key and enrolled with --allow-foreign-quorum, for the
// screen and the log at every signature; "" for any other enrollment.
func AllowedForeignQuorum(key *Key, e Enrollment, d *descriptor.Descriptor) string {
	if who, alone := foreignQuorum(key, d); alone && e.AllowForeignQuorum {
		return who
	}
	return ""
}

// EnrollOptions are the inputs of `wallet enroll`.
type EnrollOptions struct {
	Key        KeySource
	Descriptor string // text or a file holding it
	Out        string
	// AllowForeignQuorum enrolls a multisig in which one key not ours can
	// spend alone; it is recorded in the enrollment and shown at every
	// signature.
	AllowForeignQuorum bool
}

// Enroll checks that our key is in the descriptor and writes the
// authenticated enrollment file.
func Enroll(env *Env, opts EnrollOptions) error {
	if opts.Out == "" {
		return fmt.Errorf("give --out FILE for the enrollment (keep it on the USB stick)")
	}
	text, err := descriptorText(opts.Descriptor)
	if err != nil {
		return err
	}
	d, err := descriptor.Parse(text, env.Net)
	if err != nil {
		return err
	}
	key, err := opts.Key.LoadKey(env)
	if err != nil {
		return err
	}
	defer key.Wipe()
	if err := checkOurKeyIn(key, d); err != nil {
		return err
	}
	e := Enrollment{Descriptor: d.String(), Network: env.Net.Name, Fingerprint: psbt.FormatFingerprint(key.Fingerprint), ID: d.ID()}
	who, alone := foreignQuorum(key, d)
	if who != "" && !alone {
		env.Warnf("%s: make sure each of those keys is held by a different cosigner (compare the descriptor ID and first address with each of them)", who)
	}
	if alone {
		if !opts.AllowForeignQuorum {
			return fmt.Errorf("%w: %s. Change to this wallet would not be ours to guard. Check the threshold and the cosigners' keys; if this is really meant, enroll again with --allow-foreign-quorum (every signature will show it)", ErrRefused, who)
		}
		e.AllowForeignQuorum = true
		env.Warnf("%s; enrolled anyway (--allow-foreign-quorum): every signature with this wallet will say so", who)
	}
	tag, err := enrollTag(key, e.tagged(d.String()))
	if err != nil {
		return err
	}
	e.Tag = tag
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(e); err != nil {
		return err
	}
	if err := file.WriteAtomic(opts.Out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	env.Printf("enrolled %s wallet %s (descriptor ID %s) for key %s\nwrote %s\n", d.Kind(), d.String(), d.ID(), e.Fingerprint, opts.Out)
	if d.Kind().IsMultisig() {
		// The other cosigners' keys are nowhere on this key's cards.
		dir := filepath.Dir(opts.Out)
		var pass sheetExtra
		if key.Passphrase {
			pass.fingerprint = psbt.FormatFingerprint(key.Fingerprint)
		}
		if _, err := writeSheet(dir, d, time.Now(), pass); err != nil {
			return err
		}
		sheetNote(env, dir, d)
	}
	return nil
}

// LoadEnrollment reads an enrollment file and verifies its tag with our
// key; a swapped or edited descriptor is refused.
func LoadEnrollment(env *Env, path string, key *Key) (*descriptor.Descriptor, error) {
	e, d, err := ReadEnrollment(env, path)
	if err != nil {
		return nil, err
	}
	return d, VerifyEnrollment(key, path, e, d)
}

// ReadEnrollment reads an enrollment file without the key: its descriptor
// is public, so everything it tells about a PSBT is checked before a share
// is typed. Nothing read here is trusted until VerifyEnrollment has checked
// the tag with the key.
func ReadEnrollment(env *Env, path string) (Enrollment, *descriptor.Descriptor, error) {
	var e Enrollment
	data, err := os.ReadFile(path)
	if err != nil {
		return e, nil, fmt.Errorf("reading the enrolled wallet: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, nil, fmt.Errorf("%s is not an airsign enrollment file (%v)", path, err)
	}
	d, err := descriptor.Parse(e.Descriptor, env.Net)
	if err != nil {
		return e, nil, fmt.Errorf("%s: %w", path, err)
	}
	return e, d, nil
}

// VerifyEnrollment checks the tag of an enrollment read by ReadEnrollment
// with our key, that our own xpub is in its descriptor, and that a multisig
// one key not ours can spend alone was enrolled with --allow-foreign-quorum.
func VerifyEnrollment(key *Key, path string, e Enrollment, d *descriptor.Descriptor) error {
	want, err := enrollTag(key, e.tagged(d.String()))
	if err != nil {
		return err
	}
	got, _ := hex.DecodeString(e.Tag)
	wantB, _ := hex.DecodeString(want)
	if !hmac.Equal(got, wantB) {
		return fmt.Errorf("%w: %s was not enrolled with this key, or its descriptor was changed since: enroll it again at a witnessed session", ErrRefused, path)
	}
	if err := checkOurKeyIn(key, d); err != nil {
		return err
	}
	if who, alone := foreignQuorum(key, d); alone && !e.AllowForeignQuorum {
		return fmt.Errorf("%w: %s: %s, and it was enrolled before airsign checked for that; enroll it again (with --allow-foreign-quorum if it is really meant)", ErrRefused, path, who)
	}
	return nil
}

// WalletShowOptions are the inputs of `wallet show`.
type WalletShowOptions struct {
	Key  KeySource
	File string
	// QR also shows the authenticated descriptor as QR codes.
	QR transport.QROptions
}

// WalletShow verifies an enrollment file and prints the descriptor, its ID
// (compare it with `airsign-online wallet show`) and the first addresses.
func WalletShow(ctx context.Context, env *Env, opts WalletShowOptions) error {
	if err := opts.QR.CheckDescriptor(); err != nil {
		return err
	}
	key, err := opts.Key.LoadKey(env)
	if err != nil {
		return err
	}
	defer key.Wipe()
	e, d, err := ReadEnrollment(env, opts.File)
	if err != nil {
		return err
	}
	if err := VerifyEnrollment(key, opts.File, e, d); err != nil {
		return err
	}
	if who := AllowedForeignQuorum(key, e, d); who != "" {
		env.Warnf("%s (enrolled with --allow-foreign-quorum)", who)
	}
	env.Printf("Enrolled wallet (authenticated with key %s)\nType:          %s\nDescriptor:    %s\nDescriptor ID: %s\n", psbt.FormatFingerprint(key.Fingerprint), d.Kind(), d.String(), d.ID())
	for i := uint32(0); i < 3; i++ {
		der, err := d.Derive(0, i)
		if err != nil {
			return err
		}
		env.Printf("receive %d:     %s\n", i, der.Address.EncodeAddress())
	}
	return showDescriptorQR(ctx, env, d, opts.QR)
}

// descriptorText takes a descriptor given as text or as a file name.
func descriptorText(arg string) (string, error) {
	if strings.ContainsAny(arg, "([") {
		return arg, nil
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return "", fmt.Errorf("%q is neither a descriptor nor a readable file: %w", arg, err)
	}
	if isBSMS(data) {
		return bsmsDescriptor(data)
	}
	if sheet.IsSheet(data) {
		d, err := sheet.ReadText(data)
		if err != nil {
			return "", err
		}
		return d.String(), nil
	}
	if desc, ok, err := otherWalletsFile(data, arg); ok || err != nil {
		return desc, err
	}
	var e Enrollment
	if json.Unmarshal(data, &e) == nil && e.Descriptor != "" {
		return e.Descriptor, nil
	}
	return strings.TrimSpace(string(data)), nil
}
