package parts

import (
	"fmt"
	"regexp"
	"strings"
)

// The sniffer names what a non-PSBT code looks like, so that an operator who
// scanned the wrong thing learns what it was. It never repeats the content:
// the code might be a private key or seed words.

var (
	bech32Addr  = regexp.MustCompile(`^(?i)(bc|tb|bcrt)1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,87}$`)
	base58Addr  = regexp.MustCompile(`^[123mn][1-9A-HJ-NP-Za-km-z]{25,34}$`)
	extPub      = regexp.MustCompile(`^([xyzXYZtuvUV]pub)[1-9A-HJ-NP-Za-km-z]{100,112}$`)
	extPrv      = regexp.MustCompile(`^([xyzXYZtuvUV]prv)[1-9A-HJ-NP-Za-km-z]{100,112}$`)
	wif         = regexp.MustCompile(`^[5KLc9][1-9A-HJ-NP-Za-km-z]{50,51}$`)
	descriptor  = regexp.MustCompile(`^(?i)(wpkh|wsh|sh|tr|pkh|pk|multi|sortedmulti|combo|addr|raw|rawtr)\(`)
	keyOrigin   = regexp.MustCompile(`^\[[0-9a-fA-F]{8}[/\]]`)
	txHex       = regexp.MustCompile(`^(?i)0[12]000000[0-9a-f]+$`)
	digitsOnly  = regexp.MustCompile(`^[0-9]+$`)
	lowerWord   = regexp.MustCompile(`^[a-z]{3,8}$`)
	lnInvoice   = regexp.MustCompile(`^(?i)(lightning:)?ln(bc|tb|bcrt)[0-9a-z]+$`)
	base64Chars = regexp.MustCompile(`^[A-Za-z0-9+/]+={0,2}$`)
)

// sniff describes a single-token code that is not a PSBT.
func sniff(t string) string {
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "bitcoin:"):
		return "a payment request (bitcoin: URI), not a PSBT"
	case lnInvoice.MatchString(t):
		return "a Lightning invoice"
	case bech32Addr.MatchString(t) || base58Addr.MatchString(t):
		return "a Bitcoin address"
	case extPub.MatchString(t):
		return "an extended public key (" + extPub.FindStringSubmatch(t)[1] + ")"
	case extPrv.MatchString(t):
		return "an extended PRIVATE key — it should never be shown as a QR code"
	case wif.MatchString(t):
		return "a private key (WIF) — it should never be shown as a QR code"
	case descriptor.MatchString(t) || keyOrigin.MatchString(t):
		return "an output descriptor (wallet export)"
	case txHex.MatchString(t):
		return "a raw transaction in hex (already signed?), not a PSBT"
	case strings.HasPrefix(t, "AQAAAA") || strings.HasPrefix(t, "AgAAAA"):
		return "a raw transaction in base64, not a PSBT"
	case digitsOnly.MatchString(t) && (len(t) == 48 || len(t) == 96):
		return "a SeedQR (seed words) — it should never be scanned here"
	case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["):
		return "JSON data"
	case strings.HasPrefix(t, "cHNidP"):
		return "a base64 PSBT that is damaged or truncated"
	case len(t) >= 10 && strings.EqualFold(t[:10], "70736274ff"):
		return "a hex PSBT that is damaged or truncated"
	case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
		return "a web address"
	case base64Chars.MatchString(t) && len(t) > 40:
		return fmt.Sprintf("unrecognised data (%d characters of what could be base64, but not a PSBT)", len(t))
	}
	return fmt.Sprintf("unrecognised content (%d characters)", len(t))
}

// sniffWords recognises a code made of several words that is not a
// series of parts: seed words, or a sentence. It returns "" when the words
// could be a wrapped base64/hex PSBT.
func sniffWords(fields []string) string {
	n := 0
	for _, f := range fields {
		if lowerWord.MatchString(f) {
			n++
		}
	}
	switch {
	case n == len(fields) && (n == 12 || n == 15 || n == 18 || n == 21 || n == 24):
		return "a list of seed words — they should never be shown as a QR code"
	case n == len(fields):
		return fmt.Sprintf("text (%d words)", n)
	}
	return ""
}

// describeURType names the content of a UR that is not a PSBT type.
func describeURType(t string) string {
	switch t {
	case "":
		return "a malformed UR (no type)"
	case "crypto-hdkey", "hdkey":
		return "an extended key (UR " + t + ")"
	case "crypto-account", "account-descriptor":
		return "a wallet account export (UR " + t + ")"
	case "crypto-output", "output-descriptor":
		return "an output descriptor (UR " + t + ")"
	case "crypto-address", "address":
		return "a Bitcoin address (UR " + t + ")"
	case "crypto-seed", "seed", "crypto-bip39", "bip39", "crypto-sskr", "sskr":
		return "seed material (UR " + t + ") — it should never be shown as a QR code"
	case "crypto-eckey", "eckey":
		return "a key (UR " + t + ")"
	}
	return "a UR of type " + clip(t) + ", which does not carry a PSBT"
}

// describeBBQrType names the content of a BBQr series that is not a PSBT.
func describeBBQrType(ft byte) string {
	switch ft {
	case 'T':
		return "a signed transaction (BBQr type T), not a PSBT"
	case 'J':
		return "JSON data (BBQr type J)"
	case 'U':
		return "text (BBQr type U)"
	case 'C':
		return "CBOR data (BBQr type C)"
	case 'B':
		return "binary data (BBQr type B)"
	}
	return fmt.Sprintf("a BBQr code of unknown type %q", string(rune(ft)))
}

func clip(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}
