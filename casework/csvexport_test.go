package casework

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestNeutraliseCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"张三", "张三"},
		{"1,234.56", "1,234.56"},
		{"=HYPERLINK(\"http://evil\",\"点我\")", "'=HYPERLINK(\"http://evil\",\"点我\")"},
		{"+86 138 1234 5678", "'+86 138 1234 5678"},
		{"-12.50", "'-12.50"},
		{"-1,234.56", "'-1,234.56"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"a=1+1", "a=1+1"},
		{" =1+1", " =1+1"},
		{"'already quoted", "'already quoted"},
	}
	for _, tt := range tests {
		if got := NeutraliseCSVCell(tt.in); got != tt.want {
			t.Errorf("NeutraliseCSVCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	rows := [][]string{
		{"案件编号", "被举报对象", "涉及金额（元）", "备注"},
		{"2026-000123", "=cmd|' /C calc'!A0", FormatYuan(-1_234_56), "含,逗号\n和换行"},
		{"2026-000124", "某某有限公司", FormatYuan(523_456_78), "@Bob \"引号\""},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\ufeff案件编号,") {
		t.Errorf("output does not start with the BOM and the header: %q", out[:min(len(out), 20)])
	}
	if !strings.Contains(out, "\r\n2026-000123,") {
		t.Errorf("records are not CRLF-terminated: %q", out)
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"案件编号", "被举报对象", "涉及金额（元）", "备注"},
		{"2026-000123", "'=cmd|' /C calc'!A0", "'-1,234.56", "含,逗号\n和换行"},
		{"2026-000124", "某某有限公司", "523,456.78", "'@Bob \"引号\""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%q\nwant\n%q", got, want)
	}
	if rows[1][1] != "=cmd|' /C calc'!A0" {
		t.Error("WriteCSV changed the caller's rows")
	}
}

func TestWriteCSVEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, nil); err != nil || buf.String() != "\ufeff" {
		t.Errorf("WriteCSV(nil) = %q, %v; want just the BOM", buf.String(), err)
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestWriteCSVReportsWriteErrors(t *testing.T) {
	rows := [][]string{{"a", "b"}}
	for _, after := range []int{0, 1} {
		if err := WriteCSV(&failingWriter{after: after}, rows); err == nil {
			t.Errorf("a writer failing after %d writes: no error", after)
		}
	}
}
