package admin

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// officeForm is the part of the offices form for one channel.
type officeForm struct {
	Channel, Label              string
	Name, Address, Phone, Hours string
	Errors                      map[string]string // by field: name, address, phone, hours
	Example                     *casework.Office  // the shipped default, shown in demo mode
	Inherited                   *casework.Office  // the office above that serves the region when none is entered
	InheritedFrom               string
}

// officesState is what the offices page shows besides the stored offices:
// the form that was refused, with what was typed.
type officesState struct {
	Status  int
	Flash   string
	Problem string
	Forms   []officeForm // nil: the stored offices
	Version int64
}

// officesPage lists the regions of the administrator's scope and the
// offices (受理机构) of one of them, as a form: a city's administrator
// maintains the city and its counties, the province's every region.
func (a *Admin) officesPage(c *fiber.Ctx) error {
	st := officesState{Status: fiber.StatusOK}
	if c.Query("done") != "" {
		st.Flash = "已保存受理机构。回执、进度查询和“联系我们”页面即按此显示。"
	}
	return a.renderOffices(c, a.officesRegion(c, c.Query("region")), st)
}

// officesRegion is the region the page is about: the one asked for if it
// is in the administrator's scope, else their own.
func (a *Admin) officesRegion(c *fiber.Ctx, asked string) string {
	actor := a.actor(c)
	for _, code := range actor.Scope {
		if code == asked {
			return asked
		}
	}
	return actor.RegionCode
}

func (a *Admin) renderOffices(c *fiber.Ctx, region string, st officesState) error {
	ctx := c.UserContext()
	ro, err := caseflow.ReadRegionOffices(ctx, a.Store, a.Regions, region)
	if err != nil {
		return err
	}
	dir, err := caseflow.ReadOffices(ctx, a.Store, a.Regions)
	if err != nil {
		return err
	}
	forms := st.Forms
	version := ro.Version
	if forms == nil {
		forms = officeForms(nil)
		for i := range forms {
			for _, o := range ro.Offices {
				if o.Channel == forms[i].Channel {
					forms[i].Name, forms[i].Address, forms[i].Phone, forms[i].Hours = o.Name, o.Address, o.Phone, o.Hours
				}
			}
		}
	} else {
		version = st.Version
	}
	for i := range forms {
		if r, ok := a.Regions.Lookup(region); ok && r.Parent != "" {
			if o, ok := dir.For(r.Parent, forms[i].Channel, a.Config.Demo); ok {
				forms[i].Inherited = &o
				forms[i].InheritedFrom = a.Regions.FullName(o.RegionCode)
			}
		}
		if a.Config.Demo {
			for _, d := range casework.DefaultOffices(a.Regions) {
				if d.Channel == forms[i].Channel && d.RegionCode == region {
					d := d
					forms[i].Example = &d
				}
			}
		}
	}
	actor := a.actor(c)
	summary := map[string]int{}
	for _, o := range dir.All(false) {
		summary[o.RegionCode]++
	}
	r, _ := a.Regions.Lookup(region)
	return a.render(c, st.Status, "offices", fiber.Map{
		"Title":          "受理机构",
		"Nav":            "offices",
		"Region":         r,
		"Full":           a.Regions.FullName(region),
		"Regions":        a.scopeRegions(actor.Scope),
		"Counts":         summary,
		"Forms":          forms,
		"OfficesVersion": version,
		"Updated":        ro.Setting,
		"State":          st,
		"CanEdit":        a.Cases.MayChangeOffices(actor, region),
		"Hotline":        casework.HotlineSentence,
	})
}

// officeForms are the empty forms of the three channels, with what was
// posted when values is not nil.
func officeForms(values func(string) string) []officeForm {
	var out []officeForm
	for _, ch := range casework.Channels() {
		f := officeForm{Channel: ch.Code, Label: ch.Label}
		if values != nil {
			f.Name = clip(strings.TrimSpace(values(ch.Code+".name")), casework.MaxOfficeName+20)
			f.Address = clip(strings.TrimSpace(values(ch.Code+".address")), casework.MaxOfficeAddress+20)
			f.Phone = clip(strings.TrimSpace(values(ch.Code+".phone")), casework.MaxOfficePhone+20)
			f.Hours = clip(strings.TrimSpace(values(ch.Code+".hours")), casework.MaxOfficeHours+20)
		}
		out = append(out, f)
	}
	return out
}

// officesSave stores the offices of one region as posted.
func (a *Admin) officesSave(c *fiber.Ctx) error {
	region := strings.TrimSpace(form(c, "region"))
	forms := officeForms(func(k string) string { return form(c, k) })
	var offices []casework.Office
	for _, f := range forms {
		offices = append(offices, casework.Office{Channel: f.Channel, Name: f.Name, Address: f.Address, Phone: f.Phone, Hours: f.Hours})
	}
	st := officesState{Status: fiber.StatusUnprocessableEntity, Forms: forms, Version: settingVersion(c)}
	// The field problems first, to show each at its field; the service
	// checks the same again.
	var entered []casework.Office
	for _, o := range offices {
		if o.Name != "" || o.Address != "" || o.Phone != "" || o.Hours != "" {
			entered = append(entered, o)
		}
	}
	if problems := casework.CheckOffices(entered); len(problems) > 0 {
		for _, p := range problems {
			ch, field, _ := strings.Cut(p.Field, ".")
			for i := range st.Forms {
				if st.Forms[i].Channel == ch {
					if st.Forms[i].Errors == nil {
						st.Forms[i].Errors = map[string]string{}
					}
					st.Forms[i].Errors[field] = p.Message
				}
			}
		}
		st.Problem = "受理机构的内容有需要修改的地方，请按提示修改后再保存。"
		return a.renderOffices(c, a.officesRegion(c, region), st)
	}
	version, err := strictSettingVersion(c)
	if err == nil {
		err = a.Cases.PutRegionOffices(c.UserContext(), a.actor(c), region, offices, version)
	}
	switch store.ErrorCode(err) {
	case "":
		return c.Redirect(web.AdminPrefix+"/offices?done=1&region="+region, fiber.StatusSeeOther)
	case store.EINVALID:
		st.Problem = store.ErrorMessage(err)
	case store.ECONFLICT:
		st.Status, st.Problem = fiber.StatusConflict, store.ErrorMessage(err)
	case store.EFORBIDDEN, store.ENOTFOUND:
		return err
	default:
		return err
	}
	return a.renderOffices(c, a.officesRegion(c, region), st)
}

// officeFieldView is one input of the offices form.
type officeFieldView struct {
	ID, Channel, Label, Value, Error string
}

// officeField is the view of one field of an office form, for the
// officefield template.
func officeField(f officeForm, field, label, value string) officeFieldView {
	return officeFieldView{ID: f.Channel + "." + field, Channel: f.Channel, Label: label, Value: value, Error: f.Errors[field]}
}
