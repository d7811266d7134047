package casework

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
)

// Region levels used in the region tree.
const (
	LevelProvince = "province"
	LevelCity     = "city" // a city or autonomous prefecture (市、州), and 长白山管委会
	LevelCounty   = "county"
)

// Region is one node of the administrative region tree. Code is the GB/T 2260
// code where one exists, or an internal code (长白山管委会 has none).
type Region struct {
	Code   string
	Name   string
	Parent string // "" for the root
	Level  string // LevelProvince, LevelCity or LevelCounty
	Note   string // why a code is unusual, for administrators; never shown publicly
}

// Regions is a loaded region tree. It is read-only after loading and safe for
// concurrent use. Handlers use it for the region select on forms, and admin
// pages use Descendants to turn a user's region into the scope filter passed to
// the store and the search index.
type Regions struct {
	list     []Region       // in file order
	index    map[string]int // code → position in list
	children map[string][]int
}

//go:embed data/jilin-regions.csv
var jilinRegionsCSV []byte

var defaultRegions = sync.OnceValue(func() *Regions {
	r, err := LoadRegions(bytes.NewReader(jilinRegionsCSV))
	if err != nil {
		panic("casework: embedded data/jilin-regions.csv: " + err.Error())
	}
	return r
})

// DefaultRegions returns the Jilin region tree embedded in the binary, parsed
// on first use. The binary must not depend on files outside itself.
func DefaultRegions() *Regions { return defaultRegions() }

// LoadRegions reads a region tree from CSV with the header
// code,name,parent,level[,note] (columns found by name, extra columns ignored).
// It refuses duplicate codes, unknown parents, unknown levels, cycles, and
// anything other than exactly one root, so a broken tree fails at start.
func LoadRegions(r io.Reader) (*Regions, error) {
	rows, cols, err := readCSV(r, "code", "name", "parent", "level")
	if err != nil {
		return nil, fmt.Errorf("regions: %w", err)
	}
	note, hasNote := cols["note"]
	rs := &Regions{index: map[string]int{}, children: map[string][]int{}}
	roots := 0
	for i, row := range rows {
		reg := Region{
			Code:   strings.TrimSpace(row[cols["code"]]),
			Name:   strings.TrimSpace(row[cols["name"]]),
			Parent: strings.TrimSpace(row[cols["parent"]]),
			Level:  strings.TrimSpace(row[cols["level"]]),
		}
		if hasNote {
			reg.Note = strings.TrimSpace(row[note])
		}
		line := i + 2
		switch {
		case reg.Code == "" || reg.Name == "":
			return nil, fmt.Errorf("regions: line %d: code and name are required", line)
		case reg.Level != LevelProvince && reg.Level != LevelCity && reg.Level != LevelCounty:
			return nil, fmt.Errorf("regions: line %d: unknown level %q", line, reg.Level)
		}
		if _, dup := rs.index[reg.Code]; dup {
			return nil, fmt.Errorf("regions: line %d: duplicate code %s", line, reg.Code)
		}
		if reg.Parent == "" {
			roots++
		}
		rs.index[reg.Code] = len(rs.list)
		rs.list = append(rs.list, reg)
	}
	if roots != 1 {
		return nil, fmt.Errorf("regions: want exactly one root region, have %d", roots)
	}
	for i, reg := range rs.list {
		if reg.Parent == "" {
			continue
		}
		if _, ok := rs.index[reg.Parent]; !ok {
			return nil, fmt.Errorf("regions: %s: unknown parent %s", reg.Code, reg.Parent)
		}
		rs.children[reg.Parent] = append(rs.children[reg.Parent], i)
	}
	for _, reg := range rs.list {
		// A chain longer than the number of regions must loop.
		steps := 0
		for p := reg.Parent; p != ""; p = rs.list[rs.index[p]].Parent {
			if steps++; steps > len(rs.list) {
				return nil, fmt.Errorf("regions: %s: parent chain loops", reg.Code)
			}
		}
	}
	return rs, nil
}

// readCSV reads a CSV file with a header row and returns the data rows and the
// position of each named column; the required columns must be present.
func readCSV(r io.Reader, required ...string) ([][]string, map[string]int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("empty file")
	} else if err != nil {
		return nil, nil, err
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		cols[strings.ToLower(h)] = i
	}
	for _, name := range required {
		if _, ok := cols[name]; !ok {
			return nil, nil, fmt.Errorf("missing column %q", name)
		}
	}
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, nil, err
	}
	return rows, cols, nil
}

// Lookup returns the region with the given code.
func (rs *Regions) Lookup(code string) (Region, bool) {
	i, ok := rs.index[code]
	if !ok {
		return Region{}, false
	}
	return rs.list[i], true
}

// Cities returns the city-level regions (cities, 州 and 长白山管委会) in file
// order, the order people in Jilin expect to see them in a select.
func (rs *Regions) Cities() []Region {
	var out []Region
	for _, reg := range rs.list {
		if reg.Level == LevelCity {
			out = append(out, reg)
		}
	}
	return out
}

// OwnLevelLabel names a city-level region itself as opposed to its
// counties, for the option of a region select that means "the city's own
// offices, or I do not know which county": "长春市（市本级或不确定具体区县）",
// but 延边朝鲜族自治州 is a 州 (州本级, its counties are 县市) and
// 长白山管委会 is no 市 at all (管委会本级).
func (reg Region) OwnLevelLabel() string {
	switch {
	case strings.HasSuffix(reg.Name, "州"):
		return reg.Name + "（州本级或不确定具体县市）"
	case strings.HasSuffix(reg.Name, "管委会"):
		return reg.Name + "（管委会本级或不确定具体区域）"
	case reg.Level == LevelCity:
		return reg.Name + "（市本级或不确定具体区县）"
	}
	return reg.Name
}

// Counties returns the county-level regions directly under a city, in file
// order; nil for an unknown code.
func (rs *Regions) Counties(cityCode string) []Region {
	var out []Region
	for _, i := range rs.children[cityCode] {
		if rs.list[i].Level == LevelCounty {
			out = append(out, rs.list[i])
		}
	}
	return out
}

// FullName returns the names from the root down to the region, separated by
// spaces ("吉林省 长春市 南关区"), for receipts and case headers where a county
// name alone is ambiguous (two provinces have a 朝阳区). "" for an unknown code.
func (rs *Regions) FullName(code string) string {
	var names []string
	for c := code; c != ""; {
		i, ok := rs.index[c]
		if !ok {
			return ""
		}
		names = append(names, rs.list[i].Name)
		c = rs.list[i].Parent
	}
	slices.Reverse(names)
	return strings.Join(names, " ")
}

// TitleName is a region's name as an official title writes it: the
// province by its name ("吉林省"), anything below without the province and
// without spaces ("长春市", "长春市南关区"). "" for an unknown code.
func (rs *Regions) TitleName(code string) string {
	full := rs.FullName(code)
	if code == rs.Root().Code {
		return full
	}
	return strings.ReplaceAll(strings.TrimPrefix(full, rs.Root().Name+" "), " ", "")
}

// IsWithin reports whether the region code is ancestor itself or lies below it.
// It is false when either code is unknown, so an unknown region never passes a
// scope check.
func (rs *Regions) IsWithin(code, ancestor string) bool {
	if _, ok := rs.index[ancestor]; !ok {
		return false
	}
	for c := code; c != ""; {
		i, ok := rs.index[c]
		if !ok {
			return false
		}
		if c == ancestor {
			return true
		}
		c = rs.list[i].Parent
	}
	return false
}

// Descendants returns the code itself followed by every region below it
// (breadth first, siblings in file order): the region scope a user
// of that region may see, passed down to the store and the search index as a
// filter. nil for an unknown code, so a bad scope matches nothing.
func (rs *Regions) Descendants(code string) []string {
	if _, ok := rs.index[code]; !ok {
		return nil
	}
	out := []string{code}
	for i := 0; i < len(out); i++ {
		for _, child := range rs.children[out[i]] {
			out = append(out, rs.list[child].Code)
		}
	}
	return out
}

// Root returns the root of the tree (the province).
func (rs *Regions) Root() Region {
	for _, reg := range rs.list {
		if reg.Parent == "" {
			return reg
		}
	}
	return Region{}
}

// ValidUserRegion reports whether code may be a staff user's region: any
// region of the tree — the province (a provincial office sees everything), a
// city or 州 (and 长白山管委会), or a county. The user's scope is then
// Descendants(code). An unknown code is refused, since it would scope the
// user to nothing.
func (rs *Regions) ValidUserRegion(code string) bool {
	_, ok := rs.index[code]
	return ok
}

// CityOf returns the city-level region (city, 州 or 长白山管委会) that code
// is or lies in, the unit that submits quarterly 要情 statistics. ok is
// false for the province itself and for unknown codes.
func (rs *Regions) CityOf(code string) (Region, bool) {
	for c := code; c != ""; {
		i, ok := rs.index[c]
		if !ok {
			return Region{}, false
		}
		if rs.list[i].Level == LevelCity {
			return rs.list[i], true
		}
		c = rs.list[i].Parent
	}
	return Region{}, false
}
