/**
 * "Compare versions" at the top of the History panel: any two versions of the open project, shown in
 * the diff dialog (`diff-view.js`).
 */

import { openDiff } from "./diff-view.js";
import { byId, h } from "./dom.js";
import { t } from "./i18n.js";

export function createCompare() {
  const panel = byId("panel-history");
  const from = /** @type {HTMLSelectElement} */ (h("select", { id: "compare-from" }));
  const to = /** @type {HTMLSelectElement} */ (h("select", { id: "compare-to" }));
  const fromLabel = h("span");
  const toLabel = h("span");
  const go = h("button", { type: "button", class: "btn btn-ghost btn-sm", id: "compare-go" });
  const bar = h(
    "div",
    { class: "compare-bar", role: "group", hidden: true },
    h("label", null, fromLabel, from),
    h("label", null, toLabel, to),
    go,
  );
  panel.prepend(bar);
  /** @type {string | null} */
  let projectId = null;
  go.addEventListener("click", () => {
    if (projectId) void openDiff(projectId, Number(from.value), Number(to.value));
  });

  /**
   * @param {string | null} id the open project
   * @param {number[]} numbers its versions, newest first
   */
  function render(id, numbers) {
    projectId = id;
    bar.hidden = !id || numbers.length < 2;
    bar.setAttribute("aria-label", t("compare.title"));
    fromLabel.textContent = t("compare.from");
    toLabel.textContent = t("compare.to");
    go.textContent = t("compare.go");
    const keepFrom = Number(from.value);
    const keepTo = Number(to.value);
    const options = (/** @type {number} */ chosen) =>
      numbers.map((n) =>
        h("option", { value: String(n), selected: n === chosen, text: t("history.version", { version: n }) }),
      );
    const newest = numbers[0] ?? 0;
    to.replaceChildren(...options(numbers.includes(keepTo) ? keepTo : newest));
    from.replaceChildren(...options(numbers.includes(keepFrom) ? keepFrom : (numbers[1] ?? newest)));
  }

  return { render };
}
