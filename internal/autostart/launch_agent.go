package autostart

import (
	"bytes"
	"path"

	"howett.net/plist"
)

// DarwinPath is where the LaunchAgent of id lives: ~/Library/LaunchAgents/ID.plist, a macOS path
// built with '/' whatever system runs it.
func DarwinPath(id, home string) string {
	return path.Join(home, "Library", "LaunchAgents", id+".plist")
}

// launchAgent is the property list launchd reads at login.
type launchAgent struct {
	Label            string   `plist:"Label"`
	ProgramArguments []string `plist:"ProgramArguments"`
	RunAtLoad        bool     `plist:"RunAtLoad"`
	ProcessType      string   `plist:"ProcessType"`
}

// LaunchAgent is the LaunchAgent property list (XML) of e: launchd starts the program once at login.
func LaunchAgent(e Entry) []byte {
	var b bytes.Buffer
	enc := plist.NewEncoderForFormat(&b, plist.XMLFormat)
	enc.Indent("\t")
	// Encoding a struct of strings and a bool into memory cannot fail.
	_ = enc.Encode(launchAgent{Label: e.ID, ProgramArguments: []string{e.Exec}, RunAtLoad: true, ProcessType: "Interactive"})
	return b.Bytes()
}
