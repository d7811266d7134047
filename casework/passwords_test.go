package casework

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"fundwatch/store"
)

// cheapParams keep the tests that hash many times quick; one test checks the
// real defaults.
var cheapParams = PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func mustHash(t *testing.T, pw string, p PasswordParams) string {
	t.Helper()
	h, err := hashPasswordWith(pw, p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashPasswordWritesPHCStringWithDefaultParams(t *testing.T) {
	h, err := HashPassword("长白山天池的水很蓝2026")
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Errorf("HashPassword = %q, want the PHC form with m=19456,t=2,p=1, 16-byte salt, 32-byte hash", h)
	}
	if ok, err := CheckPassword(h, "长白山天池的水很蓝2026"); !ok || err != nil {
		t.Errorf("CheckPassword(right password) = %v, %v", ok, err)
	}
	if NeedsRehash(h) {
		t.Error("NeedsRehash of a fresh default hash = true")
	}
	h2, _ := HashPassword("长白山天池的水很蓝2026")
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestCheckPassword(t *testing.T) {
	stored := mustHash(t, "Correct horse battery staple", cheapParams)
	wide := mustHash(t, "Ａｂｃ１２３ ｘｙｚ　end", cheapParams)
	tests := []struct {
		name    string
		hash    string
		pw      string
		want    bool
		wantErr bool
	}{
		{"accepts the right password", stored, "Correct horse battery staple", true, false},
		{"rejects a wrong one", stored, "correct horse battery staple", false, false},
		{"rejects a prefix", stored, "Correct horse battery stapl", false, false},
		{"rejects an empty password", stored, "", false, false},
		{"full-width input matches the ASCII password", stored, "Ｃｏｒｒｅｃｔ horse battery staple", true, false},
		{"ASCII input matches a password set in full width", wide, "Abc123 xyz end", true, false},
		{"rejects an absurdly long input without hashing it", stored, strings.Repeat("x", 10_000), false, false},
		{"a hash of another algorithm is an error", "$2a$10$abcdefghijklmnopqrstuuMn6v4gdM5WpdnB9mOHtbvbqW9jQ9sZe", "x", false, true},
		{"argon2i is refused", strings.Replace(stored, "argon2id", "argon2i", 1), "Correct horse battery staple", false, true},
		{"another version is refused", strings.Replace(stored, "v=19", "v=16", 1), "Correct horse battery staple", false, true},
		{"huge memory is refused", strings.Replace(stored, "m=64,", "m=4194304,", 1), "x", false, true},
		{"a broken salt is refused", strings.Replace(stored, "$m=64,t=1,p=1$", "$m=64,t=1,p=1$!!", 1), "x", false, true},
		{"the empty string is an error", "", "x", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckPassword(tt.hash, tt.pw)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("CheckPassword = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
			if err != nil && (store.ErrorCode(err) != store.EINTERNAL || store.ErrorMessage(err) != errPasswordHash) {
				t.Errorf("error = %v, want EINTERNAL with the safe message", err)
			}
		})
	}
}

func TestCheckPasswordUsesTheParamsInTheHash(t *testing.T) {
	old := mustHash(t, "一二三四五六七八九十百千", PasswordParams{MemoryKiB: 32, Time: 3, Threads: 2, SaltLen: 8, KeyLen: 16})
	if ok, err := CheckPassword(old, "一二三四五六七八九十百千"); !ok || err != nil {
		t.Errorf("CheckPassword(hash with other params) = %v, %v", ok, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	tests := []struct {
		name string
		hash string
		want bool
	}{
		{"cheaper memory", mustHash(t, "pw", PasswordParams{MemoryKiB: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}), true},
		{"fewer passes", "$argon2id$v=19$m=19456,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + strings.Repeat("A", 43), true},
		{"more threads", "$argon2id$v=19$m=19456,t=2,p=2$c2FsdHNhbHRzYWx0c2FsdA$" + strings.Repeat("A", 43), true},
		{"shorter key", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + strings.Repeat("A", 22), true},
		{"current params", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + strings.Repeat("A", 43), false},
		{"unreadable", "plain text", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NeedsRehash(tt.hash); got != tt.want {
				t.Errorf("NeedsRehash(%q) = %v, want %v", tt.hash, got, tt.want)
			}
		})
	}
}

func TestDummyPasswordHash(t *testing.T) {
	h := DummyPasswordHash()
	if DummyPasswordHash() != h {
		t.Error("DummyPasswordHash changes between calls")
	}
	if NeedsRehash(h) {
		t.Error("the dummy hash does not use the default params, so its timing differs from real users'")
	}
	for _, pw := range []string{"", "password", "123456789012"} {
		if ok, err := CheckPassword(h, pw); ok || err != nil {
			t.Errorf("CheckPassword(dummy, %q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

func TestCommonPasswordList(t *testing.T) {
	list := commonPasswords()
	if len(list) < 1000 {
		t.Errorf("the common-password list has %d entries, want at least 1000", len(list))
	}
	for _, w := range []string{"123456789", "a123456", "woaini1314", "5201314", "qq123456", "1qaz2wsx", "zxcvbnm",
		"abc123456", "iloveyou", "password1", "zhangwei", "wangfang", "1990", "888888", "qwertyuiop", "shebao"} {
		if _, ok := list[w]; !ok {
			t.Errorf("%q is missing from the list", w)
		}
	}
	for w := range list {
		if w != strings.ToLower(w) || strings.TrimSpace(w) != w || len([]rune(w)) < 4 {
			t.Errorf("list entry %q: want lowercase, trimmed, at least 4 characters", w)
		}
	}
}

func TestCheckNewPassword(t *testing.T) {
	tests := []struct {
		name, pw, user, want string
	}{
		{"10 Chinese characters are too short", "长春的冬天雪下得很大", "zhangsan", MsgPasswordTooShort},
		{"accepts 12 Chinese characters", "长春的冬天雪下得很大很冷", "zhangsan", ""},
		{"accepts a random mix", "tq7-Vorn-k2Pw-88", "zhangsan", ""},
		{"11 characters are too short", "abcdefghijk", "", MsgPasswordTooShort},
		{"12 characters are enough", "blue-river-7", "", ""},
		{"128 characters are allowed", strings.Repeat("abcdefg1", 16), "", ""},
		{"129 are too long", strings.Repeat("abcdefg1", 16) + "x", "", MsgPasswordTooLong},
		{"invalid UTF-8 is refused", "abcdefghijkl\xff", "", MsgPasswordInvalid},
		{"full-width digits count once each", "１２３４５６７８９０１２", "", MsgPasswordCommon},
		{"containing the username", "my-zhangsan-secret", "zhangsan", MsgPasswordUsername},
		{"containing the username, other case", "My-ZhangSan-Secret", " ZHANGSAN ", MsgPasswordUsername},
		{"a two-letter username is not looked for", "li-river-stone-7", "li", ""},
		{"two listed walks joined are not on the list", "qwertyuiopasdfghjkl", "", ""},
		{"a listed password exactly", "1qaz2wsx3edc4rfv", "", MsgPasswordCommon},
		{"listed, ignoring case", "1QAZ2WSX3EDC4RFV", "", MsgPasswordCommon},
		{"listed word plus digits", "woaini1314520", "", MsgPasswordCommon},
		{"listed word plus digits and symbols", "Password2024!@#", "", MsgPasswordCommon},
		{"qq number style", "qq123456789012", "", MsgPasswordCommon},
		{"pinyin name and birthday", "zhangwei19900101", "", MsgPasswordCommon},
		{"pinyin name and birthday, capitalised", "ZhangWei1990.01.01", "", MsgPasswordCommon},
		{"a year and more digits", "199001011234", "", MsgPasswordCommon},
		{"twelve ones", "111111111111", "", MsgPasswordCommon},
		{"keyboard walk with digits", "1q2w3e4r5t6y", "", MsgPasswordCommon},
		{"listed word followed by letters is not refused", "passwordriverstone", "", ""},
		{"a listed word inside a longer phrase is fine", "my password is long", "", ""},
		{"one character repeated", "zzzzzzzzzzzzz", "", MsgPasswordRepeated},
		{"a short unit repeated", "xyz!xyz!xyz!", "", MsgPasswordRepeated},
		{"a cut-short repetition", "kl9kl9kl9kl9k", "", MsgPasswordRepeated},
		{"a longer unit repeated is allowed", "river7river7", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckNewPassword(tt.pw, tt.user); got != tt.want {
				t.Errorf("CheckNewPassword(%q, %q) = %q, want %q", tt.pw, tt.user, got, tt.want)
			}
		})
	}
}

func TestPasswordMessagesQuoteTheLimits(t *testing.T) {
	if !strings.Contains(MsgPasswordTooShort, strconv.Itoa(MinPasswordRunes)) || !strings.Contains(MsgPasswordTooLong, strconv.Itoa(MaxPasswordRunes)) {
		t.Error("the length messages do not match MinPasswordRunes / MaxPasswordRunes")
	}
}
