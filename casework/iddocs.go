package casework

import (
	"slices"
	"strings"
	"unicode"
)

// Identity documents a named citizen reporter may give (证件类型): the
// resident ID card, and the documents of Hong Kong, Macao and Taiwan
// residents and foreigners who live in the mainland and pay into its social
// insurance. The codes are stored inside the sealed identity.
const (
	DocResidentID        = "resident_id"          // 居民身份证
	DocResidencePermit   = "hmt_residence_permit" // 港澳台居民居住证
	DocHKMacaoPermit     = "hk_macao_permit"      // 港澳居民来往内地通行证
	DocTaiwanPermit      = "taiwan_permit"        // 台湾居民来往大陆通行证
	DocForeignPermanent  = "foreign_permanent_id" // 外国人永久居留身份证
	DocPassport          = "passport"             // 护照
	minPassportLength    = 5
	maxPassportLength    = 17
	oldForeignPermLength = 15
)

// IDDocument describes one document type: its code and label, what its
// number looks like (for a hint next to the field) and the message for a
// number that does not look like that.
type IDDocument struct {
	Code    string
	Label   string
	Format  string // e.g. "18位，末位可为X"
	Problem string // the message for a malformed number, saying what to type
}

var idDocuments = []IDDocument{
	{DocResidentID, "居民身份证", "18位，末位可能是X",
		"居民身份证号码应为18位，请核对出生日期和最后一位校验码（可能是X）"},
	{DocResidencePermit, "港澳台居民居住证", "18位，以810000（香港）、820000（澳门）或830000（台湾）开头",
		"港澳台居民居住证号码应为18位，以810000、820000或830000开头，请核对出生日期和最后一位校验码"},
	{DocHKMacaoPermit, "港澳居民来往内地通行证", "H或M开头，后接8位或10位数字",
		"港澳居民来往内地通行证号码应为字母H或M加8位或10位数字，如 H12345678"},
	{DocTaiwanPermit, "台湾居民来往大陆通行证", "8位数字",
		"台湾居民来往大陆通行证号码应为8位数字，如 12345678"},
	{DocForeignPermanent, "外国人永久居留身份证", "新版18位、以9开头；旧版15位，3个字母加12位数字",
		"外国人永久居留身份证号码应为以9开头的18位（新版），或3个字母加12位数字（旧版），请核对"},
	{DocPassport, "护照", "5至17位字母和数字",
		"护照号码应为5至17位字母或数字，请照护照资料页填写"},
}

// IDDocuments lists the document types in the order the form shows them,
// the resident ID card first.
func IDDocuments() []IDDocument { return slices.Clone(idDocuments) }

// IDDocumentLabel is the Chinese name of a document type; "" (identities
// sealed before there was a choice) is the resident ID card.
func IDDocumentLabel(code string) string {
	if d, ok := idDocument(code); ok {
		return d.Label
	}
	return code
}

// ValidIDDocumentType reports whether code is a known document type.
func ValidIDDocumentType(code string) bool {
	_, ok := idDocument(code)
	return ok && code != ""
}

// IDDocumentProblem is the message for a number that is not one of this
// document type, saying what such a number looks like.
func IDDocumentProblem(code string) string {
	if d, ok := idDocument(code); ok {
		return d.Problem
	}
	return "请选择证件类型"
}

func idDocument(code string) (IDDocument, bool) {
	if code == "" {
		code = DocResidentID
	}
	for _, d := range idDocuments {
		if d.Code == code {
			return d, true
		}
	}
	return IDDocument{}, false
}

// NormalizeIDDocumentNumber turns a typed document number into the stored
// form: full-width characters folded to ASCII, every space removed (people
// copy numbers in groups), ASCII letters uppercased. It does not validate.
// Only a to z are uppercased: strings.ToUpper would also turn the dotless
// ı and the long ſ into I and S, letters nobody typed, which the OpenAPI
// document's pattern rightly does not admit.
func NormalizeIDDocumentNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, foldWidth(s))
}

// ValidIDDocument reports whether number (normalized) is well-formed for
// the document type; "" is the resident ID card.
//
//   - 居民身份证: GB 11643-1999, see ValidIDNumber.
//   - 港澳台居民居住证: the same 18 characters and check, with the address
//     code 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan).
//   - 港澳居民来往内地通行证: H (Hong Kong) or M (Macao) and 8 digits (the
//     card of 2013) or 10 digits (earlier booklets).
//   - 台湾居民来往大陆通行证: 8 digits (the card of 2015).
//   - 外国人永久居留身份证: the card of 2023, 18 characters with the check
//     of GB 11643 that start with 9; or the card of 2004, 3 letters (the
//     nationality) and 12 digits.
//   - 护照: 5 to 17 letters and digits; passports of the world differ too
//     much to check more.
func ValidIDDocument(docType, number string) bool {
	switch docType {
	case "", DocResidentID:
		return ValidIDNumber(number)
	case DocResidencePermit:
		return ValidIDNumber(number) &&
			(strings.HasPrefix(number, "810000") || strings.HasPrefix(number, "820000") || strings.HasPrefix(number, "830000"))
	case DocHKMacaoPermit:
		return len(number) >= 9 && (number[0] == 'H' || number[0] == 'M') &&
			(len(number) == 9 || len(number) == 11) && allDigits(number[1:])
	case DocTaiwanPermit:
		return len(number) == 8 && allDigits(number)
	case DocForeignPermanent:
		if len(number) == 18 {
			return number[0] == '9' && ValidIDNumber(number)
		}
		return len(number) == oldForeignPermLength && allUpperLetters(number[:3]) && allDigits(number[3:])
	case DocPassport:
		if len(number) < minPassportLength || len(number) > maxPassportLength {
			return false
		}
		for i := range len(number) {
			c := number[i]
			if (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
				return false
			}
		}
		return true
	}
	return false
}

func allUpperLetters(s string) bool {
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

// MaskIDDocumentNumber masks a document number for staff who may not reveal
// the identity: 18-character numbers as MaskIDNumber (first 4, last 4);
// shorter ones keep their first and last 2 characters when that still hides
// at least 4, else everything is starred.
func MaskIDDocumentNumber(s string) string {
	s = strings.TrimSpace(s)
	if len([]rune(s)) >= 15 {
		return MaskIDNumber(s)
	}
	return keepEnds(s, 1, 2)
}
