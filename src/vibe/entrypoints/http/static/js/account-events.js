/**
 * The live changes of the signed-in account (`GET /api/v1/events`): new projects, renames and
 * deletions, new versions and the status of generations, made in this tab, another tab, another
 * device or `vibe generate`. The browser's EventSource reconnects by itself with `Last-Event-ID`;
 * when it gives up (an expired cookie, say) the session is renewed and the stream reopened after the
 * last id handled. Each event is handled once, whatever the transport does.
 */

import { ensureFresh, renew } from "./session.js";

const NAMES = ["project", "version", "session"];

/**
 * @param {(name: "project" | "version" | "session", data: any) => void} onEvent
 * @returns {{close: () => void}}
 */
export function followAccount(onEvent) {
  /** @type {EventSource | null} */
  let source = null;
  let lastId = 0;
  let failures = 0;
  let closed = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  async function open() {
    await ensureFresh();
    if (closed) return;
    const current = new EventSource(lastId ? `/api/v1/events?last_event_id=${lastId}` : "/api/v1/events");
    source = current;
    current.onopen = () => {
      failures = 0;
      document.body.dataset.accountEvents = "live";
    };
    current.onerror = () => {
      if (closed || current !== source || current.readyState !== EventSource.CLOSED) return;
      failures += 1;
      clearTimeout(timer);
      timer = setTimeout(
        async () => {
          await renew();
          void open();
        },
        Math.min(15000, 500 * 2 ** Math.min(failures, 5)),
      );
    };
    for (const name of NAMES) {
      current.addEventListener(name, (event) => {
        const message = /** @type {MessageEvent} */ (event);
        const id = Number(message.lastEventId);
        if (!Number.isFinite(id) || id <= lastId) return;
        lastId = id;
        try {
          onEvent(/** @type {any} */ (name), JSON.parse(message.data));
        } catch {
          /* a bad event must not stop the others */
        }
      });
    }
  }

  void open();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      source?.close();
      source = null;
      delete document.body.dataset.accountEvents;
    },
  };
}
