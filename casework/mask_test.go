package casework

import (
	"strings"
	"testing"
)

func TestMasks(t *testing.T) {
	tests := []struct {
		name string
		mask func(string) string
		in   string
		want string
	}{
		{"two-character name", MaskName, "张三", "张*"},
		{"four-character name", MaskName, "欧阳娜娜", "欧***"},
		{"three-character name", MaskName, "李秀英", "李**"},
		{"one-character name is fully hidden", MaskName, "王", "*"},
		{"name with a middle dot", MaskName, "阿依·买买提", "阿*****"},
		{"spaces around a name", MaskName, " 张三 ", "张*"},
		{"no name", MaskName, "", ""},
		{"ID number", MaskIDNumber, "11010519491231002X", "1101**********002X"},
		{"ID number, lowercase x kept", MaskIDNumber, "11010519491231002x", "1101**********002x"},
		{"old 15-digit ID number", MaskIDNumber, "110105491231002", "1101*******1002"},
		{"too short to show ends", MaskIDNumber, "12345678901", "***********"},
		{"no ID number", MaskIDNumber, "", ""},
		{"credit code", MaskCreditCode, "91350200776049653A", "9135**********653A"},
		{"credit code 2", MaskCreditCode, "91440101MA5CJQ4N59", "9144**********4N59"},
		{"mobile", MaskPhone, "13812345678", "138****5678"},
		{"mobile with +86", MaskPhone, "+86 138 1234 5678", "+86 138 **** 5678"},
		{"mobile in full width", MaskPhone, "１３８１２３４５６７８", "138****5678"},
		{"Changchun landline", MaskPhone, "0431-88886666", "0431-****6666"},
		{"Changchun landline without dash", MaskPhone, "043188886666", "0431****6666"},
		{"Beijing landline", MaskPhone, "010-12345678", "010-****5678"},
		{"Guangzhou landline", MaskPhone, "(020) 8765 4321", "(020) **** 4321"},
		{"Yanji landline with 7 digits", MaskPhone, "0433-2512345", "0433-***2345"},
		{"local number without area code", MaskPhone, "88886666", "****6666"},
		{"short number fully hidden", MaskPhone, "123456", "******"},
		{"no phone", MaskPhone, "", ""},
		{"e-mail", MaskEmail, "zhang@example.com", "z****@example.com"},
		{"long e-mail local part, length hidden", MaskEmail, "zhang.san.1990@qq.com", "z****@qq.com"},
		{"one-letter local part", MaskEmail, "z@163.com", "****@163.com"},
		{"not an e-mail", MaskEmail, "zhangsan", "z*******"},
		{"no e-mail", MaskEmail, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.mask(tt.in); got != tt.want {
				t.Errorf("mask(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskIdentity(t *testing.T) {
	person := MaskIdentity(testIdentity)
	want := ReporterIdentity{Name: "张*", IDNumber: "1101**********002X", Phone: "138****5678", Email: "z****@example.cn"}
	if person != want {
		t.Errorf("MaskIdentity(person) = %#v", person)
		t.Logf("fields: %q %q %q %q", person.Name, person.IDNumber, person.Phone, person.Email)
	}
	org := ReporterIdentity{OrgName: "某某有限公司", CreditCode: "91440101MA5CJQ4N59", ContactPerson: "李四", ContactPhone: "0431-88886666"}
	got := MaskIdentity(org)
	wantOrg := ReporterIdentity{OrgName: "某*****", CreditCode: "9144**********4N59", ContactPerson: "李*", ContactPhone: "0431-****6666"}
	if got != wantOrg {
		t.Errorf("MaskIdentity(org) = %q %q %q %q", got.OrgName, got.CreditCode, got.ContactPerson, got.ContactPhone)
	}
	for _, id := range []ReporterIdentity{testIdentity, org} {
		m := MaskIdentity(id)
		for _, pair := range [][2]string{{id.Name, m.Name}, {id.IDNumber, m.IDNumber}, {id.Phone, m.Phone}, {id.Email, m.Email},
			{id.OrgName, m.OrgName}, {id.CreditCode, m.CreditCode}, {id.ContactPerson, m.ContactPerson}, {id.ContactPhone, m.ContactPhone}} {
			if pair[0] != "" && (pair[1] == pair[0] || !strings.Contains(pair[1], "*")) {
				t.Errorf("%q is not masked: %q", pair[0], pair[1])
			}
		}
	}
	if MaskIdentity(ReporterIdentity{}) != (ReporterIdentity{}) {
		t.Error("an empty identity does not stay empty")
	}
}
