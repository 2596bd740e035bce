"""The shop: products with inline artwork, category filters and sorting, a live cart with quantities
and a total (in the prompt's currency), then promises and an FAQ. No payment is ever taken.
"""

from __future__ import annotations

from vibe.adapters.offline import sections
from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.copydeck import FLAVOURS
from vibe.adapters.offline.icons import art, icon
from vibe.adapters.offline.pages import Site, esc, hero, money

__all__ = ["SHOP"]

_PROMISES = (
    ("shield", "Secure checkout", "Your details are protected end to end."),
    ("clock", "Fast delivery", "Orders ship within two working days."),
    ("heart", "Easy returns", "Changed your mind? Return it within 30 days."),
)


def _product(brief: Brief, index: int) -> str:
    name, category, cents = FLAVOURS[brief.flavour].products[index]
    icons = [FLAVOURS[brief.flavour].icon, *(n for n, _, _ in FLAVOURS[brief.flavour].features)]
    return f"""          <article class="product card reveal" data-category="{esc(category.lower())}"
            data-price="{cents}">
            <div class="product-art">{art(icons[index % len(icons)], name, index)}</div>
            <p class="tag">{esc(category)}</p>
            <h3>{esc(name)}</h3>
            <div class="product-foot">
              <span class="price">{money(cents, brief.currency)}</span>
              <button class="button" type="button" data-add="{index}" data-name="{esc(name)}"
                data-price="{cents}">Add to cart</button>
            </div>
          </article>
"""


def _products(brief: Brief) -> str:
    categories = sorted({category for _, category, _ in FLAVOURS[brief.flavour].products})
    chips = "".join(
        f'<button type="button" data-filter="{esc(c.lower())}" aria-pressed="false">{esc(c)}</button>'
        for c in categories
    )
    products = "".join(_product(brief, index) for index in range(len(FLAVOURS[brief.flavour].products)))
    return f"""    <section class="section" id="products" aria-labelledby="products-title">
      <div class="container shop-grid">
        <div>
          <div class="posts-head">
            <h2 id="products-title">Products</h2>
            <div class="chips" role="group" aria-label="Filter by category">
              <button type="button" data-filter="" aria-pressed="true">All</button>{chips}
            </div>
            <label class="sort">Sort <select id="sort">
              <option value="featured">Featured</option><option value="low">Price: low to high</option>
              <option value="high">Price: high to low</option></select></label>
          </div>
          <div class="products">
{products}          </div>
        </div>
        <aside class="cart card" id="cart" aria-labelledby="cart-title">
          <h2 id="cart-title">Your cart</h2>
          <ul class="cart-lines" aria-live="polite"></ul>
          <p class="muted cart-empty">Your cart is empty. Add something you love.</p>
          <p class="cart-total"><span>Total</span>
            <strong id="cart-total">{money(0, brief.currency)}</strong></p>
          <button class="button button-block" type="button" id="checkout" disabled>Checkout</button>
          <p class="form-status" role="status" aria-live="polite"></p>
        </aside>
      </div>
    </section>
"""


def _promises() -> str:
    cards = "".join(
        f'          <article class="card reveal"><span class="card-icon">{icon(name)}</span>'
        f"<h3>{heading}</h3>"
        f"<p>{text}</p></article>\n"
        for name, heading, text in _PROMISES
    )
    return f"""    <section class="section" id="story" aria-labelledby="story-title">
      <div class="container">
        <h2 id="story-title">Our promise</h2>
        <div class="cards">
{cards}        </div>
      </div>
    </section>
"""


def _body(brief: Brief) -> str:
    actions = '<div class="actions"><a class="button" href="#products">Shop now</a></div>'
    lead = f"{esc(FLAVOURS[brief.flavour].tagline)} Browse the {brief.h_title} collection below."
    aside = f'<div class="hero-art">{art("cart", f"Shopping at {brief.title}")}</div>'
    top = hero(brief, eyebrow="Shop online", lead=lead, actions=actions, aside=aside)
    return top + _products(brief) + _promises() + sections.faq(brief)


_HEADER = """
        <a class="cart-link" href="#cart">Cart <span class="cart-count" aria-live="polite">0</span></a>"""

_CSS = """
/* Shop */
.cart-link {
  display: inline-flex; align-items: center; gap: 0.4rem; padding: 0.45rem 0.9rem; border-radius: 999px;
  border: 1px solid var(--border); color: var(--text); text-decoration: none; font-weight: 600;
}
.cart-count {
  min-width: 1.5rem; padding: 0 0.4rem; border-radius: 999px; text-align: center;
  background: var(--accent); color: var(--on-accent); font-size: 0.85rem;
}
.shop-grid { display: grid; gap: 1.5rem; align-items: start; }
.sort { display: flex; align-items: center; gap: 0.5rem; font-weight: 500; }
.sort select { width: auto; }
.products { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }
.product { display: flex; flex-direction: column; }
.product h3 { margin-top: 0.25rem; }
.product-art { margin: -0.5rem -0.5rem 0.75rem; }
.product-foot {
  margin-top: auto; display: flex; justify-content: space-between; align-items: center; gap: 0.5rem;
}
.product-foot .button { padding: 0.5rem 0.9rem; font-size: 0.9rem; white-space: nowrap; }
.cart h2 { font-size: 1.4rem; }
.price { font-weight: 800; font-size: 1.15rem; }
.cart { position: sticky; top: 5.5rem; }
.cart-lines { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.75rem; }
.cart-lines li { display: grid; grid-template-columns: 1fr auto; gap: 0.25rem 0.75rem; align-items: center; }
.qty { display: inline-flex; align-items: center; gap: 0.4rem; }
.qty button {
  width: 1.9rem; height: 1.9rem; border-radius: 50%; border: 1px solid var(--border);
  background: var(--surface); color: var(--text); cursor: pointer;
}
.cart-total {
  display: flex; justify-content: space-between; border-top: 1px solid var(--border); padding-top: 1rem;
  font-size: 1.1rem;
}
@media (min-width: 1000px) { .shop-grid { grid-template-columns: 1fr 20rem; } }
"""

_SCRIPT = """
  // Shop: filter and sort products, and keep a cart with quantities and a running total.
  const currency = document.body.dataset.currency || "USD";
  const money = new Intl.NumberFormat("en", { style: "currency", currency });
  const cart = new Map();
  const lines = document.querySelector(".cart-lines");
  const checkout = document.getElementById("checkout");
  const renderCart = () => {
    lines.replaceChildren();
    let count = 0;
    let total = 0;
    cart.forEach((item, id) => {
      count += item.qty;
      total += item.qty * item.price;
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = `${item.name} · ${money.format((item.qty * item.price) / 100)}`;
      const qty = document.createElement("span");
      qty.className = "qty";
      [["\\u2212", -1, "Remove one"], ["+", 1, "Add one"]].forEach(([sign, delta, label]) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = sign;
        b.setAttribute("aria-label", `${label} ${item.name}`);
        b.addEventListener("click", () => change(id, item, delta));
        qty.append(b);
      });
      qty.insertBefore(document.createTextNode(String(item.qty)), qty.lastChild);
      li.append(name, qty);
      lines.append(li);
    });
    document.querySelectorAll(".cart-count").forEach((el) => { el.textContent = String(count); });
    document.getElementById("cart-total").textContent = money.format(total / 100);
    document.querySelector(".cart-empty").hidden = count > 0;
    checkout.disabled = count === 0;
  };
  const change = (id, item, delta) => {
    const qty = (cart.get(id)?.qty || 0) + delta;
    if (qty <= 0) cart.delete(id); else cart.set(id, { ...item, qty });
    renderCart();
  };
  document.querySelectorAll("[data-add]").forEach((button) => {
    button.addEventListener("click", () => {
      change(button.dataset.add, { name: button.dataset.name, price: Number(button.dataset.price) }, 1);
      button.textContent = "Added ✓";
      setTimeout(() => { button.textContent = "Add to cart"; }, 1200);
    });
  });
  checkout?.addEventListener("click", () => {
    const status = document.querySelector(".cart .form-status");
    status.textContent = "Thanks! This is a preview, so no payment was taken.";
    cart.clear();
    renderCart();
  });
  renderCart();

  const grid = document.querySelector(".products");
  const original = [...document.querySelectorAll(".product")];
  document.querySelectorAll("[data-filter]").forEach((button, _, all) => {
    button.addEventListener("click", () => {
      all.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      const wanted = button.dataset.filter;
      original.forEach((card) => { card.hidden = Boolean(wanted) && card.dataset.category !== wanted; });
    });
  });
  document.getElementById("sort")?.addEventListener("change", (event) => {
    const order = event.target.value;
    const cards = [...original];
    const sign = order === "low" ? 1 : -1;
    if (order !== "featured") cards.sort((a, b) => (a.dataset.price - b.dataset.price) * sign);
    grid.append(...cards);
  });
"""

SHOP = Site(
    name="shop",
    label="online shop",
    nav=(("products", "Products"), ("story", "Our promise"), ("faq", "FAQ")),
    body=_body,
    css=_CSS,
    script=_SCRIPT,
    offers="six products with category filters and sorting, a live cart with quantities and a total, "
    "and an FAQ",
    header_extra=_HEADER,
)
