/**
 * One running generation as the UI sees it: its status, the model's prose, each file's text as it is
 * written or edited, the tokens used and the time taken. Built from the session's event stream;
 * views subscribe and redraw.
 */

import { api } from "./api.js";
import { EventStream } from "./stream.js";

/**
 * @typedef {{text: string, done: boolean, size: number | null, edited: boolean, loading: boolean,
 *            mark: [number, number] | null}} LiveFile
 * @typedef {"status" | "text" | "file" | "usage" | "restart" | "done" | "error" | "connection"} Change
 */

export class Generation {
  /**
   * @param {{id: string, project_id: string, prompt: string, created_at?: string, status?: string}} session
   * @param {{streamUrl?: string, baseVersion: number}} options `baseVersion`: the project version the
   *   generation started from (the files its edits apply to)
   */
  constructor(session, { streamUrl, baseVersion }) {
    this.id = session.id;
    this.projectId = session.project_id;
    this.prompt = session.prompt;
    this.status = session.status ?? "queued";
    this.baseVersion = baseVersion;
    this.startedAt = session.created_at ? Date.parse(session.created_at) : Date.now();
    /** @type {number | null} */
    this.finishedAt = null;
    /** The prose, one paragraph per model turn. */
    this.prose = [""];
    /** @type {Map<string, LiveFile>} in the order the files were first touched */
    this.files = new Map();
    /** The file being written now. */
    this.writing = /** @type {string | null} */ (null);
    /** Tokens billed so far: all input (cached or not), the part read from the cache, the output. */
    this.usage = { input: 0, cached: 0, output: 0 };
    /** How many times the run started over (a worker died and another took the session over). */
    this.restarts = 0;
    /** @type {{version: number, files: string[]} | null} */
    this.result = null;
    /** @type {{code: string, message: string} | null} */
    this.error = null;
    /** @type {import("./stream.js").Connection} */
    this.connection = "connecting";
    /** @type {Set<(change: Change, path?: string) => void>} */
    this.listeners = new Set();
    /** @type {Map<string, Promise<void>>} edits of a file wait for its earlier ones */
    this.editQueue = new Map();
    this.stream = new EventStream(streamUrl ?? `/api/stream/${this.id}`, {
      onEvent: (name, data) => this.apply(name, data),
      onConnection: (state) => {
        this.connection = state;
        this.emit("connection");
      },
    });
  }

  get finished() {
    return this.result !== null || this.error !== null;
  }

  get tokens() {
    return this.usage.input + this.usage.output;
  }

  /** @param {(change: Change, path?: string) => void} listener @returns {() => void} unsubscribe */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @param {Change} change @param {string} [path] */
  emit(change, path) {
    for (const listener of this.listeners) listener(change, path);
  }

  /**
   * @param {string} name
   * @param {any} data
   */
  apply(name, data) {
    switch (name) {
      case "status":
        this.status = data.status;
        return this.emit("status");
      case "text":
        this.prose[this.prose.length - 1] += data.delta;
        return this.emit("text");
      case "usage":
        this.usage.input +=
          (data.input_tokens ?? 0) +
          (data.cache_read_input_tokens ?? 0) +
          (data.cache_creation_input_tokens ?? 0);
        this.usage.cached += data.cache_read_input_tokens ?? 0;
        this.usage.output += data.output_tokens ?? 0;
        if (this.prose[this.prose.length - 1].trim()) this.prose.push("");
        return this.emit("usage");
      case "restart":
        // The run starts over: what the dead attempt wrote is dropped (docs/api.md); what it was
        // billed stays counted.
        this.restarts = data.attempt - 1;
        this.files.clear();
        this.editQueue.clear();
        this.writing = null;
        this.prose = [""];
        return this.emit("restart");
      case "file_start":
        this.writing = data.path;
        this.files.set(data.path, {
          text: "",
          done: false,
          size: null,
          edited: false,
          loading: false,
          mark: null,
        });
        return this.emit("file", data.path);
      case "file_delta":
        this.file(data.path).text += data.delta;
        return this.emit("file", data.path);
      case "file_end": {
        const file = this.file(data.path);
        file.done = true;
        file.size = data.size;
        if (this.writing === data.path) this.writing = null;
        return this.emit("file", data.path);
      }
      case "file_edit":
        return this.edit(data.path, data.old_string, data.new_string);
      case "done":
        this.result = { version: data.version, files: data.files };
        this.status = "succeeded";
        this.finishedAt = Date.now();
        this.writing = null;
        return this.emit("done");
      case "error":
        this.error = { code: data.code, message: data.message };
        if (data.code === "cancelled") this.status = "cancelled";
        else if (this.status !== "cancelled") this.status = "failed";
        this.finishedAt = Date.now();
        this.writing = null;
        return this.emit("error");
      default:
    }
  }

  /** @param {string} path */
  file(path) {
    let file = this.files.get(path);
    if (!file) {
      file = { text: "", done: false, size: null, edited: false, loading: false, mark: null };
      this.files.set(path, file);
    }
    return file;
  }

  /**
   * Apply an edit. A file this generation has not written starts from the base version's copy,
   * fetched once; its edits wait for it and apply in order.
   * @param {string} path
   * @param {string} oldText
   * @param {string} newText
   */
  edit(path, oldText, newText) {
    const known = this.files.has(path);
    const file = this.file(path);
    file.edited = true;
    let ready = this.editQueue.get(path);
    if (!known && !ready) {
      file.loading = true;
      ready = this.loadBase(path, file);
    }
    const applied = (ready ?? Promise.resolve()).then(() => {
      const at = file.text.indexOf(oldText);
      if (at >= 0) {
        file.text = file.text.slice(0, at) + newText + file.text.slice(at + oldText.length);
        file.mark = [at, at + newText.length];
      }
      file.size = new TextEncoder().encode(file.text).length;
      file.done = true;
      this.emit("file", path);
    });
    this.editQueue.set(path, applied);
    this.emit("file", path);
  }

  /**
   * @param {string} path
   * @param {LiveFile} file
   */
  async loadBase(path, file) {
    try {
      const query = this.baseVersion > 0 ? `?version=${this.baseVersion}` : "";
      file.text = await api.text(
        `/api/v1/projects/${encodeURIComponent(this.projectId)}/files/${encodePath(path)}${query}`,
      );
    } catch {
      file.text = "";
    } finally {
      file.loading = false;
    }
  }

  /** Ask the server to stop; the stream then ends with an `error` event (code "cancelled"). */
  async cancel() {
    await api.post(`/api/sessions/${encodeURIComponent(this.id)}/cancel`);
  }

  /** Stop following (the generation itself goes on on the server). */
  dispose() {
    this.stream.close();
    this.listeners.clear();
  }
}

/**
 * A project path for a URL: each segment escaped, the slashes kept.
 * @param {string} path
 */
export function encodePath(path) {
  return path.split("/").map(encodeURIComponent).join("/");
}

/**
 * What the generation is doing, in a few words.
 * @param {Generation} generation
 * @param {(key: string, vars?: Record<string, string | number>) => string} t
 */
export function statusText(generation, t) {
  if (generation.result) return t("live.done", { version: generation.result.version });
  if (generation.status === "cancelled") return t("live.cancelled");
  if (generation.error) return t("live.failed");
  if (generation.connection === "reconnecting") return t("live.reconnecting");
  if (generation.status === "queued") return t("live.queued");
  if (generation.writing) return t("live.writing", { path: generation.writing });
  const editing = [...generation.files.entries()].find(([, file]) => file.loading);
  if (editing) return t("live.editing", { path: editing[0] });
  return t("live.thinking");
}
