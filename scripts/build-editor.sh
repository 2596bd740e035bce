#!/bin/sh
# Rebuild the Code tab's editor bundle (src/vibe/entrypoints/http/static/vendor/codemirror.js) from
# editor/src/editor.js and the exact versions pinned in editor/package-lock.json: CodeMirror 6 and its
# language packages, bundled by esbuild into one minified ES module. Needs Node 20 and npm.
set -eu
cd "$(dirname "$0")/../editor"
npm ci --no-audit --no-fund
npm run build
