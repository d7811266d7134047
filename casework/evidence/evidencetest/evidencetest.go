// Package evidencetest builds the evidence files tests upload, in code, so
// each test shows what its file holds: a valid PDF of any size, and a phone
// photo whose Exif carries a GPS position. Only tests import it.
package evidencetest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
)

// PDF is a one-page PDF with a correct cross-reference table; note is
// written in a comment on the page, so two PDFs can differ.
func PDF(note string) []byte { return PDFOfSize(note, 0) }

// PDFOfSize is PDF padded with comment lines after the header to at least
// n bytes; its cross-reference table stays correct.
func PDFOfSize(note string, n int) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> % " + note,
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	line := "% " + strings.Repeat("举报材料扫描件", 9) + "\n"
	for b.Len()+400 < n {
		b.WriteString(line)
	}
	var offs []int
	for i, o := range objs {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// GPSPointer is the IFD0 entry pointing at the GPS IFD (tag 0x8825, LONG,
// count 1) as PhonePhoto writes it, big-endian: no cleaned photo may hold it.
var GPSPointer = []byte{0x88, 0x25, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01}

// PhonePhoto is a small JPEG like a phone's: an Exif segment whose GPS IFD
// holds the latitude reference and marker (GPSAreaInformation), then the
// image. A cleaned copy must hold neither GPSPointer nor marker.
func PhonePhoto(marker string) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, &jpeg.Options{Quality: 85}); err != nil {
		panic(err) // into memory: cannot fail
	}
	be := binary.BigEndian
	tiff := be.AppendUint32([]byte("MM\x00*"), 8)
	// IFD0 at 8: one entry, the GPS pointer to offset 26.
	tiff = be.AppendUint16(tiff, 1)
	tiff = append(tiff, GPSPointer...)
	tiff = be.AppendUint32(tiff, 26)
	tiff = be.AppendUint32(tiff, 0)
	// GPS IFD at 26: GPSLatitudeRef "N" and GPSAreaInformation (0x001C,
	// UNDEFINED) holding the marker at offset 56.
	tiff = be.AppendUint16(tiff, 2)
	tiff = append(tiff, 0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, 'N', 0, 0, 0)
	tiff = append(tiff, 0x00, 0x1C, 0x00, 0x07)
	tiff = be.AppendUint32(tiff, uint32(len(marker)))
	tiff = be.AppendUint32(tiff, 56)
	tiff = be.AppendUint32(tiff, 0)
	tiff = append(tiff, marker...)
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	b := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	b = append(b, app1...)
	return append(b, enc.Bytes()[2:]...)
}
