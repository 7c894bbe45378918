package callaudio

import "errors"

// ErrClosed is returned by SwitchTo after Close.
var ErrClosed = errors.New("callaudio: closed")
