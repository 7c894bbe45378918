// Package app is the Wails-facing layer of the Phonebar: the services bound to the window (Session,
// Omni, Audio, Phone), the DTOs they return, the event names and the error formatter. It maps and
// decides nothing: every decision is internal/station's (and the domain packages' it composes).
// With main.go it is the only code that imports Wails; the packages under internal/ know nothing of it.
package app
