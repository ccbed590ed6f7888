package offline

import (
	"fmt"
	"os"

	"github.com/airsign/airsign/psbt"
	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport/file"
)

// InspectOptions are the inputs of `airsign-offline inspect`.
type InspectOptions struct {
	Source string
	// Descriptor, if set, is the watch-only descriptor used to verify
	// change without the key.
	Descriptor string
	JSON       bool
}

// Inspect decodes a PSBT and prints the analysis. It never asks for a key and
// never signs.
func Inspect(env *Env, opts InspectOptions) error {
	p, err := ReadPSBT(env, opts.Source)
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

// ReadPSBT reads a PSBT-SOURCE: a file (binary, base64 or hex) or "-" for
// stdin.
func ReadPSBT(env *Env, source string) (*psbt.Packet, error) {
	_, p, err := readPSBTBytes(env, source)
	return p, err
}

func readPSBTBytes(env *Env, source string) ([]byte, *psbt.Packet, error) {
	var data []byte
	var err error
	name := source
	switch source {
	case "":
		return nil, nil, fmt.Errorf("no PSBT given: name a file, or - for stdin")
	case "-":
		name = "stdin"
		data, err = file.ReadLimited(env.Stdin, "stdin")
	default:
		var f *os.File
		f, err = os.Open(source)
		if err != nil {
			return nil, nil, fmt.Errorf("opening the PSBT: %w", err)
		}
		defer f.Close()
		data, err = file.ReadLimited(f, source)
	}
	if err != nil {
		return nil, nil, err
	}
	p, err := psbt.Decode(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, p, nil
}
