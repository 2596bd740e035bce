/**
 * Translations: `t(key, vars)` looks a key up in the current language's table (English when a key is
 * missing there). The page's static text carries `data-i18n="key"` (its text) and
 * `data-i18n-attr="attr:key;attr2:key2"` (attributes); `translateTree` fills both, and views that
 * build text themselves re-render through `onLanguageChange`.
 */

import en from "../i18n/en.js";

/** @type {{code: string, label: string}[]} */
export const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "zh-CN", label: "简体中文" },
];
const STORAGE_KEY = "vibe.lang";

/** @type {Record<string, () => Promise<Record<string, string>>>} */
const LOADERS = {
  en: async () => en,
  "zh-CN": async () => (await import("../i18n/zh-CN.js")).default,
};

let current = "en";
/** @type {Record<string, string>} */
let table = en;
/** @type {Set<(code: string) => void>} */
const listeners = new Set();

/** The language to start in: the one chosen before, else the browser's, else English. */
export function initialLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    /* storage may be unavailable; fall through */
  }
  if (stored && stored in LOADERS) return stored;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  return wanted.some((code) => /^zh\b(?!-(Hant|TW|HK|MO))/i.test(code ?? "")) ? "zh-CN" : "en";
}

/** The current language code. */
export function lang() {
  return current;
}

/**
 * Switch language: load its table, translate the page and tell every view.
 * @param {string} code
 */
export async function setLanguage(code) {
  const load = LOADERS[code] ?? LOADERS.en;
  table = await load();
  current = code in LOADERS ? code : "en";
  document.documentElement.lang = current;
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch {
    /* not remembered; fine */
  }
  translateTree(document);
  for (const listener of listeners) listener(current);
}

/**
 * Run `listener` after every language change.
 * @param {(code: string) => void} listener
 */
export function onLanguageChange(listener) {
  listeners.add(listener);
}

/**
 * The text of `key` with `{name}` placeholders filled from `vars`. With `vars.count`, the key's
 * plural form (`key.one`, `key.other`...) is used when the table has one.
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(key, vars = {}) {
  let text = lookup(key);
  if (typeof vars.count === "number") {
    const form = new Intl.PluralRules(current).select(vars.count);
    text = lookup(`${key}.${form}`, null) ?? lookup(`${key}.other`, null) ?? text;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/**
 * @param {string} key
 * @param {string | null} [fallback]
 */
function lookup(key, fallback = key) {
  return table[key] ?? en[key] ?? /** @type {string} */ (fallback);
}

/**
 * Translate the static text under `root`.
 * @param {ParentNode} root
 */
export function translateTree(root) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.getAttribute("data-i18n") ?? "");
  }
  for (const element of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of (element.getAttribute("data-i18n-attr") ?? "").split(";")) {
      const [attribute, key] = pair.split(":").map((part) => part.trim());
      if (attribute && key) element.setAttribute(attribute, t(key));
    }
  }
}

/**
 * Show the text of `key` in `element` and keep it translated on later language changes.
 * @param {Element} element
 * @param {string} key
 */
export function setText(element, key) {
  element.setAttribute("data-i18n", key);
  element.textContent = t(key);
}

/**
 * Show text that is not translated (a project's name, say) in an element that may have shown a
 * translated string before.
 * @param {Element} element
 * @param {string} text
 */
export function setPlainText(element, text) {
  element.removeAttribute("data-i18n");
  element.textContent = text;
}
