//go:build linux && cgo

package desktop

/*
#cgo pkg-config: gtk+-3.0
#include <gtk/gtk.h>

extern void phonebarDesktopPlaced(unsigned long id, int ok);

typedef struct {
	unsigned long id;
	int hints, x, y, w, h, min_w, min_h, on_top;
} phonebar_place;

// phonebar_window is the process's own visible top-level window (the Phonebar has one).
static GtkWindow *phonebar_window(void) {
	GtkWindow *found = NULL;
	GList *tops = gtk_window_list_toplevels();
	for (GList *l = tops; l != NULL && found == NULL; l = l->next) {
		GtkWindow *w = GTK_WINDOW(l->data);
		if (gtk_window_get_window_type(w) == GTK_WINDOW_TOPLEVEL && gtk_widget_get_visible(GTK_WIDGET(w))) found = w;
	}
	g_list_free(tops);
	return found;
}

// phonebar_do_place runs on the GTK main thread. hints: only the minimum (and the monitor as the
// maximum, as Wails sets it); else the size, the place and above-or-not, in one go.
static gboolean phonebar_do_place(gpointer data) {
	phonebar_place *p = (phonebar_place *)data;
	GtkWindow *w = phonebar_window();
	if (w != NULL && p->hints) {
		GdkGeometry g = {0};
		GdkRectangle m = {0, 0, 0, 0};
		GdkDisplay *d = gtk_widget_get_display(GTK_WIDGET(w));
		GdkWindow *gw = gtk_widget_get_window(GTK_WIDGET(w));
		GdkMonitor *mon = gw ? gdk_display_get_monitor_at_window(d, gw) : gdk_display_get_primary_monitor(d);
		if (mon != NULL) gdk_monitor_get_geometry(mon, &m);
		g.min_width = p->min_w;
		g.min_height = p->min_h;
		g.max_width = m.width > 0 ? m.width : G_MAXSHORT;
		g.max_height = m.height > 0 ? m.height : G_MAXSHORT;
		gtk_window_set_geometry_hints(w, NULL, &g, GDK_HINT_MIN_SIZE | GDK_HINT_MAX_SIZE);
	} else if (w != NULL) {
		gtk_window_resize(w, p->w, p->h);
		gtk_window_move(w, p->x, p->y);
		gtk_window_set_keep_above(w, p->on_top);
	}
	phonebarDesktopPlaced(p->id, w != NULL);
	g_free(p);
	return G_SOURCE_REMOVE;
}

static void phonebar_schedule_place(unsigned long id, int hints, int x, int y, int w, int h, int min_w, int min_h, int on_top) {
	phonebar_place *p = g_new0(phonebar_place, 1);
	p->id = id; p->hints = hints; p->x = x; p->y = y; p->w = w; p->h = h; p->min_w = min_w; p->min_h = min_h; p->on_top = on_top;
	g_idle_add(phonebar_do_place, p);
}
*/
import "C"

import (
	"sync"
	"time"
)

var (
	placeMu   sync.Mutex
	placeSeq  uint64
	placeWait = map[uint64]chan bool{}
)

//export phonebarDesktopPlaced
func phonebarDesktopPlaced(id C.ulong, ok C.int) {
	placeMu.Lock()
	ch := placeWait[uint64(id)]
	delete(placeWait, uint64(id))
	placeMu.Unlock()
	if ch != nil {
		ch <- ok != 0
	}
}

// nativeWindow is this process's GTK window, changed on GTK's main thread. Wails v2's Linux window
// applies its minimum and position later on the main thread but resizes and keeps above at once
// from the calling goroutine: a size asked right after a new minimum met the old one (GTK kept
// 340x520), and GTK was called off its thread.
type nativeWindow struct{}

// minimum sets the window's minimum size (the monitor stays its maximum, as Wails sets it).
func (nativeWindow) minimum(w, h int) bool { return schedule(true, Rect{}, w, h, false) }

// geometry resizes and moves the window and keeps it above others or not, in one step.
func (nativeWindow) geometry(r Rect, onTop bool) bool { return schedule(false, r, 0, 0, onTop) }

// schedule runs one change on GTK's main thread and waits for it: false when the window was not
// found, or the main loop did not run it within a second.
func schedule(hints bool, r Rect, minW, minH int, onTop bool) bool {
	ch := make(chan bool, 1)
	placeMu.Lock()
	placeSeq++
	id := placeSeq
	placeWait[id] = ch
	placeMu.Unlock()
	C.phonebar_schedule_place(C.ulong(id), cbool(hints), C.int(r.X), C.int(r.Y), C.int(r.W), C.int(r.H), C.int(minW), C.int(minH), cbool(onTop))
	select {
	case ok := <-ch:
		return ok
	case <-time.After(time.Second):
		placeMu.Lock()
		delete(placeWait, id)
		placeMu.Unlock()
		return false
	}
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// haveNative says this build can change the window on GTK's main thread.
const haveNative = true
