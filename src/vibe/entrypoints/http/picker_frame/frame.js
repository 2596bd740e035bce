/*
 * vibe's element picker, injected by the server into the WORKSPACE preview only (`/w/{token}/...`),
 * never into share links (`/s/...`), `/preview/...` or the raw file route.
 *
 * It runs inside the generated page, in the page's own sandboxed, opaque-origin realm: the page's
 * scripts can read, replace or imitate everything here. So nothing here is trusted by the app: the
 * app (js/picker-host.js) checks every message for its source window and shape, and a message can at
 * most propose picks or a text edit that the person then confirms in the app. This script only draws
 * outlines and reports what the person pointed at.
 *
 * Protocol (window.postMessage, `vibe: "picker"`):
 *   app -> frame  {type: "mode", on, selected: [selector]}
 *   frame -> app  {type: "ready", path}
 *                 {type: "pick", add, path, selector, tag, text, html}
 *                 {type: "edit", path, selector, tag, before, after}
 *                 {type: "image", path, selector, tag, src}
 *                 {type: "exit"}
 */
(() => {
  "use strict";
  const parentWindow = window.parent;
  const post = (message) => parentWindow.postMessage({ vibe: "picker", ...message }, "*");
  const MAX_HTML = 20000;
  const LAYER = "vibe-picker-layer";

  let on = false;
  let current = null;
  let selected = [];
  let editing = null;
  let layer = null;
  let hoverBox = null;
  let label = null;
  let marks = null;

  function pagePath() {
    const parts = location.pathname.split("/").slice(3);
    const path = parts.map((p) => decodeURIComponent(p)).join("/");
    return path || "index.html";
  }

  // --- the selector ------------------------------------------------------------------------------

  const SIMPLE_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
  // Elements a parser adds on its own could be stepped over with a descendant combinator; the server's
  // parser adds the one that matters (a <tbody> around rows written straight in a <table>) as a
  // browser does, so none is skipped for now.
  const IMPLIED = new Set([]);

  function unique(selector, element) {
    try {
      const found = document.querySelectorAll(selector);
      return found.length === 1 && found[0] === element;
    } catch {
      return false;
    }
  }

  function step(node) {
    const name = node.localName;
    const plain = name === name.toLowerCase() && /^[a-z][a-z0-9-]*$/.test(name);
    const parent = node.parentElement;
    if (!plain) {
      const index = parent ? Array.prototype.indexOf.call(parent.children, node) + 1 : 1;
      return `*:nth-child(${index})`;
    }
    if (!parent) return name;
    const same = Array.prototype.filter.call(parent.children, (c) => c.localName === name);
    return same.length > 1 ? `${name}:nth-of-type(${same.indexOf(node) + 1})` : name;
  }

  const named = (node) => Boolean(node.id) && SIMPLE_ID.test(node.id) && unique(`#${node.id}`, node);

  /** A CSS selector that matches `element` alone, on the live page and on its file as written: the
   * shortest chain of steps up from it (tag, :nth-of-type among its siblings, or a unique id) that
   * is unique on the page. */
  function selectorFor(element) {
    if (named(element)) return `#${element.id}`;
    let selector = "";
    let combinator = " > ";
    for (let node = element; node && node !== document.documentElement; node = node.parentElement) {
      if (node !== element && IMPLIED.has(node.localName)) {
        combinator = " ";
        continue;
      }
      const part = node !== element && named(node) ? `#${node.id}` : step(node);
      selector = selector ? `${part}${combinator}${selector}` : part;
      combinator = " > ";
      if (unique(selector, element)) return selector;
    }
    return selector;
  }

  // --- drawing -----------------------------------------------------------------------------------

  function ensureLayer() {
    if (layer && layer.isConnected) return;
    layer = document.createElement(LAYER);
    const root = layer.attachShadow({ mode: "closed" });
    const style = document.createElement("style");
    style.textContent =
      ":host{all:initial;position:fixed;inset:0;pointer-events:none;z-index:2147483647}" +
      ".box{position:fixed;border:2px solid #6d5efc;border-radius:3px;background:rgb(109 94 252/8%);box-sizing:border-box}" +
      ".sel{border-color:#16a34a;background:rgb(22 163 74/8%)}" +
      ".label{position:fixed;font:600 11px/1.6 system-ui,sans-serif;color:#fff;background:#6d5efc;padding:0 6px;border-radius:3px;white-space:nowrap}";
    hoverBox = document.createElement("div");
    hoverBox.className = "box";
    label = document.createElement("div");
    label.className = "label";
    marks = document.createElement("div");
    root.append(style, marks, hoverBox, label);
    document.documentElement.append(layer);
  }

  function place(box, element) {
    const r = element.getBoundingClientRect();
    Object.assign(box.style, { left: `${r.left}px`, top: `${r.top}px`, width: `${r.width}px`, height: `${r.height}px` });
  }

  function draw() {
    if (!on) {
      if (layer) layer.remove();
      layer = null;
      return;
    }
    ensureLayer();
    hoverBox.hidden = label.hidden = !current;
    if (current) {
      place(hoverBox, current);
      const r = current.getBoundingClientRect();
      label.textContent = current.localName + (current.id ? `#${current.id}` : "");
      Object.assign(label.style, { left: `${Math.max(0, r.left)}px`, top: `${Math.max(0, r.top - 18)}px` });
    }
    marks.replaceChildren(
      ...selected.flatMap((selector) => {
        let element = null;
        try {
          element = document.querySelector(selector);
        } catch {
          /* not ours to fix */
        }
        if (!element) return [];
        const box = document.createElement("div");
        box.className = "box sel";
        place(box, element);
        return [box];
      }),
    );
  }

  // --- picking -----------------------------------------------------------------------------------

  const pickable = (node) =>
    node && node.nodeType === 1 && node.localName !== LAYER && node !== document.documentElement && node !== document.body && node.localName !== "head";

  function elements() {
    return Array.prototype.filter.call(document.body ? document.body.querySelectorAll("*") : [], (el) => {
      if (!pickable(el) || ["script", "style", "template", "noscript"].includes(el.localName)) return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    });
  }

  function describe(element) {
    const html = element.outerHTML;
    return {
      path: pagePath(),
      selector: selectorFor(element),
      tag: element.localName,
      text: (element.textContent || "").replace(/\s+/g, " ").trim().slice(0, 200),
      html: html.length > MAX_HTML ? null : html,
    };
  }

  function pick(element, add) {
    post({ type: "pick", add: Boolean(add), ...describe(element) });
  }

  function textElement(element) {
    return Array.prototype.every.call(element.childNodes, (n) => n.nodeType === 3) && (element.textContent || "").trim() !== "";
  }

  function startEdit(element) {
    if (!textElement(element)) return;
    const before = element.textContent;
    const info = describe(element);
    editing = { element, before, info };
    element.setAttribute("contenteditable", "plaintext-only");
    element.focus();
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function endEdit(commit) {
    if (!editing) return;
    const { element, before, info } = editing;
    editing = null;
    element.removeAttribute("contenteditable");
    const after = (element.textContent || "").replace(/\s*\n\s*/g, " ");
    if (!commit || after === before) {
      element.textContent = before;
      return;
    }
    post({ type: "edit", path: info.path, selector: info.selector, tag: info.tag, before, after });
  }

  // Exposed for vibe's own tests of the selector; the page could call it as well, which gains it nothing.
  window.__vibePickerSelector = selectorFor;
  if (!parentWindow || parentWindow === window) return; // opened on its own: nothing to talk to

  document.addEventListener(
    "mouseover",
    (event) => {
      if (!on || editing) return;
      const target = event.target;
      if (pickable(target)) {
        current = target;
        draw();
      }
    },
    true,
  );
  for (const type of ["click", "mousedown", "mouseup", "submit", "auxclick"]) {
    document.addEventListener(
      type,
      (event) => {
        if (!on || (editing && editing.element.contains(event.target))) return;
        event.preventDefault();
        event.stopPropagation();
        if (type === "click" && pickable(event.target) && event.detail < 2) {
          current = event.target;
          pick(current, event.shiftKey);
          draw();
        }
      },
      true,
    );
  }
  document.addEventListener(
    "dblclick",
    (event) => {
      if (!on || editing) return;
      event.preventDefault();
      event.stopPropagation();
      const target = event.target;
      if (target && target.localName === "img") {
        const info = describe(target);
        const src = (target.getAttribute("src") || "").slice(0, 1024);
        post({ type: "image", path: info.path, selector: info.selector, tag: "img", src });
      } else if (pickable(target)) startEdit(target);
    },
    true,
  );
  document.addEventListener(
    "keydown",
    (event) => {
      if (!on) return;
      if (editing) {
        if (event.key === "Enter" && !event.shiftKey) {
          event.preventDefault();
          endEdit(true);
        } else if (event.key === "Escape") {
          event.preventDefault();
          endEdit(false);
        }
        event.stopPropagation();
        return;
      }
      const list = elements();
      const at = current ? list.indexOf(current) : -1;
      if (["ArrowDown", "ArrowRight", "ArrowUp", "ArrowLeft"].includes(event.key)) {
        const forward = event.key === "ArrowDown" || event.key === "ArrowRight";
        const next = list[forward ? Math.min(list.length - 1, at + 1) : Math.max(0, at - 1)];
        if (next) {
          current = next;
          current.scrollIntoView({ block: "nearest" });
          draw();
        }
      } else if (event.key === "Enter" && current) {
        pick(current, event.shiftKey);
      } else if (event.key === "F2" && current) {
        startEdit(current);
      } else if (event.key === "Escape") {
        post({ type: "exit" });
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    },
    true,
  );
  addEventListener("scroll", () => on && draw(), true);
  addEventListener("resize", () => on && draw());

  addEventListener("message", (event) => {
    if (event.source !== parentWindow) return;
    const data = event.data;
    if (!data || data.vibe !== "picker" || data.type !== "mode") return;
    on = data.on === true;
    selected = Array.isArray(data.selected) ? data.selected.filter((s) => typeof s === "string").slice(0, 10) : [];
    if (!on) {
      current = null;
      endEdit(false);
    }
    draw();
  });

  post({ type: "ready", path: pagePath() });
})();
