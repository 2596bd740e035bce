/** Numbers, sizes and times in the reader's language. */

import { lang, onLanguageChange, t } from "./i18n.js";

/** @param {number} value */
export function number(value) {
  return new Intl.NumberFormat(lang()).format(value);
}

/** @param {number} bytes */
export function size(bytes) {
  if (bytes < 1024) return t("format.bytes", { n: number(bytes) });
  return t("format.kilobytes", {
    n: new Intl.NumberFormat(lang(), { maximumFractionDigits: 1 }).format(bytes / 1024),
  });
}

/**
 * "3 minutes ago", "yesterday"...
 * @param {string | Date} when
 */
export function ago(when) {
  const seconds = (new Date(when).getTime() - Date.now()) / 1000;
  const format = new Intl.RelativeTimeFormat(lang(), { numeric: "auto" });
  const units = /** @type {const} */ ([
    ["year", 31536000],
    ["month", 2592000],
    ["week", 604800],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ]);
  for (const [unit, span] of units) {
    if (Math.abs(seconds) >= span) return format.format(Math.round(seconds / span), unit);
  }
  return Math.abs(seconds) < 10 ? t("format.justNow") : format.format(Math.round(seconds), "second");
}

/**
 * A full local date and time, for tooltips and `<time>` titles.
 * @param {string | Date} when
 */
export function dateTime(when) {
  return new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(when));
}

/**
 * m:ss (or h:mm:ss) for an elapsed time.
 * @param {number} ms
 */
export function elapsed(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * How long something took: "0.8 s", "12 s", "1 min 5 s" (in the reader's language).
 * @param {number} ms
 */
export function duration(ms) {
  const seconds = Math.max(0, ms) / 1000;
  const unit = (/** @type {string} */ name, /** @type {number} */ value, digits = 0) =>
    new Intl.NumberFormat(lang(), {
      style: "unit",
      unit: name,
      unitDisplay: "short",
      maximumFractionDigits: digits,
    }).format(value);
  if (seconds < 10) return unit("second", seconds, 1);
  if (seconds < 60) return unit("second", Math.round(seconds));
  return `${unit("minute", Math.floor(seconds / 60))} ${unit("second", Math.round(seconds % 60))}`;
}

/**
 * A `<time>` showing how long ago `when` was (kept current by `keepTimesFresh`), the full date on hover.
 * @param {string} when
 * @param {string} [className]
 */
export function timeAgo(when, className = "") {
  const element = document.createElement("time");
  if (className) element.className = className;
  element.dateTime = when;
  element.dataset.ago = "";
  element.title = dateTime(when);
  element.textContent = ago(when);
  return element;
}

/** Refresh every "… ago" on the page each minute (and at once when the language changes). */
export function keepTimesFresh() {
  const refresh = () => {
    for (const element of document.querySelectorAll("time[data-ago]")) {
      const when = element.getAttribute("datetime") ?? "";
      element.textContent = ago(when);
      element.setAttribute("title", dateTime(when));
    }
  };
  setInterval(refresh, 60_000);
  onLanguageChange(refresh);
}
