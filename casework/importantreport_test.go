package casework

import (
	"reflect"
	"strings"
	"testing"

	"fundwatch/store"
)

func TestImportantRecipients(t *testing.T) {
	tests := []struct {
		class    string
		national bool
		want     []string
	}{
		{ClassImportant, false, []string{"同级社会保障监督委员会及相关部门"}},
		{ClassMajor, false, []string{"同级社会保障监督委员会及相关部门", "逐级报送省社会保障监督委员会及相关部门"}},
		{ClassMajor, true, []string{"同级社会保障监督委员会及相关部门", "逐级报送省社会保障监督委员会及相关部门", "国家相关部门（与报省同时报送）"}},
		{ClassNone, false, nil},
		{"bogus", true, nil},
	}
	for _, tt := range tests {
		if got := ImportantRecipients(tt.class, tt.national); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ImportantRecipients(%s, %v) = %q, want %q", tt.class, tt.national, got, tt.want)
		}
	}
	a := ImportantRecipients(ClassMajor, true)
	a[0] = "changed"
	if ImportantRecipients(ClassMajor, true)[0] == "changed" {
		t.Error("ImportantRecipients returns a shared slice")
	}
}

func testReport() *store.ImportantReport {
	return &store.ImportantReport{
		ID: "r1", CaseID: "c1", CaseNumber: "2026-000123", RegionCode: "220100", Revision: 1,
		Class: ClassMajor, National: true, DiscoveredOn: "2026-03-02", AmountFen: 52_345_678,
		Category: CategoryEmbezzlement, InsuranceTypes: []string{InsurancePension, InsuranceMedical},
		Title:      "某区社保经办机构工作人员侵吞养老保险基金",
		Body:       "　　经初步核查，该工作人员虚构参保人员领取待遇。\r\n\r\n　　已移送司法机关。  \n\n",
		Recipients: ImportantRecipients(ClassMajor, true),
	}
}

func TestImportantReportText(t *testing.T) {
	want := "要情报告\n" +
		"标题：某区社保经办机构工作人员侵吞养老保险基金\n" +
		"案件编号：2026-000123\n" +
		"报告地区：吉林省 长春市（220100）\n" +
		"要情类别：重大要情（同时报送国家相关部门）\n" +
		"发现日期：2026-03-02\n" +
		"涉及金额：523,456.78 元\n" +
		"问题性质：侵吞贪污\n" +
		"涉及险种：企业职工基本养老保险、基本医疗保险\n" +
		"版次：第 1 版\n" +
		"情况（共 3 行）：\n" +
		"　　经初步核查，该工作人员虚构参保人员领取待遇。\n" +
		"\n" +
		"　　已移送司法机关。\n" +
		"报送对象（共 3 个）：\n" +
		"同级社会保障监督委员会及相关部门\n" +
		"逐级报送省社会保障监督委员会及相关部门\n" +
		"国家相关部门（与报省同时报送）\n"
	got := ImportantReportText(testReport(), DefaultRegions().FullName("220100"))
	if got != want {
		t.Errorf("ImportantReportText =\n%s\nwant\n%s", got, want)
	}
	for i, l := range strings.Split(got, "\n") {
		if strings.TrimRight(l, " \t\u3000") != l {
			t.Errorf("line %d has trailing spaces: %q", i+1, l)
		}
	}
}

func TestImportantReportTextOfACorrection(t *testing.T) {
	r := testReport()
	r.Revision, r.Supersedes, r.ChangeNote = 2, "r0", "金额更正为核实后的数额。"
	r.Class, r.National, r.InsuranceTypes, r.Body, r.Recipients = ClassImportant, false, nil, "", nil
	got := ImportantReportText(r, "吉林省 长春市")
	for _, want := range []string{
		"要情类别：要情\n", "涉及险种：（未填写）\n", "版次：第 2 版\n更正的报告：r0\n更正说明：金额更正为核实后的数额。\n",
		"情况（共 0 行）：\n报送对象（共 0 个）：\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("text lacks %q:\n%s", want, got)
		}
	}
}

func TestImportantReportTextCannotBeForgedThroughFields(t *testing.T) {
	base := testReport()
	// A title with a line break must not create a line of its own.
	r := testReport()
	r.Title = "标题\n案件编号：2099-999999"
	text := ImportantReportText(r, "吉林省 长春市")
	if strings.Contains(text, "\n案件编号：2099") {
		t.Errorf("a line break in the title started a new line:\n%s", text)
	}
	// Moving a recipient into the body changes the text.
	moved := testReport()
	moved.Body = base.Body + "\n" + RecipientNational
	moved.Recipients = base.Recipients[:2]
	if ImportantReportText(moved, "x") == ImportantReportText(base, "x") {
		t.Error("a recipient moved into the body gives the same text")
	}
	// Invalid UTF-8 and control characters are normalised, not kept.
	r = testReport()
	r.Title = "坏\xff字\x00符\t"
	if got := ImportantReportText(r, "x"); !strings.Contains(got, "标题：坏\uFFFD字 符\n") {
		t.Errorf("title not normalised: %q", strings.SplitN(got, "\n", 3)[1])
	}
}

func TestImportantReportHash(t *testing.T) {
	text := ImportantReportText(testReport(), "吉林省 长春市")
	h := ImportantReportHash(text)
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("hash %q is not lowercase hex SHA-256", h)
	}
	if ImportantReportHash("") != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Error("ImportantReportHash is not plain SHA-256")
	}
	if again := ImportantReportHash(ImportantReportText(testReport(), "吉林省 长春市")); again != h {
		t.Error("the same report hashes differently")
	}
	r := testReport()
	r.AmountFen++
	if ImportantReportHash(ImportantReportText(r, "吉林省 长春市")) == h {
		t.Error("one fen more gives the same hash")
	}
	// Whitespace the normalisation removes does not change the hash.
	r = testReport()
	r.Body = "\n\n" + strings.ReplaceAll(r.Body, "\r\n", "\n") + "   \n"
	r.Title = "  " + r.Title + " "
	if ImportantReportHash(ImportantReportText(r, "吉林省 长春市")) != h {
		t.Error("trailing spaces and CRLF change the hash")
	}
}

func TestDiffLines(t *testing.T) {
	k := func(s string) DiffLine { return DiffLine{DiffKept, s} }
	rm := func(s string) DiffLine { return DiffLine{DiffRemoved, s} }
	ad := func(s string) DiffLine { return DiffLine{DiffAdded, s} }
	tests := []struct {
		name          string
		before, after string
		want          []DiffLine
	}{
		{"equal", "a\nb\n", "a\nb\n", []DiffLine{k("a"), k("b")}},
		{"both empty", "", "", nil},
		{"from nothing", "", "a\nb", []DiffLine{ad("a"), ad("b")}},
		{"to nothing", "a\nb\n", "", []DiffLine{rm("a"), rm("b")}},
		{"one line changed", "标题\n金额：1.00 元\n结尾\n", "标题\n金额：2.00 元\n结尾\n",
			[]DiffLine{k("标题"), rm("金额：1.00 元"), ad("金额：2.00 元"), k("结尾")}},
		{"a line inserted", "a\nc\n", "a\nb\nc\n", []DiffLine{k("a"), ad("b"), k("c")}},
		{"a line deleted", "a\nb\nc\n", "a\nc\n", []DiffLine{k("a"), rm("b"), k("c")}},
		{"replaced block: removed before added", "a\nx\ny\nd", "a\np\nq\nd",
			[]DiffLine{k("a"), rm("x"), rm("y"), ad("p"), ad("q"), k("d")}},
		{"moved line", "a\nb\nc\nd", "b\nc\na\nd", []DiffLine{rm("a"), k("b"), k("c"), ad("a"), k("d")}},
		{"a final newline makes no empty line", "a\n", "a", []DiffLine{k("a")}},
		{"an empty line is a line", "a\n\nb", "a\nb", []DiffLine{k("a"), rm(""), k("b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DiffLines(tt.before, tt.after)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DiffLines =\n%v\nwant\n%v", got, tt.want)
			}
			checkDiffRebuilds(t, got, tt.before, tt.after)
		})
	}
}

func TestDiffLinesOfReportRevisions(t *testing.T) {
	r1 := testReport()
	r2 := testReport()
	r2.Revision, r2.Supersedes, r2.ChangeNote, r2.AmountFen = 2, "r1", "金额核实。", 60_000_000
	before, after := ImportantReportText(r1, "吉林省 长春市"), ImportantReportText(r2, "吉林省 长春市")
	got := DiffLines(before, after)
	checkDiffRebuilds(t, got, before, after)
	var changed []DiffLine
	for _, d := range got {
		if d.Op != DiffKept {
			changed = append(changed, d)
		}
	}
	want := []DiffLine{
		{DiffRemoved, "涉及金额：523,456.78 元"}, {DiffAdded, "涉及金额：600,000.00 元"},
		{DiffRemoved, "版次：第 1 版"}, {DiffAdded, "版次：第 2 版"}, {DiffAdded, "更正的报告：r1"}, {DiffAdded, "更正说明：金额核实。"},
	}
	if !reflect.DeepEqual(changed, want) {
		t.Errorf("changed lines =\n%v\nwant\n%v", changed, want)
	}
}

func TestDiffLinesFallsBackOnHugeInputs(t *testing.T) {
	var a, b strings.Builder
	for i := range 2100 {
		a.WriteString("a" + strings.Repeat("x", i%7) + "\n")
		b.WriteString("b" + strings.Repeat("y", i%5) + "\n")
	}
	got := DiffLines(a.String(), b.String())
	if len(got) != 4200 || got[0].Op != DiffRemoved || got[4199].Op != DiffAdded {
		t.Errorf("fallback gave %d lines, first %v, last %v", len(got), got[0], got[len(got)-1])
	}
	checkDiffRebuilds(t, got, a.String(), b.String())
}

// checkDiffRebuilds checks that the kept and removed lines give back the old
// text and the kept and added lines the new one.
func checkDiffRebuilds(t *testing.T, d []DiffLine, before, after string) {
	t.Helper()
	var oldLines, newLines []string
	for _, l := range d {
		switch l.Op {
		case DiffKept:
			oldLines, newLines = append(oldLines, l.Text), append(newLines, l.Text)
		case DiffRemoved:
			oldLines = append(oldLines, l.Text)
		case DiffAdded:
			newLines = append(newLines, l.Text)
		default:
			t.Fatalf("unknown op %q", l.Op)
		}
	}
	if !reflect.DeepEqual(oldLines, splitLines(before)) || !reflect.DeepEqual(newLines, splitLines(after)) {
		t.Errorf("the diff does not rebuild both texts")
	}
}
