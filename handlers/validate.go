package handlers

import (
	"errors"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/go-playground/validator/v10"

	"fundwatch/casework"
)

// Validator is the process-wide go-playground validator. Field errors are
// keyed by the field's dotted `json` path (the same key the HTML form uses),
// and their messages are written by hand, per field and check, in
// fieldMessages: each says what to do ("请至少选择一个险种", "请填写问题描述"),
// never what a rule is called ("必须至少包含1项"). The library's generated
// translations read as machine-made (issue 7, citizens point 3) and are not
// used.
type Validator struct {
	v *validator.Validate
}

// NewValidator builds the validator once per process, registering the custom
// tags for the codes of DOMAIN.md.
func NewValidator(regions *casework.Regions) (*Validator, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	custom := []struct {
		tag string
		fn  validator.Func
	}{
		{"idnumber", func(fl validator.FieldLevel) bool { return casework.ValidIDNumber(fl.Field().String()) }},
		{"iddoctype", func(fl validator.FieldLevel) bool { return casework.ValidIDDocumentType(fl.Field().String()) }},
		{"mobile", func(fl validator.FieldLevel) bool { return casework.ValidMobile(fl.Field().String()) }},
		{"phone", func(fl validator.FieldLevel) bool { return validPhone(fl.Field().String()) }},
		{"creditcode", func(fl validator.FieldLevel) bool {
			return casework.CreditCodeStatus(fl.Field().String()) != casework.CreditCodeMalformed
		}},
		{"kind", func(fl validator.FieldLevel) bool { return casework.ValidKind(fl.Field().String()) }},
		{"reportertype", func(fl validator.FieldLevel) bool { return casework.ValidReporterType(fl.Field().String()) }},
		{"category", func(fl validator.FieldLevel) bool { return casework.ValidCategory(fl.Field().String()) }},
		{"insurancetype", func(fl validator.FieldLevel) bool { return casework.ValidInsuranceType(fl.Field().String()) }},
		{"contract", func(fl validator.FieldLevel) bool { return casework.ValidContract(fl.Field().String()) }},
		{"region", func(fl validator.FieldLevel) bool {
			r, ok := regions.Lookup(fl.Field().String())
			return ok && r.Level != "province"
		}},
		{"plaintext", func(fl validator.FieldLevel) bool { return plainText(fl.Field().String()) }},
		{"singleline", func(fl validator.FieldLevel) bool { return casework.SingleLineText(fl.Field().String()) }},
	}
	for _, c := range custom {
		if err := v.RegisterValidation(c.tag, c.fn); err != nil {
			return nil, err
		}
	}
	return &Validator{v: v}, nil
}

// Sentences shared by several fields.
const (
	msgOneLine  = "只能是一行文字，请删除换行、制表符和看不见的字符（常在从其他软件复制时带入）"
	msgReadable = "中有无法识别的字符（常在从其他软件复制时带入），请删除后重试"
	msgCredit   = "统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、S、V、Z），请照营业执照核对"
)

// fieldMessages are the messages of every check of every field, by the
// field's key and the validator tag that failed. An empty field meets
// "required" (请填写… / 请选择…) before any length check, so nobody is told
// that nothing is "too short". TestEveryCheckOfEveryFieldHasAHandWrittenMessage
// keeps this table complete.
var fieldMessages = map[string]map[string]string{
	"kind": {
		"required": "请选择事项类型：举报或投诉",
		"kind":     "事项类型只能是举报或投诉，请重新选择",
	},
	"reporterType": {
		"required":     "请选择反映人类型：公民个人、用人单位或其他社会组织",
		"reportertype": "反映人类型只能是公民个人、用人单位或其他社会组织，请重新选择",
	},
	"category": {
		"required": "请选择问题类别",
		"category": "问题类别不在列表中，请从列表中重新选择",
	},
	"insuranceTypes": {
		"min":           "请至少选择一个险种",
		"max":           "险种最多选择8项",
		"unique":        "每个险种只能选择一次",
		"insurancetype": "险种不在列表中，请从列表中重新选择",
	},
	"regionCode": {
		"required": "请选择发生地区",
		"region":   "发生地区不在列表中，请选择吉林省内的市（州）或县（市、区）",
	},
	"amountYuan": {
		"max":        "涉及金额太长了，请只填写以元为单位的数字，如 12000.50",
		"singleline": "涉及金额只能是一行数字，如 12000.50",
	},
	"subject.name": {
		"required":   "请填写被反映单位或个人的名称",
		"max":        "被反映对象名称最多100个字，请填写全称，不必加说明",
		"singleline": "被反映对象名称" + msgOneLine,
	},
	"subject.creditCode": {
		"creditcode": msgCredit + "；不知道可以不填",
	},
	"subject.idNumber": {
		"idnumber": "被反映人的身份证号码应为18位，请核对出生日期和最后一位校验码；不知道可以不填",
	},
	"subject.legalRepresentative": {
		"max":        "法定代表人姓名最多50个字",
		"singleline": "法定代表人姓名" + msgOneLine,
	},
	"subject.address": {
		"max":        "地址最多200个字，请写到门牌号即可",
		"singleline": "地址" + msgOneLine,
	},
	"description": {
		"required":  "请填写问题描述",
		"min":       "问题描述至少需要20个字，请写明谁、在什么时间、用什么方式、造成了什么后果，以及有哪些证据",
		"max":       "问题描述最多5000字，请精简；提交后还可以在进度查询中分次补充",
		"plaintext": "问题描述" + msgReadable,
	},
	"complaint.request": {
		"required":  "请填写投诉请求事项：您希望解决什么问题",
		"min":       "投诉请求事项至少需要4个字，请写明希望解决什么问题",
		"max":       "投诉请求事项最多1000字，请精简，事实经过写在问题描述中",
		"plaintext": "投诉请求事项" + msgReadable,
	},
	"complaint.position": {
		"max":        "岗位最多50个字，如“仓库保管员”",
		"singleline": "岗位" + msgOneLine,
	},
	"complaint.labourContract": {
		"contract": "劳动合同情况不在选项中，请重新选择",
	},
	"reporter.name": {
		"required":   "请填写您的姓名",
		"max":        "姓名最多50个字",
		"singleline": "姓名" + msgOneLine,
	},
	"reporter.idType": {
		"iddoctype": "证件类型不在列表中，请重新选择",
	},
	"reporter.idNumber": {
		"required": "请填写证件号码",
	},
	"reporter.phone": {
		"required": "请填写手机号码，承办人员需要时会与您联系",
		"mobile":   "手机号码应为以1开头的11位数字，请核对",
	},
	"reporter.email": {
		"max":   "电子邮箱最多100个字符",
		"email": "电子邮箱格式不正确，请核对，如 zhangsan@example.com；没有可以不填",
	},
	"organisation.name": {
		"required":   "请填写单位名称",
		"max":        "单位名称最多100个字，请填写营业执照上的全称",
		"singleline": "单位名称" + msgOneLine,
	},
	"organisation.creditCode": {
		"required":   "请填写单位的统一社会信用代码",
		"creditcode": msgCredit,
	},
	"organisation.contactPerson": {
		"required":   "请填写联系人姓名",
		"max":        "联系人姓名最多50个字",
		"singleline": "联系人姓名" + msgOneLine,
	},
	"organisation.contactPhone": {
		"required": "请填写联系电话",
		"phone":    "联系电话应为11位手机号码，或带区号的固定电话，如 0431-88888888",
	},
}

// message is the hand-written message for a failed check of a field. A
// check without one (a field added without its messages, which the test
// catches) still gets a sentence that tells the user where to look.
func message(field, tag string) string {
	if m, ok := fieldMessages[field][tag]; ok {
		return m
	}
	return "这一项的填写不符合要求，请检查后重新提交"
}

// FieldErrors maps a field key to a message for the user, in Chinese.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message: the first
// problem found is the one worth fixing first.
func (fe FieldErrors) Add(field, msg string) {
	if _, ok := fe[field]; !ok {
		fe[field] = msg
	}
}

// FieldError is one entry of an ordered error summary.
type FieldError struct {
	Field, Message string
}

// inOrder lists the errors in the given field order; fields not in order
// come last, sorted by key.
func (fe FieldErrors) inOrder(order []string) []FieldError {
	out := make([]FieldError, 0, len(fe))
	seen := map[string]bool{}
	for _, k := range order {
		if m, ok := fe[k]; ok {
			out = append(out, FieldError{k, m})
			seen[k] = true
		}
	}
	var rest []string
	for k := range fe {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, FieldError{k, fe[k]})
	}
	return out
}

// Struct validates s and returns the field errors keyed by the dotted json path
// (e.g. "reporter.idNumber"); nil means valid.
func (v *Validator) Struct(s any) FieldErrors {
	err := v.v.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return FieldErrors{"": "提交的内容无法校验，请检查后重试"}
	}
	out := FieldErrors{}
	t := reflect.TypeOf(s)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for _, fe := range verrs {
		key := jsonPath(t, fe.StructNamespace())
		out.Add(key, message(key, fe.Tag()))
	}
	return out
}

// jsonPath turns a struct namespace such as "reportInput.Reporter.IDNumber" or
// "reportInput.InsuranceTypes[2]" into the json key path "reporter.idNumber" /
// "insuranceTypes".
func jsonPath(t reflect.Type, ns string) string {
	parts := strings.Split(ns, ".")
	if len(parts) > 0 {
		parts = parts[1:]
	}
	var out []string
	for _, p := range parts {
		name := p
		if i := strings.IndexByte(name, '['); i >= 0 {
			name = name[:i]
		}
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			out = append(out, name)
			continue
		}
		f, ok := t.FieldByName(name)
		if !ok {
			out = append(out, name)
			continue
		}
		key := strings.Split(f.Tag.Get("json"), ",")[0]
		if key == "" {
			key = name
		}
		out = append(out, key)
		t = f.Type
	}
	return strings.Join(out, ".")
}

// validPhone accepts a mobile number or a landline with area code, optionally
// with an extension: 0431-88888888, 043188888888, 0431-8888888-123.
func validPhone(s string) bool {
	if casework.ValidMobile(s) {
		return true
	}
	return landline.MatchString(s)
}

var landline = regexp.MustCompile(`^0\d{2,3}-?\d{7,8}(-\d{1,6})?$`)
