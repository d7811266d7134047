package main

import (
	"context"
	"fmt"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

// The public scenarios read a disclosure as a province would publish it:
// five years of fund tables (six insurance types each) for the province and
// every city, five years of personal-account notes, and announcements, news
// and notices enough to fill every list of the disclosure index. Everything
// goes in through caseflow.Service.PublishImported, the path of `fundwatch
// import`, so every check of a real publication applies. The figures are
// made the way the demo makes its tables (cmd/fundwatch/demo_disclosure.go):
// parts that add up to their totals and year-end balances that carry on.

// seedFundYears are the years every region has a fund table of; the
// heaviest page is a region's latest year with its trend over all five.
var seedFundYears = []int{2021, 2022, 2023, 2024, 2025}

// seedFundTypes are the insurance types of every seeded fund table, with
// the province's 2021 income in units of 0.01 万元, expenditure and fiscal
// subsidies as percent of income, yearly growth in percent and the end of
// 2020 balance.
var seedFundTypes = []struct {
	code                            string
	income                          int64
	spendPct, subsidyPct, growthPct int64
	accumulated                     int64
}{
	{casework.InsurancePension, 86500000_00, 97, 28, 6, 21300000_00},
	{casework.InsuranceResidentPension, 6420000_00, 78, 62, 5, 9850000_00},
	{casework.InsuranceMedical, 31200000_00, 88, 21, 7, 18700000_00},
	{casework.InsuranceUnemployment, 1985000_00, 84, 0, 3, 3560000_00},
	{casework.InsuranceWorkInjury, 1150000_00, 91, 0, 4, 1420000_00},
	{casework.InsuranceMaternity, 820000_00, 95, 0, 2, 310000_00},
}

// seedFundRows is the table of one region (scale per mille of the
// province) and year; prev carries each type's year-end balance on.
func seedFundRows(scale int64, year int, prev map[string]int64) []store.FundRow {
	const fenPerHundredth = 10000 // 0.01 万元
	var rows []store.FundRow
	for i, t := range seedFundTypes {
		income := t.income * scale / 1000
		for y := 2021; y < year; y++ {
			income = income * (100 + t.growthPct) / 100
		}
		income -= income % 100
		wobble := int64((year*7 + i*3) % 5)
		expenditure := income * (t.spendPct + wobble - 2) / 100
		subsidy := income * t.subsidyPct / 100
		interest := income * 15 / 1000
		transferIn := income * 12 / 1000
		other := income * 3 / 1000
		premium := income - subsidy - interest - transferIn - other
		benefit := expenditure * 975 / 1000
		transferOut := expenditure * 18 / 1000
		otherOut := expenditure - benefit - transferOut
		before, ok := prev[t.code]
		if !ok {
			before = t.accumulated * scale / 1000
		}
		balance := income - expenditure
		acc := before + balance
		prev[t.code] = acc
		rows = append(rows, store.FundRow{InsuranceType: t.code,
			IncomeFen: income * fenPerHundredth, PremiumFen: premium * fenPerHundredth, SubsidyFen: subsidy * fenPerHundredth,
			InterestFen: interest * fenPerHundredth, TransferInFen: transferIn * fenPerHundredth, OtherIncomeFen: other * fenPerHundredth,
			ExpenditureFen: expenditure * fenPerHundredth, BenefitFen: benefit * fenPerHundredth, TransferOutFen: transferOut * fenPerHundredth,
			OtherExpenditureFen: otherOut * fenPerHundredth, BalanceFen: balance * fenPerHundredth, AccumulatedFen: acc * fenPerHundredth})
	}
	return rows
}

// Seeded article counts per kind: more than the index shows of each.
const (
	seedAnnouncements = 24
	seedNews          = 24
	seedNotices       = 8
)

// disclosureStats says what seedDisclosure published.
type disclosureStats struct {
	fundReports, accountNotes, articles int
}

// seedDisclosure publishes the load test's disclosure through svc.
func seedDisclosure(ctx context.Context, svc *caseflow.Service) (disclosureStats, error) {
	var st disclosureStats
	actor := caseflow.SystemActor("loadtest", svc.Regions)
	regions := []casework.Region{svc.Regions.Root()}
	regions = append(regions, svc.Regions.Cities()...)
	for i, r := range regions {
		scale := int64(1000) // the province
		if i > 0 {
			scale = int64(60 + 300/i) // the cities, the capital largest
		}
		prev := map[string]int64{}
		for _, year := range seedFundYears {
			d := caseflow.PublicationDraft{FundRows: seedFundRows(scale, year, prev),
				Body: fmt.Sprintf("本表为%d年度社会保险基金收支决算数据（压力测试数据，为虚构）。", year)}
			at := time.Date(year+1, 3, 28, 9, 0, 0, 0, store.CST)
			if _, err := svc.PublishImported(ctx, actor, store.PubFundReport, r.Code, year,
				fmt.Sprintf("loadtest-fund-%s-%d", r.Code, year), d, at); err != nil {
				return st, fmt.Errorf("fund report %s %d: %w", r.Code, year, err)
			}
			st.fundReports++
		}
	}
	rates := map[int]int64{2021: 669, 2022: 612, 2023: 397, 2024: 262, 2025: 262}
	for _, year := range seedFundYears {
		size := (3120000 + int64(year-2021)*215000) * 1000000
		d := caseflow.PublicationDraft{RateBasisPoints: rates[year], FundSizeFen: size, ReturnsFen: size / 10000 * rates[year],
			Body: fmt.Sprintf("%d年度全省企业职工基本养老保险个人账户按国家公布的记账利率记账（压力测试数据）。", year)}
		if _, err := svc.PublishImported(ctx, actor, store.PubAccountNote, regions[0].Code, year,
			fmt.Sprintf("loadtest-account-%d", year), d, time.Date(year+1, 6, 10, 9, 0, 0, 0, store.CST)); err != nil {
			return st, fmt.Errorf("account note %d: %w", year, err)
		}
		st.accountNotes++
	}
	articles := []struct {
		kind, title string
		n           int
	}{
		{store.PubAnnouncement, "关于某单位骗取社会保险基金问题的通报（压力测试第%d号）", seedAnnouncements},
		{store.PubNews, "社会保险基金监督工作动态（压力测试第%d期）", seedNews},
		{store.PubNotice, "关于社会保险政策听证会的公告（压力测试第%d号）", seedNotices},
	}
	for _, a := range articles {
		for i := 1; i <= a.n; i++ {
			r := regions[i%len(regions)]
			at := time.Date(2025, 1, 6, 10, 0, 0, 0, store.CST).AddDate(0, 0, 13*i)
			d := caseflow.PublicationDraft{Title: fmt.Sprintf(a.title, i),
				Summary: "某单位虚构劳动关系骗取社会保险待遇，已责令退回并依法处理。",
				Body: "经调查，某单位于2023年至2024年间虚构劳动关系，为多名未在该单位工作的人员办理参保，骗取社会保险待遇。\n\n" +
					"有关部门已责令退回全部骗取的基金，并依法作出处理。\n\n本文为压力测试内容，所涉单位和数据均为虚构。"}
			if a.kind == store.PubAnnouncement {
				d.EventDate = at.Format(time.DateOnly)
				d.AmountFen = int64(100000+i*7919) * 100
				d.InsuranceTypes = []string{casework.InsuranceUnemployment}
				d.HandlingResult = "责令退回骗取的基金，处骗取金额二倍罚款。"
			}
			if _, err := svc.PublishImported(ctx, actor, a.kind, r.Code, 0,
				fmt.Sprintf("loadtest-%s-%d", a.kind, i), d, at); err != nil {
				return st, fmt.Errorf("%s %d: %w", a.kind, i, err)
			}
			st.articles++
		}
	}
	return st, nil
}
