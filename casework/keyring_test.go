package casework

import (
	"bytes"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"

	"fundwatch/store"
)

func testKeyring(t testing.TB, fill byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(bytes.Repeat([]byte{fill}, MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var testIdentity = ReporterIdentity{
	Name: "张三", IDNumber: "11010519491231002X", Phone: "13812345678", Email: "zhang@example.cn",
}

func TestNewKeyringRefusesWrongKeySizes(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewKeyring(make([]byte, n)); err == nil {
			t.Errorf("NewKeyring with %d bytes: no error", n)
		}
	}
}

func TestGenerateMasterKey(t *testing.T) {
	a, err := GenerateMasterKey()
	if err != nil || len(a) != MasterKeySize {
		t.Fatalf("GenerateMasterKey() = %d bytes, %v", len(a), err)
	}
	b, _ := GenerateMasterKey()
	if bytes.Equal(a, b) {
		t.Error("two master keys are equal")
	}
	if _, err := NewKeyring(a); err != nil {
		t.Errorf("NewKeyring(generated) = %v", err)
	}
}

func TestSealIdentityRoundTrip(t *testing.T) {
	k := testKeyring(t, 1)
	org := ReporterIdentity{OrgName: "某某有限公司", CreditCode: "91440101MA5CJQ4N59", ContactPerson: "李四", ContactPhone: "13912345678"}
	passport := ReporterIdentity{Name: "John Smith", IDType: DocPassport, IDNumber: "E12345678", Phone: "13912345678"}
	for _, id := range []ReporterIdentity{testIdentity, org, passport, {}} {
		sealed, err := k.SealIdentity("case-1", id)
		if err != nil {
			t.Fatal(err)
		}
		if sealed[0] != identityVersion || len(sealed) < 1+12+16 {
			t.Errorf("sealed form starts %x, len %d", sealed[:1], len(sealed))
		}
		if id.Name != "" && bytes.Contains(sealed, []byte(id.Name)) {
			t.Error("the sealed identity contains the name in clear")
		}
		got, err := k.OpenIdentity("case-1", sealed)
		if err != nil || got != id {
			t.Errorf("OpenIdentity = %+v, %v; want %+v", got, err, id)
		}
	}
}

func TestSealIdentityUsesAFreshNonce(t *testing.T) {
	k := testKeyring(t, 1)
	a, _ := k.SealIdentity("case-1", testIdentity)
	b, _ := k.SealIdentity("case-1", testIdentity)
	if bytes.Equal(a, b) {
		t.Error("sealing twice gave the same bytes")
	}
}

func TestOpenIdentityRefuses(t *testing.T) {
	k := testKeyring(t, 1)
	sealed, err := k.SealIdentity("case-1", testIdentity)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name   string
		k      *Keyring
		caseID string
		sealed []byte
	}{
		{"a flipped ciphertext bit", k, "case-1", flip(len(sealed) / 2)},
		{"a flipped tag bit", k, "case-1", flip(len(sealed) - 1)},
		{"a flipped nonce bit", k, "case-1", flip(3)},
		{"another version byte", k, "case-1", flip(0)},
		{"a ciphertext moved to another case", k, "case-2", sealed},
		{"another keyring", testKeyring(t, 2), "case-1", sealed},
		{"a truncated ciphertext", k, "case-1", sealed[:len(sealed)-1]},
		{"too short to hold a nonce", k, "case-1", sealed[:5]},
		{"nil", k, "case-1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.k.OpenIdentity(tt.caseID, tt.sealed)
			if err == nil || got != (ReporterIdentity{}) {
				t.Fatalf("OpenIdentity = %+v, %v; want an error", got, err)
			}
			if store.ErrorCode(err) != store.EINTERNAL || strings.Contains(store.ErrorMessage(err), "cipher") {
				t.Errorf("error %v: want EINTERNAL with a safe message", err)
			}
		})
	}
}

func TestSealIdentityNeedsACaseID(t *testing.T) {
	if _, err := testKeyring(t, 1).SealIdentity("", testIdentity); err == nil {
		t.Error("SealIdentity with an empty case id: no error")
	}
}

func TestSecretsStayOutOfLogs(t *testing.T) {
	k := testKeyring(t, 1)
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	log.Info("x", "keyring", k, "identity", testIdentity)
	out := buf.String() +
		fmt.Sprintf("%v %+v %#v %s", k, k, k, k) +
		fmt.Sprintf("%v %+v %#v %s", testIdentity, testIdentity, testIdentity, testIdentity) +
		fmt.Sprintf("%v", []any{testIdentity, &testIdentity})
	for _, secret := range []string{testIdentity.Name, testIdentity.IDNumber, testIdentity.Phone, testIdentity.Email} {
		if strings.Contains(out, secret) {
			t.Errorf("%q appears in formatted output: %s", secret, out)
		}
	}
	if strings.Contains(out, fmt.Sprint(k.codeHash[:4])) {
		t.Error("key bytes appear in formatted output")
	}
}

var accessCodePattern = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$`)

func TestAccessCodeFor(t *testing.T) {
	k := testKeyring(t, 1)
	code := k.AccessCodeFor("token-1")
	if !accessCodePattern.MatchString(code) || len(code) != 29 {
		t.Fatalf("AccessCodeFor = %q, want 6 groups of 4 Crockford base32 chars", code)
	}
	if strings.ContainsAny(code, "ILOU") {
		t.Errorf("AccessCodeFor = %q contains I, L, O or U", code)
	}
	if again := k.AccessCodeFor("token-1"); again != code {
		t.Errorf("same token gave %q and %q", code, again)
	}
	if other := k.AccessCodeFor("token-2"); other == code {
		t.Error("different tokens gave the same code")
	}
	if other := testKeyring(t, 2).AccessCodeFor("token-1"); other == code {
		t.Error("different keyrings gave the same code")
	}
	norm, ok := NormalizeAccessCode(code)
	if !ok || groupAccessCode(norm) != code {
		t.Errorf("the code does not normalize: %q → %q, %v", code, norm, ok)
	}
}

func TestAccessCodeForSpreadsOverTheAlphabet(t *testing.T) {
	k := testKeyring(t, 1)
	seen := map[rune]int{}
	codes := map[string]bool{}
	for i := range 2000 {
		code := k.AccessCodeFor(fmt.Sprintf("token-%d", i))
		if codes[code] {
			t.Fatalf("code %s repeated", code)
		}
		codes[code] = true
		for _, r := range strings.ReplaceAll(code, "-", "") {
			seen[r]++
		}
	}
	if len(seen) != 32 {
		t.Errorf("%d distinct characters in 2000 codes, want all 32", len(seen))
	}
	for r, n := range seen {
		// 48,000 characters over 32 symbols: 1,500 each on average.
		if n < 1200 || n > 1800 {
			t.Errorf("character %c appears %d times, want about 1500", r, n)
		}
	}
}

func TestCheckAccessCode(t *testing.T) {
	k := testKeyring(t, 1)
	code := k.AccessCodeFor("token-1")
	norm, _ := NormalizeAccessCode(code)
	c := &store.Case{ID: "c1", AccessCodeHash: k.HashAccessCode(norm)}
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	other := k.AccessCodeFor("token-2")
	tests := []struct {
		name  string
		k     *Keyring
		c     *store.Case
		input string
		want  bool
	}{
		{"the code as printed", k, c, code, true},
		{"the code typed in lowercase with spaces", k, c, typed, true},
		{"another submission's code", k, c, other, false},
		{"a malformed code", k, c, "1234", false},
		{"an empty code", k, c, "", false},
		{"a case without a stored hash", k, &store.Case{ID: "c2"}, code, false},
		{"a nil case", k, nil, code, false},
		{"another keyring", testKeyring(t, 2), c, code, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.k.CheckAccessCode(tt.c, tt.input); got != tt.want {
				t.Errorf("CheckAccessCode(%q) = %v, want %v", tt.input, got, tt.want)
			}
		})
	}
}

func TestHashAccessCodeIsKeyedAndDistinctFromDerivation(t *testing.T) {
	k := testKeyring(t, 1)
	h := k.HashAccessCode("K7QXM3PD9RTF2WHABC4N8Y1E")
	if len(h) != 32 {
		t.Fatalf("hash length %d, want 32", len(h))
	}
	if bytes.Equal(h, testKeyring(t, 2).HashAccessCode("K7QXM3PD9RTF2WHABC4N8Y1E")) {
		t.Error("two keyrings hash a code alike")
	}
	if bytes.Equal(k.codeHash, k.codeDerive) {
		t.Error("hashing and derivation share a key")
	}
}

func TestKeyringIsSafeForConcurrentUse(t *testing.T) {
	k := testKeyring(t, 1)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			caseID := fmt.Sprintf("case-%d", i)
			for range 50 {
				sealed, err := k.SealIdentity(caseID, testIdentity)
				if err != nil {
					t.Error(err)
					return
				}
				if got, err := k.OpenIdentity(caseID, sealed); err != nil || got != testIdentity {
					t.Errorf("concurrent round trip: %+v, %v", got, err)
					return
				}
				code := k.AccessCodeFor(caseID)
				norm, _ := NormalizeAccessCode(code)
				if !k.CheckAccessCode(&store.Case{AccessCodeHash: k.HashAccessCode(norm)}, code) {
					t.Error("concurrent access code check failed")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSealSecretRoundTrip(t *testing.T) {
	k := testKeyring(t, 1)
	for _, plain := range [][]byte{[]byte("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), {}, bytes.Repeat([]byte{0}, 100)} {
		sealed, err := k.SealSecret("totp", "user-1", plain)
		if err != nil {
			t.Fatal(err)
		}
		if sealed[0] != secretVersion || len(sealed) != 1+12+len(plain)+16 {
			t.Errorf("sealed form starts %x, len %d", sealed[:1], len(sealed))
		}
		if len(plain) > 4 && bytes.Contains(sealed, plain) {
			t.Error("the sealed secret contains the plain text")
		}
		got, err := k.OpenSecret("totp", "user-1", sealed)
		if err != nil || !bytes.Equal(got, plain) {
			t.Errorf("OpenSecret = %q, %v; want %q", got, err, plain)
		}
	}
	a, _ := k.SealSecret("totp", "user-1", []byte("s"))
	b, _ := k.SealSecret("totp", "user-1", []byte("s"))
	if bytes.Equal(a, b) {
		t.Error("sealing twice gave the same bytes")
	}
}

func TestOpenSecretRefuses(t *testing.T) {
	k := testKeyring(t, 1)
	sealed, err := k.SealSecret("ab", "c", []byte("JBSWY3DPEHPK3PXP"))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return b
	}
	tests := []struct {
		name        string
		k           *Keyring
		purpose, id string
		sealed      []byte
	}{
		{"a flipped ciphertext bit", k, "ab", "c", flip(len(sealed) / 2)},
		{"a flipped tag bit", k, "ab", "c", flip(len(sealed) - 1)},
		{"another version byte", k, "ab", "c", flip(0)},
		{"another id", k, "ab", "d", sealed},
		{"another purpose", k, "ax", "c", sealed},
		{"purpose and id split differently", k, "a", "bc", sealed},
		{"another keyring", testKeyring(t, 2), "ab", "c", sealed},
		{"truncated", k, "ab", "c", sealed[:len(sealed)-1]},
		{"nil", k, "ab", "c", nil},
		{"an empty purpose", k, "", "c", sealed},
		{"an empty id", k, "ab", "", sealed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.k.OpenSecret(tt.purpose, tt.id, tt.sealed)
			if err == nil || got != nil {
				t.Fatalf("OpenSecret = %q, %v; want an error", got, err)
			}
			if store.ErrorCode(err) != store.EINTERNAL || store.ErrorMessage(err) != errSecret {
				t.Errorf("error %v: want EINTERNAL with the safe message", err)
			}
		})
	}
}

func TestSecretAndIdentityKeysAreSeparate(t *testing.T) {
	k := testKeyring(t, 1)
	sealed, err := k.SealSecret("x", "case-1", []byte(`{"n":"张三"}`))
	if err != nil {
		t.Fatal(err)
	}
	// Same layout (version 1, nonce, ciphertext) and the same id: only the
	// subkey and the additional data tell them apart.
	if _, err := k.OpenIdentity("case-1", sealed); err == nil {
		t.Error("OpenIdentity opened a sealed secret")
	}
	id, _ := k.SealIdentity("case-1", testIdentity)
	if _, err := k.OpenSecret("x", "case-1", id); err == nil {
		t.Error("OpenSecret opened a sealed identity")
	}
}

func TestSealSecretNeedsPurposeAndID(t *testing.T) {
	k := testKeyring(t, 1)
	for _, c := range [][2]string{{"", "u"}, {"totp", ""}} {
		if _, err := k.SealSecret(c[0], c[1], []byte("s")); err == nil {
			t.Errorf("SealSecret(%q, %q): no error", c[0], c[1])
		}
	}
}
