package evidence

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"testing"
)

const testLimit = 20 << 20

// cleanBytes runs Clean and checks what every success must hold: Size and
// SHA256 describe exactly what was written.
func cleanBytes(t testing.TB, name string, data []byte) (Result, []byte, error) {
	t.Helper()
	var out bytes.Buffer
	res, err := Clean(name, bytes.NewReader(data), &out, testLimit)
	if err != nil {
		return res, out.Bytes(), err
	}
	if res.Size != int64(out.Len()) {
		t.Fatalf("Size %d, wrote %d bytes", res.Size, out.Len())
	}
	if res.SHA256 != sha256.Sum256(out.Bytes()) {
		t.Fatal("SHA256 is not the hash of what was written")
	}
	return res, out.Bytes(), nil
}

// refusalCase is a file Clean must refuse: want is the whole sentence the
// uploader reads, detail a part of the log detail saying which check fired.
type refusalCase struct {
	name   string
	file   string
	data   []byte
	want   string
	detail string
}

func runRefusals(t *testing.T, cases []refusalCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := cleanBytes(t, c.file, c.data)
			r, ok := IsRefusal(err)
			if !ok {
				t.Fatalf("got %v, want a refusal", err)
			}
			if r.Error() != c.want {
				t.Errorf("message\n got %s\nwant %s", r.Error(), c.want)
			}
			if !strings.Contains(r.Detail, c.detail) {
				t.Errorf("detail %q does not mention %q", r.Detail, c.detail)
			}
		})
	}
}

const unsupported = "的类型不受支持。只能上传 PDF、JPEG、PNG、Word（.docx）或 Excel（.xlsx）文件。"

func TestCleanRefusesWhatIsNoAcceptedType(t *testing.T) {
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xFF\xFF"), make([]byte, 100)...)
	runRefusals(t, []refusalCase{
		{"empty file", "空.pdf", nil, "文件“空.pdf”是空文件，未能上传。", "empty"},
		{"PE executable named .pdf", "x.pdf", pe, "文件“x.pdf”" + unsupported, "4d 5a"},
		{"HTML named .png", "a.png", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"),
			"文件“a.png”" + unsupported, "unrecognised"},
		{"ELF binary", "照片.jpg", []byte("\x7fELF\x02\x01\x01\x00\x00\x00"), "文件“照片.jpg”" + unsupported, "7f 45"},
		{"shell script", "说明.pdf", []byte("#!/bin/sh\nrm -rf /\n"), "文件“说明.pdf”" + unsupported, "unrecognised"},
		{"SVG", "图.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "文件“图.png”" + unsupported, "unrecognised"},
		{"GIF", "动图.gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "文件“动图.gif”" + unsupported, "47 49 46"},
		{"short text", "a.txt", []byte("hi"), "文件“a.txt”" + unsupported, "unrecognised"},
		{"empty zip", "a.docx", rawZip(nil, rawOptions{}), "文件“a.docx”" + unsupported, "50 4b 05 06"},
		{"old Word document", "旧文件.doc", append([]byte(oleSignature), make([]byte, 504)...),
			"文件“旧文件.doc”是旧版 Office 格式（.doc、.xls）或设置了打开密码，无法检查内容，未能上传。请另存为 .docx、.xlsx 或 PDF（不设密码）后再试。", "OLE"},
		{"PDF without %%EOF (cut short)", "x.pdf", minimalPDF()[:200], "文件“x.pdf”不是有效的 PDF 文档，未能上传。", "%%EOF"},
		{"PDF whose %%EOF is followed by more than 1 KB", "x.pdf",
			append(minimalPDF(), bytes.Repeat([]byte("appended after the end "), 50)...),
			"文件“x.pdf”不是有效的 PDF 文档，未能上传。", "%%EOF"},
		{"name cleaned in the message", "C:\\Users\\张三\\\u202Egpj.exe", []byte("MZ"),
			"文件“gpj.exe”" + unsupported, "4d 5a"},
	})
}

func TestCleanCopiesPDFUnchanged(t *testing.T) {
	pdf := minimalPDF()
	for _, name := range []string{"举报材料.pdf", "scan.PDF", "no extension", "wrong.docx"} {
		res, out, err := cleanBytes(t, name, pdf)
		if err != nil {
			t.Fatal(err)
		}
		if res.Type != typePDF || !bytes.Equal(out, pdf) {
			t.Errorf("%s: got %v and %d bytes", name, res.Type, len(out))
		}
	}
	// %%EOF may be followed by a little trailing whitespace or an update.
	withTail := append(minimalPDF(), strings.Repeat("\n", 900)...)
	if _, _, err := cleanBytes(t, "x.pdf", withTail); err != nil {
		t.Error(err)
	}
}

// countingReader counts what was read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestCleanRefusesFilesOverTheLimitAndStopsReading(t *testing.T) {
	pdf := minimalPDF()
	limit := int64(len(pdf))
	if _, err := Clean("x.pdf", bytes.NewReader(pdf), io.Discard, limit); err != nil {
		t.Fatalf("a file of exactly the limit: %v", err)
	}

	big := io.MultiReader(bytes.NewReader(pdf), strings.NewReader(strings.Repeat("x", 1<<20)))
	r := &countingReader{r: big}
	_, err := Clean("x.pdf", r, io.Discard, limit)
	ref, ok := IsRefusal(err)
	if !ok || !strings.Contains(ref.Error(), "超过") {
		t.Fatalf("got %v", err)
	}
	if r.n > limit+1 {
		t.Errorf("read %d bytes for a limit of %d", r.n, limit)
	}

	for _, c := range []struct {
		limit int64
		want  string
	}{
		{20 << 20, "文件“x.pdf”超过 20 MB 的大小限制，未能上传。"},
		{1536 << 10, "文件“x.pdf”超过 1.5 MB 的大小限制，未能上传。"},
		{100, "文件“x.pdf”超过 100 字节 的大小限制，未能上传。"},
	} {
		_, err := Clean("x.pdf", io.MultiReader(bytes.NewReader(pdf), zeros{}), io.Discard, c.limit)
		if err == nil || err.Error() != c.want {
			t.Errorf("limit %d: got %v, want %s", c.limit, err, c.want)
		}
	}
	// An unknown type is named as uploaded; one recognised by its start
	// gets its type's extension.
	scan := encodedJPEG(t, 16, 16)
	scan = scan[:len(scan)-2]
	_, err = Clean("a.bin", io.MultiReader(bytes.NewReader(scan), zeros{}), io.Discard, 1<<20)
	if err == nil || err.Error() != "文件“a.jpg”超过 1 MB 的大小限制，未能上传。" {
		t.Errorf("got %v", err)
	}
}

// zeros is an endless input.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type failingReader struct {
	r   io.Reader
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}

type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

func TestCleanTellsABrokenUploadFromABadFile(t *testing.T) {
	broken := errors.New("connection reset by peer")
	files := map[string][]byte{
		"x.pdf":  minimalPDF(),
		"x.jpg":  encodedJPEG(t, 16, 16),
		"x.png":  encodedPNG(t, testImage(8, 8)),
		"x.docx": archive(t, docxParts()),
	}
	for name, data := range files {
		_, err := Clean(name, &failingReader{r: bytes.NewReader(data[:len(data)/2]), err: broken}, io.Discard, testLimit)
		if _, ok := IsRefusal(err); ok || !errors.Is(err, broken) {
			t.Errorf("%s, reader failing: got %v", name, err)
		}
		_, err = Clean(name, bytes.NewReader(data), failingWriter{broken}, testLimit)
		if _, ok := IsRefusal(err); ok || !errors.Is(err, broken) {
			t.Errorf("%s, writer failing: got %v", name, err)
		}
		// A reader that says the upload ended early is a truncated file.
		_, err = Clean(name, &failingReader{r: bytes.NewReader(data[:len(data)/2]), err: io.ErrUnexpectedEOF}, io.Discard, testLimit)
		if _, ok := IsRefusal(err); !ok {
			t.Errorf("%s, cut short: got %v, want a refusal", name, err)
		}
	}
}

func TestTypes(t *testing.T) {
	if len(Types()) != 5 {
		t.Fatalf("%d types", len(Types()))
	}
	for _, want := range Types() {
		got, ok := TypeByMIME(want.MIME)
		if !ok || got != want {
			t.Errorf("TypeByMIME(%q) = %v, %v", want.MIME, got, ok)
		}
	}
	for _, mime := range []string{"", "application/msword", "image/gif", "text/html", "application/zip"} {
		if _, ok := TypeByMIME(mime); ok {
			t.Errorf("TypeByMIME(%q) found a type", mime)
		}
	}
}
