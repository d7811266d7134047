// Package fundfile reads and writes fund report tables (基金收支和结余, DOMAIN.md
// "Disclosure") as files: the admin upload and `fundwatch import
// fund-reports` parse CSV or XLSX into store.FundRow values grouped by year
// and region; the public downloads write them back as CSV; and the templates
// people fill in come from here, so the three agree on every header.
//
// Parsing is all or nothing: a Result either has Reports and no Errors, or
// Errors (each with the row as Excel numbers it, the column's Chinese header
// and a Chinese sentence saying what to fix) and no Reports. Warnings (the
// balance identities of casework.CheckFundRow and casework.CheckAccumulated,
// skipped example rows) never block.
//
// Amounts never pass through a float: CSV cells and XLSX text cells are read
// with casework.ParseWanYuan; an XLSX number cell is read from the decimal
// text the file stores (which Excel writes with up to 17 significant digits,
// e.g. 1234.5599999999999 for a typed 1234.56), rounded as decimal text to
// the 15 significant digits Excel itself shows. The number format of a cell
// does not change its value: a cell that shows 1,234.57 but holds 1234.567
// imports as 1234.567 万元.
//
// Encodings: CSV files are read as UTF-8 (with or without a byte order mark);
// a file that is not valid UTF-8 is converted from GB18030 (the superset of
// GBK that Excel's "CSV (逗号分隔)" writes on Chinese Windows) when it
// converts without a single undecodable byte, and refused with a message
// saying how to save it as "CSV UTF-8" otherwise. UTF-16 files (Excel's
// "Unicode 文本") are refused with the same advice.
//
// Hostile input: files above MaxFileBytes are refused before parsing; XLSX
// parts are streamed with a cap on their unzipped size (MaxUnzippedBytes), so
// a zip bomb is refused without being inflated; rows beyond MaxRows and
// columns beyond MaxColumns stop the reading; formulas are refused cell by
// cell; no cell is ever evaluated.
package fundfile

import (
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/store"

	"golang.org/x/text/width"
)

// Limits on what Parse reads. They are far above a real province's table (a
// dozen regions × eight insurance types × a few years) and low enough that a
// hostile file costs little memory.
const (
	// MaxFileBytes is the largest file accepted (10 MiB).
	MaxFileBytes = 10 << 20
	// MaxRows is the largest number of data rows (the header and blank
	// rows do not count).
	MaxRows = 5000
	// MaxColumns is the right-most column (BL) that may hold anything.
	MaxColumns = 64
	// MaxUnzippedBytes caps the unzipped size of all parts of an XLSX file
	// together (as the archive declares them; reading stops at the cap
	// whatever the archive declares).
	MaxUnzippedBytes = 32 << 20
	// MaxErrors is how many errors are listed; reading stops after that
	// and one more error says so.
	MaxErrors = 200
	// MinYear is the earliest year a fund report may be for.
	MinYear = 2000
)

// File formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Options carry what parsing needs from outside.
type Options struct {
	// Regions is the region tree rows are checked against; nil is
	// casework.DefaultRegions().
	Regions *casework.Regions
	// CurrentYear is this year in China; years from MinYear to
	// CurrentYear+1 are accepted. Zero takes the year of time.Now in
	// China Standard Time (callers with an injected clock pass it).
	CurrentYear int
	// RegionScope, when not empty, lists the region codes the uploader may
	// publish for (their scope); a row of any other region is an error.
	RegionScope []string
}

// Problem is one error or warning about a file.
type Problem struct {
	// Row is the row number as Excel shows it (blank rows count; the
	// header is the first non-blank row, row 1 in the templates); 0 for
	// the file as a whole.
	Row int
	// Cell is the cell reference ("D5"), "" when the problem is not about
	// one cell.
	Cell string
	// Column is the column's Chinese header ("基金收入"), "" when none.
	Column string
	// Message is Chinese and says what to fix.
	Message string
}

// Report is one fund report as a file holds it: a year of one region with a
// row per insurance type, in file order.
type Report struct {
	Year       int
	RegionCode string
	Rows       []store.FundRow
	// SourceRows are the file rows (as Problem.Row) of Rows, for messages
	// that point back into the file; nil for reports not read from a file.
	SourceRows []int
}

// Result is what Parse found.
type Result struct {
	Format string // FormatCSV or FormatXLSX
	// Encoding is the encoding a CSV file was read in ("UTF-8" or
	// "GB18030"), "" for XLSX.
	Encoding string
	// Reports is nil when there are Errors.
	Reports  []Report
	Errors   []Problem
	Warnings []Problem
}

// OK reports whether the file can be imported.
func (r *Result) OK() bool { return len(r.Errors) == 0 }

// Parse reads an uploaded fund report table. The format follows the content
// (an XLSX file is a zip archive) and the file name's extension (.csv,
// .txt or .xlsx); an old binary .xls, an encrypted workbook and other files
// are refused with a message. Its error is only that of reading r; every
// problem with the file is in the Result.
func Parse(r io.Reader, filename string, opts Options) (*Result, error) {
	data, res, err := readLimited(r)
	if res != nil || err != nil {
		return res, err
	}
	ext := strings.ToLower(path.Ext(strings.ReplaceAll(filename, "\\", "/")))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return parseXLSX(data, opts), nil
	case bytes.HasPrefix(data, []byte("\xD0\xCF\x11\xE0")):
		return fileError("", "这是旧版 Excel（.xls）文件或设置了密码的工作簿，无法读取。请在 Excel 中取消密码，另存为“Excel 工作簿（.xlsx）”或“CSV UTF-8（逗号分隔）”后再上传。"), nil
	case ext == ".xlsx":
		return fileError(FormatXLSX, "文件扩展名是 .xlsx，但内容不是有效的 Excel 工作簿（可能已损坏）。请在 Excel 中重新另存为 .xlsx 后上传。"), nil
	case ext == ".csv" || ext == ".txt":
		return parseCSV(data, opts), nil
	}
	return fileError("", "只能上传 CSV（.csv）或 Excel 工作簿（.xlsx）文件，请使用下载的模板填写。"), nil
}

// ParseCSV reads a fund report table from CSV (see the package comment for
// encodings).
func ParseCSV(r io.Reader, opts Options) (*Result, error) {
	data, res, err := readLimited(r)
	if res != nil || err != nil {
		if res != nil {
			res.Format = FormatCSV
		}
		return res, err
	}
	return parseCSV(data, opts), nil
}

// ParseXLSX reads a fund report table from the first sheet of an XLSX
// workbook.
func ParseXLSX(r io.Reader, opts Options) (*Result, error) {
	data, res, err := readLimited(r)
	if res != nil || err != nil {
		if res != nil {
			res.Format = FormatXLSX
		}
		return res, err
	}
	return parseXLSX(data, opts), nil
}

// readLimited reads at most MaxFileBytes; a larger file is a Result with
// the size refusal.
func readLimited(r io.Reader) ([]byte, *Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fileError("", fmt.Sprintf("文件超过 %d MB，无法导入。请检查是否选错了文件，或分成几个文件上传。", MaxFileBytes>>20)), nil
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileError("", "文件是空的，请使用下载的模板填写后再上传。"), nil
	}
	return data, nil, nil
}

func fileError(format, msg string) *Result {
	return &Result{Format: format, Errors: []Problem{{Message: msg}}}
}

// cellKind says what an XLSX cell held; CSV cells are all text.
type cellKind uint8

const (
	kindText    cellKind = iota // typed text, or a CSV cell
	kindNumber                  // an XLSX number, text is the stored decimal (may have an exponent)
	kindDate                    // an XLSX number shown as a date or time, text is the serial number
	kindISODate                 // an XLSX date cell (t="d"), text is ISO 8601
	kindBool                    // TRUE or FALSE
	kindError                   // #DIV/0! and the like
	kindFormula                 // a formula, text is the formula
)

type cell struct {
	kind cellKind
	text string
}

func (c cell) blank() bool {
	return c.kind != kindFormula && strings.TrimFunc(c.text, unicode.IsSpace) == ""
}

// sheetRow is a non-blank row of the file with its Excel row number.
type sheetRow struct {
	num   int
	cells []cell
}

// grid is what a reader hands to the checks: the non-blank rows, at most
// MaxRows+2 of them (a header, MaxRows rows and one too many).
type grid struct {
	rows     []sheetRow
	tooMany  bool // more rows than MaxRows+1 were found
	date1904 bool // XLSX dates count from 1904
}

// column identifies what a header names.
type column int

const (
	colYear column = iota
	colRegionCode
	colRegionName
	colInsuranceType
	colNote
	colAmount // + index into casework.FundColumns()
)

const (
	headerYear       = "年度"
	headerRegionCode = "地区代码"
	headerRegionName = "地区"
	headerType       = "险种"
	headerNote       = "备注"
	amountUnit       = "（万元）"
)

// exampleMark starts the 备注 of the template's example row; such rows are
// skipped with a warning, so a template filled in without deleting it
// imports only what was added.
const exampleMark = "示例"

// templateHeaders are the headers of the templates and of WriteCSV, in
// order: the identifying columns, the amounts with their unit, and 备注
// (templates only).
func templateHeaders(withNote bool) []string {
	h := []string{headerYear, headerRegionCode, headerRegionName, headerType}
	for _, c := range casework.FundColumns() {
		h = append(h, c.Header+amountUnit)
	}
	if withNote {
		h = append(h, headerNote)
	}
	return h
}

// normalizeHeader folds a header cell as people may write it: full-width
// forms, spaces inside, a byte order mark, the unit in parentheses and a
// leading 其中 of the part columns are all ignored.
func normalizeHeader(s string) string {
	s = width.Fold.String(strings.TrimPrefix(s, "\ufeff"))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	for _, unit := range []string{"(万元)", "(单位:万元)", "万元"} {
		if t, ok := strings.CutSuffix(s, unit); ok {
			s = t
			break
		}
	}
	for _, p := range []string{"其中:", "其中、", "其中"} {
		if t, ok := strings.CutPrefix(s, p); ok && t != "" {
			s = t
			break
		}
	}
	return s
}

var headerColumns = func() map[string]column {
	m := map[string]column{
		headerYear: colYear, "年份": colYear,
		headerRegionCode: colRegionCode, "行政区划代码": colRegionCode,
		headerRegionName: colRegionName, "地区名称": colRegionName,
		headerType: colInsuranceType, "险种名称": colInsuranceType, "险种代码": colInsuranceType,
		headerNote: colNote,
	}
	for i, c := range casework.FundColumns() {
		m[c.Header] = colAmount + column(i)
	}
	return m
}()

// columnName is the Chinese header of a column for problems.
func columnName(c column) string {
	switch c {
	case colYear:
		return headerYear
	case colRegionCode:
		return headerRegionCode
	case colRegionName:
		return headerRegionName
	case colInsuranceType:
		return headerType
	case colNote:
		return headerNote
	}
	return casework.FundColumns()[c-colAmount].Header
}

// cellRef names a cell the way Excel does ("D5").
func cellRef(col, row int) string {
	return columnLetters(col) + fmt.Sprint(row)
}

// columnLetters turns a 0-based column index into Excel letters (0 → A).
func columnLetters(col int) string {
	var b []byte
	for n := col + 1; n > 0; n = (n - 1) / 26 {
		b = append([]byte{byte('A' + (n-1)%26)}, b...)
	}
	return string(b)
}

// excerpt quotes at most 20 characters of what a cell held, with control
// characters shown as spaces, so a message can say which value is meant
// without echoing a megabyte or a terminal escape.
func excerpt(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == 20 {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) || r == utf8.RuneError || unicode.Is(unicode.Cf, r) {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return "“" + b.String() + "”"
}

// checker turns a grid into a Result.
type checker struct {
	opts    Options
	regions *casework.Regions
	res     *Result
	full    bool // MaxErrors reached
}

func (c *checker) fail(p Problem) {
	if c.full {
		return
	}
	if len(c.res.Errors) == MaxErrors {
		c.res.Errors = append(c.res.Errors, Problem{Row: p.Row,
			Message: fmt.Sprintf("错误较多，只列出了前 %d 条，其后各行未检查。请先改正以上错误再上传。", MaxErrors)})
		c.full = true
		return
	}
	c.res.Errors = append(c.res.Errors, p)
}

func (c *checker) warn(p Problem) { c.res.Warnings = append(c.res.Warnings, p) }

// check runs every rule over g and fills res.
func check(g grid, res *Result, opts Options) *Result {
	c := &checker{opts: opts, regions: opts.Regions, res: res}
	if c.regions == nil {
		c.regions = casework.DefaultRegions()
	}
	if c.opts.CurrentYear == 0 {
		c.opts.CurrentYear = time.Now().In(time.FixedZone("CST", 8*3600)).Year()
	}
	if len(g.rows) == 0 {
		c.fail(Problem{Message: "文件中没有内容。请使用下载的模板，在标题行下逐行填写。"})
		return res
	}
	header := g.rows[0]
	cols, ok := c.readHeader(header, g.rows[1:])
	if !ok {
		res.Reports = nil
		return res
	}
	if g.tooMany {
		c.fail(Problem{Message: fmt.Sprintf("数据超过 %d 行，无法一次导入。请分成几个文件上传。", MaxRows)})
		return res
	}
	type key struct {
		year         int
		region, kind string
	}
	seen := map[key]int{}
	type placed struct {
		key
		row store.FundRow
		at  int
	}
	var good []placed
	data := 0
	for _, r := range g.rows[1:] {
		if c.full {
			break
		}
		if note, ok := cols[colNote]; ok && note < len(r.cells) &&
			strings.HasPrefix(strings.TrimSpace(r.cells[note].text), exampleMark) {
			c.warn(Problem{Row: r.num, Cell: cellRef(note, r.num), Column: headerNote,
				Message: "此行备注为“示例”，是模板中的填写示例，已跳过，未导入。"})
			continue
		}
		data++
		row, k, ok := c.readRow(r, cols, g.date1904)
		if !ok {
			continue
		}
		blocking, warnings := casework.CheckFundRow(row)
		for _, p := range blocking {
			c.fail(c.rowProblem(r.num, cols, p))
		}
		for _, p := range warnings {
			c.warn(c.rowProblem(r.num, cols, p))
		}
		kk := key{k.year, k.region, row.InsuranceType}
		if first, dup := seen[kk]; dup {
			c.fail(Problem{Row: r.num, Cell: cellRef(cols[colInsuranceType], r.num), Column: headerType,
				Message: fmt.Sprintf("与第 %d 行重复：同一年度、同一地区的同一险种只能填一行，请删除或合并重复的行。", first)})
			continue
		}
		seen[kk] = r.num
		if len(blocking) == 0 {
			good = append(good, placed{kk, row, r.num})
		}
	}
	if data == 0 && !c.full {
		c.fail(Problem{Row: header.num + 1, Message: "标题行下没有数据。请在标题行下逐行填写各险种的数据（示例行不会导入）。"})
	}
	// The year-to-year identity, for the years the file holds side by side.
	byKey := map[key]placed{}
	for _, p := range good {
		byKey[p.key] = p
	}
	for _, p := range good {
		prev, ok := byKey[key{p.year - 1, p.region, p.kind}]
		if !ok {
			continue
		}
		for _, w := range casework.CheckAccumulated(prev.row, p.row) {
			q := c.rowProblem(p.at, cols, w)
			q.Message += fmt.Sprintf("（上年数据在第 %d 行）", prev.at)
			c.warn(q)
		}
	}
	if len(res.Errors) > 0 {
		return res
	}
	index := map[[2]string]int{}
	for _, p := range good {
		k := [2]string{fmt.Sprint(p.year), p.region}
		i, ok := index[k]
		if !ok {
			i = len(res.Reports)
			index[k] = i
			res.Reports = append(res.Reports, Report{Year: p.year, RegionCode: p.region})
		}
		res.Reports[i].Rows = append(res.Reports[i].Rows, p.row)
		res.Reports[i].SourceRows = append(res.Reports[i].SourceRows, p.at)
	}
	return res
}

// rowProblem places a casework finding in the file.
func (c *checker) rowProblem(row int, cols map[column]int, p casework.FundProblem) Problem {
	q := Problem{Row: row, Column: p.Header, Message: p.Message}
	for col, i := range cols {
		if columnName(col) == p.Header {
			q.Cell = cellRef(i, row)
		}
	}
	return q
}

// readHeader maps the header row's cells to columns. It reports unknown,
// duplicate and missing headers, and data under a column without a header.
func (c *checker) readHeader(h sheetRow, data []sheetRow) (map[column]int, bool) {
	cols := map[column]int{}
	ok := true
	if len(h.cells) == 1 && strings.ContainsAny(h.cells[0].text, "\t;；") {
		c.fail(Problem{Row: h.num, Cell: cellRef(0, h.num),
			Message: "标题行只有一列，各列似乎用制表符或分号隔开。CSV 文件请用英文逗号分隔：在 Excel 中另存为“CSV UTF-8（逗号分隔）”。"})
		return nil, false
	}
	for i, cl := range h.cells {
		if cl.blank() {
			for _, r := range data {
				if i < len(r.cells) && !r.cells[i].blank() {
					c.fail(Problem{Row: r.num, Cell: cellRef(i, r.num),
						Message: fmt.Sprintf("第 %s 列没有列名，但第 %d 行有内容。请删除这一列的内容，或填上模板中的列名。", columnLetters(i), r.num)})
					ok = false
					break
				}
			}
			continue
		}
		if cl.kind == kindFormula {
			c.fail(Problem{Row: h.num, Cell: cellRef(i, h.num), Message: "列名不能是公式，请直接填写模板中的列名。"})
			ok = false
			continue
		}
		col, known := headerColumns[normalizeHeader(cl.text)]
		if !known {
			c.fail(Problem{Row: h.num, Cell: cellRef(i, h.num), Column: excerpt(cl.text),
				Message: "无法识别列名" + excerpt(cl.text) + "。请使用模板中的列名：" + strings.Join(templateHeaders(true), "、") + "。"})
			ok = false
			continue
		}
		if first, dup := cols[col]; dup {
			c.fail(Problem{Row: h.num, Cell: cellRef(i, h.num), Column: columnName(col),
				Message: fmt.Sprintf("“%s”列出现了两次（第 %s 列和第 %s 列），请删除其中一列。", columnName(col), columnLetters(first), columnLetters(i))})
			ok = false
			continue
		}
		cols[col] = i
	}
	var missing []string
	for _, col := range []column{colYear, colInsuranceType} {
		if _, has := cols[col]; !has {
			missing = append(missing, columnName(col))
		}
	}
	_, hasCode := cols[colRegionCode]
	_, hasName := cols[colRegionName]
	if !hasCode && !hasName {
		missing = append(missing, headerRegionCode+"”或“"+headerRegionName)
	}
	for i := range casework.FundColumns() {
		if _, has := cols[colAmount+column(i)]; !has {
			missing = append(missing, columnName(colAmount+column(i))+amountUnit)
		}
	}
	for _, m := range missing {
		c.fail(Problem{Row: h.num, Column: m, Message: "缺少“" + m + "”列。请使用下载的模板，不要删除或改动标题行。"})
		ok = false
	}
	return cols, ok
}

type rowKey struct {
	year   int
	region string
}

// readRow reads one data row; every unusable cell is reported.
func (c *checker) readRow(r sheetRow, cols map[column]int, date1904 bool) (store.FundRow, rowKey, bool) {
	get := func(col column) (cell, int, bool) {
		i, ok := cols[col]
		if !ok {
			return cell{}, -1, false
		}
		if i < len(r.cells) {
			return r.cells[i], i, true
		}
		return cell{}, i, true
	}
	ok := true
	bad := func(col column, i int, msg string) {
		c.fail(Problem{Row: r.num, Cell: cellRef(i, r.num), Column: columnName(col), Message: msg})
		ok = false
	}
	usable := func(col column, cl cell, i int) bool {
		switch cl.kind {
		case kindFormula:
			formula := ""
			if f := strings.TrimSpace(cl.text); f != "" {
				formula = excerpt("=" + strings.TrimPrefix(f, "="))
			}
			bad(col, i, "单元格中是公式"+formula+"，不能导入。请改为直接填写数值（可复制后“选择性粘贴 → 数值”）。")
		case kindBool:
			bad(col, i, "单元格中是逻辑值（TRUE/FALSE），请改为填写"+map[bool]string{true: "数字", false: "内容"}[col >= colAmount]+"。")
		case kindError:
			bad(col, i, "单元格中是错误值"+excerpt(cl.text)+"，请改为填写正确的内容。")
		default:
			return true
		}
		return false
	}

	var key rowKey
	if cl, i, _ := get(colYear); usable(colYear, cl, i) {
		y, msg := readYear(cl, date1904)
		switch {
		case msg != "":
			bad(colYear, i, msg)
		case y < MinYear || y > c.opts.CurrentYear+1:
			bad(colYear, i, fmt.Sprintf("年度 %d 不在 %d 至 %d 之间，请核对。", y, MinYear, c.opts.CurrentYear+1))
		default:
			key.year = y
		}
	}
	key.region = c.readRegion(get, usable, bad)
	var row store.FundRow
	if cl, i, _ := get(colInsuranceType); usable(colInsuranceType, cl, i) {
		code, msg := readInsuranceType(cl.text)
		if msg != "" {
			bad(colInsuranceType, i, msg)
		}
		row.InsuranceType = code
	}
	for n, fc := range casework.FundColumns() {
		col := colAmount + column(n)
		cl, i, _ := get(col)
		if !usable(col, cl, i) {
			continue
		}
		fen, msg := readAmount(cl, fc)
		if msg != "" {
			bad(col, i, msg)
			continue
		}
		fc.SetAmount(&row, fen)
	}
	return row, key, ok
}

// readRegion reads the region from the code, the name or both (which must
// agree); "" when it failed, which bad has reported.
func (c *checker) readRegion(get func(column) (cell, int, bool), usable func(column, cell, int) bool,
	bad func(column, int, string)) string {
	codeCell, codeAt, hasCode := get(colRegionCode)
	nameCell, nameAt, hasName := get(colRegionName)
	var byCode, byName string
	if hasCode && !codeCell.blank() && usable(colRegionCode, codeCell, codeAt) {
		code := strings.TrimSpace(width.Fold.String(codeCell.text))
		if codeCell.kind == kindNumber {
			if d, fine := excelDecimal(codeCell.text); fine {
				code = d
			}
		}
		code = strings.TrimPrefix(code, "'")
		if _, known := c.regions.Lookup(code); known {
			byCode = code
		} else {
			bad(colRegionCode, codeAt, "地区代码"+excerpt(code)+"不存在。请填写 6 位行政区划代码，例如长春市为 220100。")
		}
	}
	if hasName && !nameCell.blank() && usable(colRegionName, nameCell, nameAt) {
		if code, found := c.regionByName(nameCell.text); found {
			byName = code
		} else {
			bad(colRegionName, nameAt, "地区名称"+excerpt(nameCell.text)+"无法识别。请填写地区全称（例如“长春市”“延边朝鲜族自治州”），或在“地区代码”列填写代码。")
		}
	}
	switch {
	case byCode != "" && byName != "" && byCode != byName:
		reg, _ := c.regions.Lookup(byCode)
		bad(colRegionName, nameAt, fmt.Sprintf("地区代码 %s 是%s，与地区名称%s不一致，请核对。", byCode, reg.Name, excerpt(nameCell.text)))
		return ""
	case byCode == "" && byName == "":
		if (!hasCode || codeCell.blank()) && (!hasName || nameCell.blank()) {
			at, col := codeAt, colRegionCode
			if !hasCode {
				at, col = nameAt, colRegionName
			}
			bad(col, at, "请填写地区代码或地区名称。")
		}
		return ""
	}
	region := byCode
	if region == "" {
		region = byName
	}
	if len(c.opts.RegionScope) > 0 && !contains(c.opts.RegionScope, region) {
		at, col := codeAt, colRegionCode
		if byCode == "" {
			at, col = nameAt, colRegionName
		}
		bad(col, at, "您只能发布本单位所辖地区的数据，"+c.regions.FullName(region)+"不在您的管辖范围内。")
		return ""
	}
	return region
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// regionByName finds a region by its name ("长春市") or its full name with
// or without spaces ("吉林省 长春市", "吉林省长春市").
func (c *checker) regionByName(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(width.Fold.String(s)), "'")
	compact := strings.Join(strings.Fields(s), "")
	found := ""
	for _, code := range c.regions.Descendants(c.regions.Root().Code) {
		reg, _ := c.regions.Lookup(code)
		full := c.regions.FullName(code)
		if reg.Name == s || full == s || strings.ReplaceAll(full, " ", "") == compact {
			if found != "" && found != code {
				return "", false // ambiguous: ask for the code
			}
			found = code
		}
	}
	return found, found != ""
}

// insuranceAliases are names in use for an insurance type besides its label.
var insuranceAliases = map[string]string{
	"农村社会养老保险":     casework.InsuranceResidentPension,
	"新型农村社会养老保险":   casework.InsuranceResidentPension,
	"城镇企业职工基本养老保险": casework.InsurancePension,
}

func readInsuranceType(s string) (string, string) {
	s = strings.TrimPrefix(strings.TrimSpace(width.Fold.String(s)), "'")
	if s == "" {
		return "", "请填写险种，例如“企业职工基本养老保险”。"
	}
	for _, o := range casework.InsuranceTypes() {
		if s == o.Label || strings.EqualFold(s, o.Code) {
			return o.Code, ""
		}
	}
	if code, ok := insuranceAliases[s]; ok {
		return code, ""
	}
	var labels []string
	for _, o := range casework.InsuranceTypes() {
		labels = append(labels, o.Label)
	}
	return "", "险种" + excerpt(s) + "无法识别。请填写以下之一：" + strings.Join(labels, "、") + "。"
}

// readYear reads a year from text ("2024", "2024年", "2024年度"), an XLSX
// number, or an XLSX date (its year: a cell formatted "yyyy" shows 2024).
func readYear(cl cell, date1904 bool) (int, string) {
	const msg = "年度应填写 4 位数字的年份，例如 2024。"
	switch cl.kind {
	case kindDate:
		y, ok := serialYear(cl.text, date1904)
		if !ok {
			return 0, msg
		}
		return y, ""
	case kindISODate:
		s := strings.TrimSpace(cl.text)
		if len(s) < 4 || !allDigits(s[:4]) {
			return 0, msg
		}
		return atoi(s[:4]), ""
	case kindNumber:
		d, ok := excelDecimal(cl.text)
		if !ok || !allDigits(d) || len(d) != 4 {
			return 0, msg
		}
		return atoi(d), ""
	}
	s := strings.TrimPrefix(strings.TrimSpace(width.Fold.String(cl.text)), "'")
	if s == "" {
		return 0, "请填写年度，例如 2024。"
	}
	for _, suffix := range []string{"年度", "年"} {
		if t, ok := strings.CutSuffix(s, suffix); ok {
			s = strings.TrimSpace(t)
			break
		}
	}
	if len(s) != 4 || !allDigits(s) {
		return 0, msg
	}
	return atoi(s), ""
}

// readAmount reads one amount cell of column fc; a blank part is zero.
func readAmount(cl cell, fc casework.FundColumn) (int64, string) {
	text := cl.text
	switch cl.kind {
	case kindDate, kindISODate:
		return 0, "单元格是日期格式，Excel 可能把填写的内容当成了日期。请把单元格格式改为“数值”或“常规”，再重新填写金额（单位：万元）。"
	case kindNumber:
		d, ok := excelDecimal(text)
		if !ok {
			return 0, string(casework.ErrWanYuanMalformed)
		}
		text = d
	default:
		text = strings.TrimPrefix(strings.TrimSpace(text), "'")
	}
	fen, err := casework.ParseWanYuan(text, fc.NegativeOK)
	switch {
	case err == casework.ErrWanYuanEmpty && !fc.Required:
		return 0, ""
	case err == casework.ErrWanYuanEmpty:
		return 0, "请填写" + fc.Header + "（单位：万元），没有发生额的填 0。"
	case err == casework.ErrWanYuanNegative:
		return 0, fc.Header + "不能为负数，请核对。只有本年收支结余和年末滚存结余可以为负数。"
	case err != nil:
		return 0, err.Error()
	}
	return fen, ""
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
