package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"

	"fundwatch/store"
)

// Collections and fields of the accounts area. A user, a session and a
// throttle counter are one document each, keyed by their ID, so every
// method is a single-document write.
const (
	collUsers         = "users"
	collSessions      = "sessions"
	collLoginThrottle = "login_throttle"

	fieldUsername     = "username"
	fieldRole         = "role"
	fieldDisabled     = "disabled"
	fieldTOTPLastStep = "totp_last_step"
	fieldUserID       = "user_id"
	fieldLastSeenAt   = "last_seen_at"
	fieldExpiresAt    = "expires_at"
	fieldFailures     = "failures"
	fieldLastFailure  = "last_failure"
)

// userDoc is store.User on disk.
type userDoc struct {
	ID                 string    `bson:"_id"`
	Username           string    `bson:"username"`
	Name               string    `bson:"name"`
	Role               string    `bson:"role"`
	RegionCode         string    `bson:"region_code"`
	Email              string    `bson:"email"`
	PasswordHash       string    `bson:"password_hash"`
	TOTPSealed         []byte    `bson:"totp_sealed"`
	TOTPLastStep       int64     `bson:"totp_last_step"`
	Disabled           bool      `bson:"disabled"`
	MustChangePassword bool      `bson:"must_change_password"`
	CreatedAt          time.Time `bson:"created_at"`
	UpdatedAt          time.Time `bson:"updated_at"`
	PasswordChangedAt  time.Time `bson:"password_changed_at"`
	Version            int64     `bson:"version"`
}

func (d *userDoc) toUser() *store.User {
	u := &store.User{
		ID: d.ID, Username: d.Username, Name: d.Name, Role: d.Role, RegionCode: d.RegionCode,
		Email: d.Email, PasswordHash: d.PasswordHash, TOTPSealed: d.TOTPSealed, TOTPLastStep: d.TOTPLastStep,
		Disabled: d.Disabled, MustChangePassword: d.MustChangePassword,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, PasswordChangedAt: d.PasswordChangedAt,
		Version: d.Version,
	}
	if len(u.TOTPSealed) == 0 {
		u.TOTPSealed = nil
	}
	return u
}

// sessionDoc is store.Session on disk.
type sessionDoc struct {
	ID         string    `bson:"_id"`
	UserID     string    `bson:"user_id"`
	CreatedAt  time.Time `bson:"created_at"`
	LastSeenAt time.Time `bson:"last_seen_at"`
	ExpiresAt  time.Time `bson:"expires_at"`
	Pending    bool      `bson:"pending"`
}

// throttleDoc is store.LoginThrottle on disk.
type throttleDoc struct {
	Key         string    `bson:"_id"`
	Failures    int64     `bson:"failures"`
	LastFailure time.Time `bson:"last_failure"`
}

func (db *DB) users() *mongo.Collection    { return db.database.Collection(collUsers) }
func (db *DB) sessions() *mongo.Collection { return db.database.Collection(collSessions) }
func (db *DB) throttle() *mongo.Collection { return db.database.Collection(collLoginThrottle) }

// usersLocal reads with read concern local, to find out which unique index
// an insert hit (the conflicting document need not be majority-committed).
func (db *DB) usersLocal() *mongo.Collection {
	return db.database.Collection(collUsers, options.Collection().SetReadConcern(readconcern.Local()))
}

// userLock is the writeGate key of a user: UpdateUser and UseTOTPStep take
// the same one, because on FerretDB each writes the whole document back.
func userLock(id string) string { return "user/" + id }

// migrateAccounts is this area's migration step (see migrate.go). It also
// creates the audit collection: the audit log was built with this area
// (every sign-in appends to it), while step 6, in
// settings_outbox_migration.go, belongs to the settings and outbox work;
// keeping the audit log here lets both be written without sharing a
// function.
func migrateAccounts(ctx context.Context, db *mongo.Database) error {
	for _, name := range []string{collUsers, collSessions, collLoginThrottle, collAudit} {
		if err := createCollection(ctx, db, name); err != nil {
			return err
		}
	}
	if _, err := db.Collection(collUsers).Indexes().CreateMany(ctx, []mongo.IndexModel{
		// The unique index is what makes usernames unique; they are stored
		// in lowercase, so it is unique whatever the case typed.
		{Keys: bson.D{{Key: fieldUsername, Value: 1}},
			Options: options.Index().SetName("username_unique").SetUnique(true)},
		{Keys: bson.D{{Key: fieldRegionCode, Value: 1}, {Key: fieldUsername, Value: 1}},
			Options: options.Index().SetName("region_code_username")},
		{Keys: bson.D{{Key: fieldRole, Value: 1}, {Key: fieldUsername, Value: 1}},
			Options: options.Index().SetName("role_username")},
	}); err != nil {
		return fmt.Errorf("user indexes: %w", err)
	}
	// Sessions are removed by DeleteExpiredSessions rather than a TTL index,
	// because the idle timeout is configuration, not a field.
	if _, err := db.Collection(collSessions).Indexes().CreateMany(ctx, []mongo.IndexModel{
		{Keys: bson.D{{Key: fieldUserID, Value: 1}}, Options: options.Index().SetName("user_id")},
		{Keys: bson.D{{Key: fieldExpiresAt, Value: 1}}, Options: options.Index().SetName("expires_at")},
		{Keys: bson.D{{Key: fieldLastSeenAt, Value: 1}}, Options: options.Index().SetName("last_seen_at")},
	}); err != nil {
		return fmt.Errorf("session indexes: %w", err)
	}
	// login_throttle is read and written by _id only.
	return migrateAudit(ctx, db)
}

// CreateUser inserts u with Version 1. The unique index on username decides
// a race between two creations of one name; afterwards a lookup tells a
// taken username from a taken ID, since FerretDB does not say which index
// an insert hit.
func (db *DB) CreateUser(ctx context.Context, u *store.User) error {
	switch {
	case u == nil || u.ID == "":
		return store.Incomplete("mongo", "user ID")
	case u.Username == "":
		return store.Incomplete("mongo", "username")
	}
	doc := newUserDoc(u)
	doc.Version = 1
	if err := db.insertUser(ctx, "create user", doc); err != nil {
		return err
	}
	u.Username, u.CreatedAt, u.UpdatedAt, u.PasswordChangedAt = doc.Username, doc.CreatedAt, doc.UpdatedAt, doc.PasswordChangedAt
	u.Version = 1
	return nil
}

// ImportUser inserts u as given, version and last TOTP step included, with
// the same conflict handling as CreateUser.
func (db *DB) ImportUser(ctx context.Context, u *store.User) error {
	switch {
	case u == nil || u.ID == "":
		return store.Incomplete("mongo", "user ID")
	case u.Username == "":
		return store.Incomplete("mongo", "username")
	case u.Version < 1:
		return store.Incomplete("mongo", "user version")
	}
	return db.insertUser(ctx, "import user", newUserDoc(u))
}

// newUserDoc is u in stored form: username in lowercase, times truncated,
// an empty TOTPSealed as null; the version as given.
func newUserDoc(u *store.User) userDoc {
	return userDoc{
		ID: u.ID, Username: store.NormalizeUsername(u.Username), Name: u.Name, Role: u.Role,
		RegionCode: u.RegionCode, Email: u.Email, PasswordHash: u.PasswordHash, TOTPSealed: emptyAsNil(u.TOTPSealed),
		TOTPLastStep: u.TOTPLastStep, Disabled: u.Disabled, MustChangePassword: u.MustChangePassword,
		CreatedAt: store.Truncate(u.CreatedAt), UpdatedAt: store.Truncate(u.UpdatedAt),
		PasswordChangedAt: store.Truncate(u.PasswordChangedAt), Version: u.Version,
	}
}

// insertUser inserts doc. On a duplicate key a lookup of the username
// tells a taken username (MsgUsernameTaken) from a taken ID (MsgConflict).
func (db *DB) insertUser(ctx context.Context, op string, doc userDoc) error {
	_, err := db.users().InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		var found userDoc
		ferr := db.usersLocal().FindOne(ctx, bson.D{{Key: fieldUsername, Value: doc.Username}},
			options.FindOne().SetProjection(bson.D{{Key: fieldID, Value: 1}})).Decode(&found)
		switch {
		case ferr == nil:
			return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo %s: username taken: %w", op, err), store.MsgUsernameTaken)
		case errors.Is(ferr, mongo.ErrNoDocuments):
			return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo %s: id taken: %w", op, err), store.MsgConflict)
		default:
			return translate(op+": find conflict", ferr)
		}
	}
	return translate(op, err)
}

// UserByID returns the user with the given ID.
func (db *DB) UserByID(ctx context.Context, id string) (*store.User, error) {
	return db.findUser(ctx, "user by id", fieldID, id)
}

// UserByUsername returns the user with the given username, in any case.
func (db *DB) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	return db.findUser(ctx, "user by username", fieldUsername, store.NormalizeUsername(username))
}

// findUser looks a user up by one field; the value is compared literally,
// never read as an operator.
func (db *DB) findUser(ctx context.Context, op, field, value string) (*store.User, error) {
	var d userDoc
	err := db.users().FindOne(ctx, bson.D{{Key: field, Value: value}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, store.NotFound(store.MsgUserNotFound)
	}
	if err != nil {
		return nil, translate(op, err)
	}
	return d.toUser(), nil
}

// ListUsers returns the matching users ordered by username.
func (db *DB) ListUsers(ctx context.Context, f store.UserFilter) ([]*store.User, error) {
	filter := bson.D{}
	if len(f.RegionCodes) > 0 {
		filter = append(filter, bson.E{Key: fieldRegionCode, Value: bson.D{{Key: "$in", Value: f.RegionCodes}}})
	}
	if f.Role != "" {
		filter = append(filter, bson.E{Key: fieldRole, Value: f.Role})
	}
	if !f.IncludeDisabled {
		filter = append(filter, bson.E{Key: fieldDisabled, Value: false})
	}
	cur, err := db.users().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: fieldUsername, Value: 1}}))
	if err != nil {
		return nil, translate("list users", err)
	}
	var docs []userDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, translate("list users", err)
	}
	users := make([]*store.User, 0, len(docs))
	for i := range docs {
		users = append(users, docs[i].toUser())
	}
	return users, nil
}

// UpdateUser sets the mutable fields in one update whose filter holds the
// expected version, so of two editors working from one version only the
// first succeeds.
func (db *DB) UpdateUser(ctx context.Context, u *store.User) error {
	if u == nil || u.ID == "" {
		return store.NotFound(store.MsgUserNotFound)
	}
	unlock := db.gate.lockCase(userLock(u.ID))
	defer unlock()
	filter := bson.D{{Key: fieldID, Value: u.ID}, {Key: fieldVersion, Value: u.Version}}
	update := bson.D{
		{Key: "$set", Value: bson.D{
			{Key: "name", Value: u.Name},
			{Key: fieldRole, Value: u.Role},
			{Key: fieldRegionCode, Value: u.RegionCode},
			{Key: "email", Value: u.Email},
			{Key: "password_hash", Value: u.PasswordHash},
			{Key: "totp_sealed", Value: emptyAsNil(u.TOTPSealed)},
			{Key: fieldDisabled, Value: u.Disabled},
			{Key: "must_change_password", Value: u.MustChangePassword},
			{Key: fieldUpdatedAt, Value: store.Truncate(u.UpdatedAt)},
			{Key: "password_changed_at", Value: store.Truncate(u.PasswordChangedAt)},
		}},
		{Key: "$inc", Value: bson.D{{Key: fieldVersion, Value: int64(1)}}},
	}
	res, err := db.users().UpdateOne(ctx, filter, update)
	if err != nil {
		return translate("update user", err)
	}
	if res.MatchedCount == 0 {
		if err := db.userExists(ctx, u.ID); err != nil {
			return err
		}
		return store.Conflict(store.MsgStaleRecord)
	}
	u.Version++
	return nil
}

// UseTOTPStep moves the last accepted step forward with one update whose
// filter requires the recorded step to be lower, so of two sign-ins with
// the same code only one matches.
func (db *DB) UseTOTPStep(ctx context.Context, userID string, step int64) error {
	unlock := db.gate.lockCase(userLock(userID))
	defer unlock()
	filter := bson.D{{Key: fieldID, Value: userID}, {Key: fieldTOTPLastStep, Value: bson.D{{Key: "$lt", Value: step}}}}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: fieldTOTPLastStep, Value: step}}}}
	res, err := db.users().UpdateOne(ctx, filter, update)
	if err != nil {
		return translate("use totp step", err)
	}
	if res.MatchedCount == 0 {
		if err := db.userExists(ctx, userID); err != nil {
			return err
		}
		return store.Conflict(store.MsgCodeUsed)
	}
	return nil
}

// userExists returns ENOTFOUND (MsgUserNotFound) when there is no user with
// this ID. It reads locally: it explains an update that just missed.
func (db *DB) userExists(ctx context.Context, id string) error {
	var d struct {
		ID string `bson:"_id"`
	}
	err := db.usersLocal().FindOne(ctx, bson.D{{Key: fieldID, Value: id}},
		options.FindOne().SetProjection(bson.D{{Key: fieldID, Value: 1}})).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.NotFound(store.MsgUserNotFound)
	}
	return translate("find user", err)
}

// RecordLoginFailure counts one failure with an upsert that increments, and
// returns the document after it.
func (db *DB) RecordLoginFailure(ctx context.Context, key string, at time.Time) (store.LoginThrottle, error) {
	if key == "" {
		return store.LoginThrottle{}, store.Incomplete("mongo", "throttle key")
	}
	unlock := db.gate.lockCase("login_throttle/" + key)
	defer unlock()
	filter := bson.D{{Key: fieldID, Value: key}}
	update := bson.D{
		{Key: "$inc", Value: bson.D{{Key: fieldFailures, Value: int64(1)}}},
		{Key: "$max", Value: bson.D{{Key: fieldLastFailure, Value: store.Truncate(at)}}},
	}
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	var d throttleDoc
	err := db.throttle().FindOneAndUpdate(ctx, filter, update, opts).Decode(&d)
	if mongo.IsDuplicateKeyError(err) {
		// Two first failures raced and this upsert lost the insert; the
		// document exists now, so the increment finds it.
		err = db.throttle().FindOneAndUpdate(ctx, filter, update, opts).Decode(&d)
	}
	if err != nil {
		return store.LoginThrottle{}, translate("record login failure", err)
	}
	return store.LoginThrottle{Key: d.Key, Failures: int(d.Failures), LastFailure: d.LastFailure}, nil
}

// LoginFailures returns the counts of key, zero for a key never seen.
func (db *DB) LoginFailures(ctx context.Context, key string) (store.LoginThrottle, error) {
	var d throttleDoc
	err := db.throttle().FindOne(ctx, bson.D{{Key: fieldID, Value: key}}).Decode(&d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return store.LoginThrottle{Key: key}, nil
	case err != nil:
		return store.LoginThrottle{}, translate("login failures", err)
	}
	return store.LoginThrottle{Key: d.Key, Failures: int(d.Failures), LastFailure: d.LastFailure}, nil
}

// ClearLoginFailures forgets key's failures.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := db.throttle().DeleteOne(ctx, bson.D{{Key: fieldID, Value: key}})
	return translate("clear login failures", err)
}

// CreateSession inserts s.
func (db *DB) CreateSession(ctx context.Context, s *store.Session) error {
	switch {
	case s == nil || s.ID == "":
		return store.Incomplete("mongo", "session ID")
	case s.UserID == "":
		return store.Incomplete("mongo", "session user ID")
	}
	doc := sessionDoc{
		ID: s.ID, UserID: s.UserID, CreatedAt: store.Truncate(s.CreatedAt),
		LastSeenAt: store.Truncate(s.LastSeenAt), ExpiresAt: store.Truncate(s.ExpiresAt), Pending: s.Pending,
	}
	_, err := db.sessions().InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		return store.Wrap(store.ECONFLICT, fmt.Errorf("mongo create session: %w", err), store.MsgConflict)
	}
	if err != nil {
		return translate("create session", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = doc.CreatedAt, doc.LastSeenAt, doc.ExpiresAt
	return nil
}

// SessionByID returns the session without judging its expiry.
func (db *DB) SessionByID(ctx context.Context, id string) (*store.Session, error) {
	var d sessionDoc
	err := db.sessions().FindOne(ctx, bson.D{{Key: fieldID, Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, store.NotFound(store.MsgSessionNotFound)
	}
	if err != nil {
		return nil, translate("session by id", err)
	}
	return &store.Session{
		ID: d.ID, UserID: d.UserID, CreatedAt: d.CreatedAt, LastSeenAt: d.LastSeenAt,
		ExpiresAt: d.ExpiresAt, Pending: d.Pending,
	}, nil
}

// TouchSession sets LastSeenAt.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	res, err := db.sessions().UpdateOne(ctx, bson.D{{Key: fieldID, Value: id}},
		bson.D{{Key: "$set", Value: bson.D{{Key: fieldLastSeenAt, Value: store.Truncate(at)}}}})
	if err != nil {
		return translate("touch session", err)
	}
	if res.MatchedCount == 0 {
		return store.NotFound(store.MsgSessionNotFound)
	}
	return nil
}

// DeleteSession removes a session if it exists.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	_, err := db.sessions().DeleteOne(ctx, bson.D{{Key: fieldID, Value: id}})
	return translate("delete session", err)
}

// DeleteUserSessions removes every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	res, err := db.sessions().DeleteMany(ctx, bson.D{{Key: fieldUserID, Value: userID}})
	if err != nil {
		return 0, translate("delete user sessions", err)
	}
	return int(res.DeletedCount), nil
}

// DeleteExpiredSessions removes sessions past either timeout.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time, idle time.Duration) (int, error) {
	expired := bson.D{{Key: fieldExpiresAt, Value: bson.D{{Key: "$lt", Value: store.Truncate(now)}}}}
	filter := expired
	if idle > 0 {
		filter = bson.D{{Key: "$or", Value: bson.A{
			expired,
			bson.D{{Key: fieldLastSeenAt, Value: bson.D{{Key: "$lt", Value: store.Truncate(now.Add(-idle))}}}},
		}}}
	}
	res, err := db.sessions().DeleteMany(ctx, filter)
	if err != nil {
		return 0, translate("delete expired sessions", err)
	}
	return int(res.DeletedCount), nil
}

// emptyAsNil stores an empty []byte as BSON null, so nil and empty read
// back the same.
func emptyAsNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
