/**
 * The Assets tab: the images and fonts of the open project, as thumbnails with their size and pixel
 * size. Files are added by drag and drop, by pasting from the clipboard or by choosing them, each
 * uploaded with `PUT /api/v1/projects/{id}/files/{path}` (a new version) with its progress shown;
 * an asset can be deleted, or mentioned in the prompt ("insert into prompt") so the model uses it.
 */

import { ApiError } from "./api.js";
import { byId, h } from "./dom.js";
import { size as formatSize } from "./format.js";
import { icon } from "./icons.js";
import { onLanguageChange, t } from "./i18n.js";
import { projectPath } from "./project-actions.js";
import { toast, toastError } from "./toast.js";

/** Extension -> media type, as the server serves them (docs/api.md, "Files you bring"). */
export const ASSET_TYPES = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/x-icon",
  woff: "font/woff",
  woff2: "font/woff2",
};
const ACCEPT = Object.keys(ASSET_TYPES)
  .map((ext) => `.${ext}`)
  .join(",");

/** @param {string} path */
export function extensionOf(path) {
  const name = path.split("/").pop() ?? "";
  return name.includes(".") ? (name.split(".").pop() ?? "").toLowerCase() : "";
}

/** @param {string} path */
export function isAsset(path) {
  return extensionOf(path) in ASSET_TYPES;
}

/** A project path for an uploaded file: `images/<name>` or `fonts/<name>`, in safe characters. */
function pathFor(/** @type {string} */ name) {
  const ext = extensionOf(name);
  const stem = name.slice(0, name.length - ext.length - 1) || "file";
  const safe = stem
    .normalize("NFKD")
    .replace(/[^\w.-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80);
  const folder = ext === "woff" || ext === "woff2" ? "fonts" : "images";
  return `${folder}/${safe || "file"}.${ext}`;
}

/**
 * Upload one file with progress (fetch reports none for uploads).
 * @param {string} projectId @param {string} path @param {File} file
 * @param {(loaded: number, total: number) => void} onProgress
 * @returns {Promise<{number: number}>}
 */
function upload(projectId, path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", projectPath(projectId, `/files/${path.split("/").map(encodeURIComponent).join("/")}`));
    xhr.withCredentials = true;
    xhr.setRequestHeader("Content-Type", ASSET_TYPES[/** @type {keyof typeof ASSET_TYPES} */ (extensionOf(path))]);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener("load", () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText || "{}");
      } catch {
        /* not JSON: the status says enough */
      }
      if (xhr.status === 201) resolve(/** @type {{number: number}} */ (body));
      else reject(new ApiError(xhr.status, problemText(xhr.status, body)));
    });
    xhr.addEventListener("error", () => reject(new ApiError(0, { detail: t("errors.network") })));
    xhr.send(file);
  });
}

/** The server's own reason, prefixed with what kind of problem it is. */
function problemText(/** @type {number} */ status, /** @type {any} */ body) {
  const reason = typeof body?.detail === "string" ? body.detail : "";
  const kind =
    status === 413 ? t("assets.tooLarge") : status === 415 ? t("assets.notThatFormat") : status === 409 ? t("assets.stale") : "";
  return { detail: [kind, reason].filter(Boolean).join(" ") || t("errors.generic") };
}

/**
 * @param {{
 *   project: () => ({id: string, current_version: number} | null),
 *   ensureProject: () => Promise<string | null>,
 *   onChanged: (projectId: string) => Promise<void>,
 *   insert: (text: string) => void,
 * }} hooks `ensureProject` makes a project when none is open (files dropped on a new project)
 */
export function createAssets({ project, ensureProject, onChanged, insert }) {
  const panel = byId("panel-assets");
  const input = /** @type {HTMLInputElement} */ (
    h("input", { type: "file", multiple: true, accept: ACCEPT, hidden: true, id: "asset-input" })
  );
  const drop = h(
    "div",
    { class: "asset-drop", id: "asset-drop", tabindex: "0", role: "button" },
    icon("image", 24),
    h("strong", { class: "asset-drop-title" }),
    h("span", { class: "asset-drop-hint muted" }),
  );
  const uploads = h("ul", { class: "asset-uploads", id: "asset-uploads", role: "list", "aria-live": "polite" });
  const grid = h("ul", { class: "asset-grid", id: "asset-grid", role: "list" });
  const empty = h("p", { class: "muted asset-empty", id: "asset-empty" });
  panel.append(input, drop, uploads, grid, empty);
  /** @type {{path: string, size: number}[]} */
  let files = [];

  function drawStatic() {
    /** @type {HTMLElement} */ (drop.querySelector(".asset-drop-title")).textContent = t("assets.dropTitle");
    /** @type {HTMLElement} */ (drop.querySelector(".asset-drop-hint")).textContent = t("assets.dropHint");
    drop.setAttribute("aria-label", `${t("assets.dropTitle")} ${t("assets.dropHint")}`);
    empty.textContent = t("assets.empty");
  }

  /** @param {File[]} chosen */
  async function add(chosen) {
    const usable = [];
    for (const file of chosen) {
      if (isAsset(file.name)) usable.push(file);
      else toast(t("assets.unsupported", { name: file.name }), { kind: "error" });
    }
    if (!usable.length) return;
    const projectId = project()?.id ?? (await ensureProject());
    if (!projectId) return;
    let changed = false;
    for (const file of usable) {
      const path = pathFor(file.name);
      const bar = /** @type {HTMLProgressElement} */ (h("progress", { max: String(file.size || 1), value: "0" }));
      const row = h(
        "li",
        { class: "asset-upload" },
        h("span", { class: "asset-upload-name", text: path }),
        bar,
        h("span", { class: "muted", text: formatSize(file.size) }),
      );
      uploads.append(row);
      try {
        await upload(projectId, path, file, (loaded, total) => {
          bar.max = total;
          bar.value = loaded;
        });
        changed = true;
        row.remove();
      } catch (error) {
        row.remove();
        toast(`${path}: ${error instanceof Error ? error.message : t("errors.generic")}`, { kind: "error" });
      }
    }
    if (changed) {
      toast(t("assets.uploaded"), { kind: "success" });
      await onChanged(projectId);
    }
  }

  /** @param {string} path */
  async function remove(path) {
    const current = project();
    if (!current) return;
    try {
      const response = await fetch(
        projectPath(current.id, `/files/${path.split("/").map(encodeURIComponent).join("/")}?base=${current.current_version}`),
        { method: "DELETE", credentials: "same-origin", headers: { Accept: "application/json" } },
      );
      if (response.status === 409) await onChanged(current.id); // a stale view: show the project as it is now
      if (!response.ok) throw new ApiError(response.status, problemText(response.status, await response.json().catch(() => ({}))));
      toast(t("assets.deleted", { path }), { kind: "success" });
      await onChanged(current.id);
    } catch (error) {
      toastError(error);
    }
  }

  /** @param {{path: string, size: number}} file @param {string} projectId @param {number} version */
  function card(file, projectId, version) {
    const ext = extensionOf(file.path);
    const font = ext === "woff" || ext === "woff2";
    const dims = h("span", { class: "asset-dims muted" });
    const src = projectPath(projectId, `/files/${file.path.split("/").map(encodeURIComponent).join("/")}?version=${version}`);
    const thumb = font
      ? h("span", { class: "asset-thumb asset-font", "aria-hidden": "true", text: "Aa" })
      : h("img", {
          class: "asset-thumb",
          src,
          alt: "",
          onload: (/** @type {Event} */ event) => {
            const img = /** @type {HTMLImageElement} */ (event.target);
            dims.textContent = t("assets.pixels", { w: img.naturalWidth, h: img.naturalHeight });
          },
        });
    return h(
      "li",
      { class: "asset-card", dataset: { path: file.path } },
      thumb,
      h(
        "div",
        { class: "asset-meta" },
        h("span", { class: "asset-name", text: file.path, title: file.path }),
        h("span", { class: "muted", text: `${ext.toUpperCase()} · ${formatSize(file.size)}` }),
        dims,
      ),
      h(
        "div",
        { class: "asset-actions" },
        h(
          "button",
          {
            type: "button",
            class: "btn btn-sm asset-insert",
            onclick: () => insert(file.path),
            title: t("assets.insertHint"),
          },
          icon("message", 14),
          h("span", { text: t("assets.insert") }),
        ),
        h(
          "button",
          {
            type: "button",
            class: "icon-btn icon-btn-danger asset-delete",
            "aria-label": t("assets.delete", { path: file.path }),
            title: t("assets.delete", { path: file.path }),
            onclick: () => void remove(file.path),
          },
          icon("trash", 16),
        ),
      ),
    );
  }

  function draw() {
    const current = project();
    const assets = files.filter((f) => isAsset(f.path));
    grid.replaceChildren(...(current ? assets.map((f) => card(f, current.id, current.current_version)) : []));
    empty.hidden = assets.length > 0;
    const count = byId("assets-count");
    count.textContent = String(assets.length);
    count.hidden = assets.length === 0;
  }

  input.addEventListener("change", () => {
    void add([...(input.files ?? [])]);
    input.value = "";
  });
  drop.addEventListener("click", () => input.click());
  drop.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  for (const target of [panel]) {
    target.addEventListener("dragover", (event) => {
      if (!event.dataTransfer?.types.includes("Files")) return;
      event.preventDefault();
      drop.classList.add("is-over");
    });
    target.addEventListener("dragleave", (event) => {
      if (event.target === panel || event.target === drop) drop.classList.remove("is-over");
    });
    target.addEventListener("drop", (event) => {
      if (!event.dataTransfer?.files.length) return;
      event.preventDefault();
      drop.classList.remove("is-over");
      void add([...event.dataTransfer.files]);
    });
  }
  document.addEventListener("paste", (event) => {
    if (panel.hidden || !event.clipboardData?.files.length) return;
    if (event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLInputElement) return;
    event.preventDefault();
    const named = [...event.clipboardData.files].map((file) =>
      isAsset(file.name) && file.name !== "image.png"
        ? file
        : new File([file], `pasted-${Date.now()}.${file.type.split("/")[1] ?? "png"}`, { type: file.type }),
    );
    void add(named);
  });
  onLanguageChange(() => {
    drawStatic();
    draw();
  });
  drawStatic();

  return {
    /** @param {{path: string, size: number}[]} next the files of the project's current version */
    render(next) {
      files = next;
      draw();
    },
  };
}
