package main

import (
	"context"
	"fmt"
	"time"

	"fundwatch/admin"
	"fundwatch/casework"
	"fundwatch/casework/caseflow"
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
	complaint   store.Complaint
	anonymous   bool
	steps       []demoStep
	messages    []demoMessage
}

type demoStep struct {
	to, result, note string
	mode             string
	transferRegion   string
	transferChannel  string
	conclusion       store.Conclusion
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
			{to: store.StatusAccepted, note: "经审查，本件属于受理范围，已受理。", afterDays: 3},
			{to: store.StatusInvestigating, note: "已组织现场核查。", mode: store.ModeOnSite, afterDays: 6},
			{to: store.StatusConcluded, result: store.ResultSubstantiated,
				note: "经核查，反映情况属实。已责令该单位按实际工资补报缴费基数并补缴社会保险费及滞纳金。",
				conclusion: store.Conclusion{AmountInvolvedFen: 8650000, AmountRecoveredFen: 6120000,
					Measures: "责令补报缴费基数，补缴社会保险费及滞纳金；其余款项限期补缴。"}, afterDays: 30},
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
			{to: store.StatusAccepted, note: "已受理，正在核实领取资格。", afterDays: 2},
			{to: store.StatusInvestigating, note: "已调取殡葬和户籍信息核对。", mode: store.ModeOffSite, afterDays: 5},
		},
	},
	{
		key: "demo-case-0003-medical", daysAgo: 5, kind: store.KindReport, category: "fraudulent_claims",
		insurance: []string{"medical"}, region: "222401",
		subject:     store.Party{Name: "延吉某某诊所（示例）", Address: "延吉市示例街8号"},
		description: "（示例）该诊所以为老人免费体检为名收集医保卡，虚构诊疗项目刷卡结算。",
		anonymous:   true,
		steps: []demoStep{
			{to: store.StatusTransferred, note: "本件涉及辖区内多家定点医疗机构，已转延边朝鲜族自治州本级统一办理。",
				transferRegion: "222400", afterDays: 1},
		},
	},
	{
		key: "demo-case-0004-complaint", daysAgo: 2, kind: store.KindComplaint, category: "unpaid_contributions",
		insurance: []string{"work_injury"}, region: "220700",
		subject:     store.Party{Name: "松原某某建筑工程有限公司（示例）"},
		description: "（示例）本人在该公司工地工作一年多，公司一直没有为我缴纳工伤保险，受伤后无法申请工伤待遇。",
		complaint: store.Complaint{Request: "（示例）要求单位依法为本人补缴工伤保险费，并协助申请工伤认定。",
			HiredOn: "2024-05", Position: "钢筋工", Contract: store.ContractNotSigned},
	},
}

// demoIdentity is the fictitious reporter of the named demo cases.
var demoIdentity = casework.ReporterIdentity{Name: "张示例", IDNumber: "11010519491231002X", Phone: "13800138000"}

// loadDemo stores the demo cases once (their idempotency keys make it safe to
// run at every start) through the service layer, as a system actor at the
// scripted times, and returns their numbers and access codes, which the
// follow-up page shows in demo mode so visitors can try it.
func loadDemo(ctx context.Context, svc *caseflow.Service, now time.Time) ([]handlers.DemoCredential, error) {
	var out []handlers.DemoCredential
	actor := caseflow.SystemActor("demo", svc.Regions)
	for i, d := range demoCases {
		created := store.Truncate(now.AddDate(0, 0, -d.daysAgo).Add(-time.Duration(i) * time.Hour))
		f := caseflow.Filing{
			Kind: d.kind, ReporterType: store.ReporterCitizen, Anonymous: d.anonymous,
			Category: d.category, InsuranceTypes: d.insurance, RegionCode: d.region, Subject: d.subject,
			AmountFen: d.amountFen, AmountGiven: d.amountFen > 0, Description: d.description, Complaint: d.complaint,
			IdempotencyKey: d.key, Digest: "demo", Demo: true, ReceivedAt: created,
		}
		if !d.anonymous {
			id := demoIdentity
			f.Identity = &id
		}
		r, err := svc.FileCase(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, handlers.DemoCredential{Number: r.Case.Number, AccessCode: r.AccessCode})
		if r.Repeat {
			continue // loaded at an earlier start
		}
		at := func(days int) *caseflow.Service {
			s := *svc
			t := store.Truncate(created.AddDate(0, 0, days))
			s.Clock = func() time.Time { return t }
			return &s
		}
		c := r.Case
		for _, st := range d.steps {
			if created.AddDate(0, 0, st.afterDays).After(now) {
				break
			}
			c, err = at(st.afterDays).Transition(ctx, actor, c.ID, caseflow.TransitionInput{
				To: st.to, Note: st.note, Result: st.result, Mode: st.mode,
				TransferRegion: st.transferRegion, TransferChannel: st.transferChannel, Conclusion: st.conclusion, Version: c.Version,
			})
			if err != nil {
				return nil, fmt.Errorf("demo case %s: %s: %w", d.key, st.to, err)
			}
		}
		for _, m := range d.messages {
			svcAt := at(m.afterDays)
			if m.author == store.AuthorHandler {
				_, err = svcAt.Reply(ctx, actor, c.ID, m.body, d.key+"-"+m.body)
			} else {
				_, err = svcAt.AddReporterMessage(ctx, c, m.body, d.key+"-"+m.body, nil)
			}
			if err != nil {
				return nil, fmt.Errorf("demo case %s: message: %w", d.key, err)
			}
		}
	}
	return out, nil
}

// demoStaffPassword is the password of the demo staff accounts, shown on the
// admin sign-in page in demo mode (and only there).
const demoStaffPassword = "Shifan Demo 2026 jilin"

// demoStaff are the staff accounts of the demo: handlers and a publisher,
// without a second factor, so a visitor can sign in from the page that
// lists them. Leaders and administrators need a second factor and are not
// part of the demo.
var demoStaff = []struct{ username, name, role, region string }{
	{"demo.changchun", "示例承办人（长春市）", store.RoleHandler, "220100"},
	{"demo.jilin", "示例承办人（吉林省）", store.RoleHandler, "220000"},
	{"demo.publisher", "示例信息公开人员（吉林省）", store.RolePublisher, "220000"},
}

// loadDemoStaff creates the demo staff accounts once and returns what the
// sign-in page shows of them.
func loadDemoStaff(ctx context.Context, svc *caseflow.Service) ([]admin.DemoLogin, error) {
	actor := caseflow.SystemActor("demo", svc.Regions)
	var out []admin.DemoLogin
	for _, d := range demoStaff {
		_, err := svc.CreateUser(ctx, actor, caseflow.NewUser{
			Username: d.username, Name: d.name, Role: d.role, RegionCode: d.region, Password: demoStaffPassword,
		})
		if err != nil && store.ErrorCode(err) != store.ECONFLICT {
			return nil, fmt.Errorf("demo staff %s: %w", d.username, err)
		}
		out = append(out, admin.DemoLogin{Username: d.username, Password: demoStaffPassword, Label: d.name})
	}
	return out, nil
}
