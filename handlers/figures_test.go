package handlers

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"
)

func TestWanFiguresAreExact(t *testing.T) {
	tests := []struct {
		fen            int64
		plain, grouped string
	}{
		{0, "0.00", "0.00"},
		{1, "0.000001", "0.000001"},
		{10_000, "0.01", "0.01"},
		{500_000, "0.50", "0.50"},
		{1_000_000, "1.00", "1.00"},
		{12_345_678_901, "12345.678901", "12,345.678901"},
		{12_345_670_000, "12345.67", "12,345.67"},
		{123_456_789_000_000, "123456789.00", "123,456,789.00"},
		{-12_500_000, "-12.50", "-12.50"},
		{-1_234_567_890_123, "-1234567.890123", "-1,234,567.890123"},
		{math.MaxInt64, "9223372036854.775807", "9,223,372,036,854.775807"},
		{math.MinInt64, "-9223372036854.775808", "-9,223,372,036,854.775808"},
	}
	for _, tt := range tests {
		if got := wanPlain(tt.fen); got != tt.plain {
			t.Errorf("wanPlain(%d) = %q, want %q", tt.fen, got, tt.plain)
		}
		if got := wanGrouped(tt.fen); got != tt.grouped {
			t.Errorf("wanGrouped(%d) = %q, want %q", tt.fen, got, tt.grouped)
		}
	}
}

func TestPercentOfBasisPoints(t *testing.T) {
	for bp, want := range map[int64]string{0: "0.00", 5: "0.05", 612: "6.12", 1000: "10.00", -5: "-0.05", -250: "-2.50"} {
		if got := percentOfBasisPoints(bp); got != want {
			t.Errorf("percentOfBasisPoints(%d) = %q, want %q", bp, got, want)
		}
	}
}

func TestTableCSVHasABOMAndNeutralisesTextButNotFigures(t *testing.T) {
	var b bytes.Buffer
	rows := [][]string{
		{"险种", "基金收入"},
		{"=cmd|' /C calc'!A0", "-12.50"},
		{"-1+1", "12345.678901"},
		{"@SUM(A1)", "0.00"},
	}
	if err := writeTableCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\ufeff") {
		t.Fatal("no UTF-8 byte order mark")
	}
	if !strings.Contains(out, "\r\n") {
		t.Error("lines do not end in CRLF")
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"险种", "基金收入"},
		{"'=cmd|' /C calc'!A0", "-12.50"},
		{"'-1+1", "12345.678901"},
		{"'@SUM(A1)", "0.00"},
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("cell %d,%d = %q, want %q", i, j, got[i][j], want[i][j])
			}
		}
	}
}
