package main

import (
	"context"
	"fmt"
	"time"

	"fundwatch/casework/caseflow"
	"fundwatch/store"
)

// The demo's public disclosure: five years of fund tables for the province
// and two cities, personal-account notes, announcements, news and a hearing
// notice — fictitious figures marked 示例 like every demo page — plus one
// correction and one withdrawal, so each state of a publication can be seen.

// demoFundRegions are the regions with demo fund tables and their size
// relative to the province.
var demoFundRegions = []struct {
	code  string
	scale int64 // per mille of the province
}{{"220000", 1000}, {"220100", 360}, {"220200", 170}}

// demoFundTypes are the insurance types of the demo tables (the human
// resources and social security side's funds) with the province's 2021
// income in units of 0.01 万元 and how expenditure and subsidies relate.
var demoFundTypes = []struct {
	code        string
	income      int64 // 2021 province income, 0.01 万元
	spendPct    int64 // expenditure as percent of income
	subsidyPct  int64 // fiscal subsidies as percent of income
	growthPct   int64 // yearly growth of income, percent
	accumulated int64 // end of 2020 province balance, 0.01 万元
}{
	{"pension", 86500000_00, 97, 28, 6, 21300000_00},
	{"resident_pension", 6420000_00, 78, 62, 5, 9850000_00},
	{"unemployment", 1985000_00, 84, 0, 3, 3560000_00},
	{"work_injury", 1150000_00, 91, 0, 4, 1420000_00},
}

const fenPerHundredth = 10000 // 0.01 万元 = 100 元 = 10,000 fen

// demoFundRows makes the table of one region and year. The parts add up to
// their totals, the balance is income minus expenditure, and the
// year-end balance carries on from the year before, as DOMAIN.md's checks
// expect of a correct table.
func demoFundRows(scale int64, year int, prevAccumulated map[string]int64) []store.FundRow {
	var rows []store.FundRow
	for i, t := range demoFundTypes {
		income := t.income * scale / 1000
		for y := 2021; y < year; y++ {
			income = income * (100 + t.growthPct) / 100
		}
		income -= income % 100 // whole 万元
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
		prev, ok := prevAccumulated[t.code]
		if !ok {
			prev = t.accumulated * scale / 1000
		}
		balance := income - expenditure
		acc := prev + balance
		prevAccumulated[t.code] = acc
		rows = append(rows, store.FundRow{InsuranceType: t.code,
			IncomeFen: income * fenPerHundredth, PremiumFen: premium * fenPerHundredth, SubsidyFen: subsidy * fenPerHundredth,
			InterestFen: interest * fenPerHundredth, TransferInFen: transferIn * fenPerHundredth, OtherIncomeFen: other * fenPerHundredth,
			ExpenditureFen: expenditure * fenPerHundredth, BenefitFen: benefit * fenPerHundredth, TransferOutFen: transferOut * fenPerHundredth,
			OtherExpenditureFen: otherOut * fenPerHundredth, BalanceFen: balance * fenPerHundredth, AccumulatedFen: acc * fenPerHundredth})
	}
	return rows
}

// demoAccountRates are the credited interest rates (记账利率) of the basic
// pension's personal accounts as published nationally, in basis points.
var demoAccountRates = map[int]int64{2021: 669, 2022: 612, 2023: 397, 2024: 262, 2025: 262}

var demoArticles = []struct {
	key, kind, region, date, title, summary, body, result string
	amountFen                                             int64
	insurance                                             []string
}{
	{"demo-ann-1", store.PubAnnouncement, "220100", "2025-06-18",
		"关于某商贸有限公司骗取失业保险金问题的通报（示例）",
		"某商贸有限公司虚构劳动关系，为 12 名人员骗取失业保险金，已全额追回并移送公安机关。",
		"经调查，某商贸有限公司于 2023 年至 2024 年间虚构劳动关系，为 12 名未在该公司工作的人员办理参保和失业登记，骗取失业保险金共计 18.6 万元。\n\n长春市人力资源和社会保障局已责令退回全部骗取的基金，并依法移送公安机关。\n\n本通报为演示内容，所涉单位和数据均为虚构。",
		"责令退回骗取的失业保险金 18.6 万元，处骗取金额二倍罚款，移送公安机关。", 18600000, []string{"unemployment"}},
	{"demo-ann-2", store.PubAnnouncement, "220000", "2025-09-02",
		"关于某县社保经办机构工作人员挪用养老保险基金问题的通报（示例）",
		"某县社会保险经办机构一名工作人员利用职务便利挪用城乡居民养老保险基金 56 万元，已被开除并移送司法机关。",
		"经查，某县社会保险经办机构工作人员王某某利用办理待遇发放的职务便利，于 2022 年至 2024 年间挪用城乡居民基本养老保险基金 56 万元用于个人消费。\n\n王某某已被开除公职，案件已移送司法机关；该经办机构负责人被诫勉谈话。全部资金已追回。\n\n本通报为演示内容，所涉人员和数据均为虚构。",
		"开除公职并移送司法机关，追回基金 56 万元，对经办机构负责人诫勉谈话。", 56000000, []string{"resident_pension"}},
	{"demo-news-1", store.PubNews, "220000", "2025-11-20",
		"吉林省开展社会保险基金管理问题专项整治（示例）",
		"全省集中开展为期半年的基金管理问题专项整治，重点查处欺诈冒领和挤占挪用。",
		"为守护好人民群众的“养老钱”“保命钱”，省人力资源和社会保障厅决定在全省开展社会保险基金管理问题专项整治。\n\n整治重点包括：欺诈冒领社会保险待遇、用人单位虚构劳动关系参保、经办机构内部人员违规操作等。群众可以通过本平台在线举报，举报人信息依法严格保密。\n\n本文为演示内容。", "", 0, nil},
	{"demo-news-2", store.PubNews, "220100", "2025-03-05",
		"长春市公布 2024 年社会保险基金监督工作情况（示例）",
		"2024 年全市受理社保基金举报投诉，查实问题并追回基金。",
		"2024 年，长春市社会保险基金监督机构受理群众举报投诉，依法核查，对查实的问题责令整改并追回基金。\n\n本文为演示内容，数据为虚构。", "", 0, nil},
	{"demo-notice-1", store.PubNotice, "220000", "2026-10-15",
		"关于召开社会保险待遇调整听证会的公告（示例）",
		"就城乡居民基本养老保险基础养老金调整方案公开征集听证参加人。",
		"为广泛听取社会各界意见，定于 2026 年 11 月 20 日召开城乡居民基本养老保险基础养老金调整方案听证会。\n\n有意参加者请于 11 月 10 日前通过本平台公布的联系方式报名。\n\n本公告为演示内容。", "", 0, nil},
}

// loadDemoDisclosure publishes the demo's disclosure once; the source ids
// make it safe to run at every start.
func loadDemoDisclosure(ctx context.Context, svc *caseflow.Service) error {
	actor := caseflow.SystemActor("demo", svc.Regions)
	publish := func(key, kind, region string, year int, d caseflow.PublicationDraft, at time.Time) (*store.Publication, bool, error) {
		if p, err := svc.Store.PublicationBySource(ctx, key); err == nil {
			return p, false, nil
		} else if store.ErrorCode(err) != store.ENOTFOUND {
			return nil, false, err
		}
		p, err := svc.PublishImported(ctx, actor, kind, region, year, key, d, at)
		return p, err == nil, err
	}
	for _, r := range demoFundRegions {
		prev := map[string]int64{}
		for year := 2021; year <= 2025; year++ {
			rows := demoFundRows(r.scale, year, prev)
			at := time.Date(year+1, 3, 28, 9, 0, 0, 0, store.CST)
			d := caseflow.PublicationDraft{FundRows: rows,
				Body: fmt.Sprintf("本表为%d年度社会保险基金收支决算数据（示例数据，为演示虚构）。", year)}
			p, fresh, err := publish(fmt.Sprintf("demo-fund-%s-%d", r.code, year), store.PubFundReport, r.code, year, d, at)
			if err != nil {
				return fmt.Errorf("demo fund report %s %d: %w", r.code, year, err)
			}
			if fresh && r.code == "220000" && year == 2024 {
				if err := demoCorrection(ctx, svc, actor, p, rows); err != nil {
					return err
				}
			}
		}
	}
	for year := 2021; year <= 2025; year++ {
		d := caseflow.PublicationDraft{RateBasisPoints: demoAccountRates[year],
			FundSizeFen: (3120000 + int64(year-2021)*215000) * 1000000, ReturnsFen: (3120000 + int64(year-2021)*215000) * demoAccountRates[year] / 10000 * 1000000,
			Body: fmt.Sprintf("%d年度全省企业职工基本养老保险个人账户按国家公布的记账利率 %d.%02d%% 记账。\n\n本说明为演示内容，基金规模和收益为虚构数据。", year, demoAccountRates[year]/100, demoAccountRates[year]%100)}
		if _, _, err := publish(fmt.Sprintf("demo-account-%d", year), store.PubAccountNote, "220000", year, d, time.Date(year+1, 6, 10, 9, 0, 0, 0, store.CST)); err != nil {
			return fmt.Errorf("demo account note %d: %w", year, err)
		}
	}
	for _, a := range demoArticles {
		day, _ := time.ParseInLocation(time.DateOnly, a.date, store.CST)
		d := caseflow.PublicationDraft{Title: a.title, Summary: a.summary, Body: a.body, HandlingResult: a.result,
			AmountFen: a.amountFen, InsuranceTypes: a.insurance}
		if a.kind == store.PubAnnouncement {
			d.EventDate = a.date
		}
		p, fresh, err := publish(a.key, a.kind, a.region, 0, d, day.Add(10*time.Hour))
		if err != nil {
			return fmt.Errorf("demo article %s: %w", a.key, err)
		}
		if fresh && a.key == "demo-news-2" {
			if _, err := svc.WithdrawPublication(ctx, actor, p.ID, p.Version,
				"文中统计数据口径有误，待核实后重新发布（示例）。"); err != nil {
				return fmt.Errorf("demo withdrawal: %w", err)
			}
		}
	}
	return nil
}

// demoCorrection corrects the province's 2024 table: its pension figures
// change and the note says why, so the public page shows a correction and
// the earlier revision.
func demoCorrection(ctx context.Context, svc *caseflow.Service, actor caseflow.Actor, p *store.Publication, rows []store.FundRow) error {
	fixed := make([]store.FundRow, len(rows))
	copy(fixed, rows)
	fixed[0].OtherIncomeFen += 1200 * 1000000
	fixed[0].PremiumFen -= 1200 * 1000000
	d := caseflow.PublicationDraft{FundRows: fixed, Body: "本表为2024年度社会保险基金收支决算数据（示例数据，为演示虚构）。",
		CorrectionNote: "更正企业职工基本养老保险“保险费收入”和“其他收入”的划分（合计不变），原表将 1,200 万元滞纳金计入保险费收入。"}
	res, err := svc.SavePublicationDraft(ctx, actor, p.ID, p.Version, d)
	if err != nil {
		return fmt.Errorf("demo correction: %w", err)
	}
	q, err := svc.SubmitPublication(ctx, actor, p.ID, res.Publication.Version)
	if err != nil {
		return fmt.Errorf("demo correction: %w", err)
	}
	if _, err := svc.ApprovePublication(ctx, actor, p.ID, q.Publication.Version); err != nil {
		return fmt.Errorf("demo correction: %w", err)
	}
	return nil
}
