package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/store"
	"fundwatch/store/sqlite"
)

// The users the inbox scenarios sign in as: handlers (承办人), whose role
// needs no second factor, of 长春市 and of the province.
const (
	cityUser      = "load-changchun"
	cityRegion    = "220100"
	provinceUser  = "load-province"
	loadPassword  = "Load-Test 长白山 2026 inbox"
	seedRandSeed1 = 20261130
	seedRandSeed2 = 7
)

// seedStats says what seedStore made and how long it took.
type seedStats struct {
	cases      int
	events     int
	users      int
	disclosure *disclosureStats // nil when none was published
	took       time.Duration
	where      string // the directory the store was written in
	dbBytes    int64
	byStatus   map[string]int
}

// seedPlan is what seedStore puts in the store.
type seedPlan struct {
	cases      int  // generated cases (0: none)
	disclosure bool // publish the disclosure of seed_disclosure.go
}

// seedStore creates the SQLite store fundwatch will serve from (dataDir/
// fundwatch.db, with the key file dataDir/secret.key) holding plan.cases
// cases spread over Jilin's counties, statuses, categories, insurance
// types and 要情 classes, with the deadlines and assignees their status
// implies, and the users the inbox scenarios sign in as plus two
// assignable handlers per city; with plan.disclosure, it also publishes
// the disclosure the public scenarios read (seedDisclosure). Cases go in
// one at a time through store.ImportCase, each its own durable
// transaction; when workDir differs from dataDir (a tmpfs, where an fsync
// costs nothing) the store is written there and then copied to dataDir,
// which is what makes 100,000 of them take a minute and not ten.
func seedStore(ctx context.Context, dataDir, workDir string, plan seedPlan, now time.Time, progress io.Writer) (seedStats, error) {
	n := plan.cases
	began := time.Now()
	st := seedStats{where: workDir, byStatus: map[string]int{}}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return st, err
	}
	key, err := casework.GenerateMasterKey()
	if err != nil {
		return st, err
	}
	if err := os.WriteFile(filepath.Join(dataDir, "secret.key"), []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return st, err
	}
	keyring, err := casework.NewKeyring(key)
	if err != nil {
		return st, err
	}
	dbDir := dataDir
	if workDir != "" && workDir != dataDir {
		if dbDir, err = os.MkdirTemp(workDir, "fundwatch-seed-"); err != nil {
			return st, err
		}
		defer os.RemoveAll(dbDir)
	}
	db, err := sqlite.Open(filepath.Join(dbDir, "fundwatch.db"))
	if err != nil {
		return st, err
	}
	closed := false
	defer func() {
		if !closed {
			db.Close()
		}
	}()

	regions := casework.DefaultRegions()
	rules := caseflow.DefaultRules()
	svc := &caseflow.Service{Store: db, Keyring: keyring, Regions: regions, Rules: rules,
		Clock: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	sys := caseflow.SystemActor("loadtest", regions)

	// Users: the two who sign in, and two assignable handlers per city.
	assignees := map[string][]string{} // city code → user ids
	addUser := func(username, name, region string) (*store.User, error) {
		u, err := svc.CreateUser(ctx, sys, caseflow.NewUser{Username: username, Name: name,
			Role: store.RoleHandler, RegionCode: region, Password: loadPassword})
		if err != nil {
			return nil, fmt.Errorf("create user %s: %w", username, err)
		}
		st.users++
		return u, nil
	}
	cityLoad, err := addUser(cityUser, "压测承办人（长春）", cityRegion)
	if err != nil {
		return st, err
	}
	if _, err := addUser(provinceUser, "压测承办人（省本级）", regions.Root().Code); err != nil {
		return st, err
	}
	assignees[cityRegion] = append(assignees[cityRegion], cityLoad.ID)
	var counties []casework.Region
	for _, city := range regions.Cities() {
		for i := 1; i <= 2; i++ {
			u, err := addUser(fmt.Sprintf("handler-%s-%d", city.Code, i), fmt.Sprintf("%s承办人%d", city.Name, i), city.Code)
			if err != nil {
				return st, err
			}
			assignees[city.Code] = append(assignees[city.Code], u.ID)
		}
		if cs := regions.Counties(city.Code); len(cs) > 0 {
			counties = append(counties, cs...)
		} else {
			counties = append(counties, city) // 长白山管委会 has no counties
		}
	}

	rng := rand.New(rand.NewPCG(seedRandSeed1, seedRandSeed2))
	plans := make([]seedCase, n)
	for i := range plans {
		plans[i] = planCase(rng, now, counties, i)
	}
	// Numbers run in the order cases came in, per year (CST).
	sort.Slice(plans, func(a, b int) bool { return plans[a].created.Before(plans[b].created) })
	seq := map[int]int64{}
	cal, dl, imp := rules.Calendar(), rules.Deadlines(), rules.Important()
	for i := range plans {
		p := &plans[i]
		c, events, err := p.build(rng, keyring, regions, assignees, cal, dl, imp, now, seq)
		if err != nil {
			return st, err
		}
		if err := db.ImportCase(ctx, c, events, nil); err != nil {
			return st, fmt.Errorf("import case %d: %w", i, err)
		}
		st.cases++
		st.events += len(events)
		st.byStatus[c.Status]++
		if progress != nil && (i+1)%10000 == 0 {
			fmt.Fprintf(progress, "loadtest: seeded %d cases in %v\n", i+1, time.Since(began).Round(time.Second))
		}
		if ctx.Err() != nil {
			return st, ctx.Err()
		}
	}
	if plan.disclosure {
		ds, err := seedDisclosure(ctx, svc)
		if err != nil {
			return st, fmt.Errorf("publish the disclosure: %w", err)
		}
		st.disclosure = &ds
	}
	closed = true
	if err := db.Close(); err != nil {
		return st, err
	}
	if dbDir != dataDir {
		for _, name := range []string{"fundwatch.db", "fundwatch.db-wal", "fundwatch.db-shm"} {
			if err := copyFile(filepath.Join(dbDir, name), filepath.Join(dataDir, name)); err != nil && !os.IsNotExist(err) {
				return st, err
			}
		}
	}
	if fi, err := os.Stat(filepath.Join(dataDir, "fundwatch.db")); err == nil {
		st.dbBytes = fi.Size()
	}
	st.took = time.Since(began)
	return st, nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// seedCase is one case before it gets its number.
type seedCase struct {
	created  time.Time
	status   string
	category string
	region   string
	index    int
}

// statusMix is how the generated cases are spread over the statuses: a
// backlog of open cases over a history of decided ones.
var statusMix = []struct {
	status string
	weight int
}{
	{store.StatusReceived, 12}, {store.StatusAccepted, 10}, {store.StatusTransferred, 4},
	{store.StatusInvestigating, 18}, {store.StatusConcluded, 12}, {store.StatusClosed, 38}, {store.StatusRejected, 6},
}

// categoryMix weighs the problem categories; the three that 要情 rules
// cover make up about a third.
var categoryMix = []struct {
	category string
	weight   int
}{
	{"unpaid_contributions", 35}, {"fraudulent_claims", 20}, {"embezzlement", 6}, {"misappropriation", 6},
	{"improper_storage", 3}, {"agency_misconduct", 15}, {"other", 15},
}

func weighted[T any](rng *rand.Rand, items []T, weight func(T) int) T {
	total := 0
	for _, it := range items {
		total += weight(it)
	}
	r := rng.IntN(total)
	for _, it := range items {
		if r -= weight(it); r < 0 {
			return it
		}
	}
	return items[len(items)-1]
}

func planCase(rng *rand.Rand, now time.Time, counties []casework.Region, i int) seedCase {
	s := weighted(rng, statusMix, func(x struct {
		status string
		weight int
	}) int {
		return x.weight
	}).status
	cat := weighted(rng, categoryMix, func(x struct {
		category string
		weight   int
	}) int {
		return x.weight
	}).category
	// Open cases are recent; decided ones spread over two years.
	maxAge := 730 * 24 * time.Hour
	switch s {
	case store.StatusReceived, store.StatusTransferred:
		maxAge = 20 * 24 * time.Hour
	case store.StatusAccepted, store.StatusInvestigating:
		maxAge = 150 * 24 * time.Hour
	}
	age := time.Duration(rng.Int64N(int64(maxAge)))
	return seedCase{
		created:  store.Truncate(now.Add(-age)),
		status:   s,
		category: cat,
		region:   counties[rng.IntN(len(counties))].Code,
		index:    i,
	}
}

var (
	seedSubjects = []string{"某某商贸有限公司", "某某建筑工程有限公司", "某某人力资源服务有限公司", "某某医院", "某某药店",
		"某某物业管理有限公司", "某某食品加工厂", "王某某", "李某某", "某某社会保险经办机构"}
	seedDescriptions = []string{
		"该单位自去年起按最低缴费基数为职工申报养老保险，实际工资远高于申报基数，涉及职工四十余人。",
		"某某的父亲已于两年前去世，家属未办理注销手续，至今仍按月领取养老金。",
		"该医院存在虚构住院、串换药品、虚记诊疗项目等情况，骗取医保基金。",
		"经办人员在办理失业保险金发放时，为不符合条件的人员办理领取手续并收取好处费。",
		"该单位未为部分职工办理工伤保险参保手续，职工受伤后由单位私下处理。",
		"某某县社保经办机构将结余基金违规存入非指定银行账户，并以个人名义购买理财产品。",
	}
	seedNames = []string{"张建国", "李秀英", "王志强", "刘丽华", "陈伟", "杨秀兰", "赵军", "黄海燕"}
)

// build makes the case with its timeline as the service layer would have
// left it: the deadline of its status, an assignee from its city once it is
// being worked, a 要情 class for some of the categories that have one.
func (p *seedCase) build(rng *rand.Rand, keyring *casework.Keyring, regions *casework.Regions, assignees map[string][]string,
	cal *casework.Calendar, dl casework.DeadlineRules, imp casework.ImportantCaseRules, now time.Time, seq map[int]int64,
) (*store.Case, []store.Event, error) {
	year := p.created.In(store.CST).Year()
	seq[year]++
	id := store.NewID()
	kind := store.KindReport
	if rng.IntN(5) == 0 {
		kind = store.KindComplaint
	}
	types := casework.InsuranceTypes()
	insurance := []string{types[rng.IntN(len(types))].Code}
	if rng.IntN(4) == 0 {
		if t := types[rng.IntN(len(types))].Code; t != insurance[0] {
			insurance = append(insurance, t)
		}
	}
	reporterType := store.ReporterCitizen
	switch rng.IntN(20) {
	case 0, 1:
		reporterType = store.ReporterEmployer
	case 2:
		reporterType = store.ReporterOrganization
	}
	anonymous := reporterType == store.ReporterCitizen && rng.IntN(10) < 3
	var amount int64
	given := rng.IntN(10) < 7
	if given {
		// Log-uniform from 1,000 to 2,000,000 yuan.
		amount = int64(1000*math.Pow(2000, rng.Float64())) * 100
	}
	idem := fmt.Sprintf("loadtest-seed-%07d", p.index)
	code, _ := casework.NormalizeAccessCode(keyring.AccessCodeFor(idem))
	c := &store.Case{
		ID: id, Year: year, Seq: seq[year], Number: store.FormatNumber(year, seq[year]),
		Kind: kind, ReporterType: reporterType, Anonymous: anonymous, Category: p.category,
		InsuranceTypes: insurance, RegionCode: p.region,
		Subject:   store.Party{Name: seedSubjects[rng.IntN(len(seedSubjects))]},
		AmountFen: amount, AmountGiven: given,
		Description:    seedDescriptions[rng.IntN(len(seedDescriptions))],
		Channel:        casework.RouteChannel(kind, insurance),
		Status:         store.StatusReceived,
		ImportantClass: store.ClassNone,
		AccessCodeHash: keyring.HashAccessCode(code),
		IdempotencyKey: idem, SubmissionHash: "loadtest",
		CreatedAt: p.created, UpdatedAt: p.created,
	}
	if !anonymous {
		sealed, err := keyring.SealIdentity(id, casework.ReporterIdentity{
			Name: seedNames[rng.IntN(len(seedNames))], Phone: fmt.Sprintf("139%08d", rng.IntN(100000000))})
		if err != nil {
			return nil, nil, err
		}
		c.ReporterSealed = sealed
	}
	events := []store.Event{{ID: store.NewID(), At: p.created, Action: store.ActionStatus,
		ToStatus: store.StatusReceived, Note: "平台已收到，等待审查是否受理。"}}
	at := p.created
	step := func(to, note string) {
		at = store.Truncate(at.Add(time.Duration(1+rng.IntN(96)) * time.Hour))
		if at.After(now) {
			at = now
		}
		events = append(events, store.Event{ID: store.NewID(), At: at, Action: store.ActionStatus,
			FromStatus: c.Status, ToStatus: to, Note: note, Actor: "loadtest"})
		c.Status = to
	}
	city, _ := regions.CityOf(p.region)
	assign := func() {
		pool := assignees[city.Code]
		if len(pool) > 0 {
			c.AssigneeID = pool[rng.IntN(len(pool))]
		}
	}
	c.DueAt = casework.AcceptanceDue(p.created, cal, dl)
	switch p.status {
	case store.StatusReceived:
		if rng.IntN(10) < 3 {
			assign()
		}
	case store.StatusRejected:
		step(store.StatusRejected, "经审查，不属于社会保险基金监督受理范围。")
		c.DueAt = time.Time{}
	case store.StatusTransferred:
		step(store.StatusTransferred, "属其他地区管辖，已转办。")
		c.DueAt = casework.AcceptanceDue(at, cal, dl)
	default: // accepted and beyond
		step(store.StatusAccepted, "经审查，属于受理范围。")
		assign()
		c.DueAt = casework.InvestigationDue(at, 0, cal, dl)
		if casework.IsImportantCategory(p.category) && rng.IntN(10) < 4 {
			serious := rng.IntN(20) == 0
			c.ImportantClass, c.National = casework.ClassifyImportantCase(p.category, amount, serious, imp)
			c.SeriousImpact = serious
			c.DiscoveredOn = at.In(store.CST).Format(time.DateOnly)
			events = append(events, store.Event{ID: store.NewID(), At: at, Action: store.ActionClassify,
				FromStatus: c.Status, ToStatus: c.Status, Note: casework.ImportantClassLabel(c.ImportantClass),
				Actor: "loadtest", Internal: true})
		}
		if p.status == store.StatusAccepted {
			break
		}
		c.InvestigationMode = store.ModeOffSite
		if rng.IntN(2) == 0 {
			c.InvestigationMode = store.ModeOnSite
		}
		step(store.StatusInvestigating, "已开始调查。")
		if p.status == store.StatusInvestigating {
			break
		}
		results := casework.Results()
		c.Result = results[rng.IntN(len(results))].Code
		step(store.StatusConcluded, "调查已办结。")
		events[len(events)-1].Result = c.Result
		c.DueAt = time.Time{}
		if c.Result != store.ResultNotSubstantiated {
			c.Conclusion = store.Conclusion{AmountInvolvedFen: amount, AmountRecoveredFen: amount / 2,
				Measures: "责令限期整改，追回违规支出的基金。"}
		}
		if p.status == store.StatusClosed {
			step(store.StatusClosed, "整改完成，予以结案。")
		}
	}
	c.UpdatedAt = at
	c.Version = int64(len(events))
	return c, events, nil
}
