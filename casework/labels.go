package casework

import (
	"slices"

	"fundwatch/store"
)

// Insurance types a case can concern (DOMAIN.md "Codes and checks").
const (
	InsurancePension         = "pension"
	InsuranceResidentPension = "resident_pension"
	InsuranceMedical         = "medical"
	InsuranceUnemployment    = "unemployment"
	InsuranceWorkInjury      = "work_injury"
	InsuranceMaternity       = "maternity"
	InsuranceAnnuity         = "annuity"
	InsuranceOther           = "other"
)

// Problem categories of a report (DOMAIN.md "What people may report").
const (
	CategoryUnpaidContributions = "unpaid_contributions"
	CategoryFraudulentClaims    = "fraudulent_claims"
	CategoryEmbezzlement        = "embezzlement"
	CategoryMisappropriation    = "misappropriation"
	CategoryImproperStorage     = "improper_storage"
	CategoryAgencyMisconduct    = "agency_misconduct"
	CategoryOther               = "other"
)

// Important-case (要情) classes; the national flag is separate.
const (
	ClassNone      = "none"
	ClassImportant = "important"
	ClassMajor     = "major"
)

// Option is one entry of a select or radio group: the code stored and sent in
// the API, and the Chinese label people see.
type Option struct {
	Code  string
	Label string
}

// The option lists, in the order forms and filters show them.
var (
	kindOptions = []Option{
		{store.KindReport, "举报"},
		{store.KindComplaint, "投诉"},
	}
	reporterTypeOptions = []Option{
		{store.ReporterCitizen, "公民"},
		{store.ReporterEmployer, "用人单位"},
		{store.ReporterOrganization, "其他社会组织"},
	}
	insuranceTypeOptions = []Option{
		{InsurancePension, "企业职工基本养老保险"},
		{InsuranceResidentPension, "城乡居民基本养老保险"},
		{InsuranceMedical, "基本医疗保险"},
		{InsuranceUnemployment, "失业保险"},
		{InsuranceWorkInjury, "工伤保险"},
		{InsuranceMaternity, "生育保险"},
		{InsuranceAnnuity, "企业年金"},
		{InsuranceOther, "其他"},
	}
	categoryOptions = []Option{
		{CategoryUnpaidContributions, "用人单位未按规定缴纳社会保险费"},
		{CategoryFraudulentClaims, "欺诈冒领、骗取社会保险待遇"},
		{CategoryEmbezzlement, "侵吞贪污"},
		{CategoryMisappropriation, "挤占挪用"},
		{CategoryImproperStorage, "违规存储、违规投资结余基金"},
		{CategoryAgencyMisconduct, "经办机构违规"},
		{CategoryOther, "其他"},
	}
	channelOptions = []Option{
		{store.ChannelFundSupervision, "社会保险基金监督"},
		{store.ChannelMedicalSecurity, "医疗保障部门"},
		{store.ChannelLabourInspection, "劳动保障监察"},
	}
	statusOptions = []Option{
		{store.StatusReceived, "已收到"},
		{store.StatusAccepted, "已受理"},
		{store.StatusRejected, "不予受理"},
		{store.StatusTransferred, "已转办"},
		{store.StatusInvestigating, "调查中"},
		// Concluded and closed must not read alike (已办结 and 已结案 did):
		// the first is an investigation with a finding, the second a file
		// put away, after which nothing more can be added.
		{store.StatusConcluded, "调查完毕"},
		{store.StatusClosed, "已结案归档"},
	}
	resultOptions = []Option{
		{store.ResultSubstantiated, "属实"},
		{store.ResultPartly, "部分属实"},
		{store.ResultNotSubstantiated, "不属实"},
	}
	satisfactionOptions = []Option{
		{store.SatisfactionSatisfied, "满意"},
		{store.SatisfactionBasically, "基本满意"},
		{store.SatisfactionDissatisfied, "不满意"},
	}
	importantClassOptions = []Option{
		{ClassNone, "非要情"},
		{ClassImportant, "要情"},
		{ClassMajor, "重大要情"},
	}
)

// Kinds lists report (举报) and complaint (投诉).
func Kinds() []Option { return slices.Clone(kindOptions) }

// ReporterTypes lists who can file: citizen, employer, other organisation.
func ReporterTypes() []Option { return slices.Clone(reporterTypeOptions) }

// InsuranceTypes lists the insurance types a case can concern.
func InsuranceTypes() []Option { return slices.Clone(insuranceTypeOptions) }

// Categories lists the problem categories of a report.
func Categories() []Option { return slices.Clone(categoryOptions) }

// Channels lists the administrations a case can be routed to.
func Channels() []Option { return slices.Clone(channelOptions) }

// Statuses lists the case statuses in the order a reporter meets them.
func Statuses() []Option { return slices.Clone(statusOptions) }

// Results lists the outcomes of an investigation.
func Results() []Option { return slices.Clone(resultOptions) }

// Satisfactions lists the ratings a reporter may give a concluded case.
func Satisfactions() []Option { return slices.Clone(satisfactionOptions) }

// SatisfactionLabel returns the Chinese label of a rating code.
func SatisfactionLabel(code string) string { return label(satisfactionOptions, code) }

// ValidSatisfaction reports whether code is a known rating.
func ValidSatisfaction(code string) bool { return known(satisfactionOptions, code) }

// ImportantClasses lists the 要情 classes, "none" first.
func ImportantClasses() []Option { return slices.Clone(importantClassOptions) }

// KindLabel returns the Chinese label of a kind code.
func KindLabel(code string) string { return label(kindOptions, code) }

// ReporterTypeLabel returns the Chinese label of a reporter type code.
func ReporterTypeLabel(code string) string { return label(reporterTypeOptions, code) }

// InsuranceTypeLabel returns the Chinese label of an insurance type code.
func InsuranceTypeLabel(code string) string { return label(insuranceTypeOptions, code) }

// CategoryLabel returns the Chinese label of a problem category code.
func CategoryLabel(code string) string { return label(categoryOptions, code) }

// ChannelLabel returns the Chinese label of a channel code.
func ChannelLabel(code string) string { return label(channelOptions, code) }

// StatusLabel returns the Chinese label of a case status code.
func StatusLabel(code string) string { return label(statusOptions, code) }

// ResultLabel returns the Chinese label of an investigation result code.
func ResultLabel(code string) string { return label(resultOptions, code) }

// ImportantClassLabel returns the Chinese label of a 要情 class code.
func ImportantClassLabel(code string) string { return label(importantClassOptions, code) }

// ValidKind reports whether code is a known kind; the validators of forms and
// the JSON API use these so a stored code always has a label.
func ValidKind(code string) bool { return known(kindOptions, code) }

// ValidReporterType reports whether code is a known reporter type.
func ValidReporterType(code string) bool { return known(reporterTypeOptions, code) }

// ValidInsuranceType reports whether code is a known insurance type.
func ValidInsuranceType(code string) bool { return known(insuranceTypeOptions, code) }

// ValidCategory reports whether code is a known problem category.
func ValidCategory(code string) bool { return known(categoryOptions, code) }

// ValidChannel reports whether code is a known channel.
func ValidChannel(code string) bool { return known(channelOptions, code) }

// ValidStatus reports whether code is a known case status.
func ValidStatus(code string) bool { return known(statusOptions, code) }

// ValidResult reports whether code is a known investigation result.
func ValidResult(code string) bool { return known(resultOptions, code) }

// ValidImportantClass reports whether code is a known 要情 class.
func ValidImportantClass(code string) bool { return known(importantClassOptions, code) }

// label returns the label of code, or the code itself when it is unknown: a
// stray code then shows up visibly on an admin page instead of as a blank.
func label(opts []Option, code string) string {
	for _, o := range opts {
		if o.Code == code {
			return o.Label
		}
	}
	return code
}

func known(opts []Option, code string) bool {
	return slices.ContainsFunc(opts, func(o Option) bool { return o.Code == code })
}
