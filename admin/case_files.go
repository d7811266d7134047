package admin

import (
	"github.com/gofiber/fiber/v2"

	"fundwatch/casework"
	"fundwatch/handlers/web"
	"fundwatch/store"
)

// Evidence files on the case page: every file of the case with who sent it
// and when, a download that the service audits, hiding a handler's file
// from the reporter, and files sent with a reply or kept with a note.

// handleUpload is handle for a route whose form carries files: the session
// and the role are checked before the body is read, so nobody without the
// right stores a byte; the upload is read (web.Uploads) and then the usual
// guard checks the CSRF token it carried.
func (a *Admin) handleUpload(r fiber.Router, path string, p policy, h fiber.Handler) {
	full := web.AdminPrefix + path
	if p.kind != kindPermitted {
		panic("admin: upload route " + full + " needs a permission")
	}
	a.policies[fiber.MethodPost+" "+full] = p
	r.Add(fiber.MethodPost, path, a.signedInWith(p), a.Web.Uploads(fiber.MethodPost, full, a.Cases), a.guard(p), h)
}

// signedInWith is the part of guard that needs no body: a full session
// whose role has the permission.
func (a *Admin) signedInWith(p policy) fiber.Handler {
	return func(c *fiber.Ctx) error {
		s := current(c)
		if c.Get("Sec-Fetch-Site") == "cross-site" {
			return web.ErrCSRF
		}
		if !s.full() || s.User.MustChangePassword {
			return a.toLogin(c, s)
		}
		if !casework.RoleAllows(s.User.Role, p.perm) {
			return errForbidden
		}
		return c.Next()
	}
}

// caseFile downloads a file of a case in the user's scope; the service
// audits it before a byte is sent.
func (a *Admin) caseFile(c *fiber.Ctx) error {
	id := c.Params("file")
	if !store.ValidID(id) {
		return store.NotFound(store.MsgFileNotFound)
	}
	f, rc, err := a.Cases.OpenFileForStaff(c.UserContext(), a.actor(c), c.Params("id"), id)
	if err != nil {
		return err
	}
	return web.SendFile(c, f, rc)
}

// caseFileHide hides a handler's file from the reporter, or shows it again.
func (a *Admin) caseFileHide(c *fiber.Ctx) error {
	id := c.Params("file")
	if !store.ValidID(id) {
		return store.NotFound(store.MsgFileNotFound)
	}
	hidden := form(c, "hidden") == "true"
	err := a.Cases.SetFileHidden(c.UserContext(), a.actor(c), c.Params("id"), id, hidden)
	done := "fileshown"
	if hidden {
		done = "filehidden"
	}
	return a.afterAction(c, done, err, nil)
}

// uploadProblem is why the files of a reply or note were not kept, or "".
func uploadProblem(c *fiber.Ctx) string {
	if up := web.UploadsOf(c); up != nil && up.Err != nil {
		return store.ErrorMessage(up.Err)
	}
	return ""
}
