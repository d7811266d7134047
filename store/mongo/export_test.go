package mongo

// MigrationSteps is how many migration steps there are, for the external
// tests that count the records.
var MigrationSteps = len(migrations)
