/**
 * The administrators' list of published sites (on the admin page): every site with its owner, the
 * version it serves and since when, and a button to take it down at once (abuse happens).
 */

import { request } from "./api.js";
import { confirmDialog } from "./dialogs.js";
import { byId, h } from "./dom.js";
import { timeAgo } from "./format.js";
import { icon } from "./icons.js";
import { onLanguageChange, t } from "./i18n.js";
import { toast, toastError } from "./toast.js";

/** @typedef {{project_id: string, owner_id: string, owner_email: string | null, url: string,
 *   slug: string, version: number, published_at: string}} AdminSite */

export function createSitesAdmin() {
  /** @type {AdminSite[]} */
  let items = [];

  async function load() {
    try {
      items = (await request("GET", "/api/v1/admin/sites?limit=100")).items;
    } catch (error) {
      toastError(error);
      return;
    }
    draw();
  }

  function draw() {
    byId("sites-empty").hidden = items.length > 0;
    byId("sites-table").hidden = items.length === 0;
    byId("sites-rows").replaceChildren(...items.map(row));
  }

  /** @param {AdminSite} site */
  async function takeDown(site) {
    const sure = await confirmDialog({
      title: t("sites.confirmTitle", { slug: site.slug }),
      message: t("sites.confirmMessage"),
      confirm: t("sites.takeDown"),
      danger: true,
    });
    if (!sure) return;
    try {
      await request("DELETE", `/api/v1/admin/sites/${encodeURIComponent(site.project_id)}`);
      toast(t("sites.takenDown", { slug: site.slug }), { kind: "success" });
    } catch (error) {
      toastError(error);
    }
    await load();
  }

  /** @param {AdminSite} site */
  function row(site) {
    return h(
      "tr",
      { dataset: { site: site.slug } },
      h(
        "th",
        { scope: "row" },
        h("a", { class: "who", href: site.url, target: "_blank", rel: "noopener noreferrer", text: site.url }),
      ),
      h("td", { "data-label": t("sites.owner"), text: site.owner_email ?? site.owner_id }),
      h("td", { class: "num", "data-label": t("sites.version"), text: String(site.version) }),
      h("td", { "data-label": t("sites.publishedAt") }, timeAgo(site.published_at, "")),
      h(
        "td",
        {},
        h(
          "button",
          { type: "button", class: "btn btn-danger btn-sm", onclick: () => void takeDown(site) },
          icon("x", 14),
          h("span", { text: t("sites.takeDown") }),
        ),
      ),
    );
  }

  onLanguageChange(draw);
  return { load };
}
