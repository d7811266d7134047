package casework

import (
	"fmt"
	"strings"
	"testing"
)

// idWithCheck appends the GB 11643-1999 check character to 17 digits. It is
// written separately from the code under test so a shared mistake cannot hide.
func idWithCheck(t testing.TB, first17 string) string {
	t.Helper()
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	if len(first17) != 17 {
		t.Fatalf("idWithCheck: want 17 digits, got %q", first17)
	}
	sum := 0
	for i, w := range weights {
		sum += int(first17[i]-'0') * w
	}
	return first17 + string("10X98765432"[sum%11])
}

// creditWithCheck appends the GB 32100-2015 check character to 17 characters.
func creditWithCheck(t testing.TB, first17 string) string {
	t.Helper()
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, w := range weights {
		sum += strings.IndexByte(alphabet, first17[i]) * w
	}
	return first17 + string(alphabet[(31-sum%31)%31])
}

func TestValidIDNumber(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"accepts the DOMAIN example with X", "11010519491231002X", true},
		{"accepts the DOMAIN example born 1880", "440524188001015368", true},
		{"accepts a lowercase x check char", "11010519491231002x", true},
		{"rejects a wrong check char", "110105194912310021", false},
		{"rejects a wrong digit", "11010519491231003X", false},
		{"rejects Feb 30 even with a matching check char", idWithCheck(t, "11010519900230123"), false},
		{"rejects Feb 29 of a non-leap year", idWithCheck(t, "11010519000229123"), false},
		{"accepts Feb 29 of a leap year", idWithCheck(t, "11010520000229123"), true},
		{"rejects month 13", idWithCheck(t, "11010519901301123"), false},
		{"rejects day 00", idWithCheck(t, "11010519900100123"), false},
		{"rejects a birth year before 1800", idWithCheck(t, "11010517991231123"), false},
		{"accepts 1800-01-01", idWithCheck(t, "11010518000101123"), true},
		{"accepts 2100-12-31", idWithCheck(t, "11010521001231123"), true},
		{"rejects a birth year after 2100", idWithCheck(t, "11010521010101123"), false},
		{"does not check the region prefix", idWithCheck(t, "99999919800101123"), true},
		{"rejects 17 digits", "11010519491231002", false},
		{"rejects 19 characters", "11010519491231002X0", false},
		{"rejects letters among the digits", "1101051949123100AX", false},
		{"rejects X anywhere but last", "X10105194912310020", false},
		{"rejects surrounding space (normalize first)", " 11010519491231002X", false},
		{"rejects full-width digits (normalize first)", "１１０１０５１９４９１２３１００２Ｘ", false},
		{"rejects empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidIDNumber(tt.in); got != tt.want {
				t.Errorf("ValidIDNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeIDNumber(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"uppercases x", "11010519491231002x", "11010519491231002X"},
		{"trims spaces and ideographic space", " \u300011010519491231002X\t", "11010519491231002X"},
		{"folds full-width digits and x", "１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"},
		{"keeps inner garbage for the validator to refuse", "1101 0519", "1101 0519"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NormalizeIDNumber(tt.in); got != tt.want {
				t.Errorf("NormalizeIDNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCreditCodeStatus(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want CreditCode
	}{
		{"accepts the first DOMAIN example", "91350200776049653A", CreditCodeValid},
		{"accepts the second DOMAIN example", "91440101MA5CJQ4N59", CreditCodeValid},
		{"accepts a computed code ending in Y (value 30)", firstCreditWithCheckChar(t, 'Y'), CreditCodeValid},
		{"accepts a computed code ending in 0", firstCreditWithCheckChar(t, '0'), CreditCodeValid},
		{"warns on a wrong check char", "91350200776049653B", CreditCodeBadChecksum},
		{"warns on a transposition", "91350200776049635A", CreditCodeBadChecksum},
		{"refuses I", "9135020077604965IA", CreditCodeMalformed},
		{"refuses O", "9135020077604965OA", CreditCodeMalformed},
		{"refuses S", "9135020077604965SA", CreditCodeMalformed},
		{"refuses V", "9135020077604965VA", CreditCodeMalformed},
		{"refuses Z", "9135020077604965ZA", CreditCodeMalformed},
		{"refuses a disallowed check char", "91350200776049653Z", CreditCodeMalformed},
		{"refuses lowercase (normalize first)", "91440101ma5cjq4n59", CreditCodeMalformed},
		{"refuses 17 chars", "91350200776049653", CreditCodeMalformed},
		{"refuses 19 chars", "91350200776049653AA", CreditCodeMalformed},
		{"refuses a 15-digit old registration number", "350200100012345", CreditCodeMalformed},
		{"refuses empty", "", CreditCodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CreditCodeStatus(tt.in); got != tt.want {
				t.Errorf("CreditCodeStatus(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// firstCreditWithCheckChar finds a code whose check character is c, to cover
// both ends of the check value range.
func firstCreditWithCheckChar(t *testing.T, c byte) string {
	t.Helper()
	for i := range 100000 {
		s := creditWithCheck(t, fmt.Sprintf("9144010100%07d", i))
		if s[17] == c {
			return s
		}
	}
	t.Fatalf("no code with check char %c", c)
	return ""
}

func TestNormalizeCreditCode(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"uppercases", "91440101ma5cjq4n59", "91440101MA5CJQ4N59"},
		{"trims", "  91440101MA5CJQ4N59\n", "91440101MA5CJQ4N59"},
		{"folds full-width", "９１４４０１０１ＭＡ５ＣＪＱ４Ｎ５９", "91440101MA5CJQ4N59"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeCreditCode(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeCreditCode(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if CreditCodeStatus(got) != CreditCodeValid {
				t.Errorf("CreditCodeStatus(%q) = %v after normalizing, want valid", got, CreditCodeStatus(got))
			}
		})
	}
}

func TestCreditCodeString(t *testing.T) {
	for c, want := range map[CreditCode]string{CreditCodeValid: "valid", CreditCodeBadChecksum: "bad_checksum", CreditCodeMalformed: "malformed"} {
		if c.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(c), c.String(), want)
		}
	}
}

func TestValidMobile(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"accepts 11 digits starting with 1", "13812345678", true},
		{"accepts a 19x number", "19912345678", true},
		{"rejects 10 digits", "1381234567", false},
		{"rejects 12 digits", "138123456789", false},
		{"rejects a number not starting with 1", "23812345678", false},
		{"rejects a landline with area code", "04318888888", false},
		{"rejects a letter", "1381234567a", false},
		{"rejects a country code (normalize first)", "+8613812345678", false},
		{"rejects spaces (normalize first)", "138 1234 5678", false},
		{"rejects empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidMobile(tt.in); got != tt.want {
				t.Errorf("ValidMobile(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeMobile(t *testing.T) {
	tests := []struct {
		name, in, want string
		valid          bool
	}{
		{"keeps a plain number", "13812345678", "13812345678", true},
		{"drops +86", "+8613812345678", "13812345678", true},
		{"drops +86 with a space", "+86 138 1234 5678", "13812345678", true},
		{"drops 86", "8613812345678", "13812345678", true},
		{"drops 0086", "0086-138-1234-5678", "13812345678", true},
		{"removes dashes and spaces", "138-1234-5678", "13812345678", true},
		{"folds full-width digits and plus", "＋８６　１３８１２３４５６７８", "13812345678", true},
		{"keeps an 86 that is part of a short number", "86123", "86123", false},
		{"leaves letters for the validator to refuse", "138abcd5678", "138abcd5678", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeMobile(tt.in)
			if got != tt.want {
				t.Errorf("NormalizeMobile(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if ValidMobile(got) != tt.valid {
				t.Errorf("ValidMobile(%q) = %v, want %v", got, !tt.valid, tt.valid)
			}
		})
	}
}

func FuzzIDNumber(f *testing.F) {
	for _, s := range []string{
		"11010519491231002X", "440524188001015368", "11010519491231002x",
		"110105194912310021", "11010519900230123X", "１１０１０５１９４９１２３１００２Ｘ",
		" 11010519491231002X ", "", "X",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm := NormalizeIDNumber(s)
		if NormalizeIDNumber(norm) != norm {
			t.Fatalf("NormalizeIDNumber not idempotent: %q → %q → %q", s, norm, NormalizeIDNumber(norm))
		}
		if !ValidIDNumber(s) {
			return
		}
		if len(norm) != 18 || !ValidIDNumber(norm) || strings.ContainsRune(norm, 'x') {
			t.Fatalf("valid %q normalizes to %q", s, norm)
		}
		if idWithCheck(t, norm[:17]) != norm {
			t.Fatalf("ValidIDNumber(%q) but the check char should be %q", s, idWithCheck(t, norm[:17])[17:])
		}
		for _, c := range "0123456789X" {
			if byte(c) != norm[17] && ValidIDNumber(norm[:17]+string(c)) {
				t.Fatalf("two check chars accepted for %s: %c and %c", norm[:17], norm[17], c)
			}
		}
	})
}

func FuzzCreditCode(f *testing.F) {
	for _, s := range []string{
		"91350200776049653A", "91440101MA5CJQ4N59", "91350200776049653B",
		"9135020077604965IA", "91440101ma5cjq4n59", "", "９１４４０１０１ＭＡ５ＣＪＱ４Ｎ５９",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		norm := NormalizeCreditCode(s)
		if NormalizeCreditCode(norm) != norm {
			t.Fatalf("NormalizeCreditCode not idempotent: %q → %q", s, norm)
		}
		st := CreditCodeStatus(s)
		if st != CreditCodeMalformed && (len(s) != 18 || NormalizeCreditCode(s) != s) {
			t.Fatalf("CreditCodeStatus(%q) = %v for a non-canonical code", s, st)
		}
		if st == CreditCodeMalformed {
			return
		}
		// Exactly one check character makes a well-formed code valid.
		valid := 0
		for i := range len(creditAlphabet) {
			if CreditCodeStatus(s[:17]+creditAlphabet[i:i+1]) == CreditCodeValid {
				valid++
			}
		}
		if valid != 1 {
			t.Fatalf("%s: %d check chars valid, want 1", s[:17], valid)
		}
		if (st == CreditCodeValid) != (creditWithCheck(t, s[:17]) == s) {
			t.Fatalf("CreditCodeStatus(%q) = %v disagrees with the reference checksum", s, st)
		}
	})
}
