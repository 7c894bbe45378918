// Package callaudio joins a call's media (internal/rtc) to the microphone and speaker (an
// internal/audio Engine): captured frames become the media's Source, the audio received is played
// by the speaker. It owns the queues between the two and is where the delay a call adds on this
// side is measured (BenchmarkAddedLatency, against Chromium's WebRTC pipeline on the same sinks).
//
// Goroutines: the Engine's own (capture, playback, control) and one per Engine that reads its
// microphone; Close stops all of them.
package callaudio
