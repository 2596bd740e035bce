"""The page every offline site shares: the Site record a template fills in, the document around its
body (head, header with brand, nav and theme toggle, footer), the hero, and small formatting helpers.
Everything taken from a prompt reaches HTML through ``Brief.h_*`` or ``esc``.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import msgspec

from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.icons import icon, monogram

__all__ = ["Site", "document", "esc", "hero", "money"]

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


class Site(msgspec.Struct, frozen=True, kw_only=True):
    """One template: its body, its own CSS and JS (added to the shared ones) and how prose names it."""

    name: str
    label: str  # "landing page"
    nav: tuple[tuple[str, str], ...]  # (fragment id, label)
    body: Callable[[Brief], str]
    css: str
    script: str
    offers: str  # what the page holds, for the prose: "a hero, features, reviews and a sign-up form"
    header_extra: str = ""


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def money(cents: int, currency: str) -> str:
    return f"{_SYMBOLS.get(currency, '$')}{cents // 100}.{cents % 100:02d}"


def hero(
    brief: Brief, *, eyebrow: str, lead: str, actions: str = "", aside: str = "", extra: str = ""
) -> str:
    """The opening section: eyebrow, the one h1 (the title), a lead, the prompt quoted, and actions."""
    return f"""    <section class="hero" aria-labelledby="page-title">
      <div class="container hero-inner{" hero-split" if aside else ""}">
        <div class="hero-copy">
          <p class="eyebrow">{esc(eyebrow)}</p>
          <h1 id="page-title">{brief.h_title}</h1>
          <p class="lead">{lead}</p>
          <p class="brief">From your brief: <q>{brief.h_quote}</q></p>{_line(actions, 10)}{_line(extra, 10)}
        </div>{_line(aside, 8)}
      </div>
    </section>
"""


def _line(markup: str, indent: int) -> str:
    return f"\n{' ' * indent}{markup}" if markup else ""


def _nav(site: Site) -> str:
    return "\n".join(f'          <li><a href="#{sid}">{esc(label)}</a></li>' for sid, label in site.nav)


def _header(brief: Brief, site: Site) -> str:
    return f"""  <header class="site-header">
    <div class="container header-inner">
      <a class="brand" href="#top">{monogram(brief.title)}<span class="brand-name">{brief.h_title}</span></a>
      <nav class="site-nav" aria-label="Main">
        <ul class="nav-links">
{_nav(site)}
        </ul>
      </nav>
      <div class="header-actions">{site.header_extra}
        <button class="theme-toggle" type="button" aria-pressed="false" aria-label="Use the alternate theme">
          {icon("moon", "icon icon-moon")}{icon("sun", "icon icon-sun")}
        </button>
      </div>
    </div>
  </header>
"""


def document(brief: Brief, site: Site) -> str:
    """index.html: semantic, accessible and responsive; links only style.css, app.js and #fragments."""
    description = esc(f"{brief.title}: {brief.prompt[:150]}")
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{brief.h_title}</title>
  <meta name="description" content="{description}">
  <link rel="stylesheet" href="style.css">
</head>
<body id="top" data-kind="{site.name}" data-currency="{brief.currency}">
  <a class="skip-link" href="#main">Skip to content</a>
{_header(brief, site)}  <main id="main">
{site.body(brief)}  </main>
  <footer class="site-footer">
    <div class="container footer-inner">
      <p>© <span data-year></span> <span class="footer-name">{brief.h_title}</span>. Made with vibe.</p>
      <p><a href="#top">Back to top</a></p>
    </div>
  </footer>
  <script src="app.js" defer></script>
</body>
</html>
"""
