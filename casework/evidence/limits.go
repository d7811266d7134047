package evidence

import "fmt"

// Limits bound what one complaint may carry, so a single case cannot fill
// the blob store and a handler can still read everything attached.
type Limits struct {
	MaxFiles     int
	MaxFileBytes int64
	MaxCaseBytes int64
}

// DefaultLimits fits a dozen phone photos and scanned documents; larger
// material is better delivered in person.
func DefaultLimits() Limits {
	return Limits{MaxFiles: 10, MaxFileBytes: 20 << 20, MaxCaseBytes: 100 << 20}
}

// Describe is the hint under an upload field. It says that location data
// is removed from photos, because people hesitate to send phone photos
// otherwise, and that documents are kept as they are: a PDF's or an Office
// file's properties may name its author, and only the uploader can know
// whether that matters.
func (l Limits) Describe() string {
	return fmt.Sprintf("可上传 %s文件，最多 %d 个，每个不超过 %s，合计不超过 %s。照片中的拍摄位置等信息会在上传时清除；"+
		"PDF、Word、Excel 文件按原样保存，其文件属性中可能带有作者姓名，匿名反映的请先删除。",
		typeNames, l.MaxFiles, formatSize(l.MaxFileBytes), formatSize(l.MaxCaseBytes))
}

// SizeText writes a size the way the limits are stated (“20 MB”,
// “1.5 MB”), for messages about them.
func SizeText(n int64) string { return formatSize(n) }
