/**
 * Versions made by hand (a direct text edit in the preview, a save in the Code tab, an upload): they
 * have no session, so the conversation shows each as a short note with one-click Undo, which restores
 * the version before it as a new version.
 */

import { h } from "./dom.js";
import { icon } from "./icons.js";
import { t } from "./i18n.js";
import { timeAgo } from "./format.js";

/**
 * @typedef {{number: number, generation_id: string | null, created_at: string, summary: string}} Version
 */

/**
 * @param {Version} version
 * @param {{current: number, onUndo: (version: number) => void, onShowVersion: (version: number) => void}} actions
 */
export function handEditMessage(version, { current, onUndo, onShowVersion }) {
  return h(
    "article",
    { class: "msg msg-edit", "aria-label": t("edits.title"), dataset: { version: String(version.number) } },
    h(
      "div",
      { class: "msg-edit-row" },
      icon("pencil", 14),
      h("span", { class: "msg-edit-summary", text: version.summary }),
      h("button", {
        type: "button",
        class: "link-btn",
        text: t("history.version", { version: version.number }),
        onclick: () => onShowVersion(version.number),
      }),
      version.number > 1 &&
        h(
          "button",
          {
            type: "button",
            class: "btn btn-ghost btn-sm undo-edit",
            title: t("edits.undoHint", { version: version.number - 1 }),
            onclick: () => onUndo(version.number),
          },
          icon("restore", 14),
          h("span", { text: t("edits.undo") }),
        ),
      version.number === current && h("span", { class: "badge", text: t("history.current") }),
      timeAgo(version.created_at, "msg-time"),
    ),
  );
}
