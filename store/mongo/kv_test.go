package mongo_test

import (
	"bytes"
	"testing"
	"time"
)

func TestKVStoresExpiresAndDeletes(t *testing.T) {
	db, _, _ := fresh(t)
	kv := db.KV()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	kv.SetClock(func() time.Time { return now })
	if v, err := kv.Get("missing"); v != nil || err != nil {
		t.Fatalf("Get(missing) = %q, %v; want nil, nil", v, err)
	}
	if err := kv.Set("k1", []byte("值 $ne {}"), 0); err != nil {
		t.Fatal(err)
	}
	if v, err := kv.Get("k1"); err != nil || !bytes.Equal(v, []byte("值 $ne {}")) {
		t.Fatalf("Get(k1) = %q, %v", v, err)
	}
	if err := kv.Set("k1", []byte("new"), 0); err != nil {
		t.Fatal(err)
	}
	if v, _ := kv.Get("k1"); string(v) != "new" {
		t.Fatalf("Set did not replace: %q", v)
	}
	if err := kv.Set("short", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	now = now.Add(59 * time.Second)
	if v, _ := kv.Get("short"); string(v) != "x" {
		t.Fatalf("Get(short) before expiry = %q", v)
	}
	now = now.Add(time.Second)
	if v, err := kv.Get("short"); v != nil || err != nil {
		t.Fatalf("Get(short) after expiry = %q, %v; want nil, nil", v, err)
	}
	if err := kv.Delete("k1"); err != nil {
		t.Fatal(err)
	}
	if v, _ := kv.Get("k1"); v != nil {
		t.Fatalf("Get after Delete = %q", v)
	}
	if err := kv.Delete("never-there"); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}
	_ = kv.Set("a", []byte("1"), 0)
	_ = kv.Set("b", []byte("2"), time.Hour)
	if err := kv.Reset(); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b"} {
		if v, _ := kv.Get(k); v != nil {
			t.Errorf("Get(%s) after Reset = %q", k, v)
		}
	}
	if err := kv.Set("", []byte("x"), 0); err != nil {
		t.Errorf("Set with empty key: %v", err)
	}
}

func TestKVIsSharedBetweenInstances(t *testing.T) {
	first, uri, dbName := fresh(t)
	second := openDB(t, uri, dbName)
	if err := first.KV().Set("followup:abc", []byte("case-1"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := second.KV().Get("followup:abc"); err != nil || string(v) != "case-1" {
		t.Fatalf("second instance sees %q, %v; want case-1", v, err)
	}
}
