package handlers

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"fundwatch/casework"
)

// Figures of the disclosure pages, downloads and API: exact decimal text
// made from integers, never through floating point, so 12,345,678,901 fen
// is 12,345.678901 万元 on the page, in the CSV and in the JSON alike.

// wanPlain writes fen as 万元 in plain decimal ("12345.678901", "-0.5"),
// the form of CSV cells and JSON strings; wanGrouped adds thousands
// separators, for pages. Both are casework's, shared with the admin pages.
func wanPlain(fen int64) string { return casework.FormatWanYuanPlain(fen) }

func wanGrouped(fen int64) string { return casework.FormatWanYuan(fen) }

// yuanPlain writes fen as yuan with two decimals and no separators
// ("1234567.89"), for JSON.
func yuanPlain(fen int64) string {
	return strings.ReplaceAll(casework.FormatYuan(fen), ",", "")
}

// percentOfBasisPoints writes hundredths of a percent as a percent number
// with two decimals: 612 is "6.12", -5 is "-0.05".
func percentOfBasisPoints(bp int64) string {
	neg, mag := bp < 0, uint64(bp)
	if neg {
		mag = uint64(-(bp + 1)) + 1
	}
	s := strconv.FormatUint(mag/100, 10) + "." + strconv.FormatUint(mag%100+100, 10)[1:]
	if neg {
		s = "-" + s
	}
	return s
}

// isPlainNumber tells whether s is a decimal the figure helpers wrote
// ("-12.5"), which a spreadsheet reads as a number and never as a formula.
func isPlainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	return intPart != "" && allASCIIDigits(intPart) && (!hasDot || frac != "" && allASCIIDigits(frac))
}

func allASCIIDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// utf8BOM lets Excel, which most readers open a download with, read the
// file as UTF-8 and not as GBK.
const utf8BOM = "\ufeff"

// writeTableCSV writes a download: a UTF-8 byte order mark, then RFC 4180
// records with CRLF line ends. A cell that is a plain number stays a number
// (a deficit of "-12.5" is a figure, not a formula); every other cell is
// neutralised against formula injection as casework.WriteCSV does, since
// titles and labels are typed by people.
func writeTableCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	for _, row := range rows {
		record := make([]string, len(row))
		for i, cell := range row {
			if isPlainNumber(cell) {
				record[i] = cell
			} else {
				record[i] = casework.NeutraliseCSVCell(cell)
			}
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
