/**
 * Client-side routes over the History API. The server answers every one of these paths with the same
 * page, so a reload or a shared URL lands on the right view.
 */

/** @typedef {{name: string, params: Record<string, string>}} Route */

/** @type {[RegExp, string, string[]][]} */
const ROUTES = [
  [/^\/$/, "landing", []],
  [/^\/signin\/?$/, "signin", []],
  [/^\/register\/?$/, "register", []],
  [/^\/app\/?$/, "workspace", []],
  [/^\/app\/p\/([^/]+)\/?$/, "workspace", ["projectId"]],
  [/^\/admin\/?$/, "admin", []],
  [/^\/p\/([^/]+)\/?$/, "shared", ["projectId"]],
];

/** @type {(route: Route) => void} */
let handler = () => {};

/**
 * @param {string} path
 * @returns {Route}
 */
export function match(path) {
  for (const [pattern, name, keys] of ROUTES) {
    const found = pattern.exec(path);
    if (found) {
      /** @type {Record<string, string>} */
      const params = {};
      keys.forEach((key, index) => {
        params[key] = decodeURIComponent(found[index + 1]);
      });
      return { name, params };
    }
  }
  return { name: "landing", params: {} };
}

/**
 * Go to `path` and show its view.
 * @param {string} path
 * @param {{replace?: boolean}} [options]
 */
export function navigate(path, { replace = false } = {}) {
  if (path !== location.pathname) {
    if (replace) history.replaceState(null, "", path);
    else history.pushState(null, "", path);
  }
  handler(match(location.pathname));
}

/**
 * Change the URL without showing another view (the view already shows it).
 * @param {string} path
 */
export function setPath(path) {
  if (path !== location.pathname) history.pushState(null, "", path);
}

/**
 * Start routing: links marked `data-route` navigate in place; Back and Forward work.
 * @param {(route: Route) => void} onRoute
 */
export function startRouter(onRoute) {
  handler = onRoute;
  window.addEventListener("popstate", () => handler(match(location.pathname)));
  document.addEventListener("click", (event) => {
    const link = /** @type {HTMLElement | null} */ (
      event.target instanceof Element ? event.target.closest("a[data-route]") : null
    );
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(link.getAttribute("href") ?? "/");
  });
  handler(match(location.pathname));
}
