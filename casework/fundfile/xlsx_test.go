package fundfile

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/store"

	"github.com/xuri/excelize/v2"
)

// xlsxBook builds a workbook whose first sheet has the rows given; a cell
// value of type string is written as text, xnum as a number from its
// decimal text (no float in between), and the other types as excelize
// writes them.
type xnum string

// xformula is a cell with a formula.
type xformula string

func xlsxBook(t *testing.T, rows [][]any, more func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	for r, row := range rows {
		for c, v := range row {
			ref := cellRef(c, r+1)
			var err error
			switch v := v.(type) {
			case nil:
				continue
			case string:
				err = f.SetCellStr(sheet, ref, v)
			case xnum:
				err = f.SetCellDefault(sheet, ref, string(v))
			case xformula:
				err = f.SetCellFormula(sheet, ref, string(v))
			default:
				err = f.SetCellValue(sheet, ref, v)
			}
			if err != nil {
				t.Fatalf("%s: %v", ref, err)
			}
		}
	}
	if more != nil {
		more(f)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func anyRow(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// numRow is a data row with the year, the region code and every amount as
// number cells (plain decimals, as Excel stores typed numbers).
func numRow(year int, code string, row store.FundRow) []any {
	out := []any{xnum(fmt.Sprint(year)), xnum(code), nil, casework.InsuranceTypeLabel(row.InsuranceType)}
	for _, c := range casework.FundColumns() {
		out = append(out, xnum(casework.FormatWanYuanPlain(c.Amount(row))))
	}
	return out
}

func parseXLSXBytes(t *testing.T, data []byte) *Result {
	t.Helper()
	res, err := ParseXLSX(bytes.NewReader(data), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != FormatXLSX || res.OK() != (res.Reports != nil) {
		t.Fatalf("Format %q, OK %v, Reports %v", res.Format, res.OK(), res.Reports)
	}
	return res
}

func TestParseXLSXNumbersAreExact(t *testing.T) {
	want := rowOf(casework.InsurancePension, 7)
	r := numRow(2024, "220100", want)
	col := func(h string) int { return slices.Index(header(), h) }
	// Excel stores some typed values with 17 significant digits, and small
	// ones with an exponent.
	r[col("保险费收入（万元）")] = xnum("4199.9999999999991") // 4200
	r[col("转移收入（万元）")] = xnum("209.99999999999997")  // 210
	r[col("其他收入（万元）")] = xnum("1E-6")                // 1 fen
	r[col("财政补贴收入（万元）")] = "2,099.999999"            // text keeps its digits
	r[col("利息收入（万元）")] = xnum("350.00000099999999")  // 350.000001
	want.PremiumFen, want.TransferInFen, want.OtherIncomeFen = 4_200_000_000, 210_000_000, 1
	want.SubsidyFen, want.InterestFen = 2_099_999_999, 350_000_001
	want.IncomeFen = want.PremiumFen + want.SubsidyFen + want.InterestFen + want.TransferInFen + want.OtherIncomeFen
	r[col("基金收入（万元）")] = xnum(casework.FormatWanYuanPlain(want.IncomeFen))
	want.BalanceFen = want.IncomeFen - want.ExpenditureFen
	r[col("本年收支结余（万元）")] = xnum(casework.FormatWanYuanPlain(want.BalanceFen))
	data := xlsxBook(t, [][]any{anyRow(header()), r}, nil)
	res := parseXLSXBytes(t, data)
	if !res.OK() || len(res.Warnings) != 0 {
		t.Fatalf("Errors %+v Warnings %+v", res.Errors, res.Warnings)
	}
	if got := res.Reports[0]; got.Year != 2024 || got.RegionCode != "220100" || got.Rows[0] != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestParseXLSXCells(t *testing.T) {
	base := rowOf(casework.InsuranceMedical, 2)
	col := func(h string) int { return slices.Index(header(), h) }
	dateStyle := func(code string) func(f *excelize.File) int {
		return func(f *excelize.File) int {
			id, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
			if err != nil {
				panic(err)
			}
			return id
		}
	}
	tests := []struct {
		name   string
		column string
		value  any
		style  func(f *excelize.File) int // applied to the changed cell
		errMsg string                     // "" when fine
		check  func(t *testing.T, r store.FundRow, rep Report)
	}{
		{"text amount with commas", "基金支出（万元）", casework.FormatWanYuan(base.ExpenditureFen), nil, "", nil},
		{"formula", "基金收入（万元）", xformula("SUM(F2:J2)"), nil, "单元格中是公式“=SUM(F2:J2)”", nil},
		{"formula in the year", "年度", xformula("YEAR(TODAY())"), nil, "公式", nil},
		{"boolean", "其他收入（万元）", true, nil, "逻辑值", nil},
		{"amount shown as a date", "其他支出（万元）", xnum("45293"), dateStyle("yyyy/m/d"), "日期格式", nil},
		{"amount shown with a built-in date format", "其他支出（万元）", xnum("45293"),
			func(f *excelize.File) int { id, _ := f.NewStyle(&excelize.Style{NumFmt: 14}); return id }, "日期格式", nil},
		{"year shown as a date", "年度", xnum("45292"), dateStyle("yyyy"), "", func(t *testing.T, _ store.FundRow, rep Report) {
			if rep.Year != 2024 {
				t.Errorf("Year = %d", rep.Year)
			}
		}},
		{"the stored value counts, not the format", "其他收入（万元）", xnum("1234.567"), dateStyle("0.00"), "超过了基金收入", nil},
		{"number with a format hiding decimals", "年末滚存结余（万元）", xnum("-1234.567891"), dateStyle("#,##0.00"), "",
			func(t *testing.T, r store.FundRow, _ Report) {
				if r.AccumulatedFen != -1_234_567_891 {
					t.Errorf("AccumulatedFen = %d", r.AccumulatedFen)
				}
			}},
		{"negative part as a number", "利息收入（万元）", xnum("-5"), nil, "利息收入不能为负数", nil},
		{"seven decimals as a number", "利息收入（万元）", xnum("0.1234567"), nil, "最多保留 6 位小数", nil},
		{"fractional year", "年度", xnum("2024.5"), nil, "4 位数字的年份", nil},
		{"region code as text", "地区代码", "220100", nil, "", nil},
		{"hostile text", "基金收入（万元）", "=cmd|' /C calc'!A0", nil, "金额格式不正确", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := numRow(2024, "220100", base)
			r[col(tt.column)] = tt.value
			data := xlsxBook(t, [][]any{anyRow(header()), r}, func(f *excelize.File) {
				if tt.style != nil {
					ref := cellRef(col(tt.column), 2)
					if err := f.SetCellStyle("Sheet1", ref, ref, tt.style(f)); err != nil {
						t.Fatal(err)
					}
				}
			})
			res := parseXLSXBytes(t, data)
			if tt.errMsg == "" {
				if !res.OK() {
					t.Fatalf("Errors = %+v", res.Errors)
				}
				if tt.check != nil {
					tt.check(t, res.Reports[0].Rows[0], res.Reports[0])
				}
				return
			}
			if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, tt.errMsg) {
				t.Fatalf("Errors = %+v, want one containing %q", res.Errors, tt.errMsg)
			}
			if tt.errMsg != "超过了基金收入" {
				if e := res.Errors[0]; e.Row != 2 || e.Cell != cellRef(col(tt.column), 2) || e.Column != strings.TrimSuffix(tt.column, amountUnit) {
					t.Errorf("Errors[0] = %+v, want row 2 cell %s", e, cellRef(col(tt.column), 2))
				}
			}
		})
	}
}

func TestParseXLSXLayout(t *testing.T) {
	good := rowOf(casework.InsurancePension, 1)
	h := header()
	r := numRow(2025, "222400", good)
	// Reverse the columns, leave blank rows and columns, and put junk on a
	// second sheet: only the first sheet is read.
	rev := func(s []any) []any { s = slices.Clone(s); slices.Reverse(s); return append([]any{nil}, s...) }
	data := xlsxBook(t, [][]any{nil, rev(anyRow(h)), nil, nil, rev(r)}, func(f *excelize.File) {
		if _, err := f.NewSheet("说明"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellStr("说明", "A1", "=cmd|' /C calc'!A0"); err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetName("Sheet1", "2025年"); err != nil {
			t.Fatal(err)
		}
		// Rich text for the insurance type.
		if err := f.SetCellRichText("2025年", cellRef(len(h)-3, 5), []excelize.RichTextRun{
			{Text: "企业职工"}, {Text: "基本养老保险", Font: &excelize.Font{Bold: true}}}); err != nil {
			t.Fatal(err)
		}
	})
	res := parseXLSXBytes(t, data)
	if !res.OK() {
		t.Fatalf("Errors = %+v", res.Errors)
	}
	if got := res.Reports[0]; got.Year != 2025 || got.RegionCode != "222400" || got.Rows[0] != good || got.SourceRows[0] != 5 {
		t.Errorf("got %+v", got)
	}

	bad := slices.Clone(r)
	bad[0] = xnum("1999")
	data = xlsxBook(t, [][]any{rev(anyRow(h)), nil, rev(bad)}, nil)
	res = parseXLSXBytes(t, data)
	checkProblems(t, "Errors", res.Errors, []Problem{{3, "Q3", "年度", "1999"}})
}

// rewritePart returns the workbook with one part's text changed, or a part
// added when it does not exist.
func rewritePart(t *testing.T, data []byte, name string, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == name {
			b, found = []byte(edit(string(b))), true
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	if !found {
		w, _ := zw.Create(name)
		io.WriteString(w, edit(""))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestParseXLSXRawXML(t *testing.T) {
	good := rowOf(casework.InsurancePension, 1)
	named := numRow(2024, "220100", good)
	named[2] = "长春市"
	base := xlsxBook(t, [][]any{anyRow(header()), named}, nil)
	sheet := "xl/worksheets/sheet1.xml"
	replaceCell := func(ref, with string) func(string) string {
		return func(s string) string {
			i := strings.Index(s, `<c r="`+ref+`"`)
			if i < 0 {
				t.Fatalf("no cell %s", ref)
			}
			j := i + strings.Index(s[i:], "</c>") + len("</c>")
			return s[:i] + with + s[j:]
		}
	}
	tests := []struct {
		name   string
		data   []byte
		errMsg string
	}{
		{"inline string", rewritePart(t, base, sheet, replaceCell("E2", `<c r="E2" t="inlineStr"><is><t>1,000.000001</t></is></c>`)), ""},
		{"inline rich text with phonetic run", rewritePart(t, base, sheet, replaceCell("C2",
			`<c r="C2" t="inlineStr"><is><r><t>长春</t></r><r><t>市</t></r><rPh sb="0" eb="2"><t>チャンチュン</t></rPh></is></c>`)), ""},
		{"error value", rewritePart(t, base, sheet, replaceCell("F2", `<c r="F2" t="e"><v>#DIV/0!</v></c>`)), "错误值“#DIV/0!”"},
		{"ISO date cell as amount", rewritePart(t, base, sheet, replaceCell("F2", `<c r="F2" t="d"><v>2024-01-02T00:00:00Z</v></c>`)), "日期格式"},
		{"shared formula follower", rewritePart(t, base, sheet, replaceCell("F2", `<c r="F2"><f t="shared" si="0"/><v>600</v></c>`)), "单元格中是公式，"},
		{"cells without references", rewritePart(t, base, sheet, func(s string) string {
			return strings.NewReplacer(`r="A2" `, "", `r="B2" `, "", `r="C2" `, "").Replace(s)
		}), ""},
		{"strict OOXML namespace", rewritePart(t, base, sheet, func(s string) string {
			return strings.ReplaceAll(s, "http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
		}), ""},
		{"rows out of order", rewritePart(t, base, sheet, func(s string) string {
			return strings.Replace(s, `<row r="2"`, `<row r="1"`, 1)
		}), "无法读取这个 Excel 文件"},
		{"shared string index out of range", rewritePart(t, base, sheet, replaceCell("D2", `<c r="D2" t="s"><v>99999</v></c>`)), "无法读取这个 Excel 文件"},
		{"content far right", rewritePart(t, base, sheet, func(s string) string {
			return strings.Replace(s, "</row></sheetData>", `<c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row></sheetData>`, 1)
		}), "超过了 64 列"},
		{"blank styled cell far right", rewritePart(t, base, sheet, func(s string) string {
			return strings.Replace(s, "</row></sheetData>", `<c r="XFD2" s="1"/></row></sheetData>`, 1)
		}), ""},
		{"a million empty rows", rewritePart(t, base, sheet, func(s string) string {
			return strings.Replace(s, "</sheetData>", `<row r="1048576"><c r="A1048576" s="1"/></row></sheetData>`, 1)
		}), ""},
		{"row number beyond Excel", rewritePart(t, base, sheet, func(s string) string {
			return strings.Replace(s, "</sheetData>", `<row r="1048577"><c r="A1048577"><v>1</v></c></row></sheetData>`, 1)
		}), "无法读取这个 Excel 文件"},
		{"entity expansion", rewritePart(t, base, sheet, func(s string) string {
			return strings.Replace(s, "<worksheet", `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><worksheet`, 1)
		}), ""},
		{"undefined entity", rewritePart(t, base, sheet, replaceCell("C2", `<c r="C2" t="inlineStr"><is><t>&b;</t></is></c>`)), "无法读取这个 Excel 文件"},
		{"not XML", rewritePart(t, base, sheet, func(string) string { return "\x00\x01garbage" }), "无法读取这个 Excel 文件"},
		{"chart sheet first", rewritePart(t, base, "xl/_rels/workbook.xml.rels", func(s string) string {
			return strings.Replace(s, "worksheets/sheet1.xml", "chartsheets/sheet1.xml", 1)
		}), "第一张工作表是图表"},
		{"first sheet part missing", rewritePart(t, base, "xl/_rels/workbook.xml.rels", func(s string) string {
			return strings.Replace(s, "worksheets/sheet1.xml", "worksheets/none.xml", 1)
		}), "无法读取这个 Excel 文件"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseXLSXBytes(t, tt.data)
			if tt.errMsg == "" {
				if !res.OK() || res.Reports[0].Rows[0].InsuranceType != casework.InsurancePension {
					t.Fatalf("Errors = %+v", res.Errors)
				}
				return
			}
			if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Message, tt.errMsg) {
				t.Fatalf("Errors = %+v, want one containing %q", res.Errors, tt.errMsg)
			}
		})
	}
}

// deflated returns n bytes of filler compressed with deflate.
func deflated(t *testing.T, n int, filler string) []byte {
	t.Helper()
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	chunk := []byte(strings.Repeat(filler, 64<<10/len(filler)))
	for written := 0; written < n; written += len(chunk) {
		w.Write(chunk)
	}
	w.Close()
	return b.Bytes()
}

// withRawPart returns data with the part name replaced by a raw deflated
// entry declaring size declared.
func withRawPart(t *testing.T, data []byte, name string, compressed []byte, declared uint64) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == name {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate,
		CompressedSize64: uint64(len(compressed)), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(compressed)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestParseXLSXHostileArchives(t *testing.T) {
	base := xlsxBook(t, [][]any{anyRow(header()), numRow(2024, "220100", rowOf(casework.InsurancePension, 1))}, nil)
	rowXML := `<row><c t="inlineStr"><is><t>x</t></is></c></row>`
	bomb := deflated(t, 256<<20, rowXML) // 256 MiB of rows in a few hundred kilobytes
	t.Logf("256 MiB of sheet XML deflates to %d bytes", len(bomb))
	tests := []struct {
		name   string
		data   []byte
		errMsg string
	}{
		{"zip bomb declared", withRawPart(t, base, "xl/media/image1.bin", bomb, 256<<20), "解压后内容过大"},
		{"zip bomb that lies about its size", withRawPart(t, base, "xl/worksheets/sheet1.xml", bomb, 1000), "无法读取这个 Excel 文件"},
		{"zip bomb that lies, in the shared strings", withRawPart(t, base, "xl/sharedStrings.xml", bomb, 1000), "无法读取这个 Excel 文件"},
		{"truncated archive", base[:len(base)/2], "无法读取这个 Excel 文件"},
		{"zip magic only", []byte("PK\x03\x04garbage"), "无法读取这个 Excel 文件"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(bytes.NewReader(tt.data), "x.xlsx", testOpts)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, tt.errMsg) {
				t.Fatalf("Errors = %+v, want one containing %q", res.Errors, tt.errMsg)
			}
		})
	}
}

func TestParseXLSXRowLimit(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", anyRow(header())); err != nil {
		t.Fatal(err)
	}
	row := anyRow(record(2024, "220100", "", rowOf(casework.InsurancePension, 1)))
	for i := range MaxRows + 1 {
		if err := sw.SetRow(cellRef(0, i+2), row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	res := parseXLSXBytes(t, buf.Bytes())
	checkProblems(t, "Errors", res.Errors, []Problem{{0, "", "", "数据超过 5000 行"}})
}
