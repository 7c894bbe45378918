package tray

import (
	"time"

	"github.com/sirupsen/logrus"
)

// iconFor is the icon of a light as an ICO file: the notification area loads only those.
func iconFor(l Light) []byte { return IconICO(l) }

// preflight has nothing to check: every Windows desktop has a notification area.
func preflight(logrus.FieldLogger) error { return nil }

// settle has nothing to wait for: the icon exists once systray says it is ready.
func settle(time.Duration) error { return nil }
