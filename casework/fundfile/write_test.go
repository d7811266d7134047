package fundfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/store"

	"github.com/xuri/excelize/v2"
)

func TestTemplates(t *testing.T) {
	csvT, xlsxT := TemplateCSV(), TemplateXLSX()
	if !bytes.HasPrefix(csvT, []byte("\xEF\xBB\xBF")) {
		t.Error("CSV template has no UTF-8 byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(csvT[3:])).ReadAll()
	if err != nil || len(recs) != 2 || !reflect.DeepEqual(recs[0], templateHeaders(true)) ||
		!strings.HasPrefix(recs[1][len(recs[1])-1], "示例") {
		t.Fatalf("CSV template = %q, %v", recs, err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(xlsxT))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{"基金收支", "填写说明"}) {
		t.Errorf("sheets = %v", got)
	}
	if v, _ := f.GetCellValue("填写说明", "A6"); !strings.Contains(v, "险种填写以下名称之一") {
		t.Errorf("填写说明 A6 = %q", v)
	}
	dvs, err := f.GetDataValidations("基金收支")
	if err != nil || len(dvs) != 1 || !strings.Contains(dvs[0].Formula1, "企业职工基本养老保险") {
		t.Errorf("data validations = %+v, %v", dvs, err)
	}

	// As downloaded, each template parses to its example row, skipped
	// with a warning, and an error saying there is no data.
	for name, data := range map[string][]byte{"模板.csv": csvT, "模板.xlsx": xlsxT} {
		res, err := Parse(bytes.NewReader(data), name, testOpts)
		if err != nil {
			t.Fatal(err)
		}
		checkProblems(t, name+" Warnings", res.Warnings, []Problem{{2, "Q2", "备注", "示例"}})
		checkProblems(t, name+" Errors", res.Errors, []Problem{{2, "", "", "标题行下没有数据"}})
	}

	// With the 示例 mark removed, the example row imports exactly.
	want := []Report{{Year: exampleYear, RegionCode: exampleRegion, Rows: []store.FundRow{exampleRow}, SourceRows: []int{2}}}
	unmarked := bytes.Replace(csvT, []byte(exampleNote), []byte("我的备注"), 1)
	res, _ := Parse(bytes.NewReader(unmarked), "模板.csv", testOpts)
	if !res.OK() || len(res.Warnings) != 0 || !reflect.DeepEqual(res.Reports, want) {
		t.Errorf("unmarked CSV template: %+v", res)
	}
	if err := f.SetCellStr("基金收支", "Q2", ""); err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	res, _ = Parse(buf, "模板.xlsx", testOpts)
	if !res.OK() || len(res.Warnings) != 0 || !reflect.DeepEqual(res.Reports, want) {
		t.Errorf("unmarked XLSX template: %+v", res)
	}
}

func TestTemplateXLSXIsACopy(t *testing.T) {
	a := TemplateXLSX()
	a[0] = 'X'
	if b := TemplateXLSX(); b[0] != 'P' {
		t.Error("TemplateXLSX returns shared bytes")
	}
}

func TestWriteCSVReadsBack(t *testing.T) {
	deficit := rowOf(casework.InsuranceUnemployment, 2)
	deficit.IncomeFen, deficit.PremiumFen, deficit.SubsidyFen, deficit.InterestFen, deficit.TransferInFen, deficit.OtherIncomeFen =
		1, 1, 0, 0, 0, 0
	deficit.BalanceFen = deficit.IncomeFen - deficit.ExpenditureFen
	deficit.AccumulatedFen = -123_456_789_012
	odd := store.FundRow{InsuranceType: casework.InsuranceOther, IncomeFen: casework.MaxFundFen, PremiumFen: 7,
		ExpenditureFen: 999_999, BenefitFen: 999_999, BalanceFen: casework.MaxFundFen - 999_999, AccumulatedFen: -1}
	reports := []Report{
		{Year: 2024, RegionCode: "220100", Rows: []store.FundRow{rowOf(casework.InsurancePension, 3), deficit}},
		{Year: 2025, RegionCode: "229900", Rows: []store.FundRow{odd}},
		{Year: 2025, RegionCode: "220000", Rows: nil},
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, nil, reports...); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\ufeff年度,地区代码,地区,险种,基金收入（万元）") || !strings.Contains(out, "\r\n") {
		t.Errorf("CSV starts %q", out[:min(len(out), 80)])
	}
	if !strings.Contains(out, ",-123456.789012\r\n") {
		t.Errorf("negative amounts are not plain numbers:\n%s", out)
	}
	if strings.Contains(out, "'-") {
		t.Errorf("a negative amount was neutralised as text:\n%s", out)
	}
	res, err := ParseCSV(strings.NewReader(out), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("Errors = %+v", res.Errors)
	}
	for i := range res.Reports {
		res.Reports[i].SourceRows = nil
	}
	if want := reports[:2]; !reflect.DeepEqual(res.Reports, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", res.Reports, want)
	}
}

func TestWriteCSVNeutralisesText(t *testing.T) {
	regions, err := casework.LoadRegions(strings.NewReader("code,name,parent,level\n" +
		"220000,吉林省,,province\n" +
		"=1+1,\"=HYPERLINK(\"\"http://evil\"\")\",220000,city\n" +
		"@x,@SUM(A1),220000,city\n"))
	if err != nil {
		t.Fatal(err)
	}
	reports := []Report{{Year: 2024, RegionCode: "=1+1", Rows: []store.FundRow{rowOf("=cmd|' /C calc'!A0", 1)}}}
	var b bytes.Buffer
	if err := WriteCSV(&b, regions, reports...); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	row := recs[1]
	for i, want := range []string{"2024", "'=1+1", "'=HYPERLINK(\"http://evil\")", "'=cmd|' /C calc'!A0"} {
		if row[i] != want {
			t.Errorf("cell %d = %q, want %q", i, row[i], want)
		}
	}
	for _, cell := range row[4:] {
		if _, err := casework.ParseWanYuan(cell, true); err != nil {
			t.Errorf("amount cell %q: %v", cell, err)
		}
	}
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n -= len(p); w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteCSVReturnsWriteErrors(t *testing.T) {
	reports := []Report{{Year: 2024, RegionCode: "220100", Rows: []store.FundRow{rowOf(casework.InsurancePension, 1)}}}
	for _, n := range []int{0, 10} {
		if err := WriteCSV(&failingWriter{n: n}, nil, reports...); err == nil {
			t.Errorf("writer failing after %d bytes: no error", n)
		}
	}
}
