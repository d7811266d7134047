package caseflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/evidence"
	"fundwatch/store"
)

// Evidence files go through the service in two steps, so that a case never
// points at a file that is not fully stored and a refused submission leaves
// nothing behind:
//
//  1. StoreUpload checks each file by its content as it arrives, strips a
//     photo's metadata, encrypts it under a key of its own and stores the
//     blob. The file is not part of anything yet.
//  2. The write that takes the files in (FileCase, AddReporterMessage,
//     Reply) stores their records atomically with the case or the message.
//     A submission refused after its files were stored gives them to
//     DiscardUploads; a crash in between leaves blobs that no record names,
//     which SweepOrphanFiles removes.

// AuditFileDownload is the audit action of a member of staff downloading an
// evidence file; AuditFileHide of one hiding a file from the reporter or
// showing it again; AuditPurge of the retention purge of a case.
const (
	AuditFileDownload = "file.download"
	AuditFileHide     = "file.hide"
	AuditPurge        = "case.purge"
)

// MsgFilesDown answers an upload or download while the file store cannot be
// used.
const MsgFilesDown = "文件存储暂时无法使用，请稍后再试。您填写的内容没有提交。"

// errUploadAbandoned is what Clean's writes fail with once the blob store
// stopped reading the upload.
var errUploadAbandoned = errors.New("upload abandoned: the file store stopped reading")

// limits are the configured limits on evidence files, or the defaults.
func (s *Service) limits() evidence.Limits {
	if s.FileLimits == (evidence.Limits{}) {
		return evidence.DefaultLimits()
	}
	return s.FileLimits
}

// EvidenceLimits returns the limits on evidence files in force, for the
// forms' hints and the sites' checks of a request before reading it.
func (s *Service) EvidenceLimits() evidence.Limits { return s.limits() }

// StoreUpload checks one uploaded file by its content (evidence.Clean),
// encrypts it under a new key and stores it in the blob store, streaming:
// memory does not grow with the file's size. maxBytes bounds the file (at
// most the per-file limit; the caller passes less when the case's total
// leaves less). A file that is not allowed is EINVALID with the sentence
// naming it; then, and on any other error, nothing is stored.
//
// The returned record has ID, Name, Type, Size, SHA256 and SealedKey set;
// the write that takes it in sets the rest.
func (s *Service) StoreUpload(ctx context.Context, name string, r io.Reader, maxBytes int64) (store.Attachment, error) {
	if s.Blobs == nil {
		return store.Attachment{}, store.Errorf(store.EUNAVAILABLE, MsgFilesDown)
	}
	maxBytes = min(maxBytes, s.limits().MaxFileBytes)
	id := store.NewID()
	key, err := casework.NewFileKey()
	if err != nil {
		return store.Attachment{}, err
	}
	defer clear(key)
	sealed, err := s.Keyring.SealFileKey(id, key)
	if err != nil {
		return store.Attachment{}, err
	}
	// Clean writes the checked bytes into the encrypter, which writes the
	// stored form into the pipe PutBlob reads: one pass, fixed buffers.
	pr, pw := io.Pipe()
	type cleaned struct {
		res evidence.Result
		err error
	}
	done := make(chan cleaned, 1)
	go func() {
		enc, err := casework.EncryptFile(pw, key)
		if err != nil {
			pw.CloseWithError(err)
			done <- cleaned{err: err}
			return
		}
		res, err := evidence.Clean(name, r, enc, maxBytes)
		if err == nil {
			err = enc.Close()
		}
		if err != nil {
			pw.CloseWithError(err)
		} else {
			pw.Close()
		}
		done <- cleaned{res, err}
	}()
	_, perr := s.Blobs.PutBlob(ctx, id, pr)
	pr.CloseWithError(errUploadAbandoned) // unblocks Clean if PutBlob stopped early
	c := <-done
	if c.err != nil && perr != nil && errors.Is(c.err, errUploadAbandoned) {
		// The blob store stopped reading (a full or read-only disk): the
		// file was fine, the store is what failed.
		return store.Attachment{}, perr
	}
	if c.err != nil {
		if perr == nil {
			// Cannot happen (PutBlob read the error), but a blob of a
			// refused file must never stay.
			_ = s.Blobs.DeleteBlob(context.WithoutCancel(ctx), id)
		}
		if ref, ok := evidence.IsRefusal(c.err); ok {
			return store.Attachment{}, store.Errorf(store.EINVALID, "%s", ref.Error())
		}
		return store.Attachment{}, store.Wrap(store.EINVALID, c.err, fmt.Sprintf("文件“%s”没有上传完整，请重新选择文件后再提交。", evidence.SafeName(name, evidence.Type{})))
	}
	if perr != nil {
		return store.Attachment{}, perr
	}
	return store.Attachment{
		ID:        id,
		Name:      evidence.SafeName(name, c.res.Type),
		Type:      c.res.Type.MIME,
		Size:      c.res.Size,
		SHA256:    c.res.SHA256[:],
		SealedKey: sealed,
	}, nil
}

// DiscardUploads deletes the blobs of uploads that no record took in (a
// refused or repeated submission). It never fails the request: what it
// cannot delete now the sweep removes later.
func (s *Service) DiscardUploads(ctx context.Context, files []store.Attachment) {
	for _, f := range files {
		if err := s.Blobs.DeleteBlob(context.WithoutCancel(ctx), f.ID); err != nil {
			s.log().Warn("discard upload: left for the sweep", "file", f.ID, "error", err)
		}
	}
}

// CheckCaseFiles tells whether files may be added to a case that has
// existing ones: the limits on count and total size per case. It is EINVALID
// with the sentence saying what is over.
func (s *Service) CheckCaseFiles(existing, added []store.Attachment) error {
	l := s.limits()
	n, total := 0, int64(0)
	for _, f := range existing {
		if f.PurgedAt.IsZero() {
			n++
			total += f.Size
		}
	}
	for _, f := range added {
		n++
		total += f.Size
	}
	switch {
	case n > l.MaxFiles:
		return store.Errorf(store.EINVALID, "每件举报投诉最多上传 %d 个文件，本次提交后将有 %d 个。请减少文件后再提交。", l.MaxFiles, n)
	case total > l.MaxCaseBytes:
		return store.Errorf(store.EINVALID, "每件举报投诉的文件合计不能超过 %s，本次提交后将有 %s。请减少文件后再提交。",
			evidence.SizeText(l.MaxCaseBytes), evidence.SizeText(total))
	}
	return nil
}

// checkAddedFiles applies CheckCaseFiles to files added to a case that
// already has some (a message's).
func (s *Service) checkAddedFiles(ctx context.Context, caseID string, files []store.Attachment) error {
	if len(files) == 0 {
		return nil
	}
	existing, err := s.Store.CaseFiles(ctx, caseID)
	if err != nil {
		return err
	}
	return s.CheckCaseFiles(existing, files)
}

// fileRecords completes uploads for the write that takes them in.
func fileRecords(uploads []store.Attachment, author, actor string, hidden bool, at time.Time) []store.Attachment {
	out := make([]store.Attachment, len(uploads))
	for i, f := range uploads {
		f.Author, f.Actor, f.HiddenFromReporter, f.At = author, actor, hidden, at
		out[i] = f
	}
	return out
}

// openFile streams the plaintext of a stored file.
func (s *Service) openFile(ctx context.Context, f *store.Attachment) (io.ReadCloser, error) {
	if !f.PurgedAt.IsZero() || len(f.SealedKey) == 0 {
		return nil, store.Errorf(store.ENOTFOUND, "该文件已按保存期限删除。")
	}
	key, err := s.Keyring.OpenFileKey(f.ID, f.SealedKey)
	if err != nil {
		return nil, err
	}
	blob, err := s.Blobs.OpenBlob(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	plain, err := casework.DecryptFile(blob, key)
	if err != nil {
		blob.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{plain, blob}, nil
}

// OpenFileForStaff opens an evidence file of a case in the actor's scope.
// Every download is audited first: if the entry cannot be written, nothing
// is served.
func (s *Service) OpenFileForStaff(ctx context.Context, a Actor, caseID, fileID string) (*store.Attachment, io.ReadCloser, error) {
	if err := s.require(a, casework.PermViewCases); err != nil {
		return nil, nil, err
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.Store.CaseFile(ctx, c.ID, fileID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.audit(ctx, a, AuditFileDownload, "case", c.ID, c.RegionCode,
		fmt.Sprintf("%s 下载证据材料“%s”（%s）", c.Number, f.Name, f.ID)); err != nil {
		return nil, nil, err
	}
	rc, err := s.openFile(ctx, f)
	return f, rc, err
}

// OpenFileForReporter opens an evidence file of case c for its reporter (c
// was found by number and access code): theirs, or a handler's not hidden
// from them.
func (s *Service) OpenFileForReporter(ctx context.Context, c *store.Case, fileID string) (*store.Attachment, io.ReadCloser, error) {
	f, err := s.Store.CaseFile(ctx, c.ID, fileID)
	if err != nil {
		return nil, nil, err
	}
	if !ReporterSeesFile(*f) {
		return nil, nil, store.NotFound(store.MsgFileNotFound)
	}
	rc, err := s.openFile(ctx, f)
	return f, rc, err
}

// ReporterSeesFile tells whether the reporter is shown a file: all of their
// own, a handler's unless hidden from them.
func ReporterSeesFile(f store.Attachment) bool {
	return f.Author == store.AuthorReporter || !f.HiddenFromReporter
}

// ReporterFiles returns the files of a case its reporter sees.
func (s *Service) ReporterFiles(ctx context.Context, c *store.Case) ([]store.Attachment, error) {
	files, err := s.Store.CaseFiles(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	out := files[:0]
	for _, f := range files {
		if ReporterSeesFile(f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// StaffFiles returns every file of a case in the actor's scope.
func (s *Service) StaffFiles(ctx context.Context, a Actor, caseID string) ([]store.Attachment, error) {
	if err := s.require(a, casework.PermViewCases); err != nil {
		return nil, err
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return nil, err
	}
	return s.Store.CaseFiles(ctx, c.ID)
}

// SetFileHidden hides a handler's file from the reporter or shows it again.
// A file the reporter sent is theirs and cannot be hidden from them.
func (s *Service) SetFileHidden(ctx context.Context, a Actor, caseID, fileID string, hidden bool) error {
	if err := s.require(a, casework.PermReplyCase); err != nil {
		return err
	}
	c, err := s.Store.CaseInRegions(ctx, caseID, a.Scope)
	if err != nil {
		return err
	}
	f, err := s.Store.CaseFile(ctx, c.ID, fileID)
	if err != nil {
		return err
	}
	if f.Author == store.AuthorReporter {
		return store.Errorf(store.EINVALID, "举报人提交的文件举报人本人始终可以查看，不能对其隐藏。")
	}
	if f.HiddenFromReporter == hidden {
		return nil
	}
	if err := s.Store.SetFileHidden(ctx, c.ID, f.ID, hidden, s.now()); err != nil {
		return err
	}
	what := "对举报人隐藏"
	if !hidden {
		what = "向举报人公开"
	}
	return s.audit(ctx, a, AuditFileHide, "case", c.ID, c.RegionCode, fmt.Sprintf("%s 将文件“%s”%s", c.Number, f.Name, what))
}

// SweepOrphanFiles deletes the blobs stored before the given time that no
// file record names: uploads of submissions that were refused, repeated, or
// cut short by a crash before their write. Younger blobs are left alone, as
// their submission may still be under way. It returns how many it deleted.
func (s *Service) SweepOrphanFiles(ctx context.Context, before time.Time) (int, error) {
	if s.Blobs == nil {
		return 0, nil
	}
	var batch []string
	deleted := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		known, err := s.Store.FilesKnown(ctx, batch)
		if err != nil {
			return err
		}
		for _, id := range batch {
			if known[id] {
				continue
			}
			if err := s.Blobs.DeleteBlob(ctx, id); err != nil {
				return err
			}
			deleted++
		}
		batch = batch[:0]
		return nil
	}
	err := s.Blobs.Blobs(ctx, before, func(id string, _ time.Time) error {
		batch = append(batch, id)
		if len(batch) == 500 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if deleted > 0 {
		s.log().Info("removed evidence files no case points at", "files", deleted)
	}
	return deleted, err
}
