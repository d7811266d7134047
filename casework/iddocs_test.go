package casework

import (
	"strings"
	"testing"
)

// withCheck appends the GB 11643 check character to 17 digits.
func withCheck(first17 string) string {
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return first17 + string(idCheckChars[sum%11])
}

// flipCheck returns the number with a wrong check character.
func flipCheck(n string) string {
	last := n[17]
	if last == '0' {
		return n[:17] + "1"
	}
	return n[:17] + "0"
}

func TestValidIDDocument(t *testing.T) {
	hongKong := withCheck("81000019900101123")
	macao := withCheck("82000019851231456")
	taiwan := withCheck("83000020000229789")
	foreignNew := withCheck("91184019800101001")
	foreignBadDate := withCheck("91184019800230001")
	tests := []struct {
		name, doc, number string
		want              bool
	}{
		{"resident ID", DocResidentID, "11010519491231002X", true},
		{"resident ID, the empty type of old identities", "", "440524188001015368", true},
		{"resident ID with a wrong check", DocResidentID, "110105194912310021", false},
		{"resident ID of 17 digits", DocResidentID, "11010519491231002", false},

		{"residence permit of Hong Kong", DocResidencePermit, hongKong, true},
		{"residence permit of Macao", DocResidencePermit, macao, true},
		{"residence permit of Taiwan, born on 29 February 2000", DocResidencePermit, taiwan, true},
		{"residence permit with a wrong check", DocResidencePermit, flipCheck(hongKong), false},
		{"residence permit with a mainland prefix", DocResidencePermit, "11010519491231002X", false},
		{"residence permit with 81 but not 810000", DocResidencePermit, withCheck("81010119900101123"), false},
		{"residence permit with 84", DocResidencePermit, withCheck("84000019900101123"), false},
		{"residence permit born on 30 February", DocResidencePermit, withCheck("81000019900230123"), false},

		{"Hong Kong permit, card of 2013", DocHKMacaoPermit, "H12345678", true},
		{"Macao permit, card of 2013", DocHKMacaoPermit, "M87654321", true},
		{"Hong Kong permit, booklet of 10 digits", DocHKMacaoPermit, "H1234567890", true},
		{"HK permit with 9 digits", DocHKMacaoPermit, "H123456789", false},
		{"HK permit with 7 digits", DocHKMacaoPermit, "H1234567", false},
		{"HK permit with another letter", DocHKMacaoPermit, "C12345678", false},
		{"HK permit without its letter", DocHKMacaoPermit, "12345678", false},
		{"HK permit with a lowercase letter (not normalized)", DocHKMacaoPermit, "h12345678", false},
		{"HK permit, only the letter", DocHKMacaoPermit, "H", false},

		{"Taiwan permit", DocTaiwanPermit, "12345678", true},
		{"Taiwan permit of 7 digits", DocTaiwanPermit, "1234567", false},
		{"Taiwan permit of 9 digits", DocTaiwanPermit, "123456789", false},
		{"Taiwan permit with a letter", DocTaiwanPermit, "1234567A", false},

		{"foreign permanent ID, card of 2023", DocForeignPermanent, foreignNew, true},
		{"foreign permanent ID of 2023 with a wrong check", DocForeignPermanent, flipCheck(foreignNew), false},
		{"foreign permanent ID of 2023 born on 30 February", DocForeignPermanent, foreignBadDate, false},
		{"foreign permanent ID of 18 digits not starting with 9", DocForeignPermanent, "11010519491231002X", false},
		{"foreign permanent ID, card of 2004", DocForeignPermanent, "USA110580101001", true},
		{"old foreign permanent ID with 2 letters", DocForeignPermanent, "US1110580101001", false},
		{"old foreign permanent ID with 11 digits", DocForeignPermanent, "USA11058010100", false},
		{"old foreign permanent ID with lowercase letters", DocForeignPermanent, "usa110580101001", false},

		{"passport of 9", DocPassport, "E12345678", true},
		{"passport of 5", DocPassport, "AB123", true},
		{"passport of 17", DocPassport, strings.Repeat("A1", 8) + "Z", true},
		{"passport of 4", DocPassport, "AB12", false},
		{"passport of 18", DocPassport, strings.Repeat("A1", 9), false},
		{"passport with a hyphen", DocPassport, "E1234-5678", false},
		{"passport with a Chinese character", DocPassport, "护照12345", false},

		{"unknown type", "driving_licence", "11010519491231002X", false},
		{"empty number", DocPassport, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidIDDocument(tt.doc, tt.number); got != tt.want {
				t.Errorf("ValidIDDocument(%q, %q) = %v, want %v", tt.doc, tt.number, got, tt.want)
			}
		})
	}
}

func TestNormalizeIDDocumentNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{" h12345678 ", "H12345678"},
		{"Ｈ１２３４５６７８", "H12345678"},
		{"1101 0519 4912 3100 2x", "11010519491231002X"},
		{"usa 110580101001", "USA110580101001"},
		{"e\u3000123 456 78", "E12345678"},
		{"", ""},
		// ı and ſ are not i and s: left as typed, they fail every format.
		{"\u0131\u017f12345", "\u0131\u017f12345"},
	}
	for _, tt := range tests {
		if got := NormalizeIDDocumentNumber(tt.in); got != tt.want {
			t.Errorf("NormalizeIDDocumentNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIDDocumentsAreLabelledWithFormatAndProblem(t *testing.T) {
	want := []string{DocResidentID, DocResidencePermit, DocHKMacaoPermit, DocTaiwanPermit, DocForeignPermanent, DocPassport}
	docs := IDDocuments()
	if len(docs) != len(want) {
		t.Fatalf("%d document types, want %d", len(docs), len(want))
	}
	for i, d := range docs {
		if d.Code != want[i] || d.Label == "" || d.Format == "" || d.Problem == "" {
			t.Errorf("document %d = %+v, want %s with label, format and problem", i, d, want[i])
		}
		if !ValidIDDocumentType(d.Code) || IDDocumentLabel(d.Code) != d.Label || IDDocumentProblem(d.Code) != d.Problem {
			t.Errorf("lookups disagree with the list for %s", d.Code)
		}
	}
	if IDDocumentLabel("") != "居民身份证" {
		t.Errorf("an identity sealed without a type reads as %q, want 居民身份证", IDDocumentLabel(""))
	}
	for _, bad := range []string{"", "bogus", "Passport"} {
		if ValidIDDocumentType(bad) {
			t.Errorf("document type %q accepted", bad)
		}
	}
}

func TestMaskIDDocumentNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"11010519491231002X", "1101**********002X"},
		{"USA110580101001", "USA1*******1001"},
		{"H12345678", "H******78"},
		{"H1234567890", "H********90"},
		{"12345678", "1*****78"},
		{"E12345678", "E******78"},
		{"AB1234", "******"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := MaskIDDocumentNumber(tt.in); got != tt.want {
			t.Errorf("MaskIDDocumentNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzIDDocument: whatever is typed, normalizing is idempotent and a number
// accepted for a type has that type's length and alphabet, so nothing odd
// reaches the sealed identity or a staff page.
func FuzzIDDocument(f *testing.F) {
	for _, s := range []string{"11010519491231002x", "h12345678", "Ｈ１２３４５６７８", "12345678", "usa110580101001",
		"e12345678", "811000199001011234", "", "H", "护照"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		n := NormalizeIDDocumentNumber(typed)
		if NormalizeIDDocumentNumber(n) != n {
			t.Fatalf("NormalizeIDDocumentNumber not idempotent on %q: %q", typed, n)
		}
		for _, d := range IDDocuments() {
			if !ValidIDDocument(d.Code, n) {
				continue
			}
			if len(n) < minPassportLength || len(n) > 18 {
				t.Fatalf("%s accepted %q of %d bytes", d.Code, n, len(n))
			}
			for i := range len(n) {
				if c := n[i]; (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
					t.Fatalf("%s accepted %q with %q", d.Code, n, c)
				}
			}
			if m := MaskIDDocumentNumber(n); m == n || len(m) != len(n) {
				t.Fatalf("mask of %q is %q", n, m)
			}
		}
	})
}
