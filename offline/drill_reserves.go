package offline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"

	"github.com/airsign/airsign/ceremony"
	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
)

// A drill that signs a BIP127 proof of reserves proves more than "the key
// was rebuilt": restored from paper, it produced valid signatures over the
// wallet's real coins, which airsign-online reserves verify then checks on
// the node. Nothing it signs can move a coin.

// readDrillPSBT reads the drill's PSBT from a file, "-", QR pictures or a
// directory of QR frames.
func readDrillPSBT(ctx context.Context, source string) (*psbt.Packet, error) {
	_, p, err := transport.ReadPacket(ctx, []string{source}, transport.ReadOptions{})
	if err != nil {
		return nil, fmt.Errorf("the drill's --test-psbt: %w", err)
	}
	return p, nil
}

// checkDrillPSBT reads the drill's PSBT before anyone types a share: a
// damaged file, or a proof of reserves with nowhere to write its signature,
// is said now, not after the holders have typed.
func checkDrillPSBT(opts CeremonyOptions) error {
	if opts.TestPSBT == "" {
		if opts.ProofOut != "" {
			return errors.New("--proof-out needs --test-psbt: the proof of reserves to sign (airsign-online reserves prepare)")
		}
		return nil
	}
	if opts.TestPSBT == "-" {
		return errors.New("--test-psbt -: the drill reads its answers from the terminal; give the PSBT as a file or QR frames")
	}
	p, err := readDrillPSBT(context.Background(), opts.TestPSBT)
	if err != nil {
		return err
	}
	if !p.IsReserves() {
		return nil
	}
	if opts.ProofOut == "" {
		return fmt.Errorf("%s is a proof of reserves: give --proof-out FILE, the new file the signed proof goes to (for airsign-online reserves verify)", opts.TestPSBT)
	}
	if _, err := os.Lstat(opts.ProofOut); err == nil {
		return fmt.Errorf("--proof-out %s already exists; give a new file for the signed proof", opts.ProofOut)
	}
	return nil
}

// signReserves signs the proof with the rebuilt key after the same checks
// as any PSBT (psbt.Sign analyses and refuses), writes it to ProofOut and
// reports what was proven. Every signature was verified by btcd's script
// engine inside psbt.Sign.
func (c *ceremonyActions) signReserves(key *Key, p *psbt.Packet) (ceremony.TestSignature, error) {
	a := psbt.Analyze(p, c.env.Net, key.Fingerprint, nil)
	if refusals := a.Refusals(); len(refusals) > 0 {
		return ceremony.TestSignature{}, fmt.Errorf("the proof of reserves is refused: %v", refusals[0])
	}
	res, sum, err := c.signAndWrite(key, p, c.opts.ProofOut)
	if err != nil {
		return ceremony.TestSignature{}, err
	}
	r := a.Reserves
	return ceremony.TestSignature{
		PSBTSHA256: hex.EncodeToString(sum[:]), Inputs: len(res.Signed), Verified: true,
		Reserves: &ceremony.ReservesSigned{Message: r.Message, Coins: r.Coins, TotalSat: r.Total, Written: c.opts.ProofOut},
	}, nil
}

// signAndWrite signs p with the ceremony's key (psbt.Sign analyses, refuses
// and verifies every signature it makes) and writes it to a new file, for
// the rotation's sweep and the drill's proof of reserves alike.
func (c *ceremonyActions) signAndWrite(key *Key, p *psbt.Packet, path string) (psbt.SignResult, [32]byte, error) {
	res, err := psbt.Sign(p, key.Master, psbt.WithNetwork(c.env.Net))
	if err != nil {
		return res, [32]byte{}, err
	}
	out, err := p.Encode()
	if err != nil {
		return res, [32]byte{}, err
	}
	if err := file.WriteNewAtomic(path, out, 0o644); err != nil {
		return res, [32]byte{}, err
	}
	return res, sha256.Sum256(out), nil
}
