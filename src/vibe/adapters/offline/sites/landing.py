"""The landing page, the default: a hero with artwork, features, numbers, reviews, FAQ and a sign-up."""

from __future__ import annotations

from vibe.adapters.offline import sections
from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.copydeck import FLAVOURS
from vibe.adapters.offline.icons import art, icon
from vibe.adapters.offline.pages import Site, esc, hero

__all__ = ["LANDING"]


def _body(brief: Brief) -> str:
    flavour = FLAVOURS[brief.flavour]
    actions = f"""<div class="actions">
            <a class="button" href="#subscribe">{esc(flavour.cta)} {icon("arrow")}</a>
            <a class="button button-ghost" href="#features">See what is inside</a>
          </div>"""
    aside = f'<div class="hero-art">{art(flavour.icon, f"Illustration for {brief.title}")}</div>'
    lead = f"{esc(flavour.tagline)} Welcome to {brief.h_title}."
    return (
        hero(brief, eyebrow=flavour.eyebrow, lead=lead, actions=actions, aside=aside)
        + sections.stats(brief)
        + sections.features(brief)
        + sections.reviews(brief)
        + sections.faq(brief)
        + sections.newsletter(brief)
    )


_CSS = """
/* Landing page */
.hero-art { filter: drop-shadow(0 24px 48px rgb(var(--shadow-rgb) / 18%)); }
.hero-art .art { animation: float 8s ease-in-out infinite; }
@keyframes float { 50% { transform: translateY(-10px); } }
.nav-links a[aria-current="true"] { color: var(--accent); background: var(--accent-soft); }
"""

_SCRIPT = """
  // Landing page: highlight the nav link of the section in view.
  const links = new Map([...document.querySelectorAll(".nav-links a")].map((a) => [a.hash.slice(1), a]));
  if ("IntersectionObserver" in window) {
    const spy = new IntersectionObserver((entries) => {
      entries.forEach((entry) => {
        const link = links.get(entry.target.id);
        if (link && entry.isIntersecting) {
          links.forEach((other) => other.removeAttribute("aria-current"));
          link.setAttribute("aria-current", "true");
        }
      });
    }, { rootMargin: "-45% 0px -50% 0px" });
    links.forEach((_, id) => { const el = document.getElementById(id); if (el) spy.observe(el); });
  }
"""

LANDING = Site(
    name="landing",
    label="landing page",
    nav=(("features", "Features"), ("reviews", "Reviews"), ("faq", "FAQ"), ("subscribe", "Stay in touch")),
    body=_body,
    css=_CSS,
    script=_SCRIPT,
    offers="a hero, key numbers, three features, reviews, an FAQ and a newsletter sign-up",
)
