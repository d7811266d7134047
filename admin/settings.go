package admin

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// settingField is one field of a settings form: its form name (the JSON
// name of the rule, without "Fen" for amounts typed in yuan), its label and
// unit, what it means, the default, and on a refused form the value typed
// and the problem.
type settingField struct {
	Name, Label, Unit, Hint, Default string
	Value, Error                     string
}

// settingsForm is one of the two forms of the settings page.
type settingsForm struct {
	ID      string // the setting key, also the form's path
	Title   string
	Fields  []settingField
	Version int64
	Problem string // a refusal of the whole form (stale version)
	Updated *store.Setting
}

var deadlineFields = []settingField{
	{Name: "acceptWorkingDays", Label: "受理期限", Unit: "个工作日", Hint: "收到举报投诉后，在此期限内决定是否受理；自收到之日的次日起计算。"},
	{Name: "notifyWorkingDays", Label: "告知实名举报人期限", Unit: "个工作日", Hint: "自收到之日的次日起，在此期限内告知实名举报人是否受理；不能短于受理期限。"},
	{Name: "investigationDays", Label: "调查期限", Unit: "日", Hint: "自受理之日的次日起计算；最后一日是休息日或法定节假日的，顺延至其后的第一个工作日。"},
	{Name: "extensionDays", Label: "可延长调查期限", Unit: "日", Hint: "经负责人批准可延长一次；填 0 表示不允许延长。"},
}

var importantFields = []settingField{
	{Name: "majorThreshold", Label: "重大要情金额标准", Unit: "元", Hint: "涉及基金金额达到此标准（含本数）的为重大要情，低于此标准的为要情。"},
	{Name: "nationalThreshold", Label: "同时报送国家相关部门的金额标准", Unit: "元", Hint: "涉及金额达到此标准（含本数）的重大要情，在逐级上报的同时报送国家相关部门；不能低于重大要情金额标准。"},
	{Name: "importantDays", Label: "要情报告时限", Unit: "个工作日", Hint: "自发现之日的次日起计算。"},
	{Name: "majorDays", Label: "重大要情报告时限", Unit: "个工作日", Hint: "自发现之日的次日起计算。"},
}

func deadlineValues(r casework.DeadlineRules) map[string]string {
	return map[string]string{
		"acceptWorkingDays": itoa(r.AcceptWorkingDays), "notifyWorkingDays": itoa(r.NotifyWorkingDays),
		"investigationDays": itoa(r.InvestigationDays), "extensionDays": itoa(r.ExtensionDays),
	}
}

func importantValues(r casework.ImportantCaseRules) map[string]string {
	return map[string]string{
		"majorThreshold": casework.FormatYuan(r.MajorThresholdFen), "nationalThreshold": casework.FormatYuan(r.NationalThresholdFen),
		"importantDays": itoa(r.ImportantDays), "majorDays": itoa(r.MajorDays),
	}
}

// buildForm fills fields with values, defaults and problems.
func buildForm(fields []settingField, values, defaults, problems map[string]string) []settingField {
	out := make([]settingField, len(fields))
	for i, f := range fields {
		f.Value, f.Default, f.Error = values[f.Name], defaults[f.Name], problems[f.Name]
		out[i] = f
	}
	return out
}

// settingsState is what the settings page shows besides the current rules:
// the form that was refused, with what was typed.
type settingsState struct {
	Status   int
	Flash    string
	Form     string // "deadlines" or "important": the refused form
	Values   map[string]string
	Problems map[string]string
	Problem  string
	Version  int64
}

// settingsPage shows the case-handling deadlines and the 要情 rules, as
// forms for an administrator of the province, read-only for the others.
func (a *Admin) settingsPage(c *fiber.Ctx) error {
	st := settingsState{Status: fiber.StatusOK}
	switch c.Query("done") {
	case caseflow.SettingDeadlines:
		st.Flash = "已保存办理期限，新计算的期限即按此执行；已计算的期限不变。"
	case caseflow.SettingImportant:
		st.Flash = "已保存要情标准，新认定的要情即按此执行；已认定的不变。"
	}
	return a.renderSettings(c, st)
}

func (a *Admin) renderSettings(c *fiber.Ctx, st settingsState) error {
	rs, err := caseflow.ReadRuleSettings(c.UserContext(), a.Store)
	if err != nil {
		return err
	}
	dl := settingsForm{ID: caseflow.SettingDeadlines, Title: "案件办理期限", Version: rs.DeadlinesVersion(), Updated: rs.DeadlinesSetting}
	dlValues, dlProblems := deadlineValues(rs.Deadlines), map[string]string(nil)
	imp := settingsForm{ID: caseflow.SettingImportant, Title: "要情报告标准", Version: rs.ImportantVersion(), Updated: rs.ImportantSetting}
	impValues, impProblems := importantValues(rs.Important), map[string]string(nil)
	switch st.Form {
	case caseflow.SettingDeadlines:
		dlValues, dlProblems, dl.Problem, dl.Version = st.Values, st.Problems, st.Problem, st.Version
	case caseflow.SettingImportant:
		impValues, impProblems, imp.Problem, imp.Version = st.Values, st.Problems, st.Problem, st.Version
	}
	dl.Fields = buildForm(deadlineFields, dlValues, deadlineValues(casework.DefaultDeadlineRules()), dlProblems)
	imp.Fields = buildForm(importantFields, impValues, importantValues(casework.DefaultImportantCaseRules()), impProblems)
	return a.render(c, st.Status, "settings", fiber.Map{
		"Title": "系统设置", "Nav": "settings", "State": st, "Forms": []settingsForm{dl, imp},
		"CanEdit":      a.Cases.MayChangeRules(a.actor(c), casework.PermManageSettings),
		"ProvinceOnly": caseflow.MsgProvinceOnly,
	})
}

// formInt reads a whole number from a settings form, or says why not.
func formInt(s string) (int, string) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, "请填写整数。"
	}
	return n, ""
}

// readSettingsForm reads fields from the posted form as typed, to check
// them; shown is what a refused form shows again, at most 40 characters of
// each. Only the values as typed are checked and stored: a value cut to
// its first 40 characters could be a number that was never typed.
func readSettingsForm(c *fiber.Ctx, fields []settingField) (values, shown map[string]string) {
	values, shown = map[string]string{}, map[string]string{}
	for _, f := range fields {
		values[f.Name] = strings.TrimSpace(form(c, f.Name))
		shown[f.Name] = clip(values[f.Name], 40)
	}
	return values, shown
}

// settingsRefused re-renders the settings page after a refusal of form:
// 422 with the problems next to the fields, 409 for a stale version, 403 for
// an administrator who may not change the settings.
func (a *Admin) settingsRefused(c *fiber.Ctx, form string, values, problems map[string]string, err error) error {
	st := settingsState{Status: fiber.StatusUnprocessableEntity, Form: form, Values: values, Problems: problems, Version: settingVersion(c)}
	switch store.ErrorCode(err) {
	case "":
	case store.EINVALID:
		if len(problems) == 0 {
			st.Problem = store.ErrorMessage(err)
		}
	case store.ECONFLICT:
		st.Status, st.Problem = fiber.StatusConflict, store.ErrorMessage(err)
	default:
		return err
	}
	return a.renderSettings(c, st)
}

func (a *Admin) settingsSaveDeadlines(c *fiber.Ctx) error {
	values, shown := readSettingsForm(c, deadlineFields)
	problems := map[string]string{}
	var r casework.DeadlineRules
	for name, dst := range map[string]*int{
		"acceptWorkingDays": &r.AcceptWorkingDays, "notifyWorkingDays": &r.NotifyWorkingDays,
		"investigationDays": &r.InvestigationDays, "extensionDays": &r.ExtensionDays,
	} {
		if *dst, problems[name] = formInt(values[name]); problems[name] == "" {
			delete(problems, name)
		}
	}
	if len(problems) == 0 {
		for _, p := range r.Problems() {
			problems[p.Field] = p.Message
		}
	}
	if len(problems) > 0 {
		return a.settingsRefused(c, caseflow.SettingDeadlines, shown, problems, nil)
	}
	version, err := strictSettingVersion(c)
	if err == nil {
		err = a.Cases.PutDeadlineRules(c.UserContext(), a.actor(c), r, version)
	}
	if err != nil {
		return a.settingsRefused(c, caseflow.SettingDeadlines, shown, problems, err)
	}
	return c.Redirect(web.AdminPrefix+"/settings?done="+caseflow.SettingDeadlines, fiber.StatusSeeOther)
}

func (a *Admin) settingsSaveImportant(c *fiber.Ctx) error {
	values, shown := readSettingsForm(c, importantFields)
	problems := map[string]string{}
	var r casework.ImportantCaseRules
	for name, dst := range map[string]*int64{"majorThreshold": &r.MajorThresholdFen, "nationalThreshold": &r.NationalThresholdFen} {
		fen, err := casework.ParseYuan(values[name])
		if err != nil {
			problems[name] = amountProblem(err)
		}
		*dst = fen
	}
	for name, dst := range map[string]*int{"importantDays": &r.ImportantDays, "majorDays": &r.MajorDays} {
		if *dst, problems[name] = formInt(values[name]); problems[name] == "" {
			delete(problems, name)
		}
	}
	if len(problems) == 0 {
		for _, p := range r.Problems() {
			problems[strings.TrimSuffix(p.Field, "Fen")] = p.Message
		}
	}
	if len(problems) > 0 {
		return a.settingsRefused(c, caseflow.SettingImportant, shown, problems, nil)
	}
	version, err := strictSettingVersion(c)
	if err == nil {
		err = a.Cases.PutImportantRules(c.UserContext(), a.actor(c), r, version)
	}
	if err != nil {
		return a.settingsRefused(c, caseflow.SettingImportant, shown, problems, err)
	}
	return c.Redirect(web.AdminPrefix+"/settings?done="+caseflow.SettingImportant, fiber.StatusSeeOther)
}

// strictSettingVersion reads the settings form's version: 0 for a setting
// never saved, and a missing or garbled one is a stale page (409), never
// "skip the check".
func strictSettingVersion(c *fiber.Ctx) (int64, error) {
	s := form(c, "version")
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 || strconv.FormatInt(v, 10) != s {
		return 0, store.Conflict(store.MsgStaleRecord)
	}
	return v, nil
}

// settingVersion is the version to show again on a refused form.
func settingVersion(c *fiber.Ctx) int64 {
	v, _ := strictSettingVersion(c)
	return v
}
