/**
 * The Publish dialog: put a version of the project at its own address (`<slug>.<sites domain>`), move
 * it to another version or slug, or take it down. The dialog stays open after each change and shows
 * the live address and the version it serves.
 */

import { api } from "./api.js";
import { openDialog } from "./dialogs.js";
import { byId, h } from "./dom.js";
import { icon } from "./icons.js";
import { t } from "./i18n.js";
import { toast, toastError } from "./toast.js";

/**
 * @typedef {{url: string, slug: string, version: number, published_at: string}} Site
 * @typedef {{enabled: boolean, domain: string | null}} Publishing
 */

const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/;

/** @type {Publishing | null} */
let publishing = null;

/** Whether this server publishes sites, and under which domain (asked once). */
export async function publishingInfo() {
  if (!publishing) {
    try {
      publishing = /** @type {Publishing} */ (await api.get("/api/v1/publishing"));
    } catch {
      return { enabled: false, domain: null };
    }
  }
  return publishing;
}

/**
 * The project's site, or null when it is not published (or publishing is off).
 * @param {string} projectId
 * @returns {Promise<Site | null>}
 */
export async function siteOf(projectId) {
  if (!(await publishingInfo()).enabled) return null;
  try {
    return await api.get(`/api/v1/projects/${encodeURIComponent(projectId)}/publish`);
  } catch {
    return null;
  }
}

/**
 * A slug suggested by a name ("Café Menu!" -> "cafe-menu"), as the server would read it.
 * @param {string} name
 */
export function suggestSlug(name) {
  const ascii = name.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
  return ascii.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50).replace(/-+$/, "");
}

/**
 * @param {{id: string, name: string, current_version: number}} project
 * @param {{number: number}[]} versions newest first
 * @param {Site | null} site
 * @param {(site: Site | null) => void} onChange
 */
export async function openPublishDialog(project, versions, site, onChange) {
  const info = await publishingInfo();
  const path = `/api/v1/projects/${encodeURIComponent(project.id)}/publish`;
  if (!info.enabled) {
    await openDialog({
      title: t("publish.title", { name: project.name }),
      content: [h("p", { class: "publish-off", text: t("publish.off") })],
      actions: [{ label: t("common.done"), value: "done", kind: "primary" }],
      submitValue: "done",
    });
    return;
  }
  const domain = info.domain ?? "";
  const slugInput = /** @type {HTMLInputElement} */ (
    h("input", {
      id: "publish-slug",
      value: site?.slug ?? suggestSlug(project.name),
      maxlength: 63,
      autocomplete: "off",
      spellcheck: "false",
      autocapitalize: "off",
      "aria-describedby": "publish-slug-help publish-slug-error",
    })
  );
  const slugError = h("p", { class: "field-error", id: "publish-slug-error", hidden: true });
  const versionSelect = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { id: "publish-version" },
      versions
        .filter((v) => v.number > 0)
        .map((v) =>
          h("option", {
            value: String(v.number),
            text:
              v.number === project.current_version
                ? t("stage.versionCurrent", { version: v.number })
                : t("history.version", { version: v.number }),
          }),
        ),
    )
  );
  const status = h("div", { class: "publish-status", id: "publish-status", "aria-live": "polite" });
  const unpublish = h(
    "button",
    { type: "button", class: "btn btn-danger btn-sm", id: "publish-unpublish" },
    h("span", { text: t("publish.unpublish") }),
  );

  const drawStatus = () => {
    if (!site) {
      status.replaceChildren(h("p", { class: "muted", text: t("publish.notYet") }));
      return;
    }
    const link = h(
      "a",
      { href: site.url, target: "_blank", rel: "noopener noreferrer", id: "publish-url", class: "publish-url" },
      icon("external", 14),
      h("span", { text: site.url }),
    );
    status.replaceChildren(
      h(
        "div",
        { class: "publish-live" },
        h("p", { class: "publish-live-label" }, h("span", { class: "live-dot" }), h("span", { text: t("publish.live") })),
        link,
        h("p", { class: "muted", id: "publish-serving", text: t("publish.serving", { version: site.version }) }),
      ),
      unpublish,
    );
  };
  const submitLabel = () => (site ? t("publish.republish") : t("publish.publish"));

  /** Client-side check first: the server says the same, later. */
  const checkSlug = () => {
    const value = slugInput.value.trim();
    const ok = SLUG.test(value);
    slugError.hidden = ok;
    slugError.textContent = ok ? "" : t("publish.slugRule");
    slugInput.setAttribute("aria-invalid", String(!ok));
    return ok;
  };
  slugInput.addEventListener("input", () => {
    const lowered = slugInput.value.toLowerCase().replace(/[^a-z0-9-]/g, "-");
    if (lowered !== slugInput.value) slugInput.value = lowered;
    if (!slugError.hidden) checkSlug();
  });

  let busy = false;
  const submit = async () => {
    if (busy || !checkSlug()) return;
    busy = true;
    const button = /** @type {HTMLButtonElement | null} */ (byId("dialog").querySelector("button[type=submit]"));
    button?.setAttribute("aria-busy", "true");
    try {
      site = await api.post(path, { slug: slugInput.value.trim(), version: Number(versionSelect.value) });
      toast(t("publish.done", { url: site?.url ?? "" }), { kind: "success" });
      onChange(site);
      drawStatus();
      if (button) button.textContent = submitLabel();
    } catch (error) {
      const code = /** @type {{status?: number}} */ (error).status;
      if (code === 409 || code === 422) {
        slugError.hidden = false;
        slugError.textContent = /** @type {Error} */ (error).message;
        slugInput.setAttribute("aria-invalid", "true");
        slugInput.focus();
      } else toastError(error);
    } finally {
      busy = false;
      button?.removeAttribute("aria-busy");
    }
  };
  unpublish.addEventListener("click", async () => {
    try {
      await api.delete(path);
      site = null;
      toast(t("publish.takenDown"), { kind: "success" });
      onChange(null);
      drawStatus();
      const button = byId("dialog").querySelector("button[type=submit]");
      if (button) button.textContent = submitLabel();
    } catch (error) {
      toastError(error);
    }
  });
  drawStatus();

  await openDialog({
    title: t("publish.title", { name: project.name }),
    content: [
      status,
      h(
        "div",
        { class: "field" },
        h("label", { for: "publish-slug", text: t("publish.address") }),
        h("div", { class: "slug-field" }, slugInput, h("span", { class: "slug-domain", text: `.${domain}` })),
        h("p", { class: "field-hint", id: "publish-slug-help", text: t("publish.slugHelp") }),
        slugError,
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "publish-version", text: t("publish.version") }),
        versionSelect,
      ),
    ],
    actions: [
      { label: t("common.done"), value: "cancel" },
      { label: submitLabel(), value: "publish", kind: "primary" },
    ],
    submitValue: "publish",
    initialFocus: slugInput,
    onSubmit: () => {
      void submit();
      return false; // stays open: it shows the live address next
    },
  });
}
