package casework

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"fundwatch/store"
)

// Office is the 受理机构 of one region and channel: where a reporter's case
// is handled, with how to reach it. Administrators maintain them per region
// (see caseflow.PutRegionOffices); a region without its own office for a
// channel is served by the nearest region above it that has one.
type Office struct {
	RegionCode string `json:"-"` // the region whose setting holds it
	Channel    string `json:"channel"`
	Name       string `json:"name"`
	Address    string `json:"address,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Hours      string `json:"hours,omitempty"`
	// Example marks a shipped default whose contact details are invented:
	// shown only in demo mode, and there marked 示例. An office an
	// administrator entered is never an example.
	Example bool `json:"-"`
}

// Limits of an office's fields, in characters.
const (
	MaxOfficeName    = 60
	MaxOfficeAddress = 100
	MaxOfficePhone   = 40
	MaxOfficeHours   = 80
)

// HotlineSentence is what a page says where no office was entered for a
// case's region and channel: the national hotlines answer where to go.
const HotlineSentence = "具体受理机构的地址和电话，可拨打人社服务热线 12333（医疗保障事项拨打医保服务热线 12393）咨询。"

// OfficeProblem is one refused field of an office form: Field is
// "<channel>.<name|address|phone|hours>".
type OfficeProblem struct {
	Field, Message string
}

// CheckOffices checks the offices an administrator entered for one region:
// at most one per channel, each with a name, single-line fields within
// their limits. Address, phone and hours are optional (an office may give
// only a phone), but an office with any detail needs its name.
func CheckOffices(offices []Office) []OfficeProblem {
	var out []OfficeProblem
	seen := map[string]bool{}
	for _, o := range offices {
		if !ValidChannel(o.Channel) {
			out = append(out, OfficeProblem{o.Channel + ".name", "未知的办理渠道。"})
			continue
		}
		if seen[o.Channel] {
			out = append(out, OfficeProblem{o.Channel + ".name", "每个办理渠道只能填写一个受理机构。"})
			continue
		}
		seen[o.Channel] = true
		for _, f := range []struct {
			field, label, value string
			max                 int
		}{
			{"name", "机构名称", o.Name, MaxOfficeName},
			{"address", "地址", o.Address, MaxOfficeAddress},
			{"phone", "电话", o.Phone, MaxOfficePhone},
			{"hours", "办公时间", o.Hours, MaxOfficeHours},
		} {
			switch {
			case !SingleLineText(f.value):
				out = append(out, OfficeProblem{o.Channel + "." + f.field, f.label + "只能是一行文字，请删去换行和不可见字符。"})
			case utf8.RuneCountInString(f.value) > f.max:
				out = append(out, OfficeProblem{o.Channel + "." + f.field, fmt.Sprintf("%s最多 %d 个字。", f.label, f.max)})
			}
		}
		if strings.TrimSpace(o.Name) == "" {
			out = append(out, OfficeProblem{o.Channel + ".name", "请填写受理机构的名称；不设本级受理机构的，请把本渠道各栏都留空。"})
		}
	}
	return out
}

// OfficeDirectory finds the office that handles a case. It is read-only
// once made and safe for concurrent use.
type OfficeDirectory struct {
	regions *Regions
	entered map[string]Office // region|channel → office an administrator entered
	example map[string]Office // region|channel → shipped default
}

func officeKey(region, channel string) string { return region + "|" + channel }

// NewOfficeDirectory makes a directory of the offices administrators
// entered, over the shipped defaults (DefaultOffices), on the region tree.
func NewOfficeDirectory(regions *Regions, entered []Office) *OfficeDirectory {
	d := &OfficeDirectory{regions: regions, entered: map[string]Office{}, example: map[string]Office{}}
	for _, o := range DefaultOffices(regions) {
		d.example[officeKey(o.RegionCode, o.Channel)] = o
	}
	for _, o := range entered {
		o.Example = false
		d.entered[officeKey(o.RegionCode, o.Channel)] = o
	}
	return d
}

// For returns the office of a case in region on channel: the region's own,
// else that of the nearest region above it. Shipped examples count only
// with examples (demo mode), and only where no administrator entered an
// office on the way up. ok is false when there is none.
func (d *OfficeDirectory) For(region, channel string, examples bool) (Office, bool) {
	if d == nil {
		return Office{}, false
	}
	for c := region; c != ""; {
		if o, ok := d.entered[officeKey(c, channel)]; ok {
			return o, true
		}
		r, ok := d.regions.Lookup(c)
		if !ok {
			break
		}
		c = r.Parent
	}
	if examples {
		for c := region; c != ""; {
			if o, ok := d.example[officeKey(c, channel)]; ok {
				return o, true
			}
			r, _ := d.regions.Lookup(c)
			c = r.Parent
		}
	}
	return Office{}, false
}

// Entered returns the offices administrators entered for region, in the
// order of Channels.
func (d *OfficeDirectory) Entered(region string) []Office {
	var out []Office
	for _, ch := range channelOptions {
		if o, ok := d.entered[officeKey(region, ch.Code)]; ok {
			out = append(out, o)
		}
	}
	return out
}

// All returns every office a contact page lists: those entered, and with
// examples the shipped defaults of the channels and regions nobody entered,
// ordered as the region tree and then the channels.
func (d *OfficeDirectory) All(examples bool) []Office {
	var out []Office
	for _, code := range d.regions.Descendants(d.regions.Root().Code) {
		for _, ch := range channelOptions {
			k := officeKey(code, ch.Code)
			if o, ok := d.entered[k]; ok {
				out = append(out, o)
			} else if o, ok := d.example[k]; ok && examples {
				out = append(out, o)
			}
		}
	}
	return out
}

// DefaultOffices are the offices shipped with the binary, at the province:
// its social insurance fund supervision office for the fund channel, and
// generic entries for the medical security department and labour
// inspection. Their addresses and phone numbers are invented, so every one
// is an Example: shown in demo mode only, marked 示例; a real deployment
// shows only what its administrators entered.
func DefaultOffices(regions *Regions) []Office {
	root := regions.Root()
	return slices.Clone([]Office{
		{RegionCode: root.Code, Channel: store.ChannelFundSupervision, Name: root.Name + "人力资源和社会保障厅社会保险基金监督处",
			Address: "长春市示例大路 100 号", Phone: "0431-8000 0000", Hours: "工作日 8:30–11:30，13:30–17:00", Example: true},
		{RegionCode: root.Code, Channel: store.ChannelMedicalSecurity, Name: "所在地医疗保障部门（基金监管机构）",
			Address: "长春市示例大路 200 号", Phone: "0431-8000 0001", Hours: "工作日 8:30–11:30，13:30–17:00", Example: true},
		{RegionCode: root.Code, Channel: store.ChannelLabourInspection, Name: "所在地劳动保障监察机构",
			Address: "长春市示例大路 300 号", Phone: "0431-8000 0002", Hours: "工作日 8:30–11:30，13:30–17:00", Example: true},
	})
}
