package caseflow

import (
	"fundwatch/casework"
	"fundwatch/store"
)

// MsgForbidden answers an action the actor's role does not allow.
const MsgForbidden = "您的账户没有办理此事项的权限。"

// require refuses an action the actor's role does not allow (EFORBIDDEN).
// Scope is checked by the store queries themselves.
func (s *Service) require(a Actor, perm casework.Permission) error {
	if !a.System && !casework.RoleAllows(a.Role, perm) {
		return store.Errorf(store.EFORBIDDEN, MsgForbidden)
	}
	return nil
}

// SystemActor is the portal acting by itself — loading demo content, a
// command-line import — over every region. Its actions are audited under
// name like anyone's.
func SystemActor(name string, regions *casework.Regions) Actor {
	return Actor{Username: name, Name: name, System: true, Scope: regions.Descendants(regions.Root().Code)}
}

// recordedAs is what an event or a message records as its actor: the
// user's id, or the system actor's name.
func (a Actor) recordedAs() string {
	if a.UserID != "" {
		return a.UserID
	}
	return a.Username
}
