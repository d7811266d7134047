package casework

import (
	"strings"
	"time"

	"fundwatch/store"
)

// Sign-in throttling. The store keeps, per key, only the number of failures
// and the time of the last one (store.LoginThrottle), so failures are counted
// as a run: each failure within ThrottleWindow of the previous one adds to
// the run, and a run whose last failure is ThrottleWindow old or more has
// decayed and counts as zero. Guessing slower than one attempt per
// ThrottleWindow is never counted; faster guessing meets a growing delay and,
// at LockAfterFailures, a lock. The count is per username typed, so an
// attacker can lock one account for LockDuration at a time (the price of
// protecting it); the lock ends by itself and nobody has to unlock it.
const (
	// ThrottleWindow is how long a failure counts.
	ThrottleWindow = 15 * time.Minute
	// LockAfterFailures failures in a run lock the key for LockDuration
	// from the last of them. LockDuration must not exceed ThrottleWindow,
	// or the run would decay while the lock still runs.
	LockAfterFailures = 10
	LockDuration      = 15 * time.Minute
	// MaxLoginDelay caps the delay between attempts.
	MaxLoginDelay = 30 * time.Second
)

// LoginFailuresInWindow returns the failures of th that still count at now:
// th.Failures while the last failure is less than ThrottleWindow old, else 0.
func LoginFailuresInWindow(th store.LoginThrottle, now time.Time) int {
	if th.Failures <= 0 || th.LastFailure.IsZero() || !now.Before(th.LastFailure.Add(ThrottleWindow)) {
		return 0
	}
	return th.Failures
}

// ThrottleExpired reports whether th holds failures that no longer count.
// The store's RecordLoginFailure adds to whatever count it holds, so the
// sign-in flow calls ClearLoginFailures first when this is true; otherwise
// a failure an hour after a run of nine would count as the tenth.
func ThrottleExpired(th store.LoginThrottle, now time.Time) bool {
	return th.Failures > 0 && LoginFailuresInWindow(th, now) == 0
}

// loginDelayFor is the wait after n failures in a run: none after the first
// (a typo), then 1, 2, 4, 8, 16 s, then MaxLoginDelay.
func loginDelayFor(n int) time.Duration {
	if n < 2 {
		return 0
	}
	if n > 7 {
		return MaxLoginDelay
	}
	return min(time.Second<<(n-2), MaxLoginDelay)
}

// LoginDelay returns how long, from now, the next sign-in attempt for th's
// key must still wait: 0, 0, 1, 2, 4, 8, 16, 30, 30 … seconds after the 0th,
// 1st, 2nd … failure of a run, counted from the last failure. An attempt made
// earlier is refused without checking the password and without counting as a
// failure (the message says how long to wait), so the delay cannot be used
// to lengthen itself. 0 means an attempt may be checked now.
func LoginDelay(th store.LoginThrottle, now time.Time) time.Duration {
	n := LoginFailuresInWindow(th, now)
	if n == 0 {
		return 0
	}
	return max(th.LastFailure.Add(loginDelayFor(n)).Sub(now), 0)
}

// LoginLocked reports whether th's key is locked at now: after
// LockAfterFailures failures in a run, for LockDuration from the last one.
// until is when the lock ends (for the message); attempts before it are
// refused unchecked and uncounted, like early attempts under LoginDelay.
func LoginLocked(th store.LoginThrottle, now time.Time) (until time.Time, locked bool) {
	if LoginFailuresInWindow(th, now) < LockAfterFailures {
		return time.Time{}, false
	}
	until = th.LastFailure.Add(LockDuration)
	return until, now.Before(until)
}

// ThrottleKey returns the key under which sign-in failures for username are
// counted: a keyed digest of the name as the user typed it, trimmed,
// full-width folded and lowercased (as usernames are stored). The digest is
// the same for names that exist and names that do not, so the throttle does
// not reveal which exist, and a copy of the table does not list who was
// being guessed at.
func ThrottleKey(k *Keyring, username string) string {
	return k.Digest("login-throttle", []byte(strings.ToLower(strings.TrimSpace(foldWidth(username)))))
}
