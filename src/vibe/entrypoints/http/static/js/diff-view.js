/**
 * What changed between two versions (`GET /api/v1/projects/{id}/diff`): the +N/−M of each file under a
 * reply, and a diff dialog with syntax colours, long unchanged runs collapsed (click to show them),
 * binary assets shown as changed with their sizes, and "restore this file" from the older version.
 */

import { api } from "./api.js";
import { openDialog } from "./dialogs.js";
import { h } from "./dom.js";
import { size } from "./format.js";
import { encodePath } from "./generation.js";
import { languageOf, tokenize } from "./highlight.js";
import { icon } from "./icons.js";
import { t } from "./i18n.js";
import { toast, toastError } from "./toast.js";

/**
 * @typedef {{path: string, status: "added" | "removed" | "modified", additions: number, deletions: number,
 *            patch: string | null, old_size: number | null, size: number | null}} FileChange
 * @typedef {{from: number, to: number, files: FileChange[]}} Diff
 * @typedef {{kind: "hunk", oldStart: number, newStart: number}
 *         | {kind: "line", op: " " | "+" | "-", text: string, old: number | null, new: number | null}} Row
 */

/** @type {Map<string, Promise<Diff>>} diffs of immutable versions, by project, from and to */
const cache = new Map();

/**
 * @param {string} projectId
 * @param {number} from
 * @param {number} to
 * @returns {Promise<Diff>}
 */
export function fetchDiff(projectId, from, to) {
  const key = `${projectId}:${from}:${to}`;
  let found = cache.get(key);
  if (!found) {
    found = api.get(`/api/v1/projects/${encodeURIComponent(projectId)}/diff?from=${from}&to=${to}`);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

/**
 * The change a reply made (version `to` against the one before), as one chip per file with +N/−M;
 * a chip opens the diff at that file.
 * @param {string} projectId
 * @param {number} to
 */
export function changeSummary(projectId, to) {
  const box = h("ul", { class: "change-summary", "aria-label": t("diff.changes") });
  fetchDiff(projectId, to - 1, to).then(
    (diff) => {
      box.replaceChildren(
        ...diff.files.map((file) =>
          h(
            "li",
            null,
            h(
              "button",
              {
                type: "button",
                class: `change-chip is-${file.status}`,
                title: t(`diff.${file.status}`),
                onclick: () => void openDiff(projectId, to - 1, to, file.path),
              },
              h("span", { class: "change-path", text: file.path }),
              counts(file),
            ),
          ),
        ),
      );
    },
    () => box.replaceChildren(),
  );
  return box;
}

/** @param {FileChange} file */
function counts(file) {
  if (file.patch === null) {
    return h("span", { class: "change-size", text: sizes(file) });
  }
  return h(
    "span",
    { class: "change-counts" },
    h("span", { class: "add", text: `+${file.additions}` }),
    h("span", { class: "del", text: `−${file.deletions}` }),
  );
}

/** @param {FileChange} file */
function sizes(file) {
  if (file.old_size === null) return size(file.size ?? 0);
  if (file.size === null) return size(file.old_size);
  return `${size(file.old_size)} → ${size(file.size)}`;
}

/**
 * Open the diff of two versions in a dialog, scrolled to `focus` when given.
 * @param {string} projectId
 * @param {number} from
 * @param {number} to
 * @param {string} [focus]
 */
export async function openDiff(projectId, from, to, focus) {
  let diff;
  try {
    diff = await fetchDiff(projectId, from, to);
  } catch (error) {
    toastError(error);
    return;
  }
  const body = h(
    "div",
    { class: "diff-view", id: "diff-view" },
    diff.files.length === 0 && h("p", { class: "muted", text: t("diff.same") }),
    diff.files.map((file) => fileBlock(projectId, diff, file)),
  );
  const opened = openDialog({
    title:
      from === 0
        ? t("diff.titleFirst", { to })
        : t("diff.title", { from, to }),
    content: [body],
    actions: [{ label: t("common.close"), value: "cancel" }],
  });
  const target = focus ? body.querySelector(`[data-path="${CSS.escape(focus)}"]`) : null;
  if (target) body.scrollTop += target.getBoundingClientRect().top - body.getBoundingClientRect().top;
  await opened;
}

/**
 * @param {string} projectId
 * @param {Diff} diff
 * @param {FileChange} file
 */
function fileBlock(projectId, diff, file) {
  const restore =
    diff.from > 0 &&
    h(
      "button",
      {
        type: "button",
        class: "btn btn-ghost btn-sm restore-file",
        title: t("diff.restoreHelp", { version: diff.from }),
        onclick: (/** @type {Event} */ event) => void restoreFile(projectId, diff.from, file.path, event),
      },
      icon("restore", 14),
      h("span", { text: t("diff.restoreFile") }),
    );
  return h(
    "section",
    { class: `diff-file is-${file.status}`, dataset: { path: file.path } },
    h(
      "header",
      { class: "diff-file-head" },
      h("span", { class: `badge diff-status is-${file.status}`, text: t(`diff.${file.status}`) }),
      h("strong", { class: "diff-path", text: file.path }),
      counts(file),
      h("span", { class: "toolbar-spacer" }),
      restore,
    ),
    file.patch === null
      ? h("p", { class: "diff-binary muted", text: t("diff.binary", { sizes: sizes(file) }) })
      : table(projectId, diff, file),
  );
}

/**
 * @param {string} projectId
 * @param {number} version
 * @param {string} path
 * @param {Event} event
 */
async function restoreFile(projectId, version, path, event) {
  const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
  button.disabled = true;
  try {
    const made = await api.post(
      `/api/v1/projects/${encodeURIComponent(projectId)}/versions/${version}/restore`,
      { paths: [path] },
    );
    toast(t("diff.restored", { path, version, made: made.number }), { kind: "success" });
  } catch (error) {
    button.disabled = false;
    toastError(error);
  }
}

/**
 * The rows of a unified patch, with line numbers.
 * @param {string} patch
 * @returns {Row[]}
 */
export function parsePatch(patch) {
  /** @type {Row[]} */
  const rows = [];
  let oldLine = 0;
  let newLine = 0;
  const lines = patch.split("\n");
  if (lines.at(-1) === "") lines.pop();
  for (const line of lines) {
    const hunk = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      oldLine = Number(hunk[1]) - (hunk[2] === "0" ? 0 : 1);
      newLine = Number(hunk[3]) - (hunk[4] === "0" ? 0 : 1);
      rows.push({ kind: "hunk", oldStart: oldLine, newStart: newLine });
      continue;
    }
    if (line.startsWith("--- ") || line.startsWith("+++ ") || line.startsWith("\\")) continue;
    const op = /** @type {" " | "+" | "-"} */ (line[0]);
    if (op !== " " && op !== "+" && op !== "-") continue;
    rows.push({
      kind: "line",
      op,
      text: line.slice(1),
      old: op === "+" ? null : ++oldLine,
      new: op === "-" ? null : ++newLine,
    });
  }
  return rows;
}

/**
 * A file's diff as a table; the unchanged lines between hunks show as one "N unchanged lines" row that
 * loads and shows them when clicked.
 * @param {string} projectId
 * @param {Diff} diff
 * @param {FileChange} file
 */
function table(projectId, diff, file) {
  const language = languageOf(file.path);
  const body = h("tbody");
  const rows = parsePatch(file.patch ?? "");
  let lastNew = 0;
  for (const row of rows) {
    if (row.kind === "hunk") {
      const hidden = row.newStart - lastNew;
      if (hidden > 0) body.append(gap(projectId, diff.to, file.path, lastNew, hidden, row.oldStart - hidden, language));
      continue;
    }
    body.append(line(row.op, row.old, row.new, row.text, language));
    if (row.new !== null) lastNew = row.new;
  }
  return h("div", { class: "diff-scroll" }, h("table", { class: "diff-table code" }, body));
}

/**
 * @param {" " | "+" | "-"} op
 * @param {number | null} oldNo
 * @param {number | null} newNo
 * @param {string} text
 * @param {string} language
 */
function line(op, oldNo, newNo, text, language) {
  const kind = op === "+" ? "add" : op === "-" ? "del" : "ctx";
  return h(
    "tr",
    { class: `diff-line is-${kind}` },
    h("td", { class: "ln", text: oldNo === null ? "" : String(oldNo) }),
    h("td", { class: "ln", text: newNo === null ? "" : String(newNo) }),
    h("td", { class: "op", text: op === " " ? "" : op === "-" ? "−" : "+" }),
    h(
      "td",
      { class: "src" },
      tokenize(text, language).map(([cls, piece]) => (cls ? h("span", { class: `tok-${cls}`, text: piece }) : piece)),
    ),
  );
}

/**
 * A collapsed run of `count` unchanged lines after new line `after` (old numbering from `oldAfter`).
 * @param {string} projectId
 * @param {number} version
 * @param {string} path
 * @param {number} after
 * @param {number} count
 * @param {number} oldAfter
 * @param {string} language
 */
function gap(projectId, version, path, after, count, oldAfter, language) {
  const row = h(
    "tr",
    { class: "diff-gap" },
    h(
      "td",
      { colspan: "4" },
      h("button", {
        type: "button",
        class: "diff-expand",
        text: t("diff.unchanged", { count, n: count }),
        onclick: async () => {
          try {
            const text = await api.text(
              `/api/v1/projects/${encodeURIComponent(projectId)}/files/${encodePath(path)}?version=${version}`,
            );
            const lines = text.split("\n").slice(after, after + count);
            row.replaceWith(
              ...lines.map((content, index) => line(" ", oldAfter + index + 1, after + index + 1, content, language)),
            );
          } catch (error) {
            toastError(error);
          }
        },
      }),
    ),
  );
  return row;
}
