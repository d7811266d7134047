package casework

import (
	"testing"
	"time"

	"fundwatch/store"
)

func TestLoginDelay(t *testing.T) {
	last := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	at := func(failures int) store.LoginThrottle {
		return store.LoginThrottle{Key: "k", Failures: failures, LastFailure: last}
	}
	tests := []struct {
		name string
		th   store.LoginThrottle
		now  time.Time
		want time.Duration
	}{
		{"no failures", store.LoginThrottle{}, last, 0},
		{"one failure", at(1), last, 0},
		{"two failures", at(2), last, time.Second},
		{"three failures", at(3), last, 2 * time.Second},
		{"four failures", at(4), last, 4 * time.Second},
		{"five failures", at(5), last, 8 * time.Second},
		{"six failures", at(6), last, 16 * time.Second},
		{"seven failures: capped", at(7), last, 30 * time.Second},
		{"nine failures: capped", at(9), last, 30 * time.Second},
		{"a thousand failures: capped", at(1000), last, 30 * time.Second},
		{"counts from the last failure", at(5), last.Add(3 * time.Second), 5 * time.Second},
		{"over once the delay has passed", at(5), last.Add(8 * time.Second), 0},
		{"over long after", at(6), last.Add(time.Minute), 0},
		{"decayed failures do not delay", at(9), last.Add(ThrottleWindow), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LoginDelay(tt.th, tt.now); got != tt.want {
				t.Errorf("LoginDelay = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoginLocked(t *testing.T) {
	last := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	at := func(failures int) store.LoginThrottle {
		return store.LoginThrottle{Key: "k", Failures: failures, LastFailure: last}
	}
	tests := []struct {
		name      string
		th        store.LoginThrottle
		now       time.Time
		wantUntil time.Time
		locked    bool
	}{
		{"nine failures do not lock", at(9), last, time.Time{}, false},
		{"ten failures lock", at(10), last, last.Add(15 * time.Minute), true},
		{"still locked a second before the end", at(10), last.Add(15*time.Minute - time.Second), last.Add(15 * time.Minute), true},
		{"twelve failures lock from the last", at(12), last.Add(time.Minute), last.Add(15 * time.Minute), true},
		{"the lock ends by itself", at(10), last.Add(15 * time.Minute), time.Time{}, false},
		{"no failures", store.LoginThrottle{}, last, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			until, locked := LoginLocked(tt.th, tt.now)
			if !until.Equal(tt.wantUntil) || locked != tt.locked {
				t.Errorf("LoginLocked = %v, %v; want %v, %v", until, locked, tt.wantUntil, tt.locked)
			}
		})
	}
}

func TestThrottleDecay(t *testing.T) {
	if LockDuration > ThrottleWindow {
		t.Fatalf("LockDuration %v exceeds ThrottleWindow %v: runs would decay during a lock", LockDuration, ThrottleWindow)
	}
	last := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	th := store.LoginThrottle{Key: "k", Failures: 9, LastFailure: last}
	tests := []struct {
		name        string
		th          store.LoginThrottle
		now         time.Time
		inWindow    int
		wantExpired bool
	}{
		{"a fresh run counts", th, last.Add(time.Minute), 9, false},
		{"a run just inside the window counts", th, last.Add(ThrottleWindow - time.Millisecond), 9, false},
		{"a run at the window's end has decayed", th, last.Add(ThrottleWindow), 0, true},
		{"an hour later it has decayed", th, last.Add(time.Hour), 0, true},
		{"an empty throttle has nothing to expire", store.LoginThrottle{Key: "k"}, last, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LoginFailuresInWindow(tt.th, tt.now); got != tt.inWindow {
				t.Errorf("LoginFailuresInWindow = %d, want %d", got, tt.inWindow)
			}
			if got := ThrottleExpired(tt.th, tt.now); got != tt.wantExpired {
				t.Errorf("ThrottleExpired = %v, want %v", got, tt.wantExpired)
			}
		})
	}
}

func TestThrottleKey(t *testing.T) {
	k := testKeyring(t, 1)
	base := ThrottleKey(k, "zhangsan")
	if len(base) != 64 || base == "zhangsan" {
		t.Fatalf("ThrottleKey = %q, want a hex digest", base)
	}
	for _, same := range []string{"ZhangSan", "  zhangsan ", "ｚｈａｎｇｓａｎ", "\tZHANGSAN\n"} {
		if got := ThrottleKey(k, same); got != base {
			t.Errorf("ThrottleKey(%q) differs from ThrottleKey(zhangsan)", same)
		}
	}
	if ThrottleKey(k, "zhangsan2") == base {
		t.Error("different usernames share a key")
	}
	if ThrottleKey(testKeyring(t, 2), "zhangsan") == base {
		t.Error("the key does not depend on the keyring")
	}
	if ThrottleKey(k, "zhangsan") == k.Digest("other", []byte("zhangsan")) {
		t.Error("the throttle digest is not separated from other purposes")
	}
}
