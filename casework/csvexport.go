package casework

import (
	"encoding/csv"
	"io"
)

// utf8BOM lets Excel, which most offices open exports with, read the file as
// UTF-8; without it Chinese text comes out garbled under a GBK locale.
const utf8BOM = "\ufeff"

// WriteCSV writes rows as CSV for download: a UTF-8 byte order mark, then
// RFC 4180 records with CRLF line ends, every cell neutralised against
// formula injection (NeutraliseCSVCell). It returns the first write error.
func WriteCSV(w io.Writer, rows [][]string) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	record := []string{}
	for _, row := range rows {
		record = record[:0]
		for _, cell := range row {
			record = append(record, NeutraliseCSVCell(cell))
		}
		if err := cw.Write(record); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// NeutraliseCSVCell makes a cell that a spreadsheet would read as a formula
// (OWASP "CSV Injection": a first character of = + - @, a tab or a carriage
// return) into plain text by putting an apostrophe in front. Text typed by
// the public, such as a reported party's name, can then never run as a
// formula on a handler's computer. The price: a negative number exported as
// text ("-12.50") becomes "'-12.50", which a spreadsheet shows as text, not a
// number; amounts in exports are written as text anyway (FormatYuan).
func NeutraliseCSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
