/**
 * What the signed-in user spends: the meter in the account menu (tokens this month against the
 * budget), and before each run the composer's line "≈ 12K tokens in · 880K left this month", with
 * the estimate of what the prompt's first model call would send, asked for as the user types
 * (debounced, and only the latest answer shown).
 */

import { request } from "./api.js";
import { byId } from "./dom.js";
import { lang, onLanguageChange, t } from "./i18n.js";
import { currentUser } from "./session.js";

const ESTIMATE_DELAY_MS = 450;

/** @typedef {{period_start: string, spent: number, budget: number | null, remaining: number | null,
 *   resets_at: string, own_budget: boolean}} Usage */

/** @type {Usage | null} */
let usage = null;
/** @type {{input_tokens: number, counted_by: string} | null} */
let estimate = null;

/** @param {number} value */
export function compact(value) {
  return new Intl.NumberFormat(lang(), { notation: "compact", maximumFractionDigits: 1 }).format(value);
}

/** @param {string} when */
function day(when) {
  return new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(when));
}

/** Fetch the user's month again (after sign-in, and after each run) and redraw. */
export async function refreshUsage() {
  const user = currentUser();
  if (!user) {
    usage = null;
    draw();
    return;
  }
  try {
    usage = await request("GET", `/api/v1/users/${encodeURIComponent(user.id)}/usage`);
  } catch {
    usage = null;
  }
  draw();
}

function share() {
  if (!usage || usage.budget === null) return 0;
  return usage.budget === 0 ? 100 : Math.min(100, Math.round((usage.spent / usage.budget) * 100));
}

function draw() {
  const percent = share();
  const level = percent >= 100 ? "over" : percent >= 80 ? "high" : "ok";
  for (const id of ["meter-fill", "meter-mini-fill"]) {
    const fill = byId(id);
    fill.style.width = `${usage && usage.budget !== null ? percent : 0}%`;
    fill.dataset.level = level;
  }
  byId("meter-bar").setAttribute("aria-valuenow", String(percent));
  byId("meter-bar").setAttribute("aria-valuetext", meterText());
  byId("meter-label").textContent = meterText();
  byId("meter-note").textContent = usage
    ? t(usage.budget === null ? "budget.unlimited" : "budget.renews", { date: day(usage.resets_at) })
    : "";
  byId("account-email").textContent = currentUser()?.email ?? "";
  byId("admin-link").hidden = currentUser()?.role !== "admin";
  drawComposer();
}

function meterText() {
  if (!usage) return "";
  if (usage.budget === null) return t("budget.spentOnly", { spent: compact(usage.spent) });
  return t("budget.spentOf", { spent: compact(usage.spent), budget: compact(usage.budget) });
}

function drawComposer() {
  const line = byId("composer-meter");
  const parts = [];
  if (estimate) {
    const key = estimate.counted_by === "provider" ? "budget.estimateExact" : "budget.estimate";
    parts.push(t(key, { tokens: compact(estimate.input_tokens) }));
  }
  if (usage && usage.remaining !== null) parts.push(t("budget.left.line", { tokens: compact(usage.remaining) }));
  line.textContent = parts.join(" · ");
  line.dataset.level = usage && usage.remaining === 0 ? "over" : "";
  line.title = usage && usage.remaining === 0 ? t("budget.usedUp", { date: day(usage.resets_at) }) : "";
}

/** The account menu: opens on click, closes on Escape or a click elsewhere. */
export function createAccountMenu() {
  const button = byId("account-button");
  const menu = byId("account-menu");
  const setOpen = (/** @type {boolean} */ open) => {
    menu.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) void refreshUsage();
  };
  button.addEventListener("click", () => setOpen(menu.hidden));
  document.addEventListener("click", (event) => {
    if (!menu.hidden && event.target instanceof Node && !menu.contains(event.target) && !button.contains(event.target))
      setOpen(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !menu.hidden) {
      setOpen(false);
      button.focus();
    }
  });
  menu.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a")) setOpen(false);
  });
  onLanguageChange(draw);
}

/**
 * Estimate the prompt in `box` as it changes, for the project `projectId()` returns.
 * @param {HTMLTextAreaElement} box
 * @param {() => string | null} projectId
 */
export function watchEstimate(box, projectId) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let asked = 0;
  const ask = async () => {
    const prompt = box.value.trim();
    const mine = ++asked;
    if (!prompt || !currentUser()) {
      estimate = null;
      drawComposer();
      return;
    }
    const project = projectId();
    try {
      const answer = await request("POST", "/api/generate/estimate", {
        body: project ? { prompt, project_id: project } : { prompt },
      });
      if (mine === asked) estimate = answer;
    } catch {
      if (mine === asked) estimate = null;
    }
    if (mine === asked) drawComposer();
  };
  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => void ask(), ESTIMATE_DELAY_MS);
  });
  return {
    /** Ask again now (the project changed, or the box was filled in by the app). */
    refresh() {
      clearTimeout(timer);
      timer = setTimeout(() => void ask(), ESTIMATE_DELAY_MS);
    },
  };
}
