package casework

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"fundwatch/store"
)

// MasterKeySize is the length of the server's master key in bytes.
const MasterKeySize = 32

// Labels of the subkeys derived from the master key. Each purpose has its own
// key so that, for example, an access-code hash can never be confused with an
// access code derived for another submission, and so a purpose can be rotated
// by changing its label's version.
const (
	labelIdentity   = "fundwatch/identity-encryption/v1"
	labelCodeDerive = "fundwatch/access-code-derivation/v1"
	labelCodeHash   = "fundwatch/access-code-hashing/v1"
	labelSecret     = "fundwatch/secret-encryption/v1"
)

// identityVersion is the first byte of a sealed identity, so the format can
// change later while old ciphertexts stay readable.
const identityVersion byte = 1

// Keyring holds the keys derived from the server's master key: one to encrypt
// reporter identities, one to derive access codes, one to hash them, one to
// encrypt other secrets (staff TOTP secrets). The store
// never sees any of them, so a copy of the database alone reveals neither who
// reported nor the codes that open the follow-up pages. A Keyring is safe for
// concurrent use; it never prints its keys.
type Keyring struct {
	identity   cipher.AEAD
	secrets    cipher.AEAD
	codeDerive []byte
	codeHash   []byte
}

// NewKeyring derives the subkeys from master, which must be exactly
// MasterKeySize bytes of random data (see GenerateMasterKey); a shorter or
// longer key is refused rather than stretched, because it is a config error.
func NewKeyring(master []byte) (*Keyring, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("casework: master key must be %d bytes, got %d", MasterKeySize, len(master))
	}
	identity, err := newGCM(subkey(master, labelIdentity))
	if err != nil {
		return nil, fmt.Errorf("casework: identity cipher: %w", err)
	}
	secrets, err := newGCM(subkey(master, labelSecret))
	if err != nil {
		return nil, fmt.Errorf("casework: secret cipher: %w", err)
	}
	return &Keyring{
		identity:   identity,
		secrets:    secrets,
		codeDerive: subkey(master, labelCodeDerive),
		codeHash:   subkey(master, labelCodeHash),
	}, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// GenerateMasterKey returns a new random master key, for the command that
// initialises a deployment; storing it is the caller's job.
func GenerateMasterKey() ([]byte, error) {
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("casework: generate master key: %w", err)
	}
	return key, nil
}

func subkey(master []byte, label string) []byte {
	return hmacSHA256(master, []byte(label))
}

func hmacSHA256(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// String keeps keys out of logs and error messages.
func (k *Keyring) String() string { return "casework.Keyring{…}" }

// GoString keeps keys out of %#v output.
func (k *Keyring) GoString() string { return k.String() }

// LogValue keeps keys out of structured logs.
func (k *Keyring) LogValue() slog.Value { return slog.StringValue(k.String()) }

// AccessCodeFor returns the access code (查询码) of the submission with the
// given idempotency token: 120 bits of HMAC-SHA256 under the derivation key,
// as 24 Crockford base32 characters in groups of four,
// "K7QX-M3PD-9RTF-2WHA-BC4N-8Y1E". Because it is derived rather than random, a
// retried POST re-displays the same receipt without the code ever being
// stored. The token must be unique per submission and unguessable (a
// server-issued random value), and a retry must re-display the code only when
// the submission matches the stored one.
func (k *Keyring) AccessCodeFor(idempotencyKey string) string {
	sum := hmacSHA256(k.codeDerive, []byte(idempotencyKey))
	// 15 bytes are 120 bits: exactly 24 groups of 5 bits.
	var compact [AccessCodeLength]byte
	var acc uint64
	bits, j := 0, 0
	for _, b := range sum[:15] {
		acc = acc<<8 | uint64(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			compact[j] = accessCodeAlphabet[(acc>>bits)&31]
			j++
		}
	}
	return groupAccessCode(string(compact[:]))
}

// HashAccessCode returns the keyed hash of a normalized access code (see
// NormalizeAccessCode), the only form of the code the store keeps. It is keyed
// so that the 120-bit codes cannot be brute-forced from a stolen database.
func (k *Keyring) HashAccessCode(normalized string) []byte {
	return hmacSHA256(k.codeHash, []byte(normalized))
}

// CheckAccessCode reports whether input is the access code of case c. The
// comparison is constant-time; malformed input and a case without a stored
// hash are false.
func (k *Keyring) CheckAccessCode(c *store.Case, input string) bool {
	norm, ok := NormalizeAccessCode(input)
	if !ok || c == nil || len(c.AccessCodeHash) == 0 {
		return false
	}
	return hmac.Equal(k.HashAccessCode(norm), c.AccessCodeHash)
}

// ReporterIdentity is who filed a named report: a person (Name, IDType,
// IDNumber, Phone, Email) or an organisation (OrgName, CreditCode,
// ContactPerson, ContactPhone). It is confidential: it exists in clear only
// in memory, is stored only sealed, and its String form is redacted so a
// careless log line cannot leak it.
type ReporterIdentity struct {
	Name string
	// IDType is the document IDNumber belongs to (DocResidentID …); ""
	// in identities sealed before there was a choice is the resident ID.
	IDType        string
	IDNumber      string
	Phone         string
	Email         string
	OrgName       string
	CreditCode    string
	ContactPerson string
	ContactPhone  string
}

// String redacts the identity (DOMAIN.md: never in logs).
func (ReporterIdentity) String() string { return "ReporterIdentity{已隐去}" }

// GoString redacts the identity in %#v output.
func (id ReporterIdentity) GoString() string { return id.String() }

// LogValue redacts the identity in structured logs.
func (id ReporterIdentity) LogValue() slog.Value { return slog.StringValue(id.String()) }

// sealedIdentity is the JSON inside the ciphertext. It is separate from
// ReporterIdentity so renaming a Go field never changes the stored format.
type sealedIdentity struct {
	Name          string `json:"n,omitempty"`
	IDType        string `json:"idt,omitempty"`
	IDNumber      string `json:"id,omitempty"`
	Phone         string `json:"p,omitempty"`
	Email         string `json:"e,omitempty"`
	OrgName       string `json:"o,omitempty"`
	CreditCode    string `json:"cc,omitempty"`
	ContactPerson string `json:"cp,omitempty"`
	ContactPhone  string `json:"cph,omitempty"`
}

// errIdentity is the one safe message for any failure to seal or open an
// identity; the cause stays in the wrapped error for the server log.
const errIdentity = "举报人身份信息处理失败，请联系系统管理员。"

// SealIdentity encrypts a reporter's identity for case caseID with AES-256-GCM:
// a version byte, a random 12-byte nonce, then the ciphertext. The version and
// caseID are authenticated as additional data, so a ciphertext copied to
// another case does not open. Fields must be valid UTF-8 (the form layer checks
// that); invalid bytes would come back as U+FFFD.
func (k *Keyring) SealIdentity(caseID string, id ReporterIdentity) ([]byte, error) {
	if caseID == "" {
		return nil, store.Wrap(store.EINTERNAL, errors.New("seal identity: empty case id"), errIdentity)
	}
	plain, err := json.Marshal(sealedIdentity(id))
	if err != nil {
		return nil, store.Wrap(store.EINTERNAL, err, errIdentity)
	}
	defer clear(plain)
	nonceSize := k.identity.NonceSize()
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plain)+k.identity.Overhead())
	out[0] = identityVersion
	nonce := out[1 : 1+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, store.Wrap(store.EINTERNAL, err, errIdentity)
	}
	return k.identity.Seal(out, nonce, plain, identityAD(caseID)), nil
}

// OpenIdentity decrypts what SealIdentity produced for the same case. Any
// tampering, a ciphertext of another case or another key gives an error
// (*store.Error EINTERNAL with a safe message).
func (k *Keyring) OpenIdentity(caseID string, sealed []byte) (ReporterIdentity, error) {
	nonceSize := k.identity.NonceSize()
	if len(sealed) < 1+nonceSize+k.identity.Overhead() {
		return ReporterIdentity{}, store.Wrap(store.EINTERNAL, errors.New("open identity: too short"), errIdentity)
	}
	if sealed[0] != identityVersion {
		return ReporterIdentity{}, store.Wrap(store.EINTERNAL, fmt.Errorf("open identity: unknown version %d", sealed[0]), errIdentity)
	}
	plain, err := k.identity.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], identityAD(caseID))
	if err != nil {
		return ReporterIdentity{}, store.Wrap(store.EINTERNAL, fmt.Errorf("open identity: %w", err), errIdentity)
	}
	defer clear(plain)
	var s sealedIdentity
	if err := json.Unmarshal(plain, &s); err != nil {
		return ReporterIdentity{}, store.Wrap(store.EINTERNAL, fmt.Errorf("open identity: %w", err), errIdentity)
	}
	return ReporterIdentity(s), nil
}

// identityAD binds a sealed identity to its format version and its case.
func identityAD(caseID string) []byte {
	return append([]byte{identityVersion}, caseID...)
}

// secretVersion is the first byte of a sealed secret (see identityVersion).
const secretVersion byte = 1

// errSecret is the one safe message for any failure to seal or open a secret.
const errSecret = "密钥数据处理失败，请联系系统管理员。"

// SealSecret encrypts a small secret (a staff member's TOTP secret) with
// AES-256-GCM under its own subkey: a version byte, a random 12-byte nonce,
// then the ciphertext. The version, purpose (e.g. "totp") and id (the user's
// ID) are authenticated as additional data, so a sealed secret copied to
// another user or used for another purpose does not open. purpose and id
// must not be empty.
func (k *Keyring) SealSecret(purpose, id string, plain []byte) ([]byte, error) {
	if purpose == "" || id == "" {
		return nil, store.Wrap(store.EINTERNAL, errors.New("seal secret: empty purpose or id"), errSecret)
	}
	nonceSize := k.secrets.NonceSize()
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plain)+k.secrets.Overhead())
	out[0] = secretVersion
	nonce := out[1 : 1+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, store.Wrap(store.EINTERNAL, err, errSecret)
	}
	return k.secrets.Seal(out, nonce, plain, secretAD(purpose, id)), nil
}

// OpenSecret decrypts what SealSecret produced for the same purpose and id.
// Tampering, another purpose, id or key give an error (*store.Error
// EINTERNAL with a safe message).
func (k *Keyring) OpenSecret(purpose, id string, sealed []byte) ([]byte, error) {
	nonceSize := k.secrets.NonceSize()
	switch {
	case purpose == "" || id == "":
		return nil, store.Wrap(store.EINTERNAL, errors.New("open secret: empty purpose or id"), errSecret)
	case len(sealed) < 1+nonceSize+k.secrets.Overhead():
		return nil, store.Wrap(store.EINTERNAL, errors.New("open secret: too short"), errSecret)
	case sealed[0] != secretVersion:
		return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("open secret: unknown version %d", sealed[0]), errSecret)
	}
	plain, err := k.secrets.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], secretAD(purpose, id))
	if err != nil {
		return nil, store.Wrap(store.EINTERNAL, fmt.Errorf("open secret: %w", err), errSecret)
	}
	return plain, nil
}

// secretAD binds a sealed secret to its format version, purpose and id; the
// purpose is length-prefixed so ("ab", "c") and ("a", "bc") differ.
func secretAD(purpose, id string) []byte {
	ad := []byte{secretVersion}
	ad = binary.AppendUvarint(ad, uint64(len(purpose)))
	ad = append(ad, purpose...)
	return append(ad, id...)
}
