/**
 * The administrators' page: every user with their spend this month and their budget, sortable by
 * each column (the server sorts, so paging stays right), and each budget editable in place: a number
 * of tokens, or empty to fall back to the default.
 */

import { createSitesAdmin } from "./admin-sites.js";
import { request } from "./api.js";
import { compact } from "./budget.js";
import { byId, h } from "./dom.js";
import { lang, onLanguageChange, t } from "./i18n.js";
import { toast, toastError } from "./toast.js";

/** @typedef {{user: {id: string, email: string, display_name: string}, spent: number,
 *   budget: number | null, remaining: number | null, own_budget: boolean}} Row */

export function createAdminView() {
  let sort = "spent";
  let order = "desc";
  /** @type {{period_start: string, default_budget: number | null, items: Row[]} | null} */
  let page = null;

  for (const header of document.querySelectorAll("#usage-table th[data-sort]")) {
    const key = /** @type {HTMLElement} */ (header).dataset.sort ?? "spent";
    header.querySelector("button")?.addEventListener("click", () => {
      order = sort === key && order === "desc" ? "asc" : "desc";
      sort = key;
      void load();
    });
  }

  async function load() {
    try {
      page = await request("GET", `/api/v1/usage?sort=${sort}&order=${order}&limit=100`);
    } catch (error) {
      toastError(error);
      return;
    }
    draw();
  }

  function draw() {
    for (const header of document.querySelectorAll("#usage-table th[data-sort]")) {
      const key = /** @type {HTMLElement} */ (header).dataset.sort;
      header.setAttribute("aria-sort", key === sort ? (order === "asc" ? "ascending" : "descending") : "none");
    }
    if (!page) return;
    const month = new Intl.DateTimeFormat(lang(), { month: "long", year: "numeric", timeZone: "UTC" });
    const fallback = page.default_budget === null ? t("budget.unlimitedShort") : compact(page.default_budget);
    byId("admin-period").textContent = t("budget.period", {
      month: month.format(new Date(page.period_start)),
      fallback,
    });
    byId("usage-rows").replaceChildren(...page.items.map(row));
  }

  /** @param {Row} item */
  function row(item) {
    const input = /** @type {HTMLInputElement} */ (
      h("input", {
        type: "number",
        min: "0",
        step: "1000",
        inputmode: "numeric",
        value: item.own_budget && item.budget !== null ? String(item.budget) : "",
        placeholder: t("budget.default"),
        "aria-label": t("budget.budgetOf", { email: item.user.email }),
      })
    );
    const save = async (/** @type {number | null} */ tokens) => {
      try {
        await request("PUT", `/api/v1/users/${encodeURIComponent(item.user.id)}/budget`, {
          body: { monthly_tokens: tokens },
        });
        toast(t("budget.saved", { email: item.user.email }), { kind: "success" });
        await load();
      } catch (error) {
        toastError(error);
      }
    };
    const form = h(
      "form",
      {
        class: "budget-form",
        onsubmit: (/** @type {Event} */ event) => {
          event.preventDefault();
          void save(input.value.trim() === "" ? null : Number(input.value));
        },
      },
      input,
      h("button", { type: "submit", class: "btn btn-primary btn-sm", text: t("budget.save") }),
      h("button", {
        type: "button",
        class: "btn btn-ghost btn-sm",
        text: t("budget.reset"),
        disabled: !item.own_budget,
        onclick: () => void save(null),
      }),
    );
    const over = item.remaining === 0;
    return h(
      "tr",
      { dataset: { user: item.user.email, level: over ? "over" : "" } },
      h("th", { scope: "row" }, h("span", { class: "who", text: item.user.email })),
      h("td", { class: "num", "data-label": t("budget.spent"), text: compact(item.spent) }),
      h("td", {
        class: "num",
        "data-label": t("budget.budget"),
        text: item.budget === null ? t("budget.unlimitedShort") : compact(item.budget),
        title: item.own_budget ? "" : t("budget.default"),
      }),
      h("td", {
        class: "num",
        "data-label": t("budget.left"),
        text: item.remaining === null ? "—" : compact(item.remaining),
      }),
      h("td", {}, form),
    );
  }

  const sites = createSitesAdmin();
  onLanguageChange(draw);
  return {
    show() {
      document.title = t("budget.adminTitle");
      void load();
      void sites.load();
    },
  };
}
