/**
 * Following a generation's event stream (SSE) without losing or repeating an event.
 *
 * The browser's EventSource reconnects by itself after a dropped connection and sends the last id it
 * saw as `Last-Event-ID`; the server then sends only what came after. When the browser gives up (a
 * refused reconnection, for instance because the access cookie expired meanwhile), this module renews
 * the session and opens a new stream at `?last_event_id=N`. Every event's id is checked, so nothing
 * is ever handled twice whatever the transport does. The stream is closed on `done` or `error` (the
 * server ends it there; left open, EventSource would reconnect forever).
 */

import { ensureFresh, renew } from "./session.js";

const MAX_FAILURES = 8;

export const EVENT_NAMES = /** @type {const} */ ([
  "status",
  "text",
  "file_start",
  "file_delta",
  "file_end",
  "file_edit",
  "usage",
  "restart",
  "done",
  "error",
]);

/**
 * @typedef {"connecting" | "live" | "reconnecting" | "closed" | "failed"} Connection
 * @typedef {{
 *   onEvent: (name: string, data: any, id: number) => void,
 *   onConnection?: (state: Connection) => void,
 * }} Handlers
 */

export class EventStream {
  /**
   * @param {string} url the session's `stream_url`
   * @param {Handlers} handlers
   * @param {number} [after] the id of the last event already handled
   */
  constructor(url, handlers, after = 0) {
    this.url = url;
    this.handlers = handlers;
    /** The id of the last event handled. */
    this.lastId = after;
    /** How many connections were opened (1 plus reconnections), for the curious. */
    this.connections = 0;
    this.closed = false;
    /** @type {EventSource | null} */
    this.source = null;
    this.failures = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    void this.open();
  }

  async open() {
    if (this.closed) return;
    await ensureFresh();
    if (this.closed) return;
    const url = this.lastId > 0 ? `${this.url}?last_event_id=${this.lastId}` : this.url;
    const source = new EventSource(url);
    this.source = source;
    this.connections += 1;
    this.handlers.onConnection?.(this.connections > 1 ? "reconnecting" : "connecting");
    source.onopen = () => {
      this.failures = 0;
      this.handlers.onConnection?.("live");
    };
    source.onerror = () => this.lost(source);
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (event) => this.handle(/** @type {MessageEvent} */ (event)));
    }
  }

  /** @param {MessageEvent} event */
  handle(event) {
    if (this.closed) return;
    const id = Number(event.lastEventId);
    if (!Number.isFinite(id) || id <= this.lastId) return; // already handled: never twice
    this.lastId = id;
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    this.handlers.onEvent(event.type, data, id);
    if (event.type === "done" || event.type === "error") this.close();
  }

  /** @param {EventSource} source */
  lost(source) {
    if (this.closed || source !== this.source) return;
    this.handlers.onConnection?.("reconnecting");
    if (source.readyState !== EventSource.CLOSED) return; // the browser retries with Last-Event-ID
    // The browser gave up: renew the session (the usual cause) and reopen after a growing pause.
    this.failures += 1;
    if (this.failures > MAX_FAILURES) {
      this.close("failed");
      return;
    }
    const pause = Math.min(15000, 500 * 2 ** Math.min(this.failures, 5));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(async () => {
      if (this.failures > 1) await renew();
      void this.open();
    }, pause);
  }

  /** @param {Connection} [state] */
  close(state = "closed") {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.source?.close();
    this.source = null;
    this.handlers.onConnection?.(state);
  }
}
