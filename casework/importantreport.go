package casework

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"

	"fundwatch/store"
)

// Recipients of 要情 reports, in the words of the seed notice (吉政办发〔2007〕9号
// §5: “报同级社会保障监督委员会及相关部门”, “逐级报送省社会保障监督委员会及相关部门”,
// “报省的同时，报送国家相关部门”).
const (
	RecipientSameLevel  = "同级社会保障监督委员会及相关部门"
	RecipientProvincial = "逐级报送省社会保障监督委员会及相关部门"
	RecipientNational   = "国家相关部门（与报省同时报送）"
)

// ImportantRecipients returns to whom a 要情 report of the class goes, one
// entry a line of the report: a 要情 to the same-level committee and
// departments; a 重大要情 level by level up to the provincial committee,
// which starts at the same level, so that is listed first; a national one
// (500,000 yuan or more) also to the national departments, at the same time
// as to the province. nil for ClassNone or an unknown class.
func ImportantRecipients(class string, national bool) []string {
	switch class {
	case ClassImportant:
		return []string{RecipientSameLevel}
	case ClassMajor:
		out := []string{RecipientSameLevel, RecipientProvincial}
		if national {
			out = append(out, RecipientNational)
		}
		return out
	}
	return nil
}

// ImportantReportText is the canonical text of a 要情 report: exactly what a
// leader reads when signing and what ImportantReportHash fingerprints. Each
// field has its own line with a Chinese label, in this order: title, case
// number, reporting region (regionName, e.g. Regions.FullName of
// r.RegionCode, with the code), class, date of discovery, amount in yuan,
// nature (problem category), insurance types, revision (and for a
// correction, what it corrects and why), the body, the recipients one a
// line. The body and the recipients are preceded by their line counts, so
// no text typed into the body can pass for a recipient or another field.
//
// The text is normalised so the same report always gives the same bytes:
// invalid UTF-8 becomes U+FFFD, line breaks in one-line fields and control
// characters become spaces, CRLF and CR in the body become LF, no line has
// trailing spaces, the body's leading and trailing blank lines are dropped,
// lines are separated by LF and the text ends with one LF. Changing this
// function changes the hash of every report signed after the change and
// makes the stored SignedHash of earlier ones unverifiable: version it
// instead (keep this one for old reports).
func ImportantReportText(r *store.ImportantReport, regionName string) string {
	var b strings.Builder
	line := func(label, value string) {
		b.WriteString(label)
		b.WriteString("：")
		b.WriteString(oneLine(value))
		b.WriteByte('\n')
	}
	b.WriteString("要情报告\n")
	line("标题", r.Title)
	line("案件编号", r.CaseNumber)
	region := oneLine(regionName)
	if r.RegionCode != "" {
		region += "（" + oneLine(r.RegionCode) + "）"
	}
	line("报告地区", region)
	class := ImportantClassLabel(r.Class)
	if r.National {
		class += "（同时报送国家相关部门）"
	}
	line("要情类别", class)
	line("发现日期", r.DiscoveredOn)
	line("涉及金额", FormatYuan(r.AmountFen)+" 元")
	line("问题性质", CategoryLabel(r.Category))
	types := make([]string, 0, len(r.InsuranceTypes))
	for _, it := range r.InsuranceTypes {
		types = append(types, InsuranceTypeLabel(it))
	}
	if len(types) == 0 {
		types = append(types, "（未填写）")
	}
	line("涉及险种", strings.Join(types, "、"))
	line("版次", "第 "+strconv.Itoa(max(r.Revision, 1))+" 版")
	if r.Revision > 1 || r.Supersedes != "" || strings.TrimSpace(r.ChangeNote) != "" {
		line("更正的报告", r.Supersedes)
		line("更正说明", r.ChangeNote)
	}
	body := bodyLines(r.Body)
	b.WriteString("情况（共 " + strconv.Itoa(len(body)) + " 行）：\n")
	for _, l := range body {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	var recipients []string
	for _, rc := range r.Recipients {
		if rc = oneLine(rc); rc != "" {
			recipients = append(recipients, rc)
		}
	}
	b.WriteString("报送对象（共 " + strconv.Itoa(len(recipients)) + " 个）：\n")
	for _, rc := range recipients {
		b.WriteString(rc)
		b.WriteByte('\n')
	}
	return b.String()
}

// oneLine makes a field value fit on its line: valid UTF-8, every control
// character and line or paragraph separator a space, no surrounding spaces.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// bodyLines splits the body into lines: CRLF, CR, U+2028 and U+2029 end a
// line, other control characters become spaces, trailing spaces go, leading
// ones (paragraph indents) stay, and blank lines at either end are dropped.
func bodyLines(s string) []string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n").Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, l)
		lines[i] = strings.TrimRightFunc(l, unicode.IsSpace)
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// ImportantReportHash is the hex SHA-256 of the report text, recorded as
// SignedHash when a leader signs; recomputing it from the stored report shows
// whether what is stored is still what was signed.
func ImportantReportHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// Operations of a DiffLine.
const (
	DiffKept    = "kept"
	DiffRemoved = "removed"
	DiffAdded   = "added"
)

// DiffLine is one line of a line diff.
type DiffLine struct {
	Op   string // DiffKept, DiffRemoved or DiffAdded
	Text string
}

// maxDiffCells bounds the work of DiffLines (lines of old × lines of new
// after the common ends are set aside); beyond it the middle is shown as all
// removed, then all added, which is still correct, only less tidy.
const maxDiffCells = 4 << 20

// DiffLines compares two texts line by line (a longest common subsequence)
// and returns the lines of both in order, each marked kept, removed or added;
// where lines were replaced, the removed ones come before the added ones. It
// shows a leader what a correction (a new revision of a 要情 report) changed
// against the report it corrects: diff their ImportantReportText. A final
// newline does not make an extra empty line.
func DiffLines(before, after string) []DiffLine {
	a, b := splitLines(before), splitLines(after)
	var out []DiffLine
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		out = append(out, DiffLine{DiffKept, a[pre]})
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	out = append(out, diffMiddle(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		out = append(out, DiffLine{DiffKept, l})
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diffMiddle diffs two line lists that share no first or last line.
func diffMiddle(a, b []string) []DiffLine {
	n, m := len(a), len(b)
	out := make([]DiffLine, 0, n+m)
	if n*m > maxDiffCells {
		for _, l := range a {
			out = append(out, DiffLine{DiffRemoved, l})
		}
		for _, l := range b {
			out = append(out, DiffLine{DiffAdded, l})
		}
		return out
	}
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:], in one flat slice.
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	var added []DiffLine
	flushAdded := func() {
		out = append(out, added...)
		added = added[:0]
	}
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			flushAdded()
			out = append(out, DiffLine{DiffKept, a[i]})
			i++
			j++
		case j < m && (i == n || lcs[i*w+j+1] > lcs[(i+1)*w+j]):
			added = append(added, DiffLine{DiffAdded, b[j]})
			j++
		default:
			out = append(out, DiffLine{DiffRemoved, a[i]})
			i++
		}
	}
	flushAdded()
	return out
}
