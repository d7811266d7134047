package web

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"

	"github.com/gofiber/fiber/v2"
)

// SplicedPage is a page kept as fixed parts with values between them that
// are each response's own (a form's tokens): handlers keeps its forms this
// way. Compressing the whole page per response took most of a form's time
// once its template was no longer executed per request, so each part is
// compressed once, on its own, and a gzip answer is put together per
// response from those parts and the values, which go in uncompressed
// (stored DEFLATE blocks). That also keeps the values out of any
// compression: the length of an answer says nothing about them (BREACH,
// compress.go).
type SplicedPage struct {
	parts    [][]byte
	deflated [][]byte // each part as DEFLATE blocks ending in a sync flush
	size     int      // of the parts
	zsize    int      // of the deflated parts
}

// NewSplicedPage keeps parts, between which each response puts its values.
func NewSplicedPage(parts [][]byte) *SplicedPage {
	p := &SplicedPage{parts: parts}
	var buf bytes.Buffer
	for _, part := range parts {
		buf.Reset()
		// A new compressor per part: no part refers back into another,
		// so the values can go between them.
		fw, _ := flate.NewWriter(&buf, flate.BestCompression)
		_, _ = fw.Write(part)
		_ = fw.Flush() // ends on a byte boundary, no final block
		p.deflated = append(p.deflated, bytes.Clone(buf.Bytes()))
		p.size += len(part)
		p.zsize += buf.Len()
	}
	return p
}

// Body is the page with values[i] between parts i and i+1.
func (p *SplicedPage) Body(values []string) []byte {
	n := p.size
	for _, v := range values {
		n += len(v)
	}
	out := make([]byte, 0, n)
	for i, part := range p.parts {
		out = append(out, part...)
		if i < len(values) && i < len(p.parts)-1 {
			out = append(out, values[i]...)
		}
	}
	return out
}

// gzipHeader is a gzip member's header: no name, no time, unknown OS, as
// compress/gzip writes it.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// Gzip is Body(values) as a gzip member: the parts' kept DEFLATE blocks
// and each value in a stored block, then the final block, the CRC-32 and
// the length.
func (p *SplicedPage) Gzip(values []string) []byte {
	n := len(gzipHeader) + p.zsize + 5 + 8
	for _, v := range values {
		n += 5 + len(v)
	}
	out := make([]byte, 0, n)
	out = append(out, gzipHeader...)
	crc, size := uint32(0), 0
	for i, part := range p.parts {
		out = append(out, p.deflated[i]...)
		crc = crc32.Update(crc, crc32.IEEETable, part)
		size += len(part)
		if i < len(values) && i < len(p.parts)-1 {
			v := values[i]
			for len(v) > 0 {
				chunk := v[:min(len(v), 0xffff)]
				out = appendStoredBlock(out, []byte(chunk), false)
				crc = crc32.Update(crc, crc32.IEEETable, []byte(chunk))
				size += len(chunk)
				v = v[len(chunk):]
			}
		}
	}
	out = appendStoredBlock(out, nil, true)
	out = binary.LittleEndian.AppendUint32(out, crc)
	return binary.LittleEndian.AppendUint32(out, uint32(size))
}

// appendStoredBlock appends a stored (uncompressed) DEFLATE block of b,
// the stream being on a byte boundary: the header bits (BFINAL, BTYPE 00)
// padded to a byte, LEN and its complement, the bytes.
func appendStoredBlock(out, b []byte, final bool) []byte {
	var head byte
	if final {
		head = 1
	}
	out = append(out, head)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(b)))
	out = binary.LittleEndian.AppendUint16(out, ^uint16(len(b)))
	return append(out, b...)
}

// SendSpliced answers c with page and values: gzip put together from the
// kept parts when the client takes gzip at least as gladly as brotli;
// otherwise the page as it is, marked for the compress middleware (which
// then gives brotli to the clients that prefer it). Only for pages that
// may be compressed at all (compress.go).
func (w *Web) SendSpliced(c *fiber.Ctx, page *SplicedPage, values []string) {
	addVary(c, fiber.HeaderAcceptEncoding)
	if page.size >= w.CompressMinBytes &&
		preferredEncoding(c.Get(fiber.HeaderAcceptEncoding), true, true, "gzip") == "gzip" {
		c.Response().SetBodyRaw(page.Gzip(values))
		c.Response().Header.SetContentEncodingBytes(encodGz)
		return
	}
	c.Response().SetBodyRaw(page.Body(values))
	AllowCompression(c)
}
