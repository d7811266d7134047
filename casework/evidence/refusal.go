package evidence

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Refusal is Clean's answer to a file it will not store. Its Error is the
// sentence shown to the uploader; errors that are not refusals (the upload
// broke off, w failed) are the server's or the connection's fault and are
// reported as such instead.
type Refusal struct {
	// File is the file's display name (SafeName), so the sentence never
	// echoes control or bidi characters from an uploader.
	File string
	// Reason is the rest of the sentence after the file name, in Chinese.
	Reason string
	// Detail says in English what exactly failed, for the log only.
	Detail string
}

func (r *Refusal) Error() string { return "文件“" + r.File + "”" + r.Reason }

// IsRefusal tells a refused file apart from a failed upload or store.
func IsRefusal(err error) (*Refusal, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r, true
	}
	return nil, false
}

// Reasons, each the end of a sentence that begins with the file name.
const (
	reasonEmpty       = "是空文件，未能上传。"
	reasonUnsupported = "的类型不受支持。只能上传 PDF、JPEG、PNG、Word（.docx）或 Excel（.xlsx）文件。"
	reasonLegacy      = "是旧版 Office 格式（.doc、.xls）或设置了打开密码，无法检查内容，未能上传。" +
		"请另存为 .docx、.xlsx 或 PDF（不设密码）后再试。"
	reasonZip       = "的内容无法确认安全（压缩内容异常），未能上传。请另存为 PDF 后再试。"
	reasonMacro     = "的内容无法确认安全（含有宏或嵌入对象），未能上传。请另存为 PDF 后再试。"
	reasonEncrypted = "的内容无法确认安全（文件已加密），未能上传。请取消密码或另存为 PDF 后再试。"
	reasonPixels    = "的图片尺寸过大（超过 2 亿像素），未能上传。"
)

func reasonInvalid(t Type) string { return "不是有效的 " + t.Label + "，未能上传。" }

func reasonTooBig(maxBytes int64) string {
	return "超过 " + formatSize(maxBytes) + " 的大小限制，未能上传。"
}

// problem is what the format checks return for a file they refuse; Clean
// turns it into a Refusal naming the file.
type problem struct {
	reason string
	detail string
}

func (p *problem) Error() string { return p.detail }

func refuse(reason, format string, args ...any) error {
	return &problem{reason: reason, detail: fmt.Sprintf(format, args...)}
}

// formatSize writes a byte count the way upload limits are usually stated
// (“20 MB”), counting in binary units as the limits are set.
func formatSize(n int64) string {
	units := []struct {
		size int64
		name string
	}{{1 << 30, "GB"}, {1 << 20, "MB"}, {1 << 10, "KB"}}
	for _, u := range units {
		if n >= u.size {
			if n%u.size == 0 {
				return strconv.FormatInt(n/u.size, 10) + " " + u.name
			}
			v := math.Round(float64(n)/float64(u.size)*10) / 10
			return strconv.FormatFloat(v, 'f', -1, 64) + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " 字节"
}
