package casework

import (
	"slices"
	"strings"
	"testing"
)

func TestDefaultRegionsMatchesTheJilinTree(t *testing.T) {
	rs := DefaultRegions()
	if DefaultRegions() != rs {
		t.Error("DefaultRegions parses the embedded file more than once")
	}
	root, ok := rs.Lookup("220000")
	if !ok || root.Name != "吉林省" || root.Level != LevelProvince || root.Parent != "" {
		t.Fatalf("Lookup(220000) = %+v, %v", root, ok)
	}

	cities := rs.Cities()
	var codes []string
	for _, c := range cities {
		codes = append(codes, c.Code)
		if c.Parent != "220000" {
			t.Errorf("city %s %s has parent %s, want 220000", c.Code, c.Name, c.Parent)
		}
	}
	wantCities := []string{"220100", "220200", "220300", "220400", "220500", "220600", "220700", "220800", "222400", "229900"}
	if !slices.Equal(codes, wantCities) {
		t.Errorf("Cities() codes = %v, want %v (9 cities and 长白山管委会, in file order)", codes, wantCities)
	}

	counties := 0
	for _, c := range cities {
		counties += len(rs.Counties(c.Code))
	}
	if counties != 69 {
		t.Errorf("counties under the cities = %d, want 69", counties)
	}
	if n := len(rs.Descendants("220000")); n != 1+10+69 {
		t.Errorf("Descendants(220000) has %d codes, want 80", n)
	}
}

func TestRegionsChangbaishanHasAnInternalCode(t *testing.T) {
	r, ok := DefaultRegions().Lookup("229900")
	if !ok || r.Name != "长白山管委会" || r.Level != LevelCity || r.Note == "" {
		t.Fatalf("Lookup(229900) = %+v, %v; want 长白山管委会 with a note", r, ok)
	}
	if dz, _ := DefaultRegions().Lookup("220171"); !strings.HasSuffix(dz.Note, "not an administrative county") {
		t.Errorf("note of 220171 = %q: a comma in a note must be quoted in the CSV", dz.Note)
	}
	if got := DefaultRegions().Counties("229900"); len(got) != 0 {
		t.Errorf("Counties(229900) = %v, want none", got)
	}
}

func TestRegionsCounties(t *testing.T) {
	rs := DefaultRegions()
	var names []string
	for _, c := range rs.Counties("220400") {
		names = append(names, c.Name)
	}
	if want := []string{"龙山区", "西安区", "东丰县", "东辽县"}; !slices.Equal(names, want) {
		t.Errorf("Counties(辽源市) = %v, want %v", names, want)
	}
	if got := rs.Counties("220102"); got != nil {
		t.Errorf("Counties of a county = %v, want nil", got)
	}
	if got := rs.Counties("999999"); got != nil {
		t.Errorf("Counties of an unknown code = %v, want nil", got)
	}
	if got := len(rs.Counties("220100")); got != 15 {
		t.Errorf("len(Counties(长春市)) = %d, want 15 (with 4 development zones)", got)
	}
}

func TestRegionsFullName(t *testing.T) {
	rs := DefaultRegions()
	tests := []struct{ code, want string }{
		{"220102", "吉林省 长春市 南关区"},
		{"222401", "吉林省 延边朝鲜族自治州 延吉市"},
		{"220100", "吉林省 长春市"},
		{"220000", "吉林省"},
		{"999999", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := rs.FullName(tt.code); got != tt.want {
			t.Errorf("FullName(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestRegionsIsWithin(t *testing.T) {
	rs := DefaultRegions()
	tests := []struct {
		name, code, ancestor string
		want                 bool
	}{
		{"a county is within its city", "220102", "220100", true},
		{"a county is within the province", "220102", "220000", true},
		{"a region is within itself", "220100", "220100", true},
		{"a county is not within another city", "220102", "220200", false},
		{"a city is not within its county", "220100", "220102", false},
		{"an unknown code is within nothing", "229999", "220000", false},
		{"nothing is within an unknown ancestor", "220102", "229999", false},
		{"empty code", "", "220000", false},
		{"empty ancestor", "220102", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rs.IsWithin(tt.code, tt.ancestor); got != tt.want {
				t.Errorf("IsWithin(%q, %q) = %v, want %v", tt.code, tt.ancestor, got, tt.want)
			}
		})
	}
}

func TestRegionsDescendants(t *testing.T) {
	rs := DefaultRegions()
	got := rs.Descendants("220400")
	if want := []string{"220400", "220402", "220403", "220421", "220422"}; !slices.Equal(got, want) {
		t.Errorf("Descendants(220400) = %v, want %v", got, want)
	}
	if got := rs.Descendants("220102"); !slices.Equal(got, []string{"220102"}) {
		t.Errorf("Descendants of a county = %v, want only itself", got)
	}
	if got := rs.Descendants("999999"); got != nil {
		t.Errorf("Descendants of an unknown code = %v, want nil", got)
	}
	all := rs.Descendants("220000")
	for _, code := range all {
		if !rs.IsWithin(code, "220000") {
			t.Errorf("%s is a descendant but not within 220000", code)
		}
	}
}

func TestRegionsResultsAreCopies(t *testing.T) {
	rs := DefaultRegions()
	c := rs.Cities()
	c[0].Name = "changed"
	if rs.Cities()[0].Name != "长春市" {
		t.Error("changing the result of Cities changed the tree")
	}
	d := rs.Descendants("220400")
	d[1] = "changed"
	if rs.Descendants("220400")[1] != "220402" {
		t.Error("changing the result of Descendants changed the tree")
	}
}

func TestLoadRegionsRefusesBrokenTrees(t *testing.T) {
	const header = "code,name,parent,level,note\n"
	tests := []struct {
		name, csv, wantErr string
	}{
		{"empty file", "", "empty"},
		{"broken quoting in the header", "\"code,name\n", "extraneous or missing"},
		{"missing column", "code,name,parent\n220000,吉林省,\n", `missing column "level"`},
		{"duplicate code", header + "220000,吉林省,,province,\n220000,吉林省,,province,\n", "duplicate"},
		{"unknown parent", header + "220000,吉林省,,province,\n220100,长春市,990000,city,\n", "unknown parent"},
		{"unknown level", header + "220000,吉林省,,state,\n", "unknown level"},
		{"no root", header + "220100,长春市,220200,city,\n220200,吉林市,220100,city,\n", "exactly one root"},
		{"two roots", header + "220000,吉林省,,province,\n210000,辽宁省,,province,\n", "exactly one root"},
		{"a loop beside the root", header + "220000,吉林省,,province,\n220100,长春市,220200,city,\n220200,吉林市,220100,city,\n", "loops"},
		{"a region its own parent", header + "220000,吉林省,,province,\n220100,长春市,220100,city,\n", "loops"},
		{"missing name", header + "220000,,,province,\n", "required"},
		{"ragged row", header + "220000,吉林省,,province\n", "wrong number of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadRegions(strings.NewReader(tt.csv))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("LoadRegions error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLoadRegionsReadsColumnsByNameWithoutNote(t *testing.T) {
	rs, err := LoadRegions(strings.NewReader("\ufefflevel,code,parent,name\nprovince,220000,,吉林省\ncity,220100,220000,长春市\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rs.Lookup("999999"); ok {
		t.Error("Lookup of an unknown code succeeded")
	}
	if got := rs.FullName("220100"); got != "吉林省 长春市" {
		t.Errorf("FullName = %q", got)
	}
}

func TestRegionsValidUserRegion(t *testing.T) {
	rs := DefaultRegions()
	for _, tt := range []struct {
		code string
		want bool
	}{
		{"220000", true}, {"220100", true}, {"220102", true}, {"229900", true}, {"222401", true},
		{"", false}, {"110000", false}, {"2201", false},
	} {
		if got := rs.ValidUserRegion(tt.code); got != tt.want {
			t.Errorf("ValidUserRegion(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestRegionsCityOf(t *testing.T) {
	rs := DefaultRegions()
	for _, tt := range []struct {
		code, want string
		ok         bool
	}{
		{"220102", "220100", true},
		{"220100", "220100", true},
		{"222401", "222400", true},
		{"229900", "229900", true},
		{"220000", "", false},
		{"999999", "", false},
	} {
		got, ok := rs.CityOf(tt.code)
		if got.Code != tt.want || ok != tt.ok {
			t.Errorf("CityOf(%q) = %q, %v; want %q, %v", tt.code, got.Code, ok, tt.want, tt.ok)
		}
	}
}

func TestTitleName(t *testing.T) {
	rs := DefaultRegions()
	for code, want := range map[string]string{"220000": "吉林省", "220100": "长春市", "220102": "长春市南关区", "999999": ""} {
		if got := rs.TitleName(code); got != want {
			t.Errorf("TitleName(%s) = %q, want %q", code, got, want)
		}
	}
}
