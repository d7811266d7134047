package evidence

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"testing"
)

// jpegSeg is a marker segment of a JPEG as jpegSegments finds it; scan
// holds the entropy-coded data after an SOS segment.
type jpegSeg struct {
	marker  byte
	payload []byte
	scan    []byte
}

// jpegSegments splits a JPEG into its segments up to EOI and returns what
// follows EOI. It is only as careful as tests of Clean's output need.
func jpegSegments(t testing.TB, b []byte) (segs []jpegSeg, trailer []byte) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte{0xFF, mSOI}) {
		t.Fatalf("no SOI: % x", b[:min(len(b), 4)])
	}
	i := 2
	for {
		if i+2 > len(b) || b[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		i += 2
		if m == mEOI {
			return segs, b[i:]
		}
		if i+2 > len(b) {
			t.Fatalf("segment %#02x cut short", m)
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			t.Fatalf("segment %#02x of length %d", m, n)
		}
		s := jpegSeg{marker: m, payload: b[i+2 : i+n]}
		i += n
		if m == mSOS {
			start := i
			for ; i+1 < len(b); i++ {
				if b[i] == 0xFF && b[i+1] != 0 && (b[i+1] < mRST0 || b[i+1] > mRST7) {
					break
				}
			}
			s.scan = b[start:i]
		}
		segs = append(segs, s)
	}
}

// cleanedOrientation is the orientation of a cleaned JPEG: 0 without an
// APP1 segment. The only APP1 Clean may write is orientationExif's.
func cleanedOrientation(t testing.TB, segs []jpegSeg) int {
	t.Helper()
	o := 0
	for _, s := range segs {
		if s.marker != mAPP1 {
			continue
		}
		if o != 0 {
			t.Fatal("two APP1 segments")
		}
		if !bytes.HasPrefix(s.payload, []byte("Exif\x00\x00")) {
			t.Fatalf("APP1 is not Exif: %q", s.payload)
		}
		o = exifOrientation(s.payload[6:])
		if o == 0 || !bytes.Equal(s.payload, orientationExif(o)) {
			t.Fatalf("APP1 holds more than an orientation: % x", s.payload)
		}
	}
	return o
}

func decodeJPEG(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return img
}

// samePixels fails unless a and b have the same bounds and colours.
func samePixels(t testing.TB, a, b image.Image) {
	t.Helper()
	if a.Bounds() != b.Bounds() {
		t.Fatalf("bounds %v, want %v", b.Bounds(), a.Bounds())
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				t.Fatalf("pixel (%d,%d) is %v, want %v", x, y, b.At(x, y), a.At(x, y))
			}
		}
	}
}

func rationalBytes(bo byteOrder, v []uint32) []byte {
	var b []byte
	for _, x := range v {
		b = bo.AppendUint32(b, x)
	}
	return b
}

func TestCleanJPEGRemovesPhoneMetadataButTheOrientation(t *testing.T) {
	const w, h = 40, 24
	want := decodeJPEG(t, encodedJPEG(t, w, h))
	for _, bo := range []byteOrder{binary.BigEndian, binary.LittleEndian} {
		for _, orientation := range []int{0, 1, 6, 8} {
			t.Run(fmt.Sprintf("%v/orientation %d", bo, orientation), func(t *testing.T) {
				in := phoneJPEG(t, w, h, bo, orientation)
				// The fixture holds what the cleaning must remove.
				for _, s := range [][]byte{[]byte(plantedMake), gpsEntry(bo), rationalBytes(bo, plantedLatitude)} {
					if !bytes.Contains(in, s) {
						t.Fatalf("fixture lacks %q", s)
					}
				}
				res, out, err := cleanBytes(t, "IMG_20240305_143012.jpg", in)
				if err != nil {
					t.Fatal(err)
				}
				if res.Type != typeJPEG {
					t.Errorf("type %v", res.Type)
				}
				for _, s := range []string{plantedMake, plantedXMP, plantedIPTC, plantedComment, plantedThumb,
					plantedTrailer, "MotionPhoto", "http://ns.adobe.com/xap/1.0/", "8BIM"} {
					if bytes.Contains(out, []byte(s)) {
						t.Errorf("output still holds %q", s)
					}
				}
				for _, s := range [][]byte{gpsEntry(bo), rationalBytes(bo, plantedLatitude), rationalBytes(bo, plantedLongitude)} {
					if bytes.Contains(out, s) {
						t.Errorf("output still holds GPS bytes % x", s)
					}
				}

				segs, trailer := jpegSegments(t, out)
				if len(trailer) != 0 {
					t.Errorf("%d bytes after EOI", len(trailer))
				}
				// Orientation 1 is the default, so it needs no segment.
				wantO := orientation
				if orientation == 1 {
					wantO = 0
				}
				if o := cleanedOrientation(t, segs); o != wantO {
					t.Errorf("orientation %d, want %d", o, wantO)
				}
				for _, s := range segs {
					switch {
					case s.marker == mAPP0:
						if !bytes.Equal(s.payload, []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x00\x00")) {
							t.Errorf("JFIF segment % x", s.payload)
						}
					case s.marker == mCOM, s.marker > mAPP1 && s.marker <= mAPP15:
						t.Errorf("segment %#02x kept", s.marker)
					}
				}
				samePixels(t, want, decodeJPEG(t, out))
			})
		}
	}
}

// Real encoders' files that carry no metadata (from Go's image/testdata)
// come out byte for byte: progressive, with restart markers, and CMYK with
// the Adobe segment that gives its colour transform.
func TestCleanJPEGKeepsWhatDecodersNeed(t *testing.T) {
	for _, name := range []string{"progressive.jpeg", "restart.jpeg", "cmyk.jpeg"} {
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile("testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			res, out, err := cleanBytes(t, name, in)
			if err != nil {
				t.Fatal(err)
			}
			if res.Type != typeJPEG || !bytes.Equal(out, in) {
				t.Errorf("type %v, %d bytes of %d, equal %v", res.Type, len(out), len(in), bytes.Equal(out, in))
			}
			samePixels(t, decodeJPEG(t, in), decodeJPEG(t, out))
		})
	}

	// An ICC profile is kept, an Adobe segment is cut to the colour
	// transform, a second orientation and unknown APP segments are dropped.
	enc := encodedJPEG(t, 16, 16)
	icc := segment(mAPP2, []byte("ICC_PROFILE\x00\x01\x01profile bytes"))
	var in []byte
	in = append(in, 0xFF, mSOI)
	in = append(in, icc...)
	in = append(in, segment(mAPP14, []byte("Adobe\x00\x64\x00\x00\x00\x00\x01extra Adobe data"))...)
	in = append(in, segment(mAPP1, orientationExif(3))...)
	in = append(in, segment(mAPP1, orientationExif(5))...)
	in = append(in, segment(mAPP2, []byte("MPF\x00multi-picture index"))...)
	in = append(in, segment(0xE9, []byte("maker data"))...)
	in = append(in, 0xFF, 0xFF) // fill bytes before a marker
	in = append(in, enc[2:]...)
	_, out, err := cleanBytes(t, "a.jpg", in)
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	want = append(want, 0xFF, mSOI)
	want = append(want, icc...)
	want = append(want, segment(mAPP14, []byte("Adobe\x00\x64\x00\x00\x00\x00\x01"))...)
	want = append(want, segment(mAPP1, orientationExif(3))...)
	want = append(want, enc[2:]...)
	if !bytes.Equal(out, want) {
		t.Errorf("got\n% x\nwant\n% x", out[:min(len(out), 200)], want[:200])
	}
}

// frameSegment finds the SOF0 segment Go's encoder writes.
func frameSegment(t testing.TB, b []byte) (start, end int) {
	t.Helper()
	i := bytes.Index(b, []byte{0xFF, mSOF0, 0x00, 0x11})
	if i < 0 {
		t.Fatal("no SOF0 segment")
	}
	return i, i + 2 + 0x11
}

// withFrame replaces the frame header of Go's encoding of a 16×16 image.
func withFrame(t testing.TB, marker byte, payload []byte) []byte {
	t.Helper()
	enc := encodedJPEG(t, 16, 16)
	s, e := frameSegment(t, enc)
	var b []byte
	b = append(b, enc[:s]...)
	b = append(b, segment(marker, payload)...)
	return append(b, enc[e:]...)
}

// frame is a three-component frame header payload.
func frame(precision byte, w, h uint16) []byte {
	b := []byte{precision}
	b = binary.BigEndian.AppendUint16(b, h)
	b = binary.BigEndian.AppendUint16(b, w)
	return append(b, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)
}

func TestCleanJPEGRefusesBrokenAndUnsupportedFiles(t *testing.T) {
	const invalid = "文件“x.jpg”不是有效的 JPEG 图片，未能上传。"
	enc := encodedJPEG(t, 16, 16)
	phone := phoneJPEG(t, 16, 16, binary.BigEndian, 6)
	fs, fe := frameSegment(t, enc)
	sos := bytes.Index(enc, []byte{0xFF, mSOS})
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	runRefusals(t, []refusalCase{
		{"cut in the scan", "x.jpg", phone[:len(phone)-len(plantedTrailer)-40], invalid, "unexpected EOF"},
		{"cut before EOI", "x.jpg", enc[:len(enc)-2], invalid, "unexpected EOF"},
		{"cut in a segment", "x.jpg", phone[:30], invalid, "unexpected EOF"},
		{"cut in a segment length", "x.jpg", enc[:5], invalid, "unexpected EOF"},
		{"segment length past the end", "x.jpg", cat(enc[:2], []byte{0xFF, mCOM, 0xFF, 0xF0}, []byte("short")), invalid, "unexpected EOF"},
		{"segment length below 2", "x.jpg", cat(enc[:2], []byte{0xFF, mDQT, 0x00, 0x01}, enc[2:]), invalid, "segment 0xdb of length 1"},
		{"only SOI and a marker", "x.jpg", enc[:3], invalid, "unexpected EOF"},
		{"SOI and EOI", "x.jpg", []byte{0xFF, mSOI, 0xFF, mEOI}, invalid, "end of image before any scan"},
		{"no frame", "x.jpg", cat(enc[:fs], enc[fe:]), invalid, "scan before the frame header"},
		{"frame but no scan", "x.jpg", cat(enc[:sos], []byte{0xFF, mEOI}), invalid, "end of image before any scan"},
		{"second frame", "x.jpg", cat(enc[:fe], enc[fs:]), invalid, "second frame header"},
		{"arithmetic coding", "x.jpg", withFrame(t, 0xC9, frame(8, 16, 16)), invalid, "marker 0xc9"},
		{"progressive arithmetic coding", "x.jpg", withFrame(t, 0xCA, frame(8, 16, 16)), invalid, "marker 0xca"},
		{"lossless", "x.jpg", withFrame(t, 0xC3, frame(8, 16, 16)), invalid, "marker 0xc3"},
		{"hierarchical", "x.jpg", withFrame(t, 0xC5, frame(8, 16, 16)), invalid, "marker 0xc5"},
		{"12-bit samples", "x.jpg", withFrame(t, mSOF1, frame(12, 16, 16)), invalid, "frame header"},
		{"two components", "x.jpg", withFrame(t, mSOF0, []byte{8, 0, 16, 0, 16, 2, 1, 0x11, 0, 2, 0x11, 1}), invalid, "frame header"},
		{"zero width", "x.jpg", withFrame(t, mSOF0, frame(8, 0, 16)), invalid, "frame"},
		{"over 200 megapixels", "x.jpg", withFrame(t, mSOF0, frame(8, 20000, 20000)),
			"文件“x.jpg”的图片尺寸过大（超过 2 亿像素），未能上传。", "20000×20000"},
		{"over 200 megapixels, progressive", "x.jpg", withFrame(t, mSOF2, frame(8, 65535, 3100)),
			"文件“x.jpg”的图片尺寸过大（超过 2 亿像素），未能上传。", "65535×3100"},
		{"garbage between segments", "x.jpg", cat(enc[:fs], []byte{0x00}, enc[fs:]), invalid, "0x00 between segments"},
		{"restart marker outside a scan", "x.jpg", cat(enc[:2], []byte{0xFF, mRST0}, enc[2:]), invalid, "marker 0xd0 outside a scan"},
		{"second SOI", "x.jpg", cat(enc[:2], enc), invalid, "marker 0xd8 outside a scan"},
		{"DNL marker", "x.jpg", cat(enc[:2], segment(0xDC, []byte{0, 16}), enc[2:]), invalid, "marker 0xdc"},
		{"fill bytes before a restart marker", "x.jpg", cat(enc[:len(enc)-2], []byte{0xFF, 0xFF, mRST0 + 1}, enc[len(enc)-2:]),
			invalid, "fill bytes before 0xd1"},
		{"named as something else", "photo.png", enc[:len(enc)-2], "文件“photo.jpg”不是有效的 JPEG 图片，未能上传。", "unexpected EOF"},
	})
}
