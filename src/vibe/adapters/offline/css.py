"""The shared stylesheet: the palette block, then layout, type, header, hero, cards, sections, forms and
footer. Each template appends its own rules; every colour is a variable from the palette.
"""

from __future__ import annotations

from vibe.adapters.offline.palettes import palette_css

__all__ = ["stylesheet"]

_BASE = """
*, *::before, *::after { box-sizing: border-box; }
html { scroll-behavior: smooth; scroll-padding-top: 5rem; -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 1.0625rem;
  line-height: 1.6;
  color: var(--text);
  background: var(--bg);
  -webkit-font-smoothing: antialiased;
}
svg { max-width: 100%; }
[hidden] { display: none !important; }
h1, h2, h3 { line-height: 1.15; margin: 0 0 0.5em; letter-spacing: -0.02em; text-wrap: balance; }
h1 { font-size: clamp(2.3rem, 4vw + 1rem, 4rem); }
h2 { font-size: clamp(1.6rem, 2vw + 1rem, 2.4rem); }
h3 { font-size: 1.2rem; }
p { margin: 0 0 1em; }
a { color: var(--accent); text-underline-offset: 0.2em; }
a:hover { color: var(--accent-strong); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 4px; }
.container { width: min(1120px, 100% - 2.5rem); margin-inline: auto; }
.muted { color: var(--muted); }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
.skip-link {
  position: absolute; left: 1rem; top: -4rem; z-index: 20; padding: 0.6rem 1rem; border-radius: 8px;
  background: var(--accent); color: var(--on-accent);
}
.skip-link:focus { top: 1rem; }

/* Header */
.site-header {
  position: sticky; top: 0; z-index: 10;
  background: var(--bg);
  background: color-mix(in srgb, var(--bg) 82%, transparent);
  backdrop-filter: blur(12px);
  border-bottom: 1px solid var(--border);
}
.header-inner { display: flex; align-items: center; gap: 1.5rem; min-height: 4.25rem; }
.brand {
  display: inline-flex; align-items: center; gap: 0.6rem; font-weight: 700; font-size: 1.1rem;
  color: var(--text); text-decoration: none; min-width: 0;
}
.brand-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 16rem; }
.logo { width: 2rem; height: 2rem; flex: none; }
.logo rect { fill: var(--accent); }
.logo text { fill: var(--on-accent); font: 700 16px/1 system-ui, sans-serif; }
.site-nav { margin-left: auto; overflow-x: auto; }
.nav-links { display: flex; gap: 0.25rem; margin: 0; padding: 0; list-style: none; }
.nav-links a {
  display: block; padding: 0.45rem 0.8rem; border-radius: 999px; color: var(--muted);
  text-decoration: none; font-weight: 500; white-space: nowrap;
}
.nav-links a:hover { color: var(--text); background: var(--surface-2); }
.header-actions { display: flex; align-items: center; gap: 0.5rem; }
.theme-toggle, .icon-button {
  display: inline-grid; place-items: center; width: 2.5rem; height: 2.5rem; border-radius: 999px;
  border: 1px solid var(--border); background: var(--surface); color: var(--text); cursor: pointer;
}
.theme-toggle .icon { width: 1.2rem; height: 1.2rem; }
.theme-toggle .icon-sun, [data-theme="alt"] .theme-toggle .icon-moon { display: none; }
[data-theme="alt"] .theme-toggle .icon-sun { display: block; }

/* Buttons */
.button {
  display: inline-flex; align-items: center; justify-content: center; gap: 0.5rem;
  padding: 0.75rem 1.35rem; border: 1px solid transparent; border-radius: 999px; cursor: pointer;
  font: inherit; font-weight: 600; text-decoration: none;
  background: var(--accent); color: var(--on-accent);
  box-shadow: 0 8px 24px -12px var(--accent);
  transition: transform 0.15s ease, background 0.15s ease;
}
.button:hover { background: var(--accent-strong); color: var(--on-accent); transform: translateY(-1px); }
.button-ghost { background: transparent; color: var(--text); border-color: var(--border); box-shadow: none; }
.button-ghost:hover { background: var(--surface-2); color: var(--text); }
.button-block { width: 100%; }
.button:disabled { opacity: 0.5; cursor: not-allowed; transform: none; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; margin-top: 1.5rem; }

/* Hero */
.hero {
  padding: clamp(3rem, 8vw, 6.5rem) 0 clamp(2.5rem, 6vw, 5rem);
  background: radial-gradient(60rem 30rem at 85% -10%, var(--accent-soft), transparent 70%);
}
.hero-inner { display: grid; gap: 3rem; align-items: center; }
.eyebrow {
  display: inline-block; margin-bottom: 0.9rem; padding: 0.3rem 0.8rem; border-radius: 999px;
  background: var(--accent-soft); color: var(--accent-strong); font-size: 0.85rem; font-weight: 600;
  letter-spacing: 0.02em;
}
.lead { font-size: clamp(1.1rem, 0.6vw + 1rem, 1.3rem); color: var(--muted); max-width: 40rem; }
.brief { font-size: 0.95rem; color: var(--muted); max-width: 40rem; font-style: italic; }
.art { width: 100%; height: auto; display: block; }
.art-panel { fill: var(--surface); stroke: var(--border); }
.art-glow { fill: var(--accent-soft); }
.art-ring { fill: none; stroke: var(--accent); stroke-width: 10; opacity: 0.35; }
.art-bar { fill: var(--accent); opacity: 0.8; }
.art-bar-soft { fill: var(--border); opacity: 1; }
.art-icon { stroke: var(--accent); }
.art-dot { fill: var(--border); }

/* Sections */
.section { padding: clamp(3rem, 7vw, 5.5rem) 0; }
.section:nth-of-type(even) { background: var(--surface-2); }
.section-intro { color: var(--muted); max-width: 42rem; margin-bottom: 2rem; }
.cards { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); }
.card, .quote, .tier, .person, .form-card, .panel {
  background: var(--surface); border: 1px solid var(--border); border-radius: 18px; padding: 1.5rem;
  box-shadow: 0 1px 2px rgb(var(--shadow-rgb) / 6%), 0 12px 32px -18px rgb(var(--shadow-rgb) / 30%);
}
.card h3 { margin-top: 0.9rem; }
.card p:last-child { margin-bottom: 0; color: var(--muted); }
.card-icon {
  display: inline-grid; place-items: center; width: 2.75rem; height: 2.75rem; border-radius: 12px;
  background: var(--accent-soft); color: var(--accent);
}
.band { padding: 2.5rem 0; border-block: 1px solid var(--border); background: var(--surface); }
.stats { display: grid; gap: 1.5rem; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); margin: 0; }
.stat { display: flex; flex-direction: column-reverse; text-align: center; }
.stat dd { margin: 0; font-size: clamp(2rem, 3vw + 1rem, 2.8rem); font-weight: 800; color: var(--accent); }
.stat dt { color: var(--muted); }
.quotes { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); }
.quote { margin: 0; display: flex; flex-direction: column; justify-content: space-between; }
.quote blockquote { margin: 0 0 1.25rem; font-size: 1.05rem; }
.quote blockquote p::before { content: "“"; color: var(--accent); font-size: 1.6em; line-height: 0; }
.quote figcaption { display: flex; align-items: center; gap: 0.75rem; }
.avatar {
  display: inline-grid; place-items: center; width: 2.5rem; height: 2.5rem; border-radius: 50%; flex: none;
  background: var(--accent); color: var(--on-accent); font-weight: 700;
}
.avatar-lg { width: 4.5rem; height: 4.5rem; font-size: 1.4rem; }
.faq-list { display: grid; gap: 0.75rem; max-width: 48rem; }
.faq-item {
  background: var(--surface); border: 1px solid var(--border); border-radius: 14px; padding: 0 1.25rem;
}
.faq-item summary { cursor: pointer; padding: 1rem 0; font-weight: 600; }
.faq-item[open] summary { color: var(--accent); }
.faq-item p { color: var(--muted); }
.cta-panel {
  display: grid; gap: 1.5rem; align-items: center; padding: clamp(1.5rem, 4vw, 3rem); border-radius: 24px;
  background: linear-gradient(135deg, var(--accent-soft), var(--surface)); border: 1px solid var(--border);
}
.tiers { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); }
.tier-featured { border: 2px solid var(--accent); }
.tier-price { font-size: 2.2rem; font-weight: 800; margin: 0.25rem 0; }
.tier-price small { font-size: 1rem; font-weight: 500; color: var(--muted); }
.checks { list-style: none; padding: 0; margin: 1rem 0 0; display: grid; gap: 0.5rem; }
.checks li { display: flex; gap: 0.5rem; align-items: flex-start; }
.checks .icon { color: var(--accent); width: 1.2rem; height: 1.2rem; flex: none; margin-top: 0.2rem; }
.people { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); }
.person { text-align: center; }
.person h3 { margin: 0.9rem 0 0.2rem; }
.gallery { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }
.tile { margin: 0; }
.hours { border-collapse: collapse; min-width: min(100%, 28rem); }
.hours th, .hours td {
  text-align: left; padding: 0.75rem 1.5rem 0.75rem 0; border-bottom: 1px solid var(--border);
}
.menu-list { list-style: none; padding: 0; margin: 0; max-width: 40rem; }
.menu-list li {
  display: flex; justify-content: space-between; gap: 1rem; padding: 0.8rem 0;
  border-bottom: 1px dashed var(--border);
}

/* Filters and tags */
.posts-head {
  display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 1rem;
  margin-bottom: 1.5rem;
}
.posts-head h2 { margin: 0; }
.chips { display: flex; flex-wrap: wrap; gap: 0.5rem; }
.chips button {
  border: 1px solid var(--border); border-radius: 999px; padding: 0.4rem 0.9rem; cursor: pointer;
  font: inherit; font-weight: 600; background: var(--surface); color: var(--muted);
}
.chips button[aria-pressed="true"] {
  background: var(--accent); border-color: var(--accent); color: var(--on-accent);
}
.tag {
  margin: 0; color: var(--accent); font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em;
  font-size: 0.78rem;
}
.table-scroll { overflow-x: auto; }

/* Forms */
.form-card { display: grid; gap: 1rem; max-width: 44rem; }
.field { display: grid; gap: 0.35rem; }
.field-wide, .form-card .form-status, .form-card > .button { grid-column: 1 / -1; }
.form-card > .button { justify-self: start; }
label { font-weight: 600; font-size: 0.95rem; }
input, textarea, select {
  width: 100%; padding: 0.75rem 0.9rem; border-radius: 12px; border: 1px solid var(--border);
  background: var(--bg); color: var(--text); font: inherit;
}
input[type="checkbox"], input[type="radio"] { width: auto; }
input:focus, textarea:focus, select:focus {
  outline: 3px solid var(--accent-soft); border-color: var(--accent);
}
[aria-invalid="true"] { border-color: #dc2626; }
.inline-form { display: flex; flex-wrap: wrap; gap: 0.75rem; }
.inline-form input { flex: 1 1 14rem; width: auto; }
.form-status { min-height: 1.5em; margin: 0; font-weight: 600; color: var(--accent); flex-basis: 100%; }
.form-status.is-error { color: #dc2626; }

/* Footer */
.site-footer {
  padding: 2rem 0; border-top: 1px solid var(--border); color: var(--muted); font-size: 0.95rem;
}
.footer-inner { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 1rem; }
.footer-inner p { margin: 0; }

/* Motion: sections rise into view once, unless the reader prefers less motion. */
.js .reveal { opacity: 0; transform: translateY(16px); transition: opacity 0.6s ease, transform 0.6s ease; }
.js .reveal.is-visible { opacity: 1; transform: none; }
@media (prefers-reduced-motion: reduce) {
  html { scroll-behavior: auto; }
  .js .reveal { opacity: 1; transform: none; transition: none; }
  * { animation: none !important; transition: none !important; }
}

@media (min-width: 640px) {
  .form-card { grid-template-columns: 1fr 1fr; }
}
@media (min-width: 860px) {
  .hero-split { grid-template-columns: 1.1fr 0.9fr; }
  .cta-panel { grid-template-columns: 1fr 1fr; }
}
@media (max-width: 640px) {
  .header-inner { flex-wrap: wrap; gap: 0.5rem 1rem; padding: 0.6rem 0; }
  .site-nav { order: 3; flex-basis: 100%; margin-left: 0; }
  .header-actions { margin-left: auto; }
  .brand-name { max-width: 11rem; }
}
"""


def stylesheet(title: str, scheme: str, accent: str, extra: str) -> str:
    """style.css: a comment naming the site, the palette, the shared rules, then the template's own."""
    name = title.replace("*/", "* /")
    header = f"/* {name}: styles. Plain CSS, no build step; the palette below recolours everything. */\n\n"
    return header + palette_css(scheme, accent) + "\n" + _BASE + extra
