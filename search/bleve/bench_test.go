package bleve

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"fundwatch/casework"
	"fundwatch/search"
	"fundwatch/store"
)

// The 100k benchmarks index generated case documents into the cases index:
//
//	go test -run '^$' -bench 100k -benchtime 1x ./search/bleve/
//
// BenchmarkIndex100k reports docs/s and the size on disk; BenchmarkSearch100k
// the latency percentiles of a mix of queries and the heap in use. The index
// is built once per process and shared (BenchmarkIndex100k hands its last
// one over), in a temporary directory TestMain removes.

const (
	benchDocs  = 100_000
	benchBatch = 1_000
)

func TestMain(m *testing.M) {
	code := m.Run()
	shared.cleanup()
	os.Exit(code)
}

// shared is the 100k index the search benchmarks read.
var shared benchIndex

type benchIndex struct {
	mu  sync.Mutex
	dir string
	idx *Index
}

// set replaces the shared index, removing the one before.
func (s *benchIndex) set(dir string, idx *Index) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx != nil {
		_ = s.idx.Close()
	}
	if s.dir != "" && s.dir != dir {
		_ = os.RemoveAll(s.dir)
	}
	s.dir, s.idx = dir, idx
}

func (s *benchIndex) cleanup() {
	if os.Getenv("FUNDWATCH_BENCH_INDEX") != "" {
		s.mu.Lock()
		if s.idx != nil {
			_ = s.idx.Close()
		}
		s.idx = nil
		s.mu.Unlock()
		return
	}
	s.set("", nil)
}

// sharedIndex returns the 100k index, building it on first use. With
// FUNDWATCH_BENCH_INDEX set to a directory, the index is kept there and
// reused by later runs (remove the directory after changing the mapping or
// the generator).
func sharedIndex(b *testing.B) *Index {
	b.Helper()
	shared.mu.Lock()
	idx := shared.idx
	shared.mu.Unlock()
	if keep := os.Getenv("FUNDWATCH_BENCH_INDEX"); idx == nil && keep != "" {
		kept, err := Open(keep, search.IndexCases)
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := kept.Count(context.Background()); n != benchDocs {
			kept.Close()
			_ = os.RemoveAll(keep)
			_, kept = build100kIn(b, keep)
		}
		shared.mu.Lock()
		shared.idx = kept // not set(): the kept directory stays
		shared.mu.Unlock()
		idx = kept
	}
	if idx == nil {
		dir, built := build100k(b)
		shared.set(dir, built)
		idx = built
	}
	return idx
}

// build100k indexes benchDocs generated cases in batches into a new
// directory and returns it with the index open.
func build100k(b *testing.B) (string, *Index) {
	b.Helper()
	dir, err := os.MkdirTemp("", "fundwatch-bleve-bench-")
	if err != nil {
		b.Fatal(err)
	}
	return build100kIn(b, dir)
}

func build100kIn(b *testing.B, dir string) (string, *Index) {
	b.Helper()
	idx, err := Open(dir, search.IndexCases)
	if err != nil {
		b.Fatal(err)
	}
	gen := newCaseGen(1)
	ctx := context.Background()
	batch := make([]search.Document, 0, benchBatch)
	for i := range benchDocs {
		batch = append(batch, gen.next(i))
		if len(batch) == benchBatch || i == benchDocs-1 {
			if err := idx.Put(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return dir, idx
}

func BenchmarkIndex100k(b *testing.B) {
	for range b.N {
		b.StopTimer()
		shared.cleanup()
		runtime.GC()
		b.StartTimer()

		start := time.Now()
		dir, idx := build100k(b)
		elapsed := time.Since(start)

		b.StopTimer()
		b.ReportMetric(float64(benchDocs)/elapsed.Seconds(), "docs/s")
		b.ReportMetric(heapMB(), "MB-heap")
		// Close so the merged segments are on disk, then measure and keep
		// the index for the search benchmarks.
		if err := idx.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(dirMB(b, dir), "MB-disk")
		idx, err := Open(dir, search.IndexCases)
		if err != nil {
			b.Fatal(err)
		}
		shared.set(dir, idx)
		b.StartTimer()
	}
}

func BenchmarkSearch100k(b *testing.B) {
	idx := sharedIndex(b)
	regions := casework.DefaultRegions()
	province := regions.Descendants(regions.Root().Code)
	changchun := regions.Descendants("220100")
	jilin := regions.Descendants("220200")

	texts := func(scope []string, qs ...string) []search.Query {
		out := make([]search.Query, len(qs))
		for i, q := range qs {
			out[i] = search.Query{Text: q, RegionCodes: scope}
		}
		return out
	}
	oneChar := texts(province, "医", "保", "金", "骗", "欠", "药", "款", "工", "险", "费")
	twoChar := texts(province, "医保", "骗取", "欠缴", "住院", "工伤", "挪用", "药店", "养老", "社保", "冒领")
	phrase4 := texts(province, "虚构住院", "挂床住院", "冒领养老", "串换药品", "工伤保险", "医保基金", "刷卡套现", "劳务派遣", "建筑有限", "长春市某")
	multi := texts(province, "长春 医保", "药店 刷卡", "建筑 欠缴", "医院 虚构住院", "养老金 冒领", "2025 工伤", "公司 未缴纳 职工", "12.6万")
	city := append(texts(changchun, "医保", "欠缴", "药店 刷卡", "保", "工伤保险"), texts(jilin, "骗取", "养老", "医院 住院", "金", "挪用")...)
	status := texts(province, "医保", "欠缴", "工伤", "保", "药店 刷卡")
	for i := range status {
		status[i].Statuses = []string{store.StatusInvestigating, store.StatusReceived}
	}
	var mix []search.Query
	for _, qs := range [][]search.Query{oneChar, twoChar, phrase4, multi, city, status} {
		mix = append(mix, qs...)
	}

	for _, bc := range []struct {
		name    string
		queries []search.Query
	}{
		{"one-char", oneChar},
		{"two-char", twoChar},
		{"phrase-4", phrase4},
		{"multi-word", multi},
		{"city-scope", city},
		{"status-filter", status},
		{"mix", mix},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const rounds = 10 // per op, so even -benchtime 1x gives a distribution
			ctx := context.Background()
			var lat []time.Duration
			total := 0
			b.ResetTimer()
			for range b.N {
				for range rounds {
					for _, q := range bc.queries {
						start := time.Now()
						res, err := idx.Search(ctx, q)
						lat = append(lat, time.Since(start))
						if err != nil {
							b.Fatalf("%q: %v", q.Text, err)
						}
						total += res.Total
					}
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
			b.ReportMetric(ms(percentile(lat, 0.95)), "p95-ms")
			b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
			b.ReportMetric(float64(total)/float64(len(lat)), "matches/query")
			b.ReportMetric(heapMB(), "MB-heap")
		})
	}
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

func dirMB(b *testing.B, dir string) float64 {
	var size int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			size += info.Size()
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return float64(size) / (1 << 20)
}

// caseGen makes realistic case documents, the same ones for the same seed.
type caseGen struct {
	rng     *rand.Rand
	regions *casework.Regions
	places  []string // county and city codes cases are filed in
}

func newCaseGen(seed uint64) *caseGen {
	regions := casework.DefaultRegions()
	var places []string
	for _, code := range regions.Descendants(regions.Root().Code) {
		if r, _ := regions.Lookup(code); r.Level != casework.LevelProvince {
			places = append(places, code)
		}
	}
	return &caseGen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), regions: regions, places: places}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

var (
	benchNames = []string{"某某", "宏达", "鑫源", "华信", "长兴", "永安", "恒通", "金桥", "瑞丰", "福康", "盛世", "安泰", "东方", "北方", "新华"}
	benchKinds = []string{
		"建筑有限公司", "物业服务有限公司", "人力资源有限公司", "民营医院", "大药房", "诊所", "康复医院",
		"劳务派遣有限公司", "机械制造有限公司", "商贸有限公司", "养老院", "运输有限公司", "社会保险经办中心", "卫生院",
	}
	benchByCategory = map[string][]string{
		casework.CategoryUnpaidContributions: {
			"该单位长期未按规定为职工缴纳社会保险费", "单位与职工签订劳动合同后未缴纳养老保险", "公司以试用期为由拒绝为员工参保",
			"单位按最低基数申报缴费，少缴社会保险费", "企业拖欠社会保险费近两年", "劳务派遣人员未参加工伤保险",
		},
		casework.CategoryFraudulentClaims: {
			"医院通过虚构住院、挂床住院等方式骗取医保基金", "药店为参保人刷医保卡购买生活用品", "诊所串换药品并虚记诊疗项目",
			"亲属在老人去世后继续冒领养老金", "伪造工伤事故材料申领工伤保险待遇", "重复报销医疗费用", "刷卡套现后分成",
		},
		casework.CategoryEmbezzlement: {
			"经办人员利用职务便利侵吞社会保险基金", "财务人员虚开票据贪污医保资金", "截留参保人员待遇款项",
		},
		casework.CategoryMisappropriation: {
			"将失业保险基金挤占挪用于办公楼建设", "挪用养老保险基金发放奖金", "把医保结余资金用于其他支出",
		},
		casework.CategoryImproperStorage: {
			"结余基金未存入财政专户", "违规将基金存入非指定银行", "违规投资理财产品造成损失",
		},
		casework.CategoryAgencyMisconduct: {
			"经办机构违规办理提前退休", "违规为不符合条件人员办理参保", "审核把关不严导致多发待遇",
		},
		casework.CategoryOther: {
			"职工反映社保卡无法正常使用", "单位未按时发放生育津贴", "咨询社会保险关系转移接续问题",
		},
	}
	benchCommon = []string{
		"涉及职工三十余人", "举报人提供了工资表和考勤记录", "问题持续时间较长", "请有关部门依法调查处理",
		"此前已向单位反映未果", "相关票据复印件已上传", "当地群众反映强烈", "希望尽快核实并追回基金",
		"时间为2024年3月至2025年1月", "多名参保人员证实上述情况", "该机构负责人对此知情",
	}
	benchClasses = []string{casework.ClassNone, casework.ClassNone, casework.ClassNone, casework.ClassNone, casework.ClassNone,
		casework.ClassNone, casework.ClassNone, casework.ClassNone, casework.ClassImportant, casework.ClassMajor}
	benchStatuses = []string{store.StatusReceived, store.StatusReceived, store.StatusAccepted, store.StatusInvestigating,
		store.StatusInvestigating, store.StatusConcluded, store.StatusClosed, store.StatusRejected, store.StatusTransferred}
	benchCategories = slices.Sorted(func(yield func(string) bool) {
		for c := range benchByCategory {
			if !yield(c) {
				return
			}
		}
	})
)

func (g *caseGen) next(i int) search.Document {
	rng := g.rng
	place := pick(rng, g.places)
	city, _ := g.regions.CityOf(place)
	year := 2023 + rng.IntN(3)
	party := city.Name + pick(rng, benchNames) + pick(rng, benchKinds)
	category := pick(rng, benchCategories)
	status := pick(rng, benchStatuses)
	class := pick(rng, benchClasses)
	kind := store.KindReport
	if rng.IntN(10) < 3 {
		kind = store.KindComplaint
	}

	// A description of 60–300 characters from the category's phrases,
	// common phrases and an amount.
	want := 60 + rng.IntN(241)
	var d strings.Builder
	d.WriteString(party)
	for utf8.RuneCountInString(d.String()) < want {
		switch rng.IntN(4) {
		case 0:
			d.WriteString(pick(rng, benchCommon))
		case 1:
			fmt.Fprintf(&d, "涉及金额约%d.%d万元", 1+rng.IntN(300), rng.IntN(10))
		default:
			d.WriteString(pick(rng, benchByCategory[category]))
		}
		d.WriteString(pick(rng, []string{"，", "。", "；"}))
	}
	body := string([]rune(d.String())[:want-1]) + "。"

	var insurance []string
	for _, opt := range casework.InsuranceTypes() {
		if rng.IntN(4) == 0 {
			insurance = append(insurance, opt.Label)
		}
	}
	extra := strings.Join(append([]string{
		casework.CategoryLabel(category), casework.StatusLabel(status), casework.ImportantClassLabel(class),
		casework.KindLabel(kind), g.regions.FullName(place),
	}, insurance...), " ")
	return search.Document{
		ID:         fmt.Sprintf("case-%06d", i),
		Type:       search.TypeCase,
		Title:      fmt.Sprintf("%d-%06d %s", year, i+1, party),
		Body:       body,
		Extra:      extra,
		RegionCode: place,
		Year:       year,
		Date:       time.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), 0, 0, time.UTC),
		Status:     status,
		Class:      class,
		Category:   category,
		Kind:       kind,
		Version:    1,
	}
}
