package casework

import "testing"

func TestCheckUsername(t *testing.T) {
	for name, ok := range map[string]bool{
		"zhangsan": true, "li.si": true, "wang_5": true, "abc": true, "a2345678901234567890123456789012": true,
		"ab": false, "a23456789012345678901234567890123": false, "Zhang": false, "1abc": false, "张三": false,
		"zhang san": false, "zhang@x": false, "_abc": false, "": false,
	} {
		if got := CheckUsername(name) == ""; got != ok {
			t.Errorf("CheckUsername(%q) ok = %v, want %v (%s)", name, got, ok, CheckUsername(name))
		}
	}
	if got := NormalizeUsername("  ＺhangSan "); got != "zhangsan" {
		t.Errorf("NormalizeUsername = %q", got)
	}
}

func TestValidEmail(t *testing.T) {
	for s, ok := range map[string]bool{
		"zhang@example.com": true, "a.b+c@mail.jl.gov.cn": true,
		"zhang": false, "zhang@localhost": false, "张三 <zhang@example.com>": false, "a@b.c\r\nBcc: x@y.z": false,
		"": false,
	} {
		if got := ValidEmail(s); got != ok {
			t.Errorf("ValidEmail(%q) = %v, want %v", s, got, ok)
		}
	}
}
