package controlapi

import (
	"errors"
	"syscall"
)

// wsaeaddrinuse is Winsock's "address already in use".
const wsaeaddrinuse = syscall.Errno(10048)

func addrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, wsaeaddrinuse)
}
