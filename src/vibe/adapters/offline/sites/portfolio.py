"""The portfolio: a personal hero with a monogram, filterable project cards with case notes, an about
section with skills and a short timeline, and a contact form.
"""

from __future__ import annotations

from vibe.adapters.offline import sections
from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.copydeck import FLAVOURS
from vibe.adapters.offline.icons import ICONS, art
from vibe.adapters.offline.pages import Site, esc, hero

__all__ = ["PORTFOLIO"]

_PROJECTS = (
    ("Branding", "Northwind identity", "A calm, confident identity for a coastal studio."),
    ("Web", "Harbour booking site", "A booking flow that halved drop-offs on mobile."),
    ("Print", "Seasons field guide", "A pocket book of walks, maps and illustrations."),
    ("Web", "Lumen product launch", "Launch pages, motion and a design system to match."),
    ("Branding", "Orchard & Co. packaging", "Labels and boxes that look good on any shelf."),
    ("Print", "Annual report", "Numbers made readable, with charts people enjoy."),
)
_SKILLS = ("Art direction", "Visual identity", "Web design", "Illustration", "Photography", "Prototyping")
_TIMELINE = (
    ("Now", "Independent practice, working with small teams worldwide."),
    ("Before", "Senior designer at a product studio for five years."),
    ("Start", "Studied design and fell in love with making things clear."),
)


def _work(brief: Brief) -> str:
    names = [name for name in ICONS if name not in ("sun", "moon", "arrow", "search", "eye", "lock")]
    start = len(brief.title) % len(names)
    cards = "".join(
        f"""          <article class="project card reveal" data-category="{category.lower()}">
            <div class="project-art">{art(names[(start + i) % len(names)], f"{name} artwork", i)}</div>
            <p class="tag">{category}</p>
            <h3>{esc(name)}</h3>
            <p>{esc(text)}</p>
            <details><summary>Case notes</summary><p>Brief, research, three rounds of design and a launch the
              client still talks about. Role: design lead.</p></details>
          </article>
"""
        for i, (category, name, text) in enumerate(_PROJECTS)
    )
    chips = "".join(
        f'<button type="button" data-category="{c.lower()}" aria-pressed="false">{c}</button>'
        for c in ("Branding", "Web", "Print")
    )
    return f"""    <section class="section" id="work" aria-labelledby="work-title">
      <div class="container">
        <div class="posts-head">
          <h2 id="work-title">Selected work</h2>
          <div class="chips" role="group" aria-label="Filter projects">
            <button type="button" data-category="" aria-pressed="true">All</button>{chips}
          </div>
        </div>
        <div class="projects">
{cards}        </div>
      </div>
    </section>
"""


def _about(brief: Brief) -> str:
    skills = "".join(f"<li>{skill}</li>" for skill in _SKILLS)
    steps = "".join(f"<li><strong>{when}</strong> {what}</li>" for when, what in _TIMELINE)
    return f"""    <section class="section" id="about" aria-labelledby="about-title">
      <div class="container about-grid">
        <div>
          <h2 id="about-title">About {brief.h_title}</h2>
          <p class="lead">{esc(FLAVOURS[brief.flavour].tagline)}</p>
          <p>I help people turn good ideas into clear, memorable work, from the first sketch to
            launch day.</p>
          <ul class="skills" aria-label="Skills">{skills}</ul>
        </div>
        <ol class="timeline">{steps}</ol>
      </div>
    </section>
"""


def _body(brief: Brief) -> str:
    actions = """<div class="actions">
            <a class="button" href="#work">See selected work</a>
            <a class="button button-ghost" href="#contact">Get in touch</a>
          </div>"""
    initial = next((ch for ch in brief.title if ch.isalnum()), "P").upper()
    aside = f"""<div class="portrait" aria-hidden="true"><span>{esc(initial)}</span></div>"""
    lead = "Designer and maker of thoughtful things. Here is a selection of recent work, and how to reach me."
    return (
        hero(brief, eyebrow="Portfolio", lead=lead, actions=actions, aside=aside)
        + _work(brief)
        + _about(brief)
        + sections.contact(brief)
    )


_CSS = """
/* Portfolio */
.portrait {
  width: min(22rem, 80%); aspect-ratio: 1; justify-self: center; border-radius: 50%; display: grid;
  place-items: center;
  background: conic-gradient(
    from 200deg, var(--accent), var(--accent-soft), var(--accent-strong), var(--accent)
  );
  box-shadow: 0 30px 60px -30px var(--accent);
}
.portrait span {
  display: grid; place-items: center; width: 82%; aspect-ratio: 1; border-radius: 50%;
  background: var(--surface);
  font-size: clamp(4rem, 10vw, 7rem); font-weight: 800; color: var(--accent);
}
.projects { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }
.project { transition: transform 0.2s ease; }
.project:hover { transform: translateY(-4px); }
.project-art { margin: -0.5rem -0.5rem 1rem; }
.project p:not(.tag) { color: var(--muted); }
.project summary { cursor: pointer; color: var(--accent); font-weight: 600; }
.about-grid { display: grid; gap: 2.5rem; }
.skills { display: flex; flex-wrap: wrap; gap: 0.5rem; list-style: none; padding: 0; }
.skills li {
  padding: 0.35rem 0.8rem; border-radius: 999px; background: var(--accent-soft); font-weight: 600;
}
.timeline {
  list-style: none; margin: 0; padding: 0 0 0 1.5rem; border-left: 2px solid var(--accent); display: grid;
  gap: 1.5rem;
}
.timeline li { position: relative; }
.timeline li::before {
  content: ""; position: absolute; left: -1.95rem; top: 0.35rem; width: 0.8rem; height: 0.8rem;
  border-radius: 50%;
  background: var(--accent); box-shadow: 0 0 0 4px var(--bg);
}
.timeline strong { display: block; }
@media (min-width: 900px) { .about-grid { grid-template-columns: 1.4fr 1fr; align-items: center; } }
"""

_SCRIPT = """
  // Portfolio: filter the projects by category.
  const filters = [...document.querySelectorAll(".chips [data-category]")];
  filters.forEach((button) => button.addEventListener("click", () => {
    const category = button.dataset.category;
    filters.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    document.querySelectorAll(".project").forEach((card) => {
      card.hidden = Boolean(category) && card.dataset.category !== category;
    });
  }));
"""

PORTFOLIO = Site(
    name="portfolio",
    label="portfolio",
    nav=(("work", "Work"), ("about", "About"), ("contact", "Contact")),
    body=_body,
    css=_CSS,
    script=_SCRIPT,
    offers="a personal hero, six projects you can filter by category, an about section with a timeline "
    "and a contact form",
)
