/**
 * Modal dialogs on the native `<dialog>` (focus kept inside, Escape closes, the page behind is inert).
 * One dialog element is reused; each call fills it and resolves when it closes.
 */

import { h, byId } from "./dom.js";
import { t } from "./i18n.js";

/**
 * @typedef {{label: string, value: string, kind?: "primary" | "danger" | "ghost"}} Action
 */

/**
 * Open the dialog with a title, content and buttons; resolves with the chosen button's value, or null
 * when dismissed.
 * @param {{title: string, content: (Node | string)[], actions: Action[], submitValue?: string,
 *          onSubmit?: () => boolean, initialFocus?: HTMLElement}} spec
 *   `onSubmit` may refuse a submission (return false), for instance to show a field error.
 * @returns {Promise<string | null>}
 */
export function openDialog({ title, content, actions, submitValue, onSubmit, initialFocus }) {
  const dialog = /** @type {HTMLDialogElement} */ (byId("dialog"));
  const opener = /** @type {HTMLElement | null} */ (document.activeElement);
  const buttons = actions.map((action) =>
    h("button", {
      type: action.value === submitValue ? "submit" : "button",
      class: `btn btn-${action.kind ?? "ghost"}`,
      value: action.value,
      text: action.label,
    }),
  );
  const form = h(
    "form",
    { class: "dialog-form", novalidate: true },
    h("h2", { id: "dialog-title", text: title }),
    h("div", { class: "dialog-body" }, content),
    h("div", { class: "dialog-actions" }, buttons),
  );
  dialog.replaceChildren(form);
  return new Promise((resolve) => {
    /** @param {string | null} value */
    const finish = (value) => {
      dialog.removeEventListener("close", onClose);
      if (dialog.open) dialog.close();
      opener?.focus?.();
      resolve(value);
    };
    const onClose = () => finish(null);
    dialog.addEventListener("close", onClose);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (submitValue && (!onSubmit || onSubmit())) finish(submitValue);
    });
    for (const button of buttons) {
      if (button.getAttribute("type") === "button") {
        button.addEventListener("click", () =>
          finish(button.getAttribute("value") === "cancel" ? null : button.getAttribute("value")),
        );
      }
    }
    dialog.showModal();
    (initialFocus ?? buttons.find((b) => b.getAttribute("value") === "cancel") ?? buttons[0])?.focus();
    if (initialFocus instanceof HTMLInputElement) initialFocus.select();
  });
}

/**
 * Ask to confirm something.
 * @param {{title: string, message: string, confirm: string, danger?: boolean}} spec
 * @returns {Promise<boolean>}
 */
export async function confirmDialog({ title, message, confirm, danger = false }) {
  const chosen = await openDialog({
    title,
    content: [h("p", { text: message })],
    actions: [
      { label: t("common.cancel"), value: "cancel" },
      { label: confirm, value: "ok", kind: danger ? "danger" : "primary" },
    ],
    submitValue: "ok",
  });
  return chosen === "ok";
}

/**
 * Ask for one line of text.
 * @param {{title: string, label: string, value?: string, confirm: string, maxLength?: number}} spec
 * @returns {Promise<string | null>}
 */
export async function promptDialog({ title, label, value = "", confirm, maxLength = 200 }) {
  const input = /** @type {HTMLInputElement} */ (
    h("input", {
      id: "dialog-input",
      value,
      maxlength: maxLength,
      required: true,
      autocomplete: "off",
      "aria-describedby": "dialog-input-error",
    })
  );
  const error = h("p", {
    class: "field-error",
    id: "dialog-input-error",
    hidden: true,
    text: t("errors.required"),
  });
  const chosen = await openDialog({
    title,
    content: [h("div", { class: "field" }, h("label", { for: "dialog-input", text: label }), input, error)],
    actions: [
      { label: t("common.cancel"), value: "cancel" },
      { label: confirm, value: "ok", kind: "primary" },
    ],
    submitValue: "ok",
    initialFocus: input,
    onSubmit: () => {
      const ok = input.value.trim().length > 0;
      error.hidden = ok;
      input.setAttribute("aria-invalid", String(!ok));
      return ok;
    },
  });
  return chosen === "ok" ? input.value.trim() : null;
}
