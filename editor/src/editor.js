// The Code tab's editor: CodeMirror 6 with the languages of a vibe site, search, line numbers and
// Ctrl/Cmd+S, bundled by scripts/build-editor.sh into src/vibe/entrypoints/http/static/vendor/codemirror.js
// (one ES module served from vibe's own origin under its strict CSP; nothing comes from a CDN).
//
// The editor lives in a shadow root of its host element: there CodeMirror's styles go into adopted
// (constructed) stylesheets rather than <style> elements, which the app's CSP (style-src 'self', no
// 'unsafe-inline') would block. Its colours are the app's CSS variables (--tok-*, --code-bg...), which
// inherit into the shadow root, so light and dark themes follow the app. Lezer parsers are
// error-tolerant: half-written files stream in coloured as far as they go.

import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { css } from "@codemirror/lang-css";
import { html } from "@codemirror/lang-html";
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { markdown } from "@codemirror/lang-markdown";
import { xml } from "@codemirror/lang-xml";
import { HighlightStyle, bracketMatching, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState, StateEffect, StateField } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";

const LANGUAGES = {
  html: () => html(),
  htm: () => html(),
  css: () => css(),
  js: () => javascript(),
  mjs: () => javascript(),
  cjs: () => javascript(),
  json: () => json(),
  md: () => markdown(),
  svg: () => xml(),
  xml: () => xml(),
};

/** @param {string} path */
function languageFor(path) {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  const make = LANGUAGES[ext];
  return make ? make() : [];
}

const colours = HighlightStyle.define([
  { tag: [tags.keyword, tags.bool, tags.atom, tags.null], color: "var(--tok-kw)", fontWeight: "600" },
  { tag: [tags.string, tags.special(tags.string), tags.regexp, tags.url], color: "var(--tok-str)" },
  { tag: tags.comment, color: "var(--tok-com)", fontStyle: "italic" },
  { tag: [tags.number, tags.unit], color: "var(--tok-num)" },
  { tag: [tags.tagName, tags.typeName], color: "var(--tok-tag)" },
  { tag: tags.attributeName, color: "var(--tok-attr)" },
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: "var(--tok-prop)" },
  { tag: [tags.function(tags.variableName), tags.definition(tags.variableName)], color: "var(--tok-fn)" },
  { tag: [tags.className, tags.labelName, tags.constant(tags.name)], color: "var(--tok-sel)" },
  { tag: [tags.operator, tags.punctuation, tags.bracket, tags.angleBracket, tags.meta], color: "var(--muted)" },
  { tag: tags.heading, fontWeight: "700", color: "var(--tok-tag)" },
  { tag: tags.strong, fontWeight: "700" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.link, textDecoration: "underline" },
  { tag: tags.invalid, color: "#d03050" },
]);

const theme = EditorView.theme({
  "&": { height: "100%", color: "var(--text)", backgroundColor: "var(--code-bg)", fontSize: "13px" },
  "&.cm-focused": { outline: "2px solid var(--accent)", outlineOffset: "-2px" },
  ".cm-scroller": { fontFamily: "var(--mono)", lineHeight: "1.6" },
  ".cm-gutters": {
    backgroundColor: "var(--code-bg)",
    color: "var(--tok-com)",
    borderRight: "1px solid var(--border)",
  },
  ".cm-activeLine, .cm-activeLineGutter": {
    backgroundColor: "color-mix(in srgb, var(--accent) 7%, transparent)",
  },
  ".cm-marked": {
    backgroundColor: "color-mix(in srgb, var(--warn) 16%, transparent)",
    boxShadow: "inset 3px 0 0 var(--warn)",
  },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground": {
    backgroundColor: "color-mix(in srgb, var(--accent) 28%, transparent)",
  },
  ".cm-searchMatch": { backgroundColor: "color-mix(in srgb, var(--warn) 30%, transparent)" },
  ".cm-panels": { backgroundColor: "var(--surface-2)", color: "var(--text)" },
  ".cm-panels-top": { borderBottom: "1px solid var(--border)" },
  ".cm-textfield, .cm-button": { font: "inherit", fontSize: "12px", color: "var(--text)" },
});

/** The shadow root the editor lives in, sized to its host. */
function shadowOf(host) {
  const root = host.shadowRoot ?? host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(":host{display:block;height:100%;min-height:0}.cm-host{height:100%}");
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const mount = document.createElement("div");
  mount.className = "cm-host";
  root.append(mount);
  return { root, mount };
}

const setMark = StateEffect.define();
const markLine = Decoration.line({ class: "cm-marked" });
const marks = StateField.define({
  create: () => Decoration.none,
  update(value, tr) {
    value = value.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setMark)) {
        const range = effect.value;
        if (!range) {
          value = Decoration.none;
          continue;
        }
        const doc = tr.state.doc;
        const from = doc.lineAt(Math.min(range[0], doc.length)).number;
        const to = doc.lineAt(Math.min(Math.max(range[1] - 1, range[0]), doc.length)).number;
        const lines = [];
        for (let n = from; n <= to; n++) lines.push(markLine.range(doc.line(n).from));
        value = Decoration.set(lines);
      }
    }
    return value;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/**
 * An editor in `parent`.
 * @param {HTMLElement} parent
 * @param {{onSave?: () => void, onChange?: (text: string) => void, label?: string}} options
 */
export function createEditor(parent, { onSave, onChange, label = "Code" } = {}) {
  const language = new Compartment();
  const readOnly = new Compartment();
  const lockedExtensions = [EditorState.readOnly.of(true), EditorView.editable.of(false)];
  let locked = true;
  let silent = false;
  const extensions = [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    closeBrackets(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    search({ top: true }),
    syntaxHighlighting(colours),
    theme,
    marks,
    language.of([]),
    readOnly.of(lockedExtensions),
    EditorView.contentAttributes.of({ "aria-label": label }),
    keymap.of([
      { key: "Mod-s", preventDefault: true, run: () => (onSave?.(), true) },
      ...closeBracketsKeymap,
      ...searchKeymap,
      ...historyKeymap,
      indentWithTab,
      ...defaultKeymap,
    ]),
    EditorView.updateListener.of((update) => {
      if (update.docChanged && !silent) onChange?.(update.state.doc.toString());
    }),
  ];
  const { root, mount } = shadowOf(parent);
  const view = new EditorView({ parent: mount, root, state: EditorState.create({ doc: "", extensions }) });

  /** @param {string} path @param {unknown[]} effects */
  function configured(path, effects = []) {
    return [
      language.reconfigure(languageFor(path)),
      readOnly.reconfigure(locked ? lockedExtensions : []),
      ...effects,
    ];
  }

  return {
    view,
    /**
     * Show a file's text as a new document (the undo history starts again: no undoing into another file).
     * @param {string} path
     * @param {string} text
     */
    show(path, text) {
      view.setState(EditorState.create({ doc: text, extensions }));
      silent = true;
      try {
        view.dispatch({ effects: configured(path) });
      } finally {
        silent = false;
      }
    },
    /**
     * Follow a file being written: the text (usually the shown text plus a delta) in its language.
     * @param {string} path
     * @param {string} text
     * @param {[number, number] | null} mark the range of the last edit, coloured and scrolled to
     * @param {boolean} stickToEnd keep the end in view
     */
    stream(path, text, mark, stickToEnd) {
      const old = view.state.doc.toString();
      const changes = text.startsWith(old)
        ? { from: old.length, insert: text.slice(old.length) }
        : { from: 0, to: old.length, insert: text };
      silent = true;
      try {
        view.dispatch({ changes, effects: configured(path, [setMark.of(mark)]) });
      } finally {
        silent = false;
      }
      const at = mark ? Math.min(mark[0], text.length) : text.length;
      if (mark || stickToEnd)
        view.dispatch({ effects: EditorView.scrollIntoView(at, { y: mark ? "center" : "end" }) });
    },
    /** @param {boolean} next */
    setReadOnly(next) {
      locked = next;
      view.dispatch({ effects: readOnly.reconfigure(locked ? lockedExtensions : []) });
    },
    get readOnly() {
      return locked;
    },
    text() {
      return view.state.doc.toString();
    },
    focus() {
      view.focus();
    },
    /** Whether the end of the document is in view (a stream then keeps it there). */
    atEnd() {
      const s = view.scrollDOM;
      return s.scrollTop + s.clientHeight >= s.scrollHeight - 48;
    },
  };
}
