/**
 * Pick mode, the app's side: a toggle that turns the workspace preview into a picker, the picks as
 * chips in the composer, and a direct text edit waiting for the person's confirmation.
 *
 * THREAT MODEL. The preview frame runs generated code: hostile by assumption. vibe injects its picker
 * script (entrypoints/http/picker_frame/frame.js) into that page, but the page shares the script's realm, so it can
 * send anything the picker could send, at any time. Therefore:
 *  - a message counts only when it comes from the preview iframe's own window (`event.source ===
 *    frame.contentWindow`) with an opaque origin ("null": the sandbox holds), and has exactly the
 *    expected shape (known type, known keys, strings of bounded length, a file path of the project's
 *    form); anything else is dropped without a trace;
 *  - picks and edits count only while the person has pick mode on (they turned it on in the app);
 *  - no message ever makes the app send a request or change the project by itself: a pick becomes a
 *    chip the person sees (and sends with their own prompt, or removes); a text edit becomes a card
 *    that saves only when the person presses Save in the app; "ready" and "exit" only redraw ("ready"
 *    also tells the preview its load worked, so it is not tried again: a page can only spare a reload);
 *  - the server checks every selector again (it must match exactly one element of the file), and an
 *    edit is written only where the selector locates a text that is in the file as written.
 * The page gains nothing it could not do by asking the person to click: it cannot read the app, its
 * storage or its session (opaque origin), nor act in the person's name.
 */

import { byId, h } from "./dom.js";
import { icon } from "./icons.js";
import { onLanguageChange, t } from "./i18n.js";
import { toast } from "./toast.js";

export const MAX_PICKS = 10;
const LIMITS = { path: 1024, selector: 1000, tag: 64, text: 200, html: 20000, edit: 5000 };
const PATH = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[^\0-\x1f<>:"\\|?*]+\.(?:html?|svg)$/i;
const TAG = /^[a-z][a-z0-9-]*$/i;

/**
 * @typedef {{path: string, selector: string, tag: string, text: string, html: string | null}} Pick
 * @typedef {{path: string, selector: string, tag: string, before: string, after: string}} TextEdit
 * @typedef {{path: string, selector: string, tag: string, src: string}} ImageSwap
 */

/**
 * @param {unknown} value
 * @param {number} max
 */
const str = (value, max) => typeof value === "string" && value.length <= max;

/**
 * The message as the app understands it, or null when it is not exactly a picker message.
 * @param {unknown} data
 * @returns {({type: "ready"} | {type: "exit"} | ({type: "pick", add: boolean} & Pick) | ({type: "edit"} & TextEdit) | ({type: "image"} & ImageSwap)) | null}
 */
export function readMessage(data) {
  if (!data || typeof data !== "object" || Array.isArray(data)) return null;
  if (Object.getPrototypeOf(data) !== Object.prototype) return null;
  const m = /** @type {Record<string, unknown>} */ (data);
  const keys = Object.keys(m).sort().join(",");
  if (m.vibe !== "picker") return null;
  if (m.type === "ready" && keys === "path,type,vibe" && str(m.path, LIMITS.path)) return { type: "ready" };
  if (m.type === "exit" && keys === "type,vibe") return { type: "exit" };
  const located =
    str(m.path, LIMITS.path) &&
    PATH.test(/** @type {string} */ (m.path)) &&
    str(m.selector, LIMITS.selector) &&
    /** @type {string} */ (m.selector).trim() !== "" &&
    str(m.tag, LIMITS.tag) &&
    TAG.test(/** @type {string} */ (m.tag));
  if (!located) return null;
  const path = /** @type {string} */ (m.path);
  const selector = /** @type {string} */ (m.selector);
  const tag = /** @type {string} */ (m.tag).toLowerCase();
  if (
    m.type === "pick" &&
    keys === "add,html,path,selector,tag,text,type,vibe" &&
    typeof m.add === "boolean" &&
    str(m.text, LIMITS.text) &&
    (m.html === null || str(m.html, LIMITS.html))
  ) {
    const html = /** @type {string | null} */ (m.html);
    return { type: "pick", add: m.add, path, selector, tag, text: /** @type {string} */ (m.text), html };
  }
  if (m.type === "image" && keys === "path,selector,src,tag,type,vibe" && tag === "img" && str(m.src, LIMITS.path)) {
    return { type: "image", path, selector, tag, src: /** @type {string} */ (m.src) };
  }
  if (
    m.type === "edit" &&
    keys === "after,before,path,selector,tag,type,vibe" &&
    str(m.before, LIMITS.edit) &&
    str(m.after, LIMITS.edit)
  ) {
    return {
      type: "edit",
      path,
      selector,
      tag,
      before: /** @type {string} */ (m.before),
      after: /** @type {string} */ (m.after),
    };
  }
  return null;
}

/**
 * @param {{onEdit: (edit: TextEdit) => Promise<boolean>, onImage: (swap: ImageSwap, file: File) => Promise<boolean>,
 *          onChange?: () => void, onReady?: () => void}} handlers
 *   `onEdit` saves a confirmed text edit, `onImage` an image replaced by a picture the person chose;
 *   true when it was saved; `onReady`: a page in the frame said it is there
 */
export function createPicker({ onEdit, onImage, onChange, onReady }) {
  const frame = /** @type {HTMLIFrameElement} */ (byId("preview-frame"));
  const toggle = /** @type {HTMLButtonElement} */ (byId("pick-toggle"));
  const chips = byId("picks");
  let on = false;
  let enabled = false;
  /** @type {Pick[]} */
  let picks = [];
  /** @type {TextEdit | null} */
  let pending = null;
  /** @type {ImageSwap | null} */
  let swapping = null;
  let saving = false;
  let showing = "";

  function tellFrame() {
    frame.contentWindow?.postMessage(
      { vibe: "picker", type: "mode", on, selected: picks.map((p) => p.selector) },
      "*",
    );
  }

  /** @param {boolean} next */
  function setOn(next) {
    on = next && enabled;
    toggle.setAttribute("aria-pressed", String(on));
    document.body.classList.toggle("is-picking", on);
    tellFrame();
    if (on) frame.focus();
  }

  function draw() {
    const cards = picks.map((pick, index) =>
      h(
        "span",
        { class: "pick-chip", title: pick.selector },
        h("code", { text: `<${pick.tag}>` }),
        h("span", { class: "pick-text", text: pick.text.slice(0, 40) || t("picker.noText") }),
        h("span", { class: "pick-file", text: pick.path }),
        h(
          "button",
          {
            type: "button",
            class: "pick-remove",
            "aria-label": t("picker.remove", { tag: pick.tag }),
            onclick: () => {
              picks.splice(index, 1);
              changed();
            },
          },
          icon("x", 12),
        ),
      ),
    );
    if (pending) {
      const edit = pending;
      cards.push(
        h(
          "div",
          { class: "direct-edit", role: "group", "aria-label": t("picker.editTitle") },
          h("p", { text: t("picker.editSummary", { tag: edit.tag, path: edit.path }) }),
          h("p", { class: "direct-edit-change" }, h("del", { text: edit.before }), h("ins", { text: edit.after })),
          h(
            "div",
            { class: "direct-edit-actions" },
            h("button", {
              type: "button",
              class: "btn btn-primary btn-sm",
              id: "direct-edit-save",
              text: t("picker.save"),
              disabled: saving,
              onclick: () => void save(),
            }),
            h("button", {
              type: "button",
              class: "btn btn-ghost btn-sm",
              text: t("picker.discard"),
              onclick: () => {
                pending = null;
                draw();
                tellFrame();
              },
            }),
          ),
        ),
      );
    }
    if (swapping) {
      const swap = swapping;
      const input = h("input", {
        type: "file",
        accept: "image/png,image/jpeg,image/gif,image/webp,image/avif",
        class: "visually-hidden",
        id: "image-swap-file",
        onchange: () => {
          const file = /** @type {HTMLInputElement} */ (input).files?.[0];
          if (file) void replace(swap, file);
        },
      });
      cards.push(
        h(
          "div",
          { class: "direct-edit", role: "group", "aria-label": t("picker.imageTitle") },
          h("p", { text: t("picker.imageSummary", { path: swap.path, src: swap.src }) }),
          h(
            "div",
            { class: "direct-edit-actions" },
            input,
            h("button", {
              type: "button",
              class: "btn btn-primary btn-sm",
              id: "image-swap-choose",
              text: t("picker.imageChoose"),
              disabled: saving,
              onclick: () => /** @type {HTMLInputElement} */ (input).click(), // the person's own click
            }),
            h("button", {
              type: "button",
              class: "btn btn-ghost btn-sm",
              text: t("picker.discard"),
              onclick: () => {
                swapping = null;
                draw();
              },
            }),
          ),
        ),
      );
    }
    chips.replaceChildren(...cards);
    chips.hidden = cards.length === 0;
  }

  function changed() {
    draw();
    tellFrame();
    onChange?.();
  }

  /** @param {ImageSwap} swap @param {File} file */
  async function replace(swap, file) {
    if (saving) return;
    saving = true;
    try {
      if (await onImage(swap, file)) swapping = null;
    } finally {
      saving = false;
      draw();
    }
  }

  async function save() {
    const edit = pending;
    if (!edit || saving) return;
    saving = true;
    draw();
    try {
      if (await onEdit(edit)) pending = null;
    } finally {
      saving = false;
      draw();
    }
  }

  toggle.addEventListener("click", () => setOn(!on));
  document.addEventListener("keydown", (event) => {
    if (on && event.key === "Escape" && !event.defaultPrevented) setOn(false);
  });
  frame.addEventListener("load", () => tellFrame());
  onLanguageChange(draw);

  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow || frame.contentWindow === null) return;
    if (event.origin !== "null") return; // the frame is sandboxed: anything else is not our preview
    const message = readMessage(event.data);
    if (!message) return;
    if (message.type === "ready") {
      tellFrame();
      onReady?.();
      return;
    }
    if (!on) return;
    if (message.type === "exit") {
      setOn(false);
      toggle.focus();
    } else if (message.type === "pick") {
      const { type, add, ...pick } = message;
      const at = picks.findIndex((p) => p.path === pick.path && p.selector === pick.selector);
      if (!add) picks = [pick];
      else if (at >= 0) picks.splice(at, 1);
      else if (picks.length >= MAX_PICKS) toast(t("picker.tooMany", { max: MAX_PICKS }), { kind: "error" });
      else picks.push(pick);
      changed();
    } else if (message.type === "image") {
      const { type, ...swap } = message;
      swapping = swap;
      draw();
      byId("image-swap-choose").focus();
    } else if (message.type === "edit") {
      const { type, ...edit } = message;
      pending = edit;
      draw();
      byId("direct-edit-save").focus();
    }
  });

  draw();
  return {
    /** The picks to send with a prompt (`selection` of POST /api/generate). */
    selection() {
      return picks.map(({ path, selector, html }) => (html ? { path, selector, html } : { path, selector }));
    },
    /** Forget the picks and any pending edit (the version shown changed, or they were sent). */
    clear() {
      picks = [];
      pending = null;
      swapping = null;
      changed();
    },
    /**
     * @param {boolean} can pick mode is possible now (the current version is shown, nothing runs)
     * @param {string} shown which project and version the preview shows: picks of another are dropped
     */
    setEnabled(can, shown) {
      if (shown !== showing) {
        showing = shown;
        picks = [];
        pending = null;
        swapping = null;
        changed();
      }
      enabled = can;
      toggle.disabled = !can;
      if (!can && on) setOn(false);
    },
    get on() {
      return on;
    },
    leave() {
      setOn(false);
    },
  };
}
