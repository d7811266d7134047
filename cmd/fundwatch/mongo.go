package main

import (
	"context"
	"time"

	"fundwatch/store"
	"fundwatch/store/mongo"
)

func openMongo(ctx context.Context, cfg *config) (store.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db, err := mongo.Open(ctx, cfg.MongoURI, cfg.MongoDB)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return db, nil
}
