package offline

import (
	"context"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
)

// InspectOptions are the inputs of `airsign-offline inspect`.
type InspectOptions struct {
	// Sources hold one PSBT: a file, "-", QR images or a directory of them.
	Sources []string
	// Descriptor, if set, is the watch-only descriptor used to verify
	// change without the key.
	Descriptor string
	JSON       bool
}

// Inspect decodes a PSBT and prints the analysis. It never asks for a key and
// never signs.
func Inspect(ctx context.Context, env *Env, opts InspectOptions) error {
	_, p, err := transport.ReadPacket(ctx, opts.Sources, env.readOptions())
	if err != nil {
		return err
	}
	var fp uint32
	var wallet psbt.Wallet
	if opts.Descriptor != "" {
		d, err := descriptor.Parse(opts.Descriptor, env.Net)
		if err != nil {
			return err
		}
		wallet = psbt.DescriptorWallet(d)
		if keys := d.Keys(); len(keys) == 1 {
			fp = keys[0].PSBTFingerprint()
		}
	}
	a := psbt.DefaultPolicy().Apply(psbt.Analyze(p, env.Net, fp, wallet))
	return writeAnalysis(env, a, opts.JSON)
}

func writeAnalysis(env *Env, a *psbt.Analysis, asJSON bool) error {
	if asJSON {
		return a.WriteJSON(env.Stdout)
	}
	return a.WriteText(env.Stdout)
}
