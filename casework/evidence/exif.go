package evidence

import "encoding/binary"

// exifOrientation reads the Orientation tag (0x0112) of IFD0 from the TIFF
// structure inside an Exif segment, or 0 if there is none. The structure
// comes from the uploader: every offset is checked, nothing is trusted.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	ifd := uint64(bo.Uint32(tiff[4:8]))
	if ifd < 8 || ifd+2 > uint64(len(tiff)) {
		return 0
	}
	n := uint64(bo.Uint16(tiff[ifd:]))
	for i := range n {
		e := ifd + 2 + 12*i
		if e+12 > uint64(len(tiff)) {
			return 0
		}
		entry := tiff[e : e+12]
		if bo.Uint16(entry) != 0x0112 {
			continue
		}
		// SHORT, one value, stored in the first two bytes of the field.
		if bo.Uint16(entry[2:]) != 3 || bo.Uint32(entry[4:]) != 1 {
			return 0
		}
		if v := int(bo.Uint16(entry[8:])); v >= 1 && v <= 8 {
			return v
		}
		return 0
	}
	return 0
}

// orientationExif is the payload of an APP1 segment that holds nothing
// but an orientation: an Exif header and a big-endian TIFF structure whose
// only IFD has one entry.
func orientationExif(o int) []byte {
	b := []byte("Exif\x00\x00MM\x00*")
	b = binary.BigEndian.AppendUint32(b, 8) // IFD0 right after the header
	b = binary.BigEndian.AppendUint16(b, 1) // one entry
	b = binary.BigEndian.AppendUint16(b, 0x0112)
	b = binary.BigEndian.AppendUint16(b, 3) // SHORT
	b = binary.BigEndian.AppendUint32(b, 1) // one value
	b = binary.BigEndian.AppendUint16(b, uint16(o))
	b = binary.BigEndian.AppendUint16(b, 0) // padding of the value field
	b = binary.BigEndian.AppendUint32(b, 0) // no next IFD
	return b
}
