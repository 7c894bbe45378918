package main

import (
	"io"
	"os"

	"golang.org/x/sys/windows"
)

// attachParentProcess is AttachConsole's ATTACH_PARENT_PROCESS ((DWORD)-1).
const attachParentProcess = ^uintptr(0)

var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// stdHandleUsable reports whether a standard handle leads somewhere: a console, a pipe or a file.
// Windows starts a GUI-subsystem program (phonebar.exe) from Explorer or a shortcut without any.
func stdHandleUsable(which uint32) bool {
	h, err := windows.GetStdHandle(which)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	t, err := windows.GetFileType(h)
	return err == nil && t != windows.FILE_TYPE_UNKNOWN
}

// attachConsole lets a headless command typed as `phonebar.exe COMMAND` print to the console it was
// typed in: phonebar.exe is a GUI program, so Windows gives it no console; it attaches to its parent's.
// Handles that already lead somewhere (redirections, pipes, or the console of phonebar.com, the console
// build that `phonebar COMMAND` runs) are kept. Started from Explorer there is no parent console and
// nothing changes.
//
// phonebar.com remains the way to run commands: cmd and PowerShell do not wait for a GUI program, so
// with phonebar.exe the prompt comes back before the output and the exit code is not seen.
func attachConsole() {
	out, errOut, in := stdHandleUsable(windows.STD_OUTPUT_HANDLE), stdHandleUsable(windows.STD_ERROR_HANDLE), stdHandleUsable(windows.STD_INPUT_HANDLE)
	if out && errOut && in {
		return
	}
	if r, _, _ := procAttachConsole.Call(attachParentProcess); r == 0 {
		return
	}
	if !out {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stdout = f
		}
	}
	if !errOut {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stderr = f
		}
	}
	if !in {
		if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = f
		}
	}
}

// consoleOutput is standard error when it leads somewhere (phonebar.com, a redirection, an attached
// console); nil for the window started from the Start menu, which has none: its log is in the log
// folder only (%LOCALAPPDATA%\phonebar\logs, see logging.DefaultDir).
func consoleOutput() io.Writer {
	if stdHandleUsable(windows.STD_ERROR_HANDLE) {
		return os.Stderr
	}
	return nil
}
