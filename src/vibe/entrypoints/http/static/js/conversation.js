/**
 * The conversation of a project: each session's prompt and the model's prose, the files it wrote,
 * the version it made (or why it did not), and, for the one running, its progress as it happens.
 */

import { changeSummary } from "./diff-view.js";
import { byId, h } from "./dom.js";
import { duration, elapsed, number, timeAgo } from "./format.js";
import { statusText } from "./generation.js";
import { handEditMessage } from "./hand-edits.js";
import { checksNote, offlineBadge } from "./history.js";
import { icon } from "./icons.js";
import { t } from "./i18n.js";

/**
 * @typedef {import("./generation.js").Generation} Generation
 * @typedef {{id: string, prompt: string, status: string, created_at: string, started_at: string | null,
 *            finished_at: string | null, version: number | null, error: string | null, model: string,
 *            checks: string[], usage: {input_tokens: number, output_tokens: number,
 *            cache_read_input_tokens?: number, cache_creation_input_tokens?: number}}} Session
 * @typedef {{paragraphs: string[], files: string[], touched: {path: string, state: "done" | "edited"}[]}} Prose
 *   what a finished session said, the files of the version it made, and the files it wrote or edited
 * @typedef {{sessions: Session[], prose: Map<string, Prose>, live: Generation | null,
 *            model: string | null, onShowVersion: (version: number) => void,
 *            edits?: import("./hand-edits.js").Version[], current?: number,
 *            onUndo?: (version: number) => void, onRetry?: (prompt: string) => void}} ConversationModel
 */

export function createConversation() {
  const log = byId("conversation");
  /** @type {(() => void)[]} */
  let cleanups = [];

  function reset() {
    for (const cleanup of cleanups) cleanup();
    cleanups = [];
  }

  // Pinned to the latest message while the reader is at the bottom: content that appears later
  // (the change chips, read after the message is drawn) keeps the latest reply in view.
  let pinned = true;
  let ownScroll = -1; // where this code last put the scroll position: its own scroll events say nothing
  const toBottom = () => {
    // Instant: a smooth scroll would end short of content that grew meanwhile.
    log.scrollTo({ top: log.scrollHeight, behavior: "instant" });
    ownScroll = log.scrollTop;
  };
  log.addEventListener("scroll", () => {
    if (Math.abs(log.scrollTop - ownScroll) < 2) return;
    pinned = log.scrollTop + log.clientHeight >= log.scrollHeight - 24;
  });
  const grown = new ResizeObserver(() => {
    if (pinned) toBottom();
  });

  function stickToBottom() {
    pinned = true;
    toBottom();
  }

  return {
    /**
     * The empty state of a new project.
     * @param {boolean} offline whether results will come from the offline model (unknown: false)
     */
    welcome(offline) {
      reset();
      log.replaceChildren(
        h(
          "div",
          { class: "welcome" },
          h("img", {
            src: document.querySelector("link[rel=icon]")?.getAttribute("href") ?? "",
            alt: "",
            width: 48,
            height: 48,
          }),
          h("h2", { text: t("conversation.welcomeTitle") }),
          h("p", { class: "muted", text: t("conversation.welcomeBody") }),
          offline &&
            h("p", { class: "welcome-note" }, offlineBadge(), h("span", { text: t("offline.explain") })),
        ),
      );
    },

    /** @param {ConversationModel} model */
    render(model) {
      reset();
      /** @type {{when: number, nodes: HTMLElement[]}[]} */
      const entries = [];
      for (const session of model.sessions) {
        const items = [userMessage(session.prompt, session.created_at)];
        if (model.live && model.live.id === session.id)
          items.push(liveMessage(model.live, model, cleanups, stickToBottom));
        else items.push(finishedMessage(session, model.prose.get(session.id), model.onShowVersion, model.onRetry));
        entries.push({ when: Date.parse(session.created_at), nodes: items });
      }
      for (const version of model.edits ?? []) {
        const actions = { current: model.current ?? 0, onUndo: model.onUndo ?? (() => {}), onShowVersion: model.onShowVersion };
        entries.push({ when: Date.parse(version.created_at), nodes: [handEditMessage(version, actions)] });
      }
      entries.sort((a, b) => a.when - b.when);
      log.replaceChildren(...entries.flatMap((entry) => entry.nodes));
      grown.disconnect();
      for (const item of log.children) grown.observe(item);
      stickToBottom();
    },
  };
}

/**
 * @param {string} prompt
 * @param {string} when
 */
function userMessage(prompt, when) {
  const long = prompt.length > LONG_PROMPT;
  const bubble = h("div", { class: `bubble${long ? " is-collapsed" : ""}`, text: prompt });
  const toggle =
    long &&
    h("button", {
      type: "button",
      class: "btn btn-ghost btn-sm prompt-toggle",
      "aria-expanded": "false",
      text: t("conversation.showAll"),
      onclick: (/** @type {Event} */ event) => {
        const button = /** @type {HTMLElement} */ (event.currentTarget);
        const open = bubble.classList.toggle("is-collapsed") === false;
        button.setAttribute("aria-expanded", String(open));
        button.textContent = t(open ? "conversation.showLess" : "conversation.showAll");
      },
    });
  return h(
    "article",
    { class: "msg msg-user", "aria-label": t("conversation.you") },
    bubble,
    toggle,
    timeAgo(when, "msg-time"),
  );
}

/** Prompts longer than this many characters are shown collapsed. */
const LONG_PROMPT = 600;

/**
 * @param {string} model
 * @param {string | null} when
 */
function head(model, when) {
  return h(
    "div",
    { class: "msg-head" },
    h("span", { class: "msg-avatar", "aria-hidden": "true" }),
    h("strong", { text: "vibe" }),
    model === "offline" && offlineBadge(),
    when && timeAgo(when, "msg-time"),
  );
}

/**
 * @param {Session} session
 * @param {Prose | undefined} prose
 * @param {(version: number) => void} onShowVersion
 * @param {((prompt: string) => void) | undefined} onRetry
 */
function finishedMessage(session, prose, onShowVersion, onRetry) {
  const took =
    session.started_at && session.finished_at
      ? Date.parse(session.finished_at) - Date.parse(session.started_at)
      : null;
  const input =
    session.usage.input_tokens +
    (session.usage.cache_read_input_tokens ?? 0) +
    (session.usage.cache_creation_input_tokens ?? 0);
  const tokens = input + session.usage.output_tokens;
  return h(
    "article",
    {
      class: `msg msg-ai is-${session.status}`,
      "aria-label": t("conversation.reply"),
      dataset: { sessionId: session.id },
    },
    head(session.model, session.finished_at ?? session.created_at),
    prose ? paragraphs(prose.paragraphs) : h("p", { class: "muted", text: t("common.loading") }),
    prose && prose.touched.length > 0 && fileChips(prose.touched),
    session.status === "succeeded" &&
      session.version &&
      changeSummary(/** @type {any} */ (session).project_id, session.version),
    h(
      "div",
      { class: "msg-foot" },
      session.status === "succeeded" &&
        session.version !== null &&
        h(
          "button",
          {
            type: "button",
            class: "version-pill",
            onclick: () => onShowVersion(/** @type {number} */ (session.version)),
          },
          icon("eye", 14),
          h("span", { text: t("conversation.viewVersion", { version: session.version }) }),
        ),
      session.status === "cancelled" && h("span", { class: "badge", text: t("live.cancelled") }),
      (session.status === "cancelled" || session.status === "failed") &&
        onRetry &&
        h(
          "button",
          { type: "button", class: "btn btn-ghost btn-sm retry", onclick: () => onRetry(session.prompt) },
          icon("refresh", 14),
          h("span", { text: t("conversation.retry") }),
        ),
      tokens > 0 &&
        h("span", {
          class: "meta",
          title: t("live.tokensDetail", {
            input: number(input),
            cached: number(session.usage.cache_read_input_tokens ?? 0),
            output: number(session.usage.output_tokens),
          }),
          text: t("live.tokens", { count: tokens, n: number(tokens) }),
        }),
      took !== null && h("span", { class: "meta", text: duration(took) }),
    ),
    session.status === "failed" &&
      h("p", { class: "alert alert-error", role: "note", text: session.error ?? t("live.failed") }),
    session.status === "succeeded" && checksNote(session.checks),
  );
}

/**
 * A message that follows a running generation.
 * @param {Generation} generation
 * @param {ConversationModel} model
 * @param {(() => void)[]} cleanups
 * @param {() => void} stickToBottom
 */
function liveMessage(generation, model, cleanups, stickToBottom) {
  const status = h("span", { class: "live-status" });
  const tokens = h("span", { class: "meta" });
  const clock = h("span", { class: "meta" });
  const body = h("div", { class: "prose" });
  const files = h("div");
  const error = h("p", { class: "alert alert-error", role: "note", hidden: true });
  const message = h(
    "article",
    {
      class: "msg msg-ai is-live",
      "aria-label": t("conversation.reply"),
      "aria-busy": "true",
      dataset: { sessionId: generation.id },
    },
    head(model.model ?? "", null),
    body,
    files,
    h("div", { class: "msg-foot", role: "status" }, status, tokens, clock),
    error,
  );
  let textPending = false;

  const drawMeta = () => {
    status.textContent = statusText(generation, t);
    status.dataset.status =
      generation.connection === "reconnecting" && !generation.finished ? "reconnecting" : generation.status;
    tokens.textContent = t("live.tokens", { count: generation.tokens, n: number(generation.tokens) });
    tokens.title = t("live.tokensDetail", {
      input: number(generation.usage.input),
      cached: number(generation.usage.cached),
      output: number(generation.usage.output),
    });
    clock.textContent = elapsed((generation.finishedAt ?? Date.now()) - generation.startedAt);
    message.setAttribute("aria-busy", String(!generation.finished));
    if (generation.error && generation.error.code !== "cancelled") {
      error.hidden = false;
      error.textContent = generation.error.message;
    }
  };
  const drawText = () => {
    textPending = false;
    const near = message.parentElement
      ? message.parentElement.scrollTop + message.parentElement.clientHeight >=
        message.parentElement.scrollHeight - 80
      : true;
    body.replaceChildren(...paragraphs(generation.prose, !generation.finished).children);
    if (near) stickToBottom();
  };
  const drawFiles = () => {
    const chips = [...generation.files.entries()].map(([path, file]) => ({
      path,
      state: file.done && !file.loading ? (file.edited ? "edited" : "done") : "writing",
    }));
    files.replaceChildren(chips.length ? fileChips(chips) : "");
  };
  const unsubscribe = generation.subscribe((change, path) => {
    if (change === "text" && !textPending) {
      textPending = true;
      requestAnimationFrame(drawText);
    }
    if (change === "restart") {
      drawText();
      drawFiles();
    }
    if (change === "file" && path && (generation.files.get(path)?.done || generation.writing === path))
      drawFiles();
    if (change !== "text") drawMeta();
  });
  const ticker = setInterval(drawMeta, 1000);
  cleanups.push(unsubscribe, () => clearInterval(ticker));
  drawText();
  drawFiles();
  drawMeta();
  return message;
}

/**
 * Prose as paragraphs, with `inline code` and **bold** shown as such.
 * @param {string[]} texts one per model turn
 * @param {boolean} [typing] show a caret after the last word
 */
function paragraphs(texts, typing = false) {
  const box = h("div", { class: "prose" });
  const blocks = texts
    .flatMap((text) => text.split(/\n{2,}/))
    .map((block) => block.trim())
    .filter(Boolean);
  for (const block of blocks) box.append(h("p", null, inline(block)));
  if (typing) (box.lastElementChild ?? box).append(h("span", { class: "caret", "aria-hidden": "true" }));
  return box;
}

/** @param {string} text */
function inline(text) {
  return text.split(/(`[^`\n]+`|\*\*[^*\n]+\*\*)/).map((part) => {
    if (/^`[^`]+`$/.test(part)) return h("code", { text: part.slice(1, -1) });
    if (/^\*\*[^*]+\*\*$/.test(part)) return h("strong", { text: part.slice(2, -2) });
    return part;
  });
}

/** @param {{path: string, state: "writing" | "done" | "edited"}[]} files */
function fileChips(files) {
  return h(
    "ul",
    { class: "file-chips", "aria-label": t("code.files") },
    files.map(({ path, state }) =>
      h(
        "li",
        { class: `file-chip is-${state}` },
        icon(state === "edited" ? "pencil" : "file", 12),
        h("span", { text: path }),
        state === "writing" && h("span", { class: "visually-hidden", text: t("code.writing") }),
        state === "edited" && h("span", { class: "visually-hidden", text: t("code.edited") }),
      ),
    ),
  );
}
