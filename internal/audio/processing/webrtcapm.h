//go:build webrtcapm && cgo

// The C face of the WebRTC audio processing module (webrtc-audio-processing 0.3), for the
// comparison with speexdsp in compare_webrtc_test.go only.
#include <stdint.h>

typedef struct pb_apm pb_apm;

pb_apm *pb_apm_new(int rate, int aec, int ns, int agc, int agc_target_dbfs, int delay_agnostic, int extended_filter);
// pb_apm_process processes 10 ms: ref is what the speaker played, mic is processed in place.
int pb_apm_process(pb_apm *p, const int16_t *ref, int16_t *mic, int delay_ms);
// pb_apm_delay returns the echo delay the module's own estimator found (median, ms), or -1.
int pb_apm_delay(pb_apm *p);
void pb_apm_free(pb_apm *p);
