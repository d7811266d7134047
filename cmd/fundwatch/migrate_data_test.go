package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"fundwatch/store"
	"fundwatch/store/disk"
	"fundwatch/store/mongo"
	"fundwatch/store/mongo/mongotest"
	"fundwatch/store/sqlite"
)

// seedCases fills s with n cases, each with a transition and a message.
func seedCases(t *testing.T, s store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	base := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		at := base.Add(time.Duration(i) * time.Hour)
		c := &store.Case{
			ID: fmt.Sprintf("case-%03d", i), Kind: store.KindReport, ReporterType: store.ReporterCitizen,
			Category: "unpaid_contributions", InsuranceTypes: []string{"pension"}, RegionCode: "220102",
			Subject: store.Party{Name: fmt.Sprintf("某某公司%d", i)}, AmountFen: int64(i) * 100, AmountGiven: i%2 == 0,
			Description: "迁移测试：用人单位少报缴费基数。<b>不是标记</b>", Channel: store.ChannelFundSupervision,
			Status: store.StatusReceived, ReporterSealed: []byte{1, 2, byte(i)}, AccessCodeHash: []byte{9, byte(i)},
			IdempotencyKey: fmt.Sprintf("idem-%03d", i), SubmissionHash: "h", CreatedAt: at, UpdatedAt: at,
		}
		if i%4 == 0 {
			c.Files = []store.Attachment{seedFile(c.ID+"-f0", at, store.AuthorReporter)}
		}
		if err := s.CreateCase(ctx, c, store.Event{ID: c.ID + "-e0", At: at, ToStatus: store.StatusReceived}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			if _, err := s.UpdateCase(ctx, store.CaseUpdate{CaseID: c.ID, ExpectStatus: store.StatusReceived,
				Event: store.Event{ID: c.ID + "-e1", At: at.Add(time.Minute), Action: store.ActionStatus,
					FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted, Note: "已受理", Actor: "u1"}}); err != nil {
				t.Fatal(err)
			}
		}
		m := &store.Message{ID: c.ID + "-m1", CaseID: c.ID, At: at.Add(2 * time.Minute), Author: store.AuthorReporter, Body: "补充信息"}
		if i%5 == 0 {
			m.Files = []store.Attachment{seedFile(c.ID+"-f1", m.At, store.AuthorReporter)}
		}
		if err := s.AddMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			// Handled: assigned, classified, with a deadline and a conclusion
			// so far, recorded by an internal event.
			cur, err := s.CaseByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			due := at.Add(60 * 24 * time.Hour)
			assignee, class, national, discovered := fmt.Sprintf("user-%d", i), store.ClassMajor, i%2 == 0, "2026-03-01"
			mode, extension := store.ModeOnSite, 30
			conclusion := store.Conclusion{AmountInvolvedFen: int64(i) * 1000, Measures: "责令整改", RectifyBy: "2026-06-30"}
			if _, err := s.UpdateCase(ctx, store.CaseUpdate{CaseID: c.ID, ExpectStatus: cur.Status, ExpectVersion: cur.Version,
				Event: store.Event{ID: c.ID + "-e2", At: at.Add(3 * time.Minute), Action: store.ActionClassify,
					FromStatus: cur.Status, ToStatus: cur.Status, Note: "定为重大要情", Actor: "leader-1", Internal: true},
				Set: store.CaseChanges{AssigneeID: &assignee, DueAt: &due, ImportantClass: &class, National: &national,
					SeriousImpact: &national, DiscoveredOn: &discovered, InvestigationMode: &mode,
					ExtensionDays: &extension, Conclusion: &conclusion},
			}); err != nil {
				t.Fatal(err)
			}
			// And rated by its reporter.
			if _, err := s.RateCase(ctx, store.CaseRating{CaseID: c.ID, ExpectStatus: cur.Status,
				Satisfaction: store.Satisfaction{Rating: store.SatisfactionDissatisfied, Reason: "处理太慢", At: at.Add(4 * time.Minute)}}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// seedFiles is how many evidence files seedCases(t, s, 25) records: on every
// fourth case and every fifth case's message.
const seedFiles = 12

// seedFile is the record of an evidence file; its id is a blob id derived
// from name, so seedBlobs can store its bytes.
func seedFile(name string, at time.Time, author string) store.Attachment {
	return store.Attachment{ID: seedBlobID(name), Name: name + ".pdf", Type: "application/pdf", Size: 1000,
		SHA256: bytes.Repeat([]byte{7}, 32), SealedKey: []byte("sealed-" + name), Author: author, At: at}
}

// seedBlobID turns a name into a valid blob id (26 base32 characters).
func seedBlobID(name string) string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	sum := sha256.Sum256([]byte(name))
	id := make([]byte, 26)
	for i := range id {
		id[i] = alphabet[int(sum[i])%32]
	}
	return string(id)
}

// seedBlobs stores bytes for every file record of s in blobs.
func seedBlobs(t *testing.T, s store.Store, blobs store.BlobStore) {
	t.Helper()
	ctx := context.Background()
	ids, err := allCaseIDs(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		files, err := s.CaseFiles(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if _, err := blobs.PutBlob(ctx, f.ID, strings.NewReader("ciphertext of "+f.Name)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// adminBase is the instant seedAdmin's records count from.
var adminBase = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)

// seedAdmin fills every area besides the cases, each the way the portal
// writes it: three users (one with TOTP and a used step, one edited, one
// disabled), six audit entries appended through AppendAudit, a submitted
// 要情 report with a correction still a draft and another case's signed
// report, a quarterly report, two calendar years, two settings (one saved
// twice), mail in each status (sent, failed, pending after a failed
// attempt, pending and leased, pending to a reporter), and publications in
// each state: a fund report live with an approved, scheduled correction, a
// withdrawn news article, an imported announcement still a draft, and a
// notice a leader sent back.
func seedAdmin(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %v", what, err)
		}
	}
	user := func(id, username, name, role, region string) *store.User {
		return &store.User{ID: id, Username: username, Name: name, Role: role, RegionCode: region,
			Email: username + "@hrss.jl.gov.cn", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$" + id,
			CreatedAt: adminBase, UpdatedAt: adminBase, PasswordChangedAt: adminBase}
	}
	admin := user("user-admin", "Admin.Li", "李管理员", store.RoleAdmin, "220000")
	admin.TOTPSealed = []byte{0x00, 0x01, 0xfe, 0xff, 0x00}
	must("admin", s.CreateUser(ctx, admin))
	must("admin's TOTP step", s.UseTOTPStep(ctx, admin.ID, 59_000_001))
	leader := user("user-leader", "wang.ju", "王局长", store.RoleLeader, "220102")
	must("leader", s.CreateUser(ctx, leader))
	leader.Name, leader.UpdatedAt = "王局长（分管基金监督）", adminBase.Add(time.Hour)
	must("leader's edit", s.UpdateUser(ctx, leader))
	handler := user("user-handler", "zhao.liu", "赵六", store.RoleHandler, "220102")
	handler.Disabled, handler.MustChangePassword = true, true
	must("handler", s.CreateUser(ctx, handler))

	for i, action := range []string{"login.success", "user.create", "case.accept", "identity.reveal", "report.sign", "settings.put"} {
		e := &store.AuditEntry{At: adminBase.Add(time.Duration(i) * time.Minute), ActorID: admin.ID, ActorName: "admin.li",
			Action: action, TargetType: "case", TargetID: fmt.Sprintf("case-%03d", i), RegionCode: "220102",
			Detail: "迁移测试 <审计> " + action, IP: "10.0.0.1", RequestID: fmt.Sprintf("req-%d", i)}
		must("audit entry", s.AppendAudit(ctx, e))
	}

	report := func(id, caseID, number string, revision int, created time.Duration) *store.ImportantReport {
		return &store.ImportantReport{ID: id, CaseID: caseID, CaseNumber: number, RegionCode: "220102", Revision: revision,
			Class: store.ClassMajor, National: true, DiscoveredOn: "2026-03-01", DueAt: adminBase.Add(72 * time.Hour),
			AmountFen: 50_000_000, Category: "embezzlement", InsuranceTypes: []string{"pension", "work_injury"},
			Title: "关于侵吞养老保险基金的要情报告", Body: "经查 <b>属实</b>。", Recipients: []string{"吉林省社会保险基金监督委员会"},
			DraftedBy: handler.ID, CreatedAt: adminBase.Add(created), UpdatedAt: adminBase.Add(created)}
	}
	must("report", s.CreateImportantReport(ctx, report("rep-1", "case-000", "2026-000001", 1, 0)))
	_, err := s.SignImportantReport(ctx, "rep-1", 1, leader.ID, leader.Name, adminBase.Add(time.Hour), strings.Repeat("ab", 32))
	must("signing", err)
	_, err = s.SubmitImportantReport(ctx, "rep-1", leader.ID, adminBase.Add(2*time.Hour))
	must("submission", err)
	correction := report("rep-2", "case-000", "2026-000001", 2, 3*time.Hour)
	correction.Supersedes, correction.ChangeNote, correction.AmountFen = "rep-1", "更正涉及金额", 60_000_000
	must("correction", s.CreateImportantReport(ctx, correction))
	correction.Body, correction.UpdatedAt = "更正：涉及金额六十万元。", adminBase.Add(4*time.Hour)
	must("correction's edit", s.UpdateImportantDraft(ctx, correction))
	must("other report", s.CreateImportantReport(ctx, report("rep-3", "case-003", "2026-000004", 1, 5*time.Hour)))
	_, err = s.SignImportantReport(ctx, "rep-3", 1, leader.ID, leader.Name, adminBase.Add(6*time.Hour), strings.Repeat("cd", 32))
	must("signing the other", err)

	must("quarterly report", s.SubmitQuarterlyReport(ctx, &store.QuarterlyReport{
		ID: "220100-2026-Q1", CityCode: "220100", Year: 2026, Quarter: 1,
		Rows: []store.QuarterlyRow{
			{Class: store.ClassMajor, Category: "embezzlement", InsuranceType: "pension", Count: 2, AmountFen: 110_000_000},
			{Class: store.ClassImportant, Category: "fraudulent_claims", InsuranceType: "medical", Count: 5, AmountFen: 3_000_000},
		},
		DueAt: time.Date(2026, 4, 15, 16, 0, 0, 0, time.UTC), SubmittedBy: leader.ID, SubmittedByName: leader.Name,
		SubmittedAt: time.Date(2026, 4, 10, 2, 0, 0, 0, time.UTC)}))

	must("calendar 2025", s.PutCalendarYear(ctx, 2025, []store.CalendarEntry{
		{Date: "2025-01-26", Name: "春节调休上班"}, {Date: "2025-01-28", Name: "春节", OffDay: true}}))
	must("calendar 2026", s.PutCalendarYear(ctx, 2026, []store.CalendarEntry{
		{Date: "2026-02-14", Name: "春节调休上班"}, {Date: "2026-02-16", Name: "春节", OffDay: true}}))

	deadlines := &store.Setting{Key: "deadlines", Value: []byte(`{"acceptWorkingDays": 5}`), UpdatedAt: adminBase, UpdatedBy: admin.ID}
	must("setting", s.PutSetting(ctx, deadlines))
	deadlines.Value, deadlines.UpdatedAt = []byte(`{"acceptWorkingDays": 7}`), adminBase.Add(time.Hour)
	must("setting's second save", s.PutSetting(ctx, deadlines))
	must("setting", s.PutSetting(ctx, &store.Setting{Key: "important", Value: []byte(`{"majorFen": 10000000}`),
		UpdatedAt: adminBase, UpdatedBy: admin.ID}))

	for i, id := range []string{"mail-sent", "mail-failed", "mail-retry", "mail-leased", "mail-reporter"} {
		m := &store.Mail{ID: id, To: id + "@hrss.jl.gov.cn", Subject: "新案件待受理", Body: "请登录处理。", Kind: "case.new",
			CaseID: "case-000", RegionCode: "220102", CreatedAt: adminBase.Add(time.Duration(i) * time.Minute)}
		if id == "mail-reporter" {
			m.To, m.ReporterCaseID, m.Kind = "", "case-000", "reporter.update"
		}
		must("mail", s.EnqueueMail(ctx, m))
	}
	claimed, err := s.ClaimMail(ctx, adminBase.Add(10*time.Minute), 5*time.Minute, 4)
	if err != nil || len(claimed) != 4 {
		t.Fatalf("seed: claimed %d mails, %v; want 4", len(claimed), err)
	}
	must("sent", s.MarkMailSent(ctx, "mail-sent", adminBase.Add(11*time.Minute)))
	must("failed", s.MarkMailFailed(ctx, "mail-failed", "550 no such user", time.Time{}, true))
	must("retry", s.MarkMailFailed(ctx, "mail-retry", "421 try later", adminBase.Add(time.Hour), false))

	seedPublications(t, s, leader.ID)
}

func seedPublications(t *testing.T, s store.Store, leaderID string) {
	t.Helper()
	ctx := context.Background()
	// ok fails the test on err and passes p on: ok("what")(s.Method(…)).
	ok := func(what string) func(*store.Publication, error) *store.Publication {
		return func(p *store.Publication, err error) *store.Publication {
			t.Helper()
			if err != nil {
				t.Fatalf("seed %s: %v", what, err)
			}
			return p
		}
	}
	step := func(p *store.Publication, to string, at time.Duration, note string) *store.Publication {
		t.Helper()
		return ok(p.ID + " to " + to)(s.StepPublication(ctx, store.PublicationStep{ID: p.ID, ExpectVersion: p.Version,
			From: p.PendingStatus, To: to, By: leaderID, At: adminBase.Add(at), Note: note}))
	}
	publish := func(p *store.Publication, at time.Duration) *store.Publication {
		t.Helper()
		p = step(p, store.RevSubmitted, at, "")
		p = step(p, store.RevApproved, at, "")
		return step(p, store.RevPublished, at, "")
	}
	create := func(p *store.Publication, title string) *store.Publication {
		t.Helper()
		p.RegionCode, p.CreatedBy, p.CreatedAt, p.UpdatedAt = "220100", "user-handler", adminBase, adminBase
		return ok(p.ID)(p, s.CreatePublication(ctx, p, &store.Revision{Title: title, Summary: "摘要",
			Body: "第一段。\n\n第二段 <b>不是标签</b>。", InsuranceTypes: []string{"medical"},
			CreatedBy: "user-handler", CreatedAt: adminBase, UpdatedAt: adminBase}))
	}

	report := publish(create(&store.Publication{ID: "pub-fund", Kind: store.PubFundReport, Year: 2025}, "2025年度长春市社会保险基金收支情况"), time.Hour)
	fix := &store.Revision{Number: 2, Title: "2025年度长春市社会保险基金收支情况（更正）", CorrectionNote: "更正失业保险结余",
		FundRows: []store.FundRow{
			{InsuranceType: "pension", IncomeFen: 4_567_890_000_00, PremiumFen: 3_000_000_000_00, ExpenditureFen: 4_700_000_000_00,
				BenefitFen: 4_600_000_000_00, BalanceFen: -132_110_000_00, AccumulatedFen: 2_000_000_000_00},
			{InsuranceType: "unemployment", IncomeFen: 100_000_000, ExpenditureFen: 70_000_000, BalanceFen: 30_000_000, AccumulatedFen: 930_000_000},
		},
		ScheduledAt: adminBase.Add(72 * time.Hour), CreatedBy: "user-handler", CreatedAt: adminBase.Add(2 * time.Hour), UpdatedAt: adminBase.Add(2 * time.Hour)}
	report = ok("correction")(s.SaveDraft(ctx, report.ID, report.Version, fix))
	report = step(report, store.RevSubmitted, 3*time.Hour, "")
	step(report, store.RevApproved, 4*time.Hour, "")

	news := publish(create(&store.Publication{ID: "pub-news", Kind: store.PubNews}, "新闻发布会"), time.Hour)
	ok("withdrawal")(s.WithdrawPublication(ctx, news.ID, news.Version, leaderID, "内容有误", adminBase.Add(5*time.Hour)))

	create(&store.Publication{ID: "pub-imported", Kind: store.PubAnnouncement, SourceID: "old-site/2019/0042",
		FromCaseID: "case-003"}, "关于某定点医院骗取医保基金的通报")

	notice := step(create(&store.Publication{ID: "pub-notice", Kind: store.PubNotice}, "听证会公告"), store.RevSubmitted, time.Hour, "")
	step(notice, store.RevDraft, 2*time.Hour, "请写明听证时间")
}

// markAllIndexed marks every case and publication of s indexed at its
// version, as the sync loop of a running installation would have.
func markAllIndexed(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, area := range []string{store.IndexCases, store.IndexPublications} {
		marks, err := s.PendingIndex(ctx, area, store.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkIndexed(ctx, area, marks); err != nil {
			t.Fatal(err)
		}
		if pending, indexed, err := s.IndexState(ctx, area); err != nil || pending != 0 || indexed != int64(len(marks)) {
			t.Fatalf("IndexState(%s) after marking = %d, %d, %v", area, pending, indexed, err)
		}
	}
}

// adminCounts are the records seedAdmin makes, by the plural of the
// summary lines.
var adminCounts = map[string]int{"users": 3, "audit entries": 6, "important reports": 3, "quarterly reports": 1,
	"calendar years": 2, "settings": 2, "mails": 5, "publications": 4}

// snapshot lists the content hash of every record of every area of s, in
// the order the store lists them, to compare whole installations.
func snapshot(t *testing.T, s store.Store) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	ids, err := allCaseIDs(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		c, events, msgs, err := loadFull(ctx, s, id)
		if err != nil {
			t.Fatal(err)
		}
		out["cases"] = append(out["cases"], caseHash(c, events, msgs))
	}
	for after := int64(0); ; {
		page, err := s.AuditEntries(ctx, after, store.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			out["audit entries"] = append(out["audit entries"], contentHash(e))
		}
		after = page[len(page)-1].Seq
	}
	out["users"] = areaHashes(t, userArea, s)
	out["important reports"] = areaHashes(t, importantArea, s)
	out["quarterly reports"] = areaHashes(t, quarterlyArea, s)
	out["calendar years"] = areaHashes(t, calendarArea, s)
	out["settings"] = areaHashes(t, settingArea, s)
	out["mails"] = areaHashes(t, mailArea, s)
	out["publications"] = areaHashes(t, publicationArea, s)
	return out
}

func areaHashes[T any](t *testing.T, a area[T], s store.Store) []string {
	t.Helper()
	var out []string
	if err := a.each(context.Background(), s, func(rec T) error {
		out = append(out, contentHash(rec))
		return nil
	}); err != nil {
		t.Fatalf("list %s: %v", a.plural, err)
	}
	return out
}

// sameSnapshots reports every area in which two snapshots differ.
func sameSnapshots(t *testing.T, what string, want, got map[string][]string) {
	t.Helper()
	for name, hashes := range want {
		if !slices.Equal(hashes, got[name]) {
			t.Errorf("%s: the %s differ (%d records, then %d)", what, name, len(hashes), len(got[name]))
		}
	}
}

func runMigrate(t *testing.T, from, to string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := migrateData(context.Background(), []string{"--from", from, "--to", to}, &out)
	return code, out.String()
}

func TestMigrateDataRoundTripSQLiteToMongoAndBack(t *testing.T) {
	dir := t.TempDir()
	srcPath := filepath.Join(dir, "src.db")
	src, err := sqlite.Open(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	seedCases(t, src, 25)
	seedAdmin(t, src)
	srcBlobs, err := disk.Open(filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	seedBlobs(t, src, srcBlobs)
	// The source's search index has seen everything; the copy's has not.
	markAllIndexed(t, src)
	want := snapshot(t, src)
	src.Close()
	for name, n := range adminCounts {
		if len(want[name]) != n {
			t.Fatalf("the source holds %d %s, want %d", len(want[name]), name, n)
		}
	}

	uri := mongotest.URI(t)
	dbName := mongotest.DatabaseName(t)
	mongoSpec := "mongo:" + withDatabase(uri, dbName)

	code, out := runMigrate(t, "sqlite:"+srcPath, mongoSpec)
	if code != 0 || !strings.Contains(out, "source cases 25, copied 25, already present 0, mismatched 0, destination cases 25") {
		t.Fatalf("first copy: exit %d\n%s", code, out)
	}
	for name, n := range adminCounts {
		line := fmt.Sprintf("source %s %d, copied %d, already present 0, mismatched 0, destination %s %d", name, n, n, name, n)
		if !strings.Contains(out, line) {
			t.Errorf("first copy: no line %q in\n%s", line, out)
		}
	}
	if line := fmt.Sprintf("source evidence files %d, copied %d, already present 0, mismatched 0, destination evidence files %d",
		seedFiles, seedFiles, seedFiles); !strings.Contains(out, line) {
		t.Errorf("first copy: no line %q in\n%s", line, out)
	}
	if !strings.Contains(out, "audit chain verified on the destination: 6 entries, intact") ||
		!strings.Contains(out, "verified: every source record is in the destination") {
		t.Errorf("first copy: no verification lines in\n%s", out)
	}

	m, err := mongo.Open(context.Background(), uri, dbName)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sameSnapshots(t, "SQLite and its copy in MongoDB", want, snapshot(t, m))
	for area, n := range map[string]int64{store.IndexCases: 25, store.IndexPublications: int64(adminCounts["publications"])} {
		if pending, indexed, err := m.IndexState(context.Background(), area); err != nil || pending != n || indexed != 0 {
			t.Errorf("IndexState(%s) of the copy = %d pending, %d indexed, %v; want all %d pending, none indexed",
				area, pending, indexed, err, n)
		}
	}

	code, out = runMigrate(t, "sqlite:"+srcPath, mongoSpec)
	if code != 0 || !strings.Contains(out, "copied 0, already present 25, mismatched 0") {
		t.Fatalf("re-run: exit %d\n%s", code, out)
	}
	for name, n := range adminCounts {
		line := fmt.Sprintf("source %s %d, copied 0, already present %d, mismatched 0, destination %s %d", name, n, n, name, n)
		if !strings.Contains(out, line) {
			t.Errorf("re-run: no line %q in\n%s", line, out)
		}
	}
	sameSnapshots(t, "MongoDB after the re-run", want, snapshot(t, m))

	// Back into a data directory of its own (its files beside it).
	backDir := filepath.Join(dir, "back")
	if err := os.Mkdir(backDir, 0o700); err != nil {
		t.Fatal(err)
	}
	backPath := filepath.Join(backDir, "back.db")
	code, out = runMigrate(t, mongoSpec, "sqlite:"+backPath)
	if code != 0 || !strings.Contains(out, "copied 25") ||
		!strings.Contains(out, fmt.Sprintf("source evidence files %d, copied %d", seedFiles, seedFiles)) {
		t.Fatalf("copy back: exit %d\n%s", code, out)
	}
	backBlobs, err := disk.Open(filepath.Join(backDir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	srcBlobs.Blobs(context.Background(), time.Now().Add(time.Hour), func(id string, _ time.Time) error {
		a, _ := blobHash(context.Background(), srcBlobs, id)
		b, err := blobHash(context.Background(), backBlobs, id)
		if err != nil || a != b {
			t.Errorf("evidence file %s after the round trip: %v", id, err)
		}
		n++
		return nil
	})
	if n != seedFiles {
		t.Errorf("%d evidence files in the source, want %d", n, seedFiles)
	}

	// The round trip preserved every case byte for byte.
	a, _ := sqlite.Open(srcPath)
	defer a.Close()
	b, _ := sqlite.Open(backPath)
	defer b.Close()
	sameSnapshots(t, "SQLite after the round trip", want, snapshot(t, b))
	ids, err := allCaseIDs(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		c1, e1, m1, err := loadFull(context.Background(), a, id)
		if err != nil {
			t.Fatal(err)
		}
		c2, e2, m2, err := loadFull(context.Background(), b, id)
		if err != nil {
			t.Fatalf("case %s missing after the round trip: %v", id, err)
		}
		if caseHash(c1, e1, m1) != caseHash(c2, e2, m2) {
			t.Errorf("case %s differs after the round trip", c1.Number)
		}
	}

	// The handling of a case came through, not only equal hashes of nothing.
	handled, err := b.CaseByID(context.Background(), "case-003")
	if err != nil {
		t.Fatal(err)
	}
	if handled.AssigneeID != "user-3" || handled.ImportantClass != store.ClassMajor || handled.DueAt.IsZero() ||
		handled.ExtensionDays != 30 || handled.Conclusion.AmountInvolvedFen != 3000 ||
		handled.Satisfaction.Rating != store.SatisfactionDissatisfied || handled.Satisfaction.Reason != "处理太慢" {
		t.Errorf("handled case after the round trip: %+v", handled)
	}
	evs, err := b.CaseEvents(context.Background(), "case-003")
	if err != nil || len(evs) != 3 || evs[2].Action != store.ActionClassify || !evs[2].Internal {
		t.Errorf("handled case's events after the round trip: %+v, %v", evs, err)
	}

	// New cases in the copy continue numbering after the copied ones.
	next := &store.Case{ID: "after", Kind: store.KindReport, Status: store.StatusReceived, IdempotencyKey: "after-key",
		CreatedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	if err := b.CreateCase(context.Background(), next, store.Event{ID: "after-e0", At: next.CreatedAt, ToStatus: store.StatusReceived}); err != nil {
		t.Fatal(err)
	}
	if next.Number != "2026-000026" {
		t.Errorf("first new case after migration got %s, want 2026-000026", next.Number)
	}

	// And so did the other areas: spot checks of what they hold, beyond
	// equal hashes.
	ctx := context.Background()
	admin, err := b.UserByUsername(ctx, "admin.li")
	if err != nil || admin.TOTPLastStep != 59_000_001 || len(admin.TOTPSealed) != 5 {
		t.Errorf("admin after the round trip: %+v, %v", admin, err)
	}
	wantError := func(what string, err error, code string) {
		t.Helper()
		if store.ErrorCode(err) != code {
			t.Errorf("%s after the round trip: %v, want %s", what, err, code)
		}
	}
	wantError("a used TOTP step", b.UseTOTPStep(ctx, admin.ID, 59_000_001), store.ECONFLICT)
	if checked, firstBad, err := store.VerifyAuditChain(ctx, b, 4); err != nil || checked != 6 || firstBad != 0 {
		t.Errorf("VerifyAuditChain after the round trip = %d, %d, %v; want 6, 0, nil", checked, firstBad, err)
	}
	e := &store.AuditEntry{At: adminBase.Add(time.Hour), ActorName: "system", Action: "migrate.done"}
	if err := b.AppendAudit(ctx, e); err != nil || e.Seq != 7 {
		t.Errorf("AppendAudit after the round trip: seq %d, %v; want 7", e.Seq, err)
	}
	correction, err := b.ImportantReportInRegions(ctx, "rep-2", []string{"220102"})
	if err != nil || correction.Status != store.ReportDraft || correction.Supersedes != "rep-1" || correction.Version != 2 {
		t.Errorf("the correction after the round trip: %+v, %v", correction, err)
	}
	wantError("an edit of the submitted report", b.UpdateImportantDraft(ctx, &store.ImportantReport{ID: "rep-1", Version: 3}), store.ECONFLICT)
	counts, err := b.CountMail(ctx, nil)
	if want := map[string]int{store.MailPending: 3, store.MailSent: 1, store.MailFailed: 1}; err != nil || !maps.Equal(counts, want) {
		t.Errorf("mail by status after the round trip: %v, %v; want %v", counts, err, want)
	}
	if deadlines, err := b.SettingByKey(ctx, "deadlines"); err != nil || deadlines.Version != 2 {
		t.Errorf("deadlines setting after the round trip: %+v, %v; want version 2", deadlines, err)
	}

	// The approved correction is due and publishes from its version; the
	// live fund report holds its slot, the withdrawn news is a tombstone,
	// the imported announcement is found by its source, the returned
	// notice keeps the leader's note.
	if due, err := b.DuePublications(ctx, adminBase.Add(72*time.Hour), 10); err != nil || !slices.Equal(due, []string{"pub-fund"}) {
		t.Errorf("due publications after the round trip: %v, %v; want [pub-fund]", due, err)
	}
	fund, err := b.PublicationInRegions(ctx, "pub-fund", []string{"220100"})
	if err != nil || fund.LiveRevision != 1 || fund.PendingRevision != 2 || fund.PendingStatus != store.RevApproved {
		t.Fatalf("the fund report after the round trip: %+v, %v", fund, err)
	}
	published, err := b.StepPublication(ctx, store.PublicationStep{ID: fund.ID, ExpectVersion: fund.Version,
		From: store.RevApproved, To: store.RevPublished, By: "system", At: adminBase.Add(72 * time.Hour)})
	if err != nil || published.LiveRevision != 2 || !published.FirstPublishedAt.Equal(fund.FirstPublishedAt) {
		t.Errorf("publishing the correction after the round trip: %+v, %v", published, err)
	}
	if revs, err := b.Revisions(ctx, fund.ID); err != nil || len(revs) != 2 || revs[0].Status != store.RevSuperseded ||
		len(revs[1].FundRows) != 2 || revs[1].FundRows[0].BalanceFen != -132_110_000_00 {
		t.Errorf("the fund report's revisions after the round trip: %+v, %v", revs, err)
	}
	wantError("a second fund report of the region and year", b.CreatePublication(ctx,
		&store.Publication{ID: "pub-fund-2", Kind: store.PubFundReport, RegionCode: "220100", Year: 2025},
		&store.Revision{Title: "重复"}), store.ECONFLICT)
	live, total, err := b.ListPublished(ctx, store.PublishedFilter{WithTombstones: true})
	if err != nil || total != 2 || len(live) != 2 || live[1].Publication.ID != "pub-news" || live[1].Live != nil ||
		live[1].Publication.WithdrawnReason != "内容有误" {
		t.Errorf("published after the round trip: %+v (total %d), %v; want pub-fund and the pub-news tombstone", live, total, err)
	}
	if imported, err := b.PublicationBySource(ctx, "old-site/2019/0042"); err != nil || imported.ID != "pub-imported" ||
		imported.FromCaseID != "case-003" {
		t.Errorf("the imported announcement after the round trip: %+v, %v", imported, err)
	}
	if revs, err := b.Revisions(ctx, "pub-notice"); err != nil || len(revs) != 1 || revs[0].ReturnNote != "请写明听证时间" ||
		revs[0].Status != store.RevDraft {
		t.Errorf("the returned notice after the round trip: %+v, %v", revs, err)
	}
}

// TestMigrateDataHashCoversEveryField guards the verification of migrate-data: a
// field of a case, an event or a message that the content hash left out
// could differ between source and destination unnoticed.
func TestMigrateDataHashCoversEveryField(t *testing.T) {
	at := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	c := &store.Case{ID: "c", Number: "2026-000001", Year: 2026, Seq: 1, Kind: store.KindReport,
		InsuranceTypes: []string{"pension"}, ReporterSealed: []byte{1}, AccessCodeHash: []byte{2},
		DueAt: at, CreatedAt: at, UpdatedAt: at, Version: 3}
	events := []store.Event{{ID: "e", CaseID: "c", At: at, Action: store.ActionAssign, Internal: true}}
	msgs := []store.Message{{ID: "m", CaseID: "c", At: at, Author: store.AuthorNote, Body: "内部"}}
	want := caseHash(c, events, msgs)

	check := func(what string, v reflect.Value, hash func() string, skip ...string) {
		t.Helper()
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			if slices.Contains(skip, name) {
				continue
			}
			f := v.Field(i)
			saved := reflect.New(f.Type()).Elem()
			saved.Set(f)
			if !perturb(f) {
				t.Errorf("%s.%s: cannot change a %s; extend perturb", what, name, f.Type())
				continue
			}
			if hash() == want {
				t.Errorf("a change of %s.%s leaves the content hash as it was", what, name)
			}
			f.Set(saved)
		}
	}
	h := func() string { return caseHash(c, events, msgs) }
	// IndexedVersion belongs to each installation's own search index.
	check("Case", reflect.ValueOf(c).Elem(), h, "IndexedVersion")
	check("Event", reflect.ValueOf(&events[0]).Elem(), h)
	check("Message", reflect.ValueOf(&msgs[0]).Elem(), h)
	c.IndexedVersion++
	if h() != want {
		t.Error("IndexedVersion changes the content hash")
	}

	// The other areas hash whole records (contentHash): every field counts.
	quarterly := &store.QuarterlyReport{ID: "q", Rows: []store.QuarterlyRow{{Class: store.ClassMajor}}, DueAt: at}
	year := &calendarYear{Year: 2026, Entries: []store.CalendarEntry{{Date: "2026-01-01", Name: "元旦", OffDay: true}}}
	pub := &publicationRecord{Publication: &store.Publication{ID: "p", CreatedAt: at},
		Revisions: []*store.Revision{{Number: 1, InsuranceTypes: []string{"pension"},
			FundRows: []store.FundRow{{InsuranceType: "pension"}}, CreatedAt: at}}}
	for _, rec := range []struct {
		what string
		v    any // a pointer to the record whose fields are changed
		of   any // the record that is hashed, v or what holds it
	}{
		{"User", &store.User{ID: "u", TOTPSealed: []byte{1}, CreatedAt: at}, nil},
		{"AuditEntry", &store.AuditEntry{Seq: 1, At: at, Hash: "h"}, nil},
		{"ImportantReport", &store.ImportantReport{ID: "r", InsuranceTypes: []string{"pension"}, DueAt: at}, nil},
		{"QuarterlyReport", quarterly, nil},
		{"QuarterlyRow", &quarterly.Rows[0], quarterly},
		{"calendarYear", year, nil},
		{"CalendarEntry", &year.Entries[0], year},
		{"Setting", &store.Setting{Key: "k", Value: []byte("{}"), Version: 1, UpdatedAt: at}, nil},
		{"Mail", &store.Mail{ID: "m", Status: store.MailSent, CreatedAt: at}, nil},
		{"Publication", pub.Publication, pub},
		{"Revision", pub.Revisions[0], pub},
		{"FundRow", &pub.Revisions[0].FundRows[0], pub},
	} {
		of := rec.of
		if of == nil {
			of = rec.v
		}
		want = contentHash(of)
		check(rec.what, reflect.ValueOf(rec.v).Elem(), func() string { return contentHash(of) })
	}
}

// perturb changes f to a different value of its type.
func perturb(f reflect.Value) bool {
	if f.Type() == reflect.TypeFor[time.Time]() {
		f.Set(reflect.ValueOf(f.Interface().(time.Time).Add(time.Millisecond)))
		return true
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(f.String() + "x")
	case reflect.Bool:
		f.SetBool(!f.Bool())
	case reflect.Int, reflect.Int64:
		f.SetInt(f.Int() + 1)
	case reflect.Slice:
		f.Set(reflect.Append(f, reflect.Zero(f.Type().Elem())))
	case reflect.Struct:
		for i := range f.NumField() {
			if !perturb(f.Field(i)) {
				return false
			}
		}
	default:
		return false
	}
	return true
}

func TestMigrateDataReportsAChangedDestinationCaseAndDoesNotOverwriteIt(t *testing.T) {
	dir := t.TempDir()
	srcPath, dstPath := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	src, err := sqlite.Open(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	seedCases(t, src, 3)
	src.Close()
	if code, out := runMigrate(t, "sqlite:"+srcPath, "sqlite:"+dstPath); code != 0 {
		t.Fatalf("copy: exit %d\n%s", code, out)
	}
	dst, err := sqlite.Open(dstPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.UpdateCase(context.Background(), store.CaseUpdate{CaseID: "case-001", ExpectStatus: store.StatusReceived,
		Event: store.Event{ID: "x", At: time.Now(), Action: store.ActionStatus,
			FromStatus: store.StatusReceived, ToStatus: store.StatusAccepted, Actor: "u"}}); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	code, out := runMigrate(t, "sqlite:"+srcPath, "sqlite:"+dstPath)
	if code != 1 || !strings.Contains(out, "mismatched 1") || !strings.Contains(out, "2026-000002 differs") {
		t.Fatalf("want exit 1 and the changed case named; got %d\n%s", code, out)
	}
	dst, _ = sqlite.Open(dstPath)
	defer dst.Close()
	if c, err := dst.CaseByID(context.Background(), "case-001"); err != nil || c.Status != store.StatusAccepted {
		t.Errorf("the destination's changed case was overwritten: %v %v", c, err)
	}
}

// copiedPair seeds a SQLite source with seedAdmin (and one case), copies
// it into a second SQLite file and returns both paths. SQLite on both sides
// keeps these tests fast; the round trip through MongoDB is above.
func copiedPair(t *testing.T) (srcPath, dstPath string) {
	t.Helper()
	dir := t.TempDir()
	srcPath, dstPath = filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	src, err := sqlite.Open(srcPath)
	if err != nil {
		t.Fatal(err)
	}
	seedCases(t, src, 1)
	seedAdmin(t, src)
	src.Close()
	if code, out := runMigrate(t, "sqlite:"+srcPath, "sqlite:"+dstPath); code != 0 {
		t.Fatalf("copy: exit %d\n%s", code, out)
	}
	return srcPath, dstPath
}

// withStore opens the SQLite file at path, runs fn on it and closes it.
func withStore(t *testing.T, path string, fn func(s store.Store)) {
	t.Helper()
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fn(s)
}

func TestMigrateDataReportsAChangedDestinationUserAndDoesNotOverwriteIt(t *testing.T) {
	srcPath, dstPath := copiedPair(t)
	ctx := context.Background()
	at := adminBase.Add(24 * time.Hour)
	withStore(t, dstPath, func(dst store.Store) {
		u, err := dst.UserByID(ctx, "user-leader")
		if err != nil {
			t.Fatal(err)
		}
		u.Name, u.UpdatedAt = "在新库改过的名字", at
		if err := dst.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		// Someone else took a username in the destination that a later
		// source user has.
		if err := dst.CreateUser(ctx, &store.User{ID: "user-dst-own", Username: "zhou.qi", Role: store.RoleHandler,
			CreatedAt: at, UpdatedAt: at, PasswordChangedAt: at}); err != nil {
			t.Fatal(err)
		}
	})
	withStore(t, srcPath, func(src store.Store) {
		if err := src.CreateUser(ctx, &store.User{ID: "user-src-new", Username: "Zhou.Qi", Role: store.RoleLeader,
			CreatedAt: at, UpdatedAt: at, PasswordChangedAt: at}); err != nil {
			t.Fatal(err)
		}
	})

	code, out := runMigrate(t, "sqlite:"+srcPath, "sqlite:"+dstPath)
	for _, line := range []string{
		"source users 4, copied 0, already present 2, mismatched 2, destination users 4",
		"user wang.ju (user-leader) differs between source and destination; not overwritten",
		"user zhou.qi (user-src-new) clashes with another record in the destination; not copied",
		"source cases 1, copied 0, already present 1, mismatched 0",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("no line %q in\n%s", line, out)
		}
	}
	if code != 1 || strings.Contains(out, "verified: every source record") {
		t.Errorf("exit %d, want 1 and no claim of verification:\n%s", code, out)
	}
	withStore(t, dstPath, func(dst store.Store) {
		if u, err := dst.UserByID(ctx, "user-leader"); err != nil || u.Name != "在新库改过的名字" || u.Version != 3 {
			t.Errorf("the destination's changed user was overwritten: %+v, %v", u, err)
		}
		if u, err := dst.UserByUsername(ctx, "zhou.qi"); err != nil || u.ID != "user-dst-own" {
			t.Errorf("the destination's own zhou.qi: %+v, %v", u, err)
		}
	})
}

func TestMigrateDataStopsTheAuditCopyWhereTheLogsDiverge(t *testing.T) {
	srcPath, dstPath := copiedPair(t)
	ctx := context.Background()
	appendAudit := func(s store.Store, action string, n int) {
		t.Helper()
		for i := range n {
			if err := s.AppendAudit(ctx, &store.AuditEntry{At: adminBase.Add(time.Duration(24+i) * time.Hour),
				ActorName: "system", Action: action}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Both installations went on after the copy: the logs diverge at 7.
	withStore(t, srcPath, func(src store.Store) { appendAudit(src, "source.later", 3) })
	withStore(t, dstPath, func(dst store.Store) { appendAudit(dst, "destination.own", 1) })
	var before []store.AuditEntry
	withStore(t, dstPath, func(dst store.Store) { before = auditLog(t, dst) })

	code, out := runMigrate(t, "sqlite:"+srcPath, "sqlite:"+dstPath)
	for _, line := range []string{
		"source audit entries 9, copied 0, already present 6, mismatched 1, destination audit entries 7",
		"audit entry 7 differs between source and destination; not overwritten",
		"2 audit entries after entry 7 not copied",
		"audit chain verified on the destination: 7 entries, intact",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("no line %q in\n%s", line, out)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	withStore(t, dstPath, func(dst store.Store) {
		if after := auditLog(t, dst); !slices.Equal(after, before) {
			t.Errorf("the destination's log changed: %d entries before, %d after", len(before), len(after))
		}
	})
}

func TestMigrateDataCopiesABrokenAuditChainAsItIsAndSaysSo(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	// A chain made by AppendAudit, whose entry 2 was edited afterwards.
	var entries []store.AuditEntry
	withStore(t, filepath.Join(dir, "scratch.db"), func(s store.Store) {
		for i := range 3 {
			if err := s.AppendAudit(ctx, &store.AuditEntry{At: adminBase.Add(time.Duration(i) * time.Minute),
				ActorName: "admin.li", Action: "case.accept", Detail: fmt.Sprintf("受理 %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
		entries = auditLog(t, s)
	})
	entries[1].Detail = "事后改过"
	srcPath, dstPath := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db")
	withStore(t, srcPath, func(src store.Store) {
		for _, e := range entries {
			if err := src.ImportAuditEntry(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	})

	code, out := runMigrate(t, "sqlite:"+srcPath, "sqlite:"+dstPath)
	if code != 1 || !strings.Contains(out, "source audit entries 3, copied 3, already present 0, mismatched 0") ||
		!strings.Contains(out, "the destination's audit chain is broken at entry 2 (the 1 entries before it are sound); "+
			"the source's chain is broken at entry 2 too, and was copied as it is") {
		t.Errorf("want exit 1, the entries copied and the break named in both; got %d\n%s", code, out)
	}
	withStore(t, dstPath, func(dst store.Store) {
		if got := auditLog(t, dst); !slices.Equal(got, entries) {
			t.Errorf("the copy is not the source's log as it is:\n\tgot  %+v\n\twant %+v", got, entries)
		}
	})
}

// auditLog is the whole audit log of s, in Seq order.
func auditLog(t *testing.T, s store.Store) []store.AuditEntry {
	t.Helper()
	var out []store.AuditEntry
	for after := int64(0); ; {
		page, err := s.AuditEntries(context.Background(), after, store.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Seq
	}
}

func TestMigrateDataRefusesBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--from", "sqlite:a.db"},
		{"--from", "sqlite:a.db", "--to", "sqlite:a.db"},
	} {
		if code := migrateData(context.Background(), args, &bytes.Buffer{}); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code := migrateData(context.Background(), []string{"--from", "postgres:x", "--to", "sqlite:" + filepath.Join(t.TempDir(), "b.db")}, &bytes.Buffer{}); code != 1 {
		t.Errorf("unknown store kind: exit %d, want 1", code)
	}
}

// withDatabase puts name as the database path of a MongoDB URI.
func withDatabase(uri, name string) string {
	base, query, _ := strings.Cut(uri, "?")
	scheme, rest, _ := strings.Cut(base, "://")
	host, _, _ := strings.Cut(rest, "/")
	out := scheme + "://" + host + "/" + name
	if query != "" {
		out += "?" + query
	}
	return out
}
