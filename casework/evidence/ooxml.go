package evidence

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"hash/maphash"
	"io"
	"strings"
	"unicode/utf8"
)

// Limits on a Word or Excel file's archive. A real document stays far
// below them; a zip bomb does not.
const (
	zipMaxEntries = 10_000
	zipMaxTotal   = 200 << 20 // bytes, all entries inflated
	zipRatioFree  = 1 << 20   // an entry may inflate this much at any ratio
	zipMaxRatio   = 100
)

const (
	sigLocal      = 0x04034b50
	sigCentral    = 0x02014b50
	sigEnd        = 0x06054b50
	sigEnd64      = 0x06064b50
	sigLocator64  = 0x07064b50
	sigDescriptor = 0x08074b50
	max16         = 0xFFFF
	max32         = 0xFFFFFFFF
)

// zipCheck reads a .docx or .xlsx (a ZIP archive) front to back, as it
// arrives, without seeking: local entries one after another, inflating
// each one to count and checksum what it really holds (sizes in headers
// are the uploader's claim), then the central directory, which must
// describe exactly the entries read. That last check matters because
// Office opens a file through its central directory: an archive whose
// directory points elsewhere than its entries would show Office content
// that was never checked here.
type zipCheck struct {
	in       *bufio.Reader
	off      int64 // bytes consumed from in
	buf      []byte
	seed     maphash.Seed
	entries  []zipEntry
	byOffset map[uint64]int
	names    map[uint64]bool // lower-case names seen
	total    int64           // bytes inflated so far
	inflater io.ReadCloser
	watch    *wordWatch // set while reading [Content_Types].xml

	hasContentTypes, hasDocument, hasWorkbook bool
}

// zipEntry is what the central directory must repeat about an entry.
type zipEntry struct {
	offset       uint64
	name         uint64 // hash
	crc          uint32
	csize, usize uint64
	method       uint16
	listed       bool
}

// entryData is what an entry turned out to hold.
type entryData struct {
	crc          uint32
	csize, usize uint64
}

func cleanOOXML(r io.Reader, out *output) (Type, error) {
	z := &zipCheck{
		in:       bufio.NewReaderSize(io.TeeReader(r, out), 64<<10),
		buf:      make([]byte, 64<<10),
		seed:     maphash.MakeSeed(),
		byOffset: map[uint64]int{},
		names:    map[uint64]bool{},
	}
	if err := z.run(); err != nil {
		return Type{}, err
	}
	var t Type
	switch {
	case z.hasDocument && !z.hasWorkbook:
		t = typeDOCX
	case z.hasWorkbook && !z.hasDocument:
		t = typeXLSX
	default:
		return Type{}, refuse(reasonUnsupported, "ZIP archive that is neither a Word nor an Excel file")
	}
	if !z.hasContentTypes {
		return Type{}, refuse(reasonZip, "no [Content_Types].xml")
	}
	return t, nil
}

func badZip(format string, args ...any) error { return refuse(reasonZip, format, args...) }

func (z *zipCheck) Read(p []byte) (int, error) {
	n, err := z.in.Read(p)
	z.off += int64(n)
	return n, err
}

func (z *zipCheck) ReadByte() (byte, error) {
	b, err := z.in.ReadByte()
	if err == nil {
		z.off++
	}
	return b, err
}

// full reads n bytes into z.buf.
func (z *zipCheck) full(n int) ([]byte, error) {
	p := z.buf[:n]
	_, err := io.ReadFull(z, p)
	return p, unexpectedEOF(err)
}

func (z *zipCheck) uint32() (uint32, error) {
	p, err := z.full(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(p), nil
}

func (z *zipCheck) skip(n int64) error {
	_, err := io.CopyN(io.Discard, z, n)
	return unexpectedEOF(err)
}

func (z *zipCheck) run() error {
	for {
		sig, err := z.uint32()
		if err != nil {
			return err
		}
		switch sig {
		case sigLocal:
			if err := z.entry(); err != nil {
				return err
			}
		case sigCentral, sigEnd:
			return z.directory(sig)
		default:
			return badZip("signature %#08x at offset %d", sig, z.off-4)
		}
	}
}

// entry reads a local entry, its signature already read.
func (z *zipCheck) entry() error {
	start := uint64(z.off - 4)
	if len(z.entries) == zipMaxEntries {
		return badZip("more than %d entries", zipMaxEntries)
	}
	h, err := z.full(26)
	if err != nil {
		return err
	}
	le := binary.LittleEndian
	flags, method := le.Uint16(h[2:]), le.Uint16(h[4:])
	crc, csize, usize := le.Uint32(h[10:]), uint64(le.Uint32(h[14:])), uint64(le.Uint32(h[18:]))
	nameLen, extraLen := int(le.Uint16(h[22:])), int(le.Uint16(h[24:]))
	if flags&(1|1<<6|1<<13) != 0 {
		return refuse(reasonEncrypted, "encrypted entry at offset %d", start)
	}
	if method != 0 && method != 8 {
		return badZip("compression method %d", method)
	}
	p, err := z.full(nameLen)
	if err != nil {
		return err
	}
	name := string(p)
	extra, err := z.full(extraLen)
	if err != nil {
		return err
	}
	v, ok := zip64Values(extra, usize == max32, csize == max32)
	if !ok {
		return badZip("ZIP64 field of %q", name)
	}
	if usize == max32 {
		usize, v = v[0], v[1:]
	}
	if csize == max32 {
		csize = v[0]
	}
	if err := z.checkName(name); err != nil {
		return err
	}
	descriptor := flags&8 != 0
	if !descriptor && (usize > zipMaxTotal || csize > zipMaxTotal) {
		return badZip("entry %q claims sizes %d/%d", name, csize, usize)
	}

	var got entryData
	switch {
	case method == 8:
		got, err = z.inflate()
		if err == nil && descriptor {
			err = z.descriptor(got)
		}
	case descriptor:
		got, err = z.storedUntilDescriptor()
	default:
		if usize != csize {
			return badZip("stored entry %q of %d bytes claims %d", name, csize, usize)
		}
		got, err = z.stored(csize)
	}
	if err != nil {
		return err
	}
	if z.watch != nil {
		if z.watch.found != "" {
			return refuse(reasonMacro, "[Content_Types].xml mentions %q", z.watch.found)
		}
		z.watch = nil
	}
	if !descriptor && (got.crc != crc || got.csize != csize || got.usize != usize) {
		return badZip("entry %q holds %+v, its header says crc %#x, sizes %d/%d", name, got, crc, csize, usize)
	}
	z.byOffset[start] = len(z.entries)
	z.entries = append(z.entries, zipEntry{offset: start, name: maphash.String(z.seed, name),
		crc: got.crc, csize: got.csize, usize: got.usize, method: method})
	return nil
}

// zip64Values reads the ZIP64 extended information of an extra field:
// the 64-bit values of the fields whose 32-bit ones are all ones, in the
// order the format gives, as flagged by want.
func zip64Values(extra []byte, want ...bool) ([]uint64, bool) {
	n := 0
	for _, w := range want {
		if w {
			n++
		}
	}
	if n == 0 {
		return nil, true
	}
	for len(extra) >= 4 {
		id, size := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if len(extra) < 4+size {
			return nil, false
		}
		data := extra[4 : 4+size]
		extra = extra[4+size:]
		if id != 1 {
			continue
		}
		if len(data) < 8*n {
			return nil, false
		}
		v := make([]uint64, n)
		for i := range v {
			v[i] = binary.LittleEndian.Uint64(data[8*i:])
		}
		return v, true
	}
	return nil, false
}

// checkName refuses names that could write outside a folder when the
// archive is unpacked, or that hide one entry behind another, and notes
// the parts that make the archive a Word or Excel file.
func (z *zipCheck) checkName(name string) error {
	if !safeEntryName(name) {
		return badZip("entry name %q", name)
	}
	lower := strings.ToLower(name)
	h := maphash.String(z.seed, lower)
	if z.names[h] {
		return badZip("second entry named %q", name)
	}
	z.names[h] = true
	if isActivePart(lower) {
		return refuse(reasonMacro, "entry %q", name)
	}
	switch lower {
	case "[content_types].xml":
		z.hasContentTypes = true
		z.watch = &wordWatch{}
	case "word/document.xml":
		z.hasDocument = true
	case "xl/workbook.xml":
		z.hasWorkbook = true
	}
	return nil
}

func safeEntryName(name string) bool {
	if name == "" || !utf8.ValidString(name) || strings.ContainsAny(name, `\:`) || name[0] == '/' {
		return false
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7F || isBidiControl(r) {
			return false
		}
	}
	for part := range strings.SplitSeq(strings.TrimSuffix(name, "/"), "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}

// isActivePart reports parts that hold code: VBA macros, Excel 4.0 macro
// sheets, ActiveX controls, OLE objects (which can wrap any program, and
// the old equation editor's were a favourite exploit), and embedded
// macro-enabled documents.
func isActivePart(lower string) bool {
	base := lower[strings.LastIndexByte(lower, '/')+1:]
	switch {
	case strings.HasPrefix(base, "vbaproject"), strings.HasPrefix(base, "vbadata"),
		strings.HasPrefix(base, "oleobject"),
		strings.Contains("/"+lower, "/activex/"), strings.Contains(lower, "macrosheets/"):
		return true
	}
	for _, ext := range []string{".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppam", ".ppsm", ".sldm"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return false
}

// macroWords in [Content_Types].xml mark a macro-enabled file renamed
// .docx or .xlsx, or one carrying code under a part name not caught above.
var macroWords = [][]byte{[]byte("macroenabled"), []byte("vbaproject"), []byte("macrosheet"), []byte("activex")}

// wordWatch looks for macroWords in a stream, ignoring ASCII case, with a
// fixed buffer.
type wordWatch struct {
	buf   [16 + 32<<10]byte
	n     int // bytes carried over from the previous write
	found string
}

func (w *wordWatch) write(p []byte) {
	for len(p) > 0 && w.found == "" {
		k := copy(w.buf[w.n:], p)
		p = p[k:]
		s := w.buf[:w.n+k]
		for i := w.n; i < len(s); i++ {
			if 'A' <= s[i] && s[i] <= 'Z' {
				s[i] += 'a' - 'A'
			}
		}
		for _, word := range macroWords {
			if bytes.Contains(s, word) {
				w.found = string(word)
				return
			}
		}
		w.n = copy(w.buf[:], s[len(s)-min(len(s), 15):])
	}
}

// inflated accounts for data an entry yielded, compressed the entry's
// compressed bytes so far (0 for a stored entry).
func (z *zipCheck) inflated(e *entryData, p []byte, compressed int64) error {
	e.crc = crc32.Update(e.crc, crc32.IEEETable, p)
	e.usize += uint64(len(p))
	z.total += int64(len(p))
	if z.total > zipMaxTotal {
		return badZip("more than %d bytes inflated", zipMaxTotal)
	}
	if compressed > 0 && e.usize > zipRatioFree && e.usize > zipMaxRatio*uint64(compressed) {
		return badZip("entry inflates %d bytes from %d", e.usize, compressed)
	}
	if z.watch != nil {
		z.watch.write(p)
	}
	return nil
}

// inflate reads a deflated entry. The inflater reads z byte by byte, so it
// stops exactly at the end of the entry's compressed data.
func (z *zipCheck) inflate() (entryData, error) {
	start := z.off
	if z.inflater == nil {
		z.inflater = flate.NewReader(z)
	} else if err := z.inflater.(flate.Resetter).Reset(z, nil); err != nil {
		return entryData{}, err
	}
	var e entryData
	p := z.buf[:32<<10]
	for {
		n, err := z.inflater.Read(p)
		if n > 0 {
			if err := z.inflated(&e, p[:n], max(z.off-start, 1)); err != nil {
				return e, err
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return e, err
		}
	}
	e.csize = uint64(z.off - start)
	return e, nil
}

// stored reads a stored entry of a known size.
func (z *zipCheck) stored(size uint64) (entryData, error) {
	var e entryData
	for size > 0 {
		p, err := z.full(int(min(size, uint64(len(z.buf)))))
		if err != nil {
			return e, err
		}
		if err := z.inflated(&e, p, 0); err != nil {
			return e, err
		}
		size -= uint64(len(p))
	}
	e.csize = e.usize
	return e, nil
}

// descriptor reads the data descriptor after an entry's data and checks
// that it tells the truth. Its signature is optional and its sizes have 4
// or 8 bytes (8 for ZIP64), so each reading that fits is tried.
func (z *zipCheck) descriptor(e entryData) error {
	w, _ := z.in.Peek(24 + 4) // the longest descriptor and the next signature
	if n := matchDescriptor(w, e); n > 0 {
		_, err := z.in.Discard(n)
		z.off += int64(n)
		return err
	}
	return badZip("data descriptor does not match the entry's %d bytes", e.usize)
}

// matchDescriptor returns the length of the data descriptor of e at the
// start of w, or 0 if there is none.
//
// A reading only counts if what follows it in w can follow a descriptor.
// Without that, the 8-byte sizes of an empty entry (all zero but a
// deflated entry's low csize) also read as 4-byte sizes, the 8 bytes left
// over were taken for the next signature, and a valid archive was refused.
func matchDescriptor(w []byte, e entryData) int {
	le := binary.LittleEndian
	for _, sig := range []int{4, 0} {
		if sig > 0 && (len(w) < 4 || le.Uint32(w) != sigDescriptor) {
			continue
		}
		d := w[sig:]
		if len(d) < 12 || le.Uint32(d) != e.crc {
			continue
		}
		if e.csize <= max32 && e.usize <= max32 && le.Uint32(d[4:]) == uint32(e.csize) && le.Uint32(d[8:]) == uint32(e.usize) &&
			afterDescriptor(d[12:]) {
			return sig + 12
		}
		if len(d) >= 20 && le.Uint64(d[4:]) == e.csize && le.Uint64(d[12:]) == e.usize && afterDescriptor(d[20:]) {
			return sig + 20
		}
	}
	return 0
}

// afterDescriptor reports whether w, the bytes after a data descriptor,
// start with what may follow one: the next entry, the central directory or
// an end record. Too few bytes to tell are taken as a yes; the input ends
// there or is read on and checked anyway.
func afterDescriptor(w []byte) bool {
	if len(w) < 4 {
		return true
	}
	switch binary.LittleEndian.Uint32(w) {
	case sigLocal, sigCentral, sigEnd, sigEnd64:
		return true
	}
	return false
}

// storedUntilDescriptor reads a stored entry whose size is only given in
// the data descriptor after it (Go's archive/zip writes entries so): the
// data ends where a descriptor follows that matches it, its CRC-32 and
// twice its length. The central directory check confirms the reading.
func (z *zipCheck) storedUntilDescriptor() (entryData, error) {
	const longest = 24 + 4 // a descriptor with a signature and 8-byte sizes, and the next signature
	var e entryData
	for {
		w, err := z.in.Peek(z.in.Size())
		last := err != nil
		end := len(w) - 12 // the shortest descriptor
		if !last {
			end = len(w) - longest
		}
		crc, at := e.crc, 0
		for j := 0; j <= end; j++ {
			n := e.usize + uint64(j)
			// Either reading of a descriptor has the low half of a size at
			// one of these two places.
			if a, b := binary.LittleEndian.Uint32(w[j+4:]), binary.LittleEndian.Uint32(w[j+8:]); a != uint32(n) && b != uint32(n) {
				continue
			}
			cand := entryData{csize: n, usize: n}
			if !sizesMatch(w[j:], cand) {
				continue
			}
			crc = crc32.Update(crc, crc32.IEEETable, w[at:j])
			at = j
			cand.crc = crc
			if n := matchDescriptor(w[j:], cand); n > 0 {
				if err := z.inflated(&e, w[:j], 0); err != nil {
					return e, err
				}
				e.csize = e.usize
				_, err := z.in.Discard(j + n)
				z.off += int64(j + n)
				return e, err
			}
		}
		if last {
			if err == io.EOF {
				return e, badZip("stored entry without a data descriptor")
			}
			return e, err
		}
		k := end + 1
		if err := z.inflated(&e, w[:k], 0); err != nil {
			return e, err
		}
		if _, err := z.in.Discard(k); err != nil {
			return e, err
		}
		z.off += int64(k)
	}
}

// sizesMatch is the quick part of matchDescriptor: whether a descriptor
// of e's sizes could start at w, whatever its CRC.
func sizesMatch(w []byte, e entryData) bool {
	le := binary.LittleEndian
	for _, sig := range []int{4, 0} {
		if sig > 0 && (len(w) < 4 || le.Uint32(w) != sigDescriptor) {
			continue
		}
		d := w[sig:]
		if len(d) >= 12 && e.usize <= max32 && le.Uint32(d[4:]) == uint32(e.usize) && le.Uint32(d[8:]) == uint32(e.usize) {
			return true
		}
		if len(d) >= 20 && le.Uint64(d[4:]) == e.usize && le.Uint64(d[12:]) == e.usize {
			return true
		}
	}
	return false
}

// directory reads the central directory and the end records, whose first
// signature has been read, and checks them against the entries read.
func (z *zipCheck) directory(sig uint32) error {
	le := binary.LittleEndian
	cdStart := uint64(z.off - 4)
	var listed uint64
	for ; sig == sigCentral; listed++ {
		h, err := z.full(42)
		if err != nil {
			return err
		}
		flags, method, crc := le.Uint16(h[4:]), le.Uint16(h[6:]), le.Uint32(h[12:])
		csize, usize := uint64(le.Uint32(h[16:])), uint64(le.Uint32(h[20:]))
		nameLen, extraLen, commentLen := int(le.Uint16(h[24:])), int(le.Uint16(h[26:])), int64(le.Uint16(h[28:]))
		disk, offset := uint64(le.Uint16(h[30:])), uint64(le.Uint32(h[38:]))
		p, err := z.full(nameLen)
		if err != nil {
			return err
		}
		name := maphash.Bytes(z.seed, p)
		extra, err := z.full(extraLen)
		if err != nil {
			return err
		}
		v, ok := zip64Values(extra, usize == max32, csize == max32, offset == max32)
		if !ok {
			return badZip("ZIP64 field in the central directory")
		}
		for _, f := range []*uint64{&usize, &csize, &offset} {
			if *f == max32 {
				*f, v = v[0], v[1:]
			}
		}
		if err := z.skip(commentLen); err != nil {
			return err
		}
		if flags&(1|1<<6|1<<13) != 0 {
			return refuse(reasonEncrypted, "encrypted central directory entry")
		}
		i, ok := z.byOffset[offset]
		if !ok || z.entries[i].listed {
			return badZip("central directory entry for offset %d", offset)
		}
		e := &z.entries[i]
		if e.name != name || e.crc != crc || e.csize != csize || e.usize != usize || e.method != method || disk != 0 {
			return badZip("central directory entry for offset %d differs from the entry", offset)
		}
		e.listed = true
		if sig, err = z.uint32(); err != nil {
			return err
		}
	}
	cdEnd := uint64(z.off - 4)
	if listed != uint64(len(z.entries)) {
		return badZip("central directory lists %d of %d entries", listed, len(z.entries))
	}
	zip64 := sig == sigEnd64
	if zip64 {
		rec := cdEnd
		h, err := z.full(52)
		if err != nil {
			return err
		}
		size := le.Uint64(h)
		if size < 44 || size > 44+max16 ||
			le.Uint32(h[12:]) != 0 || le.Uint32(h[16:]) != 0 ||
			le.Uint64(h[20:]) != listed || le.Uint64(h[28:]) != listed ||
			le.Uint64(h[36:]) != cdEnd-cdStart || le.Uint64(h[44:]) != cdStart {
			return badZip("ZIP64 end of central directory")
		}
		if err := z.skip(int64(size - 44)); err != nil {
			return err
		}
		if sig, err = z.uint32(); err != nil {
			return err
		}
		if sig != sigLocator64 {
			return badZip("no ZIP64 locator")
		}
		if h, err = z.full(16); err != nil {
			return err
		}
		if le.Uint32(h) != 0 || le.Uint64(h[4:]) != rec || le.Uint32(h[12:]) > 1 {
			return badZip("ZIP64 locator")
		}
		if sig, err = z.uint32(); err != nil {
			return err
		}
	}
	if sig != sigEnd {
		return badZip("signature %#08x after the central directory", sig)
	}
	h, err := z.full(18)
	if err != nil {
		return err
	}
	is := func(v, want, all uint64) bool { return v == want || zip64 && v == all }
	if !is(uint64(le.Uint16(h)), 0, max16) || !is(uint64(le.Uint16(h[2:])), 0, max16) ||
		!is(uint64(le.Uint16(h[4:])), listed, max16) || !is(uint64(le.Uint16(h[6:])), listed, max16) ||
		!is(uint64(le.Uint32(h[8:])), cdEnd-cdStart, max32) || !is(uint64(le.Uint32(h[12:])), cdStart, max32) {
		return badZip("end of central directory")
	}
	if err := z.skip(int64(le.Uint16(h[16:]))); err != nil {
		return err
	}
	switch _, err := z.ReadByte(); err {
	case io.EOF:
		return nil
	case nil:
		return badZip("data after the end of the archive")
	default:
		return err
	}
}
