package search

import (
	"strconv"
	"strings"

	"fundwatch/casework"
	"fundwatch/store"
)

// CaseDocument is what the cases index holds of c: what a handler needs to
// find a case — its number, kind, category, region, the reported party,
// the description, status and 要情 class — and never anything of the
// reporter's identity (that stays sealed in the store; only staff who
// reveal it see it, one audited showing at a time).
func CaseDocument(c *store.Case, regions *casework.Regions) Document {
	title := c.Number
	if c.Subject.Name != "" {
		title += " " + c.Subject.Name
	}
	extra := []string{
		casework.KindLabel(c.Kind),
		casework.CategoryLabel(c.Category),
		casework.StatusLabel(c.Status),
		regions.FullName(c.RegionCode),
		c.Subject.CreditCode,
		c.Subject.LegalRepresentative,
		c.Subject.Address,
		c.Complaint.Request,
	}
	if c.ImportantClass != "" && c.ImportantClass != store.ClassNone {
		extra = append(extra, casework.ImportantClassLabel(c.ImportantClass))
	}
	if c.Result != "" {
		extra = append(extra, casework.ResultLabel(c.Result))
	}
	for _, t := range c.InsuranceTypes {
		extra = append(extra, casework.InsuranceTypeLabel(t))
	}
	return Document{
		ID:         c.ID,
		Type:       TypeCase,
		Title:      title,
		Body:       c.Description,
		Extra:      joinText(extra),
		RegionCode: c.RegionCode,
		Year:       c.Year,
		Date:       c.CreatedAt,
		Status:     c.Status,
		Class:      orNone(c.ImportantClass),
		Category:   c.Category,
		Kind:       c.Kind,
		Version:    c.Version,
	}
}

// PublicationDocument is what the public index holds of a published item:
// its live revision's title, summary and text, the region and the year.
// It must not be called with a tombstone (p.Live nil): withdrawn items
// leave the index.
func PublicationDocument(p store.Published, regions *casework.Regions) Document {
	pub, live := p.Publication, p.Live
	year := pub.Year
	if year == 0 {
		year = pub.FirstPublishedAt.In(store.CST).Year()
	}
	extra := []string{live.Summary, regions.FullName(pub.RegionCode), live.HandlingResult}
	if pub.Year != 0 {
		extra = append(extra, strconv.Itoa(pub.Year)+"年度")
	}
	for _, t := range live.InsuranceTypes {
		extra = append(extra, casework.InsuranceTypeLabel(t))
	}
	for _, r := range live.FundRows {
		extra = append(extra, casework.InsuranceTypeLabel(r.InsuranceType))
	}
	if live.CorrectionNote != "" {
		extra = append(extra, "更正", live.CorrectionNote)
	}
	return Document{
		ID:         pub.ID,
		Type:       pub.Kind,
		Title:      live.Title,
		Body:       live.Body,
		Extra:      joinText(extra),
		RegionCode: pub.RegionCode,
		Year:       year,
		Date:       pub.FirstPublishedAt,
		Version:    pub.Version,
	}
}

// joinText joins the non-empty parts with a separator that keeps words
// apart, each part once.
func joinText(parts []string) string {
	seen := map[string]bool{}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return strings.Join(out, "；")
}

func orNone(class string) string {
	if class == "" {
		return store.ClassNone
	}
	return class
}
