// Package callaudio joins a call's media (internal/rtc) to the microphone and speaker (an
// internal/audio Engine): captured frames become the media's Source, the audio received is played
// by the speaker. It owns the queues between the two and is where the delay a call adds on this
// side is measured (BenchmarkAddedLatency, against Chromium's WebRTC pipeline on the same sinks).
//
// Goroutines: only the Engine's own (capture, playback, control): a captured frame gives the media's
// send clock a token from the Engine's capture goroutine, and the media takes the frame from the
// Engine itself. Close stops them.
package callaudio
