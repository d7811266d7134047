package casework

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// rfcSecret is RFC 6238's SHA-1 test key "12345678901234567890" in base32.
// Its 8-digit vectors end in the 6-digit codes used below.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func unix(s int64) time.Time { return time.Unix(s, 0).UTC() }

func TestVerifyTOTPAgainstRFC6238Vectors(t *testing.T) {
	tests := []struct {
		at   int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tt := range tests {
		step, ok := VerifyTOTP(rfcSecret, tt.code, unix(tt.at), 0)
		if !ok || step != tt.at/30 {
			t.Errorf("VerifyTOTP(%s at %d) = %d, %v; want step %d", tt.code, tt.at, step, ok, tt.at/30)
		}
	}
}

func TestVerifyTOTP(t *testing.T) {
	const at = 1111111111 // code 050471, step 37037037
	const cur = at / 30
	tests := []struct {
		name     string
		secret   string
		code     string
		now      time.Time
		lastStep int64
		want     int64
		ok       bool
	}{
		{"accepts the current code", rfcSecret, "050471", unix(at), 0, cur, true},
		{"accepts the code of the step before", rfcSecret, "050471", unix(at + 30), 0, cur, true},
		{"accepts the code of the step after", rfcSecret, "050471", unix(at - 30), 0, cur, true},
		{"refuses a code two steps old", rfcSecret, "050471", unix(at + 60), 0, 0, false},
		{"refuses a code two steps ahead", rfcSecret, "050471", unix(at - 60), 0, 0, false},
		{"refuses a code already used", rfcSecret, "050471", unix(at), cur, 0, false},
		{"refuses an older code after a newer one was used", rfcSecret, "050471", unix(at + 30), cur + 1, 0, false},
		{"accepts the next step after the last used", rfcSecret, "050471", unix(at), cur - 1, cur, true},
		{"refuses a wrong code", rfcSecret, "050472", unix(at), 0, 0, false},
		{"tolerates spaces", rfcSecret, " 050 471 ", unix(at), 0, cur, true},
		{"tolerates a dash", rfcSecret, "050-471", unix(at), 0, cur, true},
		{"tolerates full-width digits and spaces", rfcSecret, "０５０　４７１", unix(at), 0, cur, true},
		{"a lowercase secret works", strings.ToLower(rfcSecret), "050471", unix(at), 0, cur, true},
		{"refuses five digits", rfcSecret, "50471", unix(at), 0, 0, false},
		{"refuses seven digits", rfcSecret, "0504710", unix(at), 0, 0, false},
		{"refuses letters", rfcSecret, "05047l", unix(at), 0, 0, false},
		{"refuses the empty code", rfcSecret, "", unix(at), 0, 0, false},
		{"refuses Arabic-Indic digits", rfcSecret, "٠٥٠٤٧١", unix(at), 0, 0, false},
		{"a broken secret matches nothing", "not base32!", "050471", unix(at), 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := VerifyTOTP(tt.secret, tt.code, tt.now, tt.lastStep)
			if step != tt.want || ok != tt.ok {
				t.Errorf("VerifyTOTP = %d, %v; want %d, %v", step, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNewTOTPSecret(t *testing.T) {
	secret, uri, err := NewTOTPSecret("社保基金监督平台", "zhangsan")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 || strings.Trim(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
		t.Errorf("secret %q: want 32 base32 characters (160 bits)", secret)
	}
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(uri)
	if key.Type() != "totp" || key.Issuer() != "社保基金监督平台" || key.AccountName() != "zhangsan" || key.Secret() != secret ||
		key.Period() != 30 || key.Digits() != otp.DigitsSix || key.Algorithm() != otp.AlgorithmSHA1 || u.Scheme != "otpauth" {
		t.Errorf("URI %s: want totp, issuer, account, the secret, 30 s, 6 digits, SHA1", uri)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	if step, ok := VerifyTOTP(secret, code, now, 0); !ok || step != TOTPStep(now) {
		t.Errorf("the app's code does not verify: %d, %v", step, ok)
	}
	other, _, _ := NewTOTPSecret("社保基金监督平台", "zhangsan")
	if other == secret {
		t.Error("two secrets are equal")
	}
}

func TestTOTPStep(t *testing.T) {
	for _, tt := range []struct {
		at   int64
		want int64
	}{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {-1, -1}, {-30, -1}, {-31, -2}} {
		if got := TOTPStep(unix(tt.at)); got != tt.want {
			t.Errorf("TOTPStep(%d) = %d, want %d", tt.at, got, tt.want)
		}
	}
}
