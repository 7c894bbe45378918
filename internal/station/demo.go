package station

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/sirupsen/logrus"

	"github.com/phonebar/phonebar/internal/config"
	"github.com/phonebar/phonebar/internal/motionsim"
	"github.com/phonebar/phonebar/internal/tlspin"
)

// Demo is the embedded demo server of the demo mode.
type Demo struct {
	// Server is its address (https://127.0.0.1:PORT).
	Server string
	// Fingerprint is its certificate's, pinned in the settings by StartDemo.
	Fingerprint tlspin.Fingerprint
	// Logins are the seed's users and passwords, shown on purpose in demo mode only.
	Logins []motionsim.DemoLogin

	stop func()
}

// StartDemo runs the demo server with the default seed (its data in configDir/demo-server) on listen
// ("" means 127.0.0.1:0), and pins its certificate in cfg: the Phonebar made that certificate
// itself, so trusting it needs no prompt. It runs until Close.
func StartDemo(cfg *config.Store, configDir, listen string, log logrus.FieldLogger) (*Demo, error) {
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	seed := motionsim.DefaultConfig()
	logins := seed.DemoLogins() // before New, which hashes the seed's passwords
	srv, err := motionsim.New(motionsim.Options{Config: seed, DataDir: filepath.Join(configDir, "demo-server"), Logger: log.WithField("proc", "demo-server")})
	if err != nil {
		return nil, fmt.Errorf("demo server: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ep, err := srv.Start(ctx, listen)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("demo server: %w", err)
	}
	d := &Demo{Server: ep.URL, Fingerprint: ep.Fingerprint, Logins: logins, stop: func() { cancel(); _ = srv.Close() }}
	if err := cfg.Update(func(s *config.Settings) error {
		if s.Pins == nil {
			s.Pins = map[string]tlspin.Fingerprint{}
		}
		s.Pins[ep.URL] = ep.Fingerprint
		return nil
	}); err != nil {
		d.Close()
		return nil, fmt.Errorf("demo server: saving its certificate pin: %w", err)
	}
	log.WithField("url", ep.URL).WithField("fingerprint", ep.Fingerprint.Pretty()).Info("demo server started")
	return d, nil
}

// Close stops the demo server.
func (d *Demo) Close() { d.stop() }
