/**
 * The share page of a public project (`/p/{id}`): its site in the preview sandbox, and "Remix", which
 * makes a copy in the visitor's own account (`POST /api/v1/projects/{id}/fork`), signing them in
 * first when needed (the remix is remembered across sign-in or registration and made right after).
 */

import { api } from "./api.js";
import { byId, h } from "./dom.js";
import { icon } from "./icons.js";
import { t } from "./i18n.js";
import { navigate } from "./router.js";
import { currentUser } from "./session.js";
import { toast, toastError } from "./toast.js";

const PENDING = "vibe.remix";

export function createSharedView() {
  const view = byId("view-shared");
  /** @type {{id: string, name: string} | null} */
  let shown = null;

  /** @param {string} projectId */
  async function show(projectId) {
    shown = null;
    view.replaceChildren(h("p", { class: "muted shared-loading", text: t("common.loading") }));
    let project;
    try {
      project = await api.request_public(`/api/v1/projects/${encodeURIComponent(projectId)}`);
    } catch {
      view.replaceChildren(
        h("div", { class: "shared-missing" }, h("h1", { text: t("share.notFound") })),
      );
      return;
    }
    shown = project;
    document.title = `${project.name} · vibe`;
    view.replaceChildren(
      h(
        "header",
        { class: "shared-head" },
        h("h1", { class: "shared-title", text: project.name }),
        h("p", { class: "muted hide-xs", text: t("share.remixHelp") }),
        h("span", { class: "toolbar-spacer" }),
        h(
          "button",
          { type: "button", class: "btn btn-primary", id: "remix", onclick: () => void remix(project) },
          icon("copy", 16),
          h("span", { text: t("share.remix") }),
        ),
      ),
      h(
        "div",
        { class: "shared-frame" },
        h("iframe", {
          src: `/preview/${encodeURIComponent(project.id)}/`,
          sandbox: "allow-scripts allow-forms allow-modals allow-popups",
          referrerpolicy: "no-referrer",
          title: project.name,
        }),
      ),
    );
  }

  /** @param {{id: string, name: string}} project */
  async function remix(project) {
    if (!currentUser()) {
      sessionStorage.setItem(PENDING, project.id);
      navigate("/register");
      return;
    }
    await fork(project.id);
  }

  return { show, get project() { return shown; } };
}

/**
 * Make the remix asked for before signing in, if any.
 * @returns {Promise<boolean>} whether there was one (and the page moved to it)
 */
export async function remixPending() {
  const projectId = sessionStorage.getItem(PENDING);
  if (!projectId) return false;
  sessionStorage.removeItem(PENDING);
  return fork(projectId);
}

/** @param {string} projectId */
async function fork(projectId) {
  try {
    const made = await api.post(`/api/v1/projects/${encodeURIComponent(projectId)}/fork`, {});
    toast(t("share.remixed", { name: made.name }), { kind: "success" });
    navigate(`/app/p/${encodeURIComponent(made.id)}`);
    return true;
  } catch (error) {
    toastError(error);
    return false;
  }
}
