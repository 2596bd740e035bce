/**
 * The HTTP API, called with the session cookie. Every failure becomes an `ApiError` whose message is
 * the problem+json `detail` (what the server says went wrong, meant for people). A 401 on a call that
 * needs the session triggers one cookie refresh and a retry.
 */

import { lang, t } from "./i18n.js";

export class ApiError extends Error {
  /**
   * @param {number} status 0 when the network failed
   * @param {{title?: string, detail?: string, errors?: {field?: string, message?: string}[]}} problem
   */
  constructor(status, problem) {
    super(translated(status) ?? (problem.detail || problem.title || t("errors.generic")));
    /** What the server said, in its words (English). */
    this.detail = problem.detail ?? "";
    this.name = "ApiError";
    this.status = status;
    this.title = problem.title ?? "";
    /** @type {{field?: string, message?: string}[]} */
    this.errors = problem.errors ?? [];
  }
}

/**
 * The server's problem in the UI's language when it is not English: by status (the server's own
 * text, more precise, is kept for English and as `detail`). Null when there is no translation.
 * @param {number} status
 */
function translated(status) {
  if (lang() === "en" || status === 0) return null;
  const key = `errors.status.${status}`;
  const text = t(key);
  return text === key ? null : text;
}

/** @type {(() => Promise<boolean>) | null} */
let refresher = null;
/** @type {(() => void) | null} */
let onSignedOut = null;

/**
 * How to renew the session after a 401, and what to do when that fails.
 * @param {() => Promise<boolean>} refresh
 * @param {() => void} signedOut
 */
export function configureAuth(refresh, signedOut) {
  refresher = refresh;
  onSignedOut = signedOut;
}

/**
 * Call the API.
 * @param {string} method
 * @param {string} path
 * @param {{body?: unknown, auth?: boolean, retry?: boolean, text?: boolean}} [options] `auth: false` for
 *   the calls that make or renew the session themselves; `text: true` to read the body as text whatever
 *   its type (a project's file)
 * @returns {Promise<any>} the parsed JSON (or text), or null for 204
 */
export async function request(method, path, { body, auth = true, retry = true, text = false } = {}) {
  /** @type {RequestInit} */
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers = { ...init.headers, "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { detail: t("errors.network") });
  }
  if (response.status === 401 && auth) {
    if (retry && refresher && (await refresher()))
      return request(method, path, { body, auth, text, retry: false });
    onSignedOut?.();
  }
  if (!response.ok) throw await problemOf(response);
  if (response.status === 204) return null;
  if (text) return response.text();
  return (response.headers.get("content-type") ?? "").includes("json") ? response.json() : response.text();
}

/** @param {Response} response */
async function problemOf(response) {
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    /* not JSON (a proxy's error page): fall back to the status */
  }
  if (response.status === 429 && !("detail" in problem)) problem = { detail: t("errors.tooMany") };
  return new ApiError(response.status, problem);
}

export const api = {
  /** @param {string} path */
  get: (path) => request("GET", path),
  /** @param {string} path @param {unknown} [body] */
  post: (path, body) => request("POST", path, { body }),
  /** @param {string} path @param {unknown} body */
  patch: (path, body) => request("PATCH", path, { body }),
  /** @param {string} path */
  delete: (path) => request("DELETE", path),
  /** @param {string} path a read that needs no session (a public project) */
  request_public: (path) => request("GET", path, { auth: false }),
  /** @param {string} path the text of a file, whatever its type */
  text: (path) => request("GET", path, { text: true }),
};
