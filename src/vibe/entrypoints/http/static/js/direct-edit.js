/**
 * A direct text edit, confirmed by the person: the element is located in its file by its selector
 * (GET .../elements), the text between its tags replaced, and the file saved with PUT ?base=N as a
 * new version. Refused when the element's text is not in the file as shown (a script wrote it, or it
 * holds markup): changing the file there would not change what the person edited.
 */

import { api } from "./api.js";
import { encodePath, putFile } from "./file-save.js";
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
