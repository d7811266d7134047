package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"fundwatch/store"
)

// testAccounts is the conformance suite of the accounts area. Beyond the
// doc comments of store.AccountStore it pins down: times come back in UTC
// truncated to the millisecond; an empty TOTPSealed reads back as nil;
// ListUsers with no filter leaves disabled users out.
func testAccounts(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("users", func(t *testing.T) { testUsers(t, open) })
	t.Run("UpdateUser", func(t *testing.T) { testUpdateUser(t, open) })
	t.Run("UseTOTPStep", func(t *testing.T) { testTOTPStep(t, open) })
	t.Run("ListUsers", func(t *testing.T) { testListUsers(t, open) })
	t.Run("login throttle", func(t *testing.T) { testLoginThrottle(t, open) })
	t.Run("sessions", func(t *testing.T) { testSessions(t, open) })
	t.Run("session expiry", func(t *testing.T) { testSessionExpiry(t, open) })
}

// newUser returns a user with every field set to a non-zero value, so a
// field a backend forgets to store shows up as a difference.
func newUser(id, username string) *store.User {
	created := base.Add(123_456_789 * time.Nanosecond).In(store.CST)
	return &store.User{
		ID:                 id,
		Username:           username,
		Name:               "张三 " + unicodeText,
		Role:               store.RoleHandler,
		RegionCode:         "220102",
		Email:              "zhang.san@example.gov.cn",
		PasswordHash:       "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		TOTPSealed:         []byte{0x00, 0x01, 0x7f, 0x80, 0xff, 0x00},
		TOTPLastStep:       58_000_000,
		Disabled:           false,
		MustChangePassword: true,
		CreatedAt:          created,
		UpdatedAt:          created.Add(time.Minute),
		PasswordChangedAt:  created.Add(2 * time.Minute),
	}
}

// storedUser is what a read of u should give back after CreateUser.
func storedUser(u *store.User) *store.User {
	w := *u
	w.Username = store.NormalizeUsername(u.Username)
	w.TOTPSealed = nilIfEmptyBytes(u.TOTPSealed)
	w.CreatedAt = store.Truncate(u.CreatedAt)
	w.UpdatedAt = store.Truncate(u.UpdatedAt)
	w.PasswordChangedAt = store.Truncate(u.PasswordChangedAt)
	w.Version = 1
	return &w
}

func userDiff(want, got *store.User) string {
	if got == nil {
		return "got a nil user"
	}
	var d differ
	d.field("ID", want.ID, got.ID)
	d.field("Username", want.Username, got.Username)
	d.field("Name", want.Name, got.Name)
	d.field("Role", want.Role, got.Role)
	d.field("RegionCode", want.RegionCode, got.RegionCode)
	d.field("Email", want.Email, got.Email)
	d.field("PasswordHash", want.PasswordHash, got.PasswordHash)
	d.field("TOTPSealed", want.TOTPSealed, got.TOTPSealed)
	d.field("TOTPLastStep", want.TOTPLastStep, got.TOTPLastStep)
	d.field("Disabled", want.Disabled, got.Disabled)
	d.field("MustChangePassword", want.MustChangePassword, got.MustChangePassword)
	d.time("CreatedAt", want.CreatedAt, got.CreatedAt)
	d.time("UpdatedAt", want.UpdatedAt, got.UpdatedAt)
	d.time("PasswordChangedAt", want.PasswordChangedAt, got.PasswordChangedAt)
	d.field("Version", want.Version, got.Version)
	return d.String()
}

func checkUser(t *testing.T, what string, want, got *store.User) {
	t.Helper()
	if diff := userDiff(want, got); diff != "" {
		t.Errorf("%s differs:\n\t%s", what, diff)
	}
}

// wantError checks an error's code and its exact sentence.
func wantError(t *testing.T, what string, err error, code, message string) {
	t.Helper()
	wantCode(t, what, err, code)
	if got := store.ErrorMessage(err); err != nil && got != message {
		t.Errorf("%s: message %q, want %q", what, got, message)
	}
}

func mustCreateUser(t *testing.T, s store.AccountStore, u *store.User) *store.User {
	t.Helper()
	if err := s.CreateUser(t.Context(), u); err != nil {
		t.Fatalf("CreateUser(%q, %q): %v", u.ID, u.Username, err)
	}
	return u
}

func mustUser(t *testing.T, s store.AccountStore, id string) *store.User {
	t.Helper()
	u, err := s.UserByID(t.Context(), id)
	if err != nil {
		t.Fatalf("UserByID(%q): %v", id, err)
	}
	if u == nil {
		t.Fatalf("UserByID(%q) returned nil user and nil error", id)
	}
	return u
}

func testUsers(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("stores every field and writes back what it stored", func(t *testing.T) {
		s := open(t)
		u := newUser("user-1", "Zhang.San")
		want := storedUser(u)
		u.Version = 42 // ignored: a new user is version 1
		mustCreateUser(t, s, u)
		checkUser(t, "the passed user after CreateUser", want, u)
		checkUser(t, "UserByID", want, mustUser(t, s, "user-1"))
		for _, name := range []string{"zhang.san", "ZHANG.SAN", "Zhang.San"} {
			got, err := s.UserByUsername(t.Context(), name)
			if err != nil {
				t.Fatalf("UserByUsername(%q): %v", name, err)
			}
			checkUser(t, fmt.Sprintf("UserByUsername(%q)", name), want, got)
		}
	})

	t.Run("a user without second factor reads back TOTPSealed nil", func(t *testing.T) {
		s := open(t)
		u := newUser("user-plain", "plain")
		u.TOTPSealed = []byte{}
		u.TOTPLastStep = 0
		want := storedUser(u)
		mustCreateUser(t, s, u)
		checkUser(t, "UserByID", want, mustUser(t, s, u.ID))
	})

	t.Run("a username in use in any case is ECONFLICT with MsgUsernameTaken", func(t *testing.T) {
		s := open(t)
		first := mustCreateUser(t, s, newUser("user-1", "Li.Si"))
		for _, name := range []string{"li.si", "LI.SI", "lI.sI"} {
			err := s.CreateUser(t.Context(), newUser("user-other-"+name, name))
			wantError(t, fmt.Sprintf("CreateUser(%q)", name), err, store.ECONFLICT, store.MsgUsernameTaken)
		}
		// Taken name and taken ID at once: the name is what the form shows.
		err := s.CreateUser(t.Context(), newUser("user-1", "LI.SI"))
		wantError(t, "CreateUser with a taken ID and username", err, store.ECONFLICT, store.MsgUsernameTaken)
		checkUser(t, "the first user", storedUser(first), mustUser(t, s, "user-1"))
		if us, err := s.ListUsers(t.Context(), store.UserFilter{IncludeDisabled: true}); err != nil || len(us) != 1 {
			t.Errorf("ListUsers: %d users, err %v; want only the first", len(us), err)
		}
	})

	t.Run("an ID in use is ECONFLICT with MsgConflict", func(t *testing.T) {
		s := open(t)
		first := mustCreateUser(t, s, newUser("user-1", "wang.wu"))
		err := s.CreateUser(t.Context(), newUser("user-1", "zhao.liu"))
		wantError(t, "CreateUser with a taken ID", err, store.ECONFLICT, store.MsgConflict)
		checkUser(t, "the first user", storedUser(first), mustUser(t, s, "user-1"))
		_, err = s.UserByUsername(t.Context(), "zhao.liu")
		wantError(t, "UserByUsername of the refused user", err, store.ENOTFOUND, store.MsgUserNotFound)
	})

	t.Run("concurrent creations of one username in several cases: exactly one wins", func(t *testing.T) {
		s := open(t)
		const n = 8
		names := []string{"same.name", "SAME.NAME", "Same.Name"}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			u := newUser(fmt.Sprintf("user-%d", i), names[i%len(names)])
			wg.Go(func() { errs[i] = s.CreateUser(t.Context(), u) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
				continue
			}
			wantError(t, fmt.Sprintf("CreateUser %d", i), err, store.ECONFLICT, store.MsgUsernameTaken)
		}
		if won != 1 {
			t.Errorf("%d creations succeeded, want exactly 1", won)
		}
	})

	t.Run("empty ID or username is EINVALID and stores nothing", func(t *testing.T) {
		s := open(t)
		for _, u := range []*store.User{newUser("", "no.id"), newUser("user-no-name", "")} {
			wantCode(t, fmt.Sprintf("CreateUser(%q, %q)", u.ID, u.Username), s.CreateUser(t.Context(), u), store.EINVALID)
		}
		if us, err := s.ListUsers(t.Context(), store.UserFilter{IncludeDisabled: true}); err != nil || len(us) != 0 {
			t.Errorf("ListUsers: %d users, err %v; want none", len(us), err)
		}
	})

	t.Run("missing users are ENOTFOUND with MsgUserNotFound", func(t *testing.T) {
		s := open(t)
		mustCreateUser(t, s, newUser("user-1", "present"))
		ctx := t.Context()
		_, err := s.UserByID(ctx, "user-missing")
		wantError(t, "UserByID", err, store.ENOTFOUND, store.MsgUserNotFound)
		_, err = s.UserByID(ctx, "")
		wantError(t, "UserByID(\"\")", err, store.ENOTFOUND, store.MsgUserNotFound)
		_, err = s.UserByUsername(ctx, "absent")
		wantError(t, "UserByUsername", err, store.ENOTFOUND, store.MsgUserNotFound)
		_, err = s.UserByUsername(ctx, `{"$ne": ""}`)
		wantError(t, "UserByUsername with an operator", err, store.ENOTFOUND, store.MsgUserNotFound)
		missing := newUser("user-missing", "absent")
		missing.Version = 1
		wantError(t, "UpdateUser", s.UpdateUser(ctx, missing), store.ENOTFOUND, store.MsgUserNotFound)
		wantError(t, "UseTOTPStep", s.UseTOTPStep(ctx, "user-missing", 1), store.ENOTFOUND, store.MsgUserNotFound)
	})
}

func testUpdateUser(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("replaces the mutable fields, keeps the others and bumps Version", func(t *testing.T) {
		s := open(t)
		u := mustCreateUser(t, s, newUser("user-1", "Editor"))
		orig := storedUser(u)

		edit := *u
		edit.Username = "renamed"           // not mutable
		edit.CreatedAt = at(99 * time.Hour) // not mutable
		edit.TOTPLastStep = 1               // only UseTOTPStep moves it
		edit.Name = "李四（已调岗）"
		edit.Role = store.RoleLeader
		edit.RegionCode = "220100"
		edit.Email = ""
		edit.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=2$bmV3c2FsdA$bmV3aGFzaA"
		edit.TOTPSealed = nil
		edit.Disabled = true
		edit.MustChangePassword = false
		edit.UpdatedAt = base.Add(time.Hour + 999_999*time.Nanosecond).In(store.CST)
		edit.PasswordChangedAt = base.Add(time.Hour).In(store.CST)
		if err := s.UpdateUser(t.Context(), &edit); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if edit.Version != 2 {
			t.Errorf("Version written back %d, want 2", edit.Version)
		}
		want := *orig
		want.Name, want.Role, want.RegionCode, want.Email = edit.Name, edit.Role, edit.RegionCode, edit.Email
		want.PasswordHash, want.TOTPSealed, want.Disabled = edit.PasswordHash, nil, true
		want.MustChangePassword = false
		want.UpdatedAt = store.Truncate(edit.UpdatedAt)
		want.PasswordChangedAt = store.Truncate(edit.PasswordChangedAt)
		want.Version = 2
		checkUser(t, "UserByID after UpdateUser", &want, mustUser(t, s, u.ID))
		got, err := s.UserByUsername(t.Context(), "EDITOR")
		if err != nil {
			t.Fatalf("UserByUsername by the kept username: %v", err)
		}
		checkUser(t, "UserByUsername after UpdateUser", &want, got)

		// A second update from the written-back version succeeds.
		edit.Name = "李四"
		if err := s.UpdateUser(t.Context(), &edit); err != nil {
			t.Fatalf("second UpdateUser: %v", err)
		}
		if got := mustUser(t, s, u.ID); got.Version != 3 || edit.Version != 3 || got.Name != "李四" {
			t.Errorf("after the second update: stored Version %d Name %q, written back %d; want 3 李四 3",
				got.Version, got.Name, edit.Version)
		}
	})

	t.Run("a stale version is ECONFLICT with MsgStaleRecord and changes nothing", func(t *testing.T) {
		s := open(t)
		u := mustCreateUser(t, s, newUser("user-1", "stale"))
		first, second := *u, *u
		first.Name = "先提交"
		if err := s.UpdateUser(t.Context(), &first); err != nil {
			t.Fatalf("first UpdateUser: %v", err)
		}
		second.Name = "后提交"
		wantError(t, "UpdateUser from version 1", s.UpdateUser(t.Context(), &second), store.ECONFLICT, store.MsgStaleRecord)
		if second.Version != 1 {
			t.Errorf("a refused update wrote back Version %d, want it left at 1", second.Version)
		}
		if got := mustUser(t, s, u.ID); got.Name != "先提交" || got.Version != 2 {
			t.Errorf("stored Name %q Version %d, want 先提交 2", got.Name, got.Version)
		}
	})

	t.Run("concurrent updates from one version: exactly one wins", func(t *testing.T) {
		s := open(t)
		u := mustCreateUser(t, s, newUser("user-1", "racy"))
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			edit := *u
			edit.Name = fmt.Sprintf("编辑 %d", i)
			wg.Go(func() { errs[i] = s.UpdateUser(t.Context(), &edit) })
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				if winner >= 0 {
					t.Errorf("updates %d and %d both succeeded", winner, i)
				}
				winner = i
				continue
			}
			wantError(t, fmt.Sprintf("UpdateUser %d", i), err, store.ECONFLICT, store.MsgStaleRecord)
		}
		if winner < 0 {
			t.Fatal("no update succeeded")
		}
		if got := mustUser(t, s, u.ID); got.Version != 2 || got.Name != fmt.Sprintf("编辑 %d", winner) {
			t.Errorf("stored Version %d Name %q, want 2 and the winner's name", got.Version, got.Name)
		}
	})
}

func testTOTPStep(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("accepts later steps only", func(t *testing.T) {
		s := open(t)
		u := newUser("user-1", "totp")
		u.TOTPLastStep = 100
		mustCreateUser(t, s, u)
		ctx := t.Context()
		steps := []struct {
			step int64
			ok   bool
			last int64
		}{
			{100, false, 100}, // the step already recorded
			{99, false, 100},  // an earlier step
			{101, true, 101},
			{101, false, 101}, // the same code again
			{0, false, 101},
			{-1, false, 101},
			{200, true, 200},
			{150, false, 200},
		}
		for _, tc := range steps {
			err := s.UseTOTPStep(ctx, u.ID, tc.step)
			what := fmt.Sprintf("UseTOTPStep(%d)", tc.step)
			if tc.ok && err != nil {
				t.Errorf("%s: %v", what, err)
			}
			if !tc.ok {
				wantError(t, what, err, store.ECONFLICT, store.MsgCodeUsed)
			}
			got := mustUser(t, s, u.ID)
			if got.TOTPLastStep != tc.last {
				t.Errorf("after %s: TOTPLastStep %d, want %d", what, got.TOTPLastStep, tc.last)
			}
			if got.Version != 1 {
				t.Errorf("after %s: Version %d, want 1 (UseTOTPStep leaves Version alone)", what, got.Version)
			}
		}
	})

	t.Run("a new user accepts step 1", func(t *testing.T) {
		s := open(t)
		u := newUser("user-1", "fresh")
		u.TOTPLastStep = 0
		mustCreateUser(t, s, u)
		if err := s.UseTOTPStep(t.Context(), u.ID, 1); err != nil {
			t.Errorf("UseTOTPStep(1): %v", err)
		}
	})

	t.Run("UpdateUser does not move the step", func(t *testing.T) {
		s := open(t)
		u := mustCreateUser(t, s, newUser("user-1", "keeps.step"))
		if err := s.UseTOTPStep(t.Context(), u.ID, u.TOTPLastStep+5); err != nil {
			t.Fatalf("UseTOTPStep: %v", err)
		}
		edit := *u // still holds the old TOTPLastStep
		edit.Name = "改名"
		if err := s.UpdateUser(t.Context(), &edit); err != nil {
			t.Fatalf("UpdateUser after UseTOTPStep: %v", err)
		}
		if got := mustUser(t, s, u.ID); got.TOTPLastStep != u.TOTPLastStep+5 {
			t.Errorf("TOTPLastStep %d after UpdateUser, want %d", got.TOTPLastStep, u.TOTPLastStep+5)
		}
	})

	t.Run("one code used concurrently: exactly one wins", func(t *testing.T) {
		s := open(t)
		u := mustCreateUser(t, s, newUser("user-1", "race"))
		step := u.TOTPLastStep + 1
		const n = 12
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = s.UseTOTPStep(t.Context(), u.ID, step) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			if err == nil {
				won++
				continue
			}
			wantError(t, fmt.Sprintf("UseTOTPStep %d", i), err, store.ECONFLICT, store.MsgCodeUsed)
		}
		if won != 1 {
			t.Errorf("%d of %d sign-ins with one code succeeded, want exactly 1", won, n)
		}
		if got := mustUser(t, s, u.ID); got.TOTPLastStep != step {
			t.Errorf("TOTPLastStep %d, want %d", got.TOTPLastStep, step)
		}
	})
}

func testListUsers(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	fixtures := []struct {
		id, username, role, region string
		disabled                   bool
	}{
		{"u-1", "Wu", store.RoleHandler, "220102", false},
		{"u-2", "an", store.RoleLeader, "220102", false},
		{"u-3", "Ding", store.RoleHandler, "220103", false},
		{"u-4", "bai", store.RoleAdmin, "220000", false},
		{"u-5", "chen", store.RoleHandler, "220102", true},
		{"u-6", "Fang", store.RolePublisher, "220103", true},
	}
	for _, f := range fixtures {
		u := newUser(f.id, f.username)
		u.Role, u.RegionCode, u.Disabled = f.role, f.region, f.disabled
		mustCreateUser(t, s, u)
	}
	tests := []struct {
		name   string
		filter store.UserFilter
		want   []string // usernames, in order
	}{
		{"no filter leaves disabled users out", store.UserFilter{}, []string{"an", "bai", "ding", "wu"}},
		{"IncludeDisabled lists everyone by username", store.UserFilter{IncludeDisabled: true},
			[]string{"an", "bai", "chen", "ding", "fang", "wu"}},
		{"one region", store.UserFilter{RegionCodes: []string{"220102"}}, []string{"an", "wu"}},
		{"regions match exactly, not as prefixes", store.UserFilter{RegionCodes: []string{"2201"}}, []string{}},
		{"several regions with disabled", store.UserFilter{RegionCodes: []string{"220102", "220103"}, IncludeDisabled: true},
			[]string{"an", "chen", "ding", "fang", "wu"}},
		{"role", store.UserFilter{Role: store.RoleHandler}, []string{"ding", "wu"}},
		{"role with disabled", store.UserFilter{Role: store.RoleHandler, IncludeDisabled: true}, []string{"chen", "ding", "wu"}},
		{"role and region", store.UserFilter{Role: store.RoleHandler, RegionCodes: []string{"220103"}}, []string{"ding"}},
		{"no match", store.UserFilter{Role: "nobody"}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			users, err := s.ListUsers(t.Context(), tc.filter)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			got := []string{}
			for _, u := range users {
				got = append(got, u.Username)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("ListUsers(%+v) = %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
	t.Run("listed users carry every field", func(t *testing.T) {
		users, err := s.ListUsers(t.Context(), store.UserFilter{RegionCodes: []string{"220000"}})
		if err != nil || len(users) != 1 {
			t.Fatalf("ListUsers: %d users, err %v; want 1", len(users), err)
		}
		checkUser(t, "listed user", mustUser(t, s, "u-4"), users[0])
	})
}

func testLoginThrottle(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("a key never seen has zero failures", func(t *testing.T) {
		s := open(t)
		got, err := s.LoginFailures(t.Context(), "hmac:unknown")
		if err != nil {
			t.Fatalf("LoginFailures: %v", err)
		}
		if got.Key != "hmac:unknown" || got.Failures != 0 || !got.LastFailure.IsZero() {
			t.Errorf("LoginFailures = %+v, want key, 0 and a zero time", got)
		}
	})

	t.Run("counts failures per key and returns the counts after each", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		for i := 1; i <= 3; i++ {
			when := base.Add(time.Duration(i)*time.Minute + 456*time.Microsecond).In(store.CST)
			got, err := s.RecordLoginFailure(ctx, "hmac:a", when)
			if err != nil {
				t.Fatalf("RecordLoginFailure %d: %v", i, err)
			}
			var d differ
			d.field("Key", "hmac:a", got.Key)
			d.field("Failures", i, got.Failures)
			d.time("LastFailure", store.Truncate(when), got.LastFailure)
			if d.String() != "" {
				t.Errorf("RecordLoginFailure %d:\n\t%s", i, d.String())
			}
		}
		if _, err := s.RecordLoginFailure(ctx, "hmac:b", at(time.Hour)); err != nil {
			t.Fatalf("RecordLoginFailure(b): %v", err)
		}
		a, err := s.LoginFailures(ctx, "hmac:a")
		if err != nil {
			t.Fatalf("LoginFailures(a): %v", err)
		}
		if a.Failures != 3 || !a.LastFailure.Equal(at(3*time.Minute)) || a.LastFailure.Location() != time.UTC {
			t.Errorf("LoginFailures(a) = %+v, want 3 failures, last at %s UTC", a, at(3*time.Minute))
		}
		if b, err := s.LoginFailures(ctx, "hmac:b"); err != nil || b.Failures != 1 {
			t.Errorf("LoginFailures(b) = %+v, %v; want 1 failure", b, err)
		}
	})

	t.Run("LastFailure keeps the latest time", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		if _, err := s.RecordLoginFailure(ctx, "hmac:late", at(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := s.RecordLoginFailure(ctx, "hmac:late", at(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if got.Failures != 2 || !got.LastFailure.Equal(at(time.Hour)) {
			t.Errorf("after an earlier failure: %+v, want 2 failures, last at %s", got, at(time.Hour))
		}
	})

	t.Run("clearing forgets one key only; clearing an unknown key is fine", func(t *testing.T) {
		s := open(t)
		ctx := t.Context()
		for _, key := range []string{"hmac:a", "hmac:a", "hmac:b"} {
			if _, err := s.RecordLoginFailure(ctx, key, at(0)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.ClearLoginFailures(ctx, "hmac:a"); err != nil {
			t.Fatalf("ClearLoginFailures: %v", err)
		}
		if err := s.ClearLoginFailures(ctx, "hmac:never"); err != nil {
			t.Errorf("ClearLoginFailures of an unknown key: %v", err)
		}
		if a, err := s.LoginFailures(ctx, "hmac:a"); err != nil || a.Failures != 0 || !a.LastFailure.IsZero() {
			t.Errorf("LoginFailures(a) after clearing = %+v, %v; want zero", a, err)
		}
		if b, err := s.LoginFailures(ctx, "hmac:b"); err != nil || b.Failures != 1 {
			t.Errorf("LoginFailures(b) = %+v, %v; want 1 failure", b, err)
		}
		got, err := s.RecordLoginFailure(ctx, "hmac:a", at(time.Hour))
		if err != nil || got.Failures != 1 {
			t.Errorf("RecordLoginFailure after clearing = %+v, %v; want 1 failure", got, err)
		}
	})

	t.Run("an empty key is EINVALID", func(t *testing.T) {
		s := open(t)
		_, err := s.RecordLoginFailure(t.Context(), "", at(0))
		wantCode(t, "RecordLoginFailure(\"\")", err, store.EINVALID)
	})

	t.Run("concurrent failures all count", func(t *testing.T) {
		s := open(t)
		const n = 20
		counts := make([]int, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				lt, err := s.RecordLoginFailure(t.Context(), "hmac:busy", at(time.Duration(i)*time.Second))
				counts[i], errs[i] = lt.Failures, err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("RecordLoginFailure %d: %v", i, err)
			}
		}
		// Each call saw its own count after it: 1 to n, each once.
		slices.Sort(counts)
		for i, c := range counts {
			if c != i+1 {
				t.Fatalf("counts returned %v, want 1 to %d each once", counts, n)
			}
		}
		got, err := s.LoginFailures(t.Context(), "hmac:busy")
		if err != nil || got.Failures != n || !got.LastFailure.Equal(at((n-1)*time.Second)) {
			t.Errorf("LoginFailures = %+v, %v; want %d failures, last at %s", got, err, n, at((n-1)*time.Second))
		}
	})
}

func newSession(id, userID string, created time.Time) *store.Session {
	return &store.Session{
		ID: id, UserID: userID, CreatedAt: created, LastSeenAt: created.Add(time.Minute),
		ExpiresAt: created.Add(12 * time.Hour), Pending: true,
	}
}

func sessionDiff(want, got *store.Session) string {
	if got == nil {
		return "got a nil session"
	}
	var d differ
	d.field("ID", want.ID, got.ID)
	d.field("UserID", want.UserID, got.UserID)
	d.time("CreatedAt", store.Truncate(want.CreatedAt), got.CreatedAt)
	d.time("LastSeenAt", store.Truncate(want.LastSeenAt), got.LastSeenAt)
	d.time("ExpiresAt", store.Truncate(want.ExpiresAt), got.ExpiresAt)
	d.field("Pending", want.Pending, got.Pending)
	return d.String()
}

func mustCreateSession(t *testing.T, s store.AccountStore, sess *store.Session) {
	t.Helper()
	if err := s.CreateSession(t.Context(), sess); err != nil {
		t.Fatalf("CreateSession(%q): %v", sess.ID, err)
	}
}

// sessionIDs returns which of ids the store still has.
func sessionIDs(t *testing.T, s store.AccountStore, ids ...string) []string {
	t.Helper()
	left := []string{}
	for _, id := range ids {
		_, err := s.SessionByID(t.Context(), id)
		switch store.ErrorCode(err) {
		case "":
			left = append(left, id)
		case store.ENOTFOUND:
		default:
			t.Fatalf("SessionByID(%q): %v", id, err)
		}
	}
	return left
}

func testSessions(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("stores every field and writes back the stored times", func(t *testing.T) {
		s := open(t)
		sess := newSession("sha256:token-1", "user-1", base.Add(987_654*time.Nanosecond).In(store.CST))
		want := *sess
		mustCreateSession(t, s, sess)
		if diff := sessionDiff(&want, sess); diff != "" {
			t.Errorf("the passed session after CreateSession differs:\n\t%s", diff)
		}
		got, err := s.SessionByID(t.Context(), sess.ID)
		if err != nil {
			t.Fatalf("SessionByID: %v", err)
		}
		if diff := sessionDiff(&want, got); diff != "" {
			t.Errorf("SessionByID differs:\n\t%s", diff)
		}
	})

	t.Run("SessionByID does not judge expiry", func(t *testing.T) {
		s := open(t)
		sess := newSession("sha256:old", "user-1", at(-1000*time.Hour))
		sess.Pending = false
		mustCreateSession(t, s, sess)
		got, err := s.SessionByID(t.Context(), sess.ID)
		if err != nil {
			t.Fatalf("SessionByID of a long-expired session: %v", err)
		}
		if diff := sessionDiff(sess, got); diff != "" {
			t.Errorf("SessionByID differs:\n\t%s", diff)
		}
	})

	t.Run("an ID in use is ECONFLICT and keeps the first", func(t *testing.T) {
		s := open(t)
		first := newSession("sha256:dup", "user-1", at(0))
		mustCreateSession(t, s, first)
		err := s.CreateSession(t.Context(), newSession("sha256:dup", "user-2", at(time.Hour)))
		wantError(t, "CreateSession with a used ID", err, store.ECONFLICT, store.MsgConflict)
		if got, err := s.SessionByID(t.Context(), "sha256:dup"); err != nil || got.UserID != "user-1" {
			t.Errorf("SessionByID = %+v, %v; want the first session", got, err)
		}
	})

	t.Run("empty ID or user is EINVALID", func(t *testing.T) {
		s := open(t)
		wantCode(t, "CreateSession without ID", s.CreateSession(t.Context(), newSession("", "user-1", at(0))), store.EINVALID)
		wantCode(t, "CreateSession without user", s.CreateSession(t.Context(), newSession("sha256:x", "", at(0))), store.EINVALID)
		if left := sessionIDs(t, s, "", "sha256:x"); len(left) != 0 {
			t.Errorf("sessions %v stored, want none", left)
		}
	})

	t.Run("missing sessions are ENOTFOUND with MsgSessionNotFound", func(t *testing.T) {
		s := open(t)
		_, err := s.SessionByID(t.Context(), "sha256:missing")
		wantError(t, "SessionByID", err, store.ENOTFOUND, store.MsgSessionNotFound)
		err = s.TouchSession(t.Context(), "sha256:missing", at(0))
		wantError(t, "TouchSession", err, store.ENOTFOUND, store.MsgSessionNotFound)
		if err := s.DeleteSession(t.Context(), "sha256:missing"); err != nil {
			t.Errorf("DeleteSession of a missing session: %v", err)
		}
	})

	t.Run("TouchSession sets LastSeenAt only", func(t *testing.T) {
		s := open(t)
		sess := newSession("sha256:touch", "user-1", at(0))
		mustCreateSession(t, s, sess)
		when := base.Add(3*time.Hour + 777*time.Microsecond).In(store.CST)
		if err := s.TouchSession(t.Context(), sess.ID, when); err != nil {
			t.Fatalf("TouchSession: %v", err)
		}
		want := *sess
		want.LastSeenAt = when
		got, err := s.SessionByID(t.Context(), sess.ID)
		if err != nil {
			t.Fatalf("SessionByID: %v", err)
		}
		if diff := sessionDiff(&want, got); diff != "" {
			t.Errorf("after TouchSession:\n\t%s", diff)
		}
	})

	t.Run("DeleteSession and DeleteUserSessions remove only theirs", func(t *testing.T) {
		s := open(t)
		for _, sess := range []*store.Session{
			newSession("s-a1", "user-a", at(0)),
			newSession("s-a2", "user-a", at(time.Minute)),
			newSession("s-a3", "user-a", at(2*time.Minute)),
			newSession("s-b1", "user-b", at(0)),
		} {
			mustCreateSession(t, s, sess)
		}
		if err := s.DeleteSession(t.Context(), "s-a1"); err != nil {
			t.Fatalf("DeleteSession: %v", err)
		}
		n, err := s.DeleteUserSessions(t.Context(), "user-a")
		if err != nil || n != 2 {
			t.Errorf("DeleteUserSessions(user-a) = %d, %v; want 2", n, err)
		}
		if left := sessionIDs(t, s, "s-a1", "s-a2", "s-a3", "s-b1"); !slices.Equal(left, []string{"s-b1"}) {
			t.Errorf("sessions left %v, want [s-b1]", left)
		}
		if n, err := s.DeleteUserSessions(t.Context(), "user-a"); err != nil || n != 0 {
			t.Errorf("DeleteUserSessions again = %d, %v; want 0", n, err)
		}
	})
}

func testSessionExpiry(t *testing.T, open func(t *testing.T) store.Store) {
	now := at(24 * time.Hour)
	const idle = 30 * time.Minute
	// Each session: when it expires and when it was last seen, relative to
	// now.
	fixtures := []struct {
		id             string
		expires, seen  time.Duration
		goneIdle       bool // removed with the idle timeout
		goneNoIdleOnly bool // removed without an idle timeout too
	}{
		{"fresh", time.Hour, -time.Minute, false, false},
		{"expired", -time.Millisecond, -time.Minute, true, true},
		{"expires-now", 0, -time.Minute, false, false}, // not before now
		{"idle", time.Hour, -idle - time.Millisecond, true, false},
		{"idle-at-limit", time.Hour, -idle, false, false}, // LastSeenAt+idle == now
		{"both", -time.Hour, -2 * idle, true, true},
	}
	setup := func(t *testing.T) store.Store {
		t.Helper()
		s := open(t)
		for _, f := range fixtures {
			mustCreateSession(t, s, &store.Session{
				ID: f.id, UserID: "user-1", CreatedAt: now.Add(-2 * time.Hour),
				LastSeenAt: now.Add(f.seen), ExpiresAt: now.Add(f.expires),
			})
		}
		return s
	}
	ids := func() []string {
		var out []string
		for _, f := range fixtures {
			out = append(out, f.id)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		idle time.Duration
		gone func(i int) bool
	}{
		{"absolute and idle timeouts", idle, func(i int) bool { return fixtures[i].goneIdle }},
		{"no idle timeout (idle 0)", 0, func(i int) bool { return fixtures[i].goneNoIdleOnly }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := setup(t)
			var wantLeft []string
			wantGone := 0
			for i, f := range fixtures {
				if tc.gone(i) {
					wantGone++
				} else {
					wantLeft = append(wantLeft, f.id)
				}
			}
			n, err := s.DeleteExpiredSessions(t.Context(), now, tc.idle)
			if err != nil {
				t.Fatalf("DeleteExpiredSessions: %v", err)
			}
			if n != wantGone {
				t.Errorf("DeleteExpiredSessions removed %d, want %d", n, wantGone)
			}
			if left := sessionIDs(t, s, ids()...); !slices.Equal(left, wantLeft) {
				t.Errorf("sessions left %v, want %v", left, wantLeft)
			}
			if n, err := s.DeleteExpiredSessions(t.Context(), now, tc.idle); err != nil || n != 0 {
				t.Errorf("DeleteExpiredSessions again = %d, %v; want 0", n, err)
			}
		})
	}
}
