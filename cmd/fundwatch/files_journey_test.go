package main

// The evidence-file journey: a reporter attaches a photo taken with a phone
// (its Exif holds where it was taken) and a PDF to a report; a handler sees
// them on the case page, downloads both and replies with a file; the
// reporter downloads that file on the follow-up page. Runs on both stores
// (FUNDWATCH_TEST_STORE), so GridFS is exercised on FerretDB.

import (
	"bytes"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"fundwatch/casework/evidence/evidencetest"
)

// journeyGPS is planted in the test photo's GPS data (evidencetest.PhonePhoto).
const journeyGPS = "GPS-43.8868N-125.3245E"

// fileLink is a download link of a files table: its text and address.
type fileLink struct {
	Name string `json:"name"`
	Href string `json:"href"`
}

// fileLinks lists the download links of the files table under sel.
func (j *journey) fileLinks(sel string) []fileLink {
	j.t.Helper()
	links, err := chromedp.Run(j.ctx, chromedp.Evaluate[[]fileLink](`Array.from(document.querySelectorAll(`+jsString(sel+" a[download]")+
		`)).map(a => ({name: a.textContent.trim(), href: a.getAttribute("href")}))`))
	if err != nil {
		j.fail("list the files", err)
	}
	return links
}

// downloadFile fetches the file linked as name from the table under sel.
func (j *journey) downloadFile(sel, name string) fetched {
	j.t.Helper()
	for _, l := range j.fileLinks(sel) {
		if l.Name == name {
			return j.download(chromedp.CSS(`a[href="` + l.Href + `"]`))
		}
	}
	j.t.Fatalf("no download link named %q in %s: %v", name, sel, j.fileLinks(sel))
	return fetched{}
}

func journeyEvidenceFiles(t *testing.T, b *browser) {
	start := time.Now()
	in := newInstallation(t)
	handler := in.addStaff("zhangwen", "handler", "220100", "张文", true)
	base := in.start()
	dir := t.TempDir()
	photo, statement, notice := evidencetest.PhonePhoto(journeyGPS), evidencetest.PDF("wage statement"), evidencetest.PDF("inspection notice")
	paths := map[string][]byte{"现场照片.jpg": photo, "工资明细.pdf": statement, "核查通知书.pdf": notice}
	for name, data := range paths {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// The reporter files with a photo and a PDF, on a phone.
	citizen := b.journey(t, base, "files-citizen", tabOpts{phone: true})
	citizen.open("/report")
	citizen.fillReport(report{idNumber: reporterID, description: goodDesc})
	citizen.fits("report form")
	citizen.do("choose the evidence files", chromedp.SetUploadFiles(byID("files"),
		[]string{filepath.Join(dir, "现场照片.jpg"), filepath.Join(dir, "工资明细.pdf")}))
	if st := citizen.follow("submit the report with files", chromedp.CSS(`#report-form button[type="submit"]`)).Status; st != 200 {
		t.Fatalf("submit: status %d; page: %s", st, shorten(citizen.pageText(), 400))
	}
	number, code := citizen.readReceipt()
	citizen.wantText(byID("receipt-files"), "现场照片.jpg", "工资明细.pdf")
	citizen.fits("receipt with files")
	citizen.shot("receipt-with-files")

	// The handler sees both, downloads them, and replies with a file.
	staff := b.journey(t, base, "files-handler", tabOpts{})
	staff.adminLogin(handler)
	staff.openCase(number)
	staff.wantText(byID("files"), "现场照片.jpg", "JPEG 图片", "工资明细.pdf", "PDF 文档", "举报人")
	staff.shot("case-files")
	got := staff.downloadFile("#files", "现场照片.jpg")
	if got.Status != 200 || got.Type != "image/jpeg" || !strings.HasPrefix(got.Disposition, "attachment;") {
		t.Fatalf("photo download: status %d type %q disposition %q", got.Status, got.Type, got.Disposition)
	}
	if bytes.Contains(got.body(), []byte(journeyGPS)) || bytes.Contains(got.body(), evidencetest.GPSPointer) {
		t.Error("the handler's copy of the photo still holds the GPS data")
	}
	if _, err := jpeg.Decode(bytes.NewReader(got.body())); err != nil {
		t.Errorf("the downloaded photo does not decode: %v", err)
	}
	if got := staff.downloadFile("#files", "工资明细.pdf"); got.Status != 200 || !bytes.Equal(got.body(), statement) {
		t.Errorf("PDF download: status %d, %d bytes (want the %d sent)", got.Status, len(got.body()), len(statement))
	}
	staff.action("reply", func() {
		staff.do("type the reply and choose the file",
			chromedp.SendKeys(byID("reply-body"), "已收到您提供的照片和工资明细，现将核查通知书发给您。"),
			chromedp.SetUploadFiles(byID("reply-files"), []string{filepath.Join(dir, "核查通知书.pdf")}))
	}, "答复已发送")
	staff.wantText(byID("files"), "核查通知书.pdf", "张文")

	// The reporter downloads the handler's file.
	citizen.open("/followup")
	citizen.do("type number and code", chromedp.SendKeys(byID("number"), number), chromedp.SendKeys(byID("code"), code))
	citizen.follow("follow up", chromedp.CSS(`form[action="/followup"] button[type="submit"]`))
	citizen.wantText(byID("files"), "现场照片.jpg", "工资明细.pdf", "核查通知书.pdf", "承办人员")
	citizen.fits("follow-up with files")
	citizen.shot("followup-files")
	if got := citizen.downloadFile("#files", "核查通知书.pdf"); got.Status != 200 || got.Type != "application/pdf" ||
		!bytes.Equal(got.body(), notice) || !strings.Contains(got.Disposition, "filename*=UTF-8''") {
		t.Errorf("the reporter's download: status %d type %q disposition %q, %d bytes", got.Status, got.Type, got.Disposition, len(got.body()))
	}
	if got := citizen.downloadFile("#files", "现场照片.jpg"); bytes.Contains(got.body(), []byte(journeyGPS)) {
		t.Error("the reporter's copy of the photo holds the GPS data")
	}
	t.Logf("journey took %s", time.Since(start).Round(time.Millisecond))
}
