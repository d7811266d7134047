package casework

import (
	"strings"
	"testing"
)

func TestFormatCaseNumber(t *testing.T) {
	tests := []struct {
		year int
		seq  int64
		want string
	}{
		{2026, 123, "2026-000123"},
		{2026, 1, "2026-000001"},
		{2026, 999999, "2026-999999"},
		{2026, 1000000, "2026-1000000"},
	}
	for _, tt := range tests {
		if got := FormatCaseNumber(tt.year, tt.seq); got != tt.want {
			t.Errorf("FormatCaseNumber(%d, %d) = %q, want %q", tt.year, tt.seq, got, tt.want)
		}
	}
}

func TestParseCaseNumber(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantYear int
		wantSeq  int64
		wantOK   bool
	}{
		{"the canonical form", "2026-000123", 2026, 123, true},
		{"seven digits", "2026-1000000", 2026, 1000000, true},
		{"surrounding and inner spaces", " 2026 - 000123 ", 2026, 123, true},
		{"ideographic space", "\u30002026-000123\u3000", 2026, 123, true},
		{"full-width digits and hyphen", "２０２６－０００１２３", 2026, 123, true},
		{"an en dash from a word processor", "2026–000123", 2026, 123, true},
		{"no hyphen", "2026000123", 2026, 123, true},
		{"no hyphen, seven digits", "20261000000", 2026, 1000000, true},
		{"a space for the hyphen", "2026 000123", 2026, 123, true},
		{"full-width digits without hyphen", "２０２６０００１２３", 2026, 123, true},
		{"full-width digits and an ideographic space", "２０２６\u3000０００１２３", 2026, 123, true},
		{"spaces in groups of a phone keypad", "2026 000 123", 2026, 123, true},
		{"no hyphen, short sequence", "2026123", 0, 0, false},
		{"no hyphen, extra leading zero", "20260000123", 0, 0, false},
		{"no hyphen, sequence zero", "2026000000", 0, 0, false},
		{"only a year", "2026", 0, 0, false},
		{"only a year and a hyphen", "2026-", 0, 0, false},
		{"no hyphen, letters", "2026ABC123", 0, 0, false},
		{"two hyphens", "2026-000-123", 0, 0, false},
		{"short sequence", "2026-123", 0, 0, false},
		{"extra leading zero", "2026-0000123", 0, 0, false},
		{"sequence zero", "2026-000000", 0, 0, false},
		{"two-digit year", "26-000123", 0, 0, false},
		{"year with leading zero", "0026-000123", 0, 0, false},
		{"letters", "2026-00012a", 0, 0, false},
		{"a slash", "2026/000123", 0, 0, false},
		{"a sign", "2026-+00123", 0, 0, false},
		{"too long for int64", "2026-" + strings.Repeat("9", 19), 0, 0, false},
		{"empty", "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y, seq, ok := ParseCaseNumber(tt.in)
			if y != tt.wantYear || seq != tt.wantSeq || ok != tt.wantOK {
				t.Errorf("ParseCaseNumber(%q) = %d, %d, %v; want %d, %d, %v", tt.in, y, seq, ok, tt.wantYear, tt.wantSeq, tt.wantOK)
			}
		})
	}
}

func TestNormalizeAccessCode(t *testing.T) {
	const want = "K7QXM3PD9RTF2WHABC4N8Y1E"
	tests := []struct {
		name   string
		in     string
		want   string
		wantOK bool
	}{
		{"the grouped form", "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E", want, true},
		{"the compact form", want, want, true},
		{"lowercase", "k7qx-m3pd-9rtf-2wha-bc4n-8y1e", want, true},
		{"spaces instead of hyphens", " K7QX M3PD 9RTF 2WHA BC4N 8Y1E ", want, true},
		{"O read as zero", "OOOO-OOOO-OOOO-OOOO-OOOO-OOOO", strings.Repeat("0", 24), true},
		{"I and L read as one", "IiLl-1111-1111-1111-1111-1111", strings.Repeat("1", 24), true},
		{"full-width", "Ｋ７ＱＸ－Ｍ３ＰＤ－９ＲＴＦ－２ＷＨＡ－ＢＣ４Ｎ－８Ｙ１Ｅ", want, true},
		{"U is not in the alphabet", "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1U", "", false},
		{"23 characters", "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1", "", false},
		{"25 characters", "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1EE", "", false},
		{"punctuation", "K7QX.M3PD.9RTF.2WHA.BC4N.8Y1E", "", false},
		{"dotless i is not I", "\u0131\u0131\u0131\u0131111111111111111111", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NormalizeAccessCode(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("NormalizeAccessCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzParseCaseNumber(f *testing.F) {
	for _, s := range []string{
		"2026-000123", " 2026 - 000123 ", "２０２６－０００１２３", "2026-0000123", "2026-000000",
		"2026–000123", "26-1", "", "2026-9223372036854775807", "2026-9223372036854775808",
		"2026000123", "2026 000123", "２０２６０００１２３", "20260", "2026",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		y, seq, ok := ParseCaseNumber(s)
		if !ok {
			if y != 0 || seq != 0 {
				t.Fatalf("ParseCaseNumber(%q) = %d, %d, false: want zeros", s, y, seq)
			}
			return
		}
		if y < 1000 || y > 9999 || seq < 1 {
			t.Fatalf("ParseCaseNumber(%q) = %d, %d out of range", s, y, seq)
		}
		canon := FormatCaseNumber(y, seq)
		y2, seq2, ok2 := ParseCaseNumber(canon)
		if !ok2 || y2 != y || seq2 != seq {
			t.Fatalf("FormatCaseNumber(%d, %d) = %q parses to %d, %d, %v", y, seq, canon, y2, seq2, ok2)
		}
		// Strict apart from spaces, widths, dashes and a missing hyphen:
		// what was typed is the canonical number once those are removed.
		cleaned := strings.Map(func(r rune) rune {
			if isDash(r) {
				return '-'
			}
			return r
		}, removeAllSpace(foldWidth(s)))
		if !strings.Contains(cleaned, "-") && len(cleaned) > 4 {
			cleaned = cleaned[:4] + "-" + cleaned[4:]
		}
		if cleaned != canon {
			t.Fatalf("ParseCaseNumber accepted %q as %q", s, canon)
		}
	})
}

func removeAllSpace(s string) string {
	return strings.Join(strings.Fields(s), "")
}

func FuzzNormalizeAccessCode(f *testing.F) {
	for _, s := range []string{
		"K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E", "k7qx m3pd 9rtf 2wha bc4n 8y1e", "OOOO-IIII-LLLL-0000-1111-2222",
		"Ｋ７ＱＸ－Ｍ３ＰＤ－９ＲＴＦ－２ＷＨＡ－ＢＣ４Ｎ－８Ｙ１Ｅ", "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1U", "", "----",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm, ok := NormalizeAccessCode(s)
		if !ok {
			if norm != "" {
				t.Fatalf("NormalizeAccessCode(%q) = %q, false: want empty", s, norm)
			}
			return
		}
		if len(norm) != AccessCodeLength || strings.Trim(norm, accessCodeAlphabet) != "" {
			t.Fatalf("NormalizeAccessCode(%q) = %q: not 24 alphabet chars", s, norm)
		}
		again, ok := NormalizeAccessCode(norm)
		if !ok || again != norm {
			t.Fatalf("NormalizeAccessCode(%q) = %q, %v: not a fixed point", norm, again, ok)
		}
		grouped := groupAccessCode(norm)
		if back, ok := NormalizeAccessCode(grouped); !ok || back != norm {
			t.Fatalf("grouped form %q normalizes to %q, %v", grouped, back, ok)
		}
	})
}
