package cli

import (
	"fmt"
	"io"

	"github.com/airsign/airsign/transport"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/qrterm"
	"github.com/spf13/cobra"
)

// SourceHelp explains what a PSBT-SOURCE may be; both binaries print it.
const SourceHelp = `PSBT-SOURCE is a PSBT file (binary, base64 or hex), - for stdin, QR images
(PNG, JPEG, GIF frames) or a directory of them, or a text file of QR parts. A
QR series (UR crypto-psbt/psbt/bytes, BBQr, one base64 code) may come in any
order, with duplicates and gaps; a handheld scanner can type the parts into
stdin one per line.`

// Streams are the process's standard streams, given by each binary.
type Streams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Camera is the --camera device of the command being run.
	Camera string
}

// readOptions are the streams as transport.ReadPacket wants them.
func (s Streams) readOptions() transport.ReadOptions {
	return transport.ReadOptions{Stdin: s.Stdin, Progress: s.Stderr, Camera: s.Camera}
}

// QRCmd is the `qr encode|decode` utility both binaries have.
func QRCmd(s Streams) *cobra.Command {
	qr := &cobra.Command{Use: "qr", Short: "QR transport as a utility: show a PSBT as QR codes, or read one from them"}
	var o transport.QROptions
	enc := &cobra.Command{
		Use:   "encode PSBT-SOURCE…",
		Short: "Show or write a PSBT as QR codes (terminal by default)",
		Long:  SourceHelp,
		Args:  MinArgs(1, "at least one PSBT source"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !o.Any() {
				o.Term = true
			}
			qrterm.Fit(s.Stdout, &o)
			if err := o.CheckPSBT(); err != nil {
				return err
			}
			data, _, err := transport.ReadPacket(cmd.Context(), args, s.readOptions())
			if err != nil {
				return err
			}
			defer qrterm.Keys(&o)()
			lines, err := transport.WriteQR(cmd.Context(), data, o, s.Stdout)
			for _, l := range lines {
				fmt.Fprintln(s.Stderr, l)
			}
			return err
		},
	}
	QRFlags(enc, &o)
	var out string
	dec := &cobra.Command{
		Use:   "decode [SOURCE…] [--camera /dev/videoN]",
		Short: "Read a PSBT from QR images, a directory of frames, scanned text or a camera; print base64 or write --out",
		Long:  SourceHelp,
		Args:  SourcesOrCamera(&s.Camera),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, p, err := transport.ReadPacket(cmd.Context(), args, s.readOptions())
			if err != nil {
				return err
			}
			if out == "" {
				b64, err := p.Base64()
				if err != nil {
					return err
				}
				fmt.Fprintln(s.Stdout, b64)
			} else {
				bin, err := p.Encode()
				if err != nil {
					return err
				}
				if err := file.WriteNewAtomic(out, bin, 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(s.Stderr, "read PSBT %s (%d bytes, txid %s)\n", transport.ShortDigest(data), len(data), p.TxID())
			return nil
		},
	}
	dec.Flags().StringVarP(&out, "out", "o", "", "write the PSBT (binary) to this new file")
	CameraFlag(dec, &s.Camera)
	qr.AddCommand(enc, dec)
	return qr
}

// CameraFlag adds --camera, reading QR codes from a V4L2 video device.
func CameraFlag(cmd *cobra.Command, device *string) {
	cmd.Flags().StringVar(device, "camera", "", "scan the QR codes with this video device, e.g. /dev/video0")
}

// SourcesOrCamera accepts PSBT sources, or none when --camera is given.
func SourcesOrCamera(camera *string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 && *camera == "" {
			return UsageError{fmt.Errorf("%s expects at least one PSBT source (a file, QR images, a directory of them, - for stdin) or --camera /dev/videoN", cmd.CommandPath())}
		}
		return nil
	}
}
