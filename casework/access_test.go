package casework

import (
	"slices"
	"testing"

	"fundwatch/store"
)

func TestRoleAllowsTable(t *testing.T) {
	const (
		H = 1 << iota // handler
		L             // leader
		P             // publisher
		A             // admin
	)
	// Each permission with the roles that have it; the table must name every
	// permission, so a new one cannot slip in without a decision.
	table := []struct {
		perm  Permission
		roles int
	}{
		{PermViewCases, H | L},
		{PermAcceptCase, H | L},
		{PermRejectCase, H | L},
		{PermTransferCase, H | L},
		{PermInvestigateCase, H | L},
		{PermConcludeCase, H | L},
		{PermCloseCase, H | L},
		{PermReplyCase, H | L},
		{PermNoteCase, H | L},
		{PermAssignCase, H | L},
		{PermRevealIdentity, H | L},
		{PermClassifyCase, H | L},
		{PermMarkSerious, L},
		{PermApproveExtension, L},
		{PermDraftReport, H | L},
		{PermSignReport, L},
		{PermSubmitReport, H | L},
		{PermSubmitQuarterly, L},
		{PermViewQuarterly, H | L},
		{PermManageUsers, A},
		{PermManageCalendar, A},
		{PermManageSettings, A},
		{PermReadAudit, A},
		{PermReadOutbox, A},
		{PermPublish, P},
		{PermViewPublications, L | P},
		{PermApprovePublication, L},
	}
	roles := []struct {
		role string
		bit  int
	}{{store.RoleHandler, H}, {store.RoleLeader, L}, {store.RolePublisher, P}, {store.RoleAdmin, A}}
	var listed []Permission
	for _, row := range table {
		listed = append(listed, row.perm)
		for _, r := range roles {
			want := row.roles&r.bit != 0
			if got := RoleAllows(r.role, row.perm); got != want {
				t.Errorf("RoleAllows(%s, %s) = %v, want %v", r.role, row.perm, got, want)
			}
		}
		if RoleAllows("", row.perm) || RoleAllows("superuser", row.perm) {
			t.Errorf("an unknown role may %s", row.perm)
		}
	}
	if !slices.Equal(listed, Permissions()) {
		t.Errorf("Permissions() = %v\nthe table above lists %v", Permissions(), listed)
	}
	if RoleAllows(store.RoleLeader, "case.delete") {
		t.Error("an unknown permission is allowed")
	}
}

func TestAdminNeverSeesCasesOrIdentities(t *testing.T) {
	for _, p := range []Permission{PermViewCases, PermRevealIdentity, PermAcceptCase, PermSignReport, PermDraftReport} {
		if RoleAllows(store.RoleAdmin, p) {
			t.Errorf("admin may %s", p)
		}
	}
}

func TestRolePermissionsAndLabels(t *testing.T) {
	if got := RolePermissions(store.RolePublisher); !slices.Equal(got, []Permission{PermPublish, PermViewPublications}) {
		t.Errorf("RolePermissions(publisher) = %v", got)
	}
	leader, handler := RolePermissions(store.RoleLeader), RolePermissions(store.RoleHandler)
	for _, p := range handler {
		if !slices.Contains(leader, p) {
			t.Errorf("a leader may not %s, which a handler may", p)
		}
	}
	if RoleAllows(store.RolePublisher, PermApprovePublication) {
		t.Error("a publisher may approve their own publication: nobody may publish alone")
	}
	if RolePermissions("nobody") != nil {
		t.Error("an unknown role has permissions")
	}
	seen := map[string]bool{}
	for _, p := range Permissions() {
		l := PermissionLabel(p)
		if l == "" || l == string(p) || seen[l] {
			t.Errorf("permission %s has label %q: want a distinct Chinese label", p, l)
		}
		seen[l] = true
	}
	if PermissionLabel("x.y") != "x.y" {
		t.Error("an unknown permission's label is not its code")
	}
}

func TestRoles(t *testing.T) {
	want := []string{store.RoleHandler, store.RoleLeader, store.RolePublisher, store.RoleAdmin}
	opts := Roles()
	if len(opts) != len(want) {
		t.Fatalf("Roles() has %d entries, want %d", len(opts), len(want))
	}
	for i, o := range opts {
		if o.Code != want[i] || !ValidRole(o.Code) || RoleLabel(o.Code) != o.Label || o.Label == o.Code {
			t.Errorf("role %d: %+v", i, o)
		}
	}
	if ValidRole("root") || RoleLabel("root") != "root" {
		t.Error("an unknown role is valid or labelled")
	}
	opts[0].Label = "changed"
	if RoleLabel(store.RoleHandler) == "changed" {
		t.Error("Roles() returns the package's own slice")
	}
}
