package fundfile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"fundwatch/casework"

	"github.com/xuri/excelize/v2"
)

// Memory on hostile files is measured here, not asserted in tests: run
// go test -run '^$' -bench . -benchmem ./casework/fundfile/

func benchParse(b *testing.B, name string, data []byte) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), name, testOpts); err != nil {
			b.Fatal(err)
		}
	}
}

// fullXLSX is a valid workbook with MaxRows number rows.
func fullXLSX(b *testing.B) []byte {
	b.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, _ := f.NewStreamWriter("Sheet1")
	_ = sw.SetRow("A1", anyRow(header()))
	for i := range MaxRows {
		row := []any{2000 + i%27, casework.DefaultRegions().Descendants("220000")[i/27%80], nil,
			casework.InsuranceTypes()[i/27/80].Label}
		r := rowOf(casework.InsurancePension, int64(i%9+1))
		for _, c := range casework.FundColumns() {
			row = append(row, excelize.Cell{Value: casework.FormatWanYuanPlain(c.Amount(r))})
		}
		_ = sw.SetRow(cellRef(0, i+2), row)
	}
	_ = sw.Flush()
	buf, _ := f.WriteToBuffer()
	return buf.Bytes()
}

func BenchmarkParseXLSXFull(b *testing.B) { benchParse(b, "x.xlsx", fullXLSX(b)) }

// hostileSheet is a workbook whose sheet holds rows blank styled cells at
// column XFD, one a row: cheap to store (about 40 bytes a row), and the
// shape that makes a reader padding rows to their last cell allocate 16,384
// cells a row.
func hostileSheet(b *testing.B, rows int) []byte {
	b.Helper()
	t := &testing.T{}
	base := xlsxBook(t, [][]any{anyRow(header())}, nil)
	var s strings.Builder
	for n := 2; n < rows+2; n++ {
		fmt.Fprintf(&s, `<row r="%d"><c r="XFD%d" s="1"/></row>`, n, n)
	}
	return rewritePart(t, base, "xl/worksheets/sheet1.xml", func(x string) string {
		return strings.Replace(x, "</row></sheetData>", "</row>"+s.String()+"</sheetData>", 1)
	})
}

// BenchmarkParseXLSXBlankCellsFarRight reads about 25 MB of such rows.
func BenchmarkParseXLSXBlankCellsFarRight(b *testing.B) {
	benchParse(b, "x.xlsx", hostileSheet(b, 600_000))
}

func BenchmarkParseXLSXZipBombThatLies(b *testing.B) {
	t := &testing.T{}
	base := xlsxBook(t, [][]any{anyRow(header())}, nil)
	benchParse(b, "x.xlsx", withRawPart(t, base, "xl/worksheets/sheet1.xml",
		deflated(t, 256<<20, `<row><c t="inlineStr"><is><t>x</t></is></c></row>`), 1000))
}

func BenchmarkParseCSV100kRows(b *testing.B) {
	var s strings.Builder
	s.WriteString(strings.Join(header(), ",") + "\n")
	for i := range 100_000 {
		fmt.Fprintf(&s, "2024,220100,,%s%s\n", []string{"pension", "medical"}[i%2], strings.Repeat(",0", 12))
	}
	benchParse(b, "x.csv", []byte(s.String()))
}

func BenchmarkParseCSV10MBLine(b *testing.B) {
	benchParse(b, "x.csv", []byte(strings.Join(header(), ",")+"\n"+strings.Repeat("长", (MaxFileBytes-200)/3)))
}

// BenchmarkExcelizeBlankCellsFarRight shows why the reader is not
// excelize's: asking excelize for one cell's formula loads the worksheet
// and pads every row to its last cell, so 20 rows (under 1 KB of XML)
// allocate tens of megabytes and it grows linearly. Keep it small: 1 MB of
// such rows took more than 20 GB here.
func BenchmarkExcelizeBlankCellsFarRight(b *testing.B) {
	data := hostileSheet(b, 20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.GetCellFormula("Sheet1", "A1"); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
