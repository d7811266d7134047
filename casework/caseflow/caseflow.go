// Package caseflow is the one service layer that writes cases and what goes
// with them: filing a case, every status change, assignment, replies and
// notes, 要情 classification and reports, the publishing workflow of the
// public disclosure, and the audit entry of each staff action. It checks
// the rules of casework, makes one store call that is atomic on its own,
// and records the audit entry. The public site, the admin
// site, the demo loader and the command line all go through it; nothing else
// writes a case.
package caseflow

import (
	"log/slog"
	"time"

	"fundwatch/casework"
	"fundwatch/casework/evidence"
	"fundwatch/store"
)

// Service carries the dependencies of the service layer. cmd builds one per
// process; it is safe for concurrent use.
type Service struct {
	Store store.Store
	// Blobs keeps the bytes of evidence files (see files.go); nil refuses
	// uploads with MsgFilesDown.
	Blobs store.BlobStore
	// FileLimits bounds evidence files; zero means evidence.DefaultLimits.
	FileLimits evidence.Limits
	Keyring    *casework.Keyring
	Regions    *casework.Regions
	Rules      RuleSource
	// Offices, when set, is reloaded after an administrator changes the
	// offices (受理机构), so this process shows the change at once.
	Offices *StoredOffices
	Clock   func() time.Time
	Log     *slog.Logger
	// BaseURL is the portal's public address (https://jb.example.gov.cn),
	// for the links in notification mail; "" leaves them relative.
	BaseURL string
	// PublicChanged, when set, is called after something on the public
	// side changed (a publication published, corrected or withdrawn), so the
	// public site drops its cached pages at once.
	PublicChanged func()
	// ActiveUsers, when set, keeps the list of active users that every
	// filing reads to notify the case workers, for activeUsersTTL
	// (notify.go); nil lists them on every filing.
	ActiveUsers *ActiveUsers
}

// RuleSource is where the service reads the configurable rules: the
// working-day calendar and the deadlines and thresholds administrators may
// change. Static serves the built-in defaults.
type RuleSource interface {
	Calendar() *casework.Calendar
	Deadlines() casework.DeadlineRules
	Important() casework.ImportantCaseRules
}

// Static is a RuleSource with fixed rules.
type Static struct {
	Cal *casework.Calendar
	Dl  casework.DeadlineRules
	Imp casework.ImportantCaseRules
}

func (s Static) Calendar() *casework.Calendar           { return s.Cal }
func (s Static) Deadlines() casework.DeadlineRules      { return s.Dl }
func (s Static) Important() casework.ImportantCaseRules { return s.Imp }

// DefaultRules are the rules built into the binary: the embedded 2024–2026
// calendar and the thresholds of the seed notice.
func DefaultRules() Static {
	return Static{Cal: casework.DefaultCalendar(), Dl: casework.DefaultDeadlineRules(), Imp: casework.DefaultImportantCaseRules()}
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return store.Now()
	}
	return store.Truncate(s.Clock())
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// Actor is the member of staff (or the system) on whose behalf a call is
// made, with what the audit log records about the request.
type Actor struct {
	UserID     string
	Username   string
	Name       string
	Role       string
	RegionCode string
	// Scope is the region codes the actor may see and act on: their region
	// and everything below it.
	Scope     []string
	IP        string
	RequestID string
	// System is the portal itself (see SystemActor): no role, every
	// permission.
	System bool
}
