/**
 * The Code panel: one tab per file, its text coloured. It either follows a running generation (tabs
 * appear as files start, text grows with each delta, edits are highlighted) or shows a saved version.
 */

import { api } from "./api.js";
import { byId, h, selectTab, tablistKeys } from "./dom.js";
import { elapsed, number, size } from "./format.js";
import { encodePath, statusText } from "./generation.js";
import { languageOf, renderCode } from "./highlight.js";
import { icon } from "./icons.js";
import { onLanguageChange, t } from "./i18n.js";

const RENDER_EVERY_MS = 60;

/** @typedef {import("./generation.js").Generation} Generation */

export function createCodeView() {
  const tabs = byId("file-tabs");
  const scroller = byId("code-scroll");
  const code = byId("code-view");
  const empty = byId("code-empty");
  const bar = byId("live-bar");
  const barStatus = byId("live-status");
  const barTokens = byId("live-tokens");
  const barElapsed = byId("live-elapsed");

  /** @type {Generation | null} */
  let live = null;
  /** @type {(() => void) | null} */
  let unsubscribe = null;
  /** @type {{projectId: string, version: number, paths: string[]} | null} */
  let saved = null;
  /** @type {Map<string, string>} texts of saved versions, by project/version/path */
  const cache = new Map();
  /** @type {string | null} */
  let active = null;
  let pinned = false; // the reader picked a tab: stop following the file being written
  let renderPending = false;
  let lastRender = 0;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let ticker;
  let loadSeq = 0;

  tablistKeys(tabs, (tab) => pick(tab.dataset.path ?? null, true));

  /** The paths to show as tabs. */
  function paths() {
    if (live) return [...live.files.keys()];
    return saved ? saved.paths : [];
  }

  function drawTabs() {
    const list = paths();
    empty.hidden = list.length > 0;
    scroller.hidden = list.length === 0;
    tabs.hidden = list.length === 0;
    const existing = new Map(
      [...tabs.querySelectorAll("[role=tab]")].map((tab) => [
        /** @type {HTMLElement} */ (tab).dataset.path,
        tab,
      ]),
    );
    const wanted = list.map((path, index) => {
      let tab = /** @type {HTMLElement | undefined} */ (existing.get(path));
      if (!tab) {
        tab = h(
          "button",
          {
            type: "button",
            role: "tab",
            class: "file-tab",
            id: `file-tab-${index}`,
            "aria-controls": "code-scroll",
            dataset: { path },
          },
          icon("file", 14),
          h("span", { class: "file-name", text: path }),
          h("span", { class: "file-state", "aria-hidden": "true" }),
        );
        tab.addEventListener("click", () => pick(path, true));
      }
      const file = live?.files.get(path);
      tab.classList.toggle("is-writing", Boolean(file && (!file.done || file.loading)));
      tab.classList.toggle("is-edited", Boolean(file?.edited));
      const state = file
        ? file.done && !file.loading
          ? file.edited
            ? t("code.edited")
            : size(file.size ?? file.text.length)
          : t("code.writing")
        : "";
      tab.title = state ? `${path} · ${state}` : path;
      return tab;
    });
    if (wanted.length !== tabs.children.length || wanted.some((tab, index) => tabs.children[index] !== tab)) {
      tabs.replaceChildren(...wanted);
    }
    const selected = wanted.find((tab) => tab.dataset.path === active);
    if (selected) {
      selectTab(wanted, selected);
      scroller.setAttribute("aria-labelledby", selected.id);
    }
  }

  /**
   * Show a file.
   * @param {string | null} path
   * @param {boolean} byReader
   */
  function pick(path, byReader) {
    if (!path) return;
    if (byReader) pinned = true;
    if (path === active) return;
    active = path;
    drawTabs();
    scroller.scrollTop = 0;
    void renderNow(true);
  }

  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    const wait = Math.max(0, RENDER_EVERY_MS - (performance.now() - lastRender));
    setTimeout(
      () =>
        requestAnimationFrame(() => {
          renderPending = false;
          void renderNow(false);
        }),
      wait,
    );
  }

  /** @param {boolean} fresh a different file than the one shown */
  async function renderNow(fresh) {
    lastRender = performance.now();
    if (!active) {
      code.replaceChildren();
      return;
    }
    const path = active;
    code.dataset.path = path;
    const language = languageOf(path);
    if (live) {
      const file = live.files.get(path);
      if (!file) return;
      const atBottom = scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 48;
      const marked = renderCode(code, file.text, language, file.mark);
      code.dataset.state = file.done && !file.loading ? "complete" : "writing";
      // Scroll the panel alone (scrollIntoView would scroll the page too).
      if (marked && (fresh || file.edited)) scrollWithin(scroller, marked);
      else if (!file.done && atBottom) scroller.scrollTop = scroller.scrollHeight;
      return;
    }
    if (!saved) return;
    const key = `${saved.projectId}/${saved.version}/${path}`;
    let text = cache.get(key);
    if (text === undefined) {
      code.dataset.state = "loading";
      code.replaceChildren(h("span", { class: "muted", text: t("common.loading") }));
      const seq = ++loadSeq;
      try {
        text = /** @type {string} */ (
          await api.text(
            `/api/v1/projects/${encodeURIComponent(saved.projectId)}/files/${encodePath(path)}?version=${saved.version}`,
          )
        );
      } catch (error) {
        if (seq === loadSeq)
          code.replaceChildren(
            h("span", { class: "muted", text: error instanceof Error ? error.message : "" }),
          );
        return;
      }
      cache.set(key, text);
      if (seq !== loadSeq || active !== path) return;
    }
    renderCode(code, text, language);
    code.dataset.state = "complete";
  }

  function drawBar() {
    bar.hidden = !live;
    if (!live) return;
    barStatus.textContent = statusText(live, t);
    barStatus.dataset.status =
      live.connection === "reconnecting" && !live.finished ? "reconnecting" : live.status;
    barTokens.textContent = t("live.tokens", { count: live.tokens, n: number(live.tokens) });
    barTokens.title = t("live.tokensDetail", {
      input: number(live.usage.input),
      cached: number(live.usage.cached),
      output: number(live.usage.output),
    });
    barElapsed.textContent = elapsed((live.finishedAt ?? Date.now()) - live.startedAt);
    if (live.finished) clearInterval(ticker);
  }

  onLanguageChange(() => {
    drawTabs();
    drawBar();
  });

  return {
    /**
     * Follow a generation from now on.
     * @param {Generation} generation
     */
    follow(generation) {
      unsubscribe?.();
      live = generation;
      saved = null;
      pinned = false;
      active = generation.writing ?? [...generation.files.keys()].at(-1) ?? null;
      unsubscribe = generation.subscribe((change, path) => {
        if (change === "file" && path) {
          const file = generation.files.get(path);
          if (!pinned && path !== active && (generation.writing === path || file?.edited)) {
            active = path;
            drawTabs();
            void renderNow(true);
          } else {
            drawTabs();
            if (path === active) scheduleRender();
          }
        } else if (change === "restart") {
          active = null;
          drawTabs();
          void renderNow(true);
        } else if (change === "done" || change === "error") {
          drawTabs();
        }
        drawBar();
      });
      clearInterval(ticker);
      ticker = setInterval(drawBar, 1000);
      drawTabs();
      drawBar();
      void renderNow(true);
    },

    /** The generation being followed, if any. */
    get following() {
      return live;
    },

    /**
     * Show the files of a saved version.
     * @param {string} projectId
     * @param {number} version
     * @param {string[]} files
     */
    showVersion(projectId, version, files) {
      unsubscribe?.();
      unsubscribe = null;
      live = null;
      clearInterval(ticker);
      saved = { projectId, version, paths: files };
      if (!active || !files.includes(active))
        active = files.includes("index.html") ? "index.html" : (files[0] ?? null);
      pinned = false;
      drawTabs();
      drawBar();
      void renderNow(true);
    },

    clear() {
      unsubscribe?.();
      unsubscribe = null;
      live = null;
      saved = null;
      active = null;
      clearInterval(ticker);
      drawTabs();
      drawBar();
      code.replaceChildren();
    },
  };
}

/**
 * Centre `target` in `scroller` by moving that panel only, never the page around it.
 * @param {HTMLElement} scroller
 * @param {HTMLElement} target
 */
function scrollWithin(scroller, target) {
  const offset = target.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
  scroller.scrollTop += offset - (scroller.clientHeight - target.offsetHeight) / 2;
}
