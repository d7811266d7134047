package evidence

import (
	"bufio"
	"bytes"
	"errors"
	"image/jpeg"
	"io"
)

// JPEG markers (ITU T.81 table B.1) that cleanJPEG treats by name.
const (
	mSOF0  = 0xC0
	mSOF1  = 0xC1
	mSOF2  = 0xC2
	mDHT   = 0xC4
	mRST0  = 0xD0
	mRST7  = 0xD7
	mSOI   = 0xD8
	mEOI   = 0xD9
	mSOS   = 0xDA
	mDQT   = 0xDB
	mDRI   = 0xDD
	mAPP0  = 0xE0
	mAPP1  = 0xE1
	mAPP2  = 0xE2
	mAPP14 = 0xEE
	mAPP15 = 0xEF
	mCOM   = 0xFE
)

// jpegCleaner copies a JPEG segment by segment. It keeps what a decoder
// needs (tables, frame, scans, the JFIF header without its thumbnail, the
// ICC colour profile, Adobe's colour transform) and drops every other
// application segment and comment: Exif (GPS position, camera serial
// number, a thumbnail of the uncropped photo), XMP, IPTC and whatever a
// phone maker adds. Data after the end of the image is dropped too: phones
// append motion-photo video and their own metadata there.
//
// Only the frame types Go's decoder and every browser read (baseline,
// extended sequential, progressive, 8 bits) are accepted, because a photo
// the handler cannot open is no evidence. Scan data is copied as it is and
// not decoded, so memory stays small whatever the resolution.
type jpegCleaner struct {
	in          *bufio.Reader
	out         *output
	seg         []byte
	frame       bool
	scanned     bool
	orientation bool // the orientation segment has been written
}

func cleanJPEG(r io.Reader, out *output) error {
	c := &jpegCleaner{in: bufio.NewReaderSize(r, 32<<10), out: out, seg: make([]byte, 0xFFFF)}
	return c.run()
}

func badJPEG(format string, args ...any) error {
	return refuse(reasonInvalid(typeJPEG), format, args...)
}

func (c *jpegCleaner) run() error {
	var soi [2]byte
	if _, err := io.ReadFull(c.in, soi[:]); err != nil {
		return err
	}
	if _, err := c.out.Write(soi[:]); err != nil {
		return err
	}
	m, err := c.marker()
	for err == nil {
		if m == mEOI {
			if !c.scanned {
				return badJPEG("end of image before any scan")
			}
			if _, err := c.out.Write([]byte{0xFF, mEOI}); err != nil {
				return err
			}
			_, err := io.Copy(io.Discard, c.in)
			return err
		}
		var payload []byte
		if payload, err = c.segment(m); err != nil {
			return err
		}
		if m != mSOS {
			if err = c.keep(m, payload); err != nil {
				return err
			}
			m, err = c.marker()
			continue
		}
		if !c.frame {
			return badJPEG("scan before the frame header")
		}
		if err = c.write(m, payload); err != nil {
			return err
		}
		c.scanned = true
		m, err = c.scan()
	}
	return err
}

// keep writes what is kept of a segment other than a scan.
func (c *jpegCleaner) keep(m byte, payload []byte) error {
	switch {
	case m == mSOF0 || m == mSOF1 || m == mSOF2:
		if c.frame {
			return badJPEG("second frame header")
		}
		if err := checkFrame(m, payload); err != nil {
			return err
		}
		c.frame = true
		return c.write(m, payload)
	case m == mDHT || m == mDQT || m == mDRI:
		return c.write(m, payload)
	case m == mAPP0:
		return c.app0(payload)
	case m == mAPP1:
		return c.app1(payload)
	case m == mAPP2 && bytes.HasPrefix(payload, []byte("ICC_PROFILE\x00")):
		return c.write(m, payload)
	case m == mAPP14 && bytes.HasPrefix(payload, []byte("Adobe")) && len(payload) >= 12:
		// Version, flags and the colour transform: CMYK photos decode
		// with the wrong colours without it.
		return c.write(m, payload[:12])
	case m >= mAPP0 && m <= mAPP15 || m == mCOM:
		return nil
	}
	return badJPEG("marker %#02x", m)
}

// marker reads the next marker, skipping fill bytes. Anything else between
// segments is refused although decoders skip it: it has no business there.
func (c *jpegCleaner) marker() (byte, error) {
	b, err := c.in.ReadByte()
	if err != nil {
		return 0, unexpectedEOF(err)
	}
	if b != 0xFF {
		return 0, badJPEG("%#02x between segments", b)
	}
	for b == 0xFF {
		if b, err = c.in.ReadByte(); err != nil {
			return 0, unexpectedEOF(err)
		}
	}
	if b == 0 || b >= mRST0 && b <= mRST7 || b == mSOI || b == 0x01 {
		return 0, badJPEG("marker %#02x outside a scan", b)
	}
	return b, nil
}

// segment reads a segment's payload into c.seg.
func (c *jpegCleaner) segment(m byte) ([]byte, error) {
	var l [2]byte
	if _, err := io.ReadFull(c.in, l[:]); err != nil {
		return nil, unexpectedEOF(err)
	}
	n := int(l[0])<<8 | int(l[1])
	if n < 2 {
		return nil, badJPEG("segment %#02x of length %d", m, n)
	}
	p := c.seg[:n-2]
	if _, err := io.ReadFull(c.in, p); err != nil {
		return nil, unexpectedEOF(err)
	}
	return p, nil
}

func (c *jpegCleaner) write(m byte, payload []byte) error {
	n := len(payload) + 2
	if _, err := c.out.Write([]byte{0xFF, m, byte(n >> 8), byte(n)}); err != nil {
		return err
	}
	_, err := c.out.Write(payload)
	return err
}

// app0 keeps a JFIF header (Go's decoder and others read the colour space
// from its presence) without the thumbnail it may carry.
func (c *jpegCleaner) app0(p []byte) error {
	if !bytes.HasPrefix(p, []byte("JFIF\x00")) {
		return nil
	}
	if len(p) >= 14 {
		p = p[:14]
		p[12], p[13] = 0, 0
	}
	return c.write(mAPP0, p)
}

// app1 drops Exif and XMP, and puts back the one thing in Exif a viewer
// needs: which way up the photo is.
func (c *jpegCleaner) app1(p []byte) error {
	if c.orientation || !bytes.HasPrefix(p, []byte("Exif\x00")) || len(p) < 6 {
		return nil
	}
	o := exifOrientation(p[6:])
	if o <= 1 {
		return nil
	}
	c.orientation = true
	return c.write(mAPP1, orientationExif(o))
}

// scan copies entropy-coded data, with its stuffed bytes and restart
// markers, and returns the marker that ends it.
func (c *jpegCleaner) scan() (byte, error) {
	for {
		chunk, err := c.in.ReadSlice(0xFF)
		if err == bufio.ErrBufferFull {
			if _, err := c.out.Write(chunk); err != nil {
				return 0, err
			}
			continue
		}
		if err != nil {
			return 0, unexpectedEOF(err)
		}
		if _, err := c.out.Write(chunk[:len(chunk)-1]); err != nil {
			return 0, err
		}
		b, err := c.in.ReadByte()
		if err != nil {
			return 0, unexpectedEOF(err)
		}
		if b == 0 || b >= mRST0 && b <= mRST7 {
			if _, err := c.out.Write([]byte{0xFF, b}); err != nil {
				return 0, err
			}
			continue
		}
		for b == 0xFF {
			if b, err = c.in.ReadByte(); err != nil {
				return 0, unexpectedEOF(err)
			}
		}
		if b == 0 || b >= mRST0 && b <= mRST7 {
			return 0, badJPEG("fill bytes before %#02x in a scan", b)
		}
		return b, nil
	}
}

// checkFrame has Go's decoder read the frame header, so a photo is only
// accepted with a frame Go and browsers can decode (8-bit precision, one,
// three or four components, sampling they support) and a size in bounds.
func checkFrame(m byte, payload []byte) error {
	var b bytes.Buffer
	// A JFIF header makes DecodeConfig stop at the frame header.
	b.WriteString("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00")
	n := len(payload) + 2
	b.Write([]byte{0xFF, m, byte(n >> 8), byte(n)})
	b.Write(payload)
	cfg, err := jpeg.DecodeConfig(&b)
	if err != nil {
		return badJPEG("frame header: %v", err)
	}
	if cfg.Width == 0 || cfg.Height == 0 {
		return badJPEG("frame of %d×%d pixels", cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return refuse(reasonPixels, "frame of %d×%d pixels", cfg.Width, cfg.Height)
	}
	return nil
}

// unexpectedEOF says that the input ended inside the file's structure.
func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
