/**
 * The Preview panel: a version of the site in a sandboxed iframe.
 *
 * The frame loads a capability link (`/s/{token}/`, valid one hour) rather than `/preview/...`: a
 * sandboxed page has an opaque origin, so its own requests for its CSS and scripts carry no cookie,
 * and only the token in the path lets them through. The link is renewed before it runs out, and on
 * Refresh when it is close to.
 *
 * A load can fail (a dropped connection, a proxy restarting): the frame then holds the browser's error
 * page, and nothing in it can be read from here (an opaque origin). But every page the frame loads
 * says so: vibe's picker, the first script of each workspace page, posts "ready" at once
 * (picker-host.js tells this module). A load that ends without it is tried again, a few times,
 * further apart each time; after that the Refresh button is there.
 */

import { api } from "./api.js";
import { byId } from "./dom.js";
import { onLanguageChange, setText, t } from "./i18n.js";
import { toastError } from "./toast.js";

const RENEW_BEFORE_MS = 5 * 60 * 1000;
/** How long after a load without "ready" each new attempt comes (its length is how many there are). */
const RETRY_AFTER_MS = [1000, 2000, 4000];

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
  /** The frame's latest load we asked for: whether its page said "ready", and which attempt it is. */
  let loading = /** @type {{ready: boolean, retries: number} | null} */ (null);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retryTimer;
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

  /**
   * Point the frame at `url`.
   * @param {string} url
   * @param {number} retries how many loads of this target failed before
   */
  function load(url, retries = 0) {
    clearTimeout(retryTimer);
    loading = { ready: false, retries };
    frame.src = url;
  }

  // The load event comes for the browser's error page too; "ready" comes only from a page of ours.
  frame.addEventListener("load", () => {
    const current = loading;
    if (!current || current.ready || current.retries >= RETRY_AFTER_MS.length) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (loading === current && !current.ready) void refresh(current.retries + 1);
    }, RETRY_AFTER_MS[current.retries]);
  });

  /**
   * Reload the frame, renewing the link first when it is about to run out.
   * @param {number} [retries] how many loads of this target failed before (0: the person asked)
   */
  async function refresh(retries = 0) {
    if (!target) return;
    try {
      if (!link || link.expiresAt - Date.now() < 60_000) await issue();
      if (link) load(workspaceUrl(link.url), retries);
    } catch (error) {
      if (!retries) toastError(error);
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
        if (issued && mine === seq) load(workspaceUrl(issued.url));
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
      clearTimeout(retryTimer);
      loading = null;
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

    /** Reload the frame, as the Refresh button does. */
    refresh: () => refresh(),

    /** The page in the frame said it is there (vibe's picker in it posted "ready"). */
    ready() {
      if (loading) loading.ready = true;
    },

    /** The version the frame shows, if any. */
    get shown() {
      return target;
    },
  };
}
