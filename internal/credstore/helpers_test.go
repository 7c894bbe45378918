package credstore

import (
	"encoding/base64"

	"github.com/zalando/go-keyring"
)

func errNotFoundFromLib() error { return keyring.ErrNotFound }
func errTooBigFromLib() error   { return keyring.ErrSetDataTooBig }
func b64(s string) string       { return base64.StdEncoding.EncodeToString([]byte(s)) }
