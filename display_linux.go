//go:build linux && !bindings

// (Not in the binary `wails generate module` builds, with the bindings tag, and runs headless to
// list the bound methods: that one has no window to open.)

package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// desktopProblem says why the window cannot open here: neither a Wayland nor an X11 display can be
// reached. "" when one can (GTK then picks it).
func desktopProblem() string {
	wl, x := os.Getenv("WAYLAND_DISPLAY"), os.Getenv("DISPLAY")
	if wl != "" {
		sock := wl
		if !filepath.IsAbs(sock) {
			sock = filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), wl)
		}
		if reachable("unix", sock) {
			return ""
		}
	}
	if x != "" && xReachable(x) {
		return ""
	}
	switch {
	case wl == "" && x == "":
		return "no display is set (DISPLAY and WAYLAND_DISPLAY are empty), as in an SSH or CI shell"
	case x != "":
		return fmt.Sprintf("the X display %q does not answer", x)
	default:
		return fmt.Sprintf("the Wayland display %q does not answer", wl)
	}
}

// xReachable reports whether the X server of display ("[host]:N[.S]") accepts a connection. A
// display it cannot parse counts as reachable: GTK decides.
func xReachable(display string) bool {
	host, rest, ok := strings.Cut(display, ":")
	if !ok {
		return true
	}
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil || strings.HasPrefix(rest, ":") { // "::" is DECnet
		return true
	}
	if host == "" || host == "unix" {
		sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		return reachable("unix", sock) || reachable("unix", "@"+sock)
	}
	return reachable("tcp", net.JoinHostPort(host, strconv.Itoa(6000+n)))
}

func reachable(network, addr string) bool {
	c, err := net.DialTimeout(network, addr, 2*time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
