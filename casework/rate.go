package casework

import (
	"strconv"
	"strings"
)

// ParseBasisPoints reads a rate in percent as people write it ("2.62",
// "2.62%", "６.１２％") into hundredths of a percent (262), exactly: no
// floating point, at most two decimals, 0 to 100%.
func ParseBasisPoints(s string) (int64, error) {
	s = strings.TrimSpace(fullWidthToASCII(s))
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	if s == "" {
		return 0, AmountError("请填写利率，例如 2.62。")
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (dot && (frac == "" || !allDigits(frac))) || len(whole) > 3 {
		return 0, AmountError("请填写百分数，例如 2.62（表示 2.62%）。")
	}
	if len(frac) > 2 {
		return 0, AmountError("利率最多保留两位小数。")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	bp := w*100 + f
	if bp > 10000 {
		return 0, AmountError("利率不能超过 100%。")
	}
	return bp, nil
}

// FormatBasisPoints writes hundredths of a percent as a percent number
// with two decimals: 262 is "2.62".
func FormatBasisPoints(bp int64) string {
	neg := bp < 0
	if neg {
		bp = -bp
	}
	s := strconv.FormatInt(bp/100, 10) + "." + twoDigits(uint64(bp%100))
	if neg {
		return "-" + s
	}
	return s
}

// fullWidthToASCII maps full-width digits, signs and punctuation that
// Chinese input methods produce (０-９，．－％) to their ASCII forms.
func fullWidthToASCII(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．' || r == '。':
			return '.'
		case r == '，':
			return ','
		case r == '－' || r == '−':
			return '-'
		case r == '％':
			return '%'
		case r == '　':
			return ' '
		}
		return r
	}, s)
}
