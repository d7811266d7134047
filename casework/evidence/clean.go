package evidence

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
)

// Result describes a file Clean accepted.
type Result struct {
	Type   Type
	Size   int64    // bytes written to w
	SHA256 [32]byte // of the bytes written to w
}

// maxPixels refuses images no camera takes (the largest phone sensors give
// 200 megapixels) but that a small file can declare, so a handler's browser
// is never asked to paint one.
const maxPixels = 200_000_000

var (
	pngSignature = []byte("\x89PNG\r\n\x1a\n")
	// oleSignature starts Office's binary formats (.doc, .xls) and also the
	// container an .docx or .xlsx with an opening password is wrapped in.
	oleSignature = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
)

// Clean reads an uploaded file from r once, decides its type from its
// content and writes what may be kept to w as it reads, so memory stays
// the same whatever the file's size. PDF and Office files are copied
// unchanged once checked; photos lose the metadata that can tell who took
// them and where (Exif with GPS, XMP, IPTC, comments, PNG text chunks),
// except the orientation that keeps them upright.
//
// A file that is refused yields a *Refusal (see IsRefusal) whose message
// names the file by SafeName(name, …); any other error is r or w failing.
// Either way w holds a partial file that the caller must discard.
func Clean(name string, r io.Reader, w io.Writer, maxBytes int64) (Result, error) {
	src := &source{r: r, limit: max(maxBytes, 0)}
	out := &output{w: w, hash: sha256.New()}
	t, err := clean(src, out)
	if err != nil {
		return Result{}, explain(name, t, src, out, maxBytes, err)
	}
	res := Result{Type: t, Size: out.n}
	out.hash.Sum(res.SHA256[:0])
	return res, nil
}

func clean(src *source, out *output) (Type, error) {
	var head [8]byte
	n, err := io.ReadFull(src, head[:])
	switch {
	case err == io.EOF:
		return Type{}, refuse(reasonEmpty, "empty file")
	case err != nil && err != io.ErrUnexpectedEOF:
		return Type{}, err
	}
	h := head[:n]
	in := io.MultiReader(bytes.NewReader(h), src)
	switch {
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return typePDF, cleanPDF(in, out)
	case bytes.HasPrefix(h, []byte{0xFF, 0xD8, 0xFF}):
		return typeJPEG, cleanJPEG(in, out)
	case bytes.Equal(h, pngSignature):
		return typePNG, cleanPNG(in, out)
	case bytes.HasPrefix(h, []byte("PK\x03\x04")):
		return cleanOOXML(in, out)
	case bytes.Equal(h, oleSignature):
		return Type{}, refuse(reasonLegacy, "OLE compound file")
	}
	return Type{}, refuse(reasonUnsupported, "unrecognised content starting % x", h)
}

// explain turns what went wrong into a Refusal, unless the input or the
// output failed, which is no fault of the file.
func explain(name string, t Type, src *source, out *output, maxBytes int64, err error) error {
	switch {
	case src.tooBig:
		return &Refusal{File: SafeName(name, t), Reason: reasonTooBig(maxBytes),
			Detail: fmt.Sprintf("longer than %d bytes", maxBytes)}
	case src.err != nil:
		return fmt.Errorf("evidence: reading %q: %w", SafeName(name, Type{}), src.err)
	case out.err != nil:
		return fmt.Errorf("evidence: writing %q: %w", SafeName(name, Type{}), out.err)
	}
	var p *problem
	if errors.As(err, &p) {
		return &Refusal{File: SafeName(name, t), Reason: p.reason, Detail: p.detail}
	}
	// Anything else is the content ending or breaking where its format
	// does not allow it.
	reason := reasonZip
	if t != (Type{}) {
		reason = reasonInvalid(t)
	}
	return &Refusal{File: SafeName(name, t), Reason: reason, Detail: err.Error()}
}

var errTooBig = errors.New("evidence: input longer than the limit")

// source reads at most one byte beyond the limit, so a refusal for size
// costs no more than the limit, and remembers how the input failed.
type source struct {
	r      io.Reader
	limit  int64
	n      int64
	tooBig bool
	err    error // from r, other than the end of the input
}

func (s *source) Read(p []byte) (int, error) {
	switch {
	case s.tooBig:
		return 0, errTooBig
	case s.err != nil:
		return 0, s.err
	case len(p) == 0:
		return 0, nil
	}
	if room := s.limit + 1 - s.n; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	if s.n > s.limit {
		s.tooBig = true
		return 0, errTooBig
	}
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		s.err = err
	}
	return n, err
}

// output counts and hashes what reaches w and remembers how w failed.
type output struct {
	w    io.Writer
	hash hash.Hash
	n    int64
	err  error
}

func (o *output) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	o.hash.Write(p[:n])
	o.n += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	o.err = err
	return n, err
}
