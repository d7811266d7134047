package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"fundwatch/store"
)

// ImportCase stores a complete case as another store holds it — number,
// version, timeline and messages unchanged — for copying an installation
// between backends. IndexedVersion starts at 0: this installation's search
// index has not seen the case. An existing ID, number or idempotency key is
// ECONFLICT and nothing is written.
//
// The case is one insert, so it is all there or not at all. The year's
// counter is raised to at least the case's Seq afterwards; if the process
// dies in between, the counter is left behind the imported numbers, and the
// next CreateCase that collides with one of them skips past it (see
// CreateCase), so no number is ever handed out twice.
func (db *DB) ImportCase(ctx context.Context, c *store.Case, events []store.Event, messages []store.Message) error {
	switch {
	case c == nil || c.ID == "":
		return incomplete("case ID")
	case c.IdempotencyKey == "":
		return incomplete("idempotency key")
	case c.Number == "" || c.Year == 0 || c.Seq == 0:
		return incomplete("case number")
	}
	head := newCaseHead(c)
	head.IndexedVersion, head.IndexPending = 0, head.Version > 0
	doc := caseDoc{Head: head, Events: make([]eventDoc, 0, len(events)), Messages: make([]messageDoc, 0, len(messages))}
	for _, e := range events {
		if e.ID == "" {
			return incomplete("event ID")
		}
		doc.Events = append(doc.Events, newEventDoc(e))
	}
	files, err := newFileDocs("", c.Files)
	if err != nil {
		return err
	}
	doc.Files = files
	for i := range messages {
		if messages[i].ID == "" {
			return incomplete("message ID")
		}
		doc.Messages = append(doc.Messages, newMessageDoc(&messages[i]))
		mf, err := newFileDocs(messages[i].ID, messages[i].Files)
		if err != nil {
			return err
		}
		doc.Files = append(doc.Files, mf...)
	}

	unlock := db.gate.lockCreate()
	defer unlock()

	if _, err := db.cases.InsertOne(ctx, doc); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo import case: %w", err), msgDuplicateEntry)
		}
		return translate("import case", err)
	}
	return db.raiseSeq(ctx, c.Year, c.Seq)
}

// incomplete is the EINVALID error for a call that lacks a required field.
func incomplete(what string) error { return store.Incomplete("mongo", what) }
