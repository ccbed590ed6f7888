// Package bsms reads and writes the descriptor record of BIP129, "Bitcoin
// Secure Multisig Setup": the four-line file (.bsms) that Coldcard, Nunchuk
// and other multisig coordinators exchange to set up, back up and
// re-enroll a multisig wallet:
//
//	BSMS 1.0
//	wsh(sortedmulti(2,[fp/48'/0'/0'/2']xpub…/**,[fp/48'/0'/0'/2']xpub…/**))
//	/0/*,/1/*
//	bc1q…   (the first address, which every signer checks)
//
// Line 2 is a descriptor or a descriptor template (keys ending in /**),
// line 3 the path restrictions that expand the template ("No path
// restrictions" when there is none), line 4 the wallet's first address.
//
// ParseRecord checks the record's own rules and nothing about the wallet;
// Record.Wallet turns it into a descriptor airsign can use and checks the
// first address against it — the check BIP129 asks every signer to make.
// Decrypt opens the encrypted form (.dat) given the setup's TOKEN.
//
// This is the only BSMS code in airsign: every side that imports or
// exports a multisig record uses it.
package bsms

import (
	"errors"
	"fmt"
	"strings"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/btcsuite/btcd/chaincfg"
)

// Version is the first line of every record this package reads or writes.
const Version = "BSMS 1.0"

// NoPathRestrictions is line 3 of a record whose line 2 is a plain
// descriptor.
const NoPathRestrictions = "No path restrictions"

// MaxRecordSize bounds what ParseRecord reads: 16 keys with origins are
// well under 4 KiB.
const MaxRecordSize = 16 << 10

// standardRestrictions are the receive and change branches, the only
// restrictions airsign's descriptors (BIP389 <0;1>/*) express.
var standardRestrictions = []string{"/0/*", "/1/*"}

// Record is a parsed descriptor record.
type Record struct {
	// Descriptor is line 2 as written: a descriptor, or a template whose
	// keys end in /**.
	Descriptor string
	// Restrictions are the derivation path restrictions of line 3, e.g.
	// ["/0/*", "/1/*"]; nil when the record says "No path restrictions".
	Restrictions []string
	// FirstAddress is line 4.
	FirstAddress string
}

// ParseRecord reads a descriptor record. Line endings may be LF or CRLF and
// a final newline is optional; anything else out of place is refused,
// naming the line.
func ParseRecord(data []byte) (*Record, error) {
	if len(data) > MaxRecordSize {
		return nil, fmt.Errorf("the BSMS record is %d bytes, more than a record of 16 keys can be (%d): this is not a descriptor record", len(data), MaxRecordSize)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.TrimSuffix(text, "\n")
	lines := strings.Split(text, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != Version {
		first := ""
		if len(lines) > 0 {
			first = lines[0]
		}
		if strings.HasPrefix(first, "BSMS ") && len(first) < 16 {
			return nil, fmt.Errorf("BSMS record line 1: version %q is not supported; airsign reads %q", strings.TrimPrefix(first, "BSMS "), Version)
		}
		return nil, fmt.Errorf("BSMS record line 1: expected %q: this is not a BIP129 descriptor record", Version)
	}
	if len(lines) == 5 || len(lines) == 6 {
		return nil, fmt.Errorf("BSMS record: %d lines, a descriptor record has 4: this looks like a signer's key record (round 1), which holds one key, not the wallet", len(lines))
	}
	if len(lines) != 4 {
		return nil, fmt.Errorf("BSMS record: %d lines, a descriptor record has 4 (version, descriptor, path restrictions, first address)", len(lines))
	}
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	r := &Record{Descriptor: lines[1], FirstAddress: lines[3]}
	if r.Descriptor == "" {
		return nil, errors.New("BSMS record line 2: the descriptor is empty")
	}
	if lines[2] != NoPathRestrictions {
		for i, p := range strings.Split(lines[2], ",") {
			if err := checkRestriction(p); err != nil {
				return nil, fmt.Errorf("BSMS record line 3, path restriction %d: %w", i+1, err)
			}
			r.Restrictions = append(r.Restrictions, p)
		}
	}
	template := strings.Contains(r.Descriptor, "/**")
	switch {
	case template && r.Restrictions == nil:
		return nil, fmt.Errorf("BSMS record line 3: the descriptor is a template (keys end in /**) but the record says %q", NoPathRestrictions)
	case !template && r.Restrictions != nil:
		return nil, fmt.Errorf("BSMS record line 3: path restrictions are given but the descriptor on line 2 is not a template (no key ends in /**)")
	}
	if r.FirstAddress == "" || strings.ContainsAny(r.FirstAddress, " \t") {
		return nil, errors.New("BSMS record line 4: expected the wallet's first address")
	}
	return r, nil
}

// checkRestriction accepts "/N/…/*" or "/N/…/M": non-hardened steps that
// start with "/", as BIP129 requires.
func checkRestriction(p string) error {
	if !strings.HasPrefix(p, "/") || len(p) < 2 {
		return fmt.Errorf("%q must start with / (like /0/*)", short(p))
	}
	steps := strings.Split(p[1:], "/")
	for i, s := range steps {
		if s == "*" && i == len(steps)-1 {
			continue
		}
		if s == "" || len(s) > 10 || strings.Trim(s, "0123456789") != "" {
			if strings.ContainsAny(s, "h'H") {
				return fmt.Errorf("%q has a hardened step; path restrictions use non-hardened derivation", short(p))
			}
			return fmt.Errorf("%q: step %d is not a number", short(p), i+1)
		}
	}
	return nil
}

// short keeps error messages from quoting long input.
func short(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// Wallet returns the descriptor the record describes, for network net, and
// checks that its first receive address is the record's first address.
// airsign's wallets use the receive and change branches (<0;1>/*), so a
// template must come with exactly the restrictions /0/*,/1/*; a plain
// descriptor is taken as it is. A record airsign cannot use (other script
// types, single public keys instead of xpubs, other branches) is refused
// with the reason.
func (r *Record) Wallet(net *chaincfg.Params) (*descriptor.Descriptor, error) {
	text := r.Descriptor
	if r.Restrictions != nil {
		if strings.Join(r.Restrictions, ",") != strings.Join(standardRestrictions, ",") {
			return nil, fmt.Errorf("BSMS record: path restrictions %s: airsign's wallets use the receive and change branches, %s", strings.Join(r.Restrictions, ","), strings.Join(standardRestrictions, ","))
		}
		body, _, _ := strings.Cut(text, "#") // a template's checksum is not over a descriptor
		text = strings.ReplaceAll(body, "/**", "/<0;1>/*")
	}
	d, err := descriptor.Parse(text, net)
	if err != nil {
		return nil, fmt.Errorf("BSMS record line 2: %w", err)
	}
	first, err := d.FirstAddress()
	if err != nil {
		return nil, fmt.Errorf("BSMS record: deriving the first address: %w", err)
	}
	if !sameAddress(r.FirstAddress, first, net) {
		return nil, fmt.Errorf("BSMS record line 4: the first address %s is not the descriptor's first address %s: the record was changed or damaged; do not use it", short(r.FirstAddress), first)
	}
	return d, nil
}

// sameAddress compares the record's address with the derived one. A
// bech32 address may be written all in upper case (BIP173 allows it, for
// QR codes; Sparrow's test records do), so case is ignored for the
// network's bech32 addresses, never for base58 ones, where case is part
// of the value. Mixed case is no valid bech32 and stays a mismatch.
func sameAddress(record, derived string, net *chaincfg.Params) bool {
	if record == derived {
		return true
	}
	bech32 := strings.HasPrefix(derived, net.Bech32HRPSegwit+"1")
	return bech32 && record == strings.ToUpper(record) && strings.EqualFold(record, derived)
}

// Format writes d as a descriptor record: a template with the standard
// restrictions /0/*,/1/* for a receive-and-change wallet, hardened steps
// written with ' as in BIP129's examples, and the first receive address.
func Format(d *descriptor.Descriptor) ([]byte, error) {
	first, err := d.FirstAddress()
	if err != nil {
		return nil, err
	}
	var desc, restrictions string
	if d.HasBranch(0) && d.HasBranch(1) {
		single, err := d.StringFor(0)
		if err != nil {
			return nil, err
		}
		body, _, _ := strings.Cut(single, "#")
		desc = strings.ReplaceAll(primeHardened(body), "/0/*", "/**")
		restrictions = strings.Join(standardRestrictions, ",")
	} else {
		body, _, _ := strings.Cut(d.String(), "#")
		body = primeHardened(body)
		sum, err := descriptor.Checksum(body)
		if err != nil {
			return nil, err
		}
		desc, restrictions = body+"#"+sum, NoPathRestrictions
	}
	return []byte(Version + "\n" + desc + "\n" + restrictions + "\n" + first + "\n"), nil
}

// primeHardened writes the hardened steps inside key origins ([…]) with ',
// the form every BIP129 implementation reads.
func primeHardened(s string) string {
	var b strings.Builder
	in := false
	for _, c := range s {
		switch {
		case c == '[':
			in = true
		case c == ']':
			in = false
		case in && c == 'h':
			c = '\''
		}
		b.WriteRune(c)
	}
	return b.String()
}
