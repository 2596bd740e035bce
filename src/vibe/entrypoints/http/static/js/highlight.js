/**
 * Simple syntax colouring of the diff view (diff-view.js) for HTML/SVG, CSS, JavaScript, JSON, Markdown;
 * the Code tab uses CodeMirror (vendor/codemirror.js).
 * Tolerant of half-written text, since it colours files while they stream in. The result is DOM
 * (spans with text), never markup parsed from the file.
 */

/** @typedef {[string, string]} Token a class ("" for plain text) and its text */
/** @typedef {[RegExp, string | ((match: RegExpExecArray) => string)][]} Rules sticky patterns, first wins */

const JS_KEYWORDS = new Set(
  (
    "async await break case catch class const continue debugger default delete do else export extends " +
    "finally for from function if import in instanceof let new of return static super switch this throw " +
    "try typeof var void while with yield"
  ).split(" "),
);
const JS_LITERALS = new Set(["true", "false", "null", "undefined", "NaN", "Infinity"]);

/** @type {Rules} */
const JS_RULES = [
  [/\/\/[^\n]*/y, "com"],
  [/\/\*[\s\S]*?(?:\*\/|$)/y, "com"],
  [/`(?:\\[\s\S]|[^`\\])*`?/y, "str"],
  [/"(?:\\.|[^"\\\n])*"?/y, "str"],
  [/'(?:\\.|[^'\\\n])*'?/y, "str"],
  [/(?:0[xX][\da-fA-F]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)n?\b/y, "num"],
  [
    /[A-Za-z_$][\w$]*(\s*\()?/y,
    (match) => {
      const word = match[0].replace(/\s*\($/, "");
      if (JS_KEYWORDS.has(word)) return "kw";
      if (JS_LITERALS.has(word)) return "num";
      return match[1] ? "fn" : "";
    },
  ],
];

/** @type {Rules} */
const JSON_RULES = [
  [/"(?:\\.|[^"\\\n])*"?(\s*:)?/y, (match) => (match[1] ? "prop" : "str")],
  [/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y, "num"],
  [/\b(?:true|false|null)\b/y, "kw"],
];

/** @type {Rules} */
const MARKDOWN_RULES = [
  [/(?<=^|\n)#{1,6} [^\n]*/y, "kw"],
  [/`[^`\n]*`?/y, "str"],
  [/\*\*[^*\n]+\*\*/y, "attr"],
  [/\[[^\]\n]*\]\([^)\n]*\)/y, "fn"],
  [/(?<=^|\n)\s*(?:[-*+]|\d+\.) /y, "punc"],
];

/**
 * The language to colour a path as.
 * @param {string} path
 */
export function languageOf(path) {
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  if (["html", "htm", "svg", "xml"].includes(extension)) return "html";
  if (["js", "mjs", "cjs"].includes(extension)) return "js";
  if (["css", "json", "md"].includes(extension)) return extension;
  return "text";
}

/**
 * Split `text` into coloured tokens.
 * @param {string} text
 * @param {string} language
 * @returns {Token[]}
 */
export function tokenize(text, language) {
  if (language === "html") return html(text);
  if (language === "css") return css(text);
  if (language === "js") return scan(text, JS_RULES);
  if (language === "json") return scan(text, JSON_RULES);
  if (language === "md") return scan(text, MARKDOWN_RULES);
  return [["", text]];
}

/**
 * @param {string} text
 * @param {Rules} rules
 * @returns {Token[]}
 */
function scan(text, rules) {
  /** @type {Token[]} */
  const out = [];
  let index = 0;
  let plainFrom = 0;
  while (index < text.length) {
    let advanced = false;
    for (const [pattern, kind] of rules) {
      pattern.lastIndex = index;
      const match = pattern.exec(text);
      if (!match || !match[0]) continue;
      if (plainFrom < index) out.push(["", text.slice(plainFrom, index)]);
      out.push([typeof kind === "function" ? kind(match) : kind, match[0]]);
      index += match[0].length;
      plainFrom = index;
      advanced = true;
      break;
    }
    if (!advanced) index += 1;
  }
  if (plainFrom < text.length) out.push(["", text.slice(plainFrom)]);
  return out;
}

/**
 * CSS, with a brace depth so selectors and property names are told apart.
 * @param {string} text
 * @returns {Token[]}
 */
function css(text) {
  let depth = 0;
  /** @type {Rules} */
  const rules = [
    [/\/\*[\s\S]*?(?:\*\/|$)/y, "com"],
    [/"(?:\\.|[^"\\\n])*"?|'(?:\\.|[^'\\\n])*'?/y, "str"],
    [/@[\w-]+/y, "kw"],
    [/[{}]/y, (match) => ((depth = Math.max(0, depth + (match[0] === "{" ? 1 : -1))), "punc")],
    [/--?[A-Za-z_][\w-]*(?=\s*:(?!:))/y, () => (depth > 0 ? "prop" : "sel")],
    [/#[\da-fA-F]{3,8}\b/y, () => (depth > 0 ? "num" : "sel")],
    [/-?(?:\d+\.?\d*|\.\d+)(?:%|[a-zA-Z]+)?/y, () => (depth > 0 ? "num" : "sel")],
    [/!important/y, "kw"],
    [/[^\s{};:,()"'/]+/y, () => (depth > 0 ? "" : "sel")],
  ];
  return scan(text, rules);
}

/**
 * HTML (and SVG): tags, attributes and their values, comments; the insides of `<style>` and
 * `<script>` are coloured as CSS and JavaScript.
 * @param {string} text
 * @returns {Token[]}
 */
function html(text) {
  /** @type {Token[]} */
  const out = [];
  let index = 0;
  while (index < text.length) {
    const open = text.indexOf("<", index);
    if (open < 0) {
      out.push(["", text.slice(index)]);
      break;
    }
    if (open > index) out.push(["", text.slice(index, open)]);
    if (text.startsWith("<!--", open)) {
      const end = text.indexOf("-->", open + 4);
      const stop = end < 0 ? text.length : end + 3;
      out.push(["com", text.slice(open, stop)]);
      index = stop;
      continue;
    }
    const name = /^<\/?[A-Za-z!][\w:.-]*/.exec(text.slice(open, open + 64));
    if (!name) {
      out.push(["", "<"]);
      index = open + 1;
      continue;
    }
    out.push(["tag", name[0]]);
    index = tag(text, open + name[0].length, out);
    const element = name[0].slice(1).toLowerCase();
    if ((element === "style" || element === "script") && index <= text.length) {
      const close = text.toLowerCase().indexOf(`</${element}`, index);
      const stop = close < 0 ? text.length : close;
      out.push(...tokenize(text.slice(index, stop), element === "style" ? "css" : "js"));
      index = stop;
    }
  }
  return out;
}

/**
 * The attributes of a tag up to its `>`; returns the index after it.
 * @param {string} text
 * @param {number} index
 * @param {Token[]} out
 */
function tag(text, index, out) {
  const pattern = /\s+|\/?>|[^\s=>/"']+|=|"[^"]*"?|'[^']*'?|\//y;
  while (index < text.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) break;
    const piece = match[0];
    index += piece.length;
    if (piece.endsWith(">")) {
      out.push(["tag", piece]);
      return index;
    }
    if (/^\s/.test(piece) || piece === "=" || piece === "/") out.push(["", piece]);
    else if (piece[0] === '"' || piece[0] === "'") out.push(["str", piece]);
    else out.push(["attr", piece]);
  }
  return index;
}

/**
 * Render `text` into `target` as coloured lines (`.line` spans, each ending with its newline, so the
 * element's text is exactly `text`). Lines overlapping `mark` ([start, end) offsets) are highlighted.
 * @param {HTMLElement} target
 * @param {string} text
 * @param {string} language
 * @param {[number, number] | null} [mark]
 * @returns {HTMLElement | null} the first marked line
 */
export function renderCode(target, text, language, mark = null) {
  const fragment = document.createDocumentFragment();
  let offset = 0;
  let line = newLine();
  let lineStart = 0;
  /** @type {HTMLElement | null} */
  let firstMarked = null;
  const finishLine = () => {
    if (mark && lineStart < Math.max(mark[1], mark[0] + 1) && offset > mark[0]) {
      line.classList.add("is-marked");
      firstMarked ??= line;
    }
    fragment.append(line);
  };
  for (const [kind, piece] of tokenize(text, language)) {
    const parts = piece.split("\n");
    parts.forEach((part, index) => {
      if (index > 0) {
        line.append("\n");
        offset += 1;
        finishLine();
        line = newLine();
        lineStart = offset;
      }
      if (part) {
        if (kind) {
          const span = document.createElement("span");
          span.className = `tok-${kind}`;
          span.textContent = part;
          line.append(span);
        } else {
          line.append(part);
        }
        offset += part.length;
      }
    });
  }
  finishLine();
  target.replaceChildren(fragment);
  return firstMarked;
}

function newLine() {
  const line = document.createElement("span");
  line.className = "line";
  return line;
}
