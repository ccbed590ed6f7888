package offline

import (
	"context"
	"fmt"
	"os"

	"github.com/airsign/airsign/psbt/descriptor"
	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
)

// ExportOptions are the inputs of `airsign-offline export descriptor`.
type ExportOptions struct {
	Key     KeySource
	Kind    string
	Account uint32
	Out     string
	// QR also shows the descriptor as QR codes (UR crypto-output or text)
	// for airsign-online wallet import --qr or another wallet.
	QR transport.QROptions
}

// ParseKind maps the names operators type to descriptor kinds.
func ParseKind(name string) (descriptor.Kind, error) {
	switch name {
	case "wpkh", "p2wpkh", "":
		return descriptor.WPKH, nil
	case "sh-wpkh", "sh(wpkh)", "p2sh-p2wpkh":
		return descriptor.SHWPKH, nil
	case "tr", "p2tr", "taproot":
		return descriptor.TR, nil
	}
	return 0, fmt.Errorf("unknown wallet type %q: use wpkh, sh-wpkh or tr", name)
}

// ExportDescriptor prints the watch-only descriptor for the online side, and
// writes it to a file if asked.
func ExportDescriptor(ctx context.Context, env *Env, opts ExportOptions) error {
	kind, err := ParseKind(opts.Kind)
	if err != nil {
		return err
	}
	if err := opts.QR.CheckDescriptor(); err != nil {
		return err
	}
	key, err := opts.Key.LoadKey(env)
	if err != nil {
		return err
	}
	defer key.Wipe()
	d, err := key.Descriptor(kind, opts.Account, env.Net)
	if err != nil {
		return err
	}
	text := d.String()
	if opts.Out != "" {
		if err := file.WriteAtomic(opts.Out, []byte(text+"\n"), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintln(env.Stdout, text)
	return showDescriptorQR(ctx, env, d, opts.QR)
}

// showDescriptorQR writes the descriptor's QR codes if any were asked for.
func showDescriptorQR(ctx context.Context, env *Env, d *descriptor.Descriptor, o transport.QROptions) error {
	if !o.Any() {
		return nil
	}
	fitQRTerm(env, &o)
	stopKeys := qrTermKeys(env, &o)
	lines, err := transport.WriteDescriptorQR(ctx, d, o, env.Stdout)
	stopKeys()
	for _, l := range lines {
		fmt.Fprintln(env.Stderr, l)
	}
	if err != nil {
		return err
	}
	first, err := d.FirstAddress()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "descriptor ID %s, first receive address %s: airsign-online wallet import must show the same\n", d.ID(), first)
	return nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return file.ReadLimited(f, path)
}
