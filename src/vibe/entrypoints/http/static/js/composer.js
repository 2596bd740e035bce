/**
 * The prompt box: Enter sends, Shift+Enter starts a new line (and Enter while an input method is
 * composing does neither); suggestion chips fill it in; Stop cancels the running generation.
 */

import { byId, h } from "./dom.js";
import { icon } from "./icons.js";
import { onLanguageChange, t } from "./i18n.js";

/** Starter prompts, one per kind of site; the offline model reads them in English and Chinese. */
const STARTERS = ["landing", "dashboard", "login", "blog", "portfolio", "shop", "pricing", "docs"];
/** Follow-ups the offline model understands too. */
const FOLLOW_UPS = ["dark", "faq", "testimonials", "rename", "accent"];

/**
 * @param {{onSubmit: (prompt: string) => Promise<boolean>, onStop: () => void}} handlers
 *   `onSubmit` resolves true when the prompt was taken (the box is then cleared)
 */
export function createComposer({ onSubmit, onStop }) {
  const form = /** @type {HTMLFormElement} */ (byId("composer"));
  const box = /** @type {HTMLTextAreaElement} */ (byId("prompt"));
  const send = /** @type {HTMLButtonElement} */ (byId("send"));
  const stop = /** @type {HTMLButtonElement} */ (byId("stop"));
  const chips = byId("chips");
  let busy = false;
  let sending = false;
  /** @type {string | null} a prompt sent while a generation ran: it goes when that one ends */
  let queued = null;
  const queuedNote = h("p", { class: "composer-queued", id: "composer-queued", role: "status", hidden: true });
  form.prepend(queuedNote);

  function drawQueued() {
    queuedNote.hidden = queued === null;
    queuedNote.replaceChildren(
      ...(queued === null
        ? []
        : [
            icon("history", 14),
            h("span", { text: t("composer.queued") }),
            h("q", { class: "queued-prompt", text: queued.length > 80 ? `${queued.slice(0, 80)}…` : queued }),
            h("button", {
              type: "button",
              class: "icon-btn",
              "aria-label": t("common.cancel"),
              title: t("common.cancel"),
              text: "×",
              onclick: () => {
                box.value = queued ?? "";
                queued = null;
                fit();
                drawQueued();
                drawButtons();
              },
            }),
          ]),
    );
  }
  /** @type {"starters" | "follow-ups"} */
  let mode = "starters";

  function fit() {
    box.style.height = "auto";
    box.style.height = `${Math.min(box.scrollHeight, 240)}px`;
  }

  function drawChips() {
    const keys =
      mode === "starters" ? STARTERS.map((k) => `starters.${k}`) : FOLLOW_UPS.map((k) => `followUps.${k}`);
    chips.replaceChildren(
      ...keys.map((key) =>
        h(
          "button",
          {
            type: "button",
            class: "chip",
            dataset: { chip: key },
            onclick: () => {
              box.value = t(`${key}.prompt`);
              box.dispatchEvent(new Event("input")); // sizes the box and asks for a new estimate
              box.focus();
              box.setSelectionRange(box.value.length, box.value.length);
            },
          },
          mode === "starters" ? icon("sparkles", 14) : null,
          h("span", { text: t(`${key}.label`) }),
        ),
      ),
    );
  }

  function drawButtons() {
    stop.hidden = !busy;
    send.hidden = busy;
    send.disabled = sending || !box.value.trim();
  }

  async function submit() {
    const prompt = box.value.trim();
    if (prompt && (busy || sending)) {
      queued = prompt; // said, not swallowed: it is sent as soon as the running one ends
      box.value = "";
      fit();
      drawQueued();
      drawButtons();
      return;
    }
    if (!prompt || busy || sending) return;
    sending = true;
    // Taken now, so what is typed while it is being sent stays (and is queued on Enter); given back
    // when it was not taken.
    box.value = "";
    fit();
    drawButtons();
    try {
      if (!(await onSubmit(prompt)) && !box.value) {
        box.value = prompt;
        fit();
      }
    } finally {
      sending = false;
      drawButtons();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void submit();
  });
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      void submit();
    }
  });
  box.addEventListener("input", () => {
    fit();
    drawButtons();
  });
  stop.addEventListener("click", () => onStop());
  onLanguageChange(() => {
    drawChips();
    drawQueued();
  });
  drawChips();
  drawButtons();

  return {
    /** @param {boolean} running a generation of this project is running */
    setBusy(running) {
      const wasBusy = busy;
      busy = running;
      drawButtons();
      if (wasBusy && !running && document.activeElement === stop) box.focus();
      if (!wasBusy && running && document.activeElement === send) stop.focus();
      if (wasBusy && !running && queued !== null) {
        box.value = queued;
        queued = null;
        drawQueued();
        void submit();
      }
    },
    /** @param {string} prompt send this prompt again (Retry after Stop) */
    retry(prompt) {
      box.value = prompt;
      fit();
      void submit();
    },
    /** @param {"starters" | "follow-ups"} next */
    setMode(next) {
      if (mode === next) return;
      mode = next;
      drawChips();
    },
    focus() {
      box.focus();
    },
    clear() {
      queued = null;
      drawQueued();
      box.value = "";
      fit();
      drawButtons();
    },
  };
}
