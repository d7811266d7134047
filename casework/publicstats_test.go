package casework

import (
	"strings"
	"testing"

	"fundwatch/store"
)

// statsRegions is a small tree for the statistics tests: a province with
// three cities A, B and C, and a county under A.
func statsRegions(t *testing.T) *Regions {
	t.Helper()
	rs, err := LoadRegions(strings.NewReader("code,name,parent,level\n" +
		"100000,某省,,province\n" +
		"100100,甲市,100000,city\n" +
		"100101,甲市一区,100100,county\n" +
		"100200,乙市,100000,city\n" +
		"100300,丙州,100000,city\n"))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// texts renders a year's table as one line per row: name, received,
// accepted, concluded, recovered.
func texts(y StatsYear) []string {
	var out []string
	for _, r := range y.Rows {
		out = append(out, strings.Join([]string{r.RegionName, r.Received.CountText(), r.Accepted.CountText(),
			r.Concluded.CountText(), r.Recovered.AmountText()}, " "))
	}
	return out
}

func checkTexts(t *testing.T, got StatsYear, want []string) {
	t.Helper()
	g := texts(got)
	if strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("table:\n%s\nwant:\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
}

func TestFormatWanYuanRounded(t *testing.T) {
	tests := []struct {
		fen  int64
		want string
	}{
		{0, "0.00"},
		{4_999, "0.00"},                             // 49.99 yuan rounds down
		{5_000, "0.01"},                             // 50 yuan rounds half up
		{1_000_000, "1.00"},                         // 1万元
		{12_345_678, "12.35"},                       // 123,456.78 yuan
		{12_344_999, "12.34"},                       // 123,449.99 yuan
		{99_995_000, "100.00"},                      // 999,950 yuan
		{1_000_000_000_000_00, "100000000.00"},      // one trillion yuan
		{MaxAmountFen * 90_000, "9000000000000.00"}, // near the largest int64
		{-12_345_678, "-12.35"},
		{-4_999, "0.00"},
	}
	for _, tt := range tests {
		if got := FormatWanYuanRounded(tt.fen); got != tt.want {
			t.Errorf("FormatWanYuanRounded(%d) = %q, want %q", tt.fen, got, tt.want)
		}
	}
}

func TestPublicStatisticsRollsUpRegions(t *testing.T) {
	rs := statsRegions(t)
	rows := []store.CaseStatsRow{
		{Year: 2026, RegionCode: "100100", Received: 3, Accepted: 3, Concluded: 3, RecoveredFen: 1_000_000, RecoveredCases: 1},
		{Year: 2026, RegionCode: "100101", Received: 4, Accepted: 3, Concluded: 2, RecoveredFen: 2_000_000, RecoveredCases: 2},
		{Year: 2026, RegionCode: "100101", Demo: true, Received: 50, Accepted: 50},
		{Year: 2026, RegionCode: "100200", Received: 10, Accepted: 8, Concluded: 6, RecoveredFen: 3_000_000, RecoveredCases: 3},
		{Year: 2025, RegionCode: "100300", Received: 1},
		{Year: 2026, RegionCode: "100300", Received: 5, Accepted: 4, Concluded: 3, RecoveredFen: 4_500_000, RecoveredCases: 3},
	}
	t.Run("counties count in their city; other years and demo cases do not", func(t *testing.T) {
		checkTexts(t, PublicStatistics(rows, rs, 2026, false), []string{
			"甲市 7 6 5 3.00",
			"乙市 10 8 6 3.00",
			"丙州 5 4 3 4.50",
			"某省 22 18 14 10.50",
		})
	})
	t.Run("a demo site counts its demo cases", func(t *testing.T) {
		checkTexts(t, PublicStatistics(rows, rs, 2026, true), []string{
			"甲市 57 56 5 3.00",
			"乙市 10 8 6 3.00",
			"丙州 5 4 3 4.50",
			"某省 72 68 14 10.50",
		})
	})
	t.Run("cases of the province itself or of an unknown region have a row of their own", func(t *testing.T) {
		more := append(rows[:len(rows):len(rows)],
			store.CaseStatsRow{Year: 2026, RegionCode: "100000", Received: 2},
			store.CaseStatsRow{Year: 2026, RegionCode: "999999", Received: 2, Accepted: 1})
		y := PublicStatistics(more, rs, 2026, false)
		checkTexts(t, y, []string{
			"甲市 7 6 5 3.00",
			"乙市 10 8 6 3.00",
			"丙州 5 * 3 4.50", // else the total less the others gives the other row's 1
			OtherRegionsName + " 4 <3 0 0.00",
			"某省 26 19 14 10.50",
		})
		if other := y.Rows[3]; other.Kind != StatsRowOther || other.RegionCode != "" {
			t.Errorf("other row: %+v", other)
		}
		if total := y.Total(); total.Kind != StatsRowTotal || total.RegionCode != "100000" {
			t.Errorf("total row: %+v", total)
		}
	})
	t.Run("a year without cases is all zeros", func(t *testing.T) {
		checkTexts(t, PublicStatistics(rows, rs, 2024, false), []string{
			"甲市 0 0 0 0.00",
			"乙市 0 0 0 0.00",
			"丙州 0 0 0 0.00",
			"某省 0 0 0 0.00",
		})
	})
}

// city is one city's figures for the suppression tests.
type city struct {
	received, accepted, concluded int
	recoveredFen                  int64
	recoveredCases                int
}

func TestPublicStatisticsSuppression(t *testing.T) {
	rs := statsRegions(t)
	codes := []string{"100100", "100200", "100300"}
	only := func(received ...int) [3]city {
		var cs [3]city
		for i, n := range received {
			cs[i] = city{received: n}
		}
		return cs
	}
	tests := []struct {
		name   string
		cities [3]city
		want   []string
	}{
		{"counts of 3 and more and zeros are shown", only(3, 0, 7), []string{
			"甲市 3 0 0 0.00", "乙市 0 0 0 0.00", "丙州 7 0 0 0.00", "某省 10 0 0 0.00"}},
		{"a count of 2 is <3, and the next smallest is hidden so the total does not give it away", only(2, 5, 9), []string{
			"甲市 <3 0 0 0.00", "乙市 * 0 0 0.00", "丙州 9 0 0 0.00", "某省 16 0 0 0.00"}},
		{"a count of 1 beside two larger ones hides the smaller", only(9, 1, 4), []string{
			"甲市 9 0 0 0.00", "乙市 <3 0 0 0.00", "丙州 * 0 0 0.00", "某省 14 0 0 0.00"}},
		{"a 1 and a 2 under the total could be either way round", only(1, 2, 10), []string{
			"甲市 <3 0 0 0.00", "乙市 <3 0 0 0.00", "丙州 10 0 0 0.00", "某省 13 0 0 0.00"}},
		{"two 1s that the total would give away hide one more", only(1, 1, 10), []string{
			"甲市 <3 0 0 0.00", "乙市 <3 0 0 0.00", "丙州 * 0 0 0.00", "某省 12 0 0 0.00"}},
		{"a total below 3 is <3 itself and protects its column", only(1, 1, 0), []string{
			"甲市 <3 0 0 0.00", "乙市 <3 0 0 0.00", "丙州 0 0 0 0.00", "某省 <3 0 0 0.00"}},
		{"a 1 between two 3s: hiding both still leaves 1, so the total goes", only(1, 3, 3), []string{
			"甲市 <3 0 0 0.00", "乙市 * 0 0 0.00", "丙州 * 0 0 0.00", "某省 * 0 0 0.00"}},
		{"a 1 beside a hidden 4 when the other shown count is 4 too", only(1, 4, 4), []string{
			"甲市 <3 0 0 0.00", "乙市 * 0 0 0.00", "丙州 4 0 0 0.00", "某省 9 0 0 0.00"}},
		{"a count shown in the next column bounds a hidden one", [3]city{
			{received: 1}, {received: 4, accepted: 4}, {received: 20, accepted: 15},
		}, []string{
			// Hiding only 乙市's 4 would leave 25−20 = 5 for 甲市 and
			// 乙市, and 乙市 accepted 4, so 甲市 would be 1.
			"甲市 <3 0 0 0.00", "乙市 * 4 0 0.00", "丙州 * 15 0 0.00", "某省 25 19 0 0.00"}},
		{"every column is protected, with the bounds the other columns give", [3]city{
			{received: 10, accepted: 2, concluded: 2}, {received: 6, accepted: 6, concluded: 5}, {received: 3, accepted: 3, concluded: 3},
		}, []string{
			// Accepted: 丙州's hidden count lies between its 3
			// concluded and 3 received, 乙市's between 5 and 6, so
			// with the total 甲市's would be 11−3−6 or 11−3−5: only 2
			// is below 3. The total has to go. Concluded: 丙州's is at
			// most its 3 received, 乙市's at most its 6, which leaves
			// 甲市 1 or 2.
			"甲市 10 <3 <3 0.00", "乙市 6 * * 0.00", "丙州 3 * * 0.00", "某省 19 * 10 0.00"}},
		{"an amount behind fewer than 3 cases is hidden, and the next smallest with it", [3]city{
			{received: 5, accepted: 5, concluded: 5, recoveredFen: 100_000_000, recoveredCases: 2},
			{received: 5, accepted: 5, concluded: 5, recoveredFen: 50_000_000, recoveredCases: 5},
			{received: 5, accepted: 5, concluded: 5, recoveredFen: 30_000_000, recoveredCases: 4},
		}, []string{
			"甲市 5 5 5 *", "乙市 5 5 5 50.00", "丙州 5 5 5 *", "某省 15 15 15 180.00"}},
		{"two hidden amounts give away only their sum", [3]city{
			{received: 5, accepted: 5, concluded: 5, recoveredFen: 100_000_000, recoveredCases: 2},
			{received: 5, accepted: 5, concluded: 5, recoveredFen: 50_000_000, recoveredCases: 1},
			{received: 5, accepted: 5, concluded: 5, recoveredFen: 30_000_000, recoveredCases: 4},
		}, []string{
			"甲市 5 5 5 *", "乙市 5 5 5 *", "丙州 5 5 5 30.00", "某省 15 15 15 180.00"}},
		{"a total amount behind fewer than 3 cases is hidden", [3]city{
			{received: 5, accepted: 5, concluded: 5, recoveredFen: 100_000_000, recoveredCases: 2},
			{received: 5, accepted: 5, concluded: 5},
			{received: 5, accepted: 5, concluded: 5},
		}, []string{
			"甲市 5 5 5 *", "乙市 5 5 5 0.00", "丙州 5 5 5 0.00", "某省 15 15 15 *"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows []store.CaseStatsRow
			for i, c := range tt.cities {
				rows = append(rows, store.CaseStatsRow{Year: 2026, RegionCode: codes[i], Received: c.received,
					Accepted: c.accepted, Concluded: c.concluded, RecoveredFen: c.recoveredFen, RecoveredCases: c.recoveredCases})
			}
			y := PublicStatistics(rows, rs, 2026, false)
			checkTexts(t, y, tt.want)
			for _, r := range y.Rows {
				for _, c := range []StatsCell{r.Received, r.Accepted, r.Concluded, r.Recovered} {
					if c.Suppressed != "" && c.Value != 0 {
						t.Errorf("%s: a suppressed cell carries its value: %+v", r.RegionName, c)
					}
				}
			}
		})
	}
}

func TestStatsFirstYear(t *testing.T) {
	rows := []store.CaseStatsRow{{Year: 2023, Demo: true}, {Year: 2024}, {Year: 2026}}
	tests := []struct {
		name     string
		rows     []store.CaseStatsRow
		withDemo bool
		want     int
	}{
		{"no cases: the current year", nil, false, 2026},
		{"the first real case", rows, false, 2024},
		{"the first case of a demo site", rows, true, 2023},
		{"cases dated after the current year", []store.CaseStatsRow{{Year: 2027}}, false, 2026},
	}
	for _, tt := range tests {
		if got := StatsFirstYear(tt.rows, 2026, tt.withDemo); got != tt.want {
			t.Errorf("%s: StatsFirstYear = %d, want %d", tt.name, got, tt.want)
		}
	}
}
