"""The pricing page: a monthly/yearly switch, three plans with the middle one featured, a comparison
table, an FAQ and a start form that remembers which plan was chosen.
"""

from __future__ import annotations

from vibe.adapters.offline import sections
from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.copydeck import FLAVOURS
from vibe.adapters.offline.icons import icon
from vibe.adapters.offline.pages import Site, esc, hero, money

__all__ = ["PRICING"]

_PLANS = (
    (
        "Starter",
        0,
        "Everything you need to try it out.",
        ("Core features", "Up to 3 projects", "Community help"),
    ),
    (
        "Pro",
        2400,
        "For people who use it every day.",
        ("Everything in Starter", "Unlimited projects", "Priority support"),
    ),
    (
        "Team",
        5900,
        "For teams that work together.",
        ("Everything in Pro", "Shared workspaces", "Admin controls"),
    ),
)
_COMPARE = (
    ("Projects", ("3", "Unlimited", "Unlimited")),
    ("Storage", ("1 GB", "50 GB", "1 TB")),
    ("Priority support", ("&ndash;", "✓", "✓")),
    ("Team workspaces", ("&ndash;", "&ndash;", "✓")),
    ("Single sign-on", ("&ndash;", "&ndash;", "✓")),
)
_FAQ = (
    ("Can I switch plans later?", "Yes. Upgrade or downgrade anytime; we prorate the difference."),
    (
        "What happens after the free trial?",
        "You choose a plan or stay on Starter. Nothing is charged without asking.",
    ),
    (
        "Do you offer discounts?",
        "Yearly billing saves 20%, and we have special prices for students and non-profits.",
    ),
)


def _plan(brief: Brief, index: int) -> str:
    name, cents, note, perks = _PLANS[index]
    items = "".join(f"<li>{icon('check')}{esc(perk)}</li>" for perk in perks)
    yearly = cents * 8 // 10
    price = money(cents, brief.currency) if cents else "Free"
    badge = '<p class="badge">Most popular</p>' if index == 1 else ""
    return f"""          <article class="tier{" tier-featured" if index == 1 else ""} reveal">
            {badge}<h3>{name}</h3>
            <p class="tier-price"><span data-monthly="{cents}" data-yearly="{yearly}">{price}</span>
              <small>/month</small></p>
            <p class="muted">{note}</p>
            <a class="button{"" if index == 1 else " button-ghost"} button-block" href="#start"
              data-plan="{name}">Choose {name}</a>
            <ul class="checks">{items}</ul>
          </article>
"""


def _compare() -> str:
    rows = "".join(
        f'            <tr><th scope="row">{feature}</th>{"".join(f"<td>{v}</td>" for v in values)}</tr>\n'
        for feature, values in _COMPARE
    )
    heads = "".join(f'<th scope="col">{name}</th>' for name, _, _, _ in _PLANS)
    return f"""    <section class="section" id="compare" aria-labelledby="compare-title">
      <div class="container">
        <h2 id="compare-title">Compare plans</h2>
        <div class="table-scroll">
          <table class="compare">
            <thead><tr><th scope="col">Feature</th>{heads}</tr></thead>
            <tbody>
{rows}            </tbody>
          </table>
        </div>
      </div>
    </section>
"""


def _start(brief: Brief) -> str:
    options = "".join(f'<option value="{name}">{name}</option>' for name, _, _, _ in _PLANS)
    return f"""    <section class="section" id="start" aria-labelledby="start-title">
      <div class="container">
        <h2 id="start-title">Start your free trial</h2>
        <p class="section-intro">Fourteen days of {brief.h_title}, no card needed.</p>
        <form class="form-card" data-validate novalidate
          data-success="You are in! Check your inbox to get started.">
          <div class="field"><label for="start-email">Work email</label>
            <input id="start-email" name="email" type="email" autocomplete="email" required></div>
          <div class="field"><label for="start-plan">Plan</label>
            <select id="start-plan" name="plan">{options}</select></div>
          <button class="button" type="submit">Start free trial</button>
          <p class="form-status" role="status" aria-live="polite"></p>
        </form>
      </div>
    </section>
"""


def _body(brief: Brief) -> str:
    billing = """<fieldset class="billing">
            <legend class="visually-hidden">Billing period</legend>
            <label><input type="radio" name="billing" value="monthly" checked> Monthly</label>
            <label><input type="radio" name="billing" value="yearly"> Yearly
              <span class="save">save 20%</span></label>
          </fieldset>"""
    lead = f"Plans for {brief.h_title} that grow with you. {esc(FLAVOURS[brief.flavour].tagline)}"
    plans = "".join(_plan(brief, index) for index in range(len(_PLANS)))
    tiers = f"""    <section class="section plans" id="plans" aria-label="Plans">
      <div class="container tiers">
{plans}      </div>
    </section>
"""
    top = hero(brief, eyebrow="Pricing", lead=lead, extra=billing)
    return top + tiers + _compare() + sections.faq(brief, "faq", _FAQ) + _start(brief)


_CSS = """
/* Pricing */
.hero { text-align: center; }
.hero .lead, .hero .brief { margin-inline: auto; }
.billing {
  display: inline-flex; gap: 0.25rem; padding: 0.25rem; margin: 1.5rem 0 0; border: 0; border-radius: 999px;
  background: var(--surface-2);
}
.billing label {
  position: relative; padding: 0.5rem 1rem; border-radius: 999px; cursor: pointer; color: var(--muted);
}
.billing input {
  position: absolute; inset: 0; width: 100%; height: 100%; margin: 0; opacity: 0; cursor: pointer;
}
.billing label:has(input:checked) {
  background: var(--surface); color: var(--text); box-shadow: 0 1px 4px rgb(var(--shadow-rgb) / 15%);
}
.billing label:has(input:focus-visible) { outline: 3px solid var(--accent); }
.save { color: var(--accent); font-weight: 700; font-size: 0.85rem; }
.plans { padding-top: 0; }
.tier { display: flex; flex-direction: column; gap: 0.25rem; position: relative; }
.tier .button { margin: 1rem 0 0.5rem; }
.tier-featured { transform: translateY(-0.5rem); }
.badge {
  position: absolute; top: -0.85rem; left: 50%; transform: translateX(-50%); margin: 0;
  padding: 0.2rem 0.8rem;
  border-radius: 999px; background: var(--accent); color: var(--on-accent); font-size: 0.8rem;
  font-weight: 700;
}
.compare {
  width: 100%; border-collapse: collapse; min-width: 32rem; background: var(--surface); border-radius: 16px;
  overflow: hidden;
}
.compare th, .compare td { padding: 0.9rem 1rem; border-bottom: 1px solid var(--border); text-align: center; }
.compare th[scope="row"], .compare thead th:first-child { text-align: left; }
.compare thead th { background: var(--surface-2); }
"""

_SCRIPT = """
  // Pricing: switch monthly/yearly prices, and carry the chosen plan into the start form.
  const currency = document.body.dataset.currency || "USD";
  const money = new Intl.NumberFormat("en", { style: "currency", currency });
  document.querySelectorAll('input[name="billing"]').forEach((radio) => {
    radio.addEventListener("change", () => {
      const period = radio.value;
      document.querySelectorAll("[data-monthly]").forEach((el) => {
        const cents = Number(el.dataset[period]);
        el.textContent = cents ? money.format(cents / 100) : "Free";
        el.nextElementSibling.textContent = period === "yearly" ? "/month, billed yearly" : "/month";
      });
    });
  });
  document.querySelectorAll("[data-plan]").forEach((link) => {
    link.addEventListener("click", () => {
      const select = document.getElementById("start-plan");
      if (select) select.value = link.dataset.plan;
    });
  });
"""

PRICING = Site(
    name="pricing",
    label="pricing page",
    nav=(("plans", "Plans"), ("compare", "Compare"), ("faq", "FAQ"), ("start", "Start free")),
    body=_body,
    css=_CSS,
    script=_SCRIPT,
    offers="three plans with a monthly/yearly switch, a comparison table, an FAQ and a start form",
)
