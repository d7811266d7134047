package casework

import (
	"slices"
	"strings"

	"fundwatch/store"
)

// Fund disclosure (信息披露, DOMAIN.md "Disclosure"): the amounts of a fund
// report in 万元 as people type them, the columns of the published table,
// and the checks a report must pass before it can be published.
//
// 1 万元 is 1,000,000 fen, so an amount in 万元 has at most six decimals to
// be exact; the store keeps fen (store.FundRow) and nothing in between is a
// float.

// fenPerWan is one 万元 in fen.
const fenPerWan = 1_000_000

// MaxFundFen bounds every amount of a fund report: 100 万亿元
// (10,000,000,000 万元), far above any fund, low enough that the sum of the
// five income parts cannot overflow an int64.
const MaxFundFen int64 = 10_000_000_000 * fenPerWan

// maxWanIntDigits bounds the integer part of an amount in 万元 before it is
// converted: 10,000,000,000 has 11 digits.
const maxWanIntDigits = 11

// Reasons ParseWanYuan refuses an amount, in Chinese for the cell or field
// they are shown next to; they say what to write instead.
const (
	ErrWanYuanEmpty     AmountError = "请填写金额（单位：万元），没有发生额的填 0。"
	ErrWanYuanNegative  AmountError = "此项不能为负数，请填写 0 或正数。"
	ErrWanYuanPrecision AmountError = "金额最多保留 6 位小数（0.000001 万元即 1 分），请核对。"
	ErrWanYuanTooLarge  AmountError = "金额过大，最多为 10,000,000,000 万元，请核对单位是否为万元。"
	ErrWanYuanUnit      AmountError = "本表金额单位为万元，请换算为万元后只填写数字，例如 12.5 万元填 12.5。"
	ErrWanYuanExponent  AmountError = "请不要使用科学计数法（如 1.2E+05），请填写完整的数字，例如 120000。"
	ErrWanYuanPlus      AmountError = "金额前不要加“+”号，请只填写数字，例如 12345.67。"
	ErrWanYuanParens    AmountError = "负数请写作 -12.34 的形式，不要用括号。"
	ErrWanYuanZeros     AmountError = "整数部分不要以 0 开头，例如应写作 12.5 而不是 012.5。"
	ErrWanYuanMalformed AmountError = "金额格式不正确，请只填写数字（单位：万元），例如 12345.67 或 12,345.67。"
)

// ParseWanYuan reads an amount in 万元 as it is typed into a form or a
// spreadsheet cell and returns it in fen, exactly: the digits are read as
// digits, never through a float, so 0.000001 万元 is 1 fen.
//
// Accepted: "12345", "12345.67", "12,345.67" (commas only in correct
// thousands groups), up to six decimals, surrounding spaces, full-width
// digits, comma, dot and minus (Chinese input methods in full-width mode),
// a redundant trailing "万元" or "万", and a leading minus ("-" or "−") when
// negativeOK (balances may be negative; "-0" is 0). Refused, each with its
// own AmountError: blank (ErrWanYuanEmpty: a caller for which a blank cell
// means zero tests for it with errors.Is), more than six decimals,
// exponents, a plus sign, accounting parentheses, other units (元, 亿),
// leading zeros, and anything above MaxFundFen.
func ParseWanYuan(s string, negativeOK bool) (int64, error) {
	s = strings.TrimSpace(foldWidth(s))
	for _, unit := range []string{"万元", "万"} {
		if t, ok := strings.CutSuffix(s, unit); ok {
			s = strings.TrimSpace(t)
			break
		}
	}
	if s == "" {
		return 0, ErrWanYuanEmpty
	}
	if strings.HasSuffix(s, "元") || strings.HasSuffix(s, "亿") {
		return 0, ErrWanYuanUnit
	}
	neg := false
	if t, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, t
	} else if t, ok := strings.CutPrefix(s, "\u2212"); ok {
		neg, s = true, t
	}
	switch {
	case s == "":
		return 0, ErrWanYuanMalformed
	case s[0] == '+':
		return 0, ErrWanYuanPlus
	case s[0] == '(' && strings.HasSuffix(s, ")"):
		return 0, ErrWanYuanParens
	case strings.ContainsAny(s, "eE") && strings.ContainsAny(s, "0123456789"):
		return 0, ErrWanYuanExponent
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if hasDot {
		if !allDigits(frac) {
			return 0, ErrWanYuanMalformed
		}
		if len(frac) > 6 {
			return 0, ErrWanYuanPrecision
		}
	}
	digits, err := ungroup(intPart)
	if err != nil {
		if err == ErrAmountGrouping {
			return 0, err
		}
		return 0, ErrWanYuanMalformed
	}
	if len(digits) > 1 && digits[0] == '0' {
		return 0, ErrWanYuanZeros
	}
	if len(digits) > maxWanIntDigits {
		return 0, ErrWanYuanTooLarge
	}
	var fen int64
	for i := range len(digits) {
		fen = fen*10 + int64(digits[i]-'0')
	}
	fen *= fenPerWan
	scale := int64(fenPerWan / 10)
	for i := range len(frac) {
		fen += int64(frac[i]-'0') * scale
		scale /= 10
	}
	if fen > MaxFundFen {
		return 0, ErrWanYuanTooLarge
	}
	if neg {
		if fen != 0 && !negativeOK {
			return 0, ErrWanYuanNegative
		}
		fen = -fen
	}
	return fen, nil
}

// FormatWanYuan shows an amount in fen as 万元 with thousands commas, the way
// the public tables print it: "12,345.67". It never rounds: an amount that
// is a whole number of 100 yuan (0.01 万元) shows exactly two decimals, and
// any other shows as many decimals as it needs (at most six: 1 fen is
// 0.000001 万元), so "12,345.6789" and "0.000001" are printed as they are.
// A published figure therefore always reads back (ParseWanYuan) to the fen
// it was stored as; the price is a ragged decimal column in the rare table
// with amounts below 100 yuan, which is honest about the data.
func FormatWanYuan(fen int64) string { return formatWan(fen, true) }

// FormatWanYuanPlain is FormatWanYuan without thousands commas ("-12345.67"),
// for CSV and JSON downloads, where a spreadsheet or a program should read
// the cell as a number.
func FormatWanYuanPlain(fen int64) string { return formatWan(fen, false) }

func formatWan(fen int64, group bool) string {
	neg, mag := splitSign(fen)
	whole, frac := mag/fenPerWan, mag%fenPerWan
	var b strings.Builder
	b.WriteString(sign(neg))
	if group {
		b.WriteString(groupThousands(whole))
	} else {
		b.WriteString(uintString(whole))
	}
	digits := []byte{'0', '0', '0', '0', '0', '0'}
	for i := 5; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 6
	for n > 2 && digits[n-1] == '0' {
		n--
	}
	b.WriteByte('.')
	b.Write(digits[:n])
	return b.String()
}

func uintString(n uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}

// Keys of the amount columns of a fund report, used in forms, the JSON API
// and problems; FundColumns gives their Chinese headers.
const (
	FundIncome           = "income"            // 基金收入
	FundPremium          = "premium"           // 保险费收入
	FundSubsidy          = "subsidy"           // 财政补贴收入
	FundInterest         = "interest"          // 利息收入
	FundTransferIn       = "transfer_in"       // 转移收入
	FundOtherIncome      = "other_income"      // 其他收入
	FundExpenditure      = "expenditure"       // 基金支出
	FundBenefit          = "benefit"           // 社会保险待遇支出
	FundTransferOut      = "transfer_out"      // 转移支出
	FundOtherExpenditure = "other_expenditure" // 其他支出
	FundBalance          = "balance"           // 本年收支结余
	FundAccumulated      = "accumulated"       // 年末滚存结余
	// FundInsuranceType is the key problems about the insurance type use.
	FundInsuranceType = "insurance_type" // 险种
)

// FundColumn is one amount column of the published fund table (DOMAIN.md
// "Disclosure"). It is the one list the form, the file import, the checks
// and the public table and downloads all read, so they cannot disagree on
// a header or on which amounts may be negative.
type FundColumn struct {
	Key    string // one of the Fund* keys
	Header string // the Chinese header, without the unit (万元)
	// PartOf is the key of the total this column is a part of (其中),
	// "" for a total.
	PartOf string
	// NegativeOK: only the balances may be negative (a deficit year).
	NegativeOK bool
	// Required: a blank total is an error; a blank part is zero, as in
	// printed statistical tables.
	Required bool
	field    func(*store.FundRow) *int64
}

// Amount returns this column's amount of row, in fen.
func (c FundColumn) Amount(row store.FundRow) int64 { return *c.field(&row) }

// SetAmount sets this column's amount of row, in fen.
func (c FundColumn) SetAmount(row *store.FundRow, fen int64) { *c.field(row) = fen }

var fundColumns = []FundColumn{
	{FundIncome, "基金收入", "", false, true, func(r *store.FundRow) *int64 { return &r.IncomeFen }},
	{FundPremium, "保险费收入", FundIncome, false, false, func(r *store.FundRow) *int64 { return &r.PremiumFen }},
	{FundSubsidy, "财政补贴收入", FundIncome, false, false, func(r *store.FundRow) *int64 { return &r.SubsidyFen }},
	{FundInterest, "利息收入", FundIncome, false, false, func(r *store.FundRow) *int64 { return &r.InterestFen }},
	{FundTransferIn, "转移收入", FundIncome, false, false, func(r *store.FundRow) *int64 { return &r.TransferInFen }},
	{FundOtherIncome, "其他收入", FundIncome, false, false, func(r *store.FundRow) *int64 { return &r.OtherIncomeFen }},
	{FundExpenditure, "基金支出", "", false, true, func(r *store.FundRow) *int64 { return &r.ExpenditureFen }},
	{FundBenefit, "社会保险待遇支出", FundExpenditure, false, false, func(r *store.FundRow) *int64 { return &r.BenefitFen }},
	{FundTransferOut, "转移支出", FundExpenditure, false, false, func(r *store.FundRow) *int64 { return &r.TransferOutFen }},
	{FundOtherExpenditure, "其他支出", FundExpenditure, false, false, func(r *store.FundRow) *int64 { return &r.OtherExpenditureFen }},
	{FundBalance, "本年收支结余", "", true, true, func(r *store.FundRow) *int64 { return &r.BalanceFen }},
	{FundAccumulated, "年末滚存结余", "", true, true, func(r *store.FundRow) *int64 { return &r.AccumulatedFen }},
}

// FundColumns lists the amount columns in the order of the published table.
func FundColumns() []FundColumn {
	out := make([]FundColumn, len(fundColumns))
	copy(out, fundColumns)
	return out
}

// FundColumnByKey returns the column with the given key.
func FundColumnByKey(key string) (FundColumn, bool) {
	for _, c := range fundColumns {
		if c.Key == key {
			return c, true
		}
	}
	return FundColumn{}, false
}

// FundHeader returns the Chinese header of a column key, "险种" for
// FundInsuranceType, or the key itself when it is unknown.
func FundHeader(key string) string {
	if key == FundInsuranceType {
		return "险种"
	}
	if c, ok := FundColumnByKey(key); ok {
		return c.Header
	}
	return key
}

// FundProblem is one finding of the fund report checks: a blocking problem
// (the report cannot be saved or imported) or a warning (shown, with the
// difference, and the publisher may go on: transfers and adjustments make
// the balance identities fail legitimately).
type FundProblem struct {
	Column  string // the key of the column it concerns (a Fund* key)
	Header  string // that column's Chinese header
	Message string // Chinese, saying what is wrong and what to check
	// DiffFen is the difference a warning found (what the row says minus
	// what the identity gives), 0 for blocking problems.
	DiffFen int64
}

func fundProblem(key, msg string, diff int64) FundProblem {
	return FundProblem{Column: key, Header: FundHeader(key), Message: msg, DiffFen: diff}
}

// CheckFundRow checks one insurance type's line of a fund report.
//
// Blocking: an unknown insurance type; an amount above MaxFundFen in size;
// a negative amount where the column does not allow one; income parts
// (保险费收入 + 财政补贴收入 + 利息收入 + 转移收入 + 其他收入) above 基金收入,
// and expenditure parts (社会保险待遇支出 + 转移支出 + 其他支出) above
// 基金支出. Warning: 本年收支结余 ≠ 基金收入 − 基金支出, with the
// difference. Parts below their total are fine (not every source has a
// column of its own).
func CheckFundRow(row store.FundRow) (blocking, warnings []FundProblem) {
	if !ValidInsuranceType(row.InsuranceType) {
		blocking = append(blocking, fundProblem(FundInsuranceType,
			"险种不正确，请选择或填写规定的险种名称，例如“企业职工基本养老保险”。", 0))
	}
	inRange := true
	for _, c := range fundColumns {
		v := c.Amount(row)
		switch {
		case v > MaxFundFen || v < -MaxFundFen:
			blocking = append(blocking, fundProblem(c.Key, c.Header+"金额过大，最多为 10,000,000,000 万元，请核对单位是否为万元。", 0))
			inRange = false
		case v < 0 && !c.NegativeOK:
			blocking = append(blocking, fundProblem(c.Key, c.Header+"不能为负数（"+FormatWanYuan(v)+" 万元），请核对。", 0))
		}
	}
	if !inRange {
		return blocking, warnings
	}
	for _, total := range []string{FundIncome, FundExpenditure} {
		tc, _ := FundColumnByKey(total)
		var sum int64
		var names []string
		for _, c := range fundColumns {
			if c.PartOf == total {
				sum += c.Amount(row)
				names = append(names, c.Header)
			}
		}
		if t := tc.Amount(row); sum > t {
			blocking = append(blocking, fundProblem(total,
				strings.Join(names, "、")+"之和 "+FormatWanYuan(sum)+" 万元，超过了"+tc.Header+" "+
					FormatWanYuan(t)+" 万元（多 "+FormatWanYuan(sum-t)+" 万元）。其中各项之和不能大于合计，请核对。", 0))
		}
	}
	want := row.IncomeFen - row.ExpenditureFen
	if diff := row.BalanceFen - want; diff != 0 {
		warnings = append(warnings, fundProblem(FundBalance,
			"本年收支结余 "+FormatWanYuan(row.BalanceFen)+" 万元，不等于基金收入减基金支出 "+FormatWanYuan(want)+
				" 万元，相差 "+FormatWanYuan(diff)+" 万元，请核对。", diff))
	}
	return blocking, warnings
}

// CheckAccumulated compares the same insurance type of one region in two
// consecutive years: 年末滚存结余(y) should be 年末滚存结余(y−1) +
// 本年收支结余(y). A difference is a warning, never blocking (transfers
// between levels and accounting adjustments exist); it says by how much.
// The caller pairs the rows (same region and insurance type, cur one year
// after prev).
func CheckAccumulated(prev, cur store.FundRow) []FundProblem {
	for _, v := range []int64{prev.AccumulatedFen, cur.AccumulatedFen, cur.BalanceFen} {
		if v > MaxFundFen || v < -MaxFundFen {
			return nil // CheckFundRow already blocks the row
		}
	}
	want := prev.AccumulatedFen + cur.BalanceFen
	diff := cur.AccumulatedFen - want
	if diff == 0 {
		return nil
	}
	return []FundProblem{fundProblem(FundAccumulated,
		"年末滚存结余 "+FormatWanYuan(cur.AccumulatedFen)+" 万元，不等于上年年末滚存结余 "+
			FormatWanYuan(prev.AccumulatedFen)+" 万元加本年收支结余 "+FormatWanYuan(cur.BalanceFen)+" 万元（"+
			FormatWanYuan(want)+" 万元），相差 "+FormatWanYuan(diff)+" 万元。如有调剂、划转或调整，请在说明中写明。", diff)}
}

// Kinds of personal data FindPersonalData reports.
const (
	PersonalIDNumber    = "id_number"     // 18-character resident ID number, checksum valid
	PersonalOldIDNumber = "old_id_number" // 15-digit first-generation ID number
	PersonalMobile      = "mobile"        // mainland mobile number
	PersonalLandline    = "landline"      // fixed-line number with area code
	PersonalName        = "name"          // one of the names given
)

// PersonalData is one place in a text that looks like personal data. An
// announcement (重大违纪案件通报) must not carry the personal data of
// reporters or uninvolved people, so the editor shows each finding as a
// warning the publisher must look at; it is a warning, not a refusal, since
// a convicted official's name may belong in the text.
type PersonalData struct {
	Kind string // one of the Personal* kinds
	// Start and End are byte offsets of the finding in the text;
	// StartChar and EndChar count characters (runes), as an editor does.
	Start, End         int
	StartChar, EndChar int
	// Description is Chinese and shows the finding masked
	// ("手机号码 138****5678"), so the warning itself spreads nothing.
	Description string
}

// FindPersonalData looks through text for resident ID numbers (18
// characters with a valid birth date and check character, and the old 15
// digit ones with a valid date), mainland mobile numbers (11 digits from
// 13 to 19, also written in groups separated by single spaces or hyphens,
// also after +86), landline numbers with an area code ("0431-88886666",
// "(0431)88886666", or 11–12 digits starting with 0), and every occurrence
// of each of names (names shorter than two characters are skipped: one
// character matches everywhere). Full-width digits count as digits. The
// findings come back in text order; digits that are part of a longer run
// of digits are not taken for a phone number.
func FindPersonalData(text string, names []string) []PersonalData {
	var runes []rune
	var offs []int // byte offset of each rune, plus len(text) at the end
	for i, r := range text {
		runes = append(runes, r)
		offs = append(offs, i)
	}
	offs = append(offs, len(text))
	find := func(kind, desc string, from, to int) PersonalData {
		return PersonalData{Kind: kind, Start: offs[from], End: offs[to], StartChar: from, EndChar: to, Description: desc}
	}

	// Maximal runs of digits, by rune index.
	type run struct {
		from, to int
		digits   string
	}
	var runs []run
	for i := 0; i < len(runes); {
		if _, ok := digitValue(runes[i]); !ok {
			i++
			continue
		}
		j := i
		var b strings.Builder
		for ; j < len(runes); j++ {
			d, ok := digitValue(runes[j])
			if !ok {
				break
			}
			b.WriteByte(d)
		}
		runs = append(runs, run{i, j, b.String()})
		i = j
	}

	var out []PersonalData
	used := make([]bool, len(runs))
	for k, r := range runs {
		n := len(r.digits)
		switch {
		case n == 17 && r.to < len(runes) && (runes[r.to] == 'X' || runes[r.to] == 'x' || runes[r.to] == 'Ｘ' || runes[r.to] == 'ｘ') &&
			(r.to+1 == len(runes) || !isASCIIAlnum(runes[r.to+1])) && ValidIDNumber(r.digits+"X"):
			out = append(out, find(PersonalIDNumber, "身份证号码 "+MaskIDNumber(r.digits+"X"), r.from, r.to+1))
			used[k] = true
		case n == 18 && ValidIDNumber(r.digits):
			out = append(out, find(PersonalIDNumber, "身份证号码 "+MaskIDNumber(r.digits), r.from, r.to))
			used[k] = true
		case n == 15 && validIDDate("19"+r.digits[6:12]):
			out = append(out, find(PersonalOldIDNumber, "疑似旧版 15 位身份证号码 "+MaskIDNumber(r.digits), r.from, r.to))
			used[k] = true
		case n == 13 && strings.HasPrefix(r.digits, "86") && isMobile(r.digits[2:]),
			n == 15 && strings.HasPrefix(r.digits, "0086") && isMobile(r.digits[4:]):
			out = append(out, find(PersonalMobile, "手机号码 "+MaskPhone(r.digits[n-11:]), r.from, r.to))
			used[k] = true
		case n == 11 && r.digits[0] == '0' && r.digits[1] != '0', n == 12 && r.digits[0] == '0' && r.digits[1] != '0':
			out = append(out, find(PersonalLandline, "固定电话号码 "+MaskPhone(r.digits), r.from, r.to))
			used[k] = true
		}
	}
	// Numbers written in groups: join runs separated by one space or dash.
	separated := func(a, b run) bool {
		if b.from-a.to != 1 {
			return false
		}
		s := runes[a.to]
		return s == ' ' || s == '\u3000' || isDash(s) || s == '－'
	}
	for k := 0; k < len(runs); k++ {
		if used[k] {
			continue
		}
		digits, last := runs[k].digits, k
		for len(digits) < 11 && last+1 < len(runs) && !used[last+1] && separated(runs[last], runs[last+1]) {
			last++
			digits += runs[last].digits
		}
		if len(digits) == 11 && isMobile(digits) {
			out = append(out, find(PersonalMobile, "手机号码 "+MaskPhone(digits), runs[k].from, runs[last].to))
			for i := k; i <= last; i++ {
				used[i] = true
			}
			k = last
		}
	}
	// Landlines: an area code, a separator (or a closing parenthesis) and
	// a local number of 7 or 8 digits.
	for k := 0; k+1 < len(runs); k++ {
		a, b := runs[k], runs[k+1]
		if used[k] || used[k+1] || a.digits[0] != '0' || len(a.digits) < 3 || len(a.digits) > 4 || a.digits[1] == '0' ||
			len(b.digits) < 7 || len(b.digits) > 8 {
			continue
		}
		if b.from-a.to > 3 {
			continue
		}
		gap := string(runes[a.to:b.from])
		switch strings.TrimSpace(gap) {
		case "-", "－", "—", ")", "）":
		default:
			if gap != " " {
				continue
			}
		}
		from := a.from
		if from > 0 && (runes[from-1] == '(' || runes[from-1] == '（') {
			from--
		}
		out = append(out, find(PersonalLandline, "固定电话号码 "+MaskPhone(a.digits+"-"+b.digits), from, b.to))
		used[k], used[k+1] = true, true
		k++
	}

	for _, name := range names {
		name = strings.TrimSpace(name)
		if len([]rune(name)) < 2 {
			continue
		}
		for at := 0; ; {
			i := strings.Index(text[at:], name)
			if i < 0 {
				break
			}
			start := at + i
			from := runeIndex(offs, start)
			to := runeIndex(offs, start+len(name))
			out = append(out, find(PersonalName, "姓名“"+MaskName(name)+"”", from, to))
			at = start + len(name)
		}
	}
	sortPersonalData(out)
	return out
}

// digitValue returns the ASCII digit of an ASCII or full-width digit.
func digitValue(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '０' && r <= '９':
		return byte('0' + r - '０'), true
	}
	return 0, false
}

func isASCIIAlnum(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}

// isMobile reports whether 11 ASCII digits are a mainland mobile number
// (13x to 19x).
func isMobile(d string) bool { return len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' }

// runeIndex returns the index of the rune starting at byte offset b.
func runeIndex(offs []int, b int) int {
	lo, hi := 0, len(offs)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if offs[mid] < b {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func sortPersonalData(p []PersonalData) {
	slices.SortStableFunc(p, func(a, b PersonalData) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return a.End - b.End
	})
}
