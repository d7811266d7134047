package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"image/png"
	"os"
	"strings"
	"testing"
	"unicode"
)

// fuzzSeeds is every fixture, small enough for the fuzzer to mutate.
func fuzzSeeds(t testing.TB) [][]byte {
	t.Helper()
	var seeds [][]byte
	for _, bo := range []byteOrder{binary.BigEndian, binary.LittleEndian} {
		for _, o := range []int{0, 1, 6, 8} {
			seeds = append(seeds, phoneJPEG(t, 16, 8, bo, o))
		}
	}
	seeds = append(seeds,
		encodedJPEG(t, 16, 16),
		screenshotPNG(t, 9, 5),
		encodedPNG(t, testImage(8, 8)),
		minimalPDF(),
		archive(t, docxParts()),
		archive(t, xlsxParts()),
		archive(t, allStored(docxParts())),
		rawZip(rawParts(docxParts()), rawOptions{}),
		rawZip(withDescriptors(rawParts(xlsxParts()), 1), rawOptions{}),
		rawZip(withDescriptors(rawParts(docxParts()), 2), rawOptions{comment: "c"}),
		rawZip(withZIP64(rawParts(docxParts())), rawOptions{zip64End: true}),
		rawZip(withZIP64(withDescriptors(rawParts(xlsxParts()), 2)), rawOptions{}),
		rawZip(rawParts(docxParts()), rawOptions{skipCD: 1, trailing: "x"}),
		archive(t, []part{{name: "[Content_Types].xml", data: contentTypesDOCM}, {name: "word/document.xml", data: documentXML}}),
		append(bytes.Clone(oleSignature), make([]byte, 56)...),
		nil,
	)
	for _, name := range []string{"progressive.jpeg", "restart.jpeg", "gray1.png", "interlaced-gray.png",
		"interlaced-paletted.png", "paletted-trns.png"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

var reasons = []string{reasonEmpty, reasonUnsupported, reasonLegacy, reasonZip, reasonMacro, reasonEncrypted, reasonPixels,
	reasonTooBig(fuzzLimit), reasonInvalid(typePDF), reasonInvalid(typeJPEG), reasonInvalid(typePNG)}

const fuzzLimit = 1 << 20

var planted = []string{plantedMake, plantedXMP, plantedIPTC, plantedComment, plantedThumb, plantedTrailer,
	plantedPNGText, plantedPNGXMP, plantedPrivate}

func FuzzClean(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		res, err := Clean("证据\u202E.jpg", bytes.NewReader(in), &out, fuzzLimit)
		if err != nil {
			// Neither the reader nor the writer can fail: every error is
			// the file's.
			r, ok := IsRefusal(err)
			if !ok {
				t.Fatalf("not a refusal: %v", err)
			}
			known := false
			for _, reason := range reasons {
				known = known || r.Reason == reason
			}
			if !known || strings.ContainsFunc(r.File, func(c rune) bool { return unicode.IsControl(c) || isBidiControl(c) }) {
				t.Fatalf("refusal %q (%s)", r.Error(), r.Detail)
			}
			return
		}
		b := out.Bytes()
		if res.Size != int64(len(b)) || res.SHA256 != sha256.Sum256(b) {
			t.Fatalf("result %d bytes %x, wrote %d bytes %x", res.Size, res.SHA256, len(b), sha256.Sum256(b))
		}
		switch res.Type {
		case typeJPEG:
			checkCleanedJPEG(t, b)
		case typePNG:
			checkCleanedPNG(t, b)
		case typePDF, typeDOCX, typeXLSX:
			if !bytes.Equal(b, in) {
				t.Fatalf("%s changed", res.Type.Label)
			}
		default:
			t.Fatalf("type %v", res.Type)
		}

		// Cleaning is idempotent.
		var again bytes.Buffer
		res2, err := Clean("x", bytes.NewReader(b), &again, fuzzLimit)
		if err != nil {
			t.Fatalf("cleaned %s refused: %v", res.Type.Label, err)
		}
		if res2.Type != res.Type || !bytes.Equal(again.Bytes(), b) {
			t.Fatalf("cleaning again gives %s of %d bytes, not the same %d bytes", res2.Type.Label, again.Len(), len(b))
		}
	})
}

// noPlanted fails if p holds planted metadata.
func noPlanted(t testing.TB, where string, p []byte) {
	t.Helper()
	for _, s := range planted {
		if bytes.Contains(p, []byte(s)) {
			t.Fatalf("%s holds %q", where, s)
		}
	}
}

// checkCleanedJPEG checks that a cleaned JPEG holds no metadata. Tables,
// frame, scan headers, entropy-coded data and ICC profiles are copied as
// they are and may hold any bytes the input put there; everything else
// must be what Clean writes itself.
func checkCleanedJPEG(t testing.TB, b []byte) {
	t.Helper()
	segs, trailer := jpegSegments(t, b)
	if len(trailer) != 0 {
		t.Fatalf("%d bytes after EOI", len(trailer))
	}
	cleanedOrientation(t, segs)
	for _, s := range segs {
		switch m := s.marker; {
		case m == mAPP0:
			if !bytes.HasPrefix(s.payload, []byte("JFIF\x00")) || len(s.payload) > 14 ||
				len(s.payload) == 14 && (s.payload[12] != 0 || s.payload[13] != 0) {
				t.Fatalf("APP0 % x", s.payload)
			}
			noPlanted(t, "APP0", s.payload)
		case m == mAPP1:
			noPlanted(t, "APP1", s.payload)
		case m == mAPP2:
			if !bytes.HasPrefix(s.payload, []byte("ICC_PROFILE\x00")) {
				t.Fatalf("APP2 %q", s.payload)
			}
		case m == mAPP14:
			if !bytes.HasPrefix(s.payload, []byte("Adobe")) || len(s.payload) != 12 {
				t.Fatalf("APP14 %q", s.payload)
			}
			noPlanted(t, "APP14", s.payload)
		case m >= mAPP0 && m <= mAPP15, m == mCOM:
			t.Fatalf("segment %#02x kept", m)
		}
	}
}

// checkCleanedPNG checks that a cleaned PNG holds no chunk it should have
// dropped, that its dropped-and-rewritten eXIf holds nothing planted, and
// that Go's decoder reads it (images small enough to decode quickly).
func checkCleanedPNG(t testing.TB, b []byte) {
	t.Helper()
	chunks := pngChunks(t, b)
	checkCleanedPNGChunks(t, chunks)
	for _, c := range chunks {
		if chunkType(c) == "eXIf" {
			noPlanted(t, "eXIf", c)
		}
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("DecodeConfig: %v", err)
	}
	if cfg.Width*cfg.Height <= 1<<20 {
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("Decode: %v", err)
		}
	}
}

// The seeds alone, so that a plain go test checks the invariants on every
// fixture; the fuzzer only adds inputs.
func TestFuzzSeedsAreAccepted(t *testing.T) {
	accepted := 0
	for _, s := range fuzzSeeds(t) {
		if _, err := Clean("x", bytes.NewReader(s), &bytes.Buffer{}, fuzzLimit); err == nil {
			accepted++
		}
	}
	// All but the macro document, the OLE file, the archive missing a
	// directory entry and the empty file.
	if want := len(fuzzSeeds(t)) - 4; accepted != want {
		t.Errorf("%d seeds accepted, want %d", accepted, want)
	}
}
