package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"fundwatch/store"
)

// A mail is one document in outbox. Every change of a mail is one update
// filtered on the status (and, for a claim, the due and lease times) it
// expects, so two workers can never both take or both settle a mail.
const (
	collOutbox = "outbox"

	mailFieldNextAttemptAt = "next_attempt_at"
	mailFieldLeaseUntil    = "lease_until"
)

// maxClaimRounds bounds how often ClaimMail looks for more candidates after
// other workers took some of those it found; it then returns what it has.
const maxClaimRounds = 8

// mailDoc is store.Mail on disk. A zero LeaseUntil (no lease) and SentAt
// (not sent) are stored as the zero time, which sorts before every real
// time, so "the lease has run out" is one $lte.
type mailDoc struct {
	ID             string    `bson:"_id"`
	To             string    `bson:"to"`
	ReporterCaseID string    `bson:"reporter_case_id"`
	Subject        string    `bson:"subject"`
	Body           string    `bson:"body"`
	Kind           string    `bson:"kind"`
	CaseID         string    `bson:"case_id"`
	RegionCode     string    `bson:"region_code"`
	Status         string    `bson:"status"`
	Attempts       int       `bson:"attempts"`
	NextAttemptAt  time.Time `bson:"next_attempt_at"`
	LeaseUntil     time.Time `bson:"lease_until"`
	LastError      string    `bson:"last_error"`
	CreatedAt      time.Time `bson:"created_at"`
	SentAt         time.Time `bson:"sent_at"`
}

func (d *mailDoc) toMail() *store.Mail {
	return &store.Mail{
		ID:             d.ID,
		To:             d.To,
		ReporterCaseID: d.ReporterCaseID,
		Subject:        d.Subject,
		Body:           d.Body,
		Kind:           d.Kind,
		CaseID:         d.CaseID,
		RegionCode:     d.RegionCode,
		Status:         d.Status,
		Attempts:       d.Attempts,
		NextAttemptAt:  d.NextAttemptAt.UTC(),
		LeaseUntil:     d.LeaseUntil.UTC(),
		LastError:      d.LastError,
		CreatedAt:      d.CreatedAt.UTC(),
		SentAt:         d.SentAt.UTC(),
	}
}

func (db *DB) outbox() *mongodrv.Collection { return db.database.Collection(collOutbox) }

// mailLock serialises the conditional updates of one mail on FerretDB
// (see writeGate); on MongoDB it does nothing.
func (db *DB) mailLock(id string) func() { return db.gate.lockCase("mail/" + id) }

// EnqueueMail inserts m as pending, due at its CreatedAt.
func (db *DB) EnqueueMail(ctx context.Context, m *store.Mail) error {
	switch {
	case m == nil || m.ID == "":
		return store.Incomplete("mongo", "mail ID")
	case (m.To == "") == (m.ReporterCaseID == ""):
		return store.Incomplete("mongo", "mail recipient (exactly one of To and ReporterCaseID)")
	}
	created := store.Truncate(m.CreatedAt)
	_, err := db.outbox().InsertOne(ctx, mailDoc{
		ID:             m.ID,
		To:             m.To,
		ReporterCaseID: m.ReporterCaseID,
		Subject:        m.Subject,
		Body:           m.Body,
		Kind:           m.Kind,
		CaseID:         m.CaseID,
		RegionCode:     m.RegionCode,
		Status:         store.MailPending,
		NextAttemptAt:  created,
		CreatedAt:      created,
	})
	if mongodrv.IsDuplicateKeyError(err) {
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo enqueue mail %q: %w", m.ID, err), store.MsgConflict)
	}
	if err != nil {
		return translate("enqueue mail", err)
	}
	m.Status, m.NextAttemptAt = store.MailPending, created
	return nil
}

// ImportMail inserts m as given, status, attempts and times included; the
// unique _id refuses an ID in use.
func (db *DB) ImportMail(ctx context.Context, m *store.Mail) error {
	switch {
	case m == nil || m.ID == "":
		return store.Incomplete("mongo", "mail ID")
	case (m.To == "") == (m.ReporterCaseID == ""):
		return store.Incomplete("mongo", "mail recipient (exactly one of To and ReporterCaseID)")
	case m.Status != store.MailPending && m.Status != store.MailSent && m.Status != store.MailFailed:
		return store.Incomplete("mongo", "mail status")
	}
	_, err := db.outbox().InsertOne(ctx, mailDoc{
		ID:             m.ID,
		To:             m.To,
		ReporterCaseID: m.ReporterCaseID,
		Subject:        m.Subject,
		Body:           m.Body,
		Kind:           m.Kind,
		CaseID:         m.CaseID,
		RegionCode:     m.RegionCode,
		Status:         m.Status,
		Attempts:       m.Attempts,
		NextAttemptAt:  store.Truncate(m.NextAttemptAt),
		LeaseUntil:     store.Truncate(m.LeaseUntil),
		LastError:      m.LastError,
		CreatedAt:      store.Truncate(m.CreatedAt),
		SentAt:         store.Truncate(m.SentAt),
	})
	if mongodrv.IsDuplicateKeyError(err) {
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo import mail %q: %w", m.ID, err), store.MsgConflict)
	}
	return translate("import mail", err)
}

// ClaimMail finds due mails oldest first, then takes each with its own
// update filtered on the same conditions, so a mail another worker took in
// between is simply skipped. If any was lost, it looks again for the rest.
func (db *DB) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*store.Mail, error) {
	out := []*store.Mail{}
	if limit < 1 {
		return out, nil
	}
	now = store.Truncate(now)
	until := store.Truncate(now.Add(lease))
	due := func(extra ...bson.E) bson.D {
		return append(bson.D(extra),
			bson.E{Key: fieldStatus, Value: store.MailPending},
			bson.E{Key: mailFieldNextAttemptAt, Value: bson.D{{Key: "$lte", Value: now}}},
			bson.E{Key: mailFieldLeaseUntil, Value: bson.D{{Key: "$lte", Value: now}}})
	}
	for range maxClaimRounds {
		opts := options.Find().
			SetSort(bson.D{{Key: fieldCreatedAt, Value: 1}, {Key: fieldID, Value: 1}}).
			SetLimit(int64(limit - len(out))).
			SetProjection(bson.D{{Key: fieldID, Value: 1}})
		cur, err := db.outbox().Find(ctx, due(), opts)
		if err != nil {
			return nil, translate("find due mail", err)
		}
		var candidates []struct {
			ID string `bson:"_id"`
		}
		if err := cur.All(ctx, &candidates); err != nil {
			return nil, translate("find due mail", err)
		}
		lost := false
		for _, c := range candidates {
			m, err := db.claimOne(ctx, c.ID, due(bson.E{Key: fieldID, Value: c.ID}), until)
			if err != nil {
				return nil, err
			}
			if m == nil {
				lost = true
				continue
			}
			out = append(out, m)
		}
		if !lost || len(out) >= limit {
			break
		}
	}
	slices.SortFunc(out, func(a, b *store.Mail) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// claimOne leases mail id, if it still matches filter (its _id and the due
// conditions), until the given time; nil if it is no longer due.
func (db *DB) claimOne(ctx context.Context, id string, filter bson.D, until time.Time) (*store.Mail, error) {
	unlock := db.mailLock(id)
	defer unlock()
	var doc mailDoc
	update := bson.D{{Key: "$set", Value: bson.D{{Key: mailFieldLeaseUntil, Value: until}}}}
	opts := options.FindOneAndUpdate().SetReturnDocument(options.After)
	err := db.outbox().FindOneAndUpdate(ctx, filter, update, opts).Decode(&doc)
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, translate("claim mail", err)
	}
	return doc.toMail(), nil
}

// MarkMailSent records that a pending mail went out.
func (db *DB) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	return db.updateMail(ctx, "mark mail sent", id, store.MailPending, bson.D{
		{Key: "$set", Value: bson.D{
			{Key: fieldStatus, Value: store.MailSent},
			{Key: "sent_at", Value: store.Truncate(at)},
			{Key: mailFieldLeaseUntil, Value: time.Time{}},
		}},
		{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
	})
}

// MarkMailFailed records a failed attempt of a pending mail.
func (db *DB) MarkMailFailed(ctx context.Context, id string, lastError string, next time.Time, final bool) error {
	set := bson.D{
		{Key: "last_error", Value: lastError},
		{Key: mailFieldLeaseUntil, Value: time.Time{}},
	}
	if final {
		set = append(set, bson.E{Key: fieldStatus, Value: store.MailFailed})
	} else {
		set = append(set, bson.E{Key: mailFieldNextAttemptAt, Value: store.Truncate(next)})
	}
	return db.updateMail(ctx, "mark mail failed", id, store.MailPending, bson.D{
		{Key: "$set", Value: set},
		{Key: "$inc", Value: bson.D{{Key: "attempts", Value: 1}}},
	})
}

// RequeueMail makes a failed mail pending again.
func (db *DB) RequeueMail(ctx context.Context, id string, at time.Time) error {
	return db.updateMail(ctx, "requeue mail", id, store.MailFailed, bson.D{
		{Key: "$set", Value: bson.D{
			{Key: fieldStatus, Value: store.MailPending},
			{Key: mailFieldNextAttemptAt, Value: store.Truncate(at)},
			{Key: mailFieldLeaseUntil, Value: time.Time{}},
		}},
	})
}

// updateMail applies update to the mail if its status is still from; a
// miss is ENOTFOUND for a missing mail, else ECONFLICT (MsgAlreadyDone).
func (db *DB) updateMail(ctx context.Context, op, id, from string, update bson.D) error {
	if id == "" {
		return store.NotFound(store.MsgNotFound)
	}
	unlock := db.mailLock(id)
	defer unlock()
	res, err := db.outbox().UpdateOne(ctx, bson.D{{Key: fieldID, Value: id}, {Key: fieldStatus, Value: from}}, update)
	if err != nil {
		return translate(op, err)
	}
	if res.MatchedCount > 0 {
		return nil
	}
	err = db.outbox().FindOne(ctx, bson.D{{Key: fieldID, Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: fieldID, Value: 1}})).Err()
	switch {
	case errors.Is(err, mongodrv.ErrNoDocuments):
		return store.NotFound(store.MsgNotFound)
	case err != nil:
		return translate(op, err)
	}
	return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo %s: mail %q is no longer %s", op, id, from), store.MsgAlreadyDone)
}

// mailScope is the filter of a region scope: mails of the regions and
// mails with no region. No codes means no filter.
func mailScope(regionCodes []string) bson.D {
	if len(regionCodes) == 0 {
		return bson.D{}
	}
	codes := append([]string{""}, regionCodes...)
	return bson.D{{Key: fieldRegionCode, Value: bson.D{{Key: "$in", Value: codes}}}}
}

// ListMail returns one page of matching mails, newest first, and how many
// match. Count and page are two reads; under concurrent writes they may
// disagree by a mail.
func (db *DB) ListMail(ctx context.Context, f store.MailFilter) ([]*store.Mail, int, error) {
	limit, offset := store.PageBounds(f.Limit, f.Offset)
	filter := mailScope(f.RegionCodes)
	if f.Status != "" {
		filter = append(filter, bson.E{Key: fieldStatus, Value: f.Status})
	}
	coll := db.outbox()
	total, err := coll.CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, translate("count mail", err)
	}
	opts := options.Find().
		SetSort(bson.D{{Key: fieldCreatedAt, Value: -1}, {Key: fieldID, Value: -1}}).
		SetSkip(int64(offset)).
		SetLimit(int64(limit))
	cur, err := coll.Find(ctx, filter, opts)
	if err != nil {
		return nil, 0, translate("list mail", err)
	}
	var docs []mailDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, 0, translate("list mail", err)
	}
	out := make([]*store.Mail, len(docs))
	for i := range docs {
		out[i] = docs[i].toMail()
	}
	return out, int(total), nil
}

// CountMail counts the mails of a scope by status, one count per status:
// plain counts work alike on every server, where grouping would need an
// aggregation pipeline.
func (db *DB) CountMail(ctx context.Context, regionCodes []string) (map[string]int, error) {
	counts := map[string]int{}
	for _, status := range []string{store.MailPending, store.MailSent, store.MailFailed} {
		filter := append(mailScope(regionCodes), bson.E{Key: fieldStatus, Value: status})
		n, err := db.outbox().CountDocuments(ctx, filter)
		if err != nil {
			return nil, translate("count mail", err)
		}
		if n > 0 {
			counts[status] = int(n)
		}
	}
	return counts, nil
}
