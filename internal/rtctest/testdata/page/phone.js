// The far-end phone of the Phonebar's real-peer tests: JsSIP in Chromium, driven through window.pb.
'use strict';
(function () {
  const noIce = { iceServers: [] };
  const st = {
    registered: false, regError: '', status: 'idle', incoming: false, endCause: '', endCode: 0,
    dtmf: '', remoteHeld: false, localHeld: false, callStart: 0, firstPacketAt: 0, confirmedAt: 0,
    // transfers: REFERs received (and how they were answered), INVITEs with Replaces, our REFER's outcome
    refers: 0, referTarget: '', referReplaces: '', replaced: 0, referResult: '', restarts: 0,
    // registrations counts the registrations (the first, and each after a reconnection); gruu is
    // the public GRUU the registrar gave (JsSIP then uses it as its dialogs' Contact)
    registrations: 0, gruu: '',
  };
  let ua = null, session = null, analyser = null, actx = null, freq = null, autoAnswer = false;
  let acceptRefer = false, toneHz = 0, toneCtx = null, toneOsc = null;

  // media returns the call options: the fake microphone, or a tone of our own (setTone), so that two
  // tabs of one browser can be told apart by what they send.
  function media() {
    if (!toneHz) return { mediaConstraints: { audio: true, video: false }, pcConfig: noIce };
    if (!toneCtx) {
      toneCtx = new AudioContext();
      toneOsc = toneCtx.createOscillator();
      toneOsc.frequency.value = toneHz;
      toneOsc.start();
    }
    const dest = toneCtx.createMediaStreamDestination();
    const gain = toneCtx.createGain();
    gain.gain.value = 0.4;
    toneOsc.connect(gain).connect(dest);
    return { mediaStream: dest.stream, pcConfig: noIce };
  }

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

  // watch makes s the current call; events of an earlier call (one a transfer replaced) no longer
  // change the state.
  function watch(s) {
    session = s;
    const mine = (f) => (e) => { if (session === s) f(e); };
    st.status = 'progress'; st.endCause = ''; st.endCode = 0; st.dtmf = '';
    st.remoteHeld = false; st.localHeld = false; st.firstPacketAt = 0; st.confirmedAt = 0;
    analyser = null;
    if (s.connection) attachAudio(s.connection);
    s.on('peerconnection', mine(e => attachAudio(e.peerconnection)));
    s.on('accepted', mine(() => { st.status = 'accepted'; }));
    s.on('confirmed', mine(() => { st.status = 'confirmed'; st.confirmedAt = performance.now(); if (s.connection) attachAudio(s.connection); }));
    s.on('ended', mine(e => { st.status = 'ended'; st.endCause = e.cause || ''; }));
    s.on('failed', mine(e => {
      st.status = 'failed'; st.endCause = e.cause || '';
      if (e.message && e.message.status_code) st.endCode = e.message.status_code;
    }));
    s.on('newDTMF', mine(e => { if (e.originator === 'remote') st.dtmf += e.dtmf.tone; }));
    s.on('hold', mine(e => { if (e.originator === 'remote') st.remoteHeld = true; else st.localHeld = true; }));
    s.on('unhold', mine(e => { if (e.originator === 'remote') st.remoteHeld = false; else st.localHeld = false; }));
    // Being transferred (REFER): JsSIP answers 202 and leaves the decision to the page.
    s.on('refer', e => {
      st.refers++;
      const to = e.request.refer_to.uri;
      st.referTarget = to.toAor();
      st.referReplaces = to.hasHeader('replaces') ? decodeURIComponent(to.getHeader('replaces')) : '';
      if (acceptRefer) e.accept(null, media()); else e.reject();
    });
    // An INVITE with Replaces for this call (the end of someone's attended transfer): take it; the
    // new call is answered in newRTCSession and this one ends once it is confirmed.
    s.on('replaces', e => { st.replaced++; e.accept(); });
  }

  window.pb = {
    start(wsURL, uri, password) {
      return new Promise((resolve, reject) => {
        const socket = new JsSIP.WebSocketInterface(wsURL);
        ua = new JsSIP.UA({ sockets: [socket], uri, password, register: true, session_timers: false, register_expires: 600 });
        ua.on('registered', () => {
          st.registered = true; st.registrations++; st.gruu = ua.contact.pub_gruu || '';
          resolve(true);
        });
        ua.on('unregistered', () => { st.registered = false; });
        ua.on('registrationFailed', e => { st.regError = e.cause || 'failed'; reject(new Error(st.regError)); });
        ua.on('newRTCSession', e => {
          if (e.originator === 'remote') { st.incoming = true; st.callStart = performance.now(); }
          watch(e.session);
          firstPacket(e.session);
          const replacing = e.originator === 'remote' && e.request.hasHeader('replaces');
          if (e.originator === 'remote' && (autoAnswer || replacing)) e.session.answer(media());
        });
        ua.start();
      });
    },
    call(target) {
      st.incoming = false;
      st.callStart = performance.now();
      ua.call(target, media());
      return true;
    },
    answer() { session.answer(media()); return true; },
    reject(code) { session.terminate({ status_code: code }); return true; },
    hangup() { try { session.terminate(); return true; } catch (e) { return false; } },
    hold() { return session.hold(); },
    unhold() { return session.unhold(); },
    // restartIce sends a re-INVITE whose offer restarts ICE (new credentials, candidates gathered
    // anew), as a phone does that moved to another network; restarts counts those answered with
    // 200 and applied (JsSIP ends the call when one is refused).
    restartIce() { return session.renegotiate({ rtcOfferConstraints: { iceRestart: true } }, () => { st.restarts++; }); },
    sendDTMF(tones, transport) { session.sendDTMF(tones, { transportType: transport, duration: 120, interToneGap: 80 }); return true; },
    state() { return st; },
    setAutoAnswer(on) { autoAnswer = on; return true; },
    setAcceptRefer(on) { acceptRefer = on; return true; },
    setTone(hz) { toneHz = hz; return true; },
    // refer asks the other side of the current call to call target (blind transfer) and records the
    // answer in referResult: "accepted", or "failed <code>".
    refer(target) {
      st.referResult = '';
      session.refer(target, {
        eventHandlers: {
          requestSucceeded: () => { st.referResult = 'accepted'; },
          requestFailed: e => { st.referResult = 'failed ' + (e.response ? e.response.status_code : e.cause); },
        },
      });
      return true;
    },
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
      const out = { in: 0, out: 0, codec: '', dtls: '', pair: '', lost: 0, samples: 0, concealed: 0, jitterMs: 0, rttMs: 0 };
      if (!session || !session.connection) return out;
      const rep = await session.connection.getStats();
      const byId = new Map();
      rep.forEach(r => byId.set(r.id, r));
      rep.forEach(r => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') {
          out.in = r.packetsReceived || 0;
          out.lost = r.packetsLost || 0;
          out.samples = r.totalSamplesReceived || 0;
          out.concealed = r.concealedSamples || 0;
          out.jitterMs = 1000 * (r.jitter || 0);
          const c = byId.get(r.codecId);
          if (c) out.codec = c.mimeType;
        }
        if (r.type === 'outbound-rtp' && r.kind === 'audio') out.out = r.packetsSent || 0;
        if (r.type === 'remote-inbound-rtp' && r.kind === 'audio' && r.roundTripTime) out.rttMs = 1000 * r.roundTripTime;
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
