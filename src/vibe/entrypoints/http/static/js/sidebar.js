/**
 * The project sidebar: the user's projects, newest first, each a link; the current one marked; a dot
 * on those with a generation running. On narrow screens it is a drawer.
 */

import { byId, h } from "./dom.js";
import { timeAgo } from "./format.js";
import { icon } from "./icons.js";
import { t } from "./i18n.js";

/**
 * @typedef {{id: string, name: string, visibility: string, current_version: number,
 *            created_at: string, updated_at: string}} Project
 */

export function createSidebar() {
  const list = byId("project-list");
  const empty = byId("projects-empty");
  const sidebar = byId("sidebar");
  const toggle = byId("drawer-toggle");
  const scrim = byId("drawer-scrim");

  /** @param {boolean} open */
  function setOpen(open) {
    sidebar.classList.toggle("is-open", open);
    scrim.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (open) (sidebar.querySelector("[aria-current=page]") ?? sidebar.querySelector("a, button"))?.focus();
  }
  toggle.addEventListener("click", () => setOpen(!sidebar.classList.contains("is-open")));
  scrim.addEventListener("click", () => {
    setOpen(false);
    toggle.focus();
  });
  sidebar.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && sidebar.classList.contains("is-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
  // Choosing a project (or New) closes the drawer.
  sidebar.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a, #new-project")) setOpen(false);
  });

  return {
    /**
     * @param {Project[]} projects newest first
     * @param {string | null} currentId
     * @param {Set<string>} running ids of projects with a generation running
     */
    render(projects, currentId, running) {
      empty.hidden = projects.length > 0;
      list.replaceChildren(
        ...projects.map((project) =>
          h(
            "li",
            null,
            h(
              "a",
              {
                class: "project-link",
                href: `/app/p/${encodeURIComponent(project.id)}`,
                "data-route": true,
                "aria-current": project.id === currentId ? "page" : null,
                dataset: { projectId: project.id },
              },
              h(
                "span",
                { class: "project-name" },
                running.has(project.id) &&
                  h("span", {
                    class: "running-dot",
                    title: t("sidebar.running"),
                    role: "img",
                    "aria-label": t("sidebar.running"),
                  }),
                h("span", { class: "project-name-text", text: project.name }),
              ),
              h(
                "span",
                { class: "project-meta" },
                project.visibility === "public" &&
                  h(
                    "span",
                    { class: "meta-public", title: t("workspace.public") },
                    icon("globe", 12),
                    h("span", { class: "visually-hidden", text: t("workspace.public") }),
                  ),
                h("span", {
                  text: project.current_version
                    ? t("sidebar.versions", { count: project.current_version, n: project.current_version })
                    : t("sidebar.noVersion"),
                }),
                h("span", { "aria-hidden": "true", text: "·" }),
                timeAgo(project.updated_at),
              ),
            ),
          ),
        ),
      );
    },
    setOpen,
  };
}
