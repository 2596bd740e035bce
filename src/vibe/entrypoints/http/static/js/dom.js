/**
 * Small DOM helpers. Elements are built with properties and text nodes, never from HTML strings, so
 * text that came from a user or a model is always shown as text.
 */

/**
 * Create an element.
 * `props`: `class`, `text`, `dataset` (object), `on<event>` (listener), booleans (present or absent),
 * anything else becomes an attribute.
 * @param {string} tag
 * @param {Record<string, any> | null} [props]
 * @param {...any} children nodes, strings, arrays of them; null/false are skipped
 * @returns {HTMLElement}
 */
export function h(tag, props = null, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, String(value));
  }
  append(element, children);
  return element;
}

/**
 * Append children (nodes or strings, nested arrays allowed; null and false skipped).
 * @param {Element | DocumentFragment} parent
 * @param {any[]} children
 */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

/**
 * The element with this id (throws when missing: the page and the scripts ship together).
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return /** @type {T} */ (element);
}

/**
 * Show or hide an element with the `hidden` attribute.
 * @param {HTMLElement} element
 * @param {boolean} visible
 */
export function show(element, visible) {
  element.hidden = !visible;
}

/**
 * Arrow-key navigation for an ARIA tablist: Left/Right (or Up/Down), Home and End move the focus and
 * activate the tab (automatic activation, as the APG recommends for tabs that show instantly).
 * @param {HTMLElement} list the element with role="tablist"
 * @param {(tab: HTMLElement) => void} activate
 */
export function tablistKeys(list, activate) {
  list.addEventListener("keydown", (event) => {
    const tabs = /** @type {HTMLElement[]} */ ([...list.querySelectorAll('[role="tab"]')]).filter(
      (tab) => !tab.hidden,
    );
    const index = tabs.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    if (index < 0) return;
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let next = -1;
    if (event.key in moves)
      next = (index + moves[/** @type {keyof moves} */ (event.key)] + tabs.length) % tabs.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = tabs.length - 1;
    if (next < 0) return;
    event.preventDefault();
    tabs[next].focus();
    activate(tabs[next]);
  });
}

/**
 * Mark one tab of a tablist selected (roving tabindex) and show its panel, hiding the others.
 * @param {HTMLElement[]} tabs
 * @param {HTMLElement} selected
 */
export function selectTab(tabs, selected) {
  for (const tab of tabs) {
    const on = tab === selected;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    const panelId = tab.getAttribute("aria-controls");
    const panel = panelId ? document.getElementById(panelId) : null;
    if (panel && panel.getAttribute("role") === "tabpanel") panel.hidden = !on;
  }
}
