package evidence

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameRunes bounds a display name: long enough for any real file name,
// short enough for a table cell and every file system.
const maxNameRunes = 80

// defaultStem names a file whose own name has nothing left to show.
const defaultStem = "证据材料"

// SafeName is the name a file is shown and downloaded under. The uploader's
// name is kept as far as it is harmless: no directories (a browser may send
// a full Windows path), no control characters, none of <>:"|?* (which
// Windows refuses in names; each becomes _), no bidi controls (which make
// “exe.pdf” out of “fdp.exe”), no leading dots (hidden files), at most 80
// characters. The extension is the one of the type the content was found to
// be, so a handler's computer opens the file with the right program; a zero
// Type keeps the name's own extension (for refusals of unknown content).
func SafeName(name string, t Type) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError || unicode.IsControl(r) || isBidiControl(r):
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			// Not allowed in a Windows file name, where most handlers
			// save the file; and markup has no business in a name.
			return '_'
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	// Trailing dots and spaces first (Windows drops them from names
	// anyway): “报告.pdf ” used to keep no extension and become
	// “报告.pdf.pdf”.
	name = strings.TrimRightFunc(name, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })

	stem, ext := splitExt(name)
	stem = strings.TrimLeft(stem, ". ")
	stem = strings.TrimRightFunc(stem, unicode.IsSpace)
	switch {
	case t.Ext == "":
	case ext == "":
		ext = t.Ext
	case !sameExt(ext, t.Ext):
		ext = t.Ext
	}
	if stem == "" {
		stem = defaultStem
	}
	if room := maxNameRunes - utf8.RuneCountInString(ext); utf8.RuneCountInString(stem) > room {
		stem = strings.TrimRightFunc(string([]rune(stem)[:room]), unicode.IsSpace)
	}
	return stem + ext
}

// splitExt splits off an extension: a final dot and up to ten ASCII letters
// and digits, at least one a letter, so “2024.03.05” or “第3.5条” keep
// their dots.
func splitExt(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || len(name)-i-1 > 10 || len(name)-i-1 == 0 {
		return name, ""
	}
	letter := false
	for _, c := range []byte(name[i+1:]) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			letter = true
		case '0' <= c && c <= '9':
		default:
			return name, ""
		}
	}
	if !letter {
		return name, ""
	}
	return name[:i], name[i:]
}

func sameExt(a, b string) bool {
	canon := func(e string) string {
		e = strings.ToLower(e)
		if e == ".jpeg" {
			return ".jpg"
		}
		return e
	}
	return canon(a) == canon(b)
}

// isBidiControl reports the characters that reorder text around them
// (embeddings, overrides, isolates and the implicit marks).
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 ||
		r == 0x200E || r == 0x200F || r == 0x061C
}

// ContentDisposition is the header value that makes a browser save a file
// under name: filename* in UTF-8 for every current browser, and an ASCII
// filename for anything older, with what it cannot carry replaced by “_”.
func ContentDisposition(name string) string {
	var ascii, enc strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7F || r == '"' || r == '\\' || r == ';' || r == '%' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	const hex = "0123456789ABCDEF"
	for _, c := range []byte(name) {
		if isAttrChar(c) {
			enc.WriteByte(c)
		} else {
			enc.WriteByte('%')
			enc.WriteByte(hex[c>>4])
			enc.WriteByte(hex[c&15])
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + enc.String()
}

// isAttrChar reports the bytes RFC 5987 lets through unencoded.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
