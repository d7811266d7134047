package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/casework/evidence/evidencetest"
	"fundwatch/store"
)

// TestPurgeCommand runs `fundwatch purge --dry-run` and `fundwatch purge`
// beside a running server: a case that ended six years ago is listed, then
// loses its reporter identity and its file (audited); the follow-up API
// still shows the case and names the file as removed.
func TestPurgeCommand(t *testing.T) {
	ctx := context.Background()
	in := newInstallation(t)
	base := in.start()
	data, storeArgs := in.args[1], in.args[2:]
	db := crashOpenStore(t, data, storeArgs)
	defer db.Close()
	blobs := crashBlobs(t, db, data)
	defer blobs.Close()
	regions := casework.DefaultRegions()
	then := time.Now().AddDate(-6, 0, 0)
	svc := &caseflow.Service{Store: db, Blobs: blobs, Keyring: crashKeyring(t, data), Regions: regions,
		Rules: caseflow.DefaultRules(), Clock: func() time.Time { return then }}
	up, err := svc.StoreUpload(ctx, "工资明细.pdf", bytes.NewReader(evidencetest.PDFOfSize("", 4<<10)), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.FileCase(ctx, caseflow.Filing{Kind: store.KindReport, ReporterType: store.ReporterCitizen,
		Category: "unpaid_contributions", InsuranceTypes: []string{"pension"}, RegionCode: "220102",
		Subject: store.Party{Name: "某某物流有限公司"}, Description: "该公司未为全部职工缴纳养老保险，工资明细附后。",
		Identity:       &casework.ReporterIdentity{Name: "王立新", IDNumber: "11010519491231002X", Phone: "13812345678"},
		IdempotencyKey: "purge-command-test-0001", Digest: "test", Files: []store.Attachment{up}})
	if err != nil {
		t.Fatal(err)
	}
	number, code := r.Case.Number, r.AccessCode
	if _, err := svc.Transition(ctx, caseflow.SystemActor("test", regions), r.Case.ID, caseflow.TransitionInput{
		To: store.StatusRejected, Version: r.Case.Version, Note: "经审查，不属于社会保险基金监督受理范围。"}); err != nil {
		t.Fatal(err)
	}

	exit, out := in.command("", "purge", "--dry-run")
	if exit != 0 || !strings.Contains(out, "would purge "+number+": ended "+then.In(store.CST).Format(time.DateOnly)+", identity and 1 files") ||
		!strings.Contains(out, "would purge 1 cases") {
		t.Fatalf("purge --dry-run: exit %d\n%s", exit, out)
	}
	if c, _ := db.CaseByID(ctx, r.Case.ID); len(c.ReporterSealed) == 0 {
		t.Fatal("--dry-run removed the identity")
	}

	exit, out = in.command("", "purge")
	if exit != 0 || !strings.Contains(out, "purged "+number) || !strings.Contains(out, "purged 1 cases") {
		t.Fatalf("purge: exit %d\n%s", exit, out)
	}
	c, err := db.CaseByID(ctx, r.Case.ID)
	if err != nil || len(c.ReporterSealed) != 0 {
		t.Fatalf("after the purge the case holds %d bytes of identity (%v)", len(c.ReporterSealed), err)
	}
	if _, err := blobs.OpenBlob(ctx, up.ID); store.ErrorCode(err) != store.ENOTFOUND {
		t.Errorf("the file's blob after the purge: %v", err)
	}
	entries, err := db.AuditEntries(ctx, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, e := range entries {
		audited = audited || (e.Action == caseflow.AuditPurge && e.TargetID == r.Case.ID)
	}
	if !audited {
		t.Error("the purge is not in the audit log")
	}

	// The reporter still finds the case; the file is listed as removed.
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/reports/"+number, nil)
	req.Header.Set("X-Access-Code", code)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var view struct {
		Files []struct {
			ID       string
			PurgedAt *time.Time
		}
	}
	if err := json.Unmarshal(body, &view); err != nil || resp.StatusCode != http.StatusOK ||
		len(view.Files) != 1 || view.Files[0].PurgedAt == nil {
		t.Errorf("follow-up after the purge: status %d %s", resp.StatusCode, body)
	}

	if exit, out = in.command("", "purge"); exit != 0 || !strings.Contains(out, "purged 0 cases") {
		t.Errorf("a second purge: exit %d\n%s", exit, out)
	}
}
