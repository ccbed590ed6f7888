// Package camera grabs frames from a V4L2 video device (a webcam on the
// air-gapped laptop, `--camera /dev/videoN`) and hands them, as images, to
// a callback that looks for QR codes.
//
// It is pure Go (github.com/blackjack/webcam issues the V4L2 ioctls through
// golang.org/x/sys/unix), so the binaries stay static: CGO_ENABLED=0 builds
// it. It knows nothing of QR codes; the caller decodes the frames.
package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io/fs"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blackjack/webcam"
)

// V4L2 pixel formats we can turn into images (fourcc codes).
const (
	fourccYUYV  = webcam.PixelFormat('Y' | 'U'<<8 | 'Y'<<16 | 'V'<<24)
	fourccMJPEG = webcam.PixelFormat('M' | 'J'<<8 | 'P'<<16 | 'G'<<24)
)

// Defaults: 1280×720 gives a QR code of version 17 enough pixels per module
// at arm's length without making every frame slow to decode.
const (
	DefaultWidth        = 1280
	DefaultHeight       = 720
	DefaultFrameTimeout = 5 * time.Second
)

// Options adjusts Scan. The zero value asks for 1280×720.
type Options struct {
	// Width and Height are the preferred frame size; the nearest size the
	// camera offers is used.
	Width, Height int

	// FrameTimeout is how long Scan waits for a usable frame before it
	// gives up (default 5 s).
	FrameTimeout time.Duration
}

// FrameFunc receives frames, one call at a time, on a goroutine of its
// own; frames that arrive while it is busy are dropped but the newest, so
// it never falls behind the camera. Returning stop = true ends Scan with a nil
// error (the caller has what it needs); returning an error ends it with
// that error. The image is the callback's to keep.
type FrameFunc func(img image.Image) (stop bool, err error)

// Scan opens device, streams frames (YUYV as greyscale, else MJPEG) and
// calls fn with the newest until fn stops it, ctx is cancelled (ctx.Err() is
// returned) or no usable frame arrives within the frame timeout.
func Scan(ctx context.Context, device string, opts Options, fn FrameFunc) error {
	cam, err := open(device)
	if err != nil {
		return err
	}
	defer cam.Close()
	format, w, h, err := chooseFormat(cam, opts)
	if err != nil {
		return fmt.Errorf("camera %s: %v", device, err)
	}
	if _, _, _, err := cam.SetImageFormat(format, uint32(w), uint32(h)); err != nil {
		return fmt.Errorf("camera %s: cannot set %s %d×%d: %v", device, formatName(format), w, h, err)
	}
	if err := cam.SetBufferCount(4); err != nil {
		return fmt.Errorf("camera %s: %v", device, err)
	}
	if err := cam.StartStreaming(); err != nil {
		return fmt.Errorf("camera %s: %v", device, err)
	}
	timeout := opts.FrameTimeout
	if timeout <= 0 {
		timeout = DefaultFrameTimeout
	}
	// The callback runs on its own goroutine and always gets the newest
	// frame: while it is busy decoding, the capture loop keeps draining
	// the driver and replaces the waiting frame, so a slow decoder skips
	// frames instead of working through a queue of stale ones.
	slot := newLatest()
	work, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		done <- deliver(work, slot, fn)
	}()
	defer wg.Wait() // after cancel (defers run last first): the callback finishes its frame
	defer cancel()

	lastGood := time.Now()
	var lastErr error
	for {
		select {
		case err := <-done:
			if errors.Is(err, errStopped) {
				return nil
			}
			return err
		default:
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Since(lastGood) > timeout {
			if lastErr != nil {
				return fmt.Errorf("camera %s: no usable frame for %v: %v", device, timeout, lastErr)
			}
			return fmt.Errorf("camera %s: no frame for %v", device, timeout)
		}
		err := cam.WaitForFrame(1)
		var to *webcam.Timeout
		if errors.As(err, &to) {
			continue
		}
		if err != nil {
			return fmt.Errorf("camera %s: %v", device, err)
		}
		data, index, err := cam.GetFrame()
		if err != nil {
			if errors.Is(err, syscall.EAGAIN) {
				continue
			}
			return fmt.Errorf("camera %s: %v", device, err)
		}
		img, cerr := convert(format, data, w, h) // copies out of the driver's buffer
		if err := cam.ReleaseFrame(index); err != nil {
			return fmt.Errorf("camera %s: %v", device, err)
		}
		if cerr != nil {
			lastErr = cerr // a torn or empty frame: wait for the next
			continue
		}
		lastGood = time.Now()
		slot.put(img)
	}
}

// errStopped is deliver's answer when the callback has what it needs.
var errStopped = errors.New("camera: stopped by the callback")

// deliver hands the newest frame to fn, one at a time, until fn stops
// (errStopped) or fails, or ctx ends (nil).
func deliver(ctx context.Context, slot *latest, fn FrameFunc) error {
	for {
		img, ok := slot.take(ctx)
		if !ok {
			return nil
		}
		stop, err := fn(img)
		if err != nil {
			return err
		}
		if stop {
			return errStopped
		}
	}
}

// latest holds at most one frame: the newest not yet taken.
type latest struct {
	mu      sync.Mutex
	img     image.Image
	dropped int // frames replaced before anyone took them
	ready   chan struct{}
}

func newLatest() *latest { return &latest{ready: make(chan struct{}, 1)} }

// put stores img, replacing (dropping) a frame still waiting.
func (l *latest) put(img image.Image) {
	l.mu.Lock()
	if l.img != nil {
		l.dropped++
	}
	l.img = img
	l.mu.Unlock()
	select {
	case l.ready <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// take waits for a frame and removes it; false when ctx ends first.
func (l *latest) take(ctx context.Context) (image.Image, bool) {
	for {
		select {
		case <-ctx.Done():
			return nil, false
		case <-l.ready:
		}
		l.mu.Lock()
		img := l.img
		l.img = nil
		l.mu.Unlock()
		if img != nil {
			return img, true
		}
	}
}

// open opens device and turns the errors of a missing, forbidden or
// non-video device into ones an operator can act on.
func open(device string) (*webcam.Webcam, error) {
	if _, err := os.Stat(device); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("camera: no such device %s", device)
	}
	cam, err := webcam.Open(device)
	switch {
	case err == nil:
		return cam, nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENODEV), errors.Is(err, syscall.ENXIO):
		return nil, fmt.Errorf("camera: no such device %s", device)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("camera %s: permission denied (is this user in the video group?)", device)
	case errors.Is(err, syscall.ENOTTY), errors.Is(err, syscall.EINVAL):
		return nil, fmt.Errorf("camera %s: not a V4L2 video device", device)
	case errors.Is(err, syscall.EBUSY):
		return nil, fmt.Errorf("camera %s: busy (another program is using it)", device)
	}
	return nil, fmt.Errorf("camera %s: %v", device, err)
}

// chooseFormat picks YUYV (no decoding needed) over MJPEG, and the frame
// size nearest the one asked for.
func chooseFormat(cam *webcam.Webcam, opts Options) (webcam.PixelFormat, int, int, error) {
	want := [2]int{opts.Width, opts.Height}
	if want[0] <= 0 || want[1] <= 0 {
		want = [2]int{DefaultWidth, DefaultHeight}
	}
	formats := cam.GetSupportedFormats()
	for _, f := range []webcam.PixelFormat{fourccYUYV, fourccMJPEG} {
		if _, ok := formats[f]; !ok {
			continue
		}
		w, h, ok := nearestSize(cam.GetSupportedFrameSizes(f), want[0], want[1])
		if !ok {
			continue
		}
		return f, w, h, nil
	}
	var names []string
	for f, desc := range formats {
		names = append(names, fmt.Sprintf("%s (%s)", formatName(f), desc))
	}
	sort.Strings(names)
	return 0, 0, 0, fmt.Errorf("offers neither YUYV nor MJPEG frames (it offers: %s)", strings.Join(names, ", "))
}

// nearestSize picks the offered size closest in area to w×h. A stepwise
// range is clamped and aligned to its steps. An even width is required
// for YUYV.
func nearestSize(sizes []webcam.FrameSize, w, h int) (int, int, bool) {
	best, bw, bh := -1, 0, 0
	for _, s := range sizes {
		cw := pick(w, int(s.MinWidth), int(s.MaxWidth), int(s.StepWidth))
		ch := pick(h, int(s.MinHeight), int(s.MaxHeight), int(s.StepHeight))
		if cw <= 0 || ch <= 0 || cw%2 != 0 {
			continue
		}
		d := abs(cw*ch - w*h)
		if best < 0 || d < best {
			best, bw, bh = d, cw, ch
		}
	}
	return bw, bh, best >= 0
}

func pick(v, lo, hi, step int) int {
	if v < lo {
		v = lo
	}
	if v > hi {
		v = hi
	}
	if step > 0 {
		v = lo + (v-lo)/step*step
	}
	return v
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// convert turns one raw frame into an image, copying out of data.
func convert(format webcam.PixelFormat, data []byte, w, h int) (image.Image, error) {
	if len(data) == 0 {
		return nil, errors.New("empty frame")
	}
	switch format {
	case fourccYUYV:
		// blackjack/webcam reports back the size we asked for, not the
		// driver's; a frame of another size shows up here.
		if len(data) != 2*w*h {
			return nil, fmt.Errorf("YUYV frame of %d bytes, want %d for %d×%d (did the driver change the size?)", len(data), 2*w*h, w, h)
		}
		return YUYVToGray(data, w, h)
	case fourccMJPEG:
		return MJPEGToImage(data)
	}
	return nil, fmt.Errorf("unsupported pixel format %s", formatName(format))
}

func formatName(f webcam.PixelFormat) string {
	b := []byte{byte(f), byte(f >> 8), byte(f >> 16), byte(f >> 24)}
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("%#08x", uint32(f))
		}
	}
	return string(b)
}
