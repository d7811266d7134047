package casework

import (
	"testing"
	"time"
)

func TestCheckOccurredPeriod(t *testing.T) {
	// 27 November 2026 in UTC, but 00:30 on the 28th in China.
	now := time.Date(2026, 11, 27, 16, 30, 0, 0, time.UTC)
	tests := []struct {
		name, from, to string
		want           PeriodProblems
	}{
		{"nothing given", "", "", PeriodProblems{}},
		{"one day", "2025-03-01", "", PeriodProblems{}},
		{"a period", "2025-03-01", "2026-02-28", PeriodProblems{}},
		{"a period of one day", "2025-03-01", "2025-03-01", PeriodProblems{}},
		{"until today in China", "2025-03-01", "2026-11-28", PeriodProblems{}},
		{"from the first day allowed", "1990-01-01", "", PeriodProblems{}},
		{"end before start", "2025-03-01", "2025-02-28", PeriodProblems{To: "结束日期不能早于开始日期"}},
		{"end without start", "", "2025-03-01", PeriodProblems{From: "填写了结束日期的，请同时填写开始日期；只知道一个日期的，填在开始日期即可"}},
		{"start tomorrow in China", "2026-11-29", "", PeriodProblems{From: "开始日期不能晚于今天"}},
		{"end tomorrow in China", "2025-03-01", "2026-11-29", PeriodProblems{To: "结束日期不能晚于今天"}},
		{"start in 1989", "1989-12-31", "", PeriodProblems{From: "开始日期不能早于1990年1月1日，请核对年份"}},
		{"start not a date", "2025-02-30", "", PeriodProblems{From: "开始日期应为有效日期，格式如 2026-01-31"}},
		{"end not a date", "2025-02-01", "2025/03/01", PeriodProblems{To: "结束日期应为有效日期，格式如 2026-01-31"}},
		{"both bad: no order message", "2025-13-01", "2024-01-01", PeriodProblems{From: "开始日期应为有效日期，格式如 2026-01-31"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckOccurredPeriod(tt.from, tt.to, now); got != tt.want {
				t.Errorf("CheckOccurredPeriod(%q, %q) = %+v, want %+v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestNormalizeMonth(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"2019-07", "2019-07", true},
		{"2019-7", "2019-07", true},
		{" 2019/7 ", "2019-07", true},
		{"2019.12", "2019-12", true},
		{"2019年7月", "2019-07", true},
		{"2019年 07 月", "2019-07", true},
		{"２０１９－０７", "2019-07", true},
		{"2019–07", "2019-07", true},
		{"2019-13", "", false},
		{"2019-00", "", false},
		{"2019-007", "", false},
		{"19-07", "", false},
		{"2019", "", false},
		{"2019-07-15", "", false},
		{"2019年7月15日", "", false},
		{"七月", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := NormalizeMonth(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeMonth(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzNormalizeMonth(f *testing.F) {
	for _, s := range []string{"2019-07", "2019年7月", "２０１９－０７", "2019/7", "", "2019-", "年月"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok := NormalizeMonth(s)
		if !ok {
			if m != "" {
				t.Fatalf("NormalizeMonth(%q) = %q, false", s, m)
			}
			return
		}
		if _, err := time.Parse("2006-01", m); err != nil || len(m) != 7 {
			t.Fatalf("NormalizeMonth(%q) = %q, not YYYY-MM", s, m)
		}
		if again, ok := NormalizeMonth(m); !ok || again != m {
			t.Fatalf("NormalizeMonth(%q) = %q, %v; want it back", m, again, ok)
		}
	})
}

func TestCheckHiredOn(t *testing.T) {
	now := time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC) // 1 December in China
	tests := []struct{ month, want string }{
		{"2019-07", ""},
		{"2026-12", ""},
		{"1950-01", ""},
		{"2027-01", "入职时间不能晚于本月"},
		{"1949-12", "入职时间不能早于1950年，请核对年份"},
		{"", "请填写入职时间（年月），如 2019-07"},
	}
	for _, tt := range tests {
		if got := CheckHiredOn(tt.month, now); got != tt.want {
			t.Errorf("CheckHiredOn(%q) = %q, want %q", tt.month, got, tt.want)
		}
	}
}

func TestContractOptions(t *testing.T) {
	opts := ContractOptions()
	if len(opts) != 2 || opts[0].Code != "signed" || opts[1].Code != "not_signed" {
		t.Fatalf("contract options %+v", opts)
	}
	for _, o := range opts {
		if !ValidContract(o.Code) || ContractLabel(o.Code) != o.Label || o.Label == "" {
			t.Errorf("contract option %+v", o)
		}
	}
	if ValidContract("") || ValidContract("yes") {
		t.Error("a contract answer outside the list is accepted")
	}
}

func TestReportNoticeIsShortAndVersioned(t *testing.T) {
	if NoticeVersion == "" || len(ReportNotice) == 0 || len(ReportNotice) > 6 {
		t.Fatalf("notice version %q with %d items", NoticeVersion, len(ReportNotice))
	}
	n := 0
	for _, p := range ReportNotice {
		n += len([]rune(p))
	}
	if n > 400 {
		t.Errorf("the notice has %d characters; keep it under 400 and say more in the guide", n)
	}
}
