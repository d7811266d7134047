package mongo

import "time"

// MigrationSteps is how many migration steps there are, for the external
// tests that count the records.
var MigrationSteps = len(migrations)

// SetClock makes the key-value store read time from now, so expiry is
// tested without sleeping.
func (kv *KV) SetClock(now func() time.Time) { kv.now = now }
