/**
 * The Share dialog: make a project public (anyone with the link sees its current version, still in
 * the preview sandbox) or private again, and copy its link.
 */

import { api } from "./api.js";
import { openDialog } from "./dialogs.js";
import { h } from "./dom.js";
import { icon } from "./icons.js";
import { t } from "./i18n.js";
import { toast, toastError } from "./toast.js";

/**
 * The public address of a project's site.
 * @param {string} projectId
 */
export function shareUrl(projectId) {
  return new URL(`/preview/${encodeURIComponent(projectId)}/`, location.origin).href;
}

/**
 * @param {{id: string, name: string, visibility: string}} project
 * @param {(project: any) => void} onChange called with the updated project
 */
export async function openShareDialog(project, onChange) {
  let visibility = project.visibility;
  const toggle = h(
    "button",
    {
      type: "button",
      role: "switch",
      class: "switch",
      id: "share-switch",
      "aria-labelledby": "share-switch-label",
      "aria-describedby": "share-switch-help",
    },
    h("span", { class: "switch-thumb" }),
  );
  const stateText = h("span", { class: "switch-state" });
  const link = /** @type {HTMLInputElement} */ (
    h("input", {
      id: "share-link",
      readonly: true,
      value: shareUrl(project.id),
      "aria-label": t("share.link"),
    })
  );
  const copy = h(
    "button",
    { type: "button", class: "btn btn-ghost", id: "share-copy" },
    icon("copy", 16),
    h("span", { text: t("share.copy") }),
  );
  const open = h(
    "a",
    { class: "btn btn-ghost", href: shareUrl(project.id), target: "_blank", rel: "noopener noreferrer" },
    icon("external", 16),
    h("span", { text: t("share.open") }),
  );
  const page = h(
    "a",
    { class: "btn btn-ghost", href: `/p/${encodeURIComponent(project.id)}`, id: "share-page", target: "_blank" },
    icon("copy", 16),
    h("span", { text: t("share.pageWithRemix") }),
  );
  const linkRow = h("div", { class: "share-link" }, link, copy, open, page);

  const draw = () => {
    const on = visibility === "public";
    toggle.setAttribute("aria-checked", String(on));
    stateText.textContent = on ? t("share.public") : t("share.private");
    linkRow.hidden = !on;
  };

  toggle.addEventListener("click", async () => {
    const next = visibility === "public" ? "private" : "public";
    toggle.setAttribute("aria-busy", "true");
    try {
      const updated = await api.patch(`/api/v1/projects/${encodeURIComponent(project.id)}`, {
        visibility: next,
      });
      visibility = updated.visibility;
      onChange(updated);
      draw();
    } catch (error) {
      toastError(error);
    } finally {
      toggle.removeAttribute("aria-busy");
    }
  });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(link.value);
      toast(t("share.copied"), { kind: "success" });
    } catch {
      link.focus();
      link.select();
      toast(t("share.copyManually"));
    }
  });
  draw();

  await openDialog({
    title: t("share.title", { name: project.name }),
    content: [
      h(
        "div",
        { class: "share-row" },
        h(
          "div",
          null,
          h(
            "p",
            { class: "share-label", id: "share-switch-label" },
            icon("globe", 16),
            h("span", { text: t("share.publicLink") }),
          ),
          h("p", { class: "muted", id: "share-switch-help", text: t("share.help") }),
        ),
        h("div", { class: "switch-wrap" }, stateText, toggle),
      ),
      linkRow,
    ],
    actions: [{ label: t("common.done"), value: "done", kind: "primary" }],
    submitValue: "done",
    initialFocus: toggle,
  });
}
