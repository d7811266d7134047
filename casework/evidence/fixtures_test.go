package evidence

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"fundwatch/casework/evidence/evidencetest"
)

// Fixtures are built in code, so each test shows what its file holds.

// testImage is a gradient, so a decoded copy can be compared pixel by pixel.
func testImage(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	return img
}

// encodedJPEG is what Go's encoder writes: SOI, tables, frame, one scan,
// EOI, with no application segments.
func encodedJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// segment is a JPEG marker segment.
func segment(marker byte, payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xFF, marker, byte(n >> 8), byte(n)}, payload...)
}

// Planted metadata: each must be gone after cleaning.
var (
	plantedMake      = "SpyPhone X1 SN#99812"
	plantedXMP       = "<x:xmpmeta><exif:GPSLatitude>39,54.4520N</exif:GPSLatitude></x:xmpmeta>"
	plantedIPTC      = "Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0cZhang San"
	plantedComment   = "拍摄者：张三，朝阳区某街道"
	plantedThumb     = "THUMB!"
	plantedTrailer   = "MotionPhoto_Data" + "\x00\x00\x00\x18ftypmp42"
	plantedLatitude  = []uint32{39, 1, 54, 1, 2712, 100} // 39°54'27.12"
	plantedLongitude = []uint32{116, 1, 23, 1, 4056, 100}
)

type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// tiffEntry is an IFD entry; values longer than four bytes go to data.
type tiffEntry struct {
	tag, typ uint16
	count    uint32
	value    []byte // encoded in the file's byte order
}

// exifTIFF builds a TIFF structure like a phone's: IFD0 with the make,
// the orientation (if not 0) and a pointer to a GPS IFD with latitude and
// longitude.
func exifTIFF(bo byteOrder, orientation int) []byte {
	rationals := func(v []uint32) []byte {
		var b []byte
		for _, x := range v {
			b = bo.AppendUint32(b, x)
		}
		return b
	}
	short := func(v uint16) []byte { return bo.AppendUint16(bo.AppendUint16(nil, v), 0) }
	long := func(v uint32) []byte { return bo.AppendUint32(nil, v) }
	ascii := func(s string) []byte { return append([]byte(s), 0) }

	gps := []tiffEntry{
		{0x0001, 2, 2, ascii("N")},
		{0x0002, 5, 3, rationals(plantedLatitude)},
		{0x0003, 2, 2, ascii("E")},
		{0x0004, 5, 3, rationals(plantedLongitude)},
	}
	ifd0 := []tiffEntry{{0x010F, 2, uint32(len(plantedMake) + 1), ascii(plantedMake)}}
	if orientation != 0 {
		ifd0 = append(ifd0, tiffEntry{0x0112, 3, 1, short(uint16(orientation))})
	}
	ifd0 = append(ifd0, tiffEntry{0x8825, 4, 1, nil}) // offset filled in below

	size := func(entries []tiffEntry) int { return 2 + 12*len(entries) + 4 }
	ifd0At := 8
	gpsAt := ifd0At + size(ifd0)
	dataAt := gpsAt + size(gps)
	ifd0[len(ifd0)-1].value = long(uint32(gpsAt))

	var data []byte
	write := func(b []byte, entries []tiffEntry, next uint32) []byte {
		b = bo.AppendUint16(b, uint16(len(entries)))
		for _, e := range entries {
			b = bo.AppendUint16(b, e.tag)
			b = bo.AppendUint16(b, e.typ)
			b = bo.AppendUint32(b, e.count)
			if len(e.value) <= 4 {
				b = append(b, append(e.value, make([]byte, 4-len(e.value))...)...)
			} else {
				b = bo.AppendUint32(b, uint32(dataAt+len(data)))
				data = append(data, e.value...)
			}
		}
		return bo.AppendUint32(b, next)
	}
	var b []byte
	if bo.String() == binary.BigEndian.String() {
		b = []byte("MM\x00*")
	} else {
		b = []byte("II*\x00")
	}
	b = bo.AppendUint32(b, uint32(ifd0At))
	b = write(b, ifd0, 0)
	b = write(b, gps, 0)
	return append(b, data...)
}

// gpsEntry is how the GPS IFD pointer entry appears in the file.
func gpsEntry(bo byteOrder) []byte {
	b := bo.AppendUint16(nil, 0x8825)
	b = bo.AppendUint16(b, 4)
	return bo.AppendUint32(b, 1)
}

// phoneJPEG is a JPEG the way a phone leaves it: JFIF with a thumbnail,
// Exif with GPS and orientation, XMP, IPTC, a comment, and a trailer after
// the end of the image.
func phoneJPEG(t testing.TB, w, h int, bo byteOrder, orientation int) []byte {
	t.Helper()
	enc := encodedJPEG(t, w, h)
	jfif := []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x02\x01" + plantedThumb)
	var b []byte
	b = append(b, 0xFF, 0xD8)
	b = append(b, segment(0xE0, jfif)...)
	b = append(b, segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF(bo, orientation)...))...)
	b = append(b, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00"+plantedXMP))...)
	b = append(b, segment(0xED, []byte(plantedIPTC))...)
	b = append(b, segment(0xFE, []byte(plantedComment))...)
	b = append(b, enc[2:]...)
	return append(b, plantedTrailer...)
}

// pngChunk is a chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// pngChunks splits a PNG into its chunks (after the signature).
func pngChunks(t testing.TB, b []byte) [][]byte {
	t.Helper()
	if !bytes.HasPrefix(b, pngSignature) {
		t.Fatal("not a PNG")
	}
	var chunks [][]byte
	for b = b[8:]; len(b) > 0; {
		n := 12 + int(binary.BigEndian.Uint32(b))
		chunks = append(chunks, b[:n])
		b = b[n:]
	}
	return chunks
}

func encodedPNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	plantedPNGText = "Author\x00Zhang San, 13800138000"
	plantedPNGXMP  = "XML:com.adobe.xmp\x00\x00\x00\x00\x00" + plantedXMP
	plantedPrivate = "prVt secret note"
)

// screenshotPNG is a PNG carrying every kind of text and metadata chunk
// after its header, and chunks that must stay (pHYs, gAMA).
func screenshotPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	chunks := pngChunks(t, encodedPNG(t, testImage(w, h)))
	b := append([]byte{}, pngSignature...)
	b = append(b, chunks[0]...) // IHDR
	b = append(b, pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F})...)
	b = append(b, pngChunk("tEXt", []byte(plantedPNGText))...)
	b = append(b, pngChunk("zTXt", append([]byte("Comment\x00\x00"), zlibWrap(t, []byte("secret comment"))...))...)
	b = append(b, pngChunk("iTXt", []byte(plantedPNGXMP))...)
	b = append(b, pngChunk("eXIf", exifTIFF(binary.LittleEndian, 6))...)
	b = append(b, pngChunk("tIME", []byte{0x07, 0xE8, 3, 5, 14, 30, 0})...)
	b = append(b, pngChunk("prVt", []byte(plantedPrivate))...)
	b = append(b, pngChunk("pHYs", []byte{0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1})...)
	for _, c := range chunks[1:] {
		b = append(b, c...)
	}
	return b
}

func zlibWrap(t testing.TB, p []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	b.Write([]byte{0x78, 0x01})
	fw, _ := flate.NewWriter(&b, flate.BestSpeed)
	fw.Write(p)
	fw.Close()
	return binary.BigEndian.AppendUint32(b.Bytes(), adler32(p))
}

func adler32(p []byte) uint32 {
	a, b := uint32(1), uint32(0)
	for _, c := range p {
		a = (a + uint32(c)) % 65521
		b = (b + a) % 65521
	}
	return b<<16 | a
}

// minimalPDF is a one-page PDF with a correct cross-reference table.
func minimalPDF() []byte { return evidencetest.PDF("") }

const (
	contentTypesDOCX = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	contentTypesXLSX = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.printerSettings"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	contentTypesDOCM = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>`
	rootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
	documentXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>举报材料：2024 年某县医保基金违规使用情况。</w:t></w:r></w:p></w:body></w:document>`
	workbookXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>`
	sheetXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>金额</t></is></c></row></sheetData></worksheet>`
)

// part is an entry of a test archive.
type part struct {
	name   string
	data   string
	stored bool
}

func docxParts() []part {
	return []part{
		{name: "[Content_Types].xml", data: contentTypesDOCX},
		{name: "_rels/.rels", data: rootRels},
		{name: "word/document.xml", data: documentXML},
		{name: "word/media/image1.png", data: "\x89PNG not really", stored: true},
	}
}

func xlsxParts() []part {
	return []part{
		{name: "[Content_Types].xml", data: contentTypesXLSX},
		{name: "_rels/.rels", data: rootRels},
		{name: "xl/workbook.xml", data: workbookXML},
		{name: "xl/worksheets/sheet1.xml", data: sheetXML},
		{name: "xl/printerSettings/printerSettings1.bin", data: "\x00\x01printer", stored: true},
	}
}

// archive writes parts with archive/zip, which gives every file entry a
// data descriptor (with its signature), stored ones included.
func archive(t testing.TB, parts []part) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		m := zip.Deflate
		if p.stored {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, p.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rawEntry is an entry for rawZip, which writes archives archive/zip
// will not: without or with unsigned data descriptors, ZIP64 records,
// wrong flags, names and directories.
type rawEntry struct {
	name       string
	data       []byte
	deflate    bool
	descriptor int // 0 none, 1 with signature, 2 without
	flags      uint16
	method     *uint16 // overrides the method written
	zip64      bool    // ZIP64 extra fields and sizes in the descriptor
	cdName     string  // the name the central directory gives, if not name
}

type rawOptions struct {
	zip64End bool   // write ZIP64 end records
	comment  string // archive comment
	trailing string // bytes after the end record
	skipCD   int    // leave this many entries out of the central directory
}

func rawZip(entries []rawEntry, opt rawOptions) []byte {
	le := binary.LittleEndian
	var b []byte
	type cd struct {
		e            rawEntry
		off          int
		crc          uint32
		csize, usize int
		method       uint16
	}
	var dir []cd
	for _, e := range entries {
		data := e.data
		method := uint16(0)
		if e.deflate {
			var c bytes.Buffer
			fw, _ := flate.NewWriter(&c, flate.DefaultCompression)
			fw.Write(e.data)
			fw.Close()
			data, method = c.Bytes(), 8
		}
		if e.method != nil {
			method = *e.method
		}
		crc := crc32.ChecksumIEEE(e.data)
		flags := e.flags | 0x800
		if e.descriptor != 0 {
			flags |= 8
		}
		off := len(b)
		b = le.AppendUint32(b, sigLocal)
		b = le.AppendUint16(b, 20)
		b = le.AppendUint16(b, flags)
		b = le.AppendUint16(b, method)
		b = le.AppendUint32(b, 0) // time and date
		var extra []byte
		switch {
		case e.descriptor != 0:
			b = le.AppendUint32(b, 0)
			b = le.AppendUint32(b, 0)
			b = le.AppendUint32(b, 0)
		case e.zip64:
			b = le.AppendUint32(b, crc)
			b = le.AppendUint32(b, max32)
			b = le.AppendUint32(b, max32)
			extra = le.AppendUint16(le.AppendUint16(nil, 1), 16)
			extra = le.AppendUint64(extra, uint64(len(e.data)))
			extra = le.AppendUint64(extra, uint64(len(data)))
		default:
			b = le.AppendUint32(b, crc)
			b = le.AppendUint32(b, uint32(len(data)))
			b = le.AppendUint32(b, uint32(len(e.data)))
		}
		b = le.AppendUint16(b, uint16(len(e.name)))
		b = le.AppendUint16(b, uint16(len(extra)))
		b = append(b, e.name...)
		b = append(b, extra...)
		b = append(b, data...)
		if e.descriptor != 0 {
			if e.descriptor == 1 {
				b = le.AppendUint32(b, sigDescriptor)
			}
			b = le.AppendUint32(b, crc)
			if e.zip64 {
				b = le.AppendUint64(b, uint64(len(data)))
				b = le.AppendUint64(b, uint64(len(e.data)))
			} else {
				b = le.AppendUint32(b, uint32(len(data)))
				b = le.AppendUint32(b, uint32(len(e.data)))
			}
		}
		dir = append(dir, cd{e, off, crc, len(data), len(e.data), method})
	}
	cdStart := len(b)
	n := 0
	for _, d := range dir[:len(dir)-opt.skipCD] {
		name := d.e.name
		if d.e.cdName != "" {
			name = d.e.cdName
		}
		b = le.AppendUint32(b, sigCentral)
		b = le.AppendUint16(b, 45)
		b = le.AppendUint16(b, 20)
		flags := d.e.flags | 0x800
		if d.e.descriptor != 0 {
			flags |= 8
		}
		b = le.AppendUint16(b, flags)
		b = le.AppendUint16(b, d.method)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, d.crc)
		var extra []byte
		if d.e.zip64 {
			b = le.AppendUint32(b, max32)
			b = le.AppendUint32(b, max32)
			extra = le.AppendUint16(le.AppendUint16(nil, 1), 24)
			extra = le.AppendUint64(extra, uint64(d.usize))
			extra = le.AppendUint64(extra, uint64(d.csize))
			extra = le.AppendUint64(extra, uint64(d.off))
		} else {
			b = le.AppendUint32(b, uint32(d.csize))
			b = le.AppendUint32(b, uint32(d.usize))
		}
		b = le.AppendUint16(b, uint16(len(name)))
		b = le.AppendUint16(b, uint16(len(extra)))
		b = le.AppendUint16(b, 0) // comment
		b = le.AppendUint16(b, 0) // disk
		b = le.AppendUint16(b, 0)
		b = le.AppendUint32(b, 0)
		if d.e.zip64 {
			b = le.AppendUint32(b, max32)
		} else {
			b = le.AppendUint32(b, uint32(d.off))
		}
		b = append(b, name...)
		b = append(b, extra...)
		n++
	}
	cdSize := len(b) - cdStart
	if opt.zip64End {
		rec := len(b)
		b = le.AppendUint32(b, sigEnd64)
		b = le.AppendUint64(b, 44)
		b = le.AppendUint16(b, 45)
		b = le.AppendUint16(b, 45)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint64(b, uint64(n))
		b = le.AppendUint64(b, uint64(n))
		b = le.AppendUint64(b, uint64(cdSize))
		b = le.AppendUint64(b, uint64(cdStart))
		b = le.AppendUint32(b, sigLocator64)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint64(b, uint64(rec))
		b = le.AppendUint32(b, 1)
	}
	b = le.AppendUint32(b, sigEnd)
	b = le.AppendUint32(b, 0)
	if opt.zip64End {
		b = le.AppendUint16(b, max16)
		b = le.AppendUint16(b, max16)
		b = le.AppendUint32(b, max32)
		b = le.AppendUint32(b, max32)
	} else {
		b = le.AppendUint16(b, uint16(n))
		b = le.AppendUint16(b, uint16(n))
		b = le.AppendUint32(b, uint32(cdSize))
		b = le.AppendUint32(b, uint32(cdStart))
	}
	b = le.AppendUint16(b, uint16(len(opt.comment)))
	b = append(b, opt.comment...)
	return append(b, opt.trailing...)
}

// rawParts turns parts into rawEntries, deflating all but stored ones.
func rawParts(parts []part) []rawEntry {
	var out []rawEntry
	for _, p := range parts {
		out = append(out, rawEntry{name: p.name, data: []byte(p.data), deflate: !p.stored})
	}
	return out
}
