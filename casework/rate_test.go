package casework

import "testing"

func TestParseBasisPoints(t *testing.T) {
	good := map[string]int64{"2.62": 262, "2.62%": 262, "６.１２％": 612, "8": 800, "0.5": 50, "100": 10000, " 1.00 ": 100, "0": 0}
	for in, want := range good {
		got, err := ParseBasisPoints(in)
		if err != nil || got != want {
			t.Errorf("ParseBasisPoints(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "2.625", "1e2", "-1", "100.01", ".5", "5.", "1,000", "2.6.2"} {
		if got, err := ParseBasisPoints(in); err == nil {
			t.Errorf("ParseBasisPoints(%q) = %d, want an error", in, got)
		} else if err.Error() == "" {
			t.Errorf("ParseBasisPoints(%q): empty message", in)
		}
	}
	for bp, want := range map[int64]string{262: "2.62", 800: "8.00", 5: "0.05", 0: "0.00", 10000: "100.00"} {
		if got := FormatBasisPoints(bp); got != want {
			t.Errorf("FormatBasisPoints(%d) = %q, want %q", bp, got, want)
		}
	}
}
