package casework

import (
	"strings"

	"fundwatch/store"
)

// RouteChannel decides which administration a new case belongs to (national
// practice since 2023): a complaint about one's own rights is a labour
// inspection matter; a report only about medical and/or maternity insurance
// belongs to the medical security administration; every other report, mixed
// ones included, stays with social insurance fund supervision, which can
// transfer parts of it later. Unknown insurance codes count as "other".
func RouteChannel(kind string, insuranceTypes []string) string {
	if kind == store.KindComplaint {
		return store.ChannelLabourInspection
	}
	if len(insuranceTypes) > 0 && allMedical(insuranceTypes) {
		return store.ChannelMedicalSecurity
	}
	return store.ChannelFundSupervision
}

// ChannelNotice is the sentence on the receipt that tells the reporter where
// the matter goes, so that nobody learns only later that it was passed on.
// "" for an unknown channel.
func ChannelNotice(channel string) string {
	switch channel {
	case store.ChannelFundSupervision:
		return "本件涉及社会保险基金，由社会保险基金监督机构受理。平台已登记，您可凭查询码继续查看办理进展。"
	case store.ChannelMedicalSecurity:
		return "本件涉及基本医疗保险或生育保险基金，按规定由医疗保障部门处理。平台已登记，并将转交有关医疗保障部门，您可凭查询码继续查看办理进展。"
	case store.ChannelLabourInspection:
		return "本件反映的是您本人的社会保险权益问题，按规定由劳动保障监察机构处理。平台已登记，并将转交有关劳动保障监察机构，您可凭查询码继续查看办理进展。"
	}
	return ""
}

// MixedMedicalNotice is the extra receipt sentence for a report about medical
// or maternity insurance together with other insurance types: it stays with
// fund supervision (RouteChannel), and the reporter should know that the
// medical part may be passed on.
const MixedMedicalNotice = "本件同时涉及基本医疗保险或生育保险，其中属于医疗保障部门职责的部分，将由承办机构按规定转交医疗保障部门处理。"

// RoutingNotice returns every sentence the receipt shows about where a new case
// goes: the channel notice, then MixedMedicalNotice when a report mixes medical
// or maternity insurance with other types.
func RoutingNotice(kind string, insuranceTypes []string) []string {
	channel := RouteChannel(kind, insuranceTypes)
	notes := []string{ChannelNotice(channel)}
	if channel == store.ChannelFundSupervision && anyMedical(insuranceTypes) {
		notes = append(notes, MixedMedicalNotice)
	}
	return notes
}

// CaseRoutingNotice is what the receipt and the case page say about where a
// stored case goes: the routing notices while the case is on the channel it
// was routed to, or the notice of the channel it was moved to since.
func CaseRoutingNotice(c *store.Case) string {
	if c.Channel != RouteChannel(c.Kind, c.InsuranceTypes) {
		return ChannelNotice(c.Channel)
	}
	return strings.Join(RoutingNotice(c.Kind, c.InsuranceTypes), "")
}

func isMedical(code string) bool {
	return code == InsuranceMedical || code == InsuranceMaternity
}

func allMedical(types []string) bool {
	for _, t := range types {
		if !isMedical(t) {
			return false
		}
	}
	return true
}

func anyMedical(types []string) bool {
	for _, t := range types {
		if isMedical(t) {
			return true
		}
	}
	return false
}
