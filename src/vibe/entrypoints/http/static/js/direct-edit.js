/**
 * A direct text edit, confirmed by the person: the element is located in its file by its selector
 * (GET .../elements), the text between its tags replaced, and the file saved with PUT ?base=N as a
 * new version. Refused when the element's text is not in the file as shown (a script wrote it, or it
 * holds markup): changing the file there would not change what the person edited.
 */

import { api } from "./api.js";
import { encodePath, putBytes, putFile } from "./file-save.js";
import { projectPath } from "./project-actions.js";

export class NotInFile extends Error {}

/** @param {string} text */
const escapeText = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * @param {string} projectId
 * @param {number} version the version shown, which must still be the current one
 * @param {import("./picker-host.js").TextEdit} edit
 */
export async function saveTextEdit(projectId, version, edit) {
  const query = new URLSearchParams({ path: edit.path, selector: edit.selector, version: String(version) });
  const where = await api.get(`${projectPath(projectId, "/elements")}?${query}`);
  if (!where.text_only || where.text !== edit.before) throw new NotInFile(edit.path);
  const source = await api.text(`${projectPath(projectId, `/files/${encodePath(edit.path)}`)}?version=${version}`);
  const next = source.slice(0, where.open_end) + escapeText(edit.after) + source.slice(where.close_start);
  return putFile(projectId, edit.path, next, version);
}

const IMAGE_TYPES = { "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp", "image/avif": "avif" };
const SRC = /(\ssrc\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)/i;

/**
 * Replace a picked image by a picture the person chose: the picture is added as an asset
 * (`images/<name>`, PUT ?base=N), then the `src` of that `<img>` in its file changed to it (PUT
 * ?base=N+1). Two versions; the second is what the preview shows.
 * @param {string} projectId
 * @param {number} version the version shown, which must still be the current one
 * @param {import("./picker-host.js").ImageSwap} swap
 * @param {File} file
 */
export async function replaceImage(projectId, version, swap, file) {
  const ext = IMAGE_TYPES[/** @type {keyof typeof IMAGE_TYPES} */ (file.type)];
  if (!ext) throw new NotInFile(swap.path);
  const query = new URLSearchParams({ path: swap.path, selector: swap.selector, version: String(version) });
  const where = await api.get(`${projectPath(projectId, "/elements")}?${query}`);
  const source = await api.text(`${projectPath(projectId, `/files/${encodePath(swap.path)}`)}?version=${version}`);
  const startTag = source.slice(where.start, where.open_end);
  if (where.tag !== "img" || !SRC.test(startTag)) throw new NotInFile(swap.path);
  const stem = file.name.replace(/\.[^.]*$/, "").toLowerCase().replace(/[^a-z0-9_-]+/g, "-").replace(/^-+|-+$/g, "") || "picture";
  const asset = `images/${stem.slice(0, 60)}.${ext}`;
  const depth = swap.path.split("/").length - 1;
  const src = `${"../".repeat(depth)}${asset}`;
  const added = await putBytes(projectId, asset, file, version);
  const next = source.slice(0, where.start) + startTag.replace(SRC, `$1"${src}"`) + source.slice(where.open_end);
  return putFile(projectId, swap.path, next, added.number);
}
