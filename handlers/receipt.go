package handlers

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/store"
)

// receiptDownload answers the receipt page's 保存回执 button with the
// receipt as a plain-text file. The code travels only in the POST body
// (never in a URL, where it would land in logs and histories) and is
// checked like a follow-up login, with the same limits on guessing, so the
// file holds what the store says about the case, not what was posted.
// The answer is an attachment that is never stored by a cache.
func (h *Handler) receiptDownload(c *fiber.Ctx) error {
	number := strings.TrimSpace(postValue(c, "number"))
	code := postValue(c, "code")
	if number == "" || strings.TrimSpace(code) == "" || len(number) > 64 || len(code) > 128 {
		return h.renderFollowupForm(c, fiber.StatusUnprocessableEntity, clip(number, 64), "请填写回执上的查询编号和查询码。")
	}
	cs, err := h.lookupCase(c.UserContext(), h.clientIP(c), number, code)
	if err != nil {
		if store.ErrorCode(err) == store.ENOTFOUND {
			return h.renderFollowupForm(c, fiber.StatusUnprocessableEntity, clip(number, 64), msgWrongCredentials)
		}
		return err
	}
	grouped, _ := casework.GroupAccessCode(code) // lookupCase checked it
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="receipt-%s.txt"; filename*=UTF-8''%s`,
		cs.Number, url.PathEscape("举报投诉回执-"+cs.Number+".txt")))
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.SendString(h.receiptText(cs, grouped))
}

// receiptText is the receipt as a text file: a byte-order mark and CRLF
// line ends, so that every editor on every system in use opens it right.
func (h *Handler) receiptText(cs *store.Case, code string) string {
	var b strings.Builder
	line := func(format string, args ...any) {
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\r\n")
	}
	b.WriteString("\ufeff")
	line("社保基金监督公开平台 举报投诉回执")
	if h.Config.Demo || cs.Demo {
		line("【示例】本回执来自演示环境，不是真实的举报投诉回执。")
	}
	line("网址：%s", h.Config.BaseURL)
	line("")
	line("查询编号：%s", cs.Number)
	line("查询码：%s", code)
	line("凭查询编号和查询码，可在 %s/followup 查询办理进度、补充信息。", h.Config.BaseURL)
	line("平台不保存查询码原文，遗失后无法找回。请妥善保管本文件，不要把查询码告诉他人。")
	line("")
	line("提交时间：%s（北京时间）", cs.CreatedAt.In(store.CST).Format("2006年01月02日 15:04"))
	line("事项类型：%s", casework.KindLabel(cs.Kind))
	line("问题类别：%s", casework.CategoryLabel(cs.Category))
	types := make([]string, len(cs.InsuranceTypes))
	for i, t := range cs.InsuranceTypes {
		types[i] = casework.InsuranceTypeLabel(t)
	}
	line("涉及险种：%s", strings.Join(types, "、"))
	line("发生地区：%s", h.Regions.FullName(cs.RegionCode))
	line("被反映对象：%s", cs.Subject.Name)
	if cs.AmountGiven {
		line("涉及金额：%s 元", casework.FormatYuan(cs.AmountFen))
	}
	if cs.Anonymous {
		line("反映方式：匿名")
	} else {
		line("反映方式：实名（身份信息已加密保存）")
	}
	line("办理渠道：%s", casework.ChannelLabel(cs.Channel))
	o := h.officeFor(cs.RegionCode, cs.Channel)
	if o.Found {
		example := ""
		if o.Office.Example {
			example = "（示例）"
		}
		line("受理机构：%s%s", o.Office.Name, example)
		if o.Office.Address != "" {
			line("　地址：%s%s", o.Office.Address, example)
		}
		if o.Office.Phone != "" {
			line("　电话：%s%s", o.Office.Phone, example)
		}
		if o.Office.Hours != "" {
			line("　办公时间：%s", o.Office.Hours)
		}
	} else {
		line("受理机构：%s", o.Generic)
	}
	if o.Hotline != "" {
		line("%s", o.Hotline)
	}
	line("当前状态：%s", casework.StatusLabel(cs.Status))
	if d, ok := casework.ReporterDeadline(cs, h.now()); ok {
		line("%s：%s24时前", d.Label, d.LastDay.Format("2006年01月02日"))
	}
	line("")
	line("%s", casework.CaseRoutingNotice(cs))
	return b.String()
}
