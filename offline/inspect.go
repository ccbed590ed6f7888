package offline

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// InspectOptions are the inputs of `airsign-offline inspect`.
type InspectOptions struct {
	// Sources hold one PSBT: a file, "-", QR images or a directory of them.
	Sources []string
	// Descriptor, if set, is the watch-only descriptor used to verify
	// change without the key.
	Descriptor string
	// WalletFile is an enrollment file (as sign --wallet); its descriptor
	// is read without the key.
	WalletFile string
	// Policy and PolicyFile are sign's: inspect refuses what sign would.
	Policy     psbt.Policy
	PolicyFile string
	JSON       bool
}

// Inspect decodes a PSBT and prints the analysis. It never asks for a key and
// never signs. It runs sign's review before the key, so it refuses (exit 3)
// every PSBT that sign would refuse before asking for a share.
func Inspect(ctx context.Context, env *Env, opts InspectOptions) error {
	pol, err := loadPolicy(opts.PolicyFile, opts.Policy)
	if err != nil {
		return err
	}
	_, p, err := transport.ReadPacket(ctx, opts.Sources, env.readOptions())
	if err != nil {
		return err
	}
	var enrolled *enrolledWallet
	var known uint32
	switch {
	case opts.WalletFile != "":
		e, d, err := ReadEnrollment(env, opts.WalletFile)
		if err != nil {
			return err
		}
		enrolled = &enrolledWallet{path: opts.WalletFile, e: e, d: d}
		if fp, err := ParseFingerprint(e.Fingerprint); err == nil {
			known = fingerprintUint32(fp)
		}
	case opts.Descriptor != "":
		d, err := descriptor.Parse(opts.Descriptor, env.Net)
		if err != nil {
			return err
		}
		enrolled = &enrolledWallet{path: "--descriptor", d: d}
		if keys := d.Keys(); len(keys) == 1 {
			known = keys[0].PSBTFingerprint()
		}
	}
	claims := p.Claims()
	if msg := coinTypeMismatch(claims, env.Net); msg != "" {
		env.Warnf("%s", msg)
	}
	r := reviewPSBT(p, env.Net, pol, enrolled, known)
	if opts.JSON {
		err = r.a.WriteJSON(env.Stdout)
	} else {
		err = r.a.WriteTextOptions(env.Stdout, psbt.TextOptions{Sats: env.Sats})
	}
	if err != nil {
		return err
	}
	refusals := r.a.Refusals()
	if r.a.Complete && len(refusals) == 1 && refusals[0].Code == psbt.CodeNotOurKey {
		// Complete: there is nothing for sign to do, and nothing wrong.
		fmt.Fprintln(env.Stderr, "every input is signed and finalized: this PSBT is ready for airsign-online broadcast")
		return nil
	}
	if len(refusals) > 0 {
		return fmt.Errorf("%w: sign would refuse this PSBT (%s, see REFUSED above)", ErrRefused, plural(len(refusals), "reason"))
	}
	return nil
}

// loadPolicy is the policy file (docs/policy.md) if one is named, else
// base; the operator's --allow-* flags of base apply on top of the file.
func loadPolicy(path string, base psbt.Policy) (psbt.Policy, error) {
	if path == "" {
		return base, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return base, fmt.Errorf("opening the policy file: %w", err)
	}
	pol, err := psbt.ParsePolicy(f)
	f.Close()
	if err != nil {
		return base, fmt.Errorf("%s: %w", path, err)
	}
	pol.AllowHighFee, pol.AllowSighash = base.AllowHighFee, base.AllowSighash
	return pol, nil
}

// coinTypeMismatch says when the PSBT's key paths are for another network
// than --network (a regtest PSBT inspected as mainnet shows bc1…
// addresses that are not where the coins are): "" when they agree.
func coinTypeMismatch(claims []psbt.Claim, net *chaincfg.Params) string {
	const h = hdkeychain.HardenedKeyStart
	seen := map[uint32]bool{}
	for _, c := range claims {
		if len(c.Path) < 2 || c.Path[0] < h || c.Path[1] < h {
			continue
		}
		switch c.Path[0] - h {
		case 44, 48, 49, 84, 86:
			seen[c.Path[1]-h] = true
		}
	}
	if len(seen) == 0 || seen[net.HDCoinType] {
		return ""
	}
	var coins []string
	for c := range seen {
		coins = append(coins, fmt.Sprintf("%dh", c))
	}
	which := "mainnet"
	if !seen[0] {
		which = "testnet, signet or regtest"
	}
	return fmt.Sprintf("the PSBT's key paths use coin type %s, the coin type of %s, but --network is %s (coin type %dh): the addresses below are shown for %s; give --network for the network the PSBT was made on", strings.Join(coins, ", "), which, net.Name, net.HDCoinType, net.Name)
}
