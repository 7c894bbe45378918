package omni

import (
	"context"
	"sync"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/motion"
)

// restSessions logs the Omni Desktop's web session in and out over the server's REST API, with the
// handoff's credentials, trusting the handoff's pinned certificate (or the system roots).
type restSessions struct {
	h   Handoff
	log logrus.FieldLogger

	mu      sync.Mutex
	clients map[string]*motion.Client // by token
}

// RESTSessions returns the Sessions of h: POST motion.PathAuthLocal as a motion.ClientWeb.
func RESTSessions(h Handoff, log logrus.FieldLogger) Sessions {
	if log == nil {
		log = logrus.StandardLogger()
	}
	return &restSessions{h: h, log: log, clients: map[string]*motion.Client{}}
}

func (r *restSessions) Login(ctx context.Context, force bool) (string, error) {
	base, err := motion.ParseServerURL(r.h.Origin)
	if err != nil {
		return "", err
	}
	c, err := motion.New(motion.Options{BaseURL: base, Pin: r.h.Pin, Logger: r.log, ClientKind: motion.ClientWeb})
	if err != nil {
		return "", err
	}
	resp, err := c.Login(ctx, motion.LoginRequest{Name: r.h.Username, Password: r.h.Password, Force: force, Client: motion.ClientWeb,
		Phone: r.h.Phone, Line: r.h.Line})
	if err != nil {
		return "", err
	}
	r.mu.Lock()
	r.clients[resp.Token] = c
	r.mu.Unlock()
	return resp.Token, nil
}

func (r *restSessions) Logout(ctx context.Context, token string) error {
	r.mu.Lock()
	c := r.clients[token]
	delete(r.clients, token)
	r.mu.Unlock()
	if c == nil {
		return nil
	}
	defer c.CloseIdleConnections()
	return c.Logout(ctx)
}
