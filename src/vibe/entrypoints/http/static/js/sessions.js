/**
 * Sessions as the conversation needs them: which are finished, what a finished one said and wrote
 * (read once from its stored events), and a stand-in for one just started.
 */

import { api } from "./api.js";

/**
 * @typedef {import("./conversation.js").Session & {project_id: string}} Session
 * @typedef {import("./conversation.js").Prose} Prose
 * @typedef {import("./generation.js").Generation} Generation
 */

export const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
const PROSE_EVENTS = ["text", "usage", "file_start", "file_edit", "restart", "done"]
  .map((name) => `name=${name}`)
  .join("&");

/**
 * What a finished session said and wrote (nothing, when it cannot be read).
 * @param {string} sessionId
 * @returns {Promise<Prose>}
 */
export async function fetchProse(sessionId) {
  try {
    const stored = await api.get(`/api/sessions/${encodeURIComponent(sessionId)}/events?${PROSE_EVENTS}`);
    return proseOf(stored.items);
  } catch {
    return { paragraphs: [], files: [], touched: [] };
  }
}

/**
 * What a generation followed to its end said and wrote.
 * @param {Generation} generation
 * @returns {Prose}
 */
export function proseOfGeneration(generation) {
  return {
    paragraphs: generation.prose,
    files: generation.result?.files ?? [],
    touched: [...generation.files.entries()].map(([path, file]) => ({
      path,
      state: file.edited ? "edited" : "done",
    })),
  };
}

/**
 * @param {{event: string, data: any}[]} events
 * @returns {Prose}
 */
function proseOf(events) {
  const paragraphs = [""];
  let files = /** @type {string[]} */ ([]);
  /** @type {Map<string, "done" | "edited">} */
  const touched = new Map();
  for (const { event, data } of events) {
    if (event === "restart") {
      paragraphs.splice(0, paragraphs.length, ""); // what a dead attempt said and wrote is dropped
      touched.clear();
    } else if (event === "text") paragraphs[paragraphs.length - 1] += data.delta;
    else if (event === "usage" && paragraphs[paragraphs.length - 1].trim()) paragraphs.push("");
    else if (event === "file_start") touched.set(data.path, "done");
    else if (event === "file_edit" && !touched.has(data.path)) touched.set(data.path, "edited");
    else if (event === "done") files = data.files;
  }
  return { paragraphs, files, touched: [...touched].map(([path, state]) => ({ path, state })) };
}

/**
 * A session as it was just started, for when reading it back failed.
 * @param {{session_id: string, project_id: string}} started
 * @param {string} prompt
 * @param {string | null} model
 * @returns {Session}
 */
export function stubSession(started, prompt, model) {
  return {
    id: started.session_id,
    project_id: started.project_id,
    prompt,
    status: "queued",
    created_at: new Date().toISOString(),
    started_at: null,
    finished_at: null,
    version: null,
    error: null,
    model: model ?? "",
    checks: [],
    usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  };
}
