package evidence

import (
	"bytes"
	"io"
)

// pdfTail is how close to the end a PDF's %%EOF must be (readers look
// there for the cross-reference table).
const pdfTail = 1024

// cleanPDF copies a PDF unchanged. It checks only the frame (header and
// end marker): that catches another file renamed .pdf and an upload cut
// short, and parsing a PDF's objects is the viewer's job.
func cleanPDF(in io.Reader, out *output) error {
	var tail tailBuffer
	if _, err := io.Copy(io.MultiWriter(out, &tail), in); err != nil {
		return err
	}
	if !bytes.Contains(tail.bytes(), []byte("%%EOF")) {
		return refuse(reasonInvalid(typePDF), "no %%%%EOF in the last %d bytes", pdfTail)
	}
	return nil
}

// tailBuffer keeps the last pdfTail bytes written to it.
type tailBuffer struct {
	buf    [pdfTail]byte
	pos    int // where the next byte goes
	filled int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > len(t.buf) {
		p = p[len(p)-len(t.buf):]
	}
	for len(p) > 0 {
		k := copy(t.buf[t.pos:], p)
		p = p[k:]
		t.pos = (t.pos + k) % len(t.buf)
		t.filled = min(t.filled+k, len(t.buf))
	}
	return n, nil
}

func (t *tailBuffer) bytes() []byte {
	if t.filled < len(t.buf) {
		return t.buf[:t.filled]
	}
	return append(append([]byte(nil), t.buf[t.pos:]...), t.buf[:t.pos]...)
}
