"""The dashboard: KPI cards, a trend chart drawn as inline SVG, a channel breakdown and a filterable
activity table, with a 7/30/90-day range switch. The figures are sample data computed in app.js.
"""

from __future__ import annotations

from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.icons import icon
from vibe.adapters.offline.pages import Site, esc, hero, money

__all__ = ["DASHBOARD"]

_KPIS = (
    ("revenue", "Revenue", "chart", "+12.4%"),
    ("orders", "Orders", "cart", "+8.1%"),
    ("visitors", "Visitors", "user", "+15.9%"),
    ("conversion", "Conversion", "bolt", "-0.3 pt"),
)
_CHANNELS = (("Direct", 46), ("Search", 28), ("Social", 16), ("Email", 10))
_ROWS = (
    ("Ava Thompson", "Annual plan", "Paid", 24000),
    ("Noah Martin", "Starter bundle", "Pending", 4900),
    ("Mia Chen", "Gift card", "Paid", 5000),
    ("Lucas Silva", "Premium kit", "Refunded", 12900),
    ("Emma Dubois", "Monthly plan", "Paid", 2900),
    ("Oliver Novak", "Workshop seat", "Paid", 9500),
    ("Sofia Rossi", "Starter bundle", "Pending", 4900),
    ("Liam O'Brien", "Annual plan", "Paid", 24000),
)


def _range_control() -> str:
    buttons = "".join(
        f'<button type="button" data-range="{days}" aria-pressed="{"true" if days == 30 else "false"}">'
        f"{days} days</button>"
        for days in (7, 30, 90)
    )
    return f'<div class="segmented" role="group" aria-label="Time range">{buttons}</div>'


def _kpis() -> str:
    cards = "".join(
        f"""        <article class="kpi card">
          <p class="kpi-label">{icon(name)}{label}</p>
          <p class="kpi-value" data-kpi="{key}">&ndash;</p>
          <p class="kpi-delta{" is-down" if delta.startswith("-") else ""}">{delta}
            <span class="muted">vs last period</span></p>
        </article>
"""
        for key, label, name, delta in _KPIS
    )
    return f"""    <section class="section dash" id="overview" aria-label="Key numbers">
      <div class="container kpis">
{cards}      </div>
    </section>
"""


def _trends() -> str:
    bars = "".join(
        f'            <li><span>{name}</span><span class="bar" style="--value: {share}%"></span>'
        f"<b>{share}%</b></li>\n"
        for name, share in _CHANNELS
    )
    return f"""    <section class="section dash" id="trends" aria-labelledby="trends-title">
      <div class="container dash-grid">
        <article class="card chart-card">
          <h2 id="trends-title">Revenue trend</h2>
          <p class="muted" id="chart-caption">Daily revenue over the selected period.</p>
          <svg id="trend-chart" class="chart" viewBox="0 0 640 260" role="img"
            aria-labelledby="chart-caption"></svg>
        </article>
        <article class="card">
          <h2>Channels</h2>
          <p class="muted">Where visitors come from.</p>
          <ul class="channels">
{bars}          </ul>
        </article>
      </div>
    </section>
"""


def _activity(brief: Brief) -> str:
    rows = "".join(
        f'            <tr data-status="{status.lower()}"><td>{esc(name)}</td><td>{item}</td>'
        f'<td><span class="status status-{status.lower()}">{status}</span></td>'
        f'<td class="num">{money(cents, brief.currency)}</td></tr>\n'
        for name, item, status, cents in _ROWS
    )
    return f"""    <section class="section dash" id="activity" aria-labelledby="activity-title">
      <div class="container">
        <div class="card">
          <div class="table-head">
            <h2 id="activity-title">Recent activity</h2>
            <div class="table-tools">
              <label class="visually-hidden" for="activity-search">Search activity</label>
              <input id="activity-search" type="search" placeholder="Search names or items">
              <label class="visually-hidden" for="activity-status">Status</label>
              <select id="activity-status">
                <option value="">All statuses</option><option value="paid">Paid</option>
                <option value="pending">Pending</option><option value="refunded">Refunded</option>
              </select>
            </div>
          </div>
          <div class="table-scroll">
            <table class="data-table">
              <thead><tr><th scope="col">Customer</th><th scope="col">Item</th><th scope="col">Status</th>
                <th scope="col" class="num">Amount</th></tr></thead>
              <tbody>
{rows}              </tbody>
            </table>
          </div>
          <p class="muted" id="activity-empty" hidden>No activity matches your search.</p>
        </div>
      </div>
    </section>
"""


def _body(brief: Brief) -> str:
    lead = (
        f"Everything that matters for {brief.h_title} at a glance: key numbers, trends and recent activity."
    )
    top = hero(brief, eyebrow="Dashboard", lead=lead, extra=_range_control())
    return top + _kpis() + _trends() + _activity(brief)


_CSS = """
/* Dashboard */
.hero { padding-bottom: 1.5rem; }
.dash { padding: 1.25rem 0; background: none !important; }
.segmented {
  display: inline-flex; gap: 0.25rem; padding: 0.25rem; border-radius: 999px; background: var(--surface-2);
}
.segmented button {
  border: 0; border-radius: 999px; padding: 0.45rem 0.95rem; font: inherit; font-weight: 600; cursor: pointer;
  background: transparent; color: var(--muted);
}
.segmented button[aria-pressed="true"] {
  background: var(--surface); color: var(--text); box-shadow: 0 1px 4px rgb(var(--shadow-rgb) / 15%);
}
.kpis { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(13rem, 1fr)); }
.kpi p { margin: 0; }
.kpi-label { display: flex; align-items: center; gap: 0.5rem; color: var(--muted); font-weight: 600; }
.kpi-label .icon { width: 1.1rem; height: 1.1rem; color: var(--accent); }
.kpi-value {
  font-size: 2rem; font-weight: 800; margin: 0.35rem 0 !important; font-variant-numeric: tabular-nums;
}
.kpi .kpi-delta { color: #16a34a; font-weight: 600; font-size: 0.9rem; }
.kpi .kpi-delta.is-down { color: #dc2626; }
.dash h2 { font-size: 1.3rem; }
.dash-grid { display: grid; gap: 1rem; }
.chart { width: 100%; height: auto; display: block; }
.chart .grid { stroke: var(--border); stroke-width: 1; }
.chart .axis { fill: var(--muted); font: 12px system-ui, sans-serif; }
.chart .area { fill: var(--accent-soft); }
.chart .line {
  fill: none; stroke: var(--accent); stroke-width: 3; stroke-linejoin: round; stroke-linecap: round;
}
.chart .dot { fill: var(--surface); stroke: var(--accent); stroke-width: 2; }
.chart .dot:hover { fill: var(--accent); }
.channels { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.9rem; }
.channels li { display: grid; grid-template-columns: 4.5rem 1fr 3rem; align-items: center; gap: 0.75rem; }
.channels b { text-align: right; }
.bar {
  height: 0.6rem; border-radius: 999px;
  background: linear-gradient(90deg, var(--accent) var(--value), var(--surface-2) var(--value));
}
.table-head {
  display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 1rem;
  margin-bottom: 1rem;
}
.table-head h2 { margin: 0; }
.table-tools { display: flex; gap: 0.5rem; flex-wrap: wrap; }
.table-tools input { width: 15rem; }
.table-tools select { width: auto; }
.data-table { width: 100%; border-collapse: collapse; min-width: 34rem; }
.data-table th {
  text-align: left; color: var(--muted); font-size: 0.85rem; text-transform: uppercase;
  letter-spacing: 0.05em;
}
.data-table th, .data-table td { padding: 0.8rem 0.6rem; border-bottom: 1px solid var(--border); }
.data-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.status {
  padding: 0.2rem 0.6rem; border-radius: 999px; font-size: 0.85rem; font-weight: 600;
  background: var(--surface-2);
}
.status-paid { color: #15803d; background: #15803d1f; }
.status-pending { color: #a16207; background: #a162071f; }
.status-refunded { color: #b91c1c; background: #b91c1c1f; }
@media (min-width: 900px) { .dash-grid { grid-template-columns: 2fr 1fr; } }
"""

_SCRIPT = """
  // Dashboard: sample figures for the chosen range, drawn as an SVG chart, and a filterable table.
  const currency = document.body.dataset.currency || "USD";
  const money = new Intl.NumberFormat("en", { style: "currency", currency, maximumFractionDigits: 0 });
  const whole = new Intl.NumberFormat("en");
  const series = (days) => Array.from({ length: days }, (_, i) =>
    Math.round(1400 + 380 * Math.sin(i / 2.3) + 160 * Math.sin(i * 1.7) + (i / days) * 520));

  const SVG = "http://www.w3.org/2000/svg";
  const chart = document.getElementById("trend-chart");
  const shape = (name, attrs, text) => {
    const el = document.createElementNS(SVG, name);
    Object.entries(attrs).forEach(([key, value]) => el.setAttribute(key, String(value)));
    if (text) el.textContent = text;
    return el;
  };
  const draw = (values) => {
    const [w, h, pad] = [640, 260, 36];
    const max = Math.max(...values) * 1.1;
    const x = (i) => pad + (i * (w - pad * 2)) / Math.max(1, values.length - 1);
    const y = (v) => h - pad - (v / max) * (h - pad * 2);
    chart.replaceChildren();
    [0, 0.25, 0.5, 0.75, 1].forEach((f) => {
      const gy = y(max * f);
      chart.append(shape("line", { class: "grid", x1: pad, x2: w - pad, y1: gy, y2: gy }));
      const label = whole.format(Math.round((max * f) / 100) * 100);
      chart.append(shape("text", { class: "axis", x: 2, y: gy + 4 }, label));
    });
    const points = values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    const area = `M${pad},${h - pad} L${points.join(" L")} L${w - pad},${h - pad} Z`;
    chart.append(shape("path", { class: "area", d: area }));
    chart.append(shape("path", { class: "line", d: `M${points.join(" L")}` }));
    const every = Math.ceil(values.length / 12);
    values.forEach((v, i) => {
      if (i % every && i !== values.length - 1) return;
      const dot = shape("circle", { class: "dot", cx: x(i), cy: y(v), r: 4.5 });
      dot.append(shape("title", {}, `Day ${i + 1}: ${money.format(v)}`));
      chart.append(dot);
      chart.append(shape("text", { class: "axis", x: x(i) - 8, y: h - 10 }, String(i + 1)));
    });
  };
  const show = (days) => {
    const values = series(days);
    const revenue = values.reduce((a, b) => a + b, 0);
    const orders = Math.round(revenue / 48);
    const visitors = orders * 31;
    const figures = {
      revenue: money.format(revenue), orders: whole.format(orders),
      visitors: whole.format(visitors), conversion: `${((orders / visitors) * 100).toFixed(1)}%`,
    };
    Object.entries(figures).forEach(([key, text]) => {
      const el = document.querySelector(`[data-kpi="${key}"]`);
      if (el) el.textContent = text;
    });
    if (chart) draw(values);
  };
  document.querySelectorAll("[data-range]").forEach((button) => {
    button.addEventListener("click", () => {
      document.querySelectorAll("[data-range]").forEach((b) => {
        b.setAttribute("aria-pressed", String(b === button));
      });
      show(Number(button.dataset.range));
    });
  });
  show(30);

  const search = document.getElementById("activity-search");
  const status = document.getElementById("activity-status");
  const filterRows = () => {
    const term = (search?.value || "").trim().toLowerCase();
    let shown = 0;
    document.querySelectorAll(".data-table tbody tr").forEach((row) => {
      const matches = row.textContent.toLowerCase().includes(term);
      const ok = matches && (!status?.value || row.dataset.status === status.value);
      row.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    const empty = document.getElementById("activity-empty");
    if (empty) empty.hidden = shown > 0;
  };
  search?.addEventListener("input", filterRows);
  status?.addEventListener("change", filterRows);
"""

DASHBOARD = Site(
    name="dashboard",
    label="dashboard",
    nav=(("overview", "Overview"), ("trends", "Trends"), ("activity", "Activity")),
    body=_body,
    css=_CSS,
    script=_SCRIPT,
    offers="KPI cards, an SVG revenue chart with a 7/30/90-day switch, a channel breakdown "
    "and a searchable table",
)
