package meili

import (
	"strconv"
	"strings"

	"fundwatch/search"
)

// filterField is a field a filter may name. Only the constants below exist,
// so no filter names a field that came from a request.
type filterField string

const (
	filterType       filterField = fieldType
	filterRegionCode filterField = fieldRegionCode
	filterYear       filterField = fieldYear
	filterStatus     filterField = fieldStatus
	filterClass      filterField = fieldClass
	filterCategory   filterField = fieldCategory
	filterKind       filterField = fieldKind
)

// filterableFields is the filterableAttributes setting: every filterField.
var filterableFields = []string{
	string(filterType), string(filterRegionCode), string(filterYear), string(filterStatus),
	string(filterClass), string(filterCategory), string(filterKind),
}

// buildFilter writes the filters of q in Meilisearch's filter syntax, the
// clauses joined by AND; "" when q filters nothing. Every value is a
// quoted string (see quoteValue) and the year a number formatted here, so
// no value can end its string or add a clause.
func buildFilter(q search.Query) string {
	var clauses []string
	if len(q.Types) > 0 {
		clauses = append(clauses, inClause(filterType, q.Types))
	}
	if len(q.RegionCodes) > 0 {
		clauses = append(clauses, inClause(filterRegionCode, q.RegionCodes))
	}
	if q.Year != 0 {
		clauses = append(clauses, string(filterYear)+" = "+strconv.Itoa(q.Year))
	}
	if len(q.Statuses) > 0 {
		clauses = append(clauses, inClause(filterStatus, q.Statuses))
	}
	if q.Class != "" {
		clauses = append(clauses, string(filterClass)+" = "+quoteValue(q.Class))
	}
	if q.Category != "" {
		clauses = append(clauses, string(filterCategory)+" = "+quoteValue(q.Category))
	}
	return strings.Join(clauses, " AND ")
}

// inClause writes `field IN ["a", "b"]`; values must not be empty.
func inClause(field filterField, values []string) string {
	var b strings.Builder
	b.WriteString(string(field))
	b.WriteString(" IN [")
	for i, v := range values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteValue(v))
	}
	b.WriteByte(']')
	return b.String()
}

// quoteValue writes v as a double-quoted filter value. Meilisearch's
// filter parser (crates/filter-parser, value.rs) reads a quoted value up
// to the first quote not preceded by a backslash, drops the backslash of
// each \", then reads the remaining escape sequences (\\ is one
// backslash, \n a newline, \u{…} a character …). So every backslash is
// doubled and every quote escaped, and nothing else needs to be: other
// characters, newlines and Chinese included, stand for themselves.
func quoteValue(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
