/**
 * The History panel: every version, newest first, with its summary, time, the prompt that made it, the
 * site check's problems, and the actions on it (preview, restore, download).
 */

import { byId, h } from "./dom.js";
import { timeAgo } from "./format.js";
import { icon } from "./icons.js";
import { t } from "./i18n.js";

/**
 * @typedef {{number: number, generation_id: string | null, created_at: string, summary: string}} Version
 * @typedef {{id: string, prompt: string, model: string, checks: string[]}} Session
 * @typedef {{versions: Version[], sessions: Map<string, Session>, projectId: string,
 *            current: number, published?: number | null, selected: number | null,
 *            busy: boolean}} HistoryModel
 */

/**
 * @param {{onPreview: (version: number) => void, onRestore: (version: number) => void}} actions
 */
export function createHistory({ onPreview, onRestore }) {
  const list = byId("version-list");
  const empty = byId("history-empty");
  const count = byId("history-count");

  /** @param {HistoryModel} model */
  function render(model) {
    const versions = model.versions.filter((version) => version.number > 0);
    empty.hidden = versions.length > 0;
    count.hidden = versions.length === 0;
    count.textContent = String(versions.length);
    list.replaceChildren(...versions.map((version) => item(version, model)));
  }

  /**
   * @param {Version} version
   * @param {HistoryModel} model
   */
  function item(version, model) {
    const session = version.generation_id ? model.sessions.get(version.generation_id) : undefined;
    const current = version.number === model.current;
    const selected = version.number === model.selected;
    const checks = session?.checks ?? [];
    const heading = `version-${version.number}-title`;
    return h(
      "li",
      {
        class: `version${current ? " is-current" : ""}${selected ? " is-selected" : ""}${version.number === model.published ? " is-published" : ""}`,
        "aria-labelledby": heading,
        dataset: { version: String(version.number) },
      },
      h(
        "div",
        { class: "version-head" },
        h("h3", {
          class: "version-number",
          id: heading,
          text: t("history.version", { version: version.number }),
        }),
        current && h("span", { class: "badge badge-accent", text: t("history.current") }),
        version.number === model.published &&
          h("span", { class: "badge badge-live", title: t("publish.servedHere") }, icon("globe", 12), h("span", { text: t("history.published") })),
        selected && !current && h("span", { class: "badge", text: t("history.viewing") }),
        session?.model === "offline" && offlineBadge(),
        timeAgo(version.created_at, "version-time"),
      ),
      h("p", { class: "version-summary", text: version.summary }),
      session && h("p", { class: "version-prompt", text: `“${session.prompt}”` }),
      session && checksNote(checks),
      h(
        "div",
        { class: "version-actions" },
        h(
          "button",
          {
            type: "button",
            class: "btn btn-ghost btn-sm",
            "aria-pressed": String(selected),
            onclick: () => onPreview(version.number),
          },
          icon("eye", 16),
          h("span", { text: t("history.preview") }),
        ),
        !current &&
          h(
            "button",
            {
              type: "button",
              class: "btn btn-ghost btn-sm",
              disabled: model.busy,
              onclick: () => onRestore(version.number),
            },
            icon("restore", 16),
            h("span", { text: t("history.restore") }),
          ),
        h(
          "a",
          {
            class: "btn btn-ghost btn-sm",
            href: `/api/v1/projects/${encodeURIComponent(model.projectId)}/archive?version=${version.number}`,
            download: "",
          },
          icon("download", 16),
          h("span", { text: t("history.download") }),
        ),
      ),
    );
  }

  return { render };
}

/** The label on results of the offline model. */
export function offlineBadge() {
  return h(
    "span",
    { class: "badge badge-offline", title: t("offline.explain") },
    icon("cpu", 14),
    h("span", { text: t("offline.badge") }),
  );
}

/**
 * The site check's verdict on a version.
 * @param {string[]} checks
 */
export function checksNote(checks) {
  if (!checks.length) {
    return h("p", { class: "checks checks-ok" }, icon("check", 14), h("span", { text: t("checks.ok") }));
  }
  return h(
    "div",
    { class: "checks checks-problems", role: "note" },
    h(
      "p",
      { class: "checks-title" },
      icon("alert", 14),
      h("span", { text: t("checks.problems", { count: checks.length }) }),
    ),
    h(
      "ul",
      null,
      checks.map((problem) => h("li", { text: problem })),
    ),
  );
}
