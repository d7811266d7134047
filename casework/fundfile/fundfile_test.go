package fundfile

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fundwatch/casework"
	"fundwatch/store"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

var testOpts = Options{CurrentYear: 2026}

// header is the template's header row without 备注.
func header() []string { return templateHeaders(false) }

// rowOf is a consistent row of an insurance type: amounts in whole 万元
// scaled by k, with odd fen so that exactness shows.
func rowOf(kind string, k int64) store.FundRow {
	return store.FundRow{
		InsuranceType: kind,
		IncomeFen:     1000*k*1_000_000 + 1, PremiumFen: 600 * k * 1_000_000, SubsidyFen: 300 * k * 1_000_000,
		InterestFen: 50*k*1_000_000 + 1, TransferInFen: 30 * k * 1_000_000, OtherIncomeFen: 20 * k * 1_000_000,
		ExpenditureFen: 800 * k * 1_000_000, BenefitFen: 700 * k * 1_000_000, TransferOutFen: 50 * k * 1_000_000,
		OtherExpenditureFen: 50 * k * 1_000_000,
		BalanceFen:          200*k*1_000_000 + 1, AccumulatedFen: 5000 * k * 1_000_000,
	}
}

// record is a CSV row for row, in header() order.
func record(year int, code, name string, row store.FundRow) []string {
	rec := []string{fmt.Sprint(year), code, name, casework.InsuranceTypeLabel(row.InsuranceType)}
	for _, c := range casework.FundColumns() {
		rec = append(rec, casework.FormatWanYuan(c.Amount(row)))
	}
	return rec
}

func csvBytes(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func parseCSVBytes(t *testing.T, data []byte, opts Options) *Result {
	t.Helper()
	res, err := ParseCSV(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("ParseCSV: %v", err)
	}
	if res.OK() != (res.Reports != nil) {
		t.Fatalf("OK() = %v but Reports = %v", res.OK(), res.Reports)
	}
	return res
}

func TestParseCSVGroupsRowsIntoReports(t *testing.T) {
	pension24, medical24 := rowOf(casework.InsurancePension, 3), rowOf(casework.InsuranceMedical, 1)
	pension25 := rowOf(casework.InsurancePension, 4)
	pension25.AccumulatedFen = pension24.AccumulatedFen + pension25.BalanceFen
	jilin := rowOf(casework.InsuranceWorkInjury, 2)
	data := csvBytes(t, header(),
		record(2024, "220100", "长春市", pension24),
		record(2024, "220200", "吉林市", jilin),
		record(2025, "220100", "长春市", pension25),
		record(2024, "220100", "长春市", medical24),
	)
	res := parseCSVBytes(t, data, testOpts)
	if !res.OK() || len(res.Warnings) != 0 {
		t.Fatalf("errors %+v warnings %+v", res.Errors, res.Warnings)
	}
	want := []Report{
		{Year: 2024, RegionCode: "220100", Rows: []store.FundRow{pension24, medical24}, SourceRows: []int{2, 5}},
		{Year: 2024, RegionCode: "220200", Rows: []store.FundRow{jilin}, SourceRows: []int{3}},
		{Year: 2025, RegionCode: "220100", Rows: []store.FundRow{pension25}, SourceRows: []int{4}},
	}
	if !reflect.DeepEqual(res.Reports, want) {
		t.Errorf("Reports =\n%+v\nwant\n%+v", res.Reports, want)
	}
	if res.Format != FormatCSV || res.Encoding != "UTF-8" {
		t.Errorf("Format %q Encoding %q", res.Format, res.Encoding)
	}
}

func TestParseCSVEncodings(t *testing.T) {
	plain := csvBytes(t, header(), record(2024, "220100", "长春市", rowOf(casework.InsurancePension, 1)))
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(plain)
	if err != nil {
		t.Fatal(err)
	}
	gb18030, _ := simplifiedchinese.GB18030.NewEncoder().Bytes(plain)
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(plain)
	utf16NoBOM, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().Bytes(plain)
	junk := make([]byte, 64<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range junk {
		junk[i] = byte(rng.UintN(256))
	}
	tests := []struct {
		name     string
		data     []byte
		encoding string // "" for a refusal
		refusal  string
	}{
		{"UTF-8 without BOM", plain, "UTF-8", ""},
		{"UTF-8 with BOM", append([]byte("\xEF\xBB\xBF"), plain...), "UTF-8", ""},
		{"GBK as Excel on Chinese Windows writes it", gbk, "GB18030", ""},
		{"GB18030", gb18030, "GB18030", ""},
		{"UTF-16 with BOM is refused", utf16, "", "UTF-16"},
		{"UTF-16 without BOM is refused", utf16NoBOM, "", "UTF-16"},
		{"random bytes are refused", junk, "", "编码无法识别"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseCSVBytes(t, tt.data, testOpts)
			if tt.encoding == "" {
				if res.OK() || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, tt.refusal) ||
					!strings.Contains(res.Errors[0].Message, "CSV UTF-8") {
					t.Fatalf("want one refusal mentioning %q and CSV UTF-8, got %+v", tt.refusal, res.Errors)
				}
				return
			}
			if !res.OK() || res.Encoding != tt.encoding || len(res.Reports) != 1 || res.Reports[0].RegionCode != "220100" {
				t.Fatalf("Encoding %q, Errors %+v, Reports %+v", res.Encoding, res.Errors, res.Reports)
			}
		})
	}
}

func TestParseHeaders(t *testing.T) {
	row := record(2024, "220100", "长春市", rowOf(casework.InsurancePension, 1))
	reorder := func(perm []int) ([]string, []string) {
		h, r := header(), row
		var hh, rr []string
		for _, i := range perm {
			hh, rr = append(hh, h[i]), append(rr, r[i])
		}
		return hh, rr
	}
	reversed := make([]int, len(header()))
	for i := range reversed {
		reversed[i] = len(reversed) - 1 - i
	}
	revH, revR := reorder(reversed)
	noName := slices.Delete(slices.Clone(header()), 2, 3)
	noNameRow := slices.Delete(slices.Clone(row), 2, 3)
	noCode := slices.Delete(slices.Clone(header()), 1, 2)
	noCodeRow := slices.Delete(slices.Clone(row), 1, 2)
	variants := slices.Clone(header())
	variants[0], variants[4], variants[5], variants[6] = " 年度 ", "基金收入(万元)", "其中：保险费收入（万元）", "财政补贴收入"
	withNote := append(slices.Clone(header()), "备注")
	withNoteRow := append(slices.Clone(row), "说明文字")
	unknown := append(slices.Clone(header()), "单位负责人")
	dup := append(slices.Clone(header()), "险种")
	missing := slices.Delete(slices.Clone(header()), 8, 9) // 转移收入
	missingRow := slices.Delete(slices.Clone(row), 8, 9)
	blankHeaderData := append(slices.Clone(header()), "")
	blankHeaderDataRow := append(slices.Clone(row), "多出的数据")
	noRegion := slices.Delete(slices.Clone(header()), 1, 3)
	noRegionRow := slices.Delete(slices.Clone(row), 1, 3)
	tabbed := []string{strings.Join(header(), "\t")}

	tests := []struct {
		name   string
		rows   [][]string
		errors []Problem // Row, Cell, Column and a fragment of Message
	}{
		{"template order", [][]string{header(), row}, nil},
		{"any order", [][]string{revH, revR}, nil},
		{"code without name", [][]string{noName, noNameRow}, nil},
		{"name without code", [][]string{noCode, noCodeRow}, nil},
		{"spaces, ASCII parentheses, 其中 and no unit", [][]string{variants, row}, nil},
		{"备注 column", [][]string{withNote, withNoteRow}, nil},
		{"unknown header", [][]string{unknown, append(slices.Clone(row), "x")},
			[]Problem{{1, "Q1", "“单位负责人”", "无法识别列名“单位负责人”"}}},
		{"duplicate header", [][]string{dup, append(slices.Clone(row), "基本医疗保险")},
			[]Problem{{1, "Q1", "险种", "第 D 列和第 Q 列"}}},
		{"missing amount header", [][]string{missing, missingRow},
			[]Problem{{1, "", "转移收入（万元）", "缺少“转移收入（万元）”列"}}},
		{"missing region headers", [][]string{noRegion, noRegionRow},
			[]Problem{{1, "", "地区代码”或“地区", "缺少"}}},
		{"data under a blank header", [][]string{blankHeaderData, blankHeaderDataRow},
			[]Problem{{2, "Q2", "", "第 Q 列没有列名"}}},
		{"tab-separated", [][]string{tabbed}, []Problem{{1, "A1", "", "英文逗号分隔"}}},
		{"header only", [][]string{header()}, []Problem{{2, "", "", "标题行下没有数据"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseCSVBytes(t, csvBytes(t, tt.rows...), testOpts)
			checkProblems(t, "Errors", res.Errors, tt.errors)
			if tt.errors == nil && (len(res.Reports) != 1 || res.Reports[0].Rows[0] != rowOf(casework.InsurancePension, 1)) {
				t.Errorf("Reports = %+v", res.Reports)
			}
		})
	}
}

func checkProblems(t *testing.T, kind string, got, want []Problem) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s = %+v, want %d", kind, got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Row != w.Row || g.Cell != w.Cell || g.Column != w.Column || !strings.Contains(g.Message, w.Message) {
			t.Errorf("%s[%d] = %+v\nwant row %d cell %q column %q containing %q", kind, i, g, w.Row, w.Cell, w.Column, w.Message)
		}
	}
}

// TestParseRowRules changes one cell of a good row and looks for the one
// problem it should cause (at row 2, in the column changed).
func TestParseRowRules(t *testing.T) {
	col := func(h string) int { return slices.Index(header(), h) }
	tests := []struct {
		name    string
		column  string // header() entry to change
		value   string
		opts    *Options
		also    map[string]string // more cells to change
		wantCol string            // the column of the error when not the one changed
		problem string            // fragment of the error; "" means the row is fine
		warning string            // fragment of a warning
		check   func(t *testing.T, r Report)
	}{
		{"year with 年", "年度", "2024年", nil, nil, "", "", "", nil},
		{"year with 年度 and full-width digits", "年度", "２０２４年度", nil, nil, "", "", "", nil},
		{"next year is fine", "年度", "2027", nil, nil, "", "", "", nil},
		{"year after next", "年度", "2028", nil, nil, "", "不在 2000 至 2027 之间", "", nil},
		{"year 1999", "年度", "1999", nil, nil, "", "不在 2000 至 2027 之间", "", nil},
		{"two-digit year", "年度", "24", nil, nil, "", "4 位数字的年份", "", nil},
		{"blank year", "年度", "", nil, nil, "", "请填写年度", "", nil},
		{"formula as year", "年度", "=2024", nil, nil, "", "4 位数字的年份", "", nil},
		{"unknown region code", "地区代码", "999999", nil, nil, "", "地区代码“999999”不存在", "", nil},
		{"county code", "地区代码", "220102", nil, map[string]string{"地区": ""}, "", "", "", func(t *testing.T, r Report) {
			if r.RegionCode != "220102" {
				t.Errorf("RegionCode = %s", r.RegionCode)
			}
		}},
		{"code and name disagree", "地区代码", "220200", nil, nil, "地区", "220200 是吉林市，与地区名称“长春市”不一致", "", nil},
		{"unknown region name", "地区", "长春", nil, nil, "", "地区名称“长春”无法识别", "", nil},
		{"full name with spaces", "地区", "吉林省 长春市", nil, nil, "", "", "", nil},
		{"full name without spaces", "地区", "吉林省长春市", nil, nil, "", "", "", nil},
		{"blank name, code given", "地区", "", nil, nil, "", "", "", nil},
		{"outside the uploader's scope", "地区", "", &Options{CurrentYear: 2026, RegionScope: []string{"220200"}}, nil, "地区代码",
			"不在您的管辖范围内", "", nil},
		{"inside the uploader's scope", "地区", "", &Options{CurrentYear: 2026, RegionScope: casework.DefaultRegions().Descendants("220100")}, nil, "",
			"", "", nil},
		{"insurance type by code", "险种", "pension", nil, nil, "", "", "", nil},
		{"insurance type by old name", "险种", "农村社会养老保险", nil, nil, "", "", "", func(t *testing.T, r Report) {
			if r.Rows[0].InsuranceType != casework.InsuranceResidentPension {
				t.Errorf("InsuranceType = %s", r.Rows[0].InsuranceType)
			}
		}},
		{"unknown insurance type", "险种", "养老", nil, nil, "", "险种“养老”无法识别。请填写以下之一：企业职工基本养老保险", "", nil},
		{"blank insurance type", "险种", "", nil, nil, "", "请填写险种", "", nil},
		{"blank total", "基金收入（万元）", "", nil, nil, "", "请填写基金收入", "", nil},
		{"blank part is zero", "其他收入（万元）", "", nil, nil, "", "", "", func(t *testing.T, r Report) {
			if r.Rows[0].OtherIncomeFen != 0 {
				t.Errorf("OtherIncomeFen = %d", r.Rows[0].OtherIncomeFen)
			}
		}},
		{"negative part", "利息收入（万元）", "-1", nil, nil, "", "利息收入不能为负数", "", nil},
		{"negative accumulated balance", "年末滚存结余（万元）", "-1,234.5", nil, nil, "", "", "", func(t *testing.T, r Report) {
			if r.Rows[0].AccumulatedFen != -1_234_500_000 {
				t.Errorf("AccumulatedFen = %d", r.Rows[0].AccumulatedFen)
			}
		}},
		{"six decimals", "其他收入（万元）", "0.000001", nil, nil, "", "", "", func(t *testing.T, r Report) {
			if r.Rows[0].OtherIncomeFen != 1 {
				t.Errorf("OtherIncomeFen = %d", r.Rows[0].OtherIncomeFen)
			}
		}},
		{"seven decimals", "其他收入（万元）", "0.0000001", nil, nil, "", "最多保留 6 位小数", "", nil},
		{"exponent", "基金支出（万元）", "8E+02", nil, nil, "", "科学计数法", "", nil},
		{"yuan", "基金支出（万元）", "8000000元", nil, nil, "", "单位为万元", "", nil},
		{"command injection", "基金收入（万元）", "=cmd|' /C calc'!A0", nil, nil, "", "金额格式不正确", "", nil},
		{"plus", "基金收入（万元）", "+", nil, nil, "", "不要加“+”号", "", nil},
		{"minus", "基金收入（万元）", "-", nil, nil, "", "金额格式不正确", "", nil},
		{"at", "基金收入（万元）", "@SUM(A1)", nil, nil, "", "金额格式不正确", "", nil},
		{"tab then formula", "基金收入（万元）", "\t=1+1", nil, nil, "", "金额格式不正确", "", nil},
		{"NUL", "基金收入（万元）", "1\x000", nil, nil, "", "金额格式不正确", "", nil},
		{"injection as region name", "地区", "=HYPERLINK(\"http://x\")", nil, nil, "", "无法识别", "", nil},
		{"parts above their total", "保险费收入（万元）", "999", nil, nil, "", "超过了基金收入", "", nil},
		{"balance not income minus expenditure", "本年收支结余（万元）", "1", nil, nil, "", "", "相差", nil},
	}
	base := rowOf(casework.InsurancePension, 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := record(2024, "220100", "长春市", base)
			row[col(tt.column)] = tt.value
			for h, v := range tt.also {
				row[col(h)] = v
			}
			opts := testOpts
			if tt.opts != nil {
				opts = *tt.opts
			}
			res := parseCSVBytes(t, csvBytes(t, header(), row), opts)
			if tt.problem == "" {
				if !res.OK() {
					t.Fatalf("Errors = %+v", res.Errors)
				}
			} else {
				if len(res.Errors) != 1 {
					t.Fatalf("Errors = %+v, want one containing %q", res.Errors, tt.problem)
				}
				p := res.Errors[0]
				wantCol, wantCell := strings.TrimSuffix(tt.column, amountUnit), cellRef(col(tt.column), 2)
				if tt.problem == "超过了基金收入" {
					wantCol, wantCell = "基金收入", cellRef(col("基金收入（万元）"), 2)
				}
				if tt.wantCol != "" {
					wantCol, wantCell = tt.wantCol, cellRef(col(tt.wantCol), 2)
				}
				if p.Row != 2 || p.Column != wantCol || p.Cell != wantCell || !strings.Contains(p.Message, tt.problem) {
					t.Errorf("Errors[0] = %+v, want row 2, %s, %s, containing %q", p, wantCell, wantCol, tt.problem)
				}
			}
			if tt.warning != "" && (len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Message, tt.warning)) {
				t.Errorf("Warnings = %+v, want one containing %q", res.Warnings, tt.warning)
			}
			if tt.warning == "" && len(res.Warnings) != 0 {
				t.Errorf("Warnings = %+v, want none", res.Warnings)
			}
			if tt.check != nil && res.OK() {
				tt.check(t, res.Reports[0])
			}
		})
	}
}

func TestParseDuplicatesAndAccumulated(t *testing.T) {
	y24 := rowOf(casework.InsurancePension, 1)
	y25 := rowOf(casework.InsurancePension, 1)
	y25.AccumulatedFen = y24.AccumulatedFen + y25.BalanceFen + 12_340_000 // 12.34 万元 transferred in
	res := parseCSVBytes(t, csvBytes(t, header(),
		record(2024, "220100", "长春市", y24),
		record(2025, "220100", "长春市", y25),
	), testOpts)
	if !res.OK() {
		t.Fatalf("Errors = %+v", res.Errors)
	}
	checkProblems(t, "Warnings", res.Warnings, []Problem{{3, "P3", "年末滚存结余", "相差 12.34 万元。如有调剂、划转或调整，请在说明中写明。（上年数据在第 2 行）"}})

	res = parseCSVBytes(t, csvBytes(t, header(),
		record(2024, "220100", "长春市", y24),
		record(2024, "220200", "吉林市", y24),
		record(2024, "220100", "长春市", y24),
	), testOpts)
	checkProblems(t, "Errors", res.Errors, []Problem{{4, "D4", "险种", "与第 2 行重复"}})
}

func TestParseCSVRowNumbersAreExcelRows(t *testing.T) {
	good := record(2024, "220100", "长春市", rowOf(casework.InsurancePension, 1))
	bad := record(2024, "220100", "长春市", rowOf(casework.InsuranceMedical, 1))
	bad[0] = "1999"
	var b bytes.Buffer
	b.Write(csvBytes(t, header()))
	b.WriteString("\n\n") // rows 2 and 3 are blank in Excel
	withBreak := slices.Clone(good)
	withBreak[2] = "长春市"
	b.Write(csvBytes(t, withBreak)) // row 4
	b.WriteString(",,,\r\n")        // row 5: only commas, blank
	b.Write(csvBytes(t, bad))       // row 6
	res := parseCSVBytes(t, b.Bytes(), testOpts)
	checkProblems(t, "Errors", res.Errors, []Problem{{6, "A6", "年度", "1999"}})

	// A quoted cell with line breaks is one row.
	multi := append(slices.Clone(header()), "备注")
	r1 := append(slices.Clone(good), "第一行\n第二行\n第三行")
	r2 := append(slices.Clone(bad), "")
	res = parseCSVBytes(t, csvBytes(t, multi, r1, r2), testOpts)
	checkProblems(t, "Errors", res.Errors, []Problem{{3, "A3", "年度", "1999"}})
}

func TestParseCSVBrokenQuotes(t *testing.T) {
	data := append(csvBytes(t, header()), []byte("2024,\"220100,长春市\n")...)
	res := parseCSVBytes(t, data, testOpts)
	checkProblems(t, "Errors", res.Errors, []Problem{{2, "", "", "引号不配对"}})
	data = append(csvBytes(t, header()), []byte("2024,22\"0100,长春市\n")...)
	res = parseCSVBytes(t, data, testOpts)
	checkProblems(t, "Errors", res.Errors, []Problem{{2, "", "", "引号不配对"}})
}

func TestParseLimits(t *testing.T) {
	good := record(2024, "220100", "长春市", rowOf(casework.InsurancePension, 1))
	t.Run("a file above 10 MB is refused unread", func(t *testing.T) {
		data := bytes.Repeat([]byte("a"), MaxFileBytes+1)
		for _, name := range []string{"x.csv", "x.xlsx"} {
			res, err := Parse(bytes.NewReader(data), name, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			checkProblems(t, "Errors", res.Errors, []Problem{{0, "", "", "文件超过 10 MB"}})
		}
	})
	t.Run("10 MB of text junk gives errors", func(t *testing.T) {
		var b bytes.Buffer
		rng := rand.New(rand.NewPCG(3, 4))
		const alphabet = "ab,\"\n=+-@\t\x00 1234567890.长春"
		for b.Len() < MaxFileBytes-8 {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		res := parseCSVBytes(t, b.Bytes(), testOpts)
		if res.OK() || len(res.Errors) > MaxErrors+1 {
			t.Fatalf("got %d errors", len(res.Errors))
		}
	})
	t.Run("a 5 MB line", func(t *testing.T) {
		data := csvBytes(t, header(), good, []string{strings.Repeat("长", 5<<20/3)})
		res := parseCSVBytes(t, data, testOpts)
		if res.OK() || len(res.Errors) > MaxErrors+1 {
			t.Fatalf("got %+v", res.Errors)
		}
		if m := res.Errors[0].Message; len(m) > 1000 {
			t.Errorf("message of %d bytes echoes the cell", len(m))
		}
	})
	t.Run("100k rows stop at the row limit", func(t *testing.T) {
		rows := [][]string{header()}
		for i := range 100_000 {
			r := []string{"2024", "220100", "", []string{"pension", "medical"}[i%2]}
			for range casework.FundColumns() {
				r = append(r, "0")
			}
			rows = append(rows, r)
		}
		res := parseCSVBytes(t, csvBytes(t, rows...), testOpts)
		checkProblems(t, "Errors", res.Errors, []Problem{{0, "", "", "数据超过 5000 行"}})
	})
	t.Run("exactly MaxRows rows are read", func(t *testing.T) {
		rows := [][]string{header()}
		for i := range MaxRows {
			r := slices.Clone(good)
			r[0] = fmt.Sprint(2000 + i%27)
			r[1] = casework.DefaultRegions().Descendants("220000")[i/27%80]
			r[2] = ""
			r[3] = casework.InsuranceTypes()[i/27/80].Label
			rows = append(rows, r)
		}
		res := parseCSVBytes(t, csvBytes(t, rows...), testOpts)
		n := 0
		for _, r := range res.Reports {
			n += len(r.Rows)
		}
		if !res.OK() || n != MaxRows {
			t.Fatalf("Errors %+v, %d rows", res.Errors[:min(3, len(res.Errors))], n)
		}
	})
	t.Run("errors stop at MaxErrors", func(t *testing.T) {
		rows := [][]string{header()}
		for range 1000 {
			r := slices.Clone(good)
			r[0] = "x"
			rows = append(rows, r)
		}
		res := parseCSVBytes(t, csvBytes(t, rows...), testOpts)
		if len(res.Errors) != MaxErrors+1 || !strings.Contains(res.Errors[MaxErrors].Message, "只列出了前 200 条") {
			t.Fatalf("got %d errors, last %+v", len(res.Errors), res.Errors[len(res.Errors)-1])
		}
	})
	t.Run("cells beyond MaxColumns", func(t *testing.T) {
		wide := slices.Clone(good)
		for len(wide) < MaxColumns {
			wide = append(wide, "")
		}
		wide = append(wide, "far away")
		res := parseCSVBytes(t, csvBytes(t, header(), wide), testOpts)
		checkProblems(t, "Errors", res.Errors, []Problem{{2, "BM2", "", "超过了 64 列"}})
		wide[len(wide)-1] = ""
		if res := parseCSVBytes(t, csvBytes(t, header(), wide), testOpts); !res.OK() {
			t.Errorf("blank cells far right are ignored, got %+v", res.Errors)
		}
	})
}

func TestParseDetectsFormat(t *testing.T) {
	csvData := csvBytes(t, header(), record(2024, "220100", "长春市", rowOf(casework.InsurancePension, 1)))
	xlsxData := TemplateXLSX()
	tests := []struct {
		name, file string
		data       []byte
		format     string
		problem    string
	}{
		{"csv", "数据.CSV", csvData, FormatCSV, ""},
		{"txt", "数据.txt", csvData, FormatCSV, ""},
		{"xlsx", "数据.xlsx", xlsxData, FormatXLSX, "标题行下没有数据"},
		{"xlsx named csv", "数据.csv", xlsxData, FormatXLSX, "标题行下没有数据"},
		{"old xls", "数据.xls", []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), "", "旧版 Excel（.xls）"},
		{"broken xlsx", "数据.xlsx", []byte("not a zip"), FormatXLSX, "不是有效的 Excel 工作簿"},
		{"other file", "数据.pdf", []byte("%PDF-1.4"), "", "只能上传 CSV"},
		{"empty", "数据.csv", []byte(" \n"), "", "文件是空的"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(bytes.NewReader(tt.data), tt.file, testOpts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Format != tt.format {
				t.Errorf("Format = %q, want %q", res.Format, tt.format)
			}
			if tt.problem == "" {
				if !res.OK() {
					t.Errorf("Errors = %+v", res.Errors)
				}
				return
			}
			if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, tt.problem) {
				t.Errorf("Errors = %+v, want one containing %q", res.Errors, tt.problem)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, fmt.Errorf("connection reset") }

func TestParseReturnsReadErrors(t *testing.T) {
	if _, err := Parse(failingReader{}, "a.csv", testOpts); err == nil {
		t.Error("Parse: want the reader's error")
	}
	if _, err := ParseXLSX(failingReader{}, testOpts); err == nil {
		t.Error("ParseXLSX: want the reader's error")
	}
}

func TestExcelDecimal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"2024", "2024"},
		{"1234.56", "1234.56"},
		{"1234.5599999999999", "1234.56"},
		{"1234.5600000000001", "1234.56"},
		{"0.30000000000000004", "0.3"},
		{"8.1999999999999993", "8.2"},
		{"1E-3", "0.001"},
		{"1.5E-6", "0.0000015"},
		{"-2.5E+2", "-250"},
		{"1.2345E+10", "12345000000"},
		{"123456789.123456", "123456789.123456"},
		{"999999999999999.9", "1000000000000000"},
		{"0.1234567890123456789", "0.123456789012346"},
		{"00012.500", "12.5"},
		{".5", "0.5"},
	}
	for _, tt := range tests {
		got, ok := excelDecimal(tt.in)
		if !ok || got != tt.want {
			t.Errorf("excelDecimal(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, bad := range []string{"", "-", ".", "1e", "1E+999", "abc", "1.2.3", "12a", "--1", "#DIV/0!", "1,000"} {
		if got, ok := excelDecimal(bad); ok {
			t.Errorf("excelDecimal(%q) = %q, want not a number", bad, got)
		}
	}
}

func TestHelpers(t *testing.T) {
	for col, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 63: "BL", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := columnLetters(col); got != want {
			t.Errorf("columnLetters(%d) = %s, want %s", col, got, want)
		}
		if got, ok := refColumn(want + "12"); !ok || got != col {
			t.Errorf("refColumn(%s12) = %d, %v", want, got, ok)
		}
	}
	for _, bad := range []string{"", "12", "A", "XFE1", "a1", "AAAAAAAA1"} {
		if _, ok := refColumn(bad); ok {
			t.Errorf("refColumn(%q) accepted", bad)
		}
	}
	if got := excerpt("a\x00b\tc" + strings.Repeat("长", 30)); got != "“a b c"+strings.Repeat("长", 15)+"…”" {
		t.Errorf("excerpt = %s", got)
	}
	for code, want := range map[string]bool{
		"yyyy": true, "yyyy\"年\"m\"月\"d\"日\"": true, "[$-804]yyyy/m/d": true, "h:mm:ss": true,
		"0.00": false, "#,##0.00####": false, "\"days\"0": false, "[Red]0.00": false, "0.00_);[Red](0.00)": false,
		"General": false, "0.00E+00": false, "#,##0 \"万元\"": false, "\\d0": false,
	} {
		if got := isDateFormat(code); got != want {
			t.Errorf("isDateFormat(%q) = %v, want %v", code, got, want)
		}
	}
	for _, tt := range []struct {
		serial string
		f1904  bool
		year   int
	}{
		{"45292", false, 2024}, {"45657", false, 2024}, {"45658", false, 2025}, {"45292.75", false, 2024},
		{"43830", true, 2024}, {"1", false, 1900}, {"60", false, 1900}, {"61", false, 1900}, {"367", false, 1901},
	} {
		if got, ok := serialYear(tt.serial, tt.f1904); !ok || got != tt.year {
			t.Errorf("serialYear(%s, %v) = %d, %v; want %d", tt.serial, tt.f1904, got, ok, tt.year)
		}
	}
	for _, bad := range []string{"-1", "x", "99999999"} {
		if _, ok := serialYear(bad, false); ok {
			t.Errorf("serialYear(%q) accepted", bad)
		}
	}
}
