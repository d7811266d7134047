package main

import (
	"context"
	"fmt"
	"time"

	"fundwatch/casework"
	"fundwatch/handlers"
	"fundwatch/store"
)

// demoCase is one scripted case of the demo: what was filed and how far its
// handling went. Every demo case is stored with Demo=true and is marked 示例.
type demoCase struct {
	key         string
	daysAgo     int
	kind        string
	category    string
	insurance   []string
	region      string
	subject     store.Party
	amountFen   int64
	description string
	anonymous   bool
	steps       []demoStep
	messages    []demoMessage
}

type demoStep struct {
	to, result, note string
	afterDays        int
}

type demoMessage struct {
	author, body string
	afterDays    int
}

var demoCases = []demoCase{
	{
		key: "demo-case-0001-unpaid", daysAgo: 40, kind: store.KindReport, category: "unpaid_contributions",
		insurance: []string{"pension", "unemployment"}, region: "220102",
		subject:   store.Party{Name: "长春某某商贸有限公司（示例）", CreditCode: "91350200776049653A", Address: "长春市南关区示例路1号"},
		amountFen: 8650000,
		description: "（示例）该公司自2025年3月起按最低缴费基数为全部32名职工申报养老保险和失业保险，实际工资普遍在每月6000元以上，" +
			"少报缴费基数。工资发放记录和社保缴费明细可以对照。",
		steps: []demoStep{
			{store.StatusAccepted, "", "经审查，本件属于受理范围，已受理。", 3},
			{store.StatusInvestigating, "", "已组织现场核查。", 6},
			{store.StatusConcluded, store.ResultSubstantiated, "经核查，反映情况属实。已责令该单位按实际工资补报缴费基数并补缴社会保险费及滞纳金。", 30},
		},
		messages: []demoMessage{
			{store.AuthorReporter, "（示例）补充：2025年5月起又有6名新入职职工未参保。", 8},
			{store.AuthorHandler, "（示例）感谢您的补充，相关情况已一并核查。", 12},
		},
	},
	{
		key: "demo-case-0002-fraud", daysAgo: 12, kind: store.KindReport, category: "fraudulent_claims",
		insurance: []string{"pension"}, region: "220281",
		subject:     store.Party{Name: "王某某（示例）"},
		amountFen:   12600000,
		description: "（示例）王某某的父亲已于2021年去世，家属未办理注销，至今仍在按月领取养老金，涉及金额约十二万元。",
		anonymous:   true,
		steps: []demoStep{
			{store.StatusAccepted, "", "已受理，正在核实领取资格。", 2},
			{store.StatusInvestigating, "", "已调取殡葬和户籍信息核对。", 5},
		},
	},
	{
		key: "demo-case-0003-medical", daysAgo: 5, kind: store.KindReport, category: "fraudulent_claims",
		insurance: []string{"medical"}, region: "222401",
		subject:     store.Party{Name: "延吉某某诊所（示例）", Address: "延吉市示例街8号"},
		description: "（示例）该诊所以为老人免费体检为名收集医保卡，虚构诊疗项目刷卡结算。",
		anonymous:   true,
		steps: []demoStep{
			{store.StatusTransferred, "", "本件涉及基本医疗保险基金，已转医疗保障部门办理。", 1},
		},
	},
	{
		key: "demo-case-0004-complaint", daysAgo: 2, kind: store.KindComplaint, category: "unpaid_contributions",
		insurance: []string{"work_injury"}, region: "220700",
		subject:     store.Party{Name: "松原某某建筑工程有限公司（示例）"},
		description: "（示例）本人在该公司工地工作一年多，公司一直没有为我缴纳工伤保险，受伤后无法申请工伤待遇。",
	},
}

// demoIdentity is the fictitious reporter of the named demo cases.
var demoIdentity = casework.ReporterIdentity{Name: "张示例", IDNumber: "11010519491231002X", Phone: "13800138000"}

// loadDemo stores the demo cases once (their idempotency keys make it safe to
// run at every start) and returns their numbers and access codes, which the
// follow-up page shows in demo mode so visitors can try it.
func loadDemo(ctx context.Context, st store.Store, k *casework.Keyring, now time.Time) ([]handlers.DemoCredential, error) {
	var out []handlers.DemoCredential
	for i, d := range demoCases {
		code := k.AccessCodeFor(d.key)
		norm, _ := casework.NormalizeAccessCode(code)
		created := store.Truncate(now.AddDate(0, 0, -d.daysAgo).Add(-time.Duration(i) * time.Hour))
		c := &store.Case{
			ID: fmt.Sprintf("demo%028d", i+1), Kind: d.kind, ReporterType: store.ReporterCitizen, Anonymous: d.anonymous,
			Category: d.category, InsuranceTypes: d.insurance, RegionCode: d.region, Subject: d.subject,
			AmountFen: d.amountFen, AmountGiven: d.amountFen > 0, Description: d.description,
			Channel: casework.RouteChannel(d.kind, d.insurance), Status: store.StatusReceived,
			AccessCodeHash: k.HashAccessCode(norm), IdempotencyKey: d.key, SubmissionHash: "demo",
			Demo: true, CreatedAt: created, UpdatedAt: created,
		}
		if !d.anonymous {
			sealed, err := k.SealIdentity(c.ID, demoIdentity)
			if err != nil {
				return nil, err
			}
			c.ReporterSealed = sealed
		}
		first := store.Event{ID: c.ID + "-e0", At: created, ToStatus: store.StatusReceived, Note: "平台已收到，等待审查是否受理。"}
		err := st.CreateCase(ctx, c, first)
		if store.ErrorCode(err) == store.ECONFLICT {
			prev, perr := st.CaseByIdempotencyKey(ctx, d.key)
			if perr != nil {
				return nil, perr
			}
			out = append(out, handlers.DemoCredential{Number: prev.Number, AccessCode: code})
			continue
		} else if err != nil {
			return nil, err
		}
		status := store.StatusReceived
		for j, s := range d.steps {
			at := store.Truncate(created.AddDate(0, 0, s.afterDays))
			if at.After(now) {
				break
			}
			if _, err := st.TransitionCase(ctx, store.CaseTransition{
				CaseID: c.ID, EventID: fmt.Sprintf("%s-e%d", c.ID, j+1), FromStatus: status, ToStatus: s.to,
				Result: s.result, Note: s.note, Actor: "demo", At: at,
			}); err != nil {
				return nil, err
			}
			status = s.to
		}
		for j, m := range d.messages {
			msg := &store.Message{ID: fmt.Sprintf("%s-m%d", c.ID, j+1), CaseID: c.ID,
				At: store.Truncate(created.AddDate(0, 0, m.afterDays)), Author: m.author, Body: m.body}
			if m.author == store.AuthorHandler {
				msg.Actor = "demo"
			}
			if err := st.AddMessage(ctx, msg); err != nil {
				return nil, err
			}
		}
		out = append(out, handlers.DemoCredential{Number: c.Number, AccessCode: code})
	}
	return out, nil
}
