package casework

import (
	"math"
	"strconv"

	"fundwatch/store"
)

// Public statistics of complaints and reports (issue 8): per year, the cases
// received, accepted and concluded and the amounts recovered, for every city
// (counties roll up into their city) and for the province. They are
// aggregates only, and no published figure may point at one case, so:
//
//   - A count of 1 or 2 is not published; it reads "<3" (StatsSmall). A 0 is
//     published: it says no case exists, which points at nobody, and hiding
//     it would hide nothing but make every table unreadable.
//   - A recovered amount behind fewer than 3 cases (that recovered
//     something) is not published (StatsFewCases): one or two cases' amount
//     is as good as the case itself.
//   - The province total is the sum of its column, so a hidden figure could
//     be worked out from the total and the figures shown. Wherever that
//     would pin down a figure below 3, or the one hidden amount, more
//     figures are hidden (StatsComplementary), smallest first; if none is
//     left to hide, the total is. How that is decided for counts is in
//     protectCounts.

// Why a figure of the public statistics is not published.
const (
	StatsSmall         = "small"         // a count of 1 or 2
	StatsFewCases      = "few_cases"     // an amount recovered in fewer than 3 cases
	StatsComplementary = "complementary" // hidden so that a figure above cannot be worked out from a total
)

// StatsThreshold is the smallest count, and the fewest cases behind an
// amount, that is published.
const StatsThreshold = 3

// StatsCell is one figure of the public statistics: a count, or an amount
// in fen. Value is zero when Suppressed is set, so a suppressed figure can
// never leak through a template or an encoder that forgets to check.
type StatsCell struct {
	Value      int64
	Suppressed string // "", StatsSmall, StatsFewCases or StatsComplementary
}

// CountText is a count as pages and downloads show it: the number, "<3" for
// a count of 1 or 2, and "*" for a figure hidden to protect another.
func (c StatsCell) CountText() string {
	switch c.Suppressed {
	case "":
		return strconv.FormatInt(c.Value, 10)
	case StatsSmall:
		return "<3"
	}
	return "*"
}

// AmountText is an amount as pages and downloads show it: 万元 with two
// decimals (FormatWanYuanRounded), or "*" when it is not published.
func (c StatsCell) AmountText() string {
	if c.Suppressed != "" {
		return "*"
	}
	return FormatWanYuanRounded(c.Value)
}

// FormatWanYuanRounded shows an amount in fen as 万元 with two decimals, rounded
// half up, without thousands separators so that downloads read as numbers:
// 12,345,678 fen (123,456.78 yuan) is "12.35". Integer arithmetic only.
func FormatWanYuanRounded(fen int64) string {
	const hundredthWanFen = 10_000 // 0.01万元 = 100 yuan
	neg, mag := splitSign(fen)
	h := mag / hundredthWanFen
	if mag%hundredthWanFen >= hundredthWanFen/2 {
		h++
	}
	return sign(neg && h > 0) + strconv.FormatUint(h/100, 10) + "." + twoDigits(h%100)
}

// Kinds of rows of a year's statistics.
const (
	StatsRowCity  = "city"  // a city, 州 or 长白山管委会, with its counties
	StatsRowOther = "other" // cases filed at the province itself or in a region the tree no longer has
	StatsRowTotal = "total" // the province
)

// StatsRow is one region's figures for one year.
type StatsRow struct {
	Kind       string // StatsRowCity, StatsRowOther or StatsRowTotal
	RegionCode string // the city's or the province's code; "" for StatsRowOther
	RegionName string
	Received   StatsCell
	Accepted   StatsCell
	Concluded  StatsCell
	Recovered  StatsCell // in fen
}

// StatsYear is the public statistics of one year: every city in the order
// of the region tree, then the other cases when there are any, then the
// province total.
type StatsYear struct {
	Year int
	Rows []StatsRow
}

// Total returns the province's row.
func (y StatsYear) Total() StatsRow { return y.Rows[len(y.Rows)-1] }

// OtherRegionsName labels the row of cases that belong to no city.
const OtherRegionsName = "省本级及其他"

// statsFigures are the raw figures of one row.
type statsFigures struct {
	received, accepted, concluded int64
	recovered                     int64
	recoveredCases                int64
}

func (f *statsFigures) add(r store.CaseStatsRow) {
	f.received += int64(r.Received)
	f.accepted += int64(r.Accepted)
	f.concluded += int64(r.Concluded)
	f.recovered += r.RecoveredFen
	f.recoveredCases += int64(r.RecoveredCases)
}

// PublicStatistics builds the published statistics of year from the
// store's rows (store.CaseStatistics): counties rolled up into their city,
// cases of the province itself or of unknown regions into one row of their
// own, the province total, and every rule of suppression above. Demo cases
// count only withDemo (a demo site, where every figure is an example).
func PublicStatistics(rows []store.CaseStatsRow, regions *Regions, year int, withDemo bool) StatsYear {
	cities := regions.Cities()
	index := make(map[string]int, len(cities))
	for i, c := range cities {
		index[c.Code] = i
	}
	figures := make([]statsFigures, len(cities)+1) // the last is the other cases
	other := len(cities)
	for _, r := range rows {
		if r.Year != year || (r.Demo && !withDemo) {
			continue
		}
		i := other
		if city, ok := regions.CityOf(r.RegionCode); ok {
			i = index[city.Code]
		}
		figures[i].add(r)
	}
	if figures[other] == (statsFigures{}) {
		figures = figures[:other]
	}
	var total statsFigures
	for _, f := range figures {
		total.received += f.received
		total.accepted += f.accepted
		total.concluded += f.concluded
		total.recovered += f.recovered
		total.recoveredCases += f.recoveredCases
	}

	n := len(figures)
	column := func(get func(statsFigures) int64) []int64 {
		v := make([]int64, n+1) // the last is the total
		for i, f := range figures {
			v[i] = get(f)
		}
		v[n] = get(total)
		return v
	}
	counts := [3][]int64{
		column(func(f statsFigures) int64 { return f.received }),
		column(func(f statsFigures) int64 { return f.accepted }),
		column(func(f statsFigures) int64 { return f.concluded }),
	}
	countMarks := protectCounts(counts)
	amountMarks := protectAmounts(
		column(func(f statsFigures) int64 { return f.recovered }),
		column(func(f statsFigures) int64 { return f.recoveredCases }))

	out := StatsYear{Year: year, Rows: make([]StatsRow, n+1)}
	for i := range n + 1 {
		row := &out.Rows[i]
		switch {
		case i == n:
			root := regions.Root()
			row.Kind, row.RegionCode, row.RegionName = StatsRowTotal, root.Code, root.Name
		case i == other:
			row.Kind, row.RegionName = StatsRowOther, OtherRegionsName
		default:
			row.Kind, row.RegionCode, row.RegionName = StatsRowCity, cities[i].Code, cities[i].Name
		}
		row.Received = cell(counts[0][i], countMarks[0][i])
		row.Accepted = cell(counts[1][i], countMarks[1][i])
		row.Concluded = cell(counts[2][i], countMarks[2][i])
		if i == n {
			row.Recovered = cell(total.recovered, amountMarks[i])
		} else {
			row.Recovered = cell(figures[i].recovered, amountMarks[i])
		}
	}
	return out
}

func cell(v int64, mark string) StatsCell {
	if mark != "" {
		return StatsCell{Suppressed: mark}
	}
	return StatsCell{Value: v}
}

// unbounded stands for "no upper bound" in protectCounts.
const unbounded = math.MaxInt64 / 4

// protectCounts decides which counts to hide. cols are the received,
// accepted and concluded columns; in each the last entry is the total of
// the others. It returns a mark per entry.
//
// First every count of 1 or 2 is hidden (StatsSmall). A column whose total
// is hidden, or that hides nothing, needs nothing more. Otherwise the total
// gives the sum of the hidden counts, and someone who knows how this works
// knows bounds for each: a small one is 1 or 2; one hidden to protect it is
// at least 3 (it is neither 0, shown as such, nor small) and at most the
// smallest count still shown (the smallest are hidden first); and, in the
// same region, received ≥ accepted ≥ concluded, so a count shown in the
// region's other columns bounds it too. A small count is pinned down when
// the sum and the others' bounds leave it one value: then the smallest
// non-zero count still shown is hidden as well (StatsComplementary), and
// the check runs again; with none left, the total is hidden. "Exactly one
// small count and the total shown" is the simplest case, but two small
// counts of 1 under a total that leaves 2 are pinned down too, and so is a
// 1 beside a hidden 3 when the count shown in the next column says the 3
// is at least 3 and at most 3.
//
// Hiding more only widens those bounds, so once a column is safe it stays
// safe while the others are fixed; the loop still runs to a fixed point.
func protectCounts(cols [3][]int64) [3][]string {
	var marks [3][]string
	for c := range cols {
		marks[c] = make([]string, len(cols[c]))
		for i, v := range cols[c] {
			if v > 0 && v < StatsThreshold {
				marks[c][i] = StatsSmall
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for c := range cols {
			if protectColumn(cols, marks, c) {
				changed = true
			}
		}
	}
	return marks
}

// protectColumn hides one more figure of column c if a small count in it
// can be worked out, and reports whether it did.
func protectColumn(cols [3][]int64, marks [3][]string, c int) bool {
	vals, mk := cols[c], marks[c]
	last := len(vals) - 1
	if mk[last] != "" || !pinnedDown(cols, marks, c) {
		return false
	}
	next := -1
	for i := range last {
		if mk[i] == "" && vals[i] > 0 && (next < 0 || vals[i] < vals[next]) {
			next = i
		}
	}
	if next < 0 {
		next = last
	}
	mk[next] = StatsComplementary
	return true
}

// pinnedDown tells whether the total of column c and what is shown leave
// some small count of the column only one possible value.
func pinnedDown(cols [3][]int64, marks [3][]string, c int) bool {
	vals, mk := cols[c], marks[c]
	last := len(vals) - 1
	hiddenSum := vals[last] // the total less every count shown
	smallestShown := int64(unbounded)
	for i := range last {
		if mk[i] == "" {
			hiddenSum -= vals[i]
			if vals[i] > 0 {
				smallestShown = min(smallestShown, vals[i])
			}
		}
	}
	type hiddenCount struct {
		lo, hi int64
		small  bool
	}
	var hidden []hiddenCount
	for i := range last {
		if mk[i] == "" {
			continue
		}
		h := hiddenCount{lo: StatsThreshold, hi: smallestShown}
		if mk[i] == StatsSmall {
			h = hiddenCount{lo: 1, hi: StatsThreshold - 1, small: true}
		}
		// received ≥ accepted ≥ concluded in one region.
		for o := range cols {
			switch {
			case marks[o][i] != "":
			case o > c:
				h.lo = max(h.lo, cols[o][i])
			case o < c:
				h.hi = min(h.hi, cols[o][i])
			}
		}
		hidden = append(hidden, h)
	}
	for s, h := range hidden {
		if !h.small {
			continue
		}
		var othersLo, othersHi int64
		for o, other := range hidden {
			if o != s {
				othersLo += other.lo
				othersHi = min(othersHi+other.hi, unbounded)
			}
		}
		if min(h.hi, hiddenSum-othersLo) <= max(h.lo, hiddenSum-othersHi) {
			return true
		}
	}
	return false
}

// protectAmounts decides which recovered amounts to hide: amounts is a
// column of sums in fen and cases the number of cases behind each, the
// last entry of both being the total. An amount behind 1 or 2 cases is
// hidden (StatsFewCases). If the total is shown and exactly one amount is
// hidden, it would be the total minus the others, so the smallest amount
// still shown above zero is hidden too (StatsComplementary), or the total
// if there is none. Two hidden amounts give away only their sum: each of
// them could be anything from a fen to all of it.
func protectAmounts(amounts, cases []int64) []string {
	marks := make([]string, len(amounts))
	last := len(amounts) - 1
	hidden := 0
	for i, n := range cases {
		if n > 0 && n < StatsThreshold {
			marks[i] = StatsFewCases
			if i < last {
				hidden++
			}
		}
	}
	if marks[last] != "" || hidden != 1 {
		return marks
	}
	next := -1
	for i := range last {
		if marks[i] == "" && amounts[i] > 0 && (next < 0 || amounts[i] < amounts[next]) {
			next = i
		}
	}
	if next < 0 {
		next = last
	}
	marks[next] = StatsComplementary
	return marks
}

// StatsFirstYear is the earliest year the public statistics offer: the
// first year with a case (demo cases only withDemo), or current when there
// is none or all are later.
func StatsFirstYear(rows []store.CaseStatsRow, current int, withDemo bool) int {
	first := current
	for _, r := range rows {
		if (withDemo || !r.Demo) && r.Year < first {
			first = r.Year
		}
	}
	return first
}
