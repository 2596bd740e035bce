"""The docs and FAQ page: a sticky table of contents that follows the reader, getting-started steps,
a code sample with a copy button, tips, a searchable FAQ and a support form.
"""

from __future__ import annotations

from vibe.adapters.offline import sections
from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.copydeck import FLAVOURS
from vibe.adapters.offline.icons import icon
from vibe.adapters.offline.pages import Site, esc, hero

__all__ = ["DOCS"]

_STEPS = (
    ("Create your account", "Sign up with your email; it takes less than a minute."),
    ("Set things up", "Pick your preferences and invite anyone who should join you."),
    ("Make it yours", "Adjust the details until everything works the way you like."),
)
_TIPS = (
    ("bolt", "Keyboard shortcuts", "Press ? anywhere to see every shortcut."),
    ("shield", "Stay secure", "Turn on two-step sign-in from your account settings."),
    ("spark", "Try templates", "Start from a template and change only what you need."),
)
_FAQ = (
    (
        "How do I reset my password?",
        "Choose “Forgot password” on the sign-in page and follow the emailed link.",
    ),
    ("Can I export my data?", "Yes, anytime, as CSV or JSON from Settings → Export."),
    ("Is there a mobile version?", "Everything works in any modern mobile browser."),
    ("How do I invite someone?", "Open Settings → People, enter their email and choose their role."),
    ("Where can I see what changed?", "The changelog lists every improvement, newest first."),
)
_TOC = (
    ("start", "Getting started"),
    ("setup", "Setup"),
    ("tips", "Tips"),
    ("faq", "FAQ"),
    ("support", "Support"),
)


def _guide(brief: Brief) -> str:
    steps = "".join(f"<li><strong>{title}</strong> {text}</li>" for title, text in _STEPS)
    tips = "".join(
        f'<article class="card"><span class="card-icon">{icon(name)}</span>'
        f"<h3>{title}</h3><p>{text}</p></article>"
        for name, title, text in _TIPS
    )
    return f"""        <section class="doc-section" id="start" aria-labelledby="start-title">
          <h2 id="start-title">Getting started</h2>
          <p>{brief.h_title} is easy to pick up. {esc(FLAVOURS[brief.flavour].tagline)}</p>
          <ol class="steps">{steps}</ol>
        </section>
        <section class="doc-section" id="setup" aria-labelledby="setup-title">
          <h2 id="setup-title">Setup</h2>
          <p>Most people never need more than the defaults. If you do, this is all it takes:</p>
          <div class="code">
            <button class="copy" type="button" data-copy="setup-code">Copy</button>
            <pre id="setup-code"><code>settings:
  name: "{brief.h_title}"
  notifications: weekly
  theme: auto</code></pre>
          </div>
          <p class="callout"><strong>Note:</strong> changes are saved automatically as you go.</p>
        </section>
        <section class="doc-section" id="tips" aria-labelledby="tips-title">
          <h2 id="tips-title">Tips</h2>
          <div class="cards">{tips}</div>
        </section>
"""


def _support(brief: Brief) -> str:
    contact = sections.contact(brief, "support")
    return contact.replace('class="section"', 'class="doc-section"', 1)


def _body(brief: Brief) -> str:
    search = """<div class="search">
            <label class="visually-hidden" for="doc-search">Search the help center</label>
            <input id="doc-search" type="search" placeholder="Search questions, e.g. password">
            <p class="muted" id="search-count" aria-live="polite"></p>
          </div>"""
    lead = f"Answers and guides for {brief.h_title}: how to get started, make the most of it and get help."
    toc = "".join(f'<li><a href="#{sid}">{label}</a></li>' for sid, label in _TOC)
    faq = sections.faq(brief, "faq", _FAQ).replace('class="section"', 'class="doc-section"', 1)
    return (
        hero(brief, eyebrow="Help center", lead=lead, extra=search)
        + f"""    <div class="container docs">
      <nav class="toc" aria-label="On this page">
        <p class="toc-title">On this page</p>
        <ul>{toc}</ul>
      </nav>
      <div class="doc-body">
{_guide(brief)}{faq}{_support(brief)}      </div>
    </div>
"""
    )


_CSS = """
/* Docs and FAQ */
.search { max-width: 32rem; margin-top: 1.5rem; }
.docs { display: grid; gap: 2rem; padding-bottom: 4rem; }
.toc { align-self: start; }
.toc-title {
  font-weight: 700; text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.8rem;
  color: var(--muted);
}
.toc ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.2rem; }
.toc a {
  display: block; padding: 0.4rem 0.75rem; border-left: 2px solid var(--border); color: var(--muted);
  text-decoration: none;
}
.toc a[aria-current="true"] { border-color: var(--accent); color: var(--accent); font-weight: 600; }
.doc-section { padding: 1.5rem 0; border-bottom: 1px solid var(--border); }
.doc-section .container { width: auto; }
.steps { display: grid; gap: 0.75rem; padding-left: 1.25rem; }
.steps strong { display: block; }
.code { position: relative; }
.code pre {
  margin: 0; padding: 1.25rem; border-radius: 14px; overflow-x: auto; background: var(--surface-2);
  border: 1px solid var(--border); font: 0.95rem/1.6 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
.copy {
  position: absolute; top: 0.6rem; right: 0.6rem; border: 1px solid var(--border); border-radius: 8px;
  padding: 0.3rem 0.7rem; background: var(--surface); color: var(--text); font: inherit; font-size: 0.85rem;
  cursor: pointer;
}
.callout {
  margin-top: 1rem; padding: 1rem 1.25rem; border-left: 4px solid var(--accent); border-radius: 8px;
  background: var(--accent-soft);
}
.faq-item[hidden] { display: none; }
@media (min-width: 900px) {
  .docs { grid-template-columns: 14rem 1fr; }
  .toc { position: sticky; top: 5.5rem; }
}
"""

_SCRIPT = """
  // Docs: search the FAQ, follow the reader in the table of contents, and copy code.
  const search = document.getElementById("doc-search");
  const count = document.getElementById("search-count");
  const items = [...document.querySelectorAll(".faq-item")];
  search?.addEventListener("input", () => {
    const term = search.value.trim().toLowerCase();
    let shown = 0;
    items.forEach((item) => {
      const ok = item.textContent.toLowerCase().includes(term);
      item.hidden = !ok;
      item.open = Boolean(term) && ok;
      shown += ok ? 1 : 0;
    });
    if (count) count.textContent = term ? `${shown} of ${items.length} questions match.` : "";
    if (term) document.getElementById("faq")?.scrollIntoView({ block: "start" });
  });

  const tocLinks = [...document.querySelectorAll(".toc a")];
  if ("IntersectionObserver" in window) {
    const spy = new IntersectionObserver((entries) => {
      entries.forEach((entry) => {
        if (!entry.isIntersecting) return;
        tocLinks.forEach((a) => a.setAttribute("aria-current", String(a.hash === `#${entry.target.id}`)));
      });
    }, { rootMargin: "-30% 0px -60% 0px" });
    document.querySelectorAll(".doc-section").forEach((section) => spy.observe(section));
  }

  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      const text = document.getElementById(button.dataset.copy).textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = "Copied ✓";
      } catch {
        button.textContent = "Select and copy";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
  });
"""

DOCS = Site(
    name="docs",
    label="help center",
    nav=(("start", "Guide"), ("faq", "FAQ"), ("support", "Support")),
    body=_body,
    css=_CSS,
    script=_SCRIPT,
    offers="a table of contents that follows you, getting-started steps, a code sample with a copy button, "
    "a searchable FAQ and a support form",
)
