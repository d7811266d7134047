package casework

import (
	"net/url"
	"strconv"

	"fundwatch/store"
)

// RoleRequiresTOTP reports whether users of a role must sign in with a
// second factor: administrators (who create accounts) and leaders (who sign
// 要情 reports) must; for handlers and publishers it is their choice.
func RoleRequiresTOTP(role string) bool {
	return role == store.RoleAdmin || role == store.RoleLeader
}

// TOTPURI is the otpauth:// URI of an existing secret, as NewTOTPSecret
// makes it, for showing the QR code again while a user enrols.
func TOTPURI(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", strconv.Itoa(TOTPPeriod))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: v.Encode()}
	return u.String()
}
