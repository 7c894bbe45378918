// The Phonebar window: login, then the agent's bar. State comes from the Go side (Session.View and
// the "session" event); this file only routes between the views.

import "./style.css";
import { publish } from "./state";
import { asUIError, on, session, type SessionView, type UIError } from "./api";
import { doctorLink, doctorView, loginFields } from "./views/doctor";
import { homeView } from "./views/home";
import { loginView } from "./views/login";
import { noticesArea } from "./views/notices";
import { lineView } from "./views/line";
import { passwordView } from "./views/password";

const app = document.getElementById("app")!;
let current: { state: string; update?(v: SessionView): void } = { state: "" };

function render(v: SessionView, err?: UIError) {
  if (v.state === "password-change") {
    // Before anything else: the bar is not shown until the password is changed. Drawn again only
    // if whether the current password must be typed changed (the login's answer can come after
    // the session event that first drew it).
    const key = `password-change:${v.needCurrentPassword}`;
    if (current.state === key) return;
    app.classList.remove("on-bar");
    app.replaceChildren(passwordView(v, {
      onChanged: (nv) => render(nv),
      onLogout: async () => render((await session.logout(false)) as SessionView),
    }));
    current = { state: key };
    publish({ screen: "password-change", error: "", form: "" });
    return;
  }
  if (v.state === "logged-in" && v.agent?.chooseLine) {
    // An external agent's first login here: where the calls ring, asked once before the bar.
    if (current.state === "choose-line") return;
    app.classList.remove("on-bar");
    app.replaceChildren(lineView(v, {
      onChosen: (nv) => render(nv),
      onLogout: async () => render((await session.logout(false)) as SessionView),
    }));
    current = { state: "choose-line" };
    publish({ screen: "choose-line", error: "", form: "" });
    return;
  }
  if (v.state === "logged-in" && v.agent) {
    if (current.state === "logged-in" && current.update) {
      current.update(v);
      return;
    }
    const notices = noticesArea();
    const home = homeView(v as SessionView, { onLoggedOut: (nv) => render(nv as SessionView), notices: notices.el });
    notices.update(v);
    app.replaceChildren(home.el);
    app.classList.add("on-bar");
    let bannerShown = false;
    const update = (nv: SessionView) => {
      home.update(nv as SessionView);
      notices.update(nv);
      // What the agent sees of the connection, logged for the fault figures.
      const b = home.el.querySelector<HTMLElement>("#connection-banner");
      const shown = !!b && !b.hidden;
      if (shown !== bannerShown) {
        bannerShown = shown;
        void session.mark(shown ? "banner-shown" : "banner-hidden");
      }
      publish({ banner: shown, ready: !!nv.ready });
    };
    current = { state: "logged-in", update };
    publish({ screen: "home", error: "", form: "" });
    update(v);
    return;
  }
  app.classList.remove("on-bar");
  const login = loginView(v as SessionView, { onLoggedIn: (nv) => render(nv as SessionView) }, err);
  login.append(doctorLink(() => {
    app.replaceChildren(doctorView(loginFields(login), () => render(v)));
    current = { state: "logged-out:doctor" }; // a logged-out session event leaves the page open
  }));
  app.replaceChildren(login);
  current = { state: "logged-out" };
  publish({ screen: "login", error: err?.code ?? "", form: "", message: "", banner: false, ready: false, notices: [], registration: "", calls: [], mic: "", status: "", problem: "", sheet: "", missed: 0, ended: [], recent: [], clipped: [] });
}

async function start() {
  // The event carries the whole view: no second call to fetch it.
  on("session", (v) => {
    if (v.state === "logging-in") return;
    if (v.state !== current.state.split(":")[0] || v.state === "logged-in" || v.state === "password-change") render(v);
  });
  let v: SessionView;
  try {
    v = await session.view();
  } catch (e) {
    app.textContent = asUIError(e).message;
    return;
  }
  render(v);
  void session.ready();
  if (v.state === "logged-out" && v.remember && v.server && v.username) {
    app.classList.add("busy");
    try {
      render((await session.autoLogin()) as SessionView);
    } catch (e) {
      render(await session.view(), asUIError(e));
    } finally {
      app.classList.remove("busy");
    }
  }
}

void start();
