package admin

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"fundwatch/casework"
	"fundwatch/casework/caseflow"
	"fundwatch/casework/evidence/evidencetest"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// fileCaseWithFile files a case in region with one PDF from the reporter.
func (e *adminEnv) fileCaseWithFile(region, name string, data []byte) (*store.Case, store.Attachment) {
	e.t.Helper()
	ctx := context.Background()
	up, err := e.svc.StoreUpload(ctx, name, bytes.NewReader(data), 1<<20)
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := e.svc.FileCase(ctx, caseflow.Filing{
		Kind: store.KindReport, ReporterType: store.ReporterCitizen, Category: "unpaid_contributions",
		InsuranceTypes: []string{"pension"}, RegionCode: region, Subject: store.Party{Name: "某某商贸有限公司"},
		Description: "该公司少报缴费基数，长期按最低基数为职工申报养老保险。", Anonymous: true,
		IdempotencyKey: web.NewToken(), Digest: "test", Files: []store.Attachment{up},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return r.Case, up
}

// postFiles posts a multipart form with files from the case page.
func (cl *client) postFiles(path string, fields url.Values, name string, data []byte) (*http.Response, string) {
	cl.e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if name != "" {
		w, _ := mw.CreateFormFile("files", name)
		w.Write(data)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return cl.do(req)
}

var adminFileLink = regexp.MustCompile(`href="/admin/cases/[0-9a-z]+/files/([0-9a-z]{26})"[^>]*>([^<]+)</a>`)

func TestCaseFilesForHandlers(t *testing.T) {
	e := newAdminEnv(t)
	h := e.addUser("wenjian", store.RoleHandler, "220100")
	cs, up := e.fileCaseWithFile("220102", "工资表.pdf", evidencetest.PDF("wages"))
	other, otherFile := e.fileCaseWithFile("220200", "外地材料.pdf", evidencetest.PDF("elsewhere"))
	cl := e.client()
	cl.login(h)

	// The case page lists the reporter's file; the download is audited.
	_, page := cl.get("/admin/cases/" + cs.ID)
	links := adminFileLink.FindAllStringSubmatch(page, -1)
	if len(links) != 1 || links[0][1] != up.ID || links[0][2] != "工资表.pdf" {
		t.Fatalf("case page links %v", links)
	}
	before := len(e.auditActions())
	resp, body := cl.get("/admin/cases/" + cs.ID + "/files/" + up.ID)
	if resp.StatusCode != http.StatusOK || body != string(evidencetest.PDF("wages")) {
		t.Fatalf("download: status %d, %d bytes", resp.StatusCode, len(body))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") ||
		resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download headers %v", resp.Header)
	}
	actions := e.auditActions()
	if len(actions) != before+1 || actions[len(actions)-1] != caseflow.AuditFileDownload {
		t.Errorf("audit after the download: %v", actions[before:])
	}

	// Another region's case, and its file through this case, are not there.
	for _, path := range []string{
		"/admin/cases/" + other.ID + "/files/" + otherFile.ID,
		"/admin/cases/" + cs.ID + "/files/" + otherFile.ID,
		"/admin/cases/" + cs.ID + "/files/not-an-id",
	} {
		if resp, _ := cl.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
		}
	}
	if n := len(e.auditActions()); n != before+1 {
		t.Errorf("refused downloads were audited: %d entries", n-before-1)
	}

	// A reply with a file; the handler then hides it and shows it again.
	cl.act(cs.ID, "accept", url.Values{"note": {"受理。"}})
	_, page = cl.get("/admin/cases/" + cs.ID)
	token := csrfField.FindStringSubmatch(page)[1]
	resp, body = cl.postFiles("/admin/cases/"+cs.ID+"/reply", url.Values{"_csrf": {token}, "idem": {web.NewToken()},
		"body": {"已收到您提供的工资表，附核查通知书。"}}, "核查通知书.pdf", evidencetest.PDF("notice"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply with a file: status %d\n%s", resp.StatusCode, body)
	}
	files, err := e.st.CaseFiles(context.Background(), cs.ID)
	if err != nil || len(files) != 2 {
		t.Fatalf("files %v %v", files, err)
	}
	sent := files[1]
	if sent.Author != store.AuthorHandler || sent.Actor != h.User.ID || sent.HiddenFromReporter || sent.MessageID == "" {
		t.Errorf("the reply's file: %+v", sent)
	}
	if got, err := e.svc.ReporterFiles(context.Background(), e.mustGetCase(cs.ID)); err != nil || len(got) != 2 {
		t.Errorf("the reporter sees %d files, want 2 (%v)", len(got), err)
	}
	resp, _ = cl.postWith("/admin/cases/"+cs.ID, "/admin/cases/"+cs.ID+"/files/"+sent.ID+"/hide", url.Values{"hidden": {"true"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("hide: status %d", resp.StatusCode)
	}
	if got, _ := e.svc.ReporterFiles(context.Background(), e.mustGetCase(cs.ID)); len(got) != 1 {
		t.Errorf("after hiding the reporter sees %d files, want 1", len(got))
	}
	// The reporter's own file cannot be hidden from them.
	resp, body = cl.postWith("/admin/cases/"+cs.ID, "/admin/cases/"+cs.ID+"/files/"+up.ID+"/hide", url.Values{"hidden": {"true"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不能对其隐藏") {
		t.Errorf("hiding the reporter's file: status %d", resp.StatusCode)
	}

	// A refused file in a note stores nothing and keeps the text.
	_, page = cl.get("/admin/cases/" + cs.ID)
	token = csrfField.FindStringSubmatch(page)[1]
	resp, body = cl.postFiles("/admin/cases/"+cs.ID+"/note", url.Values{"_csrf": {token}, "idem": {web.NewToken()},
		"body": {"内部：用人单位提供的材料见附件。"}}, "材料.pdf", []byte("MZ\x90\x00 not a pdf"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "文件“材料.pdf”的类型不受支持") ||
		!strings.Contains(body, "用人单位提供的材料见附件") {
		t.Errorf("refused note file: status %d", resp.StatusCode)
	}
	if files, _ := e.st.CaseFiles(context.Background(), cs.ID); len(files) != 2 {
		t.Errorf("%d files after the refused note, want 2", len(files))
	}
}

func TestUploadRoutesCheckTheRoleBeforeReading(t *testing.T) {
	e := newAdminEnv(t)
	cs, _ := e.fileCaseWithFile("220102", "a.pdf", evidencetest.PDF("a"))
	viewer := e.addUser("gongkai", store.RolePublisher, "220000")
	if casework.RoleAllows(viewer.User.Role, casework.PermReplyCase) {
		t.Fatal("the publisher may reply: pick another role")
	}
	puts := &countingBlobs{BlobStore: e.svc.Blobs}
	e.svc.Blobs = puts
	cl := e.client()
	cl.login(viewer)
	resp, _ := cl.postFiles("/admin/cases/"+cs.ID+"/reply", url.Values{"body": {"答复"}}, "x.pdf", evidencetest.PDF("x"))
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", resp.StatusCode)
	}
	anon := e.client()
	resp, _ = anon.postFiles("/admin/cases/"+cs.ID+"/reply", url.Values{"body": {"答复"}}, "x.pdf", evidencetest.PDF("x"))
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("signed out: status %d, want 403 (a form of an ended session)", resp.StatusCode)
	}
	files, err := e.st.CaseFiles(context.Background(), cs.ID)
	if err != nil || len(files) != 1 {
		t.Errorf("files %d %v", len(files), err)
	}
	if puts.n.Load() != 0 {
		t.Errorf("%d files were stored for requests refused by role or session", puts.n.Load())
	}
}

// countingBlobs counts PutBlob calls.
type countingBlobs struct {
	store.BlobStore
	n atomic.Int64
}

func (c *countingBlobs) PutBlob(ctx context.Context, id string, r io.Reader) (int64, error) {
	c.n.Add(1)
	return c.BlobStore.PutBlob(ctx, id, r)
}
