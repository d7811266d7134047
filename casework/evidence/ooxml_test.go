package evidence

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
)

const (
	refusedZip       = "的内容无法确认安全（压缩内容异常），未能上传。请另存为 PDF 后再试。"
	refusedMacro     = "的内容无法确认安全（含有宏或嵌入对象），未能上传。请另存为 PDF 后再试。"
	refusedEncrypted = "的内容无法确认安全（文件已加密），未能上传。请取消密码或另存为 PDF 后再试。"
)

// withDescriptors gives every entry a data descriptor of the kind given
// (1 with its signature, 2 without).
func withDescriptors(entries []rawEntry, kind int) []rawEntry {
	for i := range entries {
		entries[i].descriptor = kind
	}
	return entries
}

func withZIP64(entries []rawEntry) []rawEntry {
	for i := range entries {
		entries[i].zip64 = true
	}
	return entries
}

func allStored(parts []part) []part {
	for i := range parts {
		parts[i].stored = true
	}
	return parts
}

func TestCleanAcceptsWordAndExcelFilesUnchanged(t *testing.T) {
	type archiveCase struct {
		name string
		data []byte
	}
	variants := func(kind string, parts func() []part) []archiveCase {
		return []archiveCase{
			{kind + " by archive/zip (signed descriptors, stored ones too)", archive(t, parts())},
			{kind + " by archive/zip, all stored", archive(t, allStored(parts()))},
			{kind + " without descriptors", rawZip(rawParts(parts()), rawOptions{})},
			{kind + " with signed descriptors", rawZip(withDescriptors(rawParts(parts()), 1), rawOptions{})},
			{kind + " with unsigned descriptors", rawZip(withDescriptors(rawParts(parts()), 2), rawOptions{})},
			{kind + " stored, with unsigned descriptors", rawZip(withDescriptors(rawParts(allStored(parts())), 2), rawOptions{})},
			{kind + " with ZIP64 entries", rawZip(withZIP64(rawParts(parts())), rawOptions{})},
			{kind + " with ZIP64 entries and end records", rawZip(withZIP64(rawParts(parts())), rawOptions{zip64End: true})},
			{kind + " with ZIP64 end records only", rawZip(rawParts(parts()), rawOptions{zip64End: true})},
			{kind + " with ZIP64 descriptors", rawZip(withZIP64(withDescriptors(rawParts(parts()), 1)), rawOptions{zip64End: true})},
			{kind + " with unsigned ZIP64 descriptors", rawZip(withZIP64(withDescriptors(rawParts(parts()), 2)), rawOptions{})},
			{kind + " with an archive comment", rawZip(rawParts(parts()), rawOptions{comment: "Microsoft Office"})},
			{kind + " with folders and an empty entry", rawZip(append(rawParts(parts()),
				rawEntry{name: "docProps/"}, rawEntry{name: "customXml/empty.xml", descriptor: 2},
				rawEntry{name: "customXml/empty2.xml", deflate: true}), rawOptions{})},
			// Empty entries whose ZIP64 descriptor also reads as one with
			// 4-byte sizes.
			{kind + " with empty entries and ZIP64 descriptors", rawZip(append(rawParts(parts()),
				rawEntry{name: "customXml/a.xml", deflate: true, descriptor: 1, zip64: true},
				rawEntry{name: "customXml/b.xml", descriptor: 1, zip64: true},
				rawEntry{name: "customXml/c.xml", deflate: true, descriptor: 2, zip64: true},
				rawEntry{name: "customXml/d.xml", descriptor: 2, zip64: true},
				rawEntry{name: "customXml/e.xml", data: []byte("e"), descriptor: 2, zip64: true}), rawOptions{zip64End: true})},
		}
	}
	for _, c := range []struct {
		want  Type
		cases []archiveCase
	}{
		{typeDOCX, variants("docx", docxParts)},
		{typeXLSX, variants("xlsx", xlsxParts)},
	} {
		for _, a := range c.cases {
			t.Run(a.name, func(t *testing.T) {
				// The name does not matter, the content does.
				res, out, err := cleanBytes(t, "附件.zip", a.data)
				if err != nil {
					t.Fatal(err)
				}
				if res.Type != c.want {
					t.Errorf("type %v, want %v", res.Type, c.want)
				}
				if !bytes.Equal(out, a.data) {
					t.Errorf("output differs from the input (%d bytes of %d)", len(out), len(a.data))
				}
				// What was accepted opens with archive/zip, as Office
				// opens it, through the central directory.
				zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range zr.File {
					rc, err := f.Open()
					if err != nil {
						t.Fatalf("%s: %v", f.Name, err)
					}
					var b bytes.Buffer
					if _, err := b.ReadFrom(rc); err != nil {
						t.Fatalf("%s: %v", f.Name, err)
					}
				}
			})
		}
	}
}

// bitWriter writes a deflate bit stream.
type bitWriter struct {
	b     []byte
	acc   uint64
	nbits uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.b = append(w.b, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

// huffman writes a fixed Huffman code, most significant bit first.
func (w *bitWriter) huffman(code uint64, n uint) {
	var r uint64
	for i := range n {
		r |= (code >> i & 1) << (n - 1 - i)
	}
	w.bits(r, n)
}

// deflatedZeros is a deflate stream of n zero bytes (n-1 a multiple of
// 258) built by hand: one literal, then copies of 258 bytes at distance 1,
// 13 bits each, so 200 MB takes 1.3 MB and no time to build.
func deflatedZeros(n int) []byte {
	w := &bitWriter{}
	w.bits(1, 1) // last block
	w.bits(1, 2) // fixed Huffman codes
	w.huffman(0x30, 8)
	for range (n - 1) / 258 {
		w.huffman(0xC5, 8) // length code 285: 258 bytes
		w.huffman(0, 5)    // distance code 0: 1 byte back
	}
	w.huffman(0, 7) // end of block
	w.bits(0, 7)
	return w.b
}

// zerosCRC is the CRC-32 of n zero bytes.
func zerosCRC(n int) uint32 {
	zero := make([]byte, 1<<20)
	var crc uint32
	for ; n > 0; n -= len(zero) {
		crc = crc32.Update(crc, crc32.IEEETable, zero[:min(n, len(zero))])
	}
	return crc
}

// rawFile is an entry for rawArchive: a header and data already
// compressed.
type rawFile struct {
	fh   *zip.FileHeader
	data []byte
}

// rawArchive writes parts with archive/zip and then files as they are
// given, already compressed.
func rawArchive(t testing.TB, parts []part, files ...rawFile) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p.data))
	}
	for _, f := range files {
		w, err := zw.CreateRaw(f.fh)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rawDeflated is a deflated entry with true sizes in its headers.
func rawDeflated(name string, compressed []byte, crc uint32, size int) rawFile {
	return rawFile{&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(compressed)), UncompressedSize64: uint64(size)}, compressed}
}

func TestDeflatedZerosInflates(t *testing.T) {
	const n = 1 + 258*1000
	a := rawArchive(t, nil, rawDeflated("z", deflatedZeros(n), zerosCRC(n), n))
	zr, err := zip.NewReader(bytes.NewReader(a), int64(len(a)))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(rc); err != nil || b.Len() != n || bytes.ContainsFunc(b.Bytes(), func(r rune) bool { return r != 0 }) {
		t.Fatalf("got %d bytes, %v", b.Len(), err)
	}
}

func TestCleanRefusesZipBombs(t *testing.T) {
	const bomb = 1 + 258*775_000 // 200 MB of zeros in 1.3 MB
	zeros := deflatedZeros(bomb)
	bombCRC := zerosCRC(bomb)

	// Entries of 1 MB of zeros each are allowed any ratio, but not more
	// than 200 MB of them together.
	const mb = 1 + 258*4064 // just under 1 MB
	mbZeros, mbCRC := deflatedZeros(mb), zerosCRC(mb)
	var many []rawFile
	for i := range zipMaxTotal/mb + 1 {
		many = append(many, rawDeflated(fmt.Sprintf("word/media/zeros%d.bin", i), mbZeros, mbCRC, mb))
	}

	// An archive of more entries than allowed, each empty.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range docxParts() {
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.data))
	}
	for i := range zipMaxEntries {
		if _, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("customXml/item%d.xml", i)}); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	manyEntries := b.Bytes()

	// A stored entry whose header claims more than may be inflated.
	claim := rawZip(rawParts(docxParts()), rawOptions{})
	binary.LittleEndian.PutUint32(claim[18:], 300<<20)
	binary.LittleEndian.PutUint32(claim[22:], 300<<20)

	// A nested archive of a macro-enabled document.
	docm := archive(t, []part{{name: "[Content_Types].xml", data: contentTypesDOCM}, {name: "word/document.xml", data: documentXML}})

	runRefusals(t, []refusalCase{
		{"200 MB of zeros", "x.docx", rawArchive(t, docxParts(), rawDeflated("word/media/image2.png", zeros, bombCRC, bomb)),
			"文件“x.docx”" + refusedZip, "entry inflates"},
		{"200 MB of zeros with a descriptor", "x.docx", rawArchive(t, docxParts(), rawFile{&zip.FileHeader{Name: "word/media/image2.png",
			Method: zip.Deflate, Flags: 8, CRC32: bombCRC, CompressedSize64: uint64(len(zeros)), UncompressedSize64: bomb}, zeros}),
			"文件“x.docx”" + refusedZip, "entry inflates"},
		{"200 MB of zeros as the content types", "x.docx", rawArchive(t, nil, rawDeflated("[Content_Types].xml", zeros, bombCRC, bomb)),
			"文件“x.docx”" + refusedZip, "entry inflates"},
		{"over 200 MB in entries of 1 MB", "x.docx", rawArchive(t, docxParts(), many...),
			"文件“x.docx”" + refusedZip, fmt.Sprintf("more than %d bytes inflated", zipMaxTotal)},
		{"more than 10000 entries", "x.docx", manyEntries, "文件“x.docx”" + refusedZip, "more than 10000 entries"},
		{"a header claiming 300 MB", "x.docx", claim, "文件“x.docx”" + refusedZip, "claims sizes 314572800/314572800"},
		{"a nested macro-enabled document", "x.docx", archive(t, append(docxParts(),
			part{name: "word/embeddings/Microsoft_Word_Document1.docm", data: string(docm), stored: true})),
			"文件“x.docx”" + refusedMacro, "Microsoft_Word_Document1.docm"},
	})
}

func TestCleanRefusesOfficeFilesThatCarryCode(t *testing.T) {
	with := func(base func() []part, extra ...part) []byte { return archive(t, append(base(), extra...)) }
	macro := "文件“x.docx”" + refusedMacro
	macroX := "文件“x.xlsx”" + refusedMacro
	upper := strings.Replace(contentTypesDOCX, "application/xml", "application/vnd.ms-office.VBAPROJECT", 1)
	// The word at the end of 40 KB of content types, past the first
	// buffer the watch reads.
	long := strings.Replace(contentTypesDOCX, "<Default Extension=\"png\"",
		strings.Repeat("<Default Extension=\"x\" ContentType=\"application/octet-stream\"/>", 700)+
			"<Default Extension=\"bin\" ContentType=\"application/vnd.ms-excel.sheet.macroEnabled.main+xml\"/><Default Extension=\"png\"", 1)
	runRefusals(t, []refusalCase{
		{"vbaProject.bin", "x.docx", with(docxParts, part{name: "word/vbaProject.bin", data: "\xD0\xCF\x11\xE0"}), macro, `"word/vbaProject.bin"`},
		{"vbaData.xml", "x.docx", with(docxParts, part{name: "word/vbaData.xml", data: "<wne:vbaSuppData/>"}), macro, "vbaData.xml"},
		{"VBA project in upper case", "x.xlsx", with(xlsxParts, part{name: "xl/VBAPROJECT.BIN", data: "x"}), macroX, "VBAPROJECT.BIN"},
		{"macro-enabled content type", "x.docx", archive(t, []part{{name: "[Content_Types].xml", data: contentTypesDOCM},
			{name: "word/document.xml", data: documentXML}}), macro, `mentions "macroenabled"`},
		{"macro-enabled content type, stored", "x.docx", archive(t, []part{{name: "[Content_Types].xml", data: contentTypesDOCM, stored: true},
			{name: "word/document.xml", data: documentXML}}), macro, `mentions "macroenabled"`},
		{"VBA content type in upper case", "x.docx", rawZip(rawParts(append([]part{{name: "[Content_Types].xml", data: upper}}, docxParts()[1:]...)), rawOptions{}),
			macro, `mentions "vbaproject"`},
		{"macro content type after 40 KB", "x.docx", with(func() []part { return append([]part{{name: "[Content_Types].xml", data: long}}, docxParts()[1:]...) }),
			macro, `mentions "macroenabled"`},
		{"ActiveX control", "x.docx", with(docxParts, part{name: "word/activeX/activeX1.xml", data: "<ax:ocx/>"}), macro, "activeX1.xml"},
		{"ActiveX at the top", "x.docx", with(docxParts, part{name: "activeX/activeX1.bin", data: "x"}), macro, "activeX1.bin"},
		{"OLE object", "x.docx", with(docxParts, part{name: "word/embeddings/oleObject1.bin", data: "\xD0\xCF\x11\xE0", stored: true}), macro, "oleObject1.bin"},
		{"Excel 4.0 macro sheet", "x.xlsx", with(xlsxParts, part{name: "xl/macrosheets/sheet1.xml", data: "<xm:macrosheet/>"}), macroX, "macrosheets"},
		{"embedded macro workbook", "x.xlsx", with(xlsxParts, part{name: "xl/embeddings/Book1.XLSM", data: "PK"}), macroX, "Book1.XLSM"},
		{"embedded add-in", "x.xlsx", with(xlsxParts, part{name: "xl/embeddings/addin.xlam", data: "PK"}), macroX, "addin.xlam"},
	})
}

func TestCleanRefusesEncryptedOfficeFiles(t *testing.T) {
	encrypted := func(flags uint16) []byte {
		e := rawParts(docxParts())
		e[2].flags = flags
		return rawZip(e, rawOptions{})
	}
	runRefusals(t, []refusalCase{
		{"ZipCrypto entry", "x.docx", encrypted(1), "文件“x.docx”" + refusedEncrypted, "encrypted entry at offset"},
		{"strong encryption", "x.docx", encrypted(1 << 6), "文件“x.docx”" + refusedEncrypted, "encrypted entry"},
		{"encrypted central directory", "x.docx", encrypted(1 << 13), "文件“x.docx”" + refusedEncrypted, "encrypted entry"},
		// Office wraps a file with an opening password in an OLE container.
		{"password-protected docx", "报表.xlsx", append(bytes.Clone(oleSignature), make([]byte, 504)...),
			"文件“报表.xlsx”是旧版 Office 格式（.doc、.xls）或设置了打开密码，无法检查内容，未能上传。请另存为 .docx、.xlsx 或 PDF（不设密码）后再试。", "OLE"},
	})
}

func TestCleanRefusesMalformedArchives(t *testing.T) {
	bad := "文件“x.docx”" + refusedZip
	named := func(name string) []byte {
		return rawZip(append(rawParts(docxParts()), rawEntry{name: name, data: []byte("x")}), rawOptions{})
	}
	doc := rawZip(rawParts(docxParts()), rawOptions{})
	patched := func(b []byte, at int, v byte) []byte {
		b = bytes.Clone(b)
		b[at] = v
		return b
	}
	end := bytes.LastIndex(doc, []byte("PK\x05\x06"))
	cd := bytes.Index(doc, []byte("PK\x01\x02"))

	// Data descriptors that lie.
	signed := archive(t, docxParts())
	desc := bytes.Index(signed, []byte("PK\x07\x08"))
	storedDesc := bytes.LastIndex(signed[:bytes.Index(signed, []byte("PK\x01\x02"))], []byte("PK\x07\x08"))

	// A ZIP64 entry whose extra field is not the ZIP64 one.
	z64 := rawZip(withZIP64(rawParts(docxParts())), rawOptions{})
	z64 = patched(z64, 30+len("[Content_Types].xml"), 2)

	z64end := rawZip(rawParts(docxParts()), rawOptions{zip64End: true})
	rec := bytes.LastIndex(z64end, []byte("PK\x06\x06"))
	loc := bytes.LastIndex(z64end, []byte("PK\x06\x07"))

	cdName := rawParts(docxParts())
	cdName[2].cdName = "word/documenT.xml"
	deflatedAsStored := rawParts(docxParts())
	deflatedAsStored[2].method = new(uint16(0))
	bzip2 := rawParts(docxParts())
	bzip2[2].method = new(uint16(12))

	runRefusals(t, []refusalCase{
		{"parent directory", "x.docx", named("../x"), bad, `entry name "../x"`},
		{"parent directory inside", "x.docx", named("word/../../x.xml"), bad, "entry name"},
		{"absolute path", "x.docx", named("/etc/passwd"), bad, `entry name "/etc/passwd"`},
		{"drive letter", "x.docx", named("C:\\Windows\\x.dll"), bad, "entry name"},
		{"drive letter with a slash", "x.docx", named("C:/x.xml"), bad, "entry name"},
		{"backslashes", "x.docx", named("word\\..\\x.xml"), bad, "entry name"},
		{"dot", "x.docx", named("word/./x.xml"), bad, "entry name"},
		{"empty part", "x.docx", named("word//x.xml"), bad, "entry name"},
		{"empty name", "x.docx", named(""), bad, `entry name ""`},
		{"control character", "x.docx", named("word/x\x00.xml"), bad, "entry name"},
		{"bidi control", "x.docx", named("word/\u202Elmx.exe"), bad, "entry name"},
		{"not UTF-8", "x.docx", named("word/\xff.xml"), bad, "entry name"},
		{"same name twice", "x.docx", named("word/document.xml"), bad, `second entry named "word/document.xml"`},
		{"same name in another case", "x.docx", named("WORD/Document.XML"), bad, "second entry named"},
		{"central directory name differs", "x.docx", rawZip(cdName, rawOptions{}), bad, "differs from the entry"},
		{"entry missing from the central directory", "x.docx", rawZip(rawParts(docxParts()), rawOptions{skipCD: 1}), bad, "central directory lists 3 of 4 entries"},
		{"no central directory", "x.docx", doc[:cd], bad, "unexpected EOF"},
		{"cut in an entry", "x.docx", doc[:cd/2], bad, "unexpected EOF"},
		{"cut in the end record", "x.docx", doc[:len(doc)-3], bad, "unexpected EOF"},
		{"trailing garbage", "x.docx", append(bytes.Clone(doc), "garbage"...), bad, "data after the end of the archive"},
		{"trailing zip", "x.docx", append(bytes.Clone(doc), doc...), bad, "data after the end of the archive"},
		{"garbage between entries", "x.docx", append(append(bytes.Clone(doc[:cd]), "junk"...), doc[cd:]...), bad, "signature"},
		{"end record with a wrong count", "x.docx", patched(doc, end+8, 3), bad, "end of central directory"},
		{"end record on another disk", "x.docx", patched(doc, end+4, 1), bad, "end of central directory"},
		{"ZIP64 end record with a wrong count", "x.docx", patched(z64end, rec+24, 9), bad, "ZIP64 end of central directory"},
		{"ZIP64 locator pointing elsewhere", "x.docx", patched(z64end, loc+8, 1), bad, "ZIP64 locator"},
		{"ZIP64 sizes without the ZIP64 field", "x.docx", z64, bad, "ZIP64 field of"},
		{"CRC in the header wrong", "x.docx", patched(doc, 14, doc[14]^1), bad, "its header says"},
		{"stored size in the header wrong", "x.docx", patched(rawZip(rawParts(allStored(docxParts())), rawOptions{}), 18, 1), bad, "claims"},
		{"deflated data marked stored", "x.docx", rawZip(deflatedAsStored, rawOptions{}), bad, "stored entry"},
		{"bzip2", "x.docx", rawZip(bzip2, rawOptions{}), bad, "compression method 12"},
		{"descriptor with a wrong CRC", "x.docx", patched(signed, desc+4, signed[desc+4]^1), bad, "data descriptor does not match"},
		{"stored entry whose descriptor is wrong", "x.docx", patched(signed, storedDesc+4, signed[storedDesc+4]^1), bad, "stored entry without a data descriptor"},
		{"bad deflate data", "x.docx", patched(doc, 30+len("[Content_Types].xml"), 0xFF), bad, "flate"},
	})
}

func TestCleanRefusesArchivesThatAreNotWordOrExcel(t *testing.T) {
	runRefusals(t, []refusalCase{
		{"plain zip", "资料.docx", archive(t, []part{{name: "readme.txt", data: "hello"}, {name: "photos/1.jpg", data: "x"}}),
			"文件“资料.docx”" + unsupported, "neither"},
		{"PowerPoint", "x.docx", archive(t, []part{{name: "[Content_Types].xml", data: contentTypesDOCX}, {name: "ppt/presentation.xml", data: "<p/>"}}),
			"文件“x.docx”" + unsupported, "neither"},
		{"Word and Excel at once", "x.docx", archive(t, append(docxParts(), part{name: "xl/workbook.xml", data: workbookXML})),
			"文件“x.docx”" + unsupported, "neither"},
		{"no content types", "x.docx", archive(t, docxParts()[1:]), "文件“x.docx”" + refusedZip, "no [Content_Types].xml"},
		{"an .odt", "x.docx", archive(t, []part{{name: "mimetype", data: "application/vnd.oasis.opendocument.text", stored: true}, {name: "content.xml", data: "<office:document-content/>"}}),
			"文件“x.docx”" + unsupported, "neither"},
	})
	// The Type, not the name, gives the extension in the message.
	_, _, err := cleanBytes(t, "x.docx", archive(t, append(docxParts()[1:], part{name: "x", data: "y"})))
	if r, ok := IsRefusal(err); !ok || r.File != "x.docx" {
		t.Errorf("got %v", err)
	}
}

// The watch for macro words finds them across the writes they are split
// over, in any case.
func TestWordWatchAcrossWrites(t *testing.T) {
	s := []byte(`<Override ContentType="application/vnd.ms-word.document.MacroEnabled.main+xml"/>`)
	for i := range len(s) + 1 {
		for j := i; j <= len(s); j += 7 {
			w := &wordWatch{}
			w.write(s[:i])
			w.write(s[i:j])
			w.write(s[j:])
			if w.found != "macroenabled" {
				t.Fatalf("split at %d and %d: found %q", i, j, w.found)
			}
		}
	}
	w := &wordWatch{}
	w.write([]byte(contentTypesDOCX))
	w.write(bytes.Repeat([]byte("macro enabled activ ex "), 3000))
	if w.found != "" {
		t.Errorf("found %q in a clean file", w.found)
	}
}
