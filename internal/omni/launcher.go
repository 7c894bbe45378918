package omni

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"

	"github.com/sirupsen/logrus"
)

// WindowCommand is the hidden subcommand that runs the Omni Desktop window process.
const WindowCommand = "omni-window"

// LauncherOptions configures a Launcher.
type LauncherOptions struct {
	// Executable is the program to start; empty means this program (os.Executable).
	Executable string
	// Args are extra arguments after WindowCommand (tests use them); nil means none.
	Args []string
	// Logger receives the window's stderr; nil means logrus.StandardLogger().
	Logger logrus.FieldLogger
	// OnExit is called, off any lock, when the window process ends; nil means nothing is called.
	OnExit func(err error)
}

// Launcher starts the Omni Desktop window process and keeps at most one open.
type Launcher struct {
	opts LauncherOptions

	mu   sync.Mutex
	proc *window
}

type window struct {
	cmd  *exec.Cmd
	pipe *os.File
	done chan struct{}
}

// NewLauncher returns a Launcher.
func NewLauncher(opts LauncherOptions) *Launcher {
	if opts.Logger == nil {
		opts.Logger = logrus.StandardLogger()
	}
	return &Launcher{opts: opts}
}

// Open shows the Omni Desktop for h: it brings an open window to the front, or starts the window
// process and hands h over through its standard input, a pipe.
func (l *Launcher) Open(h Handoff) error {
	if err := h.Validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.proc != nil {
		select {
		case <-l.proc.done:
		default:
			return sender{l.proc.pipe}.send(Command{Op: OpShow})
		}
	}
	exe := l.opts.Executable
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return fmt.Errorf("omni: cannot find the Phonebar program to open the window: %w", err)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("omni: %w", err)
	}
	cmd := exec.Command(exe, append([]string{WindowCommand}, l.opts.Args...)...)
	// The handoff travels on the child's standard input: inherited pipes beyond the standard
	// three (ExtraFiles) do not exist on Windows, where most agents work.
	cmd.Stdin = r
	cmd.Stdout = l.opts.Logger.WithField("proc", "omni").WriterLevel(logrus.InfoLevel)
	cmd.Stderr = l.opts.Logger.WithField("proc", "omni").WriterLevel(logrus.WarnLevel)
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("omni: cannot start the Omni Desktop window: %w", err)
	}
	r.Close()
	if err := (sender{w}).send(h); err != nil {
		w.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("omni: cannot hand the login over to the window: %w", err)
	}
	win := &window{cmd: cmd, pipe: w, done: make(chan struct{})}
	l.proc = win
	go func() {
		err := cmd.Wait()
		w.Close()
		close(win.done)
		if l.opts.OnExit != nil {
			l.opts.OnExit(err)
		}
	}()
	return nil
}

// IsOpen reports whether the window process is running.
func (l *Launcher) IsOpen() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.proc == nil {
		return false
	}
	select {
	case <-l.proc.done:
		return false
	default:
		return true
	}
}

// Close asks the window to close and waits for it, killing it after ctx ends. It is idempotent.
func (l *Launcher) Close(ctx context.Context) error {
	l.mu.Lock()
	p := l.proc
	l.proc = nil
	l.mu.Unlock()
	if p == nil {
		return nil
	}
	_ = sender{p.pipe}.send(Command{Op: OpClose})
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		_ = p.cmd.Process.Kill()
		<-p.done
		return ctx.Err()
	}
}
