/**
 * The Code panel: one tab per file, in an editor (CodeMirror 6, bundled into vendor/codemirror.js by
 * scripts/build-editor.sh and loaded on first use). It either follows a running generation (tabs
 * appear as files start, text grows with each delta, edits are highlighted; read-only) or shows a
 * saved version. The current version can be edited: Ctrl/Cmd+S (or Save) stores the file with
 * `PUT .../files/{path}?base=N` as a new version; a 409 (the project moved on meanwhile) offers to
 * reload the current version or to overwrite it.
 */

import { api } from "./api.js";
import { byId, h, selectTab, tablistKeys } from "./dom.js";
import { putFile } from "./file-save.js";
import { elapsed, number, size } from "./format.js";
import { encodePath, statusText } from "./generation.js";
import { icon } from "./icons.js";
import { onLanguageChange, t } from "./i18n.js";

const RENDER_EVERY_MS = 60;

/** @typedef {import("./generation.js").Generation} Generation */
/** @typedef {ReturnType<typeof import("../vendor/codemirror.js").createEditor>} Editor */

/** @type {Promise<typeof import("../vendor/codemirror.js")> | null} */
let editorModule = null;
const loadEditor = () => (editorModule ??= import("../vendor/codemirror.js"));

/**
 * @param {{onSaved?: (version: {number: number}) => void, onReload?: () => void, onEdit?: () => void}} [handlers]
 *   `onSaved`: a save made a new version; `onReload`: the person chose to drop their edit and see the
 *   current version; `onEdit`: the person wants to edit the files of the version a generation just made
 */
export function createCodeView({ onSaved, onReload, onEdit } = {}) {
  const tabs = byId("file-tabs");
  const scroller = byId("code-scroll");
  const host = byId("code-view");
  const empty = byId("code-empty");
  const bar = byId("live-bar");
  const barStatus = byId("live-status");
  const barTokens = byId("live-tokens");
  const barElapsed = byId("live-elapsed");
  const codeBar = byId("code-bar");
  const codeStatus = byId("code-status");
  const saveButton = /** @type {HTMLButtonElement} */ (byId("code-save"));
  const editButton = /** @type {HTMLButtonElement} */ (byId("code-edit"));
  const conflict = byId("code-conflict");
  const conflictText = byId("code-conflict-text");

  /** @type {Generation | null} */
  let live = null;
  /** @type {(() => void) | null} */
  let unsubscribe = null;
  /** @type {{projectId: string, version: number, paths: string[], editable: boolean} | null} */
  let saved = null;
  /** @type {Map<string, string>} texts of saved versions, by project/version/path */
  const cache = new Map();
  /** @type {Map<string, string>} unsaved edits, by project/version/path */
  const drafts = new Map();
  /** @type {string | null} */
  let active = null;
  /** @type {string | null} the key of the saved file the editor holds */
  let shownKey = null;
  let pinned = false; // the reader picked a tab: stop following the file being written
  let renderPending = false;
  let lastRender = 0;
  let saving = false;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let ticker;
  let loadSeq = 0;
  /** @type {Editor | null} */
  let editor = null;

  void ensureEditor(); // loads the bundle now, so the first file of a generation streams in from its start
  Object.defineProperty(host, "editorText", { get: () => editor?.text() ?? "", configurable: true });

  async function ensureEditor() {
    if (editor) return editor;
    const { createEditor } = await loadEditor();
    if (editor) return editor;
    editor = createEditor(host, {
      label: t("code.editorLabel"),
      onSave: () => void save(null),
      onChange: (text) => {
        if (!shownKey) return;
        if (text === cache.get(shownKey)) drafts.delete(shownKey);
        else drafts.set(shownKey, text);
        drawSaveBar();
        drawTabs();
      },
    });
    return editor;
  }

  tablistKeys(tabs, (tab) => pick(tab.dataset.path ?? null, true));
  saveButton.addEventListener("click", () => void save(null));
  editButton.addEventListener("click", () => onEdit?.());
  byId("code-reload").addEventListener("click", () => {
    if (shownKey) drafts.delete(shownKey);
    conflict.hidden = true;
    onReload?.();
  });
  byId("code-overwrite").addEventListener("click", () => void save("overwrite"));

  /** The paths to show as tabs. */
  function paths() {
    if (live) return [...live.files.keys()];
    return saved ? saved.paths : [];
  }

  /** @param {string} path */
  const keyOf = (path) => (saved ? `${saved.projectId}/${saved.version}/${path}` : "");

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
      const dirty = !live && drafts.has(keyOf(path));
      tab.classList.toggle("is-writing", Boolean(file && (!file.done || file.loading)));
      tab.classList.toggle("is-edited", Boolean(file?.edited) || dirty);
      const state = file
        ? file.done && !file.loading
          ? file.edited
            ? t("code.edited")
            : size(file.size ?? file.text.length)
          : t("code.writing")
        : dirty
          ? t("code.unsaved")
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

  function drawSaveBar() {
    const editable = Boolean(!live && saved?.editable && active && shownKey);
    editor?.setReadOnly(!editable);
    codeBar.hidden = !saved && !live;
    const dirty = Boolean(shownKey && drafts.has(shownKey));
    saveButton.hidden = !editable;
    editButton.hidden = !(live?.finished && live.result);
    saveButton.disabled = !dirty || saving;
    codeStatus.textContent = live
      ? live.finished
        ? live.result
          ? t("code.generated", { version: live.result.version })
          : ""
        : t("code.readOnlyLive")
      : !saved
        ? ""
        : !saved.editable
          ? t("code.readOnlyOld")
          : saving
            ? t("code.saving")
            : dirty
              ? t("code.unsavedHint")
              : t("code.editHint");
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
    conflict.hidden = true;
    drawTabs();
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
    const view = await ensureEditor();
    if (!active) {
      shownKey = null;
      view.show("", "");
      drawSaveBar();
      return;
    }
    const path = active;
    host.dataset.path = path;
    if (live) {
      const file = live.files.get(path);
      if (!file) return;
      shownKey = null;
      view.stream(path, file.text, fresh || file.edited ? file.mark : null, !file.done && view.atEnd());
      host.dataset.state = file.done && !file.loading ? "complete" : "writing";
      drawSaveBar();
      return;
    }
    if (!saved) return;
    const key = keyOf(path);
    let text = cache.get(key);
    if (text === undefined) {
      host.dataset.state = "loading";
      const seq = ++loadSeq;
      try {
        text = /** @type {string} */ (
          await api.text(
            `/api/v1/projects/${encodeURIComponent(saved.projectId)}/files/${encodePath(path)}?version=${saved.version}`,
          )
        );
      } catch (error) {
        if (seq === loadSeq) view.show(path, error instanceof Error ? error.message : "");
        return;
      }
      cache.set(key, text);
      if (seq !== loadSeq || active !== path || keyOf(path) !== key) return;
    }
    if (shownKey !== key || fresh) {
      shownKey = key;
      view.show(path, drafts.get(key) ?? text);
    }
    host.dataset.state = "complete";
    drawSaveBar();
  }

  /**
   * Save the shown file as a new version.
   * @param {"overwrite" | null} mode `overwrite`: on top of whatever version is current now
   */
  async function save(mode) {
    if (!editor || !saved || !saved.editable || !active || !shownKey || saving || live) return;
    const key = shownKey;
    const text = editor.text();
    if (mode === null && !drafts.has(key)) return;
    const { projectId, version } = saved;
    const path = active;
    saving = true;
    drawSaveBar();
    try {
      const made = await putFile(projectId, path, text, mode === "overwrite" ? null : version);
      drafts.delete(key);
      conflict.hidden = true;
      cache.set(`${projectId}/${made.number}/${path}`, text);
      onSaved?.(made);
    } catch (error) {
      if (/** @type {any} */ (error)?.status === 409) {
        conflictText.textContent = t("code.conflict", { path, version });
        conflict.hidden = false;
        byId("code-reload").focus();
      } else {
        conflictText.textContent = error instanceof Error ? error.message : String(error);
        conflict.hidden = false;
      }
    } finally {
      saving = false;
      drawSaveBar();
    }
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
    drawSaveBar();
  });

  return {
    /**
     * Follow a generation from now on (read-only while it runs).
     * @param {Generation} generation
     */
    follow(generation) {
      unsubscribe?.();
      live = generation;
      saved = null;
      pinned = false;
      conflict.hidden = true;
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
          drawSaveBar();
        }
        drawBar();
      });
      clearInterval(ticker);
      ticker = setInterval(drawBar, 1000);
      drawTabs();
      drawBar();
      drawSaveBar();
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
     * @param {boolean} [editable] the version is the current one and nothing runs: it may be edited
     */
    showVersion(projectId, version, files, editable = false) {
      unsubscribe?.();
      unsubscribe = null;
      live = null;
      clearInterval(ticker);
      const same = saved && saved.projectId === projectId && saved.version === version;
      saved = { projectId, version, paths: files, editable };
      if (!same) conflict.hidden = true;
      if (!active || !files.includes(active))
        active = files.includes("index.html") ? "index.html" : (files[0] ?? null);
      pinned = false;
      drawTabs();
      drawBar();
      drawSaveBar();
      void renderNow(!same);
    },

    clear() {
      unsubscribe?.();
      unsubscribe = null;
      live = null;
      saved = null;
      active = null;
      shownKey = null;
      conflict.hidden = true;
      clearInterval(ticker);
      drawTabs();
      drawBar();
      drawSaveBar();
      editor?.show("", "");
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
