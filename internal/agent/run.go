package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/motion"
)

// Run keeps the realtime connection of each session: it waits for a login, connects, reports
// InputRealtimeUp at the server's hello, and on a drop or a silent socket reports InputRealtimeDown
// and reconnects after a backoff with jitter. A logout event from the server (someone logged in with
// the same credentials, or the disconnection timeout) or a refused token ends the session
// (InputEnded, with the server's reason); the session does not log back in by itself.
//
// The goroutine that calls Run owns it: Run returns when ctx ends (ctx.Err()) or Close is called
// (nil). Only one Run may go at a time (ErrAlreadyRunning).
func (s *Session) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	if s.running {
		s.mu.Unlock()
		return ErrAlreadyRunning
	}
	rctx, cancel := context.WithCancel(ctx)
	s.running, s.runCancel, s.runDone = true, cancel, make(chan struct{})
	done := s.runDone
	s.mu.Unlock()
	defer func() {
		cancel()
		s.mu.Lock()
		s.running = false
		s.mu.Unlock()
		close(done)
	}()

	for {
		if rctx.Err() != nil {
			return ctx.Err()
		}
		s.mu.Lock()
		st, gen, cl, sctx := s.state, s.gen, s.client, s.sessCtx
		s.mu.Unlock()
		if (st == StateConnecting || st == StateReconnecting || st == StateLoggedIn) && cl != nil && sctx.Err() == nil {
			s.keep(rctx, gen, cl, sctx)
			continue
		}
		select {
		case <-rctx.Done():
			return ctx.Err()
		case <-s.wake:
		}
	}
}

// Close stops Run and waits for it to return, closes the realtime connection, and refuses later
// logins. It does not log out on the server (call Logout first for that). It may be called more
// than once, from any goroutine.
func (s *Session) Close() error {
	s.mu.Lock()
	s.closed = true
	cancel, done := s.runCancel, s.runDone
	if s.sessCancel != nil {
		s.sessCancel()
	}
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

// keep holds the realtime connection of login gen until that session ends or ctx ends.
func (s *Session) keep(ctx context.Context, gen uint64, cl Client, sctx context.Context) {
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(sctx, cancel)
	defer stop()

	log := s.log.WithField("component", "realtime")
	attempt := 0
	for lctx.Err() == nil {
		rt, err := cl.DialRealtime(lctx)
		if err != nil {
			if lctx.Err() != nil {
				return
			}
			if errors.Is(err, motion.ErrUnauthorized) {
				if !errors.Is(err, motion.ErrSessionEnded) {
					// The server does not know the token (it restarted and lost its sessions):
					// log back in once with the saved password, if there is one.
					if ncl, ok := s.relogin(lctx, gen); ok {
						cl = ncl
						continue
					}
				}
				if lctx.Err() != nil {
					return
				}
				s.ended(gen, cl, codeOf(err), endedMessage(err), err)
				return
			}
			log.WithField("error", err.Error()).Warn("agent: realtime connection failed")
			if !s.down(lctx, gen, attempt, err) {
				return
			}
			attempt++
			continue
		}
		ended, err := s.listen(lctx, gen, cl, rt, &attempt)
		rt.Close()
		if ended || lctx.Err() != nil {
			return
		}
		log.WithField("error", err.Error()).Warn("agent: realtime connection lost")
		if !s.down(lctx, gen, attempt, err) {
			return
		}
		attempt++
	}
}

// listen reads events until the connection fails (ended=false, the error) or the server ends the
// session (ended=true).
func (s *Session) listen(ctx context.Context, gen uint64, cl Client, rt Realtime, attempt *int) (bool, error) {
	for {
		ev, err := rt.Next(ctx)
		if err != nil {
			return false, err
		}
		switch ev.Type {
		case motion.EventHello:
			*attempt = 0
			s.apply(gen, InputRealtimeUp, "", "", nil)
		case motion.EventLogout:
			s.ended(gen, cl, ev.Reason, logoutMessage(ev), nil)
			return true, nil
		}
	}
}

// down reports a lost connection and waits before the next attempt; false when ctx ended first.
func (s *Session) down(ctx context.Context, gen uint64, attempt int, cause error) bool {
	d := s.backoff.Delay(attempt, s.rnd())
	s.apply(gen, InputRealtimeDown, "", fmt.Sprintf("Connection to the server lost: trying again in %s", d.Round(100_000_000)), cause)
	select {
	case <-ctx.Done():
		return false
	case <-s.clock.After(d):
		return true
	}
}

// ended closes a session the server ended. The token is dropped; nothing logs back in.
func (s *Session) ended(gen uint64, cl Client, reason, msg string, cause error) {
	s.mu.Lock()
	if s.gen == gen && s.applyLocked(InputEnded, reason, msg, cause) {
		s.clearLocked()
	}
	s.mu.Unlock()
	s.notify.flush()
	cl.CloseIdleConnections()
	s.log.WithFields(logrus.Fields{"reason": reason}).Warn("agent: the server ended the session")
}

func logoutMessage(ev motion.Event) string {
	switch ev.Reason {
	case motion.CodeSessionExists:
		return "You were logged out because someone logged in with your username on another Phonebar"
	case motion.CodeSessionEnded:
		return "You were logged out by the server (the connection was lost for too long): log in again"
	}
	if ev.Message != "" {
		return "You were logged out by the server: " + ev.Message
	}
	return "You were logged out by the server"
}

func codeOf(err error) string {
	var ae *motion.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

// endedMessage says why a refused token ends the session.
func endedMessage(err error) string {
	if errors.Is(err, motion.ErrSessionEnded) {
		return "The server ended this session: log in again"
	}
	return "The server no longer knows this session (it may have restarted): log in again"
}

// relogin logs the session of login gen back in with the password saved in the keyring, when the
// server forgot the session. It tries at most once per session, never with Force (a session
// someone else opened meanwhile is not ended), and only when the password is remembered: the
// Phonebar never burns a login attempt of its own beyond that one. A refused password is removed
// from the keyring.
func (s *Session) relogin(ctx context.Context, gen uint64) (Client, bool) {
	s.mu.Lock()
	if s.gen != gen || s.relogged || !s.profile.Remembered || !s.state.HasSession() {
		s.mu.Unlock()
		return nil, false
	}
	s.relogged = true
	server, user, opts, phone, line := s.server, s.user, s.opts, s.phone, s.line
	s.mu.Unlock()

	log := s.log.WithFields(logrus.Fields{"server": server, "user": user})
	pw, err := s.creds.Get(ctx, server, user)
	if err != nil {
		log.WithField("error", err.Error()).Warn("agent: the saved password cannot be read to log back in")
		return nil, false
	}
	cl, err := s.newClient(opts)
	if err != nil {
		return nil, false
	}
	resp, err := cl.Login(ctx, motion.LoginRequest{Name: user, Password: pw, Client: motion.ClientPhonebar, Phone: phone, Line: line})
	pw = ""
	if err != nil {
		cl.CloseIdleConnections()
		log.WithField("error", err.Error()).Warn("agent: logging back in failed")
		if errors.Is(err, motion.ErrInvalidCredentials) {
			_ = s.forget(ctx, server, user)
		}
		return nil, false
	}
	if resp.MustChangePassword {
		s.endQuietly(cl)
		return nil, false
	}
	s.mu.Lock()
	if s.gen != gen || !s.state.HasSession() {
		s.mu.Unlock()
		s.endQuietly(cl)
		return nil, false
	}
	old := s.client
	s.client = cl
	was := s.status
	s.mu.Unlock()
	old.CloseIdleConnections()
	log.Info("agent: logged back in after the server forgot the session")
	// The new session starts as the server's setting says: put the agent's status back as it was.
	st, err := cl.SetStatus(ctx, was.request())
	if err != nil {
		log.WithField("error", err.Error()).Warn("agent: could not put the agent's status back")
		st, err = cl.Status(ctx)
	}
	s.mu.Lock()
	if s.gen == gen {
		if err == nil {
			s.status = StatusFrom(st, s.clock.Now())
		} else {
			s.status = Status{Since: s.clock.Now(), LoggedInAt: was.LoggedInAt}
		}
	}
	s.mu.Unlock()
	return cl, true
}
