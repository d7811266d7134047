package sqlite

import "testing"

func TestPrefixUpperBound(t *testing.T) {
	tests := []struct {
		prefix, upper string
		ok            bool
	}{
		{"case.", "case/", true},
		{"a", "b", true},
		{"叿", "\xe5\x8f\xc0", true}, // U+53FF: the carry stays in the last byte
		{"a\xff", "b", true},
		{"a\xff\xff", "b", true},
		{"\xff", "", false},
	}
	for _, tc := range tests {
		upper, ok := prefixUpperBound(tc.prefix)
		if upper != tc.upper || ok != tc.ok {
			t.Errorf("prefixUpperBound(%q) = %q, %v; want %q, %v", tc.prefix, upper, ok, tc.upper, tc.ok)
		}
	}
}
