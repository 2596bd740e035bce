/**
 * The UI's icons: 24×24 outline paths drawn as inline SVG (self-hosted, no icon font, CSP-safe).
 * Markup asks for one with `<span data-icon="name"></span>`; scripts call `icon(name)`.
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/** @type {Record<string, string>} */
const PATHS = {
  alert: "M12 3 2 20h20L12 3z M12 10v4 M12 17h.01",
  check: "M20 6 9 17l-5-5",
  code: "m16 18 6-6-6-6 M8 6l-6 6 6 6",
  copy: "M9 9h11v11H9z M5 15H4V4h11v1",
  cpu: "M9 9h6v6H9z M5 5h14v14H5z M9 2v3 M15 2v3 M9 19v3 M15 19v3 M2 9h3 M2 15h3 M19 9h3 M19 15h3",
  download: "M12 3v12 M7 10l5 5 5-5 M5 21h14",
  external: "M14 4h6v6 M20 4l-9 9 M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5",
  eye: "M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12z M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
  "eye-off":
    "m3 3 18 18 M10.6 5.1A9.8 9.8 0 0 1 12 5c6.5 0 10 7 10 7a17 17 0 0 1-2.6 3.5 " +
    "M6.6 6.6C3.8 8.4 2 12 2 12s3.5 7 10 7a9.6 9.6 0 0 0 5.4-1.6 M9.9 9.9a3 3 0 0 0 4.2 4.2",
  file: "M14 3H6a1 1 0 0 0-1 1v16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8l-5-5z M14 3v5h5",
  globe:
    "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z M2 12h20 " +
    "M12 2a15 15 0 0 1 4 10 15 15 0 0 1-4 10 15 15 0 0 1-4-10 15 15 0 0 1 4-10z",
  history: "M3 12a9 9 0 1 0 3-6.7L3 8 M3 3v5h5 M12 7v5l3 3",
  languages: "M4 5h8 M8 3v2 M10 5c-1 4-3.5 7-6 8 M6 9c1 2 3 3.5 5 4 m2 8 4-9 4 9 M14.5 18h5",
  image: "M4 5h16v14H4z M4 16l5-5 4 4 3-3 4 4 M15.5 9.5h.01",
  layers: "M12 2l10 5-10 5L2 7l10-5z M2 17l10 5 10-5 M2 12l10 5 10-5",
  lock: "M6 11h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1z M8 11V7a4 4 0 0 1 8 0v4",
  logout: "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4 M16 17l5-5-5-5 M21 12H9",
  menu: "M4 6h16 M4 12h16 M4 18h16",
  message: "M21 12a8 8 0 0 1-11.7 7.1L4 20l1-4.6A8 8 0 1 1 21 12z",
  monitor: "M4 4h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z M8 20h8 M12 16v4",
  pencil: "M17 3l4 4L8 20H4v-4L17 3z",
  phone: "M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z M11 18h2",
  plus: "M12 5v14 M5 12h14",
  pointer: "M4 4l7 17 2.5-7.5L21 11 4 4z M14 14l6 6",
  refresh: "M21 12a9 9 0 1 1-3-6.7L21 8 M21 3v5h-5",
  restore: "M9 14 4 9l5-5 M4 9h11a5 5 0 0 1 0 10h-3",
  send: "M12 19V5 M5 12l7-7 7 7",
  share:
    "M18 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M6 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z " +
    "M18 22a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M8.6 13.5l6.8 4 M15.4 6.5l-6.8 4",
  shield: "M12 2l8 3v6c0 5-3.5 9-8 11-4.5-2-8-6-8-11V5l8-3z",
  sparkles:
    "M12 3l1.9 5.1L19 10l-5.1 1.9L12 17l-1.9-5.1L5 10l5.1-1.9z " +
    "M19 15l.8 2.2L22 18l-2.2.8L19 21l-.8-2.2L16 18l2.2-.8z",
  stop: "M8 6h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z",
  trash: "M3 6h18 M8 6V4h8v2 M6 6l1 14a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-14 M10 11v6 M14 11v6",
  user: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M4 21a8 8 0 0 1 16 0",
  x: "M18 6 6 18 M6 6l12 12",
  zap: "M13 2 4 14h7l-1 8 9-12h-7l1-8z",
};

/**
 * An icon as an `<svg>` element, hidden from assistive technology (the control it sits in has the label).
 * @param {string} name a key of PATHS
 * @param {number} [size]
 * @returns {SVGSVGElement}
 */
export function icon(name, size = 18) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.classList.add("icon");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", PATHS[name] ?? PATHS.file);
  svg.append(path);
  return svg;
}

/**
 * Fill every `[data-icon]` placeholder under `root` that has no icon yet.
 * @param {ParentNode} [root]
 */
export function decorateIcons(root = document) {
  for (const slot of root.querySelectorAll("[data-icon]")) {
    const name = slot.getAttribute("data-icon") ?? "file";
    const existing = slot.querySelector("svg");
    if (existing && slot.getAttribute("data-icon-drawn") === name) continue;
    existing?.remove();
    slot.prepend(
      icon(name, slot.classList.contains("feature-icon") || slot.classList.contains("empty-art") ? 24 : 18),
    );
    slot.setAttribute("data-icon-drawn", name);
  }
}
