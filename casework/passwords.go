package casework

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"fundwatch/store"
)

// PasswordParams are the argon2id cost parameters of a password hash. They
// are written into every hash (PHC string form), so they can be raised later:
// old hashes keep verifying with their own parameters and NeedsRehash tells
// the sign-in flow to re-hash with the current ones.
type PasswordParams struct {
	MemoryKiB uint32 // m
	Time      uint32 // t, passes over the memory
	Threads   uint8  // p
	SaltLen   int
	KeyLen    int
}

// DefaultPasswordParams returns the parameters new hashes get: OWASP's first
// argon2id configuration (Password Storage Cheat Sheet), m = 19 MiB, t = 2,
// p = 1, with a 16-byte salt and a 32-byte hash. Chosen over m = 64 MiB because the portal runs on a small
// government server (two shared cores) where several staff sign in at the
// start of the working day: 19 MiB per attempt keeps twenty concurrent
// sign-ins under 400 MiB, and t = 2 buys back the cost the lower memory gives
// up. One thread, because a second core is better spent serving the next
// request than shortening this one. Raise them here when the hardware allows;
// NeedsRehash then upgrades each user at their next sign-in.
func DefaultPasswordParams() PasswordParams {
	return PasswordParams{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Bounds on the parameters read back from a stored hash, so a corrupted or
// planted hash cannot make one sign-in allocate gigabytes or run for minutes.
const (
	maxHashMemoryKiB = 1 << 20 // 1 GiB
	maxHashTime      = 16
	minHashSaltLen   = 8
	maxHashSaltLen   = 64
	minHashKeyLen    = 16
	maxHashKeyLen    = 64
)

// Length limits of a password, counted in characters (runes), so a password
// of Chinese characters gets the same allowance as one of ASCII letters.
const (
	MinPasswordRunes = 12
	MaxPasswordRunes = 128
)

// maxCheckedPasswordBytes bounds what CheckPassword hashes: MaxPasswordRunes
// of four-byte characters. Anything longer cannot be a password anyone set.
const maxCheckedPasswordBytes = MaxPasswordRunes * utf8.UTFMax

// errPasswordHash is the one safe message when a stored hash cannot be read.
const errPasswordHash = "账号的密码数据有误，请联系系统管理员重置密码。"

// b64 is the PHC string format's base64: standard alphabet, no padding.
var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id hash of password in PHC string form,
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, with a fresh random salt and
// DefaultPasswordParams. The password is taken as typed except that
// full-width ASCII (an input method left in full-width mode) is folded to
// ASCII, as CheckPassword does, so "Ａｂｃ" and "Abc" are the same password.
// Nothing is truncated (bcrypt would stop at 72 bytes, 24 Chinese characters).
func HashPassword(password string) (string, error) {
	return hashPasswordWith(password, DefaultPasswordParams())
}

func hashPasswordWith(password string, p PasswordParams) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", store.Wrap(store.EINTERNAL, fmt.Errorf("hash password: %w", err), store.MsgInternal)
	}
	key := argon2.IDKey([]byte(foldWidth(password)), salt, p.Time, p.MemoryKiB, p.Threads, uint32(p.KeyLen))
	return encodePasswordHash(p, salt, key), nil
}

func encodePasswordHash(p PasswordParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parsedHash is a decoded PHC string.
type parsedHash struct {
	params PasswordParams
	salt   []byte
	key    []byte
}

// parsePasswordHash decodes an argon2id PHC string, refusing other algorithms,
// other argon2 versions and parameters outside the bounds above.
func parsePasswordHash(encoded string) (parsedHash, error) {
	var h parsedHash
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, fmt.Errorf("not an argon2id PHC string")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("unsupported argon2 version %q", parts[2])
	}
	params := strings.Split(parts[3], ",")
	if len(params) != 3 {
		return h, fmt.Errorf("want m, t and p parameters, got %q", parts[3])
	}
	var m, t, p uint64
	for i, dst := range []*uint64{&m, &t, &p} {
		name, value, ok := strings.Cut(params[i], "=")
		if !ok || name != string("mtp"[i]) {
			return h, fmt.Errorf("parameter %d is %q, want %c=…", i, params[i], "mtp"[i])
		}
		n, err := strconv.ParseUint(value, 10, 32)
		if err != nil {
			return h, fmt.Errorf("parameter %c: %w", "mtp"[i], err)
		}
		*dst = n
	}
	switch {
	case p < 1 || p > 255:
		return h, fmt.Errorf("p=%d out of range", p)
	case t < 1 || t > maxHashTime:
		return h, fmt.Errorf("t=%d out of range", t)
	case m < 8*p || m > maxHashMemoryKiB:
		return h, fmt.Errorf("m=%d out of range", m)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minHashSaltLen || len(salt) > maxHashSaltLen {
		return h, fmt.Errorf("bad salt")
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minHashKeyLen || len(key) > maxHashKeyLen {
		return h, fmt.Errorf("bad hash")
	}
	h.params = PasswordParams{MemoryKiB: uint32(m), Time: uint32(t), Threads: uint8(p), SaltLen: len(salt), KeyLen: len(key)}
	h.salt, h.key = salt, key
	return h, nil
}

// CheckPassword reports whether password matches the argon2id hash encoded,
// using the parameters written in the hash and a constant-time comparison.
// A hash that cannot be read is an error (*store.Error EINTERNAL, to be
// logged: the account needs a new password) and never a match. For a
// username that does not exist, check against DummyPasswordHash so the
// answer takes as long as for a real user.
func CheckPassword(encoded, password string) (bool, error) {
	h, err := parsePasswordHash(encoded)
	if err != nil {
		return false, store.Wrap(store.EINTERNAL, fmt.Errorf("check password: %w", err), errPasswordHash)
	}
	if len(password) > maxCheckedPasswordBytes {
		return false, nil
	}
	key := argon2.IDKey([]byte(foldWidth(password)), h.salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(key, h.key) == 1, nil
}

// NeedsRehash reports whether a hash was made with parameters other than
// DefaultPasswordParams (or cannot be read), so the sign-in flow, which
// holds the password in clear just then, should store HashPassword of it.
func NeedsRehash(encoded string) bool {
	h, err := parsePasswordHash(encoded)
	if err != nil {
		return true
	}
	want := DefaultPasswordParams()
	return h.params != want
}

var dummyPasswordHash = sync.OnceValue(func() string {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	h, err := HashPassword(b64.EncodeToString(secret))
	if err != nil {
		panic("casework: dummy password hash: " + err.Error())
	}
	return h
})

// DummyPasswordHash is a hash of a random password nobody knows, made with
// DefaultPasswordParams once per process. Checking a sign-in for an unknown
// username against it costs the same time as for a real user, so response
// times do not tell which usernames exist.
func DummyPasswordHash() string { return dummyPasswordHash() }

//go:embed data/common-passwords.txt
var commonPasswordsTxt []byte

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 2048)
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsTxt))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[strings.ToLower(line)] = struct{}{}
	}
	return set
})

// Messages of CheckNewPassword, shown next to the new-password field.
const (
	MsgPasswordTooShort = "密码至少需要 12 个字符。建议用一句自己容易记住、别人猜不到的话。"
	MsgPasswordTooLong  = "密码最多 128 个字符。"
	MsgPasswordInvalid  = "密码含有无法识别的字符，请重新输入。"
	MsgPasswordUsername = "密码不能包含用户名。"
	MsgPasswordCommon   = "这个密码太常见，很容易被猜到，请换一个。"
	MsgPasswordRepeated = "密码不能只是同一个字符或同一小段内容的重复，请换一个。"
)

// CheckNewPassword checks a password a user chooses (NIST SP 800-63B: length
// and a blocklist, no composition rules) and returns "" when it is
// acceptable, else the Chinese message to show. Refused:
//   - fewer than MinPasswordRunes or more than MaxPasswordRunes characters,
//     or invalid UTF-8;
//   - a password containing the username (ignoring case and surrounding
//     spaces) when the username has at least 3 characters — shorter names
//     would refuse too many good passwords by chance;
//   - a password in data/common-passwords.txt, ignoring case, or one of those
//     followed only by digits, symbols and spaces ("Password2024!",
//     "woaini1314520", "zhangwei19900101");
//   - one character or a unit of up to 4 characters repeated
//     ("aaaaaaaaaaaa", "abcdabcdabcd").
//
// Full-width ASCII is folded first, as HashPassword does.
func CheckNewPassword(pw, username string) string {
	if !utf8.ValidString(pw) {
		return MsgPasswordInvalid
	}
	pw = foldWidth(pw)
	switch n := utf8.RuneCountInString(pw); {
	case n < MinPasswordRunes:
		return MsgPasswordTooShort
	case n > MaxPasswordRunes:
		return MsgPasswordTooLong
	}
	lower := strings.ToLower(pw)
	if u := strings.ToLower(strings.TrimSpace(foldWidth(username))); utf8.RuneCountInString(u) >= 3 && strings.Contains(lower, u) {
		return MsgPasswordUsername
	}
	if isCommonPassword(lower) {
		return MsgPasswordCommon
	}
	if isRepetition(lower, 4) {
		return MsgPasswordRepeated
	}
	return ""
}

// isCommonPassword reports whether lower is on the list, or is a listed word
// followed by nothing but digits, symbols and spaces.
func isCommonPassword(lower string) bool {
	list := commonPasswords()
	s := lower
	for {
		if _, ok := list[s]; ok {
			return true
		}
		r, size := utf8.DecodeLastRuneInString(s)
		if size == 0 || !(unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)) {
			return false
		}
		s = s[:len(s)-size]
	}
}

// isRepetition reports whether s is a unit of at most maxUnit runes repeated
// (at least twice; the last repetition may be cut short, "abcabca").
func isRepetition(s string, maxUnit int) bool {
	runes := []rune(s)
	for unit := 1; unit <= maxUnit && unit*2 <= len(runes); unit++ {
		same := true
		for i := unit; i < len(runes) && same; i++ {
			same = runes[i] == runes[i-unit]
		}
		if same {
			return true
		}
	}
	return false
}
