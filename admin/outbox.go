package admin

import (
	"github.com/gofiber/fiber/v2"

	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// outboxPageSize is how many mails each list of the outbox page shows.
const outboxPageSize = 100

// reporterRecipient is what the outbox page shows instead of a reporter's
// address, which it never has: the address stays sealed with the case.
const reporterRecipient = "举报人（已隐去）"

// outboxRow is one mail as the outbox page shows it.
type outboxRow struct {
	*store.Mail
	Recipient string
	KindLabel string
}

// outboxList is one status's mail: the newest page and how many there are.
type outboxList struct {
	Rows  []outboxRow
	Total int
}

// outbox shows administrators the mail of their region scope waiting to go
// out and the mail that could not be sent, with the server's last answer,
// and lets them send a failed mail again.
func (a *Admin) outbox(c *fiber.Ctx) error {
	actor := a.actor(c)
	ctx := c.UserContext()
	counts, err := a.Store.CountMail(ctx, actor.Scope)
	if err != nil {
		return err
	}
	lists := map[string]outboxList{}
	for _, status := range []string{store.MailFailed, store.MailPending} {
		mails, total, err := a.Store.ListMail(ctx, store.MailFilter{RegionCodes: actor.Scope, Status: status, Limit: outboxPageSize})
		if err != nil {
			return err
		}
		l := outboxList{Total: total}
		for _, m := range mails {
			r := outboxRow{Mail: m, Recipient: m.To, KindLabel: caseflow.MailKindLabel(m.Kind)}
			if m.ReporterCaseID != "" {
				r.Recipient = reporterRecipient
			}
			l.Rows = append(l.Rows, r)
		}
		lists[status] = l
	}
	flash := ""
	if c.Query("done") == "retry" {
		flash = "已重新加入发送队列，将在下一轮发送。"
	}
	return a.render(c, fiber.StatusOK, "outbox", fiber.Map{
		"Title": "邮件发送队列", "Nav": "outbox", "Counts": counts, "Failed": lists[store.MailFailed],
		"Pending": lists[store.MailPending], "MailConfigured": a.Config.MailConfigured, "Flash": flash,
	})
}

// outboxRetry puts a failed mail back in the queue (重新发送), audited.
func (a *Admin) outboxRetry(c *fiber.Ctx) error {
	_, err := a.Cases.RequeueMail(c.UserContext(), a.actor(c), c.Params("id"))
	switch store.ErrorCode(err) {
	case "":
		return c.Redirect(web.AdminPrefix+"/outbox?done=retry", fiber.StatusSeeOther)
	case store.ECONFLICT:
		// Already back in the queue (a second click): the page shows it.
		return c.Redirect(web.AdminPrefix+"/outbox", fiber.StatusSeeOther)
	}
	return err
}
