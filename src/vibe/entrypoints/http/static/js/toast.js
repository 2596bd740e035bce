/** Short notices in a corner: successes fade away, errors stay until dismissed or replaced. */

import { h, byId } from "./dom.js";
import { icon } from "./icons.js";
import { t } from "./i18n.js";

/**
 * @param {string} message
 * @param {{kind?: "info" | "success" | "error", timeout?: number}} [options]
 */
export function toast(message, { kind = "info", timeout } = {}) {
  const box = byId("toasts");
  const close = () => {
    item.classList.add("is-leaving");
    setTimeout(() => item.remove(), 200);
  };
  const item = h(
    "div",
    { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status" },
    icon(kind === "error" ? "alert" : kind === "success" ? "check" : "sparkles"),
    h("p", { text: message }),
    h(
      "button",
      { type: "button", class: "icon-btn", "aria-label": t("common.dismiss"), onclick: close },
      icon("x", 16),
    ),
  );
  if (kind === "error") for (const old of box.querySelectorAll(".toast-error")) old.remove();
  box.append(item);
  const ttl = timeout ?? (kind === "error" ? 9000 : 3500);
  if (ttl > 0) setTimeout(close, ttl);
}

/**
 * Show an error from the API (its problem+json detail) or anything else thrown.
 * @param {unknown} error
 */
export function toastError(error) {
  toast(error instanceof Error && error.message ? error.message : t("errors.generic"), { kind: "error" });
}
