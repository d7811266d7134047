// Package evidence checks, cleans and names the evidence files (证据材料)
// citizens attach to complaints, before they are stored and before a
// handler downloads them.
//
// A file's type is decided by its content only: the name and the declared
// Content-Type are the uploader's choice, and an executable called
// 现场照片.jpg is still an executable. Only PDF, JPEG, PNG, Word (.docx)
// and Excel (.xlsx) files are accepted, and each is checked against its
// format far enough that a renamed, truncated or malformed file is refused
// with a sentence the uploader can act on.
//
// Photos lose their metadata on the way in: Exif holds the GPS position,
// the time and the phone's serial number, and would unmask a reporter to
// anyone the file reaches. Only the orientation is kept, so the photo is
// still shown upright. Office files are refused when they carry macros or
// embedded objects, are encrypted (nothing in them could be checked), or
// are zip bombs: entries are inflated and counted, never taken at the
// word of their headers.
//
// Everything is streamed: Clean reads the upload once and writes the
// cleaned file as it goes with fixed buffers, so a 20 MB upload costs a
// few hundred kilobytes of memory, and the caller can hash, encrypt and
// store it in the same pass.
package evidence
