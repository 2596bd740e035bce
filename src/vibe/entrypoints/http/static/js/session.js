/**
 * The signed-in user, kept by the HttpOnly cookie session (`/api/v1/auth/session`). Scripts cannot
 * read those cookies, so a small note in localStorage remembers whether a session should exist and
 * when its 15-minute access cookie needs renewing; the cookie is renewed before it expires (so event
 * streams reconnect with a valid one) and, across tabs, by one tab at a time.
 */

import { configureAuth, request } from "./api.js";

const NOTE_KEY = "vibe.session";
const RENEW_AFTER_MS = 12 * 60 * 1000; // the access cookie lives 15 minutes

/** @typedef {{id: string, email: string, display_name: string, role: string}} User */

/** @type {User | null} */
let user = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;
/** @type {Promise<boolean> | null} */
let renewing = null;
/** @type {Set<(user: User | null) => void>} */
const listeners = new Set();

/** The signed-in user, or null. */
export function currentUser() {
  return user;
}

/**
 * Run `listener` whenever someone signs in or out (including a session that ran out).
 * @param {(user: User | null) => void} listener
 */
export function onUserChange(listener) {
  listeners.add(listener);
}

/** @param {User | null} next */
function setUser(next) {
  user = next;
  for (const listener of listeners) listener(user);
}

/** @returns {{renewAt: number} | null} */
function readNote() {
  try {
    const note = JSON.parse(localStorage.getItem(NOTE_KEY) ?? "null");
    return note && typeof note.renewAt === "number" ? note : null;
  } catch {
    return null;
  }
}

/** @param {{renewAt: number} | null} note */
function writeNote(note) {
  try {
    if (note) localStorage.setItem(NOTE_KEY, JSON.stringify(note));
    else localStorage.removeItem(NOTE_KEY);
  } catch {
    /* private mode: the session still works for this page */
  }
}

function fresh() {
  writeNote({ renewAt: Date.now() + RENEW_AFTER_MS });
  schedule();
}

function schedule() {
  clearTimeout(timer);
  const note = readNote();
  if (note) timer = setTimeout(() => void renew(), Math.max(1000, note.renewAt - Date.now()));
}

function forget() {
  clearTimeout(timer);
  writeNote(null);
  if (user) setUser(null);
}

/**
 * Renew the cookies now (one request at a time, across tabs when the browser can lock).
 * @returns {Promise<boolean>} whether a session is still there
 */
export function renew() {
  renewing ??= withLock(async () => {
    const note = readNote();
    if (note && note.renewAt > Date.now() + 5000 && user) {
      schedule(); // another tab renewed meanwhile
      return true;
    }
    try {
      const renewed = await request("POST", "/api/v1/auth/session/refresh", { auth: false });
      fresh();
      if (!user || user.id !== renewed.id) setUser(renewed);
      return true;
    } catch {
      forget();
      return false;
    }
  }).finally(() => {
    renewing = null;
  });
  return renewing;
}

/**
 * @template T
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
function withLock(work) {
  return navigator.locks ? navigator.locks.request("vibe-session-renew", work) : work();
}

/** Renew first when the access cookie is (nearly) out of date; for callers about to stream. */
export async function ensureFresh() {
  const note = readNote();
  if (note && note.renewAt <= Date.now()) await renew();
}

/**
 * Pick up a session left by an earlier visit, if any. Never asks the server when no session is
 * expected, so a signed-out visit makes no failing request.
 * @returns {Promise<User | null>}
 */
export async function restore() {
  configureAuth(renew, forget);
  const note = readNote();
  if (!note) return null;
  if (note.renewAt <= Date.now() && !(await renew())) return null;
  try {
    setUser(await request("GET", "/api/v1/users/me"));
    schedule();
  } catch {
    forget();
  }
  return user;
}

/**
 * @param {string} email
 * @param {string} password
 * @returns {Promise<User>}
 */
export async function signIn(email, password) {
  const signedIn = await request("POST", "/api/v1/auth/session", { body: { email, password }, auth: false });
  fresh();
  setUser(signedIn);
  return signedIn;
}

/**
 * Register, then sign in with the same credentials.
 * @param {string} email
 * @param {string} password
 * @param {string} displayName
 */
export async function register(email, password, displayName) {
  /** @type {Record<string, string>} */
  const body = { email, password };
  if (displayName.trim()) body.display_name = displayName.trim();
  await request("POST", "/api/v1/users", { body, auth: false });
  return signIn(email, password);
}

export async function signOut() {
  try {
    await request("DELETE", "/api/v1/auth/session", { auth: false });
  } finally {
    forget();
  }
}
