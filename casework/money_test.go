package casework

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseYuanAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int64
	}{
		{"whole yuan", "12345", 1234500},
		{"one decimal", "12345.6", 1234560},
		{"two decimals", "12345.67", 1234567},
		{"thousands commas", "1,234,567.89", 123456789},
		{"commas without decimals", "100,000", 10000000},
		{"zero", "0", 0},
		{"zero with decimals", "0.00", 0},
		{"a fen that floats get wrong", "0.29", 29},
		{"another fen that floats get wrong", "1.15", 115},
		{"surrounding spaces", "  12345.67 \t", 1234567},
		{"ideographic space", "\u300012345\u3000", 1234500},
		{"full-width digits and dot", "１２３４５．６７", 1234567},
		{"full-width comma", "１，２３４，５６７．８９", 123456789},
		{"trailing 元", "12345.67元", 1234567},
		{"space before 元", "12345 元", 1234500},
		{"the 重大要情 boundary", "100,000.00", 10000000},
		{"the largest amount", "1,000,000,000,000", MaxAmountFen},
		{"the largest amount with .00", "1000000000000.00", MaxAmountFen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseYuan(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("ParseYuan(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseYuanRejects(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want AmountError
	}{
		{"empty", "", ErrAmountEmpty},
		{"only spaces", "   ", ErrAmountEmpty},
		{"only 元", "元", ErrAmountEmpty},
		{"negative", "-12.5", ErrAmountNegative},
		{"negative full-width", "－12.5", ErrAmountNegative},
		{"three decimals", "12.345", ErrAmountPrecision},
		{"three zero decimals", "12.000", ErrAmountPrecision},
		{"more than a trillion yuan", "1000000000000.01", ErrAmountTooLarge},
		{"fourteen digits", "10000000000000", ErrAmountTooLarge},
		{"a hundred digits", strings.Repeat("9", 100), ErrAmountTooLarge},
		{"万 unit", "12万", ErrAmountUnit},
		{"万元 unit", "12万元", ErrAmountUnit},
		{"亿 unit", "1.2亿", ErrAmountUnit},
		{"comma in the wrong place", "12,34.00", ErrAmountGrouping},
		{"first group too long", "1234,567", ErrAmountGrouping},
		{"last group too short", "1,23", ErrAmountGrouping},
		{"double comma", "1,,234", ErrAmountGrouping},
		{"leading comma", ",123", ErrAmountGrouping},
		{"trailing comma", "123,", ErrAmountGrouping},
		{"comma in the decimals", "1.2,3", ErrAmountMalformed},
		{"a letter in a comma group", "1,23a", ErrAmountMalformed},
		{"exponent", "1e5", ErrAmountMalformed},
		{"exponent after decimals", "1.5e3", ErrAmountMalformed},
		{"hex", "0x10", ErrAmountMalformed},
		{"NaN", "NaN", ErrAmountMalformed},
		{"Inf", "Inf", ErrAmountMalformed},
		{"plus sign", "+12", ErrAmountMalformed},
		{"leading zero", "012", ErrAmountMalformed},
		{"bare dot", ".", ErrAmountMalformed},
		{"no integer part", ".5", ErrAmountMalformed},
		{"no decimals after dot", "12.", ErrAmountMalformed},
		{"two dots", "1.2.3", ErrAmountMalformed},
		{"inner space", "12 345", ErrAmountMalformed},
		{"yen sign", "¥12", ErrAmountMalformed},
		{"Chinese numerals", "一万", ErrAmountUnit},
		{"Chinese numerals without unit", "一千", ErrAmountMalformed},
		{"元 twice", "12元元", ErrAmountMalformed},
		{"Arabic-Indic digits", "١٢", ErrAmountMalformed},
		{"invalid UTF-8", "12\xff", ErrAmountMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseYuan(tt.in)
			if !errors.Is(err, tt.want) {
				t.Errorf("ParseYuan(%q) = %d, %v; want error %q", tt.in, got, err, tt.want)
			}
			if got != 0 {
				t.Errorf("ParseYuan(%q) returned %d with an error, want 0", tt.in, got)
			}
		})
	}
}

func TestAmountErrorIsChineseForTheField(t *testing.T) {
	_, err := ParseYuan("1.234")
	var ae AmountError
	if !errors.As(err, &ae) || ae.Error() != "金额最多保留两位小数。" {
		t.Fatalf("ParseYuan(1.234) error = %v, want the precision message", err)
	}
}

func TestFormatYuan(t *testing.T) {
	tests := []struct {
		fen  int64
		want string
	}{
		{0, "0.00"},
		{1, "0.01"},
		{10, "0.10"},
		{99, "0.99"},
		{100, "1.00"},
		{123456, "1,234.56"},
		{123456789, "1,234,567.89"},
		{100000000, "1,000,000.00"},
		{MaxAmountFen, "1,000,000,000,000.00"},
		{-123456, "-1,234.56"},
		{math.MaxInt64, "92,233,720,368,547,758.07"},
		{math.MinInt64, "-92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := FormatYuan(tt.fen); got != tt.want {
			t.Errorf("FormatYuan(%d) = %q, want %q", tt.fen, got, tt.want)
		}
	}
}

func TestFormatAmountCN(t *testing.T) {
	tests := []struct {
		name string
		fen  int64
		want string
	}{
		{"zero in yuan", 0, "0.00元"},
		{"below 1万 in yuan", 123456, "1,234.56元"},
		{"just below 1万 in yuan", 999999, "9,999.99元"},
		{"1万 in 万元", 1000000, "1.00万元"},
		{"rounds half up in 万元", 12345678, "12.35万元"},
		{"rounds down in 万元", 12344999, "12.34万元"},
		{"the 重大要情 boundary", 10000000, "10.00万元"},
		{"thousands of 万 grouped", 9999000000, "9,999.00万元"},
		{"just below 1亿 rounding up shows 亿", 9999999999, "1.00亿元"},
		{"just below 1亿 staying in 万", 9999990000, "9,999.99万元"},
		{"1亿 in 亿元", 10000000000, "1.00亿元"},
		{"1.2亿", 12000000000, "1.20亿元"},
		{"rounds half up in 亿元", 12350000000, "1.24亿元"},
		{"the largest amount", MaxAmountFen, "10,000.00亿元"},
		{"negative", -12345678, "-12.35万元"},
		{"MinInt64 does not overflow", math.MinInt64, "-922,337,203.69亿元"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatAmountCN(tt.fen); got != tt.want {
				t.Errorf("FormatAmountCN(%d) = %q, want %q", tt.fen, got, tt.want)
			}
		})
	}
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{
		"12345", "12345.6", "12345.67", "1,234,567.89", " 12 ", "１２３４５．６７", "12元",
		"", "-1", "1.234", "1e5", "0x10", "NaN", "1000000000000.01", "12,34", "99,999.99", "100,000.00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, err := ParseYuan(s)
		if err != nil {
			var ae AmountError
			if !errors.As(err, &ae) || fen != 0 {
				t.Fatalf("ParseYuan(%q) = %d, %v: want 0 and an AmountError", s, fen, err)
			}
			return
		}
		if fen < 0 || fen > MaxAmountFen {
			t.Fatalf("ParseYuan(%q) = %d, out of range", s, fen)
		}
		shown := FormatYuan(fen)
		back, err := ParseYuan(shown)
		if err != nil || back != fen {
			t.Fatalf("ParseYuan(%q) = %d, FormatYuan = %q, ParseYuan again = %d, %v", s, fen, shown, back, err)
		}
		if FormatAmountCN(fen) == "" {
			t.Fatalf("FormatAmountCN(%d) is empty", fen)
		}
	})
}
