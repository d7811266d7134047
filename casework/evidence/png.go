package evidence

import (
	"bufio"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"strings"
)

// pngKept lists the ancillary chunks a PNG keeps: those that change how
// it looks (colour, transparency, pixel size) and animation. Text, Exif
// (but for its orientation), the time of last change and any chunk not
// listed are dropped; ancillary chunks are by definition safe to drop.
var pngKept = map[string]bool{
	"tRNS": true, "cHRM": true, "gAMA": true, "iCCP": true, "sBIT": true, "sRGB": true,
	"cICP": true, "mDCV": true, "cLLI": true, "bKGD": true, "hIST": true, "pHYs": true,
	"sPLT": true, "acTL": true, "fcTL": true, "fdAT": true,
}

// Decoding stages, named as in image/png, whose chunk order rules cleanPNG
// applies so that whatever it accepts Go's decoder accepts too.
const (
	pngStart = iota
	pngSeenIHDR
	pngSeenPLTE
	pngSeenTRNS
	pngSeenIDAT
)

// pngCleaner copies a PNG chunk by chunk, checking every CRC and the order
// and contents of the critical chunks, and inflating the image data to
// check that it holds exactly the rows the header promises. The inflated
// rows are counted and their filter bytes checked, then forgotten, so
// memory does not depend on the image size.
type pngCleaner struct {
	in      *bufio.Reader
	out     *output
	crc     hash.Hash32
	buf     []byte
	stage   int
	hdr     pngHeader
	pending *chunkHeader // read by the image data reader, not yet handled

	orientation bool // an eXIf chunk with the orientation has been written
}

type chunkHeader struct {
	length uint32
	typ    string
	raw    [8]byte
}

type pngHeader struct {
	width, height int64
	depth, color  byte
	interlaced    bool
}

func cleanPNG(r io.Reader, out *output) error {
	// buf holds a whole eXIf chunk of up to 0xFFFF bytes (see exif): with
	// a smaller buffer such a chunk made exif slice past its end and panic.
	c := &pngCleaner{in: bufio.NewReaderSize(r, 32<<10), out: out, crc: crc32.NewIEEE(), buf: make([]byte, 64<<10)}
	return c.run()
}

func badPNG(format string, args ...any) error {
	return refuse(reasonInvalid(typePNG), format, args...)
}

func (c *pngCleaner) run() error {
	sig := c.buf[:len(pngSignature)]
	if _, err := io.ReadFull(c.in, sig); err != nil {
		return err
	}
	if _, err := c.out.Write(sig); err != nil {
		return err
	}
	for {
		h := c.pending
		c.pending = nil
		if h == nil {
			var err error
			if h, err = c.header(); err != nil {
				return err
			}
		}
		if c.stage == pngStart && h.typ != "IHDR" {
			return badPNG("%q before IHDR", h.typ)
		}
		var err error
		switch h.typ {
		case "IHDR":
			err = c.ihdr(h)
		case "PLTE":
			err = c.plte(h)
		case "tRNS":
			err = c.trns(h)
		case "IDAT":
			err = c.idat(h)
		case "IEND":
			return c.iend(h)
		case "eXIf":
			err = c.exif(h)
		default:
			if h.typ[0]&0x20 == 0 {
				return badPNG("unknown critical chunk %q", h.typ)
			}
			err = c.copy(h, pngKept[h.typ])
		}
		if err != nil {
			return err
		}
	}
}

// header reads a chunk's length and type and starts its CRC.
func (c *pngCleaner) header() (*chunkHeader, error) {
	h := &chunkHeader{}
	if _, err := io.ReadFull(c.in, h.raw[:]); err != nil {
		return nil, unexpectedEOF(err)
	}
	h.length = binary.BigEndian.Uint32(h.raw[:4])
	h.typ = string(h.raw[4:])
	if h.length > 1<<31-1 {
		return nil, badPNG("chunk %q of length %d", h.typ, h.length)
	}
	for _, b := range h.raw[4:] {
		if !('a' <= b && b <= 'z' || 'A' <= b && b <= 'Z') {
			return nil, badPNG("chunk type % x", h.raw[4:])
		}
	}
	c.crc.Reset()
	c.crc.Write(h.raw[4:])
	return h, nil
}

// copy streams a chunk's data and CRC, writing them if keep.
func (c *pngCleaner) copy(h *chunkHeader, keep bool) error {
	if keep {
		if _, err := c.out.Write(h.raw[:]); err != nil {
			return err
		}
	}
	for n := int64(h.length); n > 0; {
		p := c.buf[:min(n, int64(len(c.buf)))]
		if _, err := io.ReadFull(c.in, p); err != nil {
			return unexpectedEOF(err)
		}
		c.crc.Write(p)
		if keep {
			if _, err := c.out.Write(p); err != nil {
				return err
			}
		}
		n -= int64(len(p))
	}
	return c.checkCRC(h, keep)
}

func (c *pngCleaner) checkCRC(h *chunkHeader, keep bool) error {
	var sum [4]byte
	if _, err := io.ReadFull(c.in, sum[:]); err != nil {
		return unexpectedEOF(err)
	}
	if binary.BigEndian.Uint32(sum[:]) != c.crc.Sum32() {
		return badPNG("CRC of chunk %q", h.typ)
	}
	if keep {
		_, err := c.out.Write(sum[:])
		return err
	}
	return nil
}

// small reads the data of a short critical chunk, checks its CRC and
// writes the whole chunk.
func (c *pngCleaner) small(h *chunkHeader) ([]byte, error) {
	p := c.buf[:h.length]
	if _, err := io.ReadFull(c.in, p); err != nil {
		return nil, unexpectedEOF(err)
	}
	c.crc.Write(p)
	if _, err := c.out.Write(h.raw[:]); err != nil {
		return nil, err
	}
	if _, err := c.out.Write(p); err != nil {
		return nil, err
	}
	return p, c.checkCRC(h, true)
}

func (c *pngCleaner) ihdr(h *chunkHeader) error {
	if c.stage != pngStart {
		return badPNG("second IHDR")
	}
	if h.length != 13 {
		return badPNG("IHDR of length %d", h.length)
	}
	p, err := c.small(h)
	if err != nil {
		return err
	}
	w := int32(binary.BigEndian.Uint32(p[0:]))
	ht := int32(binary.BigEndian.Uint32(p[4:]))
	c.hdr = pngHeader{width: int64(w), height: int64(ht), depth: p[8], color: p[9], interlaced: p[12] == 1}
	switch {
	case w <= 0 || ht <= 0:
		return badPNG("size %d×%d", w, ht)
	case p[10] != 0 || p[11] != 0 || p[12] > 1:
		return badPNG("compression %d, filter %d, interlace %d", p[10], p[11], p[12])
	case c.hdr.bitsPerPixel() == 0:
		return badPNG("bit depth %d with colour type %d", p[8], p[9])
	case c.hdr.width*c.hdr.height > maxPixels:
		return refuse(reasonPixels, "size %d×%d", w, ht)
	}
	c.stage = pngSeenIHDR
	return nil
}

// bitsPerPixel is 0 for a combination of depth and colour type PNG does
// not define.
func (h pngHeader) bitsPerPixel() int {
	var channels int
	var depths string
	switch h.color {
	case 0:
		channels, depths = 1, "\x01\x02\x04\x08\x10"
	case 2:
		channels, depths = 3, "\x08\x10"
	case 3:
		channels, depths = 1, "\x01\x02\x04\x08"
	case 4:
		channels, depths = 2, "\x08\x10"
	case 6:
		channels, depths = 4, "\x08\x10"
	}
	if h.depth == 0 || strings.IndexByte(depths, h.depth) < 0 {
		return 0
	}
	return channels * int(h.depth)
}

func (c *pngCleaner) plte(h *chunkHeader) error {
	n := h.length / 3
	switch {
	case c.stage != pngSeenIHDR:
		return badPNG("PLTE out of order")
	case c.hdr.color != 3 && c.hdr.color != 2 && c.hdr.color != 6:
		return badPNG("PLTE with colour type %d", c.hdr.color)
	case h.length%3 != 0 || n == 0 || n > 256 || n > 1<<c.hdr.depth:
		return badPNG("PLTE of length %d", h.length)
	}
	c.stage = pngSeenPLTE
	_, err := c.small(h)
	return err
}

func (c *pngCleaner) trns(h *chunkHeader) error {
	var ok bool
	switch c.hdr.color {
	case 0:
		ok = c.stage == pngSeenIHDR && h.length == 2
	case 2:
		ok = (c.stage == pngSeenIHDR || c.stage == pngSeenPLTE) && h.length == 6
	case 3:
		ok = c.stage == pngSeenPLTE && h.length <= 256
	}
	if !ok {
		return badPNG("tRNS of length %d with colour type %d", h.length, c.hdr.color)
	}
	c.stage = pngSeenTRNS
	_, err := c.small(h)
	return err
}

// exif drops an eXIf chunk but keeps its orientation, as for a JPEG.
// Larger chunks than a JPEG's Exif could be are dropped whole.
func (c *pngCleaner) exif(h *chunkHeader) error {
	if h.length > 0xFFFF {
		return c.copy(h, false)
	}
	p := c.buf[:h.length]
	if _, err := io.ReadFull(c.in, p); err != nil {
		return unexpectedEOF(err)
	}
	c.crc.Write(p)
	if err := c.checkCRC(h, false); err != nil {
		return err
	}
	o := exifOrientation(p)
	if o <= 1 || c.orientation {
		return nil
	}
	c.orientation = true
	return c.chunk("eXIf", orientationExif(o)[len("Exif\x00\x00"):])
}

// chunk writes a chunk of its own.
func (c *pngCleaner) chunk(typ string, data []byte) error {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
	_, err := c.out.Write(b)
	return err
}

func (c *pngCleaner) iend(h *chunkHeader) error {
	if c.stage != pngSeenIDAT || h.length != 0 {
		return badPNG("IEND of length %d", h.length)
	}
	if _, err := c.small(h); err != nil {
		return err
	}
	if _, err := c.in.ReadByte(); err != io.EOF {
		if err == nil {
			return badPNG("data after IEND")
		}
		return err
	}
	return nil
}

// idat checks the image data, which starts at h and runs over the IDAT
// chunks that follow it.
func (c *pngCleaner) idat(h *chunkHeader) error {
	if c.stage < pngSeenIHDR || c.stage >= pngSeenIDAT || c.stage == pngSeenIHDR && c.hdr.color == 3 {
		return badPNG("IDAT out of order")
	}
	c.stage = pngSeenIDAT
	if _, err := c.out.Write(h.raw[:]); err != nil {
		return err
	}
	d := &idatReader{c: c, h: h, remaining: h.length, buf: make([]byte, 32<<10)}
	z, err := zlib.NewReader(d)
	if err != nil {
		return badPNG("image data: %v", err)
	}
	rows := newRowCheck(c.hdr)
	for {
		n, err := z.Read(c.buf)
		if err := rows.check(c.buf[:n]); err != nil {
			return err
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			if p := (*problem)(nil); errors.As(err, &p) {
				return err
			}
			return badPNG("image data: %v", err)
		}
	}
	if !rows.done() {
		return badPNG("not enough image data")
	}
	// Only empty IDAT chunks may follow the compressed data.
	switch _, err := d.ReadByte(); err {
	case io.EOF:
		return nil
	case nil:
		return badPNG("data after the compressed image")
	default:
		return err
	}
}

// idatReader presents the data of consecutive IDAT chunks as one stream,
// writing the chunks as it goes. It is an io.ByteReader so that the
// inflater reads no further than the compressed data, and whatever follows
// it is seen.
type idatReader struct {
	c         *pngCleaner
	h         *chunkHeader
	remaining uint32 // unread data of the current chunk
	buf       []byte
	win       []byte // read from the chunk, not yet given to the inflater
	end       bool   // the current chunk is the last IDAT
}

func (d *idatReader) fill() error {
	for len(d.win) == 0 {
		if d.remaining == 0 {
			if d.end {
				return io.EOF
			}
			if err := d.c.checkCRC(d.h, true); err != nil {
				return err
			}
			h, err := d.c.header()
			if err != nil {
				return err
			}
			if h.typ != "IDAT" {
				d.c.pending, d.end = h, true
				return io.EOF
			}
			if _, err := d.c.out.Write(h.raw[:]); err != nil {
				return err
			}
			d.h, d.remaining = h, h.length
			continue
		}
		p := d.buf[:min(int(d.remaining), len(d.buf))]
		if _, err := io.ReadFull(d.c.in, p); err != nil {
			return unexpectedEOF(err)
		}
		d.c.crc.Write(p)
		if _, err := d.c.out.Write(p); err != nil {
			return err
		}
		d.remaining -= uint32(len(p))
		d.win = p
	}
	return nil
}

func (d *idatReader) ReadByte() (byte, error) {
	if err := d.fill(); err != nil {
		return 0, err
	}
	b := d.win[0]
	d.win = d.win[1:]
	return b, nil
}

func (d *idatReader) Read(p []byte) (int, error) {
	if err := d.fill(); err != nil {
		return 0, err
	}
	n := copy(p, d.win)
	d.win = d.win[n:]
	return n, nil
}

// rowCheck follows the inflated image data row by row (pass by pass when
// interlaced) without keeping it.
type rowCheck struct {
	passes []pass
	at     int64 // offset in the current row
}

type pass struct{ rows, rowBytes int64 }

var adam7 = [7][4]int64{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}

func newRowCheck(h pngHeader) *rowCheck {
	bpp := int64(h.bitsPerPixel())
	add := func(r *rowCheck, w, ht int64) {
		if w > 0 && ht > 0 {
			r.passes = append(r.passes, pass{rows: ht, rowBytes: 1 + (bpp*w+7)/8})
		}
	}
	r := &rowCheck{}
	if !h.interlaced {
		add(r, h.width, h.height)
		return r
	}
	for _, p := range adam7 {
		add(r, (h.width-p[0]+p[2]-1)/p[2], (h.height-p[1]+p[3]-1)/p[3])
	}
	return r
}

func (r *rowCheck) check(p []byte) error {
	for len(p) > 0 {
		if len(r.passes) == 0 {
			return badPNG("more image data than rows")
		}
		cur := &r.passes[0]
		if r.at == 0 && p[0] > 4 {
			return badPNG("filter type %d", p[0])
		}
		k := min(int64(len(p)), cur.rowBytes-r.at)
		p = p[k:]
		r.at += k
		if r.at == cur.rowBytes {
			r.at = 0
			if cur.rows--; cur.rows == 0 {
				r.passes = r.passes[1:]
			}
		}
	}
	return nil
}

func (r *rowCheck) done() bool { return len(r.passes) == 0 }
