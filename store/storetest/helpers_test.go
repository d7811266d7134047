package storetest

import (
	"reflect"
	"testing"
	"time"

	"fundwatch/store"
)

// TestDiffsCoverEveryField guards the suite itself: a field added to
// store.Case or store.Event that caseDiff or eventDiff forgets would pass
// every round-trip test unchecked.
func TestDiffsCoverEveryField(t *testing.T) {
	t.Run("caseDiff", func(t *testing.T) {
		c := stored(newCase("case-diff", at(0)))
		checkEveryField(t, reflect.ValueOf(c).Elem(), func(changed reflect.Value) string {
			return caseDiff(c, changed.Addr().Interface().(*store.Case))
		})
	})
	t.Run("eventDiff", func(t *testing.T) {
		e := store.Event{ID: "ev", CaseID: "case", At: at(0), Action: store.ActionAssign, FromStatus: "a",
			ToStatus: "b", Result: "r", Note: "n", Actor: "u", Internal: true}
		checkEveryField(t, reflect.ValueOf(&e).Elem(), func(changed reflect.Value) string {
			return eventDiff(e, changed.Interface().(store.Event))
		})
	})
}

// checkEveryField changes each field of the struct v in a copy and expects
// diff to report it.
func checkEveryField(t *testing.T, v reflect.Value, diff func(changed reflect.Value) string) {
	t.Helper()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		changed := reflect.New(v.Type()).Elem()
		changed.Set(v)
		if !perturb(changed.Field(i)) {
			t.Errorf("field %s: no way to change a %s here; extend perturb", name, changed.Field(i).Type())
			continue
		}
		if diff(changed) == "" {
			t.Errorf("a changed %s goes unnoticed", name)
		}
	}
}

// perturb changes f to a different value of its type.
func perturb(f reflect.Value) bool {
	if f.Type() == reflect.TypeFor[time.Time]() {
		f.Set(reflect.ValueOf(f.Interface().(time.Time).Add(time.Hour)))
		return true
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(f.String() + "x")
	case reflect.Bool:
		f.SetBool(!f.Bool())
	case reflect.Int, reflect.Int64:
		f.SetInt(f.Int() + 1)
	case reflect.Slice:
		f.Set(reflect.Append(f, reflect.Zero(f.Type().Elem())))
	case reflect.Struct:
		for i := range f.NumField() {
			if !perturb(f.Field(i)) {
				return false
			}
		}
	default:
		return false
	}
	return true
}
