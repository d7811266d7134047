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

// Administrators' settings are one document per key in settings, carrying
// their version; the calendar is one document per year in calendar,
// holding that year's days, so replacing a year is one single-document
// write and needs no transaction.
const (
	collSettings = "settings"
	collCalendar = "calendar"
)

type settingDoc struct {
	Key       string    `bson:"_id"`
	Value     []byte    `bson:"value"`
	Version   int64     `bson:"version"`
	UpdatedAt time.Time `bson:"updated_at"`
	UpdatedBy string    `bson:"updated_by"`
}

// calendarYearDoc is one year of the calendar; _id is the year.
type calendarYearDoc struct {
	Year    int                `bson:"_id"`
	Entries []calendarEntryDoc `bson:"entries"`
}

type calendarEntryDoc struct {
	Date   string `bson:"date"`
	Name   string `bson:"name"`
	OffDay bool   `bson:"off_day"`
}

func (db *DB) settings() *mongodrv.Collection { return db.database.Collection(collSettings) }

func (db *DB) calendar() *mongodrv.Collection { return db.database.Collection(collCalendar) }

// CalendarEntries returns every stored calendar day, by date.
func (db *DB) CalendarEntries(ctx context.Context) ([]store.CalendarEntry, error) {
	cur, err := db.calendar().Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: fieldID, Value: 1}}))
	if err != nil {
		return nil, translate("calendar entries", err)
	}
	var years []calendarYearDoc
	if err := cur.All(ctx, &years); err != nil {
		return nil, translate("calendar entries", err)
	}
	entries := []store.CalendarEntry{}
	for _, y := range years {
		for _, e := range y.Entries {
			entries = append(entries, store.CalendarEntry(e))
		}
	}
	slices.SortStableFunc(entries, func(a, b store.CalendarEntry) int { return strings.Compare(a.Date, b.Date) })
	return entries, nil
}

// PutCalendarYear replaces the year's document whole, creating it if need
// be. MongoDB replaces a document atomically, so a reader sees the old year
// or the new one, never a mix.
func (db *DB) PutCalendarYear(ctx context.Context, year int, entries []store.CalendarEntry) error {
	if err := store.CheckCalendarYear(year, entries); err != nil {
		return err
	}
	doc := calendarYearDoc{Year: year, Entries: make([]calendarEntryDoc, len(entries))}
	for i, e := range entries {
		doc.Entries[i] = calendarEntryDoc(e)
	}
	slices.SortFunc(doc.Entries, func(a, b calendarEntryDoc) int { return strings.Compare(a.Date, b.Date) })

	unlock := db.gate.lockCase(fmt.Sprintf("calendar/%d", year))
	defer unlock()
	filter := bson.D{{Key: fieldID, Value: year}}
	opts := options.Replace().SetUpsert(true)
	_, err := db.calendar().ReplaceOne(ctx, filter, doc, opts)
	if mongodrv.IsDuplicateKeyError(err) {
		// Two first saves of the year raced and this one lost the insert;
		// the document exists now, so the replace will find it.
		_, err = db.calendar().ReplaceOne(ctx, filter, doc, opts)
	}
	return translate("put calendar year", err)
}

// SettingByKey returns the setting saved under key.
func (db *DB) SettingByKey(ctx context.Context, key string) (*store.Setting, error) {
	var doc settingDoc
	err := db.settings().FindOne(ctx, bson.D{{Key: fieldID, Value: key}}).Decode(&doc)
	if errors.Is(err, mongodrv.ErrNoDocuments) {
		return nil, store.NotFound(store.MsgNotFound)
	}
	if err != nil {
		return nil, translate("setting by key", err)
	}
	return doc.toSetting(), nil
}

func (d *settingDoc) toSetting() *store.Setting {
	return &store.Setting{
		Key:       d.Key,
		Value:     nilIfEmptyBytes(d.Value),
		Version:   d.Version,
		UpdatedAt: d.UpdatedAt.UTC(),
		UpdatedBy: d.UpdatedBy,
	}
}

// ListSettings returns every saved setting, by key: _id strings compare
// byte-wise (MongoDB's simple binary comparison, no collation).
func (db *DB) ListSettings(ctx context.Context) ([]*store.Setting, error) {
	cur, err := db.settings().Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: fieldID, Value: 1}}))
	if err != nil {
		return nil, translate("list settings", err)
	}
	var docs []settingDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list settings", err)
	}
	out := make([]*store.Setting, len(docs))
	for i := range docs {
		out[i] = docs[i].toSetting()
	}
	return out, nil
}

// ImportSetting inserts s as given, version included; the unique _id
// refuses a key saved already.
func (db *DB) ImportSetting(ctx context.Context, s *store.Setting) error {
	switch {
	case s == nil || s.Key == "":
		return store.Incomplete("mongo", "setting key")
	case s.Version < 1:
		return store.Incomplete("mongo", "setting version")
	}
	_, err := db.settings().InsertOne(ctx, settingDoc{
		Key: s.Key, Value: nilIfEmptyBytes(s.Value), Version: s.Version,
		UpdatedAt: store.Truncate(s.UpdatedAt), UpdatedBy: s.UpdatedBy,
	})
	if mongodrv.IsDuplicateKeyError(err) {
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo import setting %q: %w", s.Key, err), store.MsgConflict)
	}
	return translate("import setting", err)
}

// PutSetting saves s if the stored version is still s.Version. Version 0
// means never saved, so the save is an insert, and the unique _id refuses
// it once the key exists: of two racing first saves one gets a duplicate
// key. Any other version is an update filtered on key and version.
func (db *DB) PutSetting(ctx context.Context, s *store.Setting) error {
	if s == nil || s.Key == "" {
		return store.Incomplete("mongo", "setting key")
	}
	updatedAt := store.Truncate(s.UpdatedAt)
	if s.Version == 0 {
		_, err := db.settings().InsertOne(ctx, settingDoc{
			Key: s.Key, Value: nilIfEmptyBytes(s.Value), Version: 1, UpdatedAt: updatedAt, UpdatedBy: s.UpdatedBy,
		})
		if mongodrv.IsDuplicateKeyError(err) {
			return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo put setting %q: %w", s.Key, err), store.MsgStaleRecord)
		}
		if err != nil {
			return translate("put setting", err)
		}
	} else {
		filter := bson.D{{Key: fieldID, Value: s.Key}, {Key: fieldVersion, Value: s.Version}}
		update := bson.D{
			{Key: "$set", Value: bson.D{
				{Key: "value", Value: nilIfEmptyBytes(s.Value)},
				{Key: fieldUpdatedAt, Value: updatedAt},
				{Key: "updated_by", Value: s.UpdatedBy},
			}},
			{Key: "$inc", Value: bson.D{{Key: fieldVersion, Value: int64(1)}}},
		}
		unlock := db.gate.lockCase("setting/" + s.Key)
		res, err := db.settings().UpdateOne(ctx, filter, update)
		unlock()
		if err != nil {
			return translate("put setting", err)
		}
		if res.MatchedCount == 0 {
			return store.Conflict(store.MsgStaleRecord)
		}
	}
	s.Version++
	s.UpdatedAt = updatedAt
	return nil
}
