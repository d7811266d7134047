package handlers

import (
	"encoding/xml"
	"time"

	"github.com/gofiber/fiber/v2"

	"fundwatch/store"
)

// Atom feeds (RFC 4287) of the announcements and of the disclosures of
// figures, written with encoding/xml: the format is small and fixed, and a
// feed library would be one more dependency for forty lines.

// feed is one Atom feed of the site.
type feed struct {
	Path  string
	Title string
	Kinds []string
}

var (
	announcementsFeed = feed{"/feeds/announcements.atom", "重大违纪案件通报", []string{store.PubAnnouncement}}
	disclosuresFeed   = feed{"/feeds/disclosures.atom", "基金收支和个人账户保值增值情况",
		[]string{store.PubFundReport, store.PubAccountNote}}
)

// feedFor is the feed a list of kind belongs to, or nil.
func feedFor(kind string) *feed {
	switch kind {
	case store.PubAnnouncement:
		return &announcementsFeed
	case store.PubFundReport, store.PubAccountNote:
		return &disclosuresFeed
	}
	return nil
}

// feedEntries is how many of the newest items a feed carries.
const feedEntries = 50

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Summary   *atomText  `xml:"summary,omitempty"`
	Content   *atomText  `xml:"content,omitempty"`
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// serveFeed answers a feed: the newest items, a withdrawn one as an entry
// saying it was withdrawn, when and why (a reader who saw it learns so).
func (h *Handler) serveFeed(f feed) fiber.Handler {
	return func(c *fiber.Ctx) error {
		return h.cachedData(c, f.Path, func(c *fiber.Ctx) error {
			items, _, err := h.Store.ListPublished(c.UserContext(), store.PublishedFilter{
				Kinds: f.Kinds, WithTombstones: true, Limit: feedEntries,
			})
			if err != nil {
				return err
			}
			author := h.Config.Site.Sponsor
			if author == "" {
				author = "社保基金监督公开平台"
			}
			out := atomFeed{
				Lang: "zh-CN", ID: h.absolute(f.Path), Title: f.Title + " - 社保基金监督公开平台",
				Links: []atomLink{
					{Rel: "self", Type: "application/atom+xml", Href: h.absolute(f.Path)},
					{Rel: "alternate", Type: "text/html", Href: h.absolute("/disclosure")},
				},
				Author: atomPerson{author},
			}
			var updated time.Time
			for _, it := range items {
				p := it.Publication
				e := atomEntry{
					ID: h.absolute(itemPath(p)), Title: p.Title,
					Published: atomTime(p.FirstPublishedAt), Updated: atomTime(p.LastPublishedAt),
					Links: []atomLink{{Rel: "alternate", Type: "text/html", Href: h.absolute(itemPath(p))}},
				}
				last := p.LastPublishedAt
				switch {
				case p.Withdrawn():
					last = p.WithdrawnAt
					e.Title = "【已撤回】" + p.Title
					e.Updated = atomTime(p.WithdrawnAt)
					e.Content = &atomText{Type: "text", Text: "本信息已于" + p.WithdrawnAt.In(store.CST).Format("2006年01月02日") +
						"撤回。撤回原因：" + p.WithdrawnReason}
				case it.Live != nil:
					if it.Live.Summary != "" {
						e.Summary = &atomText{Type: "text", Text: it.Live.Summary}
					}
					text := it.Live.Body
					if it.Live.Number > 1 && it.Live.CorrectionNote != "" {
						text = "更正说明（" + it.Live.PublishedAt.In(store.CST).Format("2006年01月02日") + "）：" +
							it.Live.CorrectionNote + "\n\n" + text
					}
					if text != "" {
						e.Content = &atomText{Type: "text", Text: text}
					}
				}
				if last.After(updated) {
					updated = last
				}
				out.Entries = append(out.Entries, e)
			}
			if updated.IsZero() {
				updated = time.Unix(0, 0)
			}
			out.Updated = atomTime(updated)
			b, err := xml.MarshalIndent(out, "", " ")
			if err != nil {
				return err
			}
			c.Set(fiber.HeaderContentType, "application/atom+xml; charset=utf-8")
			c.Response().SetBody(append([]byte(xml.Header), b...))
			return nil
		})
	}
}
