// The far-end phone of the Phonebar's real-peer tests: JsSIP in Chromium, driven through window.pb.
'use strict';
(function () {
  const noIce = { iceServers: [] };
  const media = { audio: true, video: false };
  const st = {
    registered: false, regError: '', status: 'idle', incoming: false, endCause: '', endCode: 0,
    dtmf: '', remoteHeld: false, localHeld: false, callStart: 0, firstPacketAt: 0, confirmedAt: 0,
  };
  let ua = null, session = null, analyser = null, actx = null, freq = null, autoAnswer = false;

  // firstPacket polls the call's stats until audio arrives and notes when (setup time, benchmarks).
  function firstPacket(s) {
    const poll = async () => {
      if (session !== s || st.firstPacketAt || st.status === 'ended' || st.status === 'failed') return;
      if (s.connection) {
        const rep = await s.connection.getStats();
        let got = false;
        rep.forEach(r => { if (r.type === 'inbound-rtp' && r.kind === 'audio' && r.packetsReceived > 0) got = true; });
        if (got) { st.firstPacketAt = performance.now(); return; }
      }
      setTimeout(poll, 2);
    };
    poll();
  }

  function attachAudio(pc) {
    const hook = () => {
      const rs = pc.getReceivers().map(r => r.track).filter(t => t && t.kind === 'audio');
      if (!rs.length || analyser) return;
      const stream = new MediaStream(rs);
      // Chrome feeds remote WebRTC audio to Web Audio only while a media element plays it too.
      const el = document.getElementById('remote');
      el.srcObject = stream;
      el.play().catch(() => {});
      actx = new AudioContext();
      const src = actx.createMediaStreamSource(stream);
      analyser = actx.createAnalyser();
      analyser.fftSize = 8192;
      analyser.smoothingTimeConstant = 0;
      freq = new Float32Array(analyser.frequencyBinCount);
      src.connect(analyser);
    };
    pc.addEventListener('track', hook);
    hook();
  }

  function watch(s) {
    session = s;
    st.status = 'progress'; st.endCause = ''; st.endCode = 0; st.dtmf = '';
    st.remoteHeld = false; st.localHeld = false; st.firstPacketAt = 0; st.confirmedAt = 0;
    analyser = null;
    if (s.connection) attachAudio(s.connection);
    s.on('peerconnection', e => attachAudio(e.peerconnection));
    s.on('accepted', () => { st.status = 'accepted'; });
    s.on('confirmed', () => { st.status = 'confirmed'; st.confirmedAt = performance.now(); if (s.connection) attachAudio(s.connection); });
    s.on('ended', e => { st.status = 'ended'; st.endCause = e.cause || ''; });
    s.on('failed', e => {
      st.status = 'failed'; st.endCause = e.cause || '';
      if (e.message && e.message.status_code) st.endCode = e.message.status_code;
    });
    s.on('newDTMF', e => { if (e.originator === 'remote') st.dtmf += e.dtmf.tone; });
    s.on('hold', e => { if (e.originator === 'remote') st.remoteHeld = true; else st.localHeld = true; });
    s.on('unhold', e => { if (e.originator === 'remote') st.remoteHeld = false; else st.localHeld = false; });
  }

  window.pb = {
    start(wsURL, uri, password) {
      return new Promise((resolve, reject) => {
        const socket = new JsSIP.WebSocketInterface(wsURL);
        ua = new JsSIP.UA({ sockets: [socket], uri, password, register: true, session_timers: false, register_expires: 600 });
        ua.on('registered', () => { st.registered = true; resolve(true); });
        ua.on('registrationFailed', e => { st.regError = e.cause || 'failed'; reject(new Error(st.regError)); });
        ua.on('newRTCSession', e => {
          if (e.originator === 'remote') { st.incoming = true; st.callStart = performance.now(); }
          watch(e.session);
          firstPacket(e.session);
          if (e.originator === 'remote' && autoAnswer) e.session.answer({ mediaConstraints: media, pcConfig: noIce });
        });
        ua.start();
      });
    },
    call(target) {
      st.incoming = false;
      st.callStart = performance.now();
      ua.call(target, { mediaConstraints: media, pcConfig: noIce });
      return true;
    },
    answer() { session.answer({ mediaConstraints: media, pcConfig: noIce }); return true; },
    reject(code) { session.terminate({ status_code: code }); return true; },
    hangup() { try { session.terminate(); return true; } catch (e) { return false; } },
    hold() { return session.hold(); },
    unhold() { return session.unhold(); },
    sendDTMF(tones, transport) { session.sendDTMF(tones, { transportType: transport, duration: 120, interToneGap: 80 }); return true; },
    state() { return st; },
    setAutoAnswer(on) { autoAnswer = on; return true; },
    setupMs() { return st.firstPacketAt ? st.firstPacketAt - st.callStart : 0; },
    peakHz() {
      if (!analyser) return 0;
      analyser.getFloatFrequencyData(freq);
      let best = -Infinity, idx = 0;
      for (let i = 2; i < freq.length; i++) if (freq[i] > best) { best = freq[i]; idx = i; }
      if (best < -80) return 0;
      return idx * actx.sampleRate / analyser.fftSize;
    },
    async stats() {
      const out = { in: 0, out: 0, codec: '', dtls: '', pair: '' };
      if (!session || !session.connection) return out;
      const rep = await session.connection.getStats();
      const byId = new Map();
      rep.forEach(r => byId.set(r.id, r));
      rep.forEach(r => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') {
          out.in = r.packetsReceived || 0;
          const c = byId.get(r.codecId);
          if (c) out.codec = c.mimeType;
        }
        if (r.type === 'outbound-rtp' && r.kind === 'audio') out.out = r.packetsSent || 0;
        if (r.type === 'transport') {
          out.dtls = r.dtlsState || '';
          const p = byId.get(r.selectedCandidatePairId);
          if (p) {
            const l = byId.get(p.localCandidateId), rr = byId.get(p.remoteCandidateId);
            out.pair = (l ? l.candidateType : '?') + '/' + (rr ? rr.candidateType : '?');
          }
        }
      });
      return out;
    },
    stop() { if (ua) ua.stop(); return true; },
  };
})();
