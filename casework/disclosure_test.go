package casework

import (
	"errors"
	"math"
	"strings"
	"testing"

	"fundwatch/store"
)

func TestParseWanYuanAccepts(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		negativeOK bool
		want       int64
	}{
		{"whole 万元", "12345", false, 12_345_000_000},
		{"two decimals", "12345.67", false, 12_345_670_000},
		{"thousands commas", "12,345.67", false, 12_345_670_000},
		{"six decimals is one fen", "0.000001", false, 1},
		{"six decimals", "1.234567", false, 1_234_567},
		{"a value floats get wrong", "0.29", false, 290_000},
		{"another one", "1.15", false, 1_150_000},
		{"zero", "0", false, 0},
		{"zero with decimals", "0.00", false, 0},
		{"negative zero where negatives are refused", "-0", false, 0},
		{"full-width digits comma dot", "１２，３４５．６７", false, 12_345_670_000},
		{"full-width minus", "－１２．５", true, -12_500_000},
		{"minus sign U+2212", "\u221212.5", true, -12_500_000},
		{"negative with commas", "-1,234.5", true, -1_234_500_000},
		{"surrounding spaces and ideographic space", "\u3000 12.5\t", false, 12_500_000},
		{"trailing 万元", "12.5万元", false, 12_500_000},
		{"trailing 万", "12.5 万", false, 12_500_000},
		{"largest amount", "10,000,000,000", false, MaxFundFen},
		{"largest negative", "-10000000000.000000", true, -MaxFundFen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWanYuan(tt.in, tt.negativeOK)
			if err != nil || got != tt.want {
				t.Errorf("ParseWanYuan(%q, %v) = %d, %v; want %d", tt.in, tt.negativeOK, got, err, tt.want)
			}
		})
	}
}

func TestParseWanYuanRejects(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		negativeOK bool
		want       AmountError
	}{
		{"blank", "", true, ErrWanYuanEmpty},
		{"spaces", " \u3000 ", true, ErrWanYuanEmpty},
		{"only the unit", "万元", true, ErrWanYuanEmpty},
		{"negative where refused", "-12.5", false, ErrWanYuanNegative},
		{"full-width negative where refused", "－１", false, ErrWanYuanNegative},
		{"seven decimals", "1.2345678", true, ErrWanYuanPrecision},
		{"seven zero decimals", "1.0000000", true, ErrWanYuanPrecision},
		{"above the maximum", "10000000000.000001", true, ErrWanYuanTooLarge},
		{"below the minimum", "-10000000000.000001", true, ErrWanYuanTooLarge},
		{"twelve digits", "100000000000", true, ErrWanYuanTooLarge},
		{"a hundred digits", strings.Repeat("9", 100), true, ErrWanYuanTooLarge},
		{"yuan", "120000元", true, ErrWanYuanUnit},
		{"亿", "1.2亿", true, ErrWanYuanUnit},
		{"exponent", "1.2E+05", true, ErrWanYuanExponent},
		{"small exponent", "1e-3", true, ErrWanYuanExponent},
		{"plus sign", "+12", true, ErrWanYuanPlus},
		{"lone plus", "+", true, ErrWanYuanPlus},
		{"accounting parentheses", "(12.34)", true, ErrWanYuanParens},
		{"leading zeros", "012.5", true, ErrWanYuanZeros},
		{"bad grouping", "1,23,456", true, ErrAmountGrouping},
		{"lone minus", "-", true, ErrWanYuanMalformed},
		{"double minus", "--1", true, ErrWanYuanMalformed},
		{"formula", "=cmd|' /C calc'!A0", true, ErrWanYuanMalformed},
		{"at sign", "@SUM(A1)", true, ErrWanYuanMalformed},
		{"tab inside", "12\t5", true, ErrWanYuanMalformed},
		{"NUL", "12\x005", true, ErrWanYuanMalformed},
		{"no integer part", ".5", true, ErrWanYuanMalformed},
		{"no decimals after dot", "5.", true, ErrWanYuanMalformed},
		{"two dots", "1.2.3", true, ErrWanYuanMalformed},
		{"space as thousands separator", "12 345", true, ErrWanYuanMalformed},
		{"Chinese numerals", "十二", true, ErrWanYuanMalformed},
		{"letters", "abc", true, ErrWanYuanMalformed},
		{"NaN", "NaN", true, ErrWanYuanMalformed},
		{"Inf", "-Inf", true, ErrWanYuanMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseWanYuan(tt.in, tt.negativeOK)
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseWanYuan(%q, %v) = %d, %v; want %v", tt.in, tt.negativeOK, got, err, tt.want)
			}
		})
	}
}

func TestFormatWanYuan(t *testing.T) {
	tests := []struct {
		fen          int64
		grouped, raw string
	}{
		{0, "0.00", "0.00"},
		{1, "0.000001", "0.000001"},
		{10_000, "0.01", "0.01"},
		{12_345_670_000, "12,345.67", "12345.67"},
		{12_345_000_000, "12,345.00", "12345.00"},
		{12_345_678_900, "12,345.6789", "12345.6789"},
		{12_345_600_000, "12,345.60", "12345.60"},
		{-1_234_500_000, "-1,234.50", "-1234.50"},
		{-1, "-0.000001", "-0.000001"},
		{999_990_000, "999.99", "999.99"},
		{MaxFundFen, "10,000,000,000.00", "10000000000.00"},
		{math.MinInt64, "-9,223,372,036,854.775808", "-9223372036854.775808"},
	}
	for _, tt := range tests {
		if got := FormatWanYuan(tt.fen); got != tt.grouped {
			t.Errorf("FormatWanYuan(%d) = %q, want %q", tt.fen, got, tt.grouped)
		}
		if got := FormatWanYuanPlain(tt.fen); got != tt.raw {
			t.Errorf("FormatWanYuanPlain(%d) = %q, want %q", tt.fen, got, tt.raw)
		}
	}
}

func TestFormatWanYuanReadsBack(t *testing.T) {
	for _, fen := range []int64{0, 1, 7, 99, 100, 10_000, 123_456_789, -987_654_321, MaxFundFen, -MaxFundFen, 1_000_001} {
		for _, s := range []string{FormatWanYuan(fen), FormatWanYuanPlain(fen)} {
			got, err := ParseWanYuan(s, true)
			if err != nil || got != fen {
				t.Errorf("ParseWanYuan(%q) = %d, %v; want %d", s, got, err, fen)
			}
		}
	}
}

func TestFundColumns(t *testing.T) {
	cols := FundColumns()
	want := []string{"基金收入", "保险费收入", "财政补贴收入", "利息收入", "转移收入", "其他收入",
		"基金支出", "社会保险待遇支出", "转移支出", "其他支出", "本年收支结余", "年末滚存结余"}
	if len(cols) != len(want) {
		t.Fatalf("FundColumns() has %d columns, want %d", len(cols), len(want))
	}
	var row store.FundRow
	seen := map[int64]bool{}
	for i, c := range cols {
		if c.Header != want[i] {
			t.Errorf("column %d header = %q, want %q", i, c.Header, want[i])
		}
		if c.NegativeOK != (c.Key == FundBalance || c.Key == FundAccumulated) {
			t.Errorf("column %s NegativeOK = %v", c.Key, c.NegativeOK)
		}
		if c.Required != (c.PartOf == "") {
			t.Errorf("column %s: Required = %v but PartOf = %q", c.Key, c.Required, c.PartOf)
		}
		c.SetAmount(&row, int64(i+1))
		seen[int64(i+1)] = true
		if got, ok := FundColumnByKey(c.Key); !ok || got.Header != c.Header {
			t.Errorf("FundColumnByKey(%q) = %v, %v", c.Key, got.Header, ok)
		}
	}
	// Every column writes its own field: the row now holds 1…12 once each.
	fields := []int64{row.IncomeFen, row.PremiumFen, row.SubsidyFen, row.InterestFen, row.TransferInFen, row.OtherIncomeFen,
		row.ExpenditureFen, row.BenefitFen, row.TransferOutFen, row.OtherExpenditureFen, row.BalanceFen, row.AccumulatedFen}
	for i, v := range fields {
		if v != int64(i+1) || cols[i].Amount(row) != v {
			t.Errorf("field %d = %d, Amount = %d; want %d", i, v, cols[i].Amount(row), i+1)
		}
	}
	if FundHeader(FundInsuranceType) != "险种" || FundHeader("nope") != "nope" {
		t.Errorf("FundHeader fallbacks wrong")
	}
}

// goodRow is a consistent row: parts at or below totals, balance = income − expenditure.
func goodRow() store.FundRow {
	return store.FundRow{
		InsuranceType: InsurancePension,
		IncomeFen:     1_000_000_000, PremiumFen: 600_000_000, SubsidyFen: 300_000_000, InterestFen: 50_000_000,
		TransferInFen: 30_000_000, OtherIncomeFen: 20_000_000,
		ExpenditureFen: 800_000_000, BenefitFen: 700_000_000, TransferOutFen: 50_000_000, OtherExpenditureFen: 50_000_000,
		BalanceFen: 200_000_000, AccumulatedFen: 5_000_000_000,
	}
}

func TestCheckFundRow(t *testing.T) {
	type want struct {
		column string
		diff   int64
		has    string // a fragment of the message
	}
	tests := []struct {
		name     string
		change   func(r *store.FundRow)
		blocking []want
		warnings []want
	}{
		{"consistent row passes", func(r *store.FundRow) {}, nil, nil},
		{"parts below their total pass", func(r *store.FundRow) { r.OtherIncomeFen = 0; r.OtherExpenditureFen = 0 }, nil, nil},
		{"negative balances pass", func(r *store.FundRow) {
			r.IncomeFen, r.PremiumFen, r.SubsidyFen, r.InterestFen, r.TransferInFen, r.OtherIncomeFen = 100, 100, 0, 0, 0, 0
			r.BalanceFen = 100 - r.ExpenditureFen
			r.AccumulatedFen = -5
		}, nil, nil},
		{"income parts above income block", func(r *store.FundRow) { r.PremiumFen += 10_000 },
			[]want{{FundIncome, 0, "多 0.01 万元"}}, nil},
		{"expenditure parts above expenditure block", func(r *store.FundRow) { r.BenefitFen += 1 },
			[]want{{FundExpenditure, 0, "社会保险待遇支出、转移支出、其他支出之和"}}, nil},
		{"one part alone above its total blocks", func(r *store.FundRow) {
			r.PremiumFen, r.SubsidyFen, r.InterestFen, r.TransferInFen, r.OtherIncomeFen = 2_000_000_000, 0, 0, 0, 0
		}, []want{{FundIncome, 0, "超过了基金收入"}}, nil},
		{"negative part blocks", func(r *store.FundRow) { r.InterestFen = -1; r.PremiumFen++ },
			[]want{{FundInterest, 0, "利息收入不能为负数"}}, nil},
		{"negative total blocks", func(r *store.FundRow) {
			r.ExpenditureFen, r.BenefitFen, r.TransferOutFen, r.OtherExpenditureFen = -1, 0, 0, 0
			r.BalanceFen = r.IncomeFen + 1
		}, []want{{FundExpenditure, 0, "不能为负数"}, {FundExpenditure, 0, "超过了基金支出"}}, nil},
		{"unknown insurance type blocks", func(r *store.FundRow) { r.InsuranceType = "pension2" },
			[]want{{FundInsuranceType, 0, "险种不正确"}}, nil},
		{"amount out of range blocks and stops the sums", func(r *store.FundRow) { r.PremiumFen = math.MaxInt64 },
			[]want{{FundPremium, 0, "金额过大"}}, nil},
		{"balance not income minus expenditure warns with the difference", func(r *store.FundRow) { r.BalanceFen += 1_230_000 },
			nil, []want{{FundBalance, 1_230_000, "相差 1.23 万元"}}},
		{"balance below warns with a negative difference", func(r *store.FundRow) { r.BalanceFen -= 1 },
			nil, []want{{FundBalance, -1, "相差 -0.000001 万元"}}},
	}
	check := func(t *testing.T, kind string, got []FundProblem, want []want) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s = %+v, want %d problems", kind, got, len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.Column != w.column || g.DiffFen != w.diff || !strings.Contains(g.Message, w.has) || g.Header != FundHeader(w.column) {
				t.Errorf("%s[%d] = %+v, want column %s diff %d containing %q", kind, i, g, w.column, w.diff, w.has)
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := goodRow()
			tt.change(&row)
			blocking, warnings := CheckFundRow(row)
			check(t, "blocking", blocking, tt.blocking)
			check(t, "warnings", warnings, tt.warnings)
		})
	}
}

func TestCheckAccumulated(t *testing.T) {
	prev := goodRow()
	tests := []struct {
		name     string
		balance  int64
		accum    int64
		wantDiff int64
	}{
		{"identity holds", 200_000_000, 5_200_000_000, 0},
		{"deficit year holds", -300_000_000, 4_700_000_000, 0},
		{"transfer makes it differ", 200_000_000, 5_250_000_000, 50_000_000},
		{"adjustment below", 200_000_000, 5_199_999_999, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := goodRow()
			cur.BalanceFen, cur.AccumulatedFen = tt.balance, tt.accum
			got := CheckAccumulated(prev, cur)
			if tt.wantDiff == 0 {
				if got != nil {
					t.Fatalf("CheckAccumulated = %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Column != FundAccumulated || got[0].DiffFen != tt.wantDiff ||
				!strings.Contains(got[0].Message, "相差 "+FormatWanYuan(tt.wantDiff)+" 万元") {
				t.Errorf("CheckAccumulated = %+v, want one warning with diff %d", got, tt.wantDiff)
			}
		})
	}
	huge := goodRow()
	huge.AccumulatedFen = math.MaxInt64
	if got := CheckAccumulated(prev, huge); got != nil {
		t.Errorf("out-of-range amounts are CheckFundRow's to block, got %+v", got)
	}
}

func TestFindPersonalData(t *testing.T) {
	type hit struct {
		kind string
		text string // the text the finding covers
	}
	tests := []struct {
		name  string
		text  string
		names []string
		want  []hit
	}{
		{"nothing", "经查，某县社保局挪用基金 120 万元，已全部追回。", nil, nil},
		{"ID number", "身份证号11010519491231002X，", nil, []hit{{PersonalIDNumber, "11010519491231002X"}}},
		{"ID number lowercase x and full-width", "号码：１１０１０５１９４９１２３１００２ｘ。", nil, []hit{{PersonalIDNumber, "１１０１０５１９４９１２３１００２ｘ"}}},
		{"ID number all digits", "440524188001015368", nil, []hit{{PersonalIDNumber, "440524188001015368"}}},
		{"bad checksum is no ID", "110105194912310021", nil, nil},
		{"ID inside a longer run is no ID", "1101051949123100211", nil, nil},
		{"old 15-digit ID", "旧证 110105491231002 号", nil, []hit{{PersonalOldIDNumber, "110105491231002"}}},
		{"15 digits without a date", "流水号 110105491331002", nil, nil},
		{"mobile", "联系电话13812345678。", nil, []hit{{PersonalMobile, "13812345678"}}},
		{"mobile with spaces", "电话 138 1234 5678 转", nil, []hit{{PersonalMobile, "138 1234 5678"}}},
		{"mobile with hyphens", "138-1234-5678", nil, []hit{{PersonalMobile, "138-1234-5678"}}},
		{"mobile after +86", "+86 13812345678", nil, []hit{{PersonalMobile, "13812345678"}}},
		{"mobile glued to 86", "+8613812345678", nil, []hit{{PersonalMobile, "8613812345678"}}},
		{"mobile full-width", "１３８１２３４５６７８", nil, []hit{{PersonalMobile, "１３８１２３４５６７８"}}},
		{"12 starts no mobile", "12812345678", nil, nil},
		{"longer run is no mobile", "138123456789", nil, nil},
		{"mobile after another number", "第5 13812345678", nil, []hit{{PersonalMobile, "13812345678"}}},
		{"landline with hyphen", "电话0431-88886666。", nil, []hit{{PersonalLandline, "0431-88886666"}}},
		{"landline in parentheses", "（0431）88886666", nil, []hit{{PersonalLandline, "（0431）88886666"}}},
		{"landline Beijing", "010-12345678", nil, []hit{{PersonalLandline, "010-12345678"}}},
		{"landline as one run", "043188886666", nil, []hit{{PersonalLandline, "043188886666"}}},
		{"a date is no phone", "2024-01-15 至 2024-03-31", nil, nil},
		{"amount is no phone", "涉及金额 1,234,567.89 元", nil, nil},
		{"hotline 12333 is no phone", "拨打 12333 咨询", nil, nil},
		{"name", "举报人张三反映，张三的单位……", []string{"张三"}, []hit{{PersonalName, "张三"}, {PersonalName, "张三"}}},
		{"name with spaces around in the list", "李四", []string{" 李四 "}, []hit{{PersonalName, "李四"}}},
		{"one-character names are skipped", "王某某", []string{"王", ""}, nil},
		{"everything in order", "张三（身份证11010519491231002X，电话13812345678）",
			[]string{"张三"}, []hit{{PersonalName, "张三"}, {PersonalIDNumber, "11010519491231002X"}, {PersonalMobile, "13812345678"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindPersonalData(tt.text, tt.names)
			if len(got) != len(tt.want) {
				t.Fatalf("FindPersonalData(%q) = %+v, want %d findings", tt.text, got, len(tt.want))
			}
			runes := []rune(tt.text)
			for i, w := range tt.want {
				g := got[i]
				if g.Kind != w.kind || tt.text[g.Start:g.End] != w.text || string(runes[g.StartChar:g.EndChar]) != w.text {
					t.Errorf("finding %d = %+v (%q), want %s %q", i, g, tt.text[g.Start:g.End], w.kind, w.text)
				}
				if g.Description == "" || strings.Contains(g.Description, w.text) && w.kind != PersonalName && len(w.text) > 8 {
					t.Errorf("finding %d description %q should describe it masked", i, g.Description)
				}
			}
		})
	}
}

func TestFindPersonalDataLongText(t *testing.T) {
	text := strings.Repeat("1 2 3 4 5 6 7 8 9 0 ", 20_000) + "13812345678"
	got := FindPersonalData(text, []string{"张三"})
	if len(got) != 1 || got[0].Kind != PersonalMobile {
		t.Fatalf("got %d findings, want the one mobile at the end", len(got))
	}
}
