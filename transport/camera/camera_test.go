package camera

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blackjack/webcam"
)

func TestYUYVToGray(t *testing.T) {
	// 4×2 frame: Y values 10,20,…; U/V bytes set to 0xee must be ignored.
	data := []byte{
		10, 0xee, 20, 0xee, 30, 0xee, 40, 0xee,
		50, 0xee, 60, 0xee, 70, 0xee, 80, 0xee,
	}
	img, err := YUYVToGray(data, 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{10, 20, 30, 40, 50, 60, 70, 80}
	if !bytes.Equal(img.Pix, want) {
		t.Fatalf("Pix = %v, want %v", img.Pix, want)
	}
	if got := img.GrayAt(3, 1).Y; got != 80 {
		t.Fatalf("GrayAt(3,1) = %d, want 80", got)
	}
}

func TestYUYVToGrayBad(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		w, h int
		want string
	}{
		{"short", 15, 4, 2, "too short"},
		{"odd width", 30, 3, 5, "even width"},
		{"zero height", 8, 4, 0, "positive"},
		{"negative", 8, -4, 2, "positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := YUYVToGray(make([]byte, tc.n), tc.w, tc.h)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func testJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 32, 16))
	for y := 0; y < 16; y++ {
		for x := 0; x < 32; x++ {
			img.SetGray(x, y, color.Gray{Y: uint8(x*8 + y)})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// stripDHT removes every DHT segment, as UVC cameras send MJPEG frames.
func stripDHT(t *testing.T, data []byte) []byte {
	t.Helper()
	out := append([]byte{}, data[:2]...)
	i := 2
	for i+4 <= len(data) {
		marker := data[i+1]
		if marker == 0xda {
			return append(out, data[i:]...)
		}
		n := int(data[i+2])<<8 | int(data[i+3])
		if marker != 0xc4 {
			out = append(out, data[i:i+2+n]...)
		}
		i += 2 + n
	}
	t.Fatal("no SOS")
	return nil
}

// Go's JPEG encoder uses the Annex K.3 tables, so a frame stripped of its
// tables and given ours back must decode to exactly the same pixels: this
// checks every byte of defaultDHT.
func TestMJPEGWithoutHuffmanTables(t *testing.T) {
	full := testJPEG(t)
	stripped := stripDHT(t, full)
	if bytes.Contains(stripped, []byte{0xff, 0xc4}) {
		t.Fatal("stripDHT left a DHT marker")
	}
	if _, err := jpeg.Decode(bytes.NewReader(stripped)); err == nil {
		t.Fatal("Go decoded a JPEG without Huffman tables: the test proves nothing")
	}
	want, err := MJPEGToImage(full)
	if err != nil {
		t.Fatal(err)
	}
	got, err := MJPEGToImage(stripped)
	if err != nil {
		t.Fatal(err)
	}
	a, b := want.(*image.Gray), got.(*image.Gray)
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Fatal("frame with default tables decodes differently from the original")
	}
}

func TestMJPEGBad(t *testing.T) {
	good := testJPEG(t)
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "start-of-image"},
		{"not jpeg", []byte("\x89PNG\r\n\x1a\n...."), "start-of-image"},
		{"no SOS", []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0}, "start-of-scan"},
		{"bad length", []byte{0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0, 0}, "segment length"},
		{"garbage marker", []byte{0xff, 0xd8, 0x12, 0x34, 0, 0}, "bad marker"},
		{"truncated", good[:len(good)/2], "MJPEG frame"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := MJPEGToImage(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestScanNoSuchDevice(t *testing.T) {
	err := Scan(context.Background(), "/dev/video9", Options{}, func(image.Image) (bool, error) {
		t.Fatal("callback called")
		return true, nil
	})
	if err == nil || err.Error() != "camera: no such device /dev/video9" {
		t.Fatalf("err = %v", err)
	}
}

func TestScanNotAVideoDevice(t *testing.T) {
	for _, dev := range []string{"/dev/null", filepath.Join(t.TempDir(), "file")} {
		if !strings.HasPrefix(dev, "/dev/") {
			if err := os.WriteFile(dev, []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		err := Scan(context.Background(), dev, Options{}, func(image.Image) (bool, error) { return true, nil })
		if err == nil || err.Error() != "camera "+dev+": not a V4L2 video device" {
			t.Fatalf("%s: err = %v", dev, err)
		}
	}
}

func TestNearestSize(t *testing.T) {
	discrete := func(w, h uint32) webcam.FrameSize {
		return webcam.FrameSize{MinWidth: w, MaxWidth: w, MinHeight: h, MaxHeight: h}
	}
	for _, tc := range []struct {
		name   string
		sizes  []webcam.FrameSize
		w, h   int
		ww, wh int
		ok     bool
	}{
		{"exact", []webcam.FrameSize{discrete(640, 480), discrete(1280, 720), discrete(1920, 1080)}, 1280, 720, 1280, 720, true},
		{"nearest", []webcam.FrameSize{discrete(640, 480), discrete(1920, 1080)}, 1280, 720, 640, 480, true},
		{"stepwise", []webcam.FrameSize{{MinWidth: 160, MaxWidth: 1600, StepWidth: 16, MinHeight: 120, MaxHeight: 1200, StepHeight: 8}}, 1000, 700, 992, 696, true},
		{"clamped", []webcam.FrameSize{{MinWidth: 160, MaxWidth: 800, StepWidth: 2, MinHeight: 120, MaxHeight: 600, StepHeight: 2}}, 1280, 720, 800, 600, true},
		{"odd widths only", []webcam.FrameSize{discrete(641, 480)}, 640, 480, 0, 0, false},
		{"none", nil, 640, 480, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, h, ok := nearestSize(tc.sizes, tc.w, tc.h)
			if w != tc.ww || h != tc.wh || ok != tc.ok {
				t.Fatalf("nearestSize = %d×%d %v, want %d×%d %v", w, h, ok, tc.ww, tc.wh, tc.ok)
			}
		})
	}
}

func TestConvert(t *testing.T) {
	img, err := convert(fourccYUYV, make([]byte, 2*4*2), 4, 2)
	if err != nil || img.Bounds().Dx() != 4 {
		t.Fatalf("YUYV: %v %v", img, err)
	}
	if _, err := convert(fourccYUYV, make([]byte, 2*4*3), 4, 2); err == nil || !strings.Contains(err.Error(), "want 16") {
		t.Fatalf("wrong-size YUYV frame: err = %v", err)
	}
	if _, err := convert(fourccYUYV, nil, 4, 2); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty frame: err = %v", err)
	}
	if _, err := convert(fourccMJPEG, testJPEG(t), 0, 0); err != nil {
		t.Fatalf("MJPEG: %v", err)
	}
	if _, err := convert(webcam.PixelFormat(0x3231564e), []byte{1}, 4, 2); err == nil || !strings.Contains(err.Error(), "NV12") {
		t.Fatalf("NV12: err = %v", err)
	}
}

func FuzzMJPEGToImage(f *testing.F) {
	f.Add([]byte{0xff, 0xd8, 0xff, 0xda, 0x00, 0x02})
	f.Add([]byte{0xff, 0xd8, 0xff, 0xff, 0xff, 0xd0, 0xff, 0xc4})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		_, _ = MJPEGToImage(data)
	})
}

// TestLatestDropsStaleFrames: frames put while nobody takes replace each
// other; the taker gets the newest, and the others count as dropped.
func TestLatestDropsStaleFrames(t *testing.T) {
	l := newLatest()
	frames := make([]image.Image, 3)
	for i := range frames {
		frames[i] = image.NewGray(image.Rect(0, 0, i+1, 1))
		l.put(frames[i])
	}
	img, ok := l.take(context.Background())
	if !ok || img != frames[2] {
		t.Fatalf("took %v, want the newest frame", img)
	}
	if l.dropped != 2 {
		t.Fatalf("dropped %d frames, want 2", l.dropped)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok := l.take(ctx); ok {
		t.Fatal("took a frame from an empty slot")
	}
}

// TestDeliverNewestWhileBusy: a slow callback sees the newest frame after
// each call, not the queue; it stops Scan's delivery with errStopped and
// passes its error on.
func TestDeliverNewestWhileBusy(t *testing.T) {
	l := newLatest()
	busy := make(chan struct{})
	release := make(chan struct{})
	var seen []int
	done := make(chan error, 1)
	go func() {
		done <- deliver(context.Background(), l, func(img image.Image) (bool, error) {
			seen = append(seen, img.Bounds().Dx())
			if len(seen) == 1 {
				close(busy)
				<-release
				return false, nil
			}
			return true, nil
		})
	}()
	l.put(image.NewGray(image.Rect(0, 0, 1, 1)))
	<-busy // the callback is decoding frame 1; frames 2–4 arrive meanwhile
	for i := 2; i <= 4; i++ {
		l.put(image.NewGray(image.Rect(0, 0, i, 1)))
	}
	close(release)
	if err := <-done; !errors.Is(err, errStopped) {
		t.Fatalf("deliver returned %v, want errStopped", err)
	}
	if len(seen) != 2 || seen[1] != 4 {
		t.Fatalf("callback saw frames %v, want [1 4]", seen)
	}
	if l.dropped != 2 {
		t.Fatalf("dropped %d frames, want 2", l.dropped)
	}

	boom := errors.New("boom")
	l.put(image.NewGray(image.Rect(0, 0, 1, 1)))
	if err := deliver(context.Background(), l, func(image.Image) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Fatalf("deliver returned %v, want the callback's error", err)
	}
}
