//go:build webrtcapm && cgo

#include <string.h>
#include <webrtc/modules/audio_processing/include/audio_processing.h>

extern "C" {
#include "webrtcapm.h"
}

struct pb_apm {
  webrtc::AudioProcessing *apm;
  int rate;
};

extern "C" pb_apm *pb_apm_new(int rate, int aec, int ns, int agc, int agc_target_dbfs, int delay_agnostic, int extended_filter) {
  webrtc::Config config;
  config.Set<webrtc::DelayAgnostic>(new webrtc::DelayAgnostic(delay_agnostic != 0));
  config.Set<webrtc::ExtendedFilter>(new webrtc::ExtendedFilter(extended_filter != 0));
  config.Set<webrtc::ExperimentalAgc>(new webrtc::ExperimentalAgc(false));
  pb_apm *p = new pb_apm;
  p->rate = rate;
  p->apm = webrtc::AudioProcessing::Create(config);
  if (!p->apm) {
    delete p;
    return 0;
  }
  p->apm->high_pass_filter()->Enable(true);
  p->apm->echo_cancellation()->enable_drift_compensation(false);
  p->apm->echo_cancellation()->Enable(aec != 0);
  p->apm->echo_cancellation()->enable_delay_logging(true);
  p->apm->noise_suppression()->set_level(webrtc::NoiseSuppression::kHigh);
  p->apm->noise_suppression()->Enable(ns != 0);
  p->apm->gain_control()->set_mode(webrtc::GainControl::kAdaptiveDigital);
  p->apm->gain_control()->set_target_level_dbfs(agc_target_dbfs);
  p->apm->gain_control()->set_compression_gain_db(30);
  p->apm->gain_control()->enable_limiter(true);
  p->apm->gain_control()->Enable(agc != 0);
  return p;
}

// The float interface: the AudioFrame one refuses 48 kHz for the reverse stream in 0.3.
extern "C" int pb_apm_process(pb_apm *p, const int16_t *ref, int16_t *mic, int delay_ms) {
  const int n = p->rate / 100;
  float far[960], near[960];
  for (int i = 0; i < n; i++) {
    far[i] = ref[i] / 32768.0f;
    near[i] = mic[i] / 32768.0f;
  }
  webrtc::StreamConfig cfg(p->rate, 1);
  float *fp = far, *np = near;
  int err = p->apm->ProcessReverseStream(&fp, cfg, cfg, &fp);
  if (err) return err;
  p->apm->set_stream_delay_ms(delay_ms);
  err = p->apm->ProcessStream(&np, cfg, cfg, &np);
  if (err) return err;
  for (int i = 0; i < n; i++) {
    float v = near[i] * 32768.0f;
    mic[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
  }
  return 0;
}

extern "C" int pb_apm_delay(pb_apm *p) {
  int median = -1, std = -1;
  float poor = 0;
  if (p->apm->echo_cancellation()->GetDelayMetrics(&median, &std, &poor) != 0) return -1;
  return median;
}

extern "C" void pb_apm_free(pb_apm *p) {
  delete p->apm;
  delete p;
}
