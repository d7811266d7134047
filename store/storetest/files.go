package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"fundwatch/store"
)

// newFile is a file record with every field set, so a field a backend
// forgets shows up as a difference.
func newFile(id string, at time.Time, author string) store.Attachment {
	f := store.Attachment{
		ID:        id,
		Name:      "现场照片（" + id + "）😀.jpg",
		Type:      "image/jpeg",
		Size:      1_234_567,
		SHA256:    bytes.Repeat([]byte{0xab}, 32),
		SealedKey: append([]byte{1}, bytes.Repeat([]byte(id), 4)...),
		Author:    author,
		At:        at,
	}
	if author == store.AuthorHandler {
		f.Actor = "user-7"
		f.HiddenFromReporter = true
	}
	return f
}

func fileDiff(want, got store.Attachment) string {
	d := &differ{}
	d.field("ID", want.ID, got.ID)
	d.field("CaseID", want.CaseID, got.CaseID)
	d.field("MessageID", want.MessageID, got.MessageID)
	d.field("Name", want.Name, got.Name)
	d.field("Type", want.Type, got.Type)
	d.field("Size", want.Size, got.Size)
	d.field("SHA256", fmt.Sprintf("%x", want.SHA256), fmt.Sprintf("%x", got.SHA256))
	d.field("SealedKey", fmt.Sprintf("%x", want.SealedKey), fmt.Sprintf("%x", got.SealedKey))
	d.field("Author", want.Author, got.Author)
	d.field("Actor", want.Actor, got.Actor)
	d.field("HiddenFromReporter", want.HiddenFromReporter, got.HiddenFromReporter)
	d.time("At", want.At, got.At)
	d.optionalTime("PurgedAt", want.PurgedAt, got.PurgedAt)
	return d.String()
}

func checkFiles(t *testing.T, what string, want, got []store.Attachment) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d files, want %d", what, len(got), len(want))
	}
	for i := range want {
		if d := fileDiff(want[i], got[i]); d != "" {
			t.Errorf("%s[%d]:\n\t%s", what, i, d)
		}
	}
}

func mustFiles(t *testing.T, s store.Store, caseID string) []store.Attachment {
	t.Helper()
	files, err := s.CaseFiles(t.Context(), caseID)
	if err != nil {
		t.Fatalf("CaseFiles(%q): %v", caseID, err)
	}
	return files
}

func testFiles(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("files come with their case and their message", func(t *testing.T) {
		s := open(t)
		c := newCase("case-files", at(0))
		c.Files = []store.Attachment{newFile("file-1", at(0), store.AuthorReporter), newFile("file-2", at(0), store.AuthorReporter)}
		mustCreate(t, s, c)
		m := store.Message{ID: "msg-files", CaseID: c.ID, At: at(time.Hour), Author: store.AuthorHandler, Body: "请查收",
			Actor: "user-7", Files: []store.Attachment{newFile("file-3", at(time.Hour), store.AuthorHandler)}}
		if err := s.AddMessage(t.Context(), &m); err != nil {
			t.Fatal(err)
		}
		var want []store.Attachment
		for _, f := range append(append([]store.Attachment{}, c.Files...), m.Files...) {
			f.CaseID = c.ID
			if f.ID == "file-3" {
				f.MessageID = m.ID
			}
			want = append(want, f)
		}
		checkFiles(t, "CaseFiles", want, mustFiles(t, s, c.ID))
		got, err := s.CaseFile(t.Context(), c.ID, "file-3")
		if err != nil {
			t.Fatal(err)
		}
		checkFiles(t, "CaseFile", want[2:], []store.Attachment{*got})
		if v := mustGet(t, s, c.ID).Version; v != 2 {
			t.Errorf("Version %d after the case and one message, want 2", v)
		}
		if len(mustGet(t, s, c.ID).Files) != 0 {
			t.Error("CaseByID filled Files; reads leave it empty")
		}
		plain := mustCreate(t, s, newCase("case-without-files", at(time.Minute)))
		if files := mustFiles(t, s, plain.ID); len(files) != 0 {
			t.Errorf("a case without files has %d", len(files))
		}
	})

	t.Run("ImportCase carries the files of the case and of its messages, purged ones too", func(t *testing.T) {
		src := open(t)
		c := newCase("case-import-files", at(0))
		c.Anonymous = false
		c.ReporterSealed = []byte("sealed identity")
		c.Files = []store.Attachment{newFile("file-i1", at(0), store.AuthorReporter), newFile("file-i2", at(0), store.AuthorReporter)}
		mustCreate(t, src, c)
		m := store.Message{ID: "msg-import-files", CaseID: c.ID, At: at(time.Hour), Author: store.AuthorHandler, Body: "请查收",
			Actor: "user-7", Files: []store.Attachment{newFile("file-i3", at(time.Hour), store.AuthorHandler)}}
		if err := src.AddMessage(t.Context(), &m); err != nil {
			t.Fatal(err)
		}
		if _, err := src.PurgeCaseIdentity(t.Context(), c.ID, at(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		// What migrate-data reads: the case and its messages with their
		// files attached.
		full := mustGet(t, src, c.ID)
		files := mustFiles(t, src, c.ID)
		msgs := mustMessages(t, src, c.ID)
		for _, f := range files {
			if f.MessageID == "" {
				full.Files = append(full.Files, f)
			}
			for i := range msgs {
				if msgs[i].ID == f.MessageID {
					msgs[i].Files = append(msgs[i].Files, f)
				}
			}
		}
		dst := open(t)
		if err := dst.ImportCase(t.Context(), full, mustEvents(t, src, c.ID), msgs); err != nil {
			t.Fatalf("ImportCase: %v", err)
		}
		checkFiles(t, "CaseFiles after import", files, mustFiles(t, dst, c.ID))
		if known, err := dst.FilesKnown(t.Context(), []string{"file-i1", "file-i3"}); err != nil || !known["file-i1"] || !known["file-i3"] {
			t.Errorf("FilesKnown after import: %v, %v", known, err)
		}
	})

	t.Run("a file is found only with its own case", func(t *testing.T) {
		s := open(t)
		a := newCase("case-a", at(0))
		a.Files = []store.Attachment{newFile("file-a", at(0), store.AuthorReporter)}
		mustCreate(t, s, a)
		mustCreate(t, s, newCase("case-b", at(time.Minute)))
		for _, tc := range []struct{ caseID, fileID string }{{"case-b", "file-a"}, {"case-a", "file-x"}, {"case-x", "file-a"}, {"", ""}} {
			_, err := s.CaseFile(t.Context(), tc.caseID, tc.fileID)
			wantCode(t, "CaseFile("+tc.caseID+", "+tc.fileID+")", err, store.ENOTFOUND)
			if store.ErrorMessage(err) != store.MsgFileNotFound {
				t.Errorf("CaseFile(%s, %s): message %q, want %q", tc.caseID, tc.fileID, store.ErrorMessage(err), store.MsgFileNotFound)
			}
			wantCode(t, "SetFileHidden("+tc.caseID+", "+tc.fileID+")",
				s.SetFileHidden(t.Context(), tc.caseID, tc.fileID, true, at(time.Hour)), store.ENOTFOUND)
		}
		_, err := s.CaseFiles(t.Context(), "case-x")
		wantCode(t, "CaseFiles of a missing case", err, store.ENOTFOUND)
	})

	t.Run("a file without id or key is refused with what it came with", func(t *testing.T) {
		s := open(t)
		c := newCase("case-bad-file", at(0))
		bad := newFile("file-bad", at(0), store.AuthorReporter)
		bad.SealedKey = nil
		c.Files = []store.Attachment{newFile("file-good", at(0), store.AuthorReporter), bad}
		wantCode(t, "CreateCase with a keyless file", s.CreateCase(t.Context(), c, firstEvent(c)), store.EINVALID)
		if n := countCases(t, s); n != 0 {
			t.Errorf("%d cases stored after a refused create", n)
		}
		if known, err := s.FilesKnown(t.Context(), []string{"file-good"}); err != nil || known["file-good"] {
			t.Errorf("the good file of a refused create is known (%v)", err)
		}
		c2 := mustCreate(t, s, newCase("case-ok", at(time.Minute)))
		m := store.Message{ID: "msg-bad", CaseID: c2.ID, At: at(time.Hour), Author: store.AuthorReporter,
			Files: []store.Attachment{{ID: "", SealedKey: []byte{1}}}}
		wantCode(t, "AddMessage with an id-less file", s.AddMessage(t.Context(), &m), store.EINVALID)
		if n := len(mustMessages(t, s, c2.ID)); n != 0 {
			t.Errorf("%d messages stored after a refused message", n)
		}
	})

	t.Run("hiding a file bumps the case", func(t *testing.T) {
		s := open(t)
		c := newCase("case-hide", at(0))
		c.Files = []store.Attachment{newFile("file-h", at(0), store.AuthorReporter)}
		mustCreate(t, s, c)
		for i, hidden := range []bool{true, false, true} {
			if err := s.SetFileHidden(t.Context(), c.ID, "file-h", hidden, at(time.Duration(i+1)*time.Hour)); err != nil {
				t.Fatal(err)
			}
			f, err := s.CaseFile(t.Context(), c.ID, "file-h")
			if err != nil || f.HiddenFromReporter != hidden {
				t.Fatalf("after SetFileHidden(%v): %+v, %v", hidden, f, err)
			}
			got := mustGet(t, s, c.ID)
			if got.Version != int64(i+2) || !got.UpdatedAt.Equal(at(time.Duration(i+1)*time.Hour)) {
				t.Errorf("after SetFileHidden(%v): Version %d UpdatedAt %s", hidden, got.Version, got.UpdatedAt)
			}
		}
	})

	t.Run("FilesKnown names the recorded files only", func(t *testing.T) {
		s := open(t)
		var ids []string
		for i := range 3 {
			c := newCase(fmt.Sprintf("case-known-%d", i), at(time.Duration(i)*time.Minute))
			for j := range 2 {
				id := fmt.Sprintf("file-%d-%d", i, j)
				c.Files = append(c.Files, newFile(id, c.CreatedAt, store.AuthorReporter))
				ids = append(ids, id)
			}
			mustCreate(t, s, c)
		}
		query := append([]string{"stray-1", "", "stray-2"}, ids...)
		query = append(query, ids[0])
		known, err := s.FilesKnown(t.Context(), query)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if !known[id] {
				t.Errorf("%s not known", id)
			}
		}
		if len(known) != len(ids) {
			t.Errorf("FilesKnown named %d ids, want %d: %v", len(known), len(ids), known)
		}
		if known, err := s.FilesKnown(t.Context(), nil); err != nil || len(known) != 0 {
			t.Errorf("FilesKnown(nil) = %v, %v", known, err)
		}
	})

	t.Run("purging removes the identity and the file keys once", func(t *testing.T) {
		s := open(t)
		c := newCase("case-purge", at(0))
		c.Anonymous = false
		c.ReporterSealed = []byte("sealed identity")
		c.Files = []store.Attachment{newFile("file-p1", at(0), store.AuthorReporter)}
		mustCreate(t, s, c)
		m := store.Message{ID: "msg-p", CaseID: c.ID, At: at(time.Hour), Author: store.AuthorHandler, Actor: "user-7",
			Files: []store.Attachment{newFile("file-p2", at(time.Hour), store.AuthorHandler)}}
		if err := s.AddMessage(t.Context(), &m); err != nil {
			t.Fatal(err)
		}
		keep := mustCreate(t, s, func() *store.Case {
			k := newCase("case-kept", at(time.Minute))
			k.ReporterSealed = []byte("kept identity")
			k.Files = []store.Attachment{newFile("file-k", at(time.Minute), store.AuthorReporter)}
			return k
		}())
		purged, err := s.PurgeCaseIdentity(t.Context(), c.ID, at(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(purged) != "[file-p1 file-p2]" && fmt.Sprint(purged) != "[file-p2 file-p1]" {
			t.Errorf("purged %v, want file-p1 and file-p2", purged)
		}
		got := mustGet(t, s, c.ID)
		if got.ReporterSealed != nil || got.Version != 3 || !got.UpdatedAt.Equal(at(2*time.Hour)) {
			t.Errorf("after the purge: sealed %q, Version %d, UpdatedAt %s", got.ReporterSealed, got.Version, got.UpdatedAt)
		}
		for _, f := range mustFiles(t, s, c.ID) {
			if f.SealedKey != nil || !f.PurgedAt.Equal(at(2*time.Hour)) || f.Name == "" || f.Size == 0 {
				t.Errorf("purged file %s: key %x, PurgedAt %s, name %q, size %d (the record stays, without its key)",
					f.ID, f.SealedKey, f.PurgedAt, f.Name, f.Size)
			}
		}
		again, err := s.PurgeCaseIdentity(t.Context(), c.ID, at(3*time.Hour))
		if err != nil || len(again) != 0 || mustGet(t, s, c.ID).Version != 3 {
			t.Errorf("a second purge: %v, %v, Version %d; want nothing changed", again, err, mustGet(t, s, c.ID).Version)
		}
		if k := mustGet(t, s, keep.ID); string(k.ReporterSealed) != "kept identity" {
			t.Errorf("another case's identity was touched: %q", k.ReporterSealed)
		}
		if f := mustFiles(t, s, keep.ID); len(f) != 1 || f[0].SealedKey == nil || !f[0].PurgedAt.IsZero() {
			t.Errorf("another case's file was touched: %+v", f)
		}
		_, err = s.PurgeCaseIdentity(t.Context(), "case-x", at(time.Hour))
		wantCode(t, "PurgeCaseIdentity of a missing case", err, store.ENOTFOUND)
	})
}
