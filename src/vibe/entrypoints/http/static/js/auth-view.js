/**
 * The sign-in and registration form (one form, two modes). Problems come back as problem+json: a
 * field's own message is shown under that field, anything else above the form.
 */

import { ApiError } from "./api.js";
import { byId } from "./dom.js";
import { icon } from "./icons.js";
import { onLanguageChange, setText, t } from "./i18n.js";
import { register, signIn } from "./session.js";

const FIELDS = ["email", "password", "display_name"];

/** @param {{onSignedIn: () => void}} handlers */
export function createAuthView({ onSignedIn }) {
  const form = /** @type {HTMLFormElement} */ (byId("auth-form"));
  const email = /** @type {HTMLInputElement} */ (byId("auth-email"));
  const password = /** @type {HTMLInputElement} */ (byId("auth-password"));
  const displayName = /** @type {HTMLInputElement} */ (byId("auth-display-name"));
  const submit = /** @type {HTMLButtonElement} */ (byId("auth-submit"));
  const alert = byId("auth-error");
  const reveal = byId("toggle-password");
  /** @type {"signin" | "register"} */
  let mode = "signin";

  function draw() {
    const registering = mode === "register";
    setText(byId("auth-title"), registering ? "auth.registerTitle" : "auth.signInTitle");
    setText(byId("auth-subtitle"), registering ? "auth.registerSubtitle" : "auth.signInSubtitle");
    setText(submit, registering ? "auth.register" : "auth.signIn");
    setText(byId("auth-switch-text"), registering ? "auth.haveAccount" : "auth.noAccount");
    const link = byId("auth-switch-link");
    setText(link, registering ? "auth.signInInstead" : "auth.createAccount");
    link.setAttribute("href", registering ? "/signin" : "/register");
    byId("field-display-name").hidden = !registering;
    byId("password-hint").hidden = !registering;
    password.autocomplete = registering ? "new-password" : "current-password";
    document.title = `${t(registering ? "auth.register" : "auth.signIn")} · vibe`;
  }

  function clearErrors() {
    alert.hidden = true;
    alert.textContent = "";
    for (const field of FIELDS) {
      const message = byId(`err-${field}`);
      message.hidden = true;
      message.textContent = "";
      document.querySelector(`#auth-form [name="${field}"]`)?.removeAttribute("aria-invalid");
    }
  }

  /** @param {unknown} error */
  function showError(error) {
    let placed = false;
    if (error instanceof ApiError) {
      for (const problem of error.errors) {
        const field = problem.field ?? "";
        if (!FIELDS.includes(field)) continue;
        const message = byId(`err-${field}`);
        message.textContent = problem.message ?? error.message;
        message.hidden = false;
        document.querySelector(`#auth-form [name="${field}"]`)?.setAttribute("aria-invalid", "true");
        placed = true;
      }
    }
    if (!placed) {
      alert.textContent = error instanceof Error ? error.message : t("errors.generic");
      alert.hidden = false;
    }
    (form.querySelector("[aria-invalid=true]") ?? email).focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    if (!email.value.trim() || !password.value) {
      alert.textContent = t("auth.fillIn");
      alert.hidden = false;
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    try {
      if (mode === "register") await register(email.value.trim(), password.value, displayName.value);
      else await signIn(email.value.trim(), password.value);
      password.value = "";
      onSignedIn();
    } catch (error) {
      showError(error);
    } finally {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    }
  });

  reveal.addEventListener("click", () => {
    const showing = password.type === "text";
    password.type = showing ? "password" : "text";
    reveal.setAttribute("aria-pressed", String(!showing));
    const slot = reveal.querySelector("[data-icon]");
    if (slot) {
      slot.querySelector("svg")?.replaceWith(icon(showing ? "eye" : "eye-off"));
    }
  });

  onLanguageChange(() => {
    draw();
    clearErrors();
  });

  return {
    /** @param {"signin" | "register"} next */
    show(next) {
      if (mode !== next) clearErrors();
      mode = next;
      draw();
      (mode === "register" ? displayName : email).focus();
    },
  };
}
