package casework

import "encoding/hex"

// Digest returns a keyed digest (hex HMAC-SHA256) of data for a named purpose,
// such as recognising a retried submission. Being keyed, a stored digest of a
// submission that includes an ID number cannot be reversed by trying numbers.
func (k *Keyring) Digest(purpose string, data []byte) string {
	key := hmacSHA256(k.codeHash, []byte("fundwatch/digest/v1|"+purpose))
	return hex.EncodeToString(hmacSHA256(key, data))
}
