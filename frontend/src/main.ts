// The Phonebar window: login, then the agent's bar. State comes from the Go side (Session.View and
// the "session" event); this file only routes between the views.

import "./style.css";
import { asUIError, on, session, type SessionView, type UIError } from "./api";
import { homeView } from "./views/home";
import { loginView } from "./views/login";

const app = document.getElementById("app")!;
let current: { state: string; update?(v: SessionView): void } = { state: "" };

function render(v: SessionView, err?: UIError) {
  if (v.state === "logged-in" && v.agent) {
    if (current.state === "logged-in" && current.update) {
      current.update(v);
      return;
    }
    const home = homeView(v, { onLoggedOut: (nv) => render(nv) });
    app.replaceChildren(home.el);
    current = { state: "logged-in", update: home.update };
    return;
  }
  app.replaceChildren(loginView(v, { onLoggedIn: (nv) => render(nv) }, err));
  current = { state: "logged-out" };
}

async function start() {
  on<SessionView>("session", (v) => {
    if (v.state === "logging-in") return;
    if (v.state !== current.state || v.state === "logged-in") render(v);
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
      render(await session.autoLogin());
    } catch (e) {
      render(await session.view(), asUIError(e));
    } finally {
      app.classList.remove("busy");
    }
  }
}

void start();
