// Package desk is the agent's desk of calls: one record per call, call waiting, the ringtone while a
// call rings, auto-answer, the outcome written to the history and the bookkeeping of transfers. It
// drives a softphone (internal/phone through Open, a fake in tests) and knows nothing of the window:
// the window, the command line and a local control API can all drive the same Desk.
//
// Goroutines: a Desk runs the phone, one ringtone loop while a call rings, one waiter per call that
// is to be answered automatically, and one goroutine that delivers Updates in order to
// Options.OnUpdate. Close stops them all and waits for them. OnUpdate is never called under a lock
// of this package.
package desk
