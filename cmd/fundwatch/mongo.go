package main

import (
	"context"
	"errors"

	"fundwatch/store"
)

// openMongo is replaced by the store/mongo wiring as soon as that backend lands.
func openMongo(ctx context.Context, cfg *config) (store.Store, error) {
	return nil, errors.New("the mongo store is not available in this build")
}
