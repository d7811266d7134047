package meili

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"fundwatch/search"
)

// hostileValues are values a request could carry into a filter.
var hostileValues = []string{
	`220100" OR regionCode = "*`,
	`220100\" OR regionCode = \"*`,
	`"`,
	`""`,
	`\`,
	`\\`,
	`abc\`,
	`a\"b`,
	`\"`,
	`\\"`,
	`a\nb`,       // a backslash and an n
	"a\nb",       // a newline
	"tab\there",  // a tab
	"nul\x00nul", // a NUL byte
	`\u{41}`,
	`\x41`,
	`'`,
	`'] OR type IN ['x`,
	`[`, `]`, `,`, `=`,
	`) OR (year = 1`,
	`AND`, `OR`, `NOT`, `IN`,
	"吉林市",
	"“全角引号”",
	"",
	" ",
}

func TestQuoteValueRoundTrips(t *testing.T) {
	for _, v := range hostileValues {
		q := quoteValue(v)
		got, rest, err := readQuoted(q)
		if err != nil {
			t.Errorf("quoteValue(%q) = %s: Meilisearch would refuse it: %v", v, q, err)
			continue
		}
		if rest != "" {
			t.Errorf("quoteValue(%q) = %s: the value ends early, %q follows it", v, q, rest)
		}
		if got != v {
			t.Errorf("quoteValue(%q) = %s reads back as %q", v, q, got)
		}
	}
}

func TestBuildFilter(t *testing.T) {
	tests := []struct {
		name string
		q    search.Query
		want string // the filter with every quoted value shown as V
	}{
		{"nothing to filter", search.Query{}, ""},
		{"empty lists filter nothing", search.Query{Types: []string{}, RegionCodes: []string{}, Statuses: []string{}}, ""},
		{"one type", search.Query{Types: []string{"news"}}, `type IN [V]`},
		{"region scope", search.Query{RegionCodes: []string{"220000", "220100", "220102"}}, `regionCode IN [V, V, V]`},
		{"year is a number", search.Query{Year: 2025}, `year = 2025`},
		{"statuses", search.Query{Statuses: []string{"pending", "handling"}}, `status IN [V, V]`},
		{"class", search.Query{Class: "important"}, `class = V`},
		{"category", search.Query{Category: "fraud"}, `category = V`},
		{"all filters, in a fixed order", search.Query{
			Types: []string{"case"}, RegionCodes: []string{"220100"}, Year: 2026,
			Statuses: []string{"pending"}, Class: "serious", Category: "fraud",
		}, `type IN [V] AND regionCode IN [V] AND year = 2026 AND status IN [V] AND class = V AND category = V`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildFilter(tt.q)
			shape, values, err := filterShape(got)
			if err != nil {
				t.Fatalf("buildFilter = %s: %v", got, err)
			}
			if shape != tt.want {
				t.Errorf("buildFilter = %s\nshape %s\nwant  %s", got, shape, tt.want)
			}
			if want := queryValues(tt.q); !slices.Equal(values, want) {
				t.Errorf("values %q, want %q", values, want)
			}
		})
	}
}

// TestBuildFilterHostileValues puts every hostile value in every filter
// field: the filter keeps its shape (no value ends its string, opens a
// clause or names a field) and each value reads back unchanged.
func TestBuildFilterHostileValues(t *testing.T) {
	for _, v := range hostileValues {
		q := search.Query{
			Types: []string{v, "news"}, RegionCodes: []string{"220100", v}, Year: 2025,
			Statuses: []string{v}, Class: v, Category: v,
		}
		got := buildFilter(q)
		shape, values, err := filterShape(got)
		if err != nil {
			t.Errorf("value %q: buildFilter = %s: %v", v, got, err)
			continue
		}
		want := `type IN [V, V] AND regionCode IN [V, V] AND year = 2025 AND status IN [V] AND class = V AND category = V`
		if v == "" { // an empty class or category does not filter
			want = `type IN [V, V] AND regionCode IN [V, V] AND year = 2025 AND status IN [V]`
		}
		if shape != want {
			t.Errorf("value %q: buildFilter = %s\nshape %s\nwant  %s", v, got, shape, want)
		}
		if wantValues := queryValues(q); !slices.Equal(values, wantValues) {
			t.Errorf("value %q: values read back %q, want %q", v, values, wantValues)
		}
	}
}

// queryValues lists q's string filter values in the order buildFilter
// writes them.
func queryValues(q search.Query) []string {
	var out []string
	out = append(out, q.Types...)
	out = append(out, q.RegionCodes...)
	out = append(out, q.Statuses...)
	if q.Class != "" {
		out = append(out, q.Class)
	}
	if q.Category != "" {
		out = append(out, q.Category)
	}
	return out
}

// filterShape reads a filter as Meilisearch does and returns it with every
// quoted value replaced by V, and the values read.
func filterShape(f string) (string, []string, error) {
	var shape strings.Builder
	var values []string
	for f != "" {
		if f[0] != '"' {
			shape.WriteByte(f[0])
			f = f[1:]
			continue
		}
		v, rest, err := readQuoted(f)
		if err != nil {
			return "", nil, err
		}
		shape.WriteByte('V')
		values = append(values, v)
		f = rest
	}
	return shape.String(), values, nil
}

var errMalformed = errors.New("malformed value")

// readQuoted reads the double-quoted value at the start of s the way
// Meilisearch's filter parser does (crates/filter-parser/src/value.rs):
// quoted_by finds the closing quote, skipping the character after each
// backslash, and drops the backslash of each \" if there was one; then
// unescaper reads the escape sequences left. It returns the value and what
// follows the closing quote.
func readQuoted(s string) (string, string, error) {
	if !strings.HasPrefix(s, `"`) {
		return "", s, errMalformed
	}
	s = s[1:]
	escapedQuote := false
	end := -1
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			end = i
			break
		}
		if s[i] == '\\' {
			if i+1 >= len(s) {
				return "", "", errMalformed
			}
			i++
			escapedQuote = escapedQuote || s[i] == '"'
		}
	}
	if end < 0 {
		return "", "", errors.New("missing closing quote")
	}
	raw, rest := s[:end], s[end+1:]
	if escapedQuote {
		raw = strings.ReplaceAll(raw, `\"`, `"`)
	}
	v, err := unescapeLikeMeili(raw)
	return v, rest, err
}

// unescapeLikeMeili reads escape sequences as the unescaper crate does.
// \u and \x sequences are refused here: quoteValue never writes them, so
// meeting one means a user's backslash was left single.
func unescapeLikeMeili(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return "", errors.New("incomplete escape")
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case '"':
			b.WriteByte('"')
		case '\'':
			b.WriteByte('\'')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		default:
			return "", errors.New(`escape \` + string(s[i]) + ` read as a sequence`)
		}
	}
	return b.String(), nil
}

func TestReadQuotedCatchesBadEscaping(t *testing.T) {
	// The reader must fail the naive quoting the tests guard against.
	naive := func(v string) string { return `"` + v + `"` }
	for _, v := range []string{`220100" OR regionCode = "*`, `a\nb`, `abc\`, `\u{41}`} {
		got, rest, err := readQuoted(naive(v))
		if err == nil && rest == "" && got == v {
			t.Errorf("naive quoting of %q passed the reader", v)
		}
	}
}
