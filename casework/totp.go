package casework

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"fundwatch/store"
)

// TOTP settings: SHA-1, 6 digits, 30-second steps. These are the settings of
// RFC 6238's default and the only ones every authenticator app people use in
// China reads from a QR code (微信/腾讯身份验证器, 阿里云 App, Google
// Authenticator, Microsoft Authenticator, FreeOTP); several ignore the
// algorithm and digits parameters of the URI, so anything else would produce
// codes that never match.
const (
	TOTPPeriod     = 30
	TOTPDigits     = 6
	totpSecretSize = 20 // bytes: 160 bits, RFC 4226's recommendation for SHA-1
)

// TOTPSealPurpose is the purpose under which a user's TOTP secret is sealed
// with Keyring.SealSecret (id: the user's ID).
const TOTPSealPurpose = "totp"

// NewTOTPSecret makes a new random TOTP secret for account (the username)
// and returns it in base32 (what the user can type into an app by hand) and
// as the otpauth:// URI to show as a QR code. Seal the secret with
// Keyring.SealSecret(TOTPSealPurpose, userID, …) before storing it.
func NewTOTPSecret(issuer, account string) (secret, uri string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      TOTPPeriod,
		SecretSize:  totpSecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", store.Wrap(store.EINTERNAL, fmt.Errorf("new totp secret: %w", err), store.MsgInternal)
	}
	return key.Secret(), key.URL(), nil
}

// TOTPStep returns the 30-second step that t falls in (Unix time / 30).
func TOTPStep(t time.Time) int64 {
	u := t.Unix()
	if u < 0 {
		return (u - TOTPPeriod + 1) / TOTPPeriod
	}
	return u / TOTPPeriod
}

// NormalizeTOTPCode turns what a user typed into the 6 ASCII digits of a
// code: full-width digits (a Chinese input method in full-width mode) are
// folded, spaces and dashes ("123 456", "123-456") dropped. ok is false for
// anything else.
func NormalizeTOTPCode(s string) (code string, ok bool) {
	s = removeSpaceAndDashes(foldWidth(s))
	if len(s) != TOTPDigits || !allDigits(s) {
		return "", false
	}
	return s, true
}

// VerifyTOTP checks a code typed by the user against the base32 secret at
// time now. It accepts the code of the current step and of the step before
// and after (clocks of phones drift, and people type slowly), but never a
// step at or before lastStep, the last one accepted for this user: a code
// used once, or an older one seen over someone's shoulder, does not work
// again. On success it returns the step matched, which the caller records
// with store.UseTOTPStep (that call settles two sign-ins racing with one
// code). All three candidates are computed, and each is compared in constant
// time.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	typed, ok := NormalizeTOTPCode(code)
	if !ok {
		return 0, false
	}
	opts := hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	cur := TOTPStep(now)
	found := false
	for s := cur - 1; s <= cur+1; s++ {
		if s < 0 {
			continue
		}
		want, err := hotp.GenerateCodeCustom(strings.TrimSpace(secret), uint64(s), opts)
		if err != nil {
			return 0, false
		}
		match := subtle.ConstantTimeCompare([]byte(want), []byte(typed)) == 1
		if match && s > lastStep && !found {
			step, found = s, true
		}
	}
	return step, found
}
