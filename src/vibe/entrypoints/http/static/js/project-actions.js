/**
 * What the owner does to a project from its header and history: rename, delete (after asking) and
 * restore a version. Each asks, calls the API and says how it went; the caller redraws.
 */

import { api } from "./api.js";
import { confirmDialog, promptDialog } from "./dialogs.js";
import { t } from "./i18n.js";
import { toast, toastError } from "./toast.js";

/** @typedef {import("./sidebar.js").Project} Project */

/**
 * @param {string} id
 * @param {string} [path]
 */
export const projectPath = (id, path = "") => `/api/v1/projects/${encodeURIComponent(id)}${path}`;

/**
 * Ask for a new name and save it.
 * @param {Project} project
 * @returns {Promise<Project | null>} the renamed project, or null
 */
export async function renameProject(project) {
  const name = await promptDialog({
    title: t("rename.title"),
    label: t("rename.label"),
    value: project.name,
    confirm: t("rename.confirm"),
  });
  if (name === null || name === project.name) return null;
  try {
    const renamed = await api.patch(projectPath(project.id), { name });
    toast(t("rename.done"), { kind: "success" });
    return renamed;
  } catch (error) {
    toastError(error);
    return null;
  }
}

/**
 * Ask, then delete the project with its versions.
 * @param {Project} project
 * @returns {Promise<boolean>} whether it is gone
 */
export async function deleteProject(project) {
  const sure = await confirmDialog({
    title: t("delete.title", { name: project.name }),
    message: t("delete.message"),
    confirm: t("delete.confirm"),
    danger: true,
  });
  if (!sure) return false;
  try {
    await api.delete(projectPath(project.id));
  } catch (error) {
    toastError(error);
    return false;
  }
  toast(t("delete.done", { name: project.name }), { kind: "success" });
  return true;
}

/**
 * Make a new version equal to an earlier one.
 * @param {Project} project
 * @param {number} version
 * @returns {Promise<number | null>} the new version's number, or null
 */
export async function restoreVersion(project, version) {
  try {
    const made = await api.post(projectPath(project.id, `/versions/${version}/restore`));
    toast(t("history.restored", { version, made: made.number }), { kind: "success" });
    return made.number;
  } catch (error) {
    toastError(error);
    return null;
  }
}
