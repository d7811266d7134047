package evidence

// Type is a kind of evidence file the portal accepts. Which one a file is
// comes from its bytes alone: a name or a declared Content-Type is what an
// uploader chooses, the content is what a handler's computer will open.
type Type struct {
	MIME  string // the Content-Type to serve it with
	Ext   string // the extension its download name gets, with the dot
	Label string // what it is called in messages (“PDF 文档”)
}

var (
	typePDF  = Type{MIME: "application/pdf", Ext: ".pdf", Label: "PDF 文档"}
	typeJPEG = Type{MIME: "image/jpeg", Ext: ".jpg", Label: "JPEG 图片"}
	typePNG  = Type{MIME: "image/png", Ext: ".png", Label: "PNG 图片"}
	typeDOCX = Type{
		MIME:  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		Ext:   ".docx",
		Label: "Word 文档",
	}
	typeXLSX = Type{
		MIME:  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Ext:   ".xlsx",
		Label: "Excel 表格",
	}
)

// typeNames lists the accepted types the way people know them, for
// refusals and upload hints.
const typeNames = "PDF、JPEG、PNG、Word（.docx）、Excel（.xlsx）"

// Types lists the accepted types, for an upload field's accept attribute
// and for serving a stored file by its recorded MIME type.
func Types() []Type {
	return []Type{typePDF, typeJPEG, typePNG, typeDOCX, typeXLSX}
}

// TypeByMIME finds an accepted type by the MIME type recorded with a file.
func TypeByMIME(mime string) (Type, bool) {
	for _, t := range Types() {
		if t.MIME == mime {
			return t, true
		}
	}
	return Type{}, false
}
