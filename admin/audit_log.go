package admin

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/store"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 100

// auditLog lets administrators read and filter the audit log of their
// region scope, newest first.
func (a *Admin) auditLog(c *fiber.Ctx) error {
	actor := a.actor(c)
	q := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	f := store.AuditFilter{RegionCodes: actor.Scope, Limit: auditPageSize}
	in := map[string]string{"action": clip(q("action"), 40), "target": clip(q("target"), 64),
		"from": clip(q("from"), 10), "to": clip(q("to"), 10), "actor": clip(q("actor"), 64)}
	f.ActionPrefix = in["action"]
	f.TargetID = in["target"]
	problem := ""
	if d := in["from"]; d != "" {
		if t, err := parseDay(d); err == nil {
			f.From = t.UTC()
		} else {
			problem = "起始日期格式应为 2026-11-30。"
		}
	}
	if d := in["to"]; d != "" {
		if t, err := parseDay(d); err == nil {
			f.To = t.Add(24 * time.Hour).UTC()
		} else {
			problem = "截止日期格式应为 2026-11-30。"
		}
	}
	if name := in["actor"]; name != "" {
		u, err := a.Store.UserByUsername(c.UserContext(), name)
		switch {
		case err == nil:
			f.ActorID = u.ID
		case store.ErrorCode(err) == store.ENOTFOUND:
			f.ActorID = "\x00none" // an unknown user has no entries
		default:
			return err
		}
	}
	page := max(1, min(atoiDefault(q("page"), 1), 100000))
	f.Offset = (page - 1) * auditPageSize
	entries, total, err := a.Store.ListAudit(c.UserContext(), f)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if problem != "" {
		status = fiber.StatusUnprocessableEntity
	}
	return a.render(c, status, "audit", fiber.Map{
		"Title": "审计日志", "Nav": "audit", "Entries": entries, "Total": total, "In": in,
		"Page": page, "Pages": (total + auditPageSize - 1) / auditPageSize, "Problem": problem,
		"Actions": auditActionPrefixes,
	})
}

// auditActionPrefixes are the groups of the action filter.
var auditActionPrefixes = []struct{ Code, Label string }{
	{"login", "登录"}, {"logout", "退出"}, {"password", "密码"}, {"totp", "动态验证码"}, {"user.", "用户管理"},
	{"case.", "案件办理"}, {"identity.", "查看举报人身份"}, {"report.", "要情报告"}, {"quarterly.", "季度统计"},
	{"calendar.", "工作日历"}, {"settings.", "系统设置"}, {"mail.", "邮件"},
}

func atoiDefault(s string, def int) int {
	n := 0
	if s == "" || len(s) > 9 {
		return def
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return def
		}
		n = n*10 + int(r-'0')
	}
	return n
}
