//go:build linux && cgo

package omni

/*
#cgo pkg-config: webkit2gtk-4.1 gtk+-3.0 libsoup-3.0
#include <stdlib.h>
#include <webkit2/webkit2.h>
#include <libsoup/soup.h>

extern void phonebarOmniLoadEvent(int event, char *uri);
extern void phonebarOmniDone(unsigned long id, char *err);

static WebKitWebView *phonebar_view = NULL;

static WebKitWebView *phonebar_find_view(GtkWidget *w) {
	if (WEBKIT_IS_WEB_VIEW(w)) return WEBKIT_WEB_VIEW(w);
	if (!GTK_IS_CONTAINER(w)) return NULL;
	GList *children = gtk_container_get_children(GTK_CONTAINER(w));
	WebKitWebView *found = NULL;
	for (GList *l = children; l != NULL && found == NULL; l = l->next) found = phonebar_find_view(GTK_WIDGET(l->data));
	g_list_free(children);
	return found;
}

static void phonebar_load_changed(WebKitWebView *v, WebKitLoadEvent ev, gpointer data) {
	if (ev != WEBKIT_LOAD_COMMITTED && ev != WEBKIT_LOAD_FINISHED) return;
	const char *uri = webkit_web_view_get_uri(v);
	phonebarOmniLoadEvent(ev == WEBKIT_LOAD_COMMITTED ? 1 : 2, (char *)(uri ? uri : ""));
}

static gboolean phonebar_attach(gpointer data) {
	unsigned long id = (unsigned long)data;
	if (phonebar_view == NULL) {
		GList *tops = gtk_window_list_toplevels();
		for (GList *l = tops; l != NULL && phonebar_view == NULL; l = l->next) phonebar_view = phonebar_find_view(GTK_WIDGET(l->data));
		g_list_free(tops);
		if (phonebar_view != NULL) g_signal_connect(phonebar_view, "load-changed", G_CALLBACK(phonebar_load_changed), NULL);
	}
	phonebarOmniDone(id, phonebar_view ? NULL : "the window has no web view");
	return G_SOURCE_REMOVE;
}

static void phonebar_schedule_attach(unsigned long id) { g_idle_add(phonebar_attach, (gpointer)id); }

typedef struct {
	unsigned long id;
	char *name, *value, *host, *path;
	int http_only, same_site;
} phonebar_cookie;

static void phonebar_cookie_added(GObject *src, GAsyncResult *res, gpointer data) {
	GError *err = NULL;
	webkit_cookie_manager_add_cookie_finish(WEBKIT_COOKIE_MANAGER(src), res, &err);
	phonebarOmniDone((unsigned long)data, err ? err->message : NULL);
	if (err) g_error_free(err);
}

static gboolean phonebar_do_cookie(gpointer data) {
	phonebar_cookie *c = (phonebar_cookie *)data;
	WebKitWebsiteDataManager *m = webkit_web_context_get_website_data_manager(webkit_web_context_get_default());
	SoupCookie *sc = soup_cookie_new(c->name, c->value, c->host, c->path, -1);
	soup_cookie_set_secure(sc, TRUE);
	soup_cookie_set_http_only(sc, c->http_only ? TRUE : FALSE);
	soup_cookie_set_same_site_policy(sc, (SoupSameSitePolicy)c->same_site);
	webkit_cookie_manager_add_cookie(webkit_website_data_manager_get_cookie_manager(m), sc, NULL, phonebar_cookie_added, (gpointer)c->id);
	soup_cookie_free(sc);
	free(c->name); free(c->value); free(c->host); free(c->path); free(c);
	return G_SOURCE_REMOVE;
}

static void phonebar_schedule_cookie(unsigned long id, char *name, char *value, char *host, char *path, int http_only, int same_site) {
	phonebar_cookie *c = (phonebar_cookie *)malloc(sizeof(phonebar_cookie));
	c->id = id; c->name = name; c->value = value; c->host = host; c->path = path;
	c->http_only = http_only; c->same_site = same_site;
	g_idle_add(phonebar_do_cookie, c);
}

static int phonebar_same_site(int i) {
	switch (i) {
	case 1: return SOUP_SAME_SITE_POLICY_STRICT;
	case 2: return SOUP_SAME_SITE_POLICY_NONE;
	default: return SOUP_SAME_SITE_POLICY_LAX;
	}
}

typedef struct {
	int isolated;
	char *text;
} phonebar_job;

static gboolean phonebar_do_job(gpointer data) {
	phonebar_job *j = (phonebar_job *)data;
	if (phonebar_view != NULL) {
		if (j->isolated) {
			// A named world: the page's own scripts run in the default world and cannot reach it.
			webkit_web_view_evaluate_javascript(phonebar_view, j->text, -1, "phonebar-handoff", NULL, NULL, NULL, NULL);
		} else {
			webkit_web_view_load_uri(phonebar_view, j->text);
		}
	}
	free(j->text);
	free(j);
	return G_SOURCE_REMOVE;
}

static void phonebar_schedule_job(int isolated, char *text) {
	phonebar_job *j = (phonebar_job *)malloc(sizeof(phonebar_job));
	j->isolated = isolated;
	j->text = text;
	g_idle_add(phonebar_do_job, j);
}

static void phonebar_cleared(GObject *src, GAsyncResult *res, gpointer data) {
	GError *err = NULL;
	webkit_website_data_manager_clear_finish(WEBKIT_WEBSITE_DATA_MANAGER(src), res, &err);
	phonebarOmniDone((unsigned long)data, err ? err->message : NULL);
	if (err) g_error_free(err);
}

static gboolean phonebar_do_clear(gpointer data) {
	WebKitWebsiteDataManager *m = webkit_web_context_get_website_data_manager(webkit_web_context_get_default());
	webkit_website_data_manager_clear(m, WEBKIT_WEBSITE_DATA_ALL, 0, NULL, phonebar_cleared, data);
	return G_SOURCE_REMOVE;
}

static void phonebar_schedule_clear(unsigned long id) { g_idle_add(phonebar_do_clear, (gpointer)id); }
*/
import "C"

import (
	"errors"
	"sync"
)

// gtkView is the window's WebKitGTK web view. Every call is scheduled on the GTK main loop, in order.
type gtkView struct{}

var (
	callbacksMu sync.Mutex
	callbacks   = map[uint64]func(error){}
	nextID      uint64
	loadMu      sync.Mutex
	loadHandler func(committed bool, uri string)
)

func register(done func(error)) C.ulong {
	callbacksMu.Lock()
	defer callbacksMu.Unlock()
	nextID++
	callbacks[nextID] = done
	return C.ulong(nextID)
}

//export phonebarOmniDone
func phonebarOmniDone(id C.ulong, msg *C.char) {
	callbacksMu.Lock()
	done := callbacks[uint64(id)]
	delete(callbacks, uint64(id))
	callbacksMu.Unlock()
	if done == nil {
		return
	}
	var err error
	if msg != nil {
		err = errors.New(C.GoString(msg))
	}
	// Off the GTK main loop: done may call back into the web view and wait.
	go done(err)
}

//export phonebarOmniLoadEvent
func phonebarOmniLoadEvent(event C.int, uri *C.char) {
	loadMu.Lock()
	h := loadHandler
	loadMu.Unlock()
	if h != nil {
		h(event == 1, C.GoString(uri))
	}
}

// CanShowPages says whether the window loads a page it is given (Launcher.ShowPage).
const CanShowPages = true

// AttachWebView finds the web view of this process's window (there is one) and sends its load events
// to c; it returns once the web view is attached. Call it after the window exists (from OnStartup).
func AttachWebView(c *Controller) (WebView, error) {
	loadMu.Lock()
	loadHandler = func(committed bool, uri string) {
		if committed {
			c.Committed(uri)
		} else {
			c.Finished()
		}
	}
	loadMu.Unlock()
	done := make(chan error, 1)
	C.phonebar_schedule_attach(register(func(err error) { done <- err }))
	if err := <-done; err != nil {
		return nil, err
	}
	return gtkView{}, nil
}

func (gtkView) SetCookie(c Cookie, done func(error)) {
	ss := map[string]C.int{"strict": 1, "none": 2}[c.SameSite]
	http := C.int(0)
	if c.HTTPOnly {
		http = 1
	}
	// Ownership of the C strings passes to phonebar_do_cookie, which frees them.
	C.phonebar_schedule_cookie(register(done), C.CString(c.Name), C.CString(c.Value), C.CString(c.Host), C.CString(c.Path),
		http, C.phonebar_same_site(ss))
}

func (gtkView) Load(url string) { C.phonebar_schedule_job(0, C.CString(url)) }

func (gtkView) RunIsolated(script string) { C.phonebar_schedule_job(1, C.CString(script)) }

func (gtkView) ClearData(done func(error)) { C.phonebar_schedule_clear(register(done)) }
