package logging

import (
	"bytes"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
)

func TestLinesKeepLevelAndProc(t *testing.T) {
	tests := []struct {
		name  string
		log   func(Lines)
		level string
	}{
		{"warning", func(l Lines) { l.Warning("  slow frame \n") }, "warning"},
		{"fatal is an error", func(l Lines) { l.Fatal("slow frame") }, "error"},
		{"print is info", func(l Lines) { l.Print("slow frame") }, "info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := logrus.New()
			log.SetOutput(&buf)
			log.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
			tt.log(Lines{Log: log, Proc: "wails"})
			assert.Equal(t, "level="+tt.level+` msg="slow frame" proc=wails`+"\n", buf.String())
		})
	}
}
