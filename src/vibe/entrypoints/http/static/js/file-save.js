/**
 * Saving one file as a new version without the model: `PUT /api/v1/projects/{id}/files/{path}?base=N`
 * (docs/api.md, "Files you bring"). A 409 means the project moved on from version N (a version made
 * elsewhere): the caller offers to reload or overwrite.
 */

import { ApiError, api } from "./api.js";
import { t } from "./i18n.js";
import { projectPath } from "./project-actions.js";

const TYPES = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  md: "text/markdown; charset=utf-8",
  txt: "text/plain; charset=utf-8",
};

/** @param {string} path */
export const encodePath = (path) => path.split("/").map(encodeURIComponent).join("/");

/** @param {string} path */
export function mediaTypeOf(path) {
  const ext = path.split(".").pop()?.toLowerCase() ?? "";
  return TYPES[/** @type {keyof typeof TYPES} */ (ext)] ?? "text/plain; charset=utf-8";
}

/**
 * @param {string} projectId
 * @param {string} path
 * @param {string} text the whole new content
 * @param {number | null} base the version the change was made on (null: overwrite whatever is current)
 * @returns {Promise<{number: number, generation_id: null, created_at: string, summary: string}>}
 */
export async function putFile(projectId, path, text, base, retried = false) {
  return putBody(projectId, path, text, mediaTypeOf(path), base, retried);
}

/**
 * An uploaded file (a picture) as a new version.
 * @param {string} projectId
 * @param {string} path
 * @param {File} file
 * @param {number | null} base
 * @returns {Promise<{number: number, generation_id: null, created_at: string, summary: string}>}
 */
export function putBytes(projectId, path, file, base) {
  return putBody(projectId, path, file, file.type, base, false);
}

/**
 * @param {string} projectId
 * @param {string} path
 * @param {BodyInit} body
 * @param {string} type
 * @param {number | null} base
 * @param {boolean} retried
 * @returns {Promise<any>}
 */
async function putBody(projectId, path, body, type, base, retried) {
  const query = base === null ? "" : `?base=${base}`;
  let response;
  try {
    response = await fetch(`${projectPath(projectId, `/files/${encodePath(path)}`)}${query}`, {
      method: "PUT",
      body,
      credentials: "same-origin",
      headers: { "Content-Type": type, Accept: "application/json" },
    });
  } catch {
    throw new ApiError(0, { detail: t("errors.network") });
  }
  if (response.status === 401 && !retried) {
    await api.get("/api/v1/users/me"); // renews the session (or signs out)
    return putBody(projectId, path, body, type, base, true);
  }
  if (!response.ok) {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      /* not JSON */
    }
    throw new ApiError(response.status, problem);
  }
  return response.json();
}
