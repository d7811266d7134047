package fundfile

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
)

// The XLSX reader is a small streaming one over archive/zip and
// encoding/xml rather than excelize's: excelize reads a worksheet, the
// shared strings and the styles into memory as whole structures (and pads
// every row to its last cell), so a crafted file of a few megabytes can cost
// gigabytes; and it offers no way to stream a cell's formula, type and
// style together with its stored value. This reader keeps only the rows of
// the first sheet up to MaxRows and MaxColumns, the shared strings and one
// number-format id per cell style, and never reads a part past
// MaxUnzippedBytes. excelize writes the template and the tests' fixtures.

// errTooBig is returned when the unzipped parts exceed MaxUnzippedBytes.
var errTooBig = errors.New("fundfile: unzipped size limit")

const (
	msgBadXLSX = "无法读取这个 Excel 文件，它可能已损坏、设置了密码，或不是 .xlsx 格式。请在 Excel 中打开后另存为“Excel 工作簿（.xlsx）”再上传。"
	msgTooBig  = "Excel 文件解压后内容过大（超过 %d MB），无法导入。请只保留模板中的一张工作表和数据，删除图片等其他内容后再上传。"
)

func parseXLSX(data []byte, opts Options) *Result {
	res := &Result{Format: FormatXLSX}
	g, err := readXLSXGrid(data)
	var p *Problem
	switch {
	case errors.Is(err, errTooBig):
		res.Errors = []Problem{{Message: fmt.Sprintf(msgTooBig, MaxUnzippedBytes>>20)}}
		return res
	case errors.As(err, &p):
		res.Errors = []Problem{*p}
		return res
	case err != nil:
		res.Errors = []Problem{{Message: msgBadXLSX}}
		return res
	}
	return check(g, res, opts)
}

// Problem is an error so the reader can stop with a located problem.
func (p *Problem) Error() string { return p.Message }

// xlsxPackage reads parts of an XLSX archive within one byte budget.
type xlsxPackage struct {
	files  map[string]*zip.File // by lower-case name with forward slashes
	budget int64                // bytes left to unzip
}

func openXLSX(data []byte) (*xlsxPackage, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	pkg := &xlsxPackage{files: map[string]*zip.File{}, budget: MaxUnzippedBytes}
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if declared > MaxUnzippedBytes {
			return nil, errTooBig
		}
		pkg.files[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, "\\", "/"), "/"))] = f
	}
	return pkg, nil
}

// budgetReader counts what is read against the package's budget.
type budgetReader struct {
	r   io.Reader
	pkg *xlsxPackage
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.pkg.budget < 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > b.pkg.budget+1 {
		p = p[:b.pkg.budget+1] // one byte past the budget tells a part too big
	}
	n, err := b.r.Read(p)
	b.pkg.budget -= int64(n)
	if b.pkg.budget < 0 {
		return n, errTooBig
	}
	return n, err
}

// open returns a decoder over a part, or nil when the part does not exist.
func (pkg *xlsxPackage) open(name string) (*xml.Decoder, io.Closer, error) {
	f, ok := pkg.files[strings.ToLower(strings.TrimPrefix(name, "/"))]
	if !ok {
		return nil, nil, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, nil, err
	}
	dec := xml.NewDecoder(&budgetReader{r: rc, pkg: pkg})
	return dec, rc, nil
}

// decodePart decodes a whole (small) part into v; false when it is absent.
func (pkg *xlsxPackage) decodePart(name string, v any) (bool, error) {
	dec, rc, err := pkg.open(name)
	if err != nil || dec == nil {
		return false, err
	}
	defer rc.Close()
	return true, dec.Decode(v)
}

type xmlRels struct {
	Rel []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// relsOf reads the relationships of a part, keyed by id, with targets
// resolved to part names.
func (pkg *xlsxPackage) relsOf(part string) (map[string]string, map[string]string, error) {
	dir, file := path.Split(part)
	var rels xmlRels
	if _, err := pkg.decodePart(dir+"_rels/"+file+".rels", &rels); err != nil {
		return nil, nil, err
	}
	byID, byType := map[string]string{}, map[string]string{}
	for _, r := range rels.Rel {
		target := r.Target
		if strings.HasPrefix(target, "/") {
			target = strings.TrimPrefix(target, "/")
		} else {
			target = path.Join(dir, target)
		}
		byID[r.ID] = target
		t := r.Type[strings.LastIndex(r.Type, "/")+1:]
		if _, seen := byType[t]; !seen {
			byType[t] = target
		}
	}
	return byID, byType, nil
}

// readXLSXGrid reads the first worksheet's rows, each cell with its kind.
func readXLSXGrid(data []byte) (grid, error) {
	var g grid
	pkg, err := openXLSX(data)
	if err != nil {
		return g, err
	}
	_, rootRels, err := pkg.relsOf("")
	if err != nil {
		return g, err
	}
	wbPath := rootRels["officeDocument"]
	if wbPath == "" {
		wbPath = "xl/workbook.xml"
	}
	var wb struct {
		Pr *struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name string     `xml:"name,attr"`
			Attr []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	found, err := pkg.decodePart(wbPath, &wb)
	if err != nil {
		return g, err
	}
	if !found || len(wb.Sheets) == 0 {
		return g, errors.New("fundfile: no workbook or no sheet")
	}
	g.date1904 = wb.Pr != nil && (wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true")
	wbByID, wbByType, err := pkg.relsOf(wbPath)
	if err != nil {
		return g, err
	}
	var sheetPath string
	for _, a := range wb.Sheets[0].Attr {
		if a.Name.Local == "id" {
			sheetPath = wbByID[a.Value]
		}
	}
	if sheetPath == "" {
		return g, errors.New("fundfile: first sheet has no part")
	}
	if strings.Contains(sheetPath, "chartsheets/") {
		return g, &Problem{Message: "第一张工作表是图表，不是数据表。请把填好数据的工作表放在第一张后再上传。"}
	}
	sst, err := pkg.sharedStrings(wbByType["sharedStrings"])
	if err != nil {
		return g, err
	}
	dates, err := pkg.dateStyles(wbByType["styles"])
	if err != nil {
		return g, err
	}
	return pkg.readSheet(sheetPath, sst, dates, g)
}

// xmlText is a string item: plain (<t>) or rich text runs (<r><t>);
// phonetic runs (<rPh>) are not part of the text. Excel's _xHHHH_ escapes
// of control characters are left as they are: no column of the table can
// hold a control character, so such a cell is refused either way.
type xmlText struct {
	T    *string `xml:"t"`
	Runs []struct {
		T string `xml:"t"`
	} `xml:"r"`
}

func (x *xmlText) String() string {
	if x.T != nil && len(x.Runs) == 0 {
		return *x.T
	}
	var b strings.Builder
	if x.T != nil {
		b.WriteString(*x.T)
	}
	for _, r := range x.Runs {
		b.WriteString(r.T)
	}
	return b.String()
}

// sharedStrings reads the shared string table, streaming item by item.
func (pkg *xlsxPackage) sharedStrings(name string) ([]string, error) {
	if name == "" {
		name = "xl/sharedStrings.xml"
	}
	dec, rc, err := pkg.open(name)
	if err != nil || dec == nil {
		return nil, err
	}
	defer rc.Close()
	var out []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "si" {
			var si xmlText
			if err := dec.DecodeElement(&si, &se); err != nil {
				return nil, err
			}
			out = append(out, si.String())
		}
	}
}

// dateStyles reads which cell styles (by index) show numbers as dates or
// times.
func (pkg *xlsxPackage) dateStyles(name string) ([]bool, error) {
	if name == "" {
		name = "xl/styles.xml"
	}
	dec, rc, err := pkg.open(name)
	if err != nil || dec == nil {
		return nil, err
	}
	defer rc.Close()
	custom := map[string]string{}
	var xfs []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "numFmts":
			var v struct {
				F []struct {
					ID   string `xml:"numFmtId,attr"`
					Code string `xml:"formatCode,attr"`
				} `xml:"numFmt"`
			}
			if err := dec.DecodeElement(&v, &se); err != nil {
				return nil, err
			}
			for _, f := range v.F {
				custom[f.ID] = f.Code
			}
		case "cellXfs":
			var v struct {
				Xf []struct {
					ID string `xml:"numFmtId,attr"`
				} `xml:"xf"`
			}
			if err := dec.DecodeElement(&v, &se); err != nil {
				return nil, err
			}
			for _, x := range v.Xf {
				xfs = append(xfs, x.ID)
			}
		}
	}
	out := make([]bool, len(xfs))
	for i, id := range xfs {
		if code, ok := custom[id]; ok {
			out[i] = isDateFormat(code)
			continue
		}
		n, err := strconv.Atoi(id)
		out[i] = err == nil && isBuiltinDateFormat(n)
	}
	return out, nil
}

// isBuiltinDateFormat reports the built-in number formats that show dates
// or times (ECMA-376 §18.8.30, with the East Asian ones Chinese Excel uses).
func isBuiltinDateFormat(id int) bool {
	return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58)
}

// isDateFormat reports whether a custom number format code shows a date or
// a time: a y, m, d, h or s outside quoted text, escapes and [brackets]
// ([Red], [$-804]) — the rule spreadsheet readers use.
func isDateFormat(code string) bool {
	inQuote, inBracket := false, false
	for i := 0; i < len(code); i++ {
		ch := code[i]
		switch {
		case inQuote:
			inQuote = ch != '"'
		case inBracket:
			inBracket = ch != ']'
		case ch == '"':
			inQuote = true
		case ch == '[':
			inBracket = true
		case ch == '\\' || ch == '_' || ch == '*':
			i++
		case strings.IndexByte("ymdhsYMDHS", ch) >= 0:
			return true
		case ch == ';':
			return false // only the first section decides
		}
	}
	return false
}

// xmlCell is one <c> of a worksheet.
type xmlCell struct {
	R  string   `xml:"r,attr"`
	T  string   `xml:"t,attr"`
	S  string   `xml:"s,attr"`
	F  *string  `xml:"f"`
	V  string   `xml:"v"`
	IS *xmlText `xml:"is"`
}

// readSheet streams the rows of a worksheet into g.
func (pkg *xlsxPackage) readSheet(name string, sst []string, dates []bool, g grid) (grid, error) {
	dec, rc, err := pkg.open(name)
	if err != nil {
		return g, err
	}
	if dec == nil {
		return g, errors.New("fundfile: worksheet part missing")
	}
	defer rc.Close()
	rowNum, col := 0, 0
	var cur []cell
	flush := func() error {
		blank := true
		for _, c := range cur {
			if !c.blank() {
				blank = false
				break
			}
		}
		if blank {
			return nil
		}
		if len(g.rows) == MaxRows+1 {
			g.tooMany = true
			return io.EOF
		}
		g.rows = append(g.rows, sheetRow{num: rowNum, cells: cur})
		return nil
	}
	inRow := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return g, err
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "row":
				next := rowNum + 1
				for _, a := range el.Attr {
					if a.Name.Local == "r" {
						n, err := strconv.Atoi(a.Value)
						if err != nil || n <= rowNum || n > 1_048_576 {
							return g, errors.New("fundfile: row numbers out of order")
						}
						next = n
					}
				}
				rowNum, col, cur, inRow = next, 0, nil, true
			case "c":
				if !inRow {
					return g, errors.New("fundfile: cell outside a row")
				}
				var xc xmlCell
				if err := dec.DecodeElement(&xc, &el); err != nil {
					return g, err
				}
				if xc.R != "" {
					c, ok := refColumn(xc.R)
					if !ok || c < col {
						return g, errors.New("fundfile: bad cell reference")
					}
					col = c
				}
				v, err := cellValue(xc, sst, dates)
				if err != nil {
					return g, err
				}
				if col >= MaxColumns {
					if !v.blank() {
						return g, &Problem{Row: rowNum, Cell: cellRef(col, rowNum), Message: fmt.Sprintf(
							"第 %d 行在第 %s 列之后还有内容，超过了 %d 列。请只保留模板中的列。", rowNum, columnLetters(MaxColumns-1), MaxColumns)}
					}
				} else {
					for len(cur) < col {
						cur = append(cur, cell{})
					}
					cur = append(cur, v)
				}
				col++
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "row":
				inRow = false
				if err := flush(); err == io.EOF {
					return g, nil
				}
			case "sheetData":
				return g, nil
			}
		}
	}
	return g, nil
}

// refColumn returns the 0-based column of a cell reference ("D5" → 3).
func refColumn(ref string) (int, bool) {
	n, i := 0, 0
	for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
		n = n*26 + int(ref[i]-'A'+1)
		if n > 16384 {
			return 0, false
		}
	}
	if i == 0 || i == len(ref) {
		return 0, false
	}
	return n - 1, true
}

// cellValue gives a cell its kind and text.
func cellValue(xc xmlCell, sst []string, dates []bool) (cell, error) {
	if xc.F != nil {
		// A shared formula's follower cells carry no formula text.
		return cell{kind: kindFormula, text: *xc.F}, nil
	}
	switch xc.T {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(xc.V))
		if err != nil || i < 0 || i >= len(sst) {
			return cell{}, errors.New("fundfile: shared string index out of range")
		}
		return cell{kind: kindText, text: sst[i]}, nil
	case "inlineStr":
		if xc.IS == nil {
			return cell{kind: kindText}, nil
		}
		return cell{kind: kindText, text: xc.IS.String()}, nil
	case "str":
		return cell{kind: kindText, text: xc.V}, nil
	case "b":
		return cell{kind: kindBool, text: xc.V}, nil
	case "e":
		return cell{kind: kindError, text: xc.V}, nil
	case "d":
		return cell{kind: kindISODate, text: xc.V}, nil
	}
	v := strings.TrimSpace(xc.V)
	if v == "" {
		return cell{kind: kindText}, nil
	}
	if s, err := strconv.Atoi(xc.S); err == nil && s >= 0 && s < len(dates) && dates[s] {
		return cell{kind: kindDate, text: v}, nil
	}
	return cell{kind: kindNumber, text: v}, nil
}

// excelDecimal turns the decimal text an XLSX file stores for a number
// ("1234.5599999999999", "1E-3", "-2.5E+2") into plain decimal text rounded
// to the 15 significant digits Excel shows ("1234.56", "0.001", "-250"),
// without a float. false when the text is not a number.
func excelDecimal(s string) (string, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if t, ok := strings.CutPrefix(s, "-"); ok {
		neg, s = true, t
	}
	mant, expText, hasExp := strings.Cut(strings.ToUpper(s), "E")
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(expText)
		if err != nil || e < -400 || e > 400 {
			return "", false
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if (intPart == "" && frac == "") || !digitsOrEmpty(intPart) || !digitsOrEmpty(frac) {
		return "", false
	}
	// value = 0.digits × 10^point
	digits := strings.TrimLeft(intPart+frac, "0")
	point := len(intPart) + exp - (len(intPart+frac) - len(digits))
	if digits == "" {
		return "0", true
	}
	if len(digits) > 15 {
		b := []byte(digits[:15])
		if digits[15] >= '5' {
			i := 14
			for ; i >= 0 && b[i] == '9'; i-- {
				b[i] = '0'
			}
			if i < 0 {
				b = append([]byte{'1'}, b...)
				point++
			} else {
				b[i]++
			}
		}
		digits = string(b)
	}
	digits = strings.TrimRight(digits, "0")
	var out string
	switch {
	case point <= 0:
		out = "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		out = digits + strings.Repeat("0", point-len(digits))
	default:
		out = digits[:point] + "." + digits[point:]
	}
	if neg {
		out = "-" + out
	}
	return out, true
}

func digitsOrEmpty(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// serialYear returns the year of an Excel date serial number (its whole
// days; the 1900 system counts a 29 February 1900 that never was).
func serialYear(s string, date1904 bool) (int, bool) {
	d, ok := excelDecimal(s)
	if !ok || strings.HasPrefix(d, "-") {
		return 0, false
	}
	whole, _, _ := strings.Cut(d, ".")
	if len(whole) > 7 || !allDigits(whole) {
		return 0, false
	}
	days := atoi(whole)
	base := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		base = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 61:
		base = base.AddDate(0, 0, 1)
	}
	return base.AddDate(0, 0, days).Year(), true
}
