package admin

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// caseAction is one form the case page offers, named for the tests and the
// screen reader alike.
type caseAction struct {
	Name  string // the route's last element: accept, reject, …
	Label string
	To    string // the status it moves to, for status changes
}

// statusActions maps a target status to its route and button label.
var statusActions = map[string]caseAction{
	store.StatusAccepted:      {Name: "accept", Label: "受理", To: store.StatusAccepted},
	store.StatusRejected:      {Name: "reject", Label: "不予受理", To: store.StatusRejected},
	store.StatusTransferred:   {Name: "transfer", Label: "转办", To: store.StatusTransferred},
	store.StatusInvestigating: {Name: "investigate", Label: "开始调查", To: store.StatusInvestigating},
	store.StatusConcluded:     {Name: "conclude", Label: "办结", To: store.StatusConcluded},
	store.StatusClosed:        {Name: "close", Label: "结案", To: store.StatusClosed},
}

// pageState is what a case page shows besides the case: the result of the
// action just tried, and the identity when it was asked for.
type pageState struct {
	Status   int
	Flash    string
	Problem  string
	Form     string // the form the problem belongs to
	Identity *casework.ReporterIdentity
	Input    map[string]string // what the user typed into the failed form
}

func (a *Admin) caseView(c *fiber.Ctx) error {
	st := pageState{Status: fiber.StatusOK, Flash: doneMessages[c.Query("done")]}
	return a.renderCase(c, c.Params("id"), st)
}

// doneMessages confirm an action after the redirect that follows it.
var doneMessages = map[string]string{
	"accept":      "已受理，受理结果将告知举报人。",
	"reject":      "已作出不予受理决定，理由将告知举报人。",
	"transfer":    "已转办。",
	"investigate": "已开始调查。",
	"conclude":    "调查完毕，调查结论将告知举报人。",
	"close":       "已结案归档。",
	"onsite":      "已转为现场监督。",
	"extend":      "已批准延期。",
	"assign":      "承办人已更新。",
	"reply":       "答复已发送，举报人可在进度查询中看到。",
	"note":        "内部备注已保存（举报人看不到）。",
	"classify":    "要情认定已保存。",
	"filehidden":  "该文件已对举报人隐藏。",
	"fileshown":   "该文件已向举报人公开。",
}

// renderCase renders the case page of a case in the user's scope. Another
// region's case answers exactly like a missing one (the store's scoped
// query says ENOTFOUND for both).
func (a *Admin) renderCase(c *fiber.Ctx, id string, st pageState) error {
	ctx := c.UserContext()
	actor := a.actor(c)
	cs, err := a.Store.CaseInRegions(ctx, id, actor.Scope)
	if err != nil {
		return err
	}
	events, err := a.Store.CaseEvents(ctx, cs.ID)
	if err != nil {
		return err
	}
	msgs, err := a.Store.CaseMessages(ctx, cs.ID)
	if err != nil {
		return err
	}
	files, err := a.Store.CaseFiles(ctx, cs.ID)
	if err != nil {
		return err
	}
	staff, err := a.caseWorkers(c, actor.Scope)
	if err != nil {
		return err
	}
	names := map[string]string{}
	var assignable []*store.User
	for _, u := range staff {
		names[u.ID] = u.Name
		if a.Regions.IsWithin(cs.RegionCode, u.RegionCode) {
			assignable = append(assignable, u)
		}
	}
	now := a.now()
	role := current(c).User.Role
	var actions []caseAction
	for _, to := range casework.NextStatuses(cs.Status) {
		act := statusActions[to]
		if casework.RoleAllows(role, permissionOfAction(act.Name)) {
			actions = append(actions, act)
		}
	}
	var masked *casework.ReporterIdentity
	if !cs.Anonymous && len(cs.ReporterSealed) > 0 && st.Identity == nil {
		id, err := a.Keyring.OpenIdentity(cs.ID, cs.ReporterSealed)
		if err != nil {
			return err
		}
		m := casework.MaskIdentity(id)
		masked = &m
	}
	cal, rules := a.Cases.Rules.Calendar(), a.Cases.Rules.Deadlines()
	data := fiber.Map{
		"Title":        "案件 " + cs.Number,
		"Nav":          "cases",
		"Case":         cs,
		"Events":       events,
		"Messages":     msgs,
		"Files":        files,
		"FilesHint":    a.Cases.EvidenceLimits().Describe(),
		"FilesAccept":  web.FilesAccept(),
		"Names":        names,
		"Assignee":     names[cs.AssigneeID],
		"Assignable":   assignable,
		"Actions":      actions,
		"Due":          a.due(cs.DueAt, now),
		"AcceptDue":    a.due(casework.AcceptanceDue(cs.CreatedAt, cal, rules), now),
		"NotifyDue":    a.due(casework.NotifyDue(cs.CreatedAt, cal, rules), now),
		"Rules":        rules,
		"Masked":       masked,
		"Identity":     st.Identity,
		"Flash":        st.Flash,
		"Problem":      st.Problem,
		"ProblemForm":  st.Form,
		"Input":        st.Input,
		"Notice":       casework.CaseRoutingNotice(cs),
		"Important":    casework.IsImportantCategory(cs.Category),
		"Results":      casework.Results(),
		"Channels":     otherChannels(cs.Channel),
		"RegionGroups": a.regionGroups(),
		"Today":        now.In(store.CST).Format("2006-01-02"),
		"CanOnSite":    cs.Status == store.StatusInvestigating && cs.InvestigationMode == store.ModeOffSite,
		"CanExtend":    (cs.Status == store.StatusAccepted || cs.Status == store.StatusInvestigating) && cs.ExtensionDays == 0 && !cs.DueAt.IsZero(),
		"Open":         cs.Status != store.StatusClosed && cs.Status != store.StatusRejected,
	}
	if cs.ImportantClass == store.ClassImportant || cs.ImportantClass == store.ClassMajor {
		if d, err := parseDay(cs.DiscoveredOn); err == nil {
			due, _ := casework.ImportantCaseDeadline(cs.ImportantClass, d, cal, a.Cases.Rules.Important())
			data["ReportDue"] = a.due(due, now)
		}
		data["Recipients"] = casework.ImportantRecipients(cs.ImportantClass, cs.National)
	}
	return a.render(c, st.Status, "case", data)
}

// permissionOfAction is the permission of a case action route.
func permissionOfAction(name string) casework.Permission {
	for _, p := range []struct {
		name string
		perm casework.Permission
	}{
		{"accept", casework.PermAcceptCase}, {"reject", casework.PermRejectCase},
		{"transfer", casework.PermTransferCase}, {"investigate", casework.PermInvestigateCase},
		{"conclude", casework.PermConcludeCase}, {"close", casework.PermCloseCase},
	} {
		if p.name == name {
			return p.perm
		}
	}
	return ""
}

func otherChannels(current string) []casework.Option {
	return slices.DeleteFunc(casework.Channels(), func(o casework.Option) bool { return o.Code == current })
}

// regionGroup is one city with its counties, for the transfer select.
type regionGroup struct {
	City     casework.Region
	Counties []casework.Region
}

func (a *Admin) regionGroups() []regionGroup {
	var out []regionGroup
	for _, city := range a.Regions.Cities() {
		out = append(out, regionGroup{City: city, Counties: a.Regions.Counties(city.Code)})
	}
	return out
}
