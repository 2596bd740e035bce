/**
 * The Preview panel: a version of the site in a sandboxed iframe.
 *
 * The frame loads a capability link (`/s/{token}/`, valid one hour) rather than `/preview/...`: a
 * sandboxed page has an opaque origin, so its own requests for its CSS and scripts carry no cookie,
 * and only the token in the path lets them through. The link is renewed before it runs out, and on
 * Refresh when it is close to.
 */

import { api } from "./api.js";
import { byId } from "./dom.js";
import { onLanguageChange, setText, t } from "./i18n.js";
import { toastError } from "./toast.js";

const RENEW_BEFORE_MS = 5 * 60 * 1000;

/**
 * The frame loads the link's workspace twin (`/w/` for `/s/`): the same files, with vibe's element
 * picker in its pages; "Open in a new tab" keeps the plain link.
 * @param {string} url
 */
const workspaceUrl = (url) => url.replace(/^\/s\//, "/w/");
const WIDTH_KEY = "vibe.previewWidth";

export function createPreview() {
  const frame = /** @type {HTMLIFrameElement} */ (byId("preview-frame"));
  const wrap = byId("frame-wrap");
  const stage = byId("frame-stage");
  const empty = byId("preview-empty");
  const emptyTitle = byId("preview-empty-title");
  const emptyBody = byId("preview-empty-body");
  const label = byId("preview-label");
  const refreshButton = /** @type {HTMLButtonElement} */ (byId("preview-refresh"));
  const openLink = /** @type {HTMLAnchorElement} */ (byId("preview-open"));
  const download = /** @type {HTMLAnchorElement} */ (byId("preview-download"));
  const desktop = byId("width-desktop");
  const mobile = byId("width-mobile");

  /** @type {{projectId: string, version: number} | null} */
  let target = null;
  /** @type {{url: string, expiresAt: number} | null} */
  let link = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let renewTimer;
  let seq = 0;
  /** @type {"empty" | "building" | "failed"} */
  let emptyKind = "empty";

  /** @param {"desktop" | "mobile"} width */
  function setWidth(width) {
    stage.classList.toggle("is-mobile", width === "mobile");
    desktop.setAttribute("aria-pressed", String(width === "desktop"));
    mobile.setAttribute("aria-pressed", String(width === "mobile"));
    try {
      localStorage.setItem(WIDTH_KEY, width);
    } catch {
      /* not remembered */
    }
  }
  desktop.addEventListener("click", () => setWidth("desktop"));
  mobile.addEventListener("click", () => setWidth("mobile"));
  try {
    setWidth(localStorage.getItem(WIDTH_KEY) === "mobile" ? "mobile" : "desktop");
  } catch {
    setWidth("desktop");
  }

  /** Ask for a fresh link to the target version. */
  async function issue() {
    if (!target) return null;
    const asked = target;
    const made = await api.post(`/api/v1/projects/${encodeURIComponent(asked.projectId)}/preview-link`, {
      version: asked.version,
    });
    if (target !== asked) return null;
    link = { url: made.url, expiresAt: Date.parse(made.expires_at) };
    openLink.href = link.url;
    openLink.removeAttribute("aria-disabled");
    clearTimeout(renewTimer);
    renewTimer = setTimeout(
      () => void issue().catch(() => {}),
      Math.max(10_000, link.expiresAt - Date.now() - RENEW_BEFORE_MS),
    );
    return link;
  }

  function drawLabel() {
    label.textContent = target ? t("preview.showing", { version: target.version }) : "";
  }

  function drawEmpty() {
    setText(emptyTitle, `preview.${emptyKind}Title`);
    setText(emptyBody, `preview.${emptyKind}Body`);
  }

  onLanguageChange(() => {
    drawLabel();
    drawEmpty();
  });

  /** Reload the frame, renewing the link first when it is about to run out. */
  async function refresh() {
    if (!target) return;
    try {
      if (!link || link.expiresAt - Date.now() < 60_000) await issue();
      if (link) frame.src = workspaceUrl(link.url);
    } catch (error) {
      toastError(error);
    }
  }
  refreshButton.addEventListener("click", () => void refresh());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && target && link && link.expiresAt < Date.now())
      void refresh();
  });

  return {
    /**
     * Show a version of a project.
     * @param {string} projectId
     * @param {number} version
     */
    async show(projectId, version) {
      if (
        target &&
        target.projectId === projectId &&
        target.version === version &&
        link &&
        link.expiresAt > Date.now() + 60_000
      )
        return;
      target = { projectId, version };
      link = null;
      const mine = ++seq;
      wrap.hidden = false;
      empty.hidden = true;
      refreshButton.disabled = false;
      download.href = `/api/v1/projects/${encodeURIComponent(projectId)}/archive?version=${version}`;
      download.setAttribute("download", "");
      download.removeAttribute("aria-disabled");
      drawLabel();
      try {
        const issued = await issue();
        if (issued && mine === seq) frame.src = workspaceUrl(issued.url);
      } catch (error) {
        toastError(error);
      }
    },

    /**
     * Nothing to show: no version yet, one being built, or the last attempt failed.
     * @param {"empty" | "building" | "failed"} [kind]
     */
    clear(kind = "empty") {
      seq += 1;
      target = null;
      link = null;
      clearTimeout(renewTimer);
      emptyKind = kind;
      frame.removeAttribute("src");
      wrap.hidden = true;
      empty.hidden = false;
      empty.dataset.kind = kind;
      refreshButton.disabled = true;
      for (const anchor of [openLink, download]) {
        anchor.removeAttribute("href");
        anchor.setAttribute("aria-disabled", "true");
      }
      download.removeAttribute("download");
      drawLabel();
      drawEmpty();
    },

    refresh,

    /** The version the frame shows, if any. */
    get shown() {
      return target;
    },
  };
}
