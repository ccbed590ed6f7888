package ceremony

import "context"

// Actions is the work the ceremonies need done outside this package: the key
// arithmetic (BIP39, BIP32, shares, signing) and the outside world (network
// checks, files, printers, QR codes, the enrolled wallet). The CLI implements
// it; the runner decides when each is called and keeps every secret it is
// handed or given back in buffers it wipes.
//
// Contract for implementations: secrets arrive and leave as []byte; the
// implementation must not keep them after the call returns (wipe any copies),
// must not write them anywhere except where a method says so (PrintCard), and
// must not put them in errors. Errors should name the item at fault ("share 3
// block 7 looks mistyped") because the runner shows them to the operator and
// writes them to the public log.
type Actions interface {
	// AirGapCheck looks at the machine: no network interface up but
	// loopback, no swap (or a warning), core dumps off.
	AirGapCheck(ctx context.Context) ([]Check, error)

	// Wallet derives the public wallet of a key: fingerprint (with the
	// passphrase, if any), watch-only descriptor and the first receive
	// addresses, and the fingerprint of the words alone that shares carry.
	Wallet(ctx context.Context, key Key) (Wallet, error)
	// Split splits entropy into count shares, any threshold of which rebuild
	// it, with a new random set id, in the share envelope's text form.
	Split(ctx context.Context, entropy []byte, fingerprint string, threshold, count int) (ShareSet, error)
	// ParseShare checks one typed share (checksum, version) and returns its
	// public header.
	ParseShare(ctx context.Context, text []byte) (ShareInfo, error)
	// CheckCopy says whether typed is the same share as shown (ignoring case
	// and spacing), and if not, where the copy is wrong.
	CheckCopy(ctx context.Context, shown, typed []byte) error
	// Combine rebuilds the entropy from shares (texts as typed), checking
	// the set, the threshold and the digest. The caller wipes the result.
	Combine(ctx context.Context, shares [][]byte) ([]byte, error)
	// SignTest signs a test PSBT that spends nothing real (a provided one or
	// a self-made one) with key, and verifies the signature.
	SignTest(ctx context.Context, key Key, w Wallet) (TestSignature, error)

	// PrintCard saves the printable card of one share (holder's copy) when
	// the operator asked for card files; airsign drives no printer. It may
	// do nothing (the card is also shown on screen) and return nil.
	PrintCard(ctx context.Context, card Card) ([]Artefact, error)
	// Export writes the watch-only wallet (descriptor file and QR) for the
	// online side, and returns what it wrote with SHA-256 hashes.
	Export(ctx context.Context, w Wallet) ([]Artefact, error)
	// RecordedWallet is the wallet the ceremony record says this key
	// belongs to (the enrolled watch-only descriptor), to compare a rebuilt
	// key with.
	RecordedWallet(ctx context.Context) (Wallet, error)
	// LoadSweep reads the unsigned sweep PSBT prepared online (QR, file) and
	// checks that it spends from the from wallet.
	LoadSweep(ctx context.Context, from, to Wallet) (Sweep, error)
	// SignSweep signs the sweep with the old key, writes the signed PSBT
	// out (QR, file) and returns its txid.
	SignSweep(ctx context.Context, key Key, s Sweep) (SignedSweep, error)
}

// Key is the secret of a wallet as the runner holds it: the BIP39 entropy
// that shares split, and the wallet's BIP39 passphrase (nil when it has
// none), which shares do not hold. Both are the runner's buffers: an
// implementation reads them during the call and keeps no copy.
type Key struct {
	Entropy    []byte
	Passphrase []byte
}

// Check is one result of the air-gap self-check.
type Check struct {
	// Name is what was checked: "network", "swap", "core dumps".
	Name string
	// OK is true when the check passed.
	OK bool
	// Required makes a failure stop the ceremony; otherwise it is a warning
	// the witnesses see and the log records.
	Required bool
	// Detail says what was found, in plain words ("wlan0 is up").
	Detail string
}

// Wallet is the public side of a key.
type Wallet struct {
	// Fingerprint is the BIP32 master key fingerprint, 8 hex digits: with
	// the passphrase when the wallet has one.
	Fingerprint string
	// SharesFingerprint is the fingerprint of the words alone (no
	// passphrase), the one written in every share; the same as Fingerprint
	// for a wallet without a passphrase.
	SharesFingerprint string
	// Descriptor is the watch-only output descriptor with checksum.
	Descriptor string
	// ID is the descriptor ID (8 hex digits) that airsign-online and
	// airsign-offline show for this wallet, so two screens can be compared.
	ID string
	// Addresses are the first receive addresses (index 0, 1, 2…).
	Addresses []string
	// PassphraseHolder names who keeps the wallet's BIP39 passphrase, for
	// the backup sheet ("" when the wallet has none, or it is not known).
	PassphraseHolder string
	// SharesSetID is the share set the key was split into, for the
	// backup sheet ("" when not known).
	SharesSetID string
	// Cosigner is the key's multisig cosigner export ([fp/48h/…/2h]xpub)
	// when the keygen made it as a cosigner (--cosigner): the wallet that
	// holds the money is then a multisig made later, not Descriptor.
	Cosigner string
}

// HasPassphrase says whether the wallet's key needs a BIP39 passphrase
// besides its words: its fingerprint is then not the words' own.
func (w Wallet) HasPassphrase() bool {
	return w.SharesFingerprint != "" && w.Fingerprint != w.SharesFingerprint
}

// ShareSet is the result of a split. Shares are secret: the runner shows each
// to its holder once and wipes them.
type ShareSet struct {
	SetID     string
	Threshold int
	Count     int
	// Shares[i] is the text of share i+1.
	Shares [][]byte
}

// ShareInfo is the public header of one share.
type ShareInfo struct {
	SetID       string
	Threshold   int
	Count       int
	Index       int
	Fingerprint string
}

// Card is what PrintCard prints for one holder.
type Card struct {
	SetID       string
	Threshold   int
	Count       int
	Index       int
	Fingerprint string
	// Holder is the holder's name as typed at the ceremony.
	Holder string
	// Share is the share text (secret).
	Share []byte
}

// Artefact is a file or print-out the ceremony made, for the log.
type Artefact struct {
	Name   string
	SHA256 string
}

// TestSignature is the result of a drill's test signing.
type TestSignature struct {
	// PSBTSHA256 identifies the test PSBT signed.
	PSBTSHA256 string
	// Inputs is how many inputs were signed.
	Inputs int
	// Verified is true when the signatures were checked against the
	// transaction (script execution), not just produced.
	Verified bool
	// Reserves is set when the drill signed a BIP127 proof of reserves.
	Reserves *ReservesSigned
}

// ReservesSigned is what a proof of reserves signed in a drill proves.
type ReservesSigned struct {
	Message  string
	Coins    int
	TotalSat int64
	// Written is the file the signed proof went to.
	Written string
}

// Sweep is the unsigned sweep transaction of a rotation.
type Sweep struct {
	// PSBT is the unsigned PSBT (public).
	PSBT       []byte
	PSBTSHA256 string
	Inputs     int
	// AmountSats is what the destination receives, FeeSats the fee.
	AmountSats  int64
	FeeSats     int64
	Destination string
}

// SignedSweep is the signed sweep.
type SignedSweep struct {
	TxID      string
	Artefacts []Artefact
}
