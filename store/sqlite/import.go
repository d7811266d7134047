package sqlite

import (
	"context"
	"database/sql"

	"fundwatch/store"
)

// ImportCase stores a complete case as another store holds it — number,
// version, timeline, messages and the records of their files unchanged
// (Case.Files and Message.Files; the blobs are copied apart) — for copying an installation
// between backends. The year's counter is raised to at least the case's Seq so
// new cases continue after it. IndexedVersion starts at 0: the new store's
// search index has not seen the case. An existing ID, number or idempotency
// key is ECONFLICT and nothing is written.
func (db *DB) ImportCase(ctx context.Context, c *store.Case, events []store.Event, messages []store.Message) error {
	switch {
	case c == nil || c.ID == "":
		return incomplete("case ID")
	case c.IdempotencyKey == "":
		return incomplete("idempotency key")
	case c.Number == "" || c.Year == 0 || c.Seq == 0:
		return incomplete("case number")
	}
	row := *c
	row.IndexedVersion = 0
	return db.inWriteTx(ctx, "import case", func(ctx context.Context, tx *sql.Tx) error {
		if err := db.insertCase(ctx, tx, &row); err != nil {
			return err
		}
		if err := db.insertFiles(ctx, tx, c.ID, "", c.Files); err != nil {
			return err
		}
		for _, e := range events {
			if e.ID == "" {
				return incomplete("event ID")
			}
			e.CaseID = c.ID
			if err := db.insertEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		for _, m := range messages {
			if m.ID == "" {
				return incomplete("message ID")
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO case_messages (id, case_id, at, author, body, actor)
				VALUES (?, ?, ?, ?, ?, ?)`, m.ID, c.ID, millis(m.At), m.Author, m.Body, m.Actor); err != nil {
				return err
			}
			if err := db.insertFiles(ctx, tx, c.ID, m.ID, m.Files); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO case_counters (year, last_seq) VALUES (?, ?)
			ON CONFLICT (year) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`, c.Year, c.Seq)
		return err
	})
}

// The methods below copy the records of the other areas as another store
// holds them (see fundwatch migrate-data). Each is one INSERT, or one write
// transaction, so a record is all there or not at all.

// ImportUser stores u as given, version and last TOTP step included.
func (db *DB) ImportUser(ctx context.Context, u *store.User) error {
	switch {
	case u == nil || u.ID == "":
		return incomplete("user ID")
	case u.Username == "":
		return incomplete("username")
	case u.Version < 1:
		return incomplete("user version")
	}
	row := storedUser(u)
	return db.inWriteTx(ctx, "import user", func(ctx context.Context, tx *sql.Tx) error { return insertUser(ctx, tx, row) })
}

// ImportAuditEntry stores e as given; Seq is the primary key, so a Seq in
// use is refused by the insert itself.
func (db *DB) ImportAuditEntry(ctx context.Context, e store.AuditEntry) error {
	switch {
	case e.Seq < 1:
		return incomplete("audit seq")
	case e.At.IsZero():
		return incomplete("audit time")
	case e.Action == "":
		return incomplete("audit action")
	}
	_, err := db.exec(ctx, `INSERT INTO audit (`+auditColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, millis(e.At), e.ActorID, e.ActorName, e.Action, e.TargetType,
		e.TargetID, e.RegionCode, e.Detail, e.IP, e.RequestID, e.PrevHash, e.Hash)
	return translate("import audit entry", conflictAs(err, store.MsgConflict))
}

// ImportImportantReport stores r as given, status and version included.
func (db *DB) ImportImportantReport(ctx context.Context, r *store.ImportantReport) error {
	switch {
	case r == nil || r.ID == "":
		return incomplete("report ID")
	case r.CaseID == "":
		return incomplete("report case ID")
	case r.RegionCode == "":
		return incomplete("report region")
	case r.Revision < 1:
		return incomplete("report revision")
	case r.Version < 1:
		return incomplete("report version")
	case r.Status != store.ReportDraft && r.Status != store.ReportSigned && r.Status != store.ReportSubmitted:
		return incomplete("report status")
	}
	return db.insertReport(ctx, "import important report", r, r.Status, r.Version)
}

// ImportSetting stores s as given, version included.
func (db *DB) ImportSetting(ctx context.Context, s *store.Setting) error {
	switch {
	case s == nil || s.Key == "":
		return incomplete("setting key")
	case s.Version < 1:
		return incomplete("setting version")
	}
	_, err := db.exec(ctx, `INSERT INTO settings (`+settingColumns+`) VALUES (?, ?, ?, ?, ?)`,
		s.Key, blob(s.Value), s.Version, millis(s.UpdatedAt), s.UpdatedBy)
	return translate("import setting", conflictAs(err, store.MsgConflict))
}

// ImportMail stores m as given, status, attempts and times included.
func (db *DB) ImportMail(ctx context.Context, m *store.Mail) error {
	switch {
	case m == nil || m.ID == "":
		return incomplete("mail ID")
	case (m.To == "") == (m.ReporterCaseID == ""):
		return incomplete("mail recipient (exactly one of To and ReporterCaseID)")
	case m.Status != store.MailPending && m.Status != store.MailSent && m.Status != store.MailFailed:
		return incomplete("mail status")
	}
	_, err := db.exec(ctx, `INSERT INTO outbox (`+mailColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.To, m.ReporterCaseID, m.Subject, m.Body, m.Kind, m.CaseID, m.RegionCode,
		m.Status, m.Attempts, millis(m.NextAttemptAt), optionalMillis(m.LeaseUntil), m.LastError,
		millis(m.CreatedAt), optionalMillis(m.SentAt))
	return translate("import mail", conflictAs(err, store.MsgConflict))
}
