package casework

import "strings"

// AmountError is why a typed amount was refused. Its text is Chinese and meant
// to be shown next to the form field; compare with errors.Is against the
// ErrAmount values to react to a particular case (an empty optional field).
type AmountError string

func (e AmountError) Error() string { return string(e) }

// Reasons ParseYuan refuses an amount.
const (
	ErrAmountEmpty     AmountError = "请填写金额。"
	ErrAmountNegative  AmountError = "金额不能为负数。"
	ErrAmountPrecision AmountError = "金额最多保留两位小数。"
	ErrAmountTooLarge  AmountError = "金额过大，最多为 1,000,000,000,000 元。"
	ErrAmountUnit      AmountError = "请以“元”为单位填写金额，例如 120000 表示 12 万元。"
	ErrAmountGrouping  AmountError = "千位分隔符位置不正确，例如应写作 1,234,567.89，也可以不写逗号。"
	ErrAmountMalformed AmountError = "金额格式不正确，请只填写数字，例如 12345.67。"
)

// maxAmountYuanDigits bounds the integer part before it is converted, so a long
// digit string is refused before it could overflow: 1,000,000,000,000 has 13.
const maxAmountYuanDigits = 13

// MaxAmountFen is the largest amount ParseYuan accepts: one trillion yuan, far
// above any fund, low enough that sums over many cases stay within int64.
const MaxAmountFen int64 = 1_000_000_000_000 * 100

// ParseYuan reads an amount in yuan as people type it and returns it in fen.
// It never goes through floating point, so 0.29 yuan is exactly 29 fen.
//
// Accepted: "12345", "12345.6", "12345.67", "1,234,567.89" (commas only in
// correct thousands groups), surrounding spaces, full-width digits, dot and
// comma, and a trailing "元". Everything else is refused with an AmountError.
func ParseYuan(s string) (int64, error) {
	s = strings.TrimSpace(foldWidth(s))
	if t, ok := strings.CutSuffix(s, "元"); ok {
		s = strings.TrimSpace(t)
	}
	if s == "" {
		return 0, ErrAmountEmpty
	}
	switch {
	case s[0] == '-':
		return 0, ErrAmountNegative
	case strings.HasSuffix(s, "万") || strings.HasSuffix(s, "亿"):
		return 0, ErrAmountUnit
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if hasDot {
		if !allDigits(frac) {
			return 0, ErrAmountMalformed
		}
		if len(frac) > 2 {
			return 0, ErrAmountPrecision
		}
	}
	digits, err := ungroup(intPart)
	if err != nil {
		return 0, err
	}
	if len(digits) > 1 && digits[0] == '0' {
		return 0, ErrAmountMalformed
	}
	if len(digits) > maxAmountYuanDigits {
		return 0, ErrAmountTooLarge
	}
	var fen int64
	for i := range len(digits) {
		fen = fen*10 + int64(digits[i]-'0')
	}
	fen *= 100
	switch len(frac) {
	case 1:
		fen += int64(frac[0]-'0') * 10
	case 2:
		fen += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	if fen > MaxAmountFen {
		return 0, ErrAmountTooLarge
	}
	return fen, nil
}

// ungroup returns the digits of an integer part written with or without
// thousands commas, refusing commas in the wrong places.
func ungroup(s string) (string, error) {
	if s == "" {
		return "", ErrAmountMalformed
	}
	if !strings.Contains(s, ",") {
		if !allDigits(s) {
			return "", ErrAmountMalformed
		}
		return s, nil
	}
	groups := strings.Split(s, ",")
	for i, g := range groups {
		switch {
		case g == "":
			return "", ErrAmountGrouping
		case !allDigits(g):
			return "", ErrAmountMalformed
		case (i == 0 && len(g) > 3) || (i > 0 && len(g) != 3):
			return "", ErrAmountGrouping
		}
	}
	return strings.Join(groups, ""), nil
}

// allDigits reports whether s is non-empty and only ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatYuan shows an amount in fen as yuan with two decimals and thousands
// commas ("1,234,567.89"), the form ParseYuan reads back.
func FormatYuan(fen int64) string {
	neg, mag := splitSign(fen)
	return sign(neg) + groupThousands(mag/100) + "." + twoDigits(mag%100)
}

// FormatAmountCN shows an amount the way Chinese reports quote large figures:
// "1.20亿元" from 1亿 yuan up, "12.35万元" from 1万 yuan up (both rounded half
// up to two decimals), otherwise "1,234.56元".
func FormatAmountCN(fen int64) string {
	const (
		wanFen = 1_000_000      // 1万元
		yiFen  = 10_000_000_000 // 1亿元
	)
	neg, mag := splitSign(fen)
	if mag < wanFen {
		return sign(neg) + groupThousands(mag/100) + "." + twoDigits(mag%100) + "元"
	}
	// Hundredths of 万元, rounded; 9,999.995万 and up rounds to 1亿 and is
	// shown in 亿元 rather than as "10,000.00万元".
	if wan := (mag + wanFen/200) / (wanFen / 100); mag < yiFen && wan < 100*10_000 {
		return sign(neg) + groupThousands(wan/100) + "." + twoDigits(wan%100) + "万元"
	}
	yi := (mag + yiFen/200) / (yiFen / 100)
	return sign(neg) + groupThousands(yi/100) + "." + twoDigits(yi%100) + "亿元"
}

// splitSign returns whether fen is negative and its magnitude; the magnitude is
// unsigned so that math.MinInt64 has one.
func splitSign(fen int64) (bool, uint64) {
	if fen < 0 {
		return true, uint64(-(fen + 1)) + 1
	}
	return false, uint64(fen)
}

func sign(neg bool) string {
	if neg {
		return "-"
	}
	return ""
}

func twoDigits(n uint64) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// groupThousands writes n in decimal with a comma between groups of three.
func groupThousands(n uint64) string {
	var buf [32]byte
	i := len(buf)
	for d := 0; ; d++ {
		if d > 0 && d%3 == 0 {
			i--
			buf[i] = ','
		}
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(buf[i:])
}
