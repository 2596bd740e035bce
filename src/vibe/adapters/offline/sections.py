"""Sections that templates share and follow-ups add: features, stats, reviews, FAQ, newsletter, contact,
pricing, team, gallery, opening hours, menu, and a plain section about any topic. Each takes the brief
and the fragment id to use, and returns indented HTML styled by the shared stylesheet.
"""

from __future__ import annotations

from vibe.adapters.offline.briefs import Brief, quote_of
from vibe.adapters.offline.copydeck import FLAVOURS
from vibe.adapters.offline.icons import art, icon
from vibe.adapters.offline.pages import esc, money

__all__ = [
    "contact",
    "faq",
    "features",
    "gallery",
    "hours",
    "menu",
    "newsletter",
    "pricing",
    "reviews",
    "stats",
    "team",
    "topic",
]


def _head(sid: str, eyebrow: str, heading: str, intro: str = "") -> str:
    intro_html = f'\n        <p class="section-intro">{intro}</p>' if intro else ""
    return f"""    <section class="section" id="{sid}" aria-labelledby="{sid}-title">
      <div class="container">
        <p class="eyebrow">{esc(eyebrow)}</p>
        <h2 id="{sid}-title">{heading}</h2>{intro_html}
"""


_END = "      </div>\n    </section>\n"


def features(brief: Brief, sid: str = "features") -> str:
    cards = "".join(
        f"""          <article class="card reveal">
            <span class="card-icon">{icon(name)}</span>
            <h3>{esc(heading)}</h3>
            <p>{esc(text)}</p>
          </article>
"""
        for name, heading, text in FLAVOURS[brief.flavour].features
    )
    heading = f"Why people choose {brief.h_title}"
    return (
        _head(sid, "What makes it special", heading)
        + f'        <div class="cards">\n{cards}        </div>\n'
        + _END
    )


def stats(brief: Brief, sid: str = "numbers") -> str:
    items = "".join(
        f'          <div class="stat"><dt>{esc(label)}</dt><dd data-count>{esc(value)}</dd></div>\n'
        for value, label in FLAVOURS[brief.flavour].stats
    )
    return f"""    <section class="band" id="{sid}" aria-label="In numbers">
      <div class="container">
        <dl class="stats">
{items}        </dl>
      </div>
    </section>
"""


def reviews(brief: Brief, sid: str = "reviews") -> str:
    quotes = "".join(
        f"""          <figure class="quote reveal">
            <blockquote><p>{esc(text)}</p></blockquote>
            <figcaption><span class="avatar" aria-hidden="true">{esc(name[:1])}</span>
              <span><strong>{esc(name)}</strong><br><small>{esc(role)}</small></span></figcaption>
          </figure>
"""
        for text, name, role in FLAVOURS[brief.flavour].quotes
    )
    head = _head(
        sid, "Kind words", "What people say", f"A few notes from people who know {brief.h_title} well."
    )
    return head + f'        <div class="quotes">\n{quotes}        </div>\n' + _END


def faq(brief: Brief, sid: str = "faq", items: tuple[tuple[str, str], ...] = ()) -> str:
    entries = "".join(
        f"""          <details class="faq-item">
            <summary>{esc(question)}</summary>
            <p>{esc(answer)}</p>
          </details>
"""
        for question, answer in items or FLAVOURS[brief.flavour].faq
    )
    head = _head(sid, "Good to know", "Frequently asked questions")
    return head + f'        <div class="faq-list">\n{entries}        </div>\n' + _END


def newsletter(brief: Brief, sid: str = "subscribe") -> str:
    return f"""    <section class="section" id="{sid}" aria-labelledby="{sid}-title">
      <div class="container">
        <div class="cta-panel">
          <div>
            <h2 id="{sid}-title">Stay in the loop</h2>
            <p>News from {brief.h_title}, a few times a month. No spam, unsubscribe anytime.</p>
          </div>
          <form class="inline-form" data-validate data-success="Thanks! You are on the list." novalidate>
            <label class="visually-hidden" for="{sid}-email">Email address</label>
            <input id="{sid}-email" name="email" type="email" autocomplete="email"
              placeholder="you@example.com" required>
            <button class="button" type="submit">Subscribe</button>
            <p class="form-status" role="status" aria-live="polite"></p>
          </form>
        </div>
      </div>
    </section>
"""


def contact(brief: Brief, sid: str = "contact") -> str:
    flavour = FLAVOURS[brief.flavour]
    intro = f"Questions, ideas or just hello: write to {brief.h_title} and we will answer within a day."
    return (
        _head(sid, flavour.cta, "Get in touch", intro)
        + f"""        <form class="form-card" data-validate
          data-success="Thank you! Your message is ready; this preview keeps it on your device." novalidate>
          <div class="field">
            <label for="{sid}-name">Name</label>
            <input id="{sid}-name" name="name" autocomplete="name" required>
          </div>
          <div class="field">
            <label for="{sid}-email">Email</label>
            <input id="{sid}-email" name="email" type="email" autocomplete="email" required>
          </div>
          <div class="field field-wide">
            <label for="{sid}-message">Message</label>
            <textarea id="{sid}-message" name="message" rows="4" minlength="10" required></textarea>
          </div>
          <button class="button" type="submit">Send message</button>
          <p class="form-status" role="status" aria-live="polite"></p>
        </form>
"""
        + _END
    )


_TIERS = (
    ("Starter", 0, "For trying things out", ("The essentials", "Email support", "1 project")),
    ("Plus", 1900, "For growing needs", ("Everything in Starter", "Priority support", "Unlimited projects")),
    ("Pro", 4900, "For teams", ("Everything in Plus", "Team seats", "Advanced insights")),
)


def pricing(brief: Brief, sid: str = "pricing") -> str:
    cards = []
    for index, (name, cents, note, perks) in enumerate(_TIERS):
        price = "Free" if not cents else money(cents, brief.currency)
        items = "".join(f"<li>{icon('check')}{esc(perk)}</li>" for perk in perks)
        featured = " tier-featured" if index == 1 else ""
        cards.append(
            f"""          <article class="tier{featured} reveal">
            <h3>{name}</h3>
            <p class="tier-price"><span data-price-monthly="{cents}">{price}</span><small>/month</small></p>
            <p class="muted">{note}</p>
            <ul class="checks">{items}</ul>
          </article>
"""
        )
    head = _head(sid, "Pricing", "Simple, honest pricing", "Pick what suits you; change your mind anytime.")
    return head + f'        <div class="tiers">\n{"".join(cards)}        </div>\n' + _END


_PEOPLE = (("Alex Rivera", "Founder"), ("Sam Lee", "Lead designer"), ("Jordan Blake", "Customer care"))


def team(brief: Brief, sid: str = "team") -> str:
    people = "".join(
        f"""          <article class="person reveal">
            <span class="avatar avatar-lg" aria-hidden="true">{name[0]}{name.split()[1][0]}</span>
            <h3>{name}</h3>
            <p class="muted">{role}</p>
          </article>
"""
        for name, role in _PEOPLE
    )
    head = _head(sid, "The people", "Meet the team", f"The small crew behind {brief.h_title}.")
    return head + f'        <div class="people">\n{people}        </div>\n' + _END


def gallery(brief: Brief, sid: str = "gallery") -> str:
    flavour = FLAVOURS[brief.flavour]
    names = [flavour.icon, *(name for name, _, _ in flavour.features)]
    tiles = "".join(
        f'          <figure class="tile reveal">'
        f"{art(names[i % len(names)], f'Illustration {i + 1}', i)}</figure>\n"
        for i in range(6)
    )
    head = _head(sid, "Gallery", "A look around", f"Moments and details from {brief.h_title}.")
    return head + f'        <div class="gallery">\n{tiles}        </div>\n' + _END


_HOURS = (
    ("Monday &ndash; Friday", "8:00 &ndash; 19:00"),
    ("Saturday", "9:00 &ndash; 18:00"),
    ("Sunday", "10:00 &ndash; 16:00"),
)


def hours(brief: Brief, sid: str = "hours") -> str:
    rows = "".join(
        f'            <tr><th scope="row">{day}</th><td>{time}</td></tr>\n' for day, time in _HOURS
    )
    return _head(
        sid, "Visit", "Opening hours", f"Come and see {brief.h_title}; we would love to meet you."
    ) + (
        f'        <table class="hours">\n          <tbody>\n{rows}          </tbody>\n        </table>\n'
        + _END
    )


def menu(brief: Brief, sid: str = "menu") -> str:
    items = "".join(
        f'          <li><span>{esc(name)} <small class="muted">{esc(category)}</small></span>'
        f"<span>{money(cents, brief.currency)}</span></li>\n"
        for name, category, cents in FLAVOURS[brief.flavour].products
    )
    head = _head(sid, "Menu", "Our favourites", "Made fresh, priced fairly.")
    return head + f'        <ul class="menu-list">\n{items}        </ul>\n' + _END


def topic(brief: Brief, sid: str, heading: str, request: str) -> str:
    """A section about something the templates do not know: the request itself, set out plainly."""
    points = (
        ("spark", "The idea", f"{heading} is now part of {brief.title}."),
        ("check", "The details", "Replace this text with the specifics you want visitors to know."),
        ("heart", "Why it matters", "Tell people what they get from it and how to take the next step."),
    )
    cards = "".join(
        f"""          <article class="card reveal">
            <span class="card-icon">{icon(name)}</span>
            <h3>{esc(title)}</h3>
            <p>{esc(text)}</p>
          </article>
"""
        for name, title, text in points
    )
    head = _head(sid, "New", esc(heading), f"You asked: <q>{esc(quote_of(request))}</q>")
    return head + f'        <div class="cards">\n{cards}        </div>\n' + _END
