//go:build linux && cgo

package omni

/*
#cgo pkg-config: webkit2gtk-4.1 gtk+-3.0
#include <stdlib.h>
#include <webkit2/webkit2.h>

typedef struct {
	char *host;
	char *pem;
} phonebar_trust;

static gboolean phonebar_do_trust(gpointer data) {
	phonebar_trust *t = (phonebar_trust *)data;
	GError *err = NULL;
	GTlsCertificate *cert = g_tls_certificate_new_from_pem(t->pem, -1, &err);
	if (cert != NULL) {
		webkit_web_context_allow_tls_certificate_for_host(webkit_web_context_get_default(), cert, t->host);
		g_object_unref(cert);
	} else if (err != NULL) {
		g_error_free(err);
	}
	free(t->host);
	free(t->pem);
	free(t);
	return G_SOURCE_REMOVE;
}

static void phonebar_schedule_trust(char *host, char *pem) {
	phonebar_trust *t = (phonebar_trust *)malloc(sizeof(phonebar_trust));
	t->host = host;
	t->pem = pem;
	g_idle_add(phonebar_do_trust, t);
}
*/
import "C"

import (
	"net"
)

// trustInWebView makes the app's web views accept exactly this certificate for this host, on the GTK
// main loop (the call must happen there). WebKitGTK matches the host without the port.
func trustInWebView(hostport string, pem []byte) error {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	// Ownership of both C strings passes to phonebar_do_trust, which frees them.
	C.phonebar_schedule_trust(C.CString(host), C.CString(string(pem)))
	return nil
}
