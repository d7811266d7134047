package admin

import (
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// dashboard is the first page after sign-in: for those who work cases, the
// deadlines of their region — overdue, due within three working days, new
// and unassigned cases; for administrators, what needs their attention.
func (a *Admin) dashboard(c *fiber.Ctx) error {
	actor := a.actor(c)
	ctx := c.UserContext()
	now := a.now()
	data := fiber.Map{"Title": "工作台", "Nav": "home"}
	if casework.RoleAllows(actor.Role, casework.PermViewCases) {
		scope := a.caseScope(actor.Scope)
		cal := a.Cases.Rules.Calendar()
		overdue, nOverdue, err := a.Store.ListCases(ctx, store.CaseFilter{RegionCodes: scope, DueBefore: now, Sort: store.SortDue, Limit: 10})
		if err != nil {
			return err
		}
		soon, nSoon, err := a.Store.ListCases(ctx, store.CaseFilter{RegionCodes: scope,
			DueBefore: cal.WorkingDaysDeadline(now, dueSoonWorkingDays), Sort: store.SortDue, Limit: 20})
		if err != nil {
			return err
		}
		soon = slices.DeleteFunc(soon, func(cs *store.Case) bool { return !now.Before(cs.DueAt) })
		_, nUnassigned, err := a.Store.ListCases(ctx, store.CaseFilter{RegionCodes: scope, Unassigned: true,
			Statuses: []string{store.StatusReceived, store.StatusAccepted, store.StatusTransferred, store.StatusInvestigating}, Limit: 1})
		if err != nil {
			return err
		}
		_, nMine, err := a.Store.ListCases(ctx, store.CaseFilter{RegionCodes: scope, AssigneeID: actor.UserID,
			Statuses: []string{store.StatusReceived, store.StatusAccepted, store.StatusTransferred, store.StatusInvestigating}, Limit: 1})
		if err != nil {
			return err
		}
		counts, err := a.Store.CountCasesByStatus(ctx, store.CaseFilter{RegionCodes: scope})
		if err != nil {
			return err
		}
		satisfaction, err := a.satisfactionCounts(c, actor.Scope)
		if err != nil {
			return err
		}
		data["Satisfaction"] = satisfaction
		data["Overdue"] = a.rows(overdue, now)
		data["OverdueCount"] = nOverdue
		data["Soon"] = a.rows(soon, now)
		data["SoonCount"] = nSoon - nOverdue
		data["Unassigned"] = nUnassigned
		data["Mine"] = nMine
		data["NewCount"] = counts[store.StatusReceived]
		data["WorksCases"] = true
	}
	if casework.RoleAllows(actor.Role, casework.PermDraftReport) {
		_, n, err := a.Store.ListImportantReports(ctx, store.ImportantFilter{RegionCodes: actor.Scope, DueBefore: now,
			Statuses: []string{store.ReportDraft, store.ReportSigned}, Limit: 1})
		if err != nil {
			return err
		}
		data["ReportsOverdue"] = n
	}
	// What waits for this user in the publishing workflow: a leader, the
	// submissions of their own region to approve; a publisher, drafts sent
	// back (and not yet resubmitted) or still open.
	if casework.RoleAllows(actor.Role, casework.PermApprovePublication) {
		_, n, err := a.Store.ListPublications(ctx, store.PublicationFilter{RegionCodes: []string{actor.RegionCode},
			PendingStatuses: []string{store.RevSubmitted}, Limit: 1})
		if err != nil {
			return err
		}
		data["PubsToApprove"] = n
	}
	if casework.RoleAllows(actor.Role, casework.PermPublish) {
		_, n, err := a.Store.ListPublications(ctx, store.PublicationFilter{RegionCodes: actor.Scope,
			PendingStatuses: []string{store.RevDraft}, Limit: 1})
		if err != nil {
			return err
		}
		data["PubDrafts"] = n
	}
	if me, ok := a.Regions.Lookup(actor.RegionCode); ok && me.Level == casework.LevelProvince &&
		casework.RoleAllows(actor.Role, casework.PermViewQuarterly) {
		y, q := casework.QuarterOf(now)
		if q--; q == 0 {
			y, q = y-1, 4
		}
		overview, err := a.Cases.ProvinceQuarter(ctx, actor, y, q)
		if err != nil {
			return err
		}
		late := 0
		for _, st := range overview {
			if st.Status == casework.QuarterlyLate {
				late++
			}
		}
		data["QuarterLate"], data["QuarterYear"], data["QuarterQ"] = late, y, q
	}
	data["CalendarWarning"] = a.calendarWarning()
	data["MailConfigured"] = a.Config.MailConfigured
	if casework.RoleAllows(actor.Role, casework.PermReadOutbox) {
		// The outbox is a side matter here: if it cannot be read, the
		// dashboard still opens and says so.
		data["ShowOutbox"] = true
		counts, err := a.Store.CountMail(ctx, actor.Scope)
		if err != nil {
			a.Web.Log.Error("outbox counts not read", "request_id", web.RequestID(c), "error", err)
			data["OutboxUnreadable"] = true
		} else {
			data["Outbox"] = counts
		}
	}
	a.searchStatus(c, actor, data)
	return a.render(c, fiber.StatusOK, "dashboard", data)
}

// searchIndexLabels name the indexes on the dashboard.
var searchIndexLabels = map[string]string{store.IndexCases: "案件全文索引", store.IndexPublications: "公开内容全文索引"}

// searchLine is one index's line on the dashboard.
type searchLine struct {
	Area, Label      string
	Pending, Indexed int64
	Failing          string
	Since            time.Time
}

// searchStatus puts the search indexes' backlog on the dashboard: for
// administrators always, and for everyone while an index fails (so a
// handler knows why 全文查找 says it is unavailable). Like the outbox, a
// status that cannot be read is said, not an error.
func (a *Admin) searchStatus(c *fiber.Ctx, actor caseflow.Actor, data fiber.Map) {
	if a.Syncer == nil {
		return
	}
	st, err := a.Syncer.Status(c.UserContext())
	if err != nil {
		a.Web.Log.Error("search backlog not read", "request_id", web.RequestID(c), "error", err)
		if casework.RoleAllows(actor.Role, casework.PermReadOutbox) {
			data["SearchUnreadable"] = true
		}
		return
	}
	var lines []searchLine
	failing := false
	for _, s := range st {
		lines = append(lines, searchLine{Area: s.Area, Label: searchIndexLabels[s.Area], Pending: s.Pending,
			Indexed: s.Indexed, Failing: s.Failing, Since: s.FailingSince})
		failing = failing || s.Failing != ""
	}
	if casework.RoleAllows(actor.Role, casework.PermReadOutbox) || failing {
		data["Search"] = lines
		data["SearchFailing"] = failing
	}
}

func (a *Admin) rows(cases []*store.Case, now time.Time) []inboxRow {
	out := make([]inboxRow, 0, len(cases))
	for _, cs := range cases {
		out = append(out, inboxRow{Case: cs, Due: a.due(cs.DueAt, now)})
	}
	return out
}

// calendarWarning says when this year's or next year's holidays are not in
// the calendar in use: deadlines that reach into that year count weekends
// only. The State Council publishes next year's late in the year, so the
// warning stands until an administrator enters them.
func (a *Admin) calendarWarning() string {
	this := a.now().In(store.CST).Year()
	years := a.Cases.Rules.Calendar().Years()
	switch {
	case !slices.Contains(years, this):
		return "工作日历中尚无今年（" + itoa(this) + "年）的节假日安排，期限目前只扣除周末，可能算错。请系统管理员立即录入。"
	case !slices.Contains(years, this+1):
		return "工作日历中尚无" + itoa(this+1) + "年的节假日安排。跨入该年的期限将只扣除周末，请系统管理员在国务院办公厅公布后及时录入。"
	}
	return ""
}

// satisfactionCount is how many cases of a scope got one rating.
type satisfactionCount struct {
	Code, Label string
	Count       int
}

// satisfactionCounts counts the reporters' ratings of the cases in scope,
// one count per rating in the order of casework.Satisfactions, and the
// number of rated cases in all.
func (a *Admin) satisfactionCounts(c *fiber.Ctx, scope []string) (struct {
	Counts []satisfactionCount
	Rated  int
}, error) {
	var out struct {
		Counts []satisfactionCount
		Rated  int
	}
	for _, o := range casework.Satisfactions() {
		_, n, err := a.Store.ListCases(c.UserContext(), store.CaseFilter{RegionCodes: scope, Satisfaction: o.Code, Limit: 1})
		if err != nil {
			return out, err
		}
		out.Counts = append(out.Counts, satisfactionCount{Code: o.Code, Label: o.Label, Count: n})
		out.Rated += n
	}
	return out, nil
}
