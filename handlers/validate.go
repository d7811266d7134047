package handlers

import (
	"errors"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/go-playground/locales/zh"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	zhtrans "github.com/go-playground/validator/v10/translations/zh"

	"fundwatch/casework"
)

// Validator is the process-wide go-playground validator with Chinese messages.
// Field errors are keyed by the field's `json` name (the same key the HTML form
// uses), and labelled in messages with the field's `label` tag.
type Validator struct {
	v     *validator.Validate
	trans ut.Translator
}

// NewValidator builds the validator once per process, registering the custom
// tags for the codes of DOMAIN.md and their Chinese messages.
func NewValidator(regions *casework.Regions) (*Validator, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	uni := ut.New(zh.New())
	trans, _ := uni.GetTranslator("zh")
	if err := zhtrans.RegisterDefaultTranslations(v, trans); err != nil {
		return nil, err
	}
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if l := f.Tag.Get("label"); l != "" {
			return l
		}
		return f.Name
	})
	custom := []struct {
		tag, msg string
		fn       validator.Func
	}{
		{"idnumber", "{0}不是有效的18位居民身份证号码，请核对出生日期和最后一位校验码", func(fl validator.FieldLevel) bool {
			return casework.ValidIDNumber(fl.Field().String())
		}},
		{"mobile", "{0}应为以1开头的11位手机号码", func(fl validator.FieldLevel) bool {
			return casework.ValidMobile(fl.Field().String())
		}},
		{"phone", "{0}应为11位手机号码或带区号的固定电话（如 0431-88888888）", func(fl validator.FieldLevel) bool {
			return validPhone(fl.Field().String())
		}},
		{"creditcode", "{0}应为18位统一社会信用代码（由数字和除I、O、S、V、Z以外的大写字母组成）", func(fl validator.FieldLevel) bool {
			return casework.CreditCodeStatus(fl.Field().String()) != casework.CreditCodeMalformed
		}},
		{"kind", "请选择{0}", func(fl validator.FieldLevel) bool {
			return casework.ValidKind(fl.Field().String())
		}},
		{"reportertype", "请选择{0}", func(fl validator.FieldLevel) bool {
			return casework.ValidReporterType(fl.Field().String())
		}},
		{"category", "请从列表中选择{0}", func(fl validator.FieldLevel) bool {
			return casework.ValidCategory(fl.Field().String())
		}},
		{"insurancetype", "请从列表中选择{0}", func(fl validator.FieldLevel) bool {
			return casework.ValidInsuranceType(fl.Field().String())
		}},
		{"region", "请从列表中选择{0}", func(fl validator.FieldLevel) bool {
			r, ok := regions.Lookup(fl.Field().String())
			return ok && r.Level != "province"
		}},
		{"isodate", "{0}应为有效日期，格式如 2026-01-31", func(fl validator.FieldLevel) bool {
			return validDate(fl.Field().String())
		}},
		{"plaintext", "{0}包含无法识别的字符，请删除后重试", func(fl validator.FieldLevel) bool {
			return plainText(fl.Field().String())
		}},
		{"singleline", "{0}只能是一行文字，请删除换行、制表符和不可见的字符后重试", func(fl validator.FieldLevel) bool {
			return casework.SingleLineText(fl.Field().String())
		}},
	}
	for _, c := range custom {
		if err := v.RegisterValidation(c.tag, c.fn); err != nil {
			return nil, err
		}
		msg := c.msg
		tag := c.tag
		err := v.RegisterTranslation(tag, trans,
			func(ut ut.Translator) error { return ut.Add(tag, msg, true) },
			func(ut ut.Translator, fe validator.FieldError) string {
				s, _ := ut.T(tag, fe.Field())
				return s
			})
		if err != nil {
			return nil, err
		}
	}
	// Friendlier wording than the library's for the most common tag.
	_ = v.RegisterTranslation("required", trans,
		func(ut ut.Translator) error { return ut.Add("required", "请填写{0}", true) },
		func(ut ut.Translator, fe validator.FieldError) string {
			s, _ := ut.T("required", fe.Field())
			return s
		})
	return &Validator{v: v, trans: trans}, nil
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
		out.Add(jsonPath(t, fe.StructNamespace()), fe.Translate(v.trans))
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
