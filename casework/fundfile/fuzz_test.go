package fundfile

import (
	"bytes"
	"testing"

	"fundwatch/casework"
	"fundwatch/store"
)

// FuzzParseCSV feeds the CSV reader arbitrary bytes: it must never panic,
// must keep errors and reports apart, and whatever it accepts must pass
// the blocking checks.
func FuzzParseCSV(f *testing.F) {
	f.Add(TemplateCSV())
	var b bytes.Buffer
	_ = WriteCSV(&b, nil, Report{Year: 2024, RegionCode: "220100", Rows: rowsOf(casework.InsurancePension, casework.InsuranceMedical)})
	f.Add(b.Bytes())
	f.Add([]byte("年度,地区,险种\n2024,长春市,=cmd|' /C calc'!A0\n"))
	f.Add([]byte("\xff\xfe\x00a"))
	f.Add([]byte("\"unterminated\n,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ParseCSV(bytes.NewReader(data), testOpts)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK() == (len(res.Errors) > 0) || (res.Reports != nil) != res.OK() {
			t.Fatalf("OK %v with %d errors and reports %v", res.OK(), len(res.Errors), res.Reports != nil)
		}
		if len(res.Errors) > MaxErrors+1 {
			t.Fatalf("%d errors", len(res.Errors))
		}
		for _, r := range res.Reports {
			if r.Year < MinYear || r.Year > testOpts.CurrentYear+1 || len(r.Rows) == 0 || len(r.Rows) != len(r.SourceRows) {
				t.Fatalf("bad report %+v", r)
			}
			if _, ok := casework.DefaultRegions().Lookup(r.RegionCode); !ok {
				t.Fatalf("unknown region %q", r.RegionCode)
			}
			for _, row := range r.Rows {
				if blocking, _ := casework.CheckFundRow(row); len(blocking) > 0 {
					t.Fatalf("accepted a row with %+v", blocking)
				}
			}
		}
	})
}

func rowsOf(kinds ...string) []store.FundRow {
	var out []store.FundRow
	for i, k := range kinds {
		out = append(out, rowOf(k, int64(i+1)))
	}
	return out
}

// FuzzParseXLSX feeds the XLSX reader arbitrary bytes, seeded with the
// template and a table, so mutations reach the zip and XML layers: it must
// never panic and must keep errors and reports apart.
func FuzzParseXLSX(f *testing.F) {
	f.Add(TemplateXLSX())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := ParseXLSX(bytes.NewReader(data), testOpts)
		if err != nil {
			t.Fatal(err)
		}
		if (res.Reports != nil) != res.OK() || len(res.Errors) > MaxErrors+1 {
			t.Fatalf("OK %v with %d errors and reports %v", res.OK(), len(res.Errors), res.Reports != nil)
		}
	})
}
