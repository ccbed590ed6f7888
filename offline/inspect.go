package offline

import (
	"fmt"
	"strings"

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
func Inspect(env *Env, opts InspectOptions) error {
	p, err := ReadPSBT(env, opts.Sources)
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

// ReadPSBT reads one PSBT from its sources: a file (binary, base64 or hex),
// "-" for stdin (also QR texts typed by a handheld scanner), QR images or
// directories of them, in any mix and order.
func ReadPSBT(env *Env, sources []string) (*psbt.Packet, error) {
	_, p, err := readPSBTBytes(env, sources)
	return p, err
}

func readPSBTBytes(env *Env, sources []string) ([]byte, *psbt.Packet, error) {
	data, err := transport.ReadPSBT(sources, transport.ReadOptions{Stdin: env.Stdin, Progress: env.Stderr, Camera: env.Camera, Ctx: env.Context()})
	if err != nil {
		return nil, nil, err
	}
	p, err := psbt.Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", strings.Join(sources, ", "), err)
	}
	return data, p, nil
}
