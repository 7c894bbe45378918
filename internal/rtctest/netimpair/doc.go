// Package netimpair puts network faults on a test's traffic, for the softphone's tests of real
// networks: packet loss, cuts of a connection, delay and jitter. This kernel has no netem queueing
// discipline, so the faults come from two places:
//
//   - iptables rules (Loss, CutTCPPort) in a network namespace of the test's own (see
//     internal/rtctest/netns: call netns.Isolate first): they need root, and touch nothing outside
//     the namespace. Loss drops a random share of every UDP packet, so on one machine the media of
//     a call loses it in both directions.
//   - a TURN relay (Relay, pion/turn) that holds each packet it relays for a delay with jitter and
//     drops a share of them, in both directions: it needs neither root nor a namespace. A phone
//     made relay-only with the relay's ICEServer sends all its media through it.
//
// Profiles names the impairments the tests use, so that a measurement (MOS, concealment) can be
// made per profile and compared with the unimpaired call:
//
//	relay := netimpair.StartRelay(t, netimpair.Impairment{})
//	for _, p := range netimpair.Profiles {
//		... a call made relay-only through relay.ICEServer(), until audio flows ...
//		relay.Set(p.Relay)                        // delay, jitter, loss from now on
//		restore := netimpair.Loss(t, p.LossPercent) // iptables loss instead (in a namespace)
//		... measure over a few seconds, hang up ...
//		restore()
//		relay.Set(netimpair.Impairment{})
//	}
//
// Impair a call once its audio flows (Relay.Set): loss during the setup makes DTLS retransmit its
// flights for seconds, which is not what a quality measurement is after.
package netimpair
