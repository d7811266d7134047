package evidence

import (
	"mime"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("关于某县医保基金违规使用情况的举报", 10)
	for _, c := range []struct {
		name string
		t    Type
		want string
	}{
		// Directories go, as a browser may send a whole path.
		{`C:\Users\张三\Desktop\举报信.pdf`, typePDF, "举报信.pdf"},
		{"/home/zhang/照片/IMG_0001.jpg", typeJPEG, "IMG_0001.jpg"},
		{"../../etc/passwd", typePDF, "passwd.pdf"},
		{`..\..\boot.ini`, Type{}, "boot.ini"},
		{"dir/", typePDF, "证据材料.pdf"},
		// Control and bidi characters go.
		{"\u202Egpj.exe", typeJPEG, "gpj.jpg"},
		{"report\u202Efdp.exe", Type{}, "reportfdp.exe"},
		{"a\u2066b\u2069c\u200Fd\u061Ce.pdf", typePDF, "abcde.pdf"},
		{"line\r\nbreak\t.pdf", typePDF, "linebreak.pdf"},
		{`<img src=x onerror=alert(1)>"'.pdf`, typePDF, "_img src=x onerror=alert(1)__'.pdf"},
		{"问题?是*什么:|.pdf", typePDF, "问题_是_什么__.pdf"},
		{"全角问号？冒号：保留.pdf", typePDF, "全角问号？冒号：保留.pdf"},
		{"nul\x00\x1b\x7f\u0085.pdf", typePDF, "nul.pdf"},
		{"bad\xff\xfeutf8.pdf", typePDF, "badutf8.pdf"},
		// The extension is the content's.
		{"photo.png", typeJPEG, "photo.jpg"},
		{"photo", typePNG, "photo.png"},
		{"IMG.JPEG", typeJPEG, "IMG.JPEG"},
		{"IMG.jpeg", typeJPEG, "IMG.jpeg"},
		{"scan.PDF", typePDF, "scan.PDF"},
		{"表格.xls", typeXLSX, "表格.xlsx"},
		{"报告.doc", typeDOCX, "报告.docx"},
		{"invoice.pdf.exe", typePDF, "invoice.pdf.pdf"},
		{"data.tar.gz", typeXLSX, "data.tar.xlsx"},
		{"virus.exe", Type{}, "virus.exe"},
		// Dots that are no extension stay.
		{"2024.03.05", typePDF, "2024.03.05.pdf"},
		{"第3.5条", typeDOCX, "第3.5条.docx"},
		{"v1.0 final", typePDF, "v1.0 final.pdf"},
		{"a.verylongextension", typePDF, "a.verylongextension.pdf"},
		// Trailing dots and spaces go (Windows drops them too).
		{"报告.pdf ", typePDF, "报告.pdf"},
		{"报告.pdf.", typePDF, "报告.pdf"},
		{"报告 . ", typePDF, "报告.pdf"},
		// No hidden files and no empty names.
		{"", typePDF, "证据材料.pdf"},
		{"", Type{}, "证据材料"},
		{".", typePDF, "证据材料.pdf"},
		{"..", typeJPEG, "证据材料.jpg"},
		{".pdf", typePDF, "证据材料.pdf"},
		{".bashrc", typePDF, "证据材料.pdf"},
		{"...hidden.png", typePNG, "hidden.png"},
		{"   .jpg", typeJPEG, "证据材料.jpg"},
		{"\u202E", typePDF, "证据材料.pdf"},
		// Chinese and other scripts are kept as they are.
		{"现场照片（1）.jpg", typeJPEG, "现场照片（1）.jpg"},
		{"Заявление №5.docx", typeDOCX, "Заявление №5.docx"},
		{"报告 2024　终稿.pdf", typePDF, "报告 2024　终稿.pdf"},
		// At most 80 characters, the extension included.
		{long + ".pdf", typePDF, string([]rune(long)[:76]) + ".pdf"},
		{strings.Repeat("a", 100) + ".docx", typeDOCX, strings.Repeat("a", 75) + ".docx"},
		{strings.Repeat("好", 75) + "   x.pdf", typePDF, strings.Repeat("好", 75) + ".pdf"},
	} {
		got := SafeName(c.name, c.t)
		if got != c.want {
			t.Errorf("SafeName(%q, %q) = %q, want %q", c.name, c.t.Ext, got, c.want)
		}
		if again := SafeName(got, c.t); again != got {
			t.Errorf("SafeName(%q) = %q, not itself", got, again)
		}
		if n := utf8.RuneCountInString(got); n > maxNameRunes {
			t.Errorf("SafeName(%q) has %d characters", c.name, n)
		}
		for _, r := range got {
			if r == '/' || r == '\\' || unicode.IsControl(r) || isBidiControl(r) || r == utf8.RuneError {
				t.Errorf("SafeName(%q) = %q holds %U", c.name, got, r)
			}
		}
	}
}

func TestContentDisposition(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"report.pdf", `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`},
		{"举报信.pdf", `attachment; filename="___.pdf"; filename*=UTF-8''%E4%B8%BE%E6%8A%A5%E4%BF%A1.pdf`},
		{`a"b\c;d%e f.pdf`, `attachment; filename="a_b_c_d_e f.pdf"; filename*=UTF-8''a%22b%5Cc%3Bd%25e%20f.pdf`},
		{"x\r\nSet-Cookie: a=b.pdf", `attachment; filename="x__Set-Cookie: a=b.pdf"; filename*=UTF-8''x%0D%0ASet-Cookie%3A%20a%3Db.pdf`},
		{"é\x7f'*.jpg", `attachment; filename="__'*.jpg"; filename*=UTF-8''%C3%A9%7F%27%2A.jpg`},
		{"!#$&+-.^_`|~", "attachment; filename=\"!#$&+-.^_`|~\"; filename*=UTF-8''!#$&+-.^_`|~"},
	} {
		got := ContentDisposition(c.name)
		if got != c.want {
			t.Errorf("ContentDisposition(%q)\n got %s\nwant %s", c.name, got, c.want)
		}
	}

	for _, name := range []string{
		"举报信.pdf", `C:\a"b".pdf`, "x\r\nSet-Cookie: a=b.pdf", "\"; filename=evil.exe", "100%.xlsx",
		"现场照片（1）.jpg", "tab\there.png", "quote'single.pdf", "semi;colon.docx", "a\u202Eb.pdf",
		SafeName("\u202E报告\r\n.pdf", typePDF),
	} {
		h := ContentDisposition(name)
		// Only printable ASCII, and quotes only around the fallback name.
		for i := range len(h) {
			if h[i] < 0x20 || h[i] >= 0x7F {
				t.Errorf("ContentDisposition(%q) holds byte %#02x", name, h[i])
			}
		}
		if strings.Count(h, `"`) != 2 || strings.Contains(h, `\`) {
			t.Errorf("ContentDisposition(%q) = %s", name, h)
		}
		// A parser finds the name exactly as given (filename* wins).
		typ, params, err := mime.ParseMediaType(h)
		if err != nil || typ != "attachment" {
			t.Fatalf("ContentDisposition(%q) = %s: %v", name, h, err)
		}
		if params["filename"] != name {
			t.Errorf("ContentDisposition(%q) gives %q", name, params["filename"])
		}
	}
}
