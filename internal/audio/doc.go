// Package audio is the Phonebar's sound layer: it lists microphones, speakers and ringer outputs,
// checks that a microphone really delivers sound before an agent goes ready, plays test tones and
// the ringtone, and runs the call audio engine (20 ms capture and playback frames at the codec
// rate) that the softphone feeds through a jitter buffer.
//
// The sound system is reached through miniaudio (github.com/gen2brain/malgo), which needs cgo. A
// binary built with CGO_ENABLED=0 still compiles and links this package: every call that touches
// a device then returns ErrNoAudioSupport.
//
// Threads: device callbacks run on the sound system's own thread. They only copy samples into a
// lock-free ring buffer and signal a channel without blocking; all other work (resampling, levels,
// codecs) happens on goroutines owned by the Host, the check or the Engine. Callbacks this package
// makes to its users (OnLevel, OnChange, OnEvent) run on one goroutine per owner, in order, never
// while a lock is held.
//
// Thresholds, in dBFS (0 = full scale):
//   - SilenceThresholdDBFS (-60): a microphone whose RMS level stays below this during the check is
//     "silent". A quiet room with a working microphone usually measures -70 to -45 dBFS of noise;
//     speech at a normal distance -35 to -15. Digital silence (a muted or disconnected input) is
//     reported as MinDBFS (-120).
package audio
