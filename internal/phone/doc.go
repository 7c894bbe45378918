// Package phone is the softphone: it joins the SIP signalling (internal/sipua) and the call media
// (internal/rtc) into calls an agent places, answers, holds, mutes and hangs up, with one ordered
// stream of events for the user interface.
package phone
