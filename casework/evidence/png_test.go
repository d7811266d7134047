package evidence

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"testing"
)

func decodePNG(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return img
}

func chunkType(c []byte) string { return string(c[4:8]) }

func chunkTypes(chunks [][]byte) []string {
	var types []string
	for _, c := range chunks {
		types = append(types, chunkType(c))
	}
	return types
}

// pngOf is a PNG made of chunks.
func pngOf(chunks ...[]byte) []byte {
	return bytes.Join(append([][]byte{pngSignature}, chunks...), nil)
}

func ihdrChunk(w, h uint32, depth, colorType, interlace byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, w)
	b = binary.BigEndian.AppendUint32(b, h)
	return pngChunk("IHDR", append(b, depth, colorType, 0, 0, interlace))
}

// checkCleanedPNGChunks fails if a cleaned PNG holds a chunk Clean must
// drop; an eXIf chunk may only hold an orientation other than 1.
func checkCleanedPNGChunks(t testing.TB, chunks [][]byte) {
	t.Helper()
	for _, c := range chunks {
		typ := chunkType(c)
		switch {
		case typ == "IHDR", typ == "PLTE", typ == "IDAT", typ == "IEND", pngKept[typ]:
		case typ == "eXIf":
			data := c[8 : len(c)-4]
			o := exifOrientation(data)
			if o <= 1 || !bytes.Equal(data, orientationExif(o)[6:]) {
				t.Errorf("eXIf holds more than an orientation: % x", data)
			}
		default:
			t.Errorf("chunk %q kept", typ)
		}
	}
}

func TestCleanPNGRemovesTextAndMetadataChunks(t *testing.T) {
	const w, h = 33, 17
	in := screenshotPNG(t, w, h)
	res, out, err := cleanBytes(t, "截图.png", in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Type != typePNG {
		t.Errorf("type %v", res.Type)
	}
	chunks := pngChunks(t, out)
	checkCleanedPNGChunks(t, chunks)
	got := fmt.Sprint(chunkTypes(chunks))
	// The orientation (6) of the eXIf chunk comes back in one of its own.
	if want := "[IHDR gAMA eXIf pHYs IDAT IEND]"; got != want {
		t.Errorf("chunks %s, want %s", got, want)
	}
	for _, c := range chunks {
		if chunkType(c) == "eXIf" {
			if o := exifOrientation(c[8 : len(c)-4]); o != 6 {
				t.Errorf("orientation %d, want 6", o)
			}
		}
	}
	// Kept chunks are copied unchanged.
	inChunks := pngChunks(t, in)
	for _, typ := range []string{"IHDR", "gAMA", "pHYs", "IDAT", "IEND"} {
		for _, c := range inChunks {
			if chunkType(c) == typ && !bytes.Contains(out, c) {
				t.Errorf("chunk %s changed", typ)
			}
		}
	}
	for _, s := range []string{plantedPNGText, plantedPNGXMP, plantedXMP, plantedPrivate, plantedMake, "Zhang San", "Comment\x00"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("output still holds %q", s)
		}
	}
	for _, s := range [][]byte{gpsEntry(binary.LittleEndian), rationalBytes(binary.LittleEndian, plantedLatitude)} {
		if bytes.Contains(out, s) {
			t.Errorf("output still holds GPS bytes % x", s)
		}
	}
	samePixels(t, decodePNG(t, encodedPNG(t, testImage(w, h))), decodePNG(t, out))
}

// Files of other encoders (pngsuite and Go's tests): interlaced, paletted
// with transparency, 1-bit and 16-bit, with text after the image data.
func TestCleanPNGKeepsTheImage(t *testing.T) {
	for _, c := range []struct {
		file, chunks string
	}{
		{"gray1.png", "[IHDR gAMA IDAT IEND]"},
		{"rgba16.png", "[IHDR gAMA IDAT IEND]"},
		{"paletted-trns.png", "[IHDR gAMA PLTE tRNS IDAT IEND]"},
		{"interlaced-gray.png", "[IHDR gAMA bKGD pHYs IDAT IEND]"},
		{"interlaced-paletted.png", "[IHDR PLTE pHYs IDAT IEND]"},
	} {
		t.Run(c.file, func(t *testing.T) {
			in, err := os.ReadFile("testdata/" + c.file)
			if err != nil {
				t.Fatal(err)
			}
			_, out, err := cleanBytes(t, c.file, in)
			if err != nil {
				t.Fatal(err)
			}
			chunks := pngChunks(t, out)
			if got := fmt.Sprint(chunkTypes(chunks)); got != c.chunks {
				t.Errorf("chunks %s, want %s", got, c.chunks)
			}
			samePixels(t, decodePNG(t, in), decodePNG(t, out))
		})
	}

	// Image data split over several IDAT chunks, the last one empty, and a
	// paletted image Go's encoder writes with PLTE and tRNS.
	pal := image.NewPaletted(image.Rect(0, 0, 20, 10), color.Palette{color.NRGBA{0, 0, 0, 0}, color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 128}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 3)
	}
	for name, in := range map[string][]byte{
		"split IDAT": splitIDAT(t, encodedPNG(t, testImage(50, 40)), 7),
		"paletted":   encodedPNG(t, pal),
	} {
		_, out, err := cleanBytes(t, "a.png", in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(out, in) {
			t.Errorf("%s: changed", name)
		}
		samePixels(t, decodePNG(t, in), decodePNG(t, out))
	}
}

// splitIDAT rewrites a PNG with its image data in chunks of at most n
// bytes followed by an empty IDAT.
func splitIDAT(t testing.TB, b []byte, n int) []byte {
	t.Helper()
	chunks := pngChunks(t, b)
	var data []byte
	out := [][]byte{chunks[0]}
	for _, c := range chunks[1:] {
		if chunkType(c) == "IDAT" {
			data = append(data, c[8:len(c)-4]...)
		}
	}
	for len(data) > 0 {
		k := min(n, len(data))
		out = append(out, pngChunk("IDAT", data[:k]))
		data = data[k:]
	}
	out = append(out, pngChunk("IDAT", nil), chunks[len(chunks)-1])
	return pngOf(out...)
}

// A large eXIf chunk (up to the 64 KB of a JPEG's Exif) still gives its
// orientation; a larger one is dropped whole.
func TestCleanPNGReadsTheOrientationOfLargeExif(t *testing.T) {
	chunks := pngChunks(t, encodedPNG(t, testImage(8, 8)))
	for _, c := range []struct {
		size int
		want string
	}{{1000, "[IHDR eXIf IDAT IEND]"}, {40000, "[IHDR eXIf IDAT IEND]"}, {0xFFFF, "[IHDR eXIf IDAT IEND]"}, {0x10000, "[IHDR IDAT IEND]"}} {
		exif := exifTIFF(binary.BigEndian, 8)
		exif = append(exif, make([]byte, c.size-len(exif))...)
		in := pngOf(append([][]byte{chunks[0], pngChunk("eXIf", exif)}, chunks[1:]...)...)
		_, out, err := cleanBytes(t, "a.png", in)
		if err != nil {
			t.Fatalf("eXIf of %d bytes: %v", c.size, err)
		}
		got := pngChunks(t, out)
		checkCleanedPNGChunks(t, got)
		if s := fmt.Sprint(chunkTypes(got)); s != c.want {
			t.Errorf("eXIf of %d bytes: chunks %s, want %s", c.size, s, c.want)
		}
	}
}

func TestCleanPNGRefusesBrokenFiles(t *testing.T) {
	const invalid = "文件“x.png”不是有效的 PNG 图片，未能上传。"
	chunks := pngChunks(t, encodedPNG(t, testImage(8, 8)))
	ihdr, idat, iend := chunks[0], chunks[1], chunks[len(chunks)-1]
	if len(chunks) != 3 {
		t.Fatalf("chunks %v", chunkTypes(chunks))
	}
	badCRC := func(c []byte) []byte {
		c = bytes.Clone(c)
		c[len(c)-1] ^= 1
		return c
	}
	// A 4×4 8-bit grey image takes 4 rows of a filter byte and 4 pixels.
	gray := ihdrChunk(4, 4, 8, 0, 0)
	rows := func(n int, filter byte) []byte {
		b := make([]byte, n)
		for i := 0; i < n; i += 5 {
			b[i] = filter
		}
		return pngChunk("IDAT", zlibWrap(t, b))
	}
	idatData := idat[8 : len(idat)-4]
	gAMA := pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F})
	plte := pngChunk("PLTE", []byte{0, 0, 0, 255, 255, 255})
	huge := binary.BigEndian.AppendUint32(nil, 1<<31)
	huge = append(huge, "tEXt"...)

	runRefusals(t, []refusalCase{
		{"bad CRC in IHDR", "x.png", pngOf(badCRC(ihdr), idat, iend), invalid, `CRC of chunk "IHDR"`},
		{"bad CRC in IDAT", "x.png", pngOf(ihdr, badCRC(idat), iend), invalid, `CRC of chunk "IDAT"`},
		{"bad CRC in IEND", "x.png", pngOf(ihdr, idat, badCRC(iend)), invalid, `CRC of chunk "IEND"`},
		{"bad CRC in a dropped chunk", "x.png", pngOf(ihdr, badCRC(pngChunk("tEXt", []byte(plantedPNGText))), idat, iend), invalid, `CRC of chunk "tEXt"`},
		{"bad CRC in a kept chunk", "x.png", pngOf(ihdr, badCRC(gAMA), idat, iend), invalid, `CRC of chunk "gAMA"`},
		{"bad CRC in eXIf", "x.png", pngOf(ihdr, badCRC(pngChunk("eXIf", exifTIFF(binary.BigEndian, 6))), idat, iend), invalid, `CRC of chunk "eXIf"`},
		{"only the signature", "x.png", pngSignature, invalid, "unexpected EOF"},
		{"no IEND", "x.png", pngOf(ihdr, idat), invalid, "unexpected EOF"},
		{"IEND cut short", "x.png", pngOf(ihdr, idat, iend[:8]), invalid, "unexpected EOF"},
		{"IDAT cut short", "x.png", pngOf(ihdr, idat[:len(idat)/2]), invalid, "image data: unexpected EOF"},
		{"IDAT without its CRC", "x.png", pngOf(ihdr, idat[:len(idat)-4]), invalid, "unexpected EOF"},
		{"no IDAT", "x.png", pngOf(ihdr, iend), invalid, "IEND of length 0"},
		{"IEND with data", "x.png", pngOf(ihdr, idat, pngChunk("IEND", []byte{0})), invalid, "IEND of length 1"},
		{"chunk after IEND", "x.png", pngOf(ihdr, idat, iend, gAMA), invalid, "data after IEND"},
		{"one byte after IEND", "x.png", append(pngOf(ihdr, idat, iend), 0), invalid, "data after IEND"},
		{"chunk before IHDR", "x.png", pngOf(gAMA, ihdr, idat, iend), invalid, `"gAMA" before IHDR`},
		{"second IHDR", "x.png", pngOf(ihdr, ihdr, idat, iend), invalid, "second IHDR"},
		{"IHDR of 12 bytes", "x.png", pngOf(pngChunk("IHDR", ihdr[8:20]), idat, iend), invalid, "IHDR of length 12"},
		{"zero width", "x.png", pngOf(ihdrChunk(0, 8, 8, 2, 0), idat, iend), invalid, "size 0×8"},
		{"negative height", "x.png", pngOf(ihdrChunk(8, 1<<31, 8, 2, 0), idat, iend), invalid, "size 8×-2147483648"},
		{"bad compression method", "x.png", pngOf(pngChunk("IHDR", []byte{0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 1, 0, 0}), idat, iend), invalid, "compression 1"},
		{"bad interlace method", "x.png", pngOf(ihdrChunk(8, 8, 8, 2, 2), idat, iend), invalid, "interlace 2"},
		{"RGB of 4 bits", "x.png", pngOf(ihdrChunk(8, 8, 4, 2, 0), idat, iend), invalid, "bit depth 4 with colour type 2"},
		{"colour type 5", "x.png", pngOf(ihdrChunk(8, 8, 8, 5, 0), idat, iend), invalid, "bit depth 8 with colour type 5"},
		{"over 200 megapixels", "x.png", pngOf(ihdrChunk(20000, 10001, 8, 2, 0), idat, iend),
			"文件“x.png”的图片尺寸过大（超过 2 亿像素），未能上传。", "size 20000×10001"},
		{"over 200 megapixels, 1 bit", "x.png", pngOf(ihdrChunk(1<<31-1, 1<<31-1, 1, 0, 0), idat, iend),
			"文件“x.png”的图片尺寸过大（超过 2 亿像素），未能上传。", "size 2147483647×2147483647"},
		{"unknown critical chunk", "x.png", pngOf(ihdr, pngChunk("ABCD", nil), idat, iend), invalid, `unknown critical chunk "ABCD"`},
		{"chunk type not letters", "x.png", pngOf(ihdr, pngChunk("ab1d", nil), idat, iend), invalid, "chunk type 61 62 31 64"},
		{"chunk length over 2³¹-1", "x.png", pngOf(ihdr, huge), invalid, `chunk "tEXt" of length 2147483648`},
		{"dropped chunk cut short", "x.png", pngOf(ihdr, pngChunk("tEXt", []byte(plantedPNGText))[:20]), invalid, "unexpected EOF"},
		{"PLTE with grey", "x.png", pngOf(gray, plte, rows(20, 0), iend), invalid, "PLTE with colour type 0"},
		{"PLTE after IDAT", "x.png", pngOf(ihdr, idat, plte, iend), invalid, "PLTE out of order"},
		{"PLTE not of whole entries", "x.png", pngOf(ihdrChunk(4, 4, 8, 3, 0), pngChunk("PLTE", []byte{1, 2, 3, 4}), rows(20, 0), iend), invalid, "PLTE of length 4"},
		{"PLTE longer than the depth allows", "x.png", pngOf(ihdrChunk(4, 4, 1, 3, 0), pngChunk("PLTE", make([]byte, 9)), rows(20, 0), iend), invalid, "PLTE of length 9"},
		{"paletted without PLTE", "x.png", pngOf(ihdrChunk(4, 4, 8, 3, 0), rows(20, 0), iend), invalid, "IDAT out of order"},
		{"tRNS of the wrong length", "x.png", pngOf(gray, pngChunk("tRNS", []byte{0, 0, 0}), rows(20, 0), iend), invalid, "tRNS of length 3 with colour type 0"},
		{"tRNS with alpha", "x.png", pngOf(ihdrChunk(4, 4, 8, 6, 0), pngChunk("tRNS", make([]byte, 6)), rows(20, 0), iend), invalid, "tRNS of length 6 with colour type 6"},
		{"tRNS after IDAT", "x.png", pngOf(gray, rows(20, 0), pngChunk("tRNS", []byte{0, 0}), iend), invalid, "tRNS of length 2 with colour type 0"},
		{"second image data", "x.png", pngOf(ihdr, idat, gAMA, idat, iend), invalid, "IDAT out of order"},
		{"fewer rows than IHDR says", "x.png", pngOf(gray, rows(15, 0), iend), invalid, "not enough image data"},
		{"more rows than IHDR says", "x.png", pngOf(gray, rows(25, 0), iend), invalid, "more image data than rows"},
		{"a short last row", "x.png", pngOf(gray, rows(19, 0), iend), invalid, "not enough image data"},
		{"taller IHDR", "x.png", pngOf(ihdrChunk(8, 9, 8, 2, 0), idat, iend), invalid, "not enough image data"},
		{"narrower IHDR", "x.png", pngOf(ihdrChunk(7, 8, 8, 2, 0), idat, iend), invalid, "filter type"},
		{"interlaced IHDR for plain rows", "x.png", pngOf(ihdrChunk(8, 8, 8, 2, 1), idat, iend), invalid, "filter type"},
		{"filter type 5", "x.png", pngOf(gray, rows(20, 5), iend), invalid, "filter type 5"},
		{"not zlib", "x.png", pngOf(gray, pngChunk("IDAT", []byte("not zlib data")), iend), invalid, "image data: zlib"},
		{"bad zlib checksum", "x.png", pngOf(ihdr, pngChunk("IDAT", append(bytes.Clone(idatData[:len(idatData)-1]), idatData[len(idatData)-1]^1)), iend),
			invalid, "image data: zlib: invalid checksum"},
		{"data after the compressed image", "x.png", pngOf(ihdr, pngChunk("IDAT", append(bytes.Clone(idatData), 0)), iend), invalid, "data after the compressed image"},
		{"IDAT after the compressed image", "x.png", pngOf(ihdr, idat, pngChunk("IDAT", []byte{0}), iend), invalid, "data after the compressed image"},
		{"named as something else", "x.jpg", pngOf(ihdr, idat), "文件“x.png”不是有效的 PNG 图片，未能上传。", "unexpected EOF"},
	})
}
