// Package transport moves PSBTs across the air gap: files on a USB stick
// (binary, base64 or hex), and QR codes — one code, an animated series, or a
// printed page — in UR or BBQr, read from images, a camera or a handheld
// scanner typing into stdin. It joins its subpackages (file, qrcode, parts,
// camera) into one reader and one writer, and never interprets a
// transaction.
package transport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"strings"

	"github.com/airsign/airsign/transport/camera"
	"github.com/airsign/airsign/transport/file"
	"github.com/airsign/airsign/transport/parts"
	"github.com/airsign/airsign/transport/qrcode"
)

var psbtMagic = []byte("psbt\xff")

// ReadOptions say where a reader may look and talk.
type ReadOptions struct {
	// Stdin is read for the source "-".
	Stdin io.Reader
	// Progress receives "received 17/40 parts, 42%" lines while a QR series
	// arrives; nil discards them.
	Progress io.Writer
	// Camera is a V4L2 video device (/dev/video0) to scan QR codes from,
	// until the PSBT is complete or the context is cancelled.
	Camera string
}

// ReadPSBT reads one PSBT from sources, which are, in any mix: a file holding
// the PSBT (binary, base64 or hex), "-" for stdin (a PSBT, or QR texts typed
// or pasted one per line, as a handheld scanner does), image files (PNG,
// JPEG, GIF frames) or directories of them, and text files of QR parts. QR
// parts may come in any order, with duplicates and gaps. It returns the PSBT
// bytes (binary) and says what went wrong with which source. Cancelling ctx
// (Ctrl-C) stops a camera scan.
func ReadPSBT(ctx context.Context, sources []string, opts ReadOptions) ([]byte, error) {
	if len(sources) == 0 && opts.Camera == "" {
		return nil, errors.New("no PSBT source given: name a file, a directory of QR images, - for stdin, or --camera /dev/videoN")
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	c := parts.NewCollector()
	var images []string
	// whole refuses a PSBT complete from one source when other sources were
	// given too: they would be silently ignored (and may hold another PSBT).
	whole := func(name string, p []byte, err error) ([]byte, error) {
		if err != nil || len(sources) == 1 || c.Progress().Total > 1 {
			return p, err
		}
		return nil, fmt.Errorf("%s holds a whole PSBT, but %s given too: give one PSBT per command (broadcast takes each signed PSBT as its own argument)", name, plural(len(sources)-1, "other source"))
	}
	for _, src := range sources {
		if src == "-" {
			if opts.Stdin == nil {
				return nil, errors.New("stdin is not available")
			}
			p, err := readStream(opts.Stdin, "stdin", c, progress)
			if err != nil || p != nil {
				return whole("stdin", p, err)
			}
			continue
		}
		_, err := os.Stat(src)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file or directory", src)
		} else if err != nil {
			return nil, fmt.Errorf("opening %s: %w", src, err)
		}
		if IsQRPicture(src) {
			images = append(images, src)
			continue
		}
		f, err := os.Open(src)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", src, err)
		}
		p, err := readStream(f, src, c, progress)
		f.Close()
		if err != nil || p != nil {
			return whole(src, p, err)
		}
	}
	if len(images) > 0 {
		texts, derr := qrcode.DecodePaths(images)
		for _, t := range texts {
			if done, err := addPart(c, t, progress); err != nil {
				fmt.Fprintf(progress, "skipped a code: %s\n", Printable(err.Error()))
			} else if done {
				return c.PSBT()
			}
		}
		if derr != nil && !c.Complete() {
			if c.Progress().Total == 0 {
				// No code was read at all: "waiting for the first
				// code" would suggest a scan still going on.
				return nil, fmt.Errorf("reading the QR images: %w; no QR code was read", derr)
			}
			return nil, fmt.Errorf("reading the QR images: %w; %s", derr, c.Progress())
		}
	}
	if c.Complete() {
		return c.PSBT()
	}
	if opts.Camera != "" {
		return scanCamera(ctx, opts.Camera, c, progress)
	}
	if c.Progress().Total == 0 {
		return nil, errors.New("no PSBT found in the sources given")
	}
	return nil, fmt.Errorf("the QR series is incomplete (%s): scan or add the missing codes", c.Progress())
}

// IsQRPicture reports whether path names pictures of QR codes: a directory
// of frames, or an image file recognised by its first bytes (PNG, JPEG,
// GIF), whatever its name.
func IsQRPicture(path string) bool {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 8)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	return bytes.HasPrefix(head, []byte("\x89PNG")) || bytes.HasPrefix(head, []byte("\xff\xd8\xff")) || bytes.HasPrefix(head, []byte("GIF8"))
}

// readStream reads a PSBT file or a stream of QR texts. A binary PSBT is
// returned whole; lines of QR parts go to c, and the stream is read only
// until the PSBT is complete, so a scanner typing into stdin needs no
// end-of-file. What is neither (garbage, a truncated base64 PSBT) is
// returned as it is, for the PSBT decoder to say what is wrong with it.
func readStream(r io.Reader, name string, c *parts.Collector, progress io.Writer) ([]byte, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(len(psbtMagic))
	if bytes.Equal(head, psbtMagic) {
		return file.ReadLimited(br, name)
	}
	var raw bytes.Buffer
	lines := 0
	wrapped := false
	// refused keeps why a series of QR parts was not a PSBT: the collector
	// starts over after saying so, and the reason must reach the operator.
	var refused error
	for {
		line, err := br.ReadString('\n')
		if raw.Len()+len(line) > file.MaxInputSize {
			return nil, fmt.Errorf("%s is larger than %d MiB; that is not a PSBT", name, file.MaxInputSize>>20)
		}
		raw.WriteString(line)
		if t := strings.TrimSpace(line); t != "" && !wrapped {
			lines++
			if lines == 1 && !parts.IsPart(t) && moreBuffered(br) {
				// Not a QR part, and more text already waiting: a base64
				// or hex PSBT wrapped over lines (coreutils base64 wraps
				// at 76). Its first line alone can look like a whole PSBT;
				// read to the end and decode the whole text instead.
				wrapped = true
				continue
			}
			done, perr := addPart(c, t, progress)
			if done {
				return c.PSBT()
			}
			if perr != nil && parts.IsPart(t) {
				refused = perr
			}
			if perr != nil && c.Progress().Total > 0 {
				fmt.Fprintf(progress, "%s line %d: %s\n", Printable(name), lines, Printable(perr.Error()))
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
	}
	if c.Progress().Total > 0 {
		return nil, nil // parts of a series: more may come from other sources
	}
	if refused != nil {
		return nil, fmt.Errorf("%s: %w", Printable(name), refused)
	}
	if len(bytes.TrimSpace(raw.Bytes())) == 0 {
		return nil, fmt.Errorf("%s is empty: no PSBT in it", name)
	}
	// A base64 or hex PSBT wrapped over several lines arrives as one text.
	if lines > 1 || wrapped {
		whole := parts.NewCollector()
		if done, _ := addPart(whole, strings.Join(strings.Fields(raw.String()), ""), progress); done {
			return whole.PSBT()
		}
	}
	return raw.Bytes(), nil
}

// moreBuffered reports whether text other than white space is already
// waiting in br (a file read ahead); a scanner typing into stdin has
// nothing waiting after its line.
func moreBuffered(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Buffered())
	return len(bytes.TrimSpace(b)) > 0
}

// addPart gives one text to the collector and reports progress.
func addPart(c *parts.Collector, text string, progress io.Writer) (bool, error) {
	p, err := c.Add(text)
	if errors.Is(err, parts.ErrStartedOver) {
		fmt.Fprintf(progress, "%s\n", Printable(err.Error()))
		err = nil
	}
	if err == nil && p.Total > 1 {
		fmt.Fprintf(progress, "%s\n", p)
	}
	return c.Complete(), err
}

// scanCamera reads QR codes from a video device until the PSBT is complete,
// showing progress as parts arrive; Ctrl-C (ctx) stops it.
func scanCamera(ctx context.Context, device string, c *parts.Collector, progress io.Writer) ([]byte, error) {
	fmt.Fprintf(progress, "scanning QR codes with %s; hold the codes in front of the camera (Ctrl-C to stop)\n", device)
	err := camera.Scan(ctx, device, camera.Options{}, func(img image.Image) (bool, error) {
		texts, _ := qrcode.DecodeVideoFrame(img)
		for _, t := range texts {
			if done, err := addPart(c, t, progress); done {
				return true, nil
			} else if err != nil && !errors.Is(err, parts.ErrStartedOver) {
				fmt.Fprintf(progress, "skipped a code: %s\n", Printable(err.Error()))
			}
		}
		return false, nil
	})
	if c.Complete() {
		return c.PSBT()
	}
	if err == nil || errors.Is(err, context.Canceled) {
		return nil, fmt.Errorf("stopped before the PSBT was complete (%s)", c.Progress())
	}
	return nil, err
}
