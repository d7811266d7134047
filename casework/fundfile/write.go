package fundfile

import (
	"bytes"
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"sync"

	"fundwatch/casework"
	"fundwatch/store"

	"github.com/xuri/excelize/v2"
)

// utf8BOM makes Excel read a CSV file as UTF-8 instead of the ANSI code page
// (GBK on Chinese Windows).
const utf8BOM = "\ufeff"

// WriteCSV writes fund reports as the published table for download: a UTF-8
// byte order mark, the header row of the templates (without 备注), and a row
// per insurance type with 年度, 地区代码, 地区 (the name from regions; nil
// is casework.DefaultRegions()), 险种 (its Chinese label) and the twelve
// amounts in 万元 as plain decimals (casework.FormatWanYuanPlain). Text
// cells go through casework.NeutraliseCSVCell against formula injection;
// amount cells are numbers made here from int64 fen and are written as they
// are, so a negative balance stays a number ("-12.34") a spreadsheet can
// add up. The file reads back through Parse to the same fen.
func WriteCSV(w io.Writer, regions *casework.Regions, reports ...Report) error {
	if regions == nil {
		regions = casework.DefaultRegions()
	}
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(templateHeaders(false)); err != nil {
		return err
	}
	cols := casework.FundColumns()
	record := make([]string, 0, 4+len(cols))
	for _, rep := range reports {
		name := rep.RegionCode
		if reg, ok := regions.Lookup(rep.RegionCode); ok {
			name = reg.Name
		}
		for _, row := range rep.Rows {
			record = append(record[:0],
				strconv.Itoa(rep.Year),
				casework.NeutraliseCSVCell(rep.RegionCode),
				casework.NeutraliseCSVCell(name),
				casework.NeutraliseCSVCell(casework.InsuranceTypeLabel(row.InsuranceType)))
			for _, c := range cols {
				record = append(record, casework.FormatWanYuanPlain(c.Amount(row)))
			}
			if err := cw.Write(record); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// exampleRow is the template's example: consistent, so that deleting its
// 示例 mark imports it cleanly.
var exampleRow = store.FundRow{
	InsuranceType: casework.InsurancePension,
	IncomeFen:     100_000 * 1_000_000, PremiumFen: 60_000 * 1_000_000, SubsidyFen: 30_000 * 1_000_000,
	InterestFen: 5_000 * 1_000_000, TransferInFen: 3_000 * 1_000_000, OtherIncomeFen: 2_000 * 1_000_000,
	ExpenditureFen: 80_000 * 1_000_000, BenefitFen: 70_000 * 1_000_000, TransferOutFen: 5_000 * 1_000_000,
	OtherExpenditureFen: 5_000 * 1_000_000,
	BalanceFen:          20_000 * 1_000_000, AccumulatedFen: 500_000 * 1_000_000,
}

const (
	exampleYear   = 2024
	exampleRegion = "220100"
	exampleNote   = "示例：此行是填写示例，导入时自动跳过，填写前可以删除"
)

// exampleRecord is the template's example row as text, column by column.
func exampleRecord() []string {
	reg, _ := casework.DefaultRegions().Lookup(exampleRegion)
	rec := []string{strconv.Itoa(exampleYear), exampleRegion, reg.Name, casework.InsuranceTypeLabel(exampleRow.InsuranceType)}
	for _, c := range casework.FundColumns() {
		rec = append(rec, casework.FormatWanYuanPlain(c.Amount(exampleRow)))
	}
	return append(rec, exampleNote)
}

// instructions are the lines of the XLSX template's 填写说明 sheet.
var instructions = []string{
	"社会保险基金收支和结余表 填写说明",
	"1. 在“基金收支”工作表填写，标题行（第 1 行）不要修改、删除或调换列名；列的顺序可以调整。",
	"2. 每行填写一个年度、一个地区、一个险种的数据；同一年度、地区、险种只能有一行。",
	"3. 年度填 4 位数字，例如 2024。",
	"4. 地区代码填 6 位行政区划代码（例如长春市 220100）；也可以只填“地区”列的地区全称。两列都填时必须一致。",
	"5. 险种填写以下名称之一：企业职工基本养老保险、城乡居民基本养老保险、基本医疗保险、失业保险、工伤保险、生育保险、企业年金、其他。",
	"6. 金额单位为万元，只填数字，最多 6 位小数（0.000001 万元即 1 分），不要填公式、单位或科学计数法。",
	"7. 基金收入、基金支出、本年收支结余、年末滚存结余必须填写；“其中”各项没有发生额的可以填 0 或留空。",
	"8. 保险费收入、财政补贴收入、利息收入、转移收入、其他收入之和不能大于基金收入；社会保险待遇支出、转移支出、其他支出之和不能大于基金支出。",
	"9. 只有本年收支结余和年末滚存结余可以为负数，负数写作 -12.34。",
	"10. 本年收支结余应等于基金收入减基金支出；年末滚存结余应等于上年年末滚存结余加本年收支结余。不一致时系统会提示差额，但不阻止导入。",
	"11. 备注以“示例”开头的行不会导入。",
	"12. 文件不超过 10 MB、5000 行。也可以另存为“CSV UTF-8（逗号分隔）”后上传。",
}

// TemplateCSV returns the CSV template: a UTF-8 byte order mark, the header
// row and the example row (marked 示例 in 备注, skipped on import).
func TemplateCSV() []byte {
	var b bytes.Buffer
	b.WriteString(utf8BOM)
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	_ = cw.Write(templateHeaders(true)) // a bytes.Buffer does not fail
	_ = cw.Write(exampleRecord())
	cw.Flush()
	return b.Bytes()
}

var templateXLSX = sync.OnceValues(buildTemplateXLSX)

// TemplateXLSX returns the XLSX template: the sheet 基金收支 with the header
// row, the example row (marked 示例 in 备注), a drop-down list of insurance
// types and text-formatted region codes, and a second sheet 填写说明 with
// the rules. Only the first sheet is read on import.
func TemplateXLSX() []byte {
	b, err := templateXLSX()
	if err != nil {
		panic("fundfile: building the XLSX template: " + err.Error())
	}
	return bytes.Clone(b)
}

func buildTemplateXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "基金收支"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	headers := templateHeaders(true)
	last := columnLetters(len(headers) - 1)
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return nil, err
	}
	textFmt, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": codes keep their digits as typed
	if err != nil {
		return nil, err
	}
	amountFmt := "#,##0.00####"
	amount, err := f.NewStyle(&excelize.Style{CustomNumFmt: &amountFmt})
	if err != nil {
		return nil, err
	}
	for i, h := range headers {
		if err := f.SetCellStr(sheet, cellRef(i, 1), h); err != nil {
			return nil, err
		}
	}
	if err := f.SetCellStyle(sheet, "A1", last+"1", bold); err != nil {
		return nil, err
	}
	if err := f.SetRowHeight(sheet, 1, 32); err != nil {
		return nil, err
	}
	amountFirst, amountLast := columnLetters(4), columnLetters(len(headers)-2)
	for _, s := range []struct {
		cols  string
		width float64
		style int
	}{
		{"A", 8, 0}, {"B", 10, textFmt}, {"C", 16, 0}, {"D", 24, 0},
		{amountFirst + ":" + amountLast, 16, amount}, {last, 40, 0},
	} {
		from, to := s.cols, s.cols
		if a, b, ok := strings.Cut(s.cols, ":"); ok {
			from, to = a, b
		}
		if err := f.SetColWidth(sheet, from, to, s.width); err != nil {
			return nil, err
		}
		if s.style != 0 {
			if err := f.SetColStyle(sheet, s.cols, s.style); err != nil {
				return nil, err
			}
		}
	}
	for i, v := range exampleRecord() {
		ref := cellRef(i, 2)
		var err error
		switch {
		case i == 0 || (i >= 4 && i < len(headers)-1):
			err = f.SetCellDefault(sheet, ref, v) // a number, from its decimal text
		default:
			err = f.SetCellStr(sheet, ref, v)
		}
		if err != nil {
			return nil, err
		}
		if i >= 4 && i < len(headers)-1 {
			if err := f.SetCellStyle(sheet, ref, ref, amount); err != nil {
				return nil, err
			}
		}
		if i == 1 {
			if err := f.SetCellStyle(sheet, ref, ref, textFmt); err != nil {
				return nil, err
			}
		}
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = "D2:D" + strconv.Itoa(MaxRows+1)
	var labels []string
	for _, o := range casework.InsuranceTypes() {
		labels = append(labels, o.Label)
	}
	if err := dv.SetDropList(labels); err != nil {
		return nil, err
	}
	if err := f.AddDataValidation(sheet, dv); err != nil {
		return nil, err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	const help = "填写说明"
	if _, err := f.NewSheet(help); err != nil {
		return nil, err
	}
	for i, line := range instructions {
		if err := f.SetCellStr(help, cellRef(0, i+1), line); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(help, "A", "A", 110); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
