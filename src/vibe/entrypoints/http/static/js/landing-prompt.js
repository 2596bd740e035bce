/**
 * The prompt box on the landing page: a visitor types the first prompt there; signed in, it runs at
 * once in the workspace; signed out, it is kept across registration (or sign-in) and runs right after.
 */

import { byId } from "./dom.js";
import { navigate } from "./router.js";
import { currentUser } from "./session.js";

const PENDING = "vibe.firstPrompt";

/** @param {(prompt: string) => void} run start a generation of a new project in the workspace */
export function createLandingPrompt(run) {
  const form = /** @type {HTMLFormElement} */ (byId("hero-prompt"));
  const box = /** @type {HTMLTextAreaElement} */ (byId("hero-prompt-text"));
  const send = () => {
    const prompt = box.value.trim();
    if (!prompt) {
      box.focus();
      return;
    }
    box.value = "";
    if (currentUser()) {
      run(prompt);
      return;
    }
    sessionStorage.setItem(PENDING, prompt);
    navigate("/register");
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      send();
    }
  });
}

/**
 * The prompt typed on the landing page before signing in, if any (taken: it runs once).
 * @returns {string | null}
 */
export function takeFirstPrompt() {
  const prompt = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  return prompt;
}
