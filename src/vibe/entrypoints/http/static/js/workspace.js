/**
 * The workspace: the project sidebar, the conversation and prompt box, and the stage (preview, code,
 * history) of the open project. It owns the state they share, loads it, starts and follows
 * generations, and redraws the views when something changes.
 */

import { followAccount } from "./account-events.js";
import { api } from "./api.js";
import { createAssets, isAsset } from "./assets.js";
import { createCodeView } from "./code-view.js";
import { refreshUsage, watchEstimate } from "./budget.js";
import { createComposer } from "./composer.js";
import { createConversation } from "./conversation.js";
import { byId, h } from "./dom.js";
import { ago } from "./format.js";
import { Generation } from "./generation.js";
import { createHistory } from "./history.js";
import { createCompare } from "./history-compare.js";
import { onLanguageChange, setPlainText, setText, t } from "./i18n.js";
import { NotInFile, replaceImage, saveTextEdit } from "./direct-edit.js";
import { createPanes } from "./panes.js";
import { createPicker } from "./picker-host.js";
import { createPreview } from "./preview.js";
import { createReferenceImages } from "./reference-images.js";
import { deleteProject, projectPath, renameProject, restoreVersion } from "./project-actions.js";
import { navigate, setPath } from "./router.js";
import { FINISHED, fetchProse, proseOfGeneration, stubSession } from "./sessions.js";
import { openPublishDialog, siteOf } from "./publish.js";
import { openShareDialog } from "./share.js";
import { createSidebar } from "./sidebar.js";
import { toast, toastError } from "./toast.js";

/**
 * @typedef {import("./sidebar.js").Project & {files?: {path: string, size: number}[]}} Project
 * @typedef {import("./sessions.js").Session} Session
 * @typedef {import("./history.js").Version} Version
 * @typedef {import("./conversation.js").Prose} Prose
 */

export function createWorkspace() {
  const state = {
    /** @type {Project[]} newest first */ projects: [],
    /** @type {string | null} */ projectId: null,
    /** @type {Project | null} */ project: null,
    /** @type {Session[]} oldest first */ sessions: [],
    /** @type {Version[]} newest first */ versions: [],
    /** @type {number | null} the version shown */ selected: null,
    /** @type {Map<string, Prose>} by session id */ prose: new Map(),
    /** @type {Map<string, Generation>} running, by project id */ live: new Map(),
    /** @type {string | null} the model the server runs, once known */ model: null,
    /** @type {import("./publish.js").Site | null} the open project's published site */ site: null,
    started: false,
  };
  let loadSeq = 0;
  /** @type {string | null} a prompt typed on the landing page, run when the workspace opens */
  let firstPrompt = null;
  /** @type {{close: () => void} | null} the account's live changes, while signed in */
  let account = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let refreshTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let listTimer;
  /** Sessions followed in this tab, and the versions they made: their stream already told. */
  const followedHere = new Set();
  const madeHere = new Set();

  const panes = createPanes();
  const sidebar = createSidebar();
  const conversation = createConversation();
  const preview = createPreview();
  const code = createCodeView({
    onSaved: (made) => {
      const project = state.project;
      if (project) void afterHandEdit(project.id, made.number);
    },
    onEdit: () => {
      const project = state.project;
      if (project && state.selected && !state.live.has(project.id))
        code.showVersion(project.id, state.selected, filesOf(state.selected), state.selected === project.current_version);
    },
    onReload: () => {
      const project = state.project;
      if (project) void afterHandEdit(project.id, 0);
    },
  });
  const composer = createComposer({ onSubmit: submit, onStop: stop });
  const picker = createPicker({ onEdit: saveEdit, onImage: swapImage, onReady: () => preview.ready() });
  const estimate = watchEstimate(/** @type {HTMLTextAreaElement} */ (byId("prompt")), () => state.projectId);
  const references = createReferenceImages();
  const assets = createAssets({
    project: () => state.project,
    ensureProject: async () => {
      try {
        const made = await api.post("/api/v1/projects", { name: t("workspace.newProjectTitle") });
        navigate(`/app/p/${encodeURIComponent(made.id)}`);
        return made.id;
      } catch (error) {
        toastError(error);
        return null;
      }
    },
    onChanged: async (projectId) => {
      if (state.projectId !== projectId) return;
      await fetchProject(projectId).catch(toastError);
      state.selected = state.project?.current_version || null;
      drawProject({ keepStage: true });
      panes.showStage("assets");
      void loadProjects();
    },
    insert: (path) => {
      const box = /** @type {HTMLTextAreaElement} */ (byId("prompt"));
      const mention = t("assets.mention", { path });
      box.value = box.value.trim() ? `${box.value.trimEnd()} ${mention}` : mention;
      box.dispatchEvent(new Event("input"));
      panes.setPane("chat");
      box.focus();
    },
  });
  const history = createHistory({
    onPreview: (version) => {
      selectVersion(version);
      panes.showStage("preview");
    },
    onRestore: (version) => void restore(version),
  });

  const compare = createCompare();
  const title = byId("project-title");
  const versionSelect = /** @type {HTMLSelectElement} */ (byId("version-select"));

  byId("new-project").addEventListener("click", () => {
    navigate("/app");
    composer.focus();
  });
  byId("share-project").addEventListener("click", () => {
    if (state.project) void openShareDialog(state.project, updated);
  });
  byId("publish-project").addEventListener("click", () => {
    if (!state.project) return;
    void openPublishDialog(state.project, state.versions, state.site, (site) => {
      state.site = site;
      drawHeader();
      drawVersions();
    });
  });
  byId("rename-project").addEventListener("click", async () => {
    const renamed = state.project && (await renameProject(state.project));
    if (renamed) updated(renamed);
  });
  byId("delete-project").addEventListener("click", async () => {
    const project = state.project;
    if (!project || !(await deleteProject(project))) return;
    state.live.get(project.id)?.dispose();
    state.live.delete(project.id);
    state.projects = state.projects.filter((p) => p.id !== project.id);
    navigate("/app", { replace: true });
  });
  versionSelect.addEventListener("change", () => selectVersion(Number(versionSelect.value)));
  onLanguageChange(() => {
    if (!state.started) return;
    drawSidebar();
    drawProject({ keepStage: true });
  });

  // --- loading --------------------------------------------------------------------------------------

  async function loadProjects() {
    try {
      state.projects = (await api.get("/api/v1/projects?limit=100")).items;
    } catch (error) {
      toastError(error);
    }
    drawSidebar();
  }

  /** Which model the server runs, from the latest session (it only decides the offline label). */
  async function learnModel() {
    try {
      state.model = (await api.get("/api/sessions?limit=1")).items[0]?.model ?? state.model;
    } catch {
      /* no label then */
    }
  }

  /** @param {string | null} projectId */
  async function open(projectId) {
    const seq = ++loadSeq;
    // Another project: its own stage again. The same one (the first load): a tab the person picked
    // while it loaded stays.
    if (projectId !== state.projectId) panes.resumeAuto();
    Object.assign(state, { projectId, project: null, sessions: [], versions: [], selected: null, site: null });
    estimate.refresh();
    drawSidebar();
    if (!projectId) {
      drawProject();
      return;
    }
    setText(title, "common.loading");
    try {
      await fetchProject(projectId);
    } catch (error) {
      if (seq !== loadSeq) return;
      toastError(error);
      navigate("/app", { replace: true });
      return;
    }
    if (seq !== loadSeq) return;
    state.selected = state.project?.current_version || null;
    for (const session of state.sessions) {
      if (!FINISHED.has(session.status) && !state.live.has(session.project_id)) follow(session);
    }
    drawProject();
    const missing = state.sessions.filter((s) => FINISHED.has(s.status) && !state.prose.has(s.id));
    if (!missing.length) return;
    await Promise.all(missing.map(async (s) => state.prose.set(s.id, await fetchProse(s.id))));
    if (seq === loadSeq) drawConversation();
  }

  /** @param {string} projectId */
  async function fetchProject(projectId) {
    const [project, sessions, versions, site] = await Promise.all([
      api.get(projectPath(projectId)),
      api.get(`/api/sessions?project_id=${encodeURIComponent(projectId)}&limit=100`),
      api.get(projectPath(projectId, "/versions")),
      siteOf(projectId),
    ]);
    if (state.projectId !== projectId) return;
    state.project = project;
    state.site = site;
    state.sessions = sessions.items.reverse();
    state.versions = versions.items;
    if (state.sessions.length) state.model = state.sessions[state.sessions.length - 1].model;
  }

  // --- generations ----------------------------------------------------------------------------------

  /**
   * Follow a running session's stream until it ends.
   * @param {Session} session
   */
  function follow(session) {
    const generation = new Generation(session, { baseVersion: state.project?.current_version ?? 0 });
    followedHere.add(session.id);
    state.live.set(session.project_id, generation);
    generation.subscribe((change) => {
      if (change === "done" || change === "error") void finished(generation);
    });
    drawSidebar();
  }

  /** @param {Generation} generation */
  async function finished(generation) {
    if (generation.result) madeHere.add(`${generation.projectId}:${generation.result.version}`);
    state.prose.set(generation.id, proseOfGeneration(generation));
    state.live.delete(generation.projectId);
    const here = state.projectId === generation.projectId;
    if (here) composer.setBusy(false);
    void refreshUsage();
    await loadProjects();
    if (!here || state.projectId !== generation.projectId) {
      const name = state.projects.find((p) => p.id === generation.projectId)?.name ?? "";
      if (generation.result) {
        toast(t("toast.readyElsewhere", { name, version: generation.result.version }), { kind: "success" });
      }
      return;
    }
    try {
      await fetchProject(generation.projectId);
    } catch (error) {
      toastError(error);
    }
    if (generation.result) state.selected = generation.result.version;
    drawProject({ keepStage: true, keepCode: true });
    if (generation.result) panes.showStage("preview", { auto: true });
    else if (generation.error?.code !== "cancelled")
      toast(generation.error?.message ?? "", { kind: "error" });
  }

  /**
   * Start a generation: a follow-up of the open project, or a new project.
   * @param {string} prompt
   * @returns {Promise<boolean>} whether it started
   */
  async function submit(prompt) {
    const projectId = state.projectId;
    let started;
    try {
      const images = references.images();
      const selection = projectId ? picker.selection() : [];
      started = await api.post("/api/generate", {
        prompt,
        ...(projectId ? { project_id: projectId } : {}),
        ...(images.length ? { images } : {}),
        ...(selection.length ? { selection } : {}),
      });
      references.clear();
    } catch (error) {
      toastError(error);
      return false;
    }
    /** @type {Session} */
    const session = await api
      .get(`/api/sessions/${encodeURIComponent(started.session_id)}`)
      .catch(() => stubSession(started, prompt, state.model));
    state.model = session.model || state.model;
    if (state.projectId !== started.project_id) {
      ++loadSeq; // a new project: it is the open one from now on
      state.projectId = started.project_id;
      setPath(`/app/p/${encodeURIComponent(started.project_id)}`);
      await fetchProject(started.project_id).catch(toastError);
      void loadProjects();
    }
    void refreshUsage();
    picker.leave();
    picker.clear();
    if (!state.sessions.some((s) => s.id === session.id)) state.sessions.push(session);
    if (!state.live.has(session.project_id)) follow(session);
    drawProject({ keepStage: true });
    panes.resumeAuto();
    panes.showStage("code");
    return true;
  }

  async function stop() {
    const generation = state.projectId ? state.live.get(state.projectId) : undefined;
    await generation?.cancel().catch(toastError);
  }

  // --- changes to the project -----------------------------------------------------------------------

  /** @param {Project} project the project as the server now has it */
  function updated(project) {
    if (state.project?.id === project.id) state.project = { ...state.project, ...project };
    state.projects = state.projects.map((p) => (p.id === project.id ? { ...p, ...project } : p));
    drawSidebar();
    drawHeader();
  }

  /** @param {number} version */
  async function restore(version) {
    const project = state.project;
    const made = project && (await restoreVersion(project, version));
    if (!project || !made) return;
    await fetchProject(project.id).catch(toastError);
    state.selected = made;
    drawProject({ keepStage: true });
    void loadProjects();
  }

  /**
   * Save a direct text edit the person confirmed (see picker-host.js), as a new version.
   * @param {import("./picker-host.js").TextEdit} edit
   */
  function saveEdit(edit) {
    return handEdit((projectId, version) => saveTextEdit(projectId, version, edit), "picker.notInFile", edit.path);
  }

  /**
   * Replace a picked image by a picture the person chose (see picker-host.js).
   * @param {import("./picker-host.js").ImageSwap} swap
   * @param {File} file
   */
  function swapImage(swap, file) {
    return handEdit((projectId, version) => replaceImage(projectId, version, swap, file), "picker.imageNotInFile", swap.path);
  }

  /**
   * Make a version by hand on top of the version the preview shows, which must be the current one.
   * @param {(projectId: string, version: number) => Promise<{number: number}>} make
   * @param {string} notInFileKey the message when the picked element is not in the file as shown
   * @param {string} path
   */
  async function handEdit(make, notInFileKey, path) {
    const project = state.project;
    const shown = preview.shown;
    if (!project || !shown || shown.projectId !== project.id) return false;
    if (shown.version !== project.current_version) {
      toast(t("picker.oldVersion"), { kind: "error" });
      return false;
    }
    let made;
    try {
      made = await make(project.id, shown.version);
    } catch (error) {
      if (error instanceof NotInFile) toast(t(notInFileKey, { path }), { kind: "error" });
      else if (/** @type {any} */ (error)?.status === 409) toast(t("picker.stale"), { kind: "error" });
      else toastError(error);
      return false;
    }
    await afterHandEdit(project.id, made.number);
    toast(t("picker.saved", { version: made.number }), { kind: "success" });
    return true;
  }

  /**
   * Show the version a hand edit (or its undo) made.
   * @param {string} projectId
   * @param {number} number
   */
  async function afterHandEdit(projectId, number) {
    await fetchProject(projectId).catch(toastError);
    if (state.projectId !== projectId) return;
    state.selected = number || state.project?.current_version || null;
    drawProject({ keepStage: true });
    void loadProjects();
  }

  /**
   * Undo a hand edit: its previous version restored as a new version.
   * @param {number} version
   */
  async function undo(version) {
    const project = state.project;
    if (!project) return;
    try {
      const made = await api.post(projectPath(project.id, `/versions/${version - 1}/restore`));
      await afterHandEdit(project.id, made.number);
      toast(t("edits.undone", { version: version - 1, made: made.number }), { kind: "success" });
    } catch (error) {
      toastError(error);
    }
  }

  /** @param {number} version */
  function selectVersion(version) {
    const project = state.project;
    if (!project || !version) return;
    if (version !== state.selected) picker.clear();
    state.selected = version;
    void preview.show(project.id, version);
    if (!state.live.has(project.id))
      code.showVersion(project.id, version, filesOf(version), version === project.current_version);
    drawVersions();
    panes.setPane("stage");
  }

  /**
   * The paths of a version: the project's own list for the current one, else what its session made.
   * @param {number} version
   */
  function filesOf(version) {
    const current = state.project?.files?.map((f) => f.path).filter((p) => !isAsset(p)) ?? [];
    if (version === state.project?.current_version) return current;
    const made = state.versions.find((v) => v.number === version);
    const prose = made?.generation_id ? state.prose.get(made.generation_id) : undefined;
    return prose?.files.length ? prose.files : current;
  }

  // --- changes made elsewhere (another tab, device, or `vibe generate`) ------------------------------

  /**
   * @param {"project" | "version" | "session"} name
   * @param {any} data
   */
  function onAccountEvent(name, data) {
    const projectId = name === "project" ? data.id : data.project_id;
    if (name === "project" || (name === "session" && FINISHED.has(data.status))) {
      clearTimeout(listTimer);
      listTimer = setTimeout(() => void loadProjects(), 50);
    }
    if (name === "project" && data.action === "deleted" && projectId === state.projectId) {
      state.live.get(projectId)?.dispose();
      state.live.delete(projectId);
      navigate("/app", { replace: true });
      return;
    }
    if (projectId !== state.projectId || !state.project) return;
    if (name === "session" && (state.live.has(projectId) || followedHere.has(data.id))) return;
    if (name === "version" && madeHere.has(`${projectId}:${data.number}`)) return; // its stream told
    if (name === "version" && (state.live.has(projectId) || data.number <= state.project.current_version))
      return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void refreshOpen(projectId), 50);
  }

  /**
   * Read the open project again and show what changed, without moving the stage.
   * @param {string} projectId
   */
  async function refreshOpen(projectId) {
    const before = state.project?.current_version ?? 0;
    try {
      await fetchProject(projectId);
    } catch {
      return;
    }
    if (state.projectId !== projectId) return;
    const now = state.project?.current_version ?? 0;
    if (now !== before || !state.selected) state.selected = now || null;
    for (const session of state.sessions) {
      if (!FINISHED.has(session.status) && !state.live.has(session.project_id)) follow(session);
    }
    const missing = state.sessions.filter((s) => FINISHED.has(s.status) && !state.prose.has(s.id));
    await Promise.all(missing.map(async (s) => state.prose.set(s.id, await fetchProse(s.id))));
    if (state.projectId === projectId) drawProject({ keepStage: true });
  }

  // --- drawing --------------------------------------------------------------------------------------

  function drawSidebar() {
    sidebar.render(state.projects, state.projectId, new Set(state.live.keys()));
  }

  function drawHeader() {
    const project = state.project;
    if (project) setPlainText(title, project.name);
    else setText(title, "workspace.newProjectTitle");
    document.title = project ? `${project.name} · vibe` : "vibe";
    byId("public-badge").hidden = project?.visibility !== "public";
    byId("published-badge").hidden = !project || !state.site;
    byId("project-actions").hidden = !project;
  }

  function drawConversation() {
    const project = state.project;
    if (!project || state.sessions.length === 0) {
      conversation.welcome(state.model === "offline");
      return;
    }
    conversation.render({
      sessions: state.sessions,
      prose: state.prose,
      live: state.live.get(project.id) ?? null,
      model: state.model,
      versions: state.versions,
      onRetry: (prompt) => composer.retry(prompt),
      onShowVersion: (version) => {
        selectVersion(version);
        panes.showStage("preview");
      },
      edits: state.versions.filter((v) => v.generation_id === null && v.number > 0),
      current: project.current_version,
      onUndo: (version) => void undo(version),
    });
  }

  function drawVersions() {
    const project = state.project;
    const numbered = state.versions.filter((v) => v.number > 0);
    versionSelect.disabled = versionSelect.hidden = numbered.length === 0;
    versionSelect.replaceChildren(
      ...numbered.map((v) =>
        h("option", {
          value: String(v.number),
          selected: v.number === state.selected,
          text:
            v.number === project?.current_version
              ? t("stage.versionCurrent", { version: v.number })
              : t("stage.versionOption", { version: v.number, when: ago(v.created_at) }),
        }),
      ),
    );
    compare.render(
      project?.id ?? null,
      numbered.map((v) => v.number),
    );
    history.render({
      versions: project ? state.versions : [],
      sessions: new Map(state.sessions.map((s) => [s.id, s])),
      projectId: project?.id ?? "",
      current: project?.current_version ?? 0,
      published: state.site?.version ?? null,
      selected: state.selected,
      busy: Boolean(project && state.live.has(project.id)),
    });
  }

  /**
   * Redraw everything that shows the open project.
   * @param {{keepStage?: boolean, keepCode?: boolean}} [options] `keepCode`: leave a finished
   *   generation's files in the Code panel rather than reloading them
   */
  function drawProject({ keepStage = false, keepCode = false } = {}) {
    const project = state.project;
    const live = project ? state.live.get(project.id) : undefined;
    drawHeader();
    drawConversation();
    drawVersions();
    assets.render(project?.files ?? []);
    composer.setBusy(Boolean(live));
    picker.setEnabled(
      Boolean(project && !live && state.selected && state.selected === project.current_version),
      `${project?.id ?? ""}:${state.selected ?? ""}`,
    );
    composer.setMode(project && project.current_version > 0 ? "follow-ups" : "starters");
    // A version of uploaded assets alone has no page to show yet.
    const page =
      state.selected !== project?.current_version || project?.files?.some((f) => f.path === "index.html");
    if (project && state.selected && page) void preview.show(project.id, state.selected);
    else preview.clear(live ? "building" : state.sessions.at(-1)?.status === "failed" ? "failed" : "empty");
    if (live) {
      if (code.following !== live) code.follow(live);
    } else if (project && state.selected) {
      if (!(keepCode && code.following))
        code.showVersion(
          project.id,
          state.selected,
          filesOf(state.selected),
          state.selected === project.current_version,
        );
    } else {
      code.clear();
    }
    if (!keepStage) panes.showStage(live ? "code" : "preview", { auto: true });
  }

  return {
    /**
     * Show the workspace at a project (or at a new one).
     * @param {string | null} projectId
     */
    async enter(projectId) {
      if (!state.started) {
        state.started = true;
        account = followAccount(onAccountEvent);
        await Promise.all([loadProjects(), learnModel()]);
      }
      if (projectId !== state.projectId || !state.project) await open(projectId);
      if (!projectId) composer.focus();
      if (!projectId && firstPrompt) {
        const prompt = firstPrompt;
        firstPrompt = null;
        composer.retry(prompt);
      }
    },

    /**
     * Run `prompt` as a new project once the workspace opens (the landing page's prompt box).
     * @param {string} prompt
     */
    sendFirst(prompt) {
      firstPrompt = prompt;
    },

    /** Forget everything (signed out). */
    reset() {
      account?.close();
      account = null;
      for (const generation of state.live.values()) generation.dispose();
      state.live.clear();
      state.prose.clear();
      Object.assign(state, { projects: [], projectId: null, project: null, sessions: [], versions: [] });
      Object.assign(state, { selected: null, started: false });
      code.clear();
      preview.clear();
      composer.clear();
    },
  };
}
