// Package app is the Wails-facing layer of the Phonebar: the services bound to the window (Session,
// Omni), the DTOs they return, the event names and the error formatter. With main.go it is the only
// code that imports Wails; the domain packages under internal/ know nothing of it.
package app
