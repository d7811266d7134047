package fundfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

const (
	encodingUTF8    = "UTF-8"
	encodingGB18030 = "GB18030"
)

// saveAsUTF8 is the advice every encoding refusal ends with.
const saveAsUTF8 = "请在 Excel 中用“文件 → 另存为”，保存类型选“CSV UTF-8（逗号分隔）(*.csv)”后重新上传，或直接上传 .xlsx 文件。"

func parseCSV(data []byte, opts Options) *Result {
	res := &Result{Format: FormatCSV}
	text, enc, msg := decodeCSV(data)
	if msg != "" {
		res.Errors = []Problem{{Message: msg}}
		return res
	}
	res.Encoding = enc
	g, p := readCSVGrid(text)
	if p != nil {
		res.Errors = []Problem{*p}
		return res
	}
	return check(g, res, opts)
}

// decodeCSV returns the file as UTF-8 text and the encoding it was in, or a
// refusal.
func decodeCSV(data []byte) (string, string, string) {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		data = data[3:]
	case bytes.HasPrefix(data, []byte("\xFF\xFE")), bytes.HasPrefix(data, []byte("\xFE\xFF")):
		return "", "", "文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法读取。" + saveAsUTF8
	}
	head := data[:min(len(data), 4096)]
	if nul := bytes.Count(head, []byte{0}); nul > 0 && nul >= len(head)/4 {
		return "", "", "文件中有大量空字符，可能是 UTF-16 编码或不是文本文件。" + saveAsUTF8
	}
	if utf8.Valid(data) {
		return string(data), encodingUTF8, ""
	}
	text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || bytes.ContainsRune(text, utf8.RuneError) {
		return "", "", "文件编码无法识别：既不是 UTF-8，也不是 GBK/GB18030 编码的文本。" + saveAsUTF8
	}
	return string(text), encodingGB18030, ""
}

// readCSVGrid splits the text into rows. Row numbers are those Excel shows
// when it opens the file: blank lines are rows too, and a quoted cell with
// line breaks is one row.
func readCSVGrid(text string) (grid, *Problem) {
	var g grid
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	row, nextLine := 0, 1 // Excel row of the last record; first line not yet read
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return g, nil
		}
		if err != nil {
			var pe *csv.ParseError
			at := row + 1
			if errors.As(err, &pe) {
				at = row + 1 + max(0, pe.StartLine-nextLine)
			}
			return g, &Problem{Row: at, Message: fmt.Sprintf(
				"第 %d 行的引号不配对或位置不对，文件无法继续读取。含逗号、引号或换行的单元格要整个用英文双引号括起来，单元格内的双引号要写两个（\"\"）。用 Excel 另存为 CSV 不会出现这个问题。", at)}
		}
		start, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(rec) - 1)
		row += 1 + max(0, start-nextLine)
		nextLine = last + strings.Count(rec[len(rec)-1], "\n") + 1
		cells := make([]cell, len(rec))
		blank := true
		for i, v := range rec {
			cells[i] = cell{kind: kindText, text: v}
			if !cells[i].blank() {
				blank = false
			}
		}
		if blank {
			continue
		}
		if len(cells) > MaxColumns {
			for i := MaxColumns; i < len(cells); i++ {
				if !cells[i].blank() {
					return g, &Problem{Row: row, Cell: cellRef(i, row), Message: fmt.Sprintf(
						"第 %d 行在第 %s 列之后还有内容，超过了 %d 列。请只保留模板中的列。", row, columnLetters(MaxColumns-1), MaxColumns)}
				}
			}
			cells = cells[:MaxColumns]
		}
		if len(g.rows) == MaxRows+1 {
			g.tooMany = true
			return g, nil
		}
		g.rows = append(g.rows, sheetRow{num: row, cells: cells})
	}
}
