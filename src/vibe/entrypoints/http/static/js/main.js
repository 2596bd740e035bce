/**
 * Start the app: language, session, views and routes.
 *
 * Views: the landing page (`/`), sign-in and registration (`/signin`, `/register`) and the workspace
 * (`/app`, `/app/p/{project id}`). The workspace needs a session; signing in leads there.
 */

import { createAdminView } from "./admin-view.js";
import { createAuthView } from "./auth-view.js";
import { createAccountMenu, refreshUsage } from "./budget.js";
import { byId } from "./dom.js";
import { keepTimesFresh } from "./format.js";
import { decorateIcons } from "./icons.js";
import { initialLanguage, onLanguageChange, setLanguage, setText, t } from "./i18n.js";
import { navigate, startRouter } from "./router.js";
import { currentUser, onUserChange, restore, signOut } from "./session.js";
import { toast, toastError } from "./toast.js";
import { createWorkspace } from "./workspace.js";
import { createSharedView, remixPending } from "./shared-view.js";
import { createLandingPrompt, takeFirstPrompt } from "./landing-prompt.js";

const VIEWS = {
  landing: "view-landing",
  signin: "view-auth",
  register: "view-auth",
  workspace: "view-workspace",
  admin: "view-admin",
  shared: "view-shared",
};

async function main() {
  await setLanguage(initialLanguage());
  decorateIcons();
  keepTimesFresh();
  const languages = /** @type {HTMLSelectElement} */ (byId("lang-select"));
  languages.value = document.documentElement.lang;
  languages.addEventListener("change", () => void setLanguage(languages.value));

  const auth = createAuthView({
    onSignedIn: async () => {
      if (await remixPending()) return;
      const first = takeFirstPrompt();
      if (first) workspace.sendFirst(first);
      navigate("/app", { replace: true });
    },
  });
  const shared = createSharedView();
  const workspace = createWorkspace();
  createLandingPrompt((prompt) => {
    workspace.sendFirst(prompt);
    navigate("/app");
  });
  const admin = createAdminView();
  createAccountMenu();
  let view = "";

  /** Show the header's actions for the signed-in user, or the sign-in links. */
  const drawUser = () => {
    const user = currentUser();
    byId("signed-out-actions").hidden = Boolean(user);
    byId("signed-in-actions").hidden = !user;
    byId("user-name").textContent = user ? user.display_name || user.email : "";
    byId("user-name").title = user ? user.email : "";
    for (const id of ["hero-cta", "hero-signin"]) {
      const link = byId(id);
      link.hidden = Boolean(user) && id === "hero-signin";
      if (id === "hero-cta") {
        link.setAttribute("href", user ? "/app" : "/register");
        setText(link, user ? "landing.ctaSignedIn" : "landing.cta");
      }
    }
  };
  let hadUser = false;
  onUserChange((user) => {
    drawUser();
    void refreshUsage();
    if (!user) {
      workspace.reset();
      if (hadUser && view === "workspace") {
        toast(t("auth.sessionEnded"), { kind: "info" });
        navigate("/signin", { replace: true });
      }
    }
    hadUser = Boolean(user);
  });

  byId("sign-out").addEventListener("click", async () => {
    hadUser = false;
    try {
      await signOut();
    } catch (error) {
      toastError(error);
    }
    navigate("/", { replace: true });
  });

  await restore();
  hadUser = Boolean(currentUser());
  drawUser();
  void refreshUsage();

  startRouter((route) => {
    const user = currentUser();
    if ((route.name === "workspace" || route.name === "admin") && !user)
      return navigate("/signin", { replace: true });
    if (route.name === "admin" && user?.role !== "admin") return navigate("/app", { replace: true });
    if ((route.name === "signin" || route.name === "register") && user)
      return navigate("/app", { replace: true });
    const next = VIEWS[/** @type {keyof typeof VIEWS} */ (route.name)];
    for (const id of new Set(Object.values(VIEWS))) byId(id).hidden = id !== next;
    document.body.dataset.view = route.name;
    byId("drawer-toggle").hidden = route.name !== "workspace";
    const changed = view !== route.name;
    view = route.name;
    if (route.name === "signin" || route.name === "register") auth.show(route.name);
    else if (route.name === "workspace") void workspace.enter(route.params.projectId ?? null);
    else if (route.name === "admin") admin.show();
    else if (route.name === "shared") void shared.show(route.params.projectId ?? "");
    else document.title = t("landing.documentTitle");
    if (changed && route.name === "landing") window.scrollTo(0, 0);
  });
  onLanguageChange(() => {
    drawUser();
    if (view === "landing") document.title = t("landing.documentTitle");
  });
  document.body.classList.remove("is-loading");
}

void main();
