"""The shared app.js: theme toggle, footer year, reveal on scroll, counters and form validation that
never sends anything. Each template appends its own behaviour inside the same strict-mode closure.
The script holds no text from the prompt, so nothing a user typed can reach JavaScript.
"""

from __future__ import annotations

__all__ = ["script"]

_COMMON = """// Behaviour for this page. Plain JavaScript, no build step, no network requests.
(() => {
  "use strict";
  const root = document.documentElement;
  root.classList.add("js");

  // Storage throws inside a sandboxed preview; the page works without it.
  const store = {
    get(key) { try { return window.localStorage.getItem(key); } catch { return null; } },
    set(key, value) { try { window.localStorage.setItem(key, value); } catch { /* not available */ } },
  };

  // Theme: the toggle switches to the palette's alternate (light <-> dark) and remembers the choice.
  const toggle = document.querySelector(".theme-toggle");
  const applyTheme = (alt) => {
    if (alt) root.dataset.theme = "alt"; else delete root.dataset.theme;
    toggle?.setAttribute("aria-pressed", String(alt));
  };
  applyTheme(store.get("vibe-theme") === "alt");
  toggle?.addEventListener("click", () => {
    const alt = root.dataset.theme !== "alt";
    applyTheme(alt);
    store.set("vibe-theme", alt ? "alt" : "base");
  });

  const year = String(new Date().getFullYear());
  document.querySelectorAll("[data-year]").forEach((el) => { el.textContent = year; });

  // Count numbers up once they scroll into view ("40+" counts to 40 and keeps its "+").
  const countUp = (el) => {
    const match = /^(\\d+)(.*)$/.exec(el.textContent.trim());
    if (!match) return;
    const target = Number(match[1]);
    const suffix = match[2];
    const start = performance.now();
    const step = (now) => {
      const t = Math.min(1, (now - start) / 900);
      el.textContent = Math.round(target * (1 - Math.pow(1 - t, 3))) + suffix;
      if (t < 1) requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  };

  const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  const watched = document.querySelectorAll(".reveal, [data-count]");
  if ("IntersectionObserver" in window && !reduceMotion) {
    const observer = new IntersectionObserver((entries) => {
      entries.forEach((entry) => {
        if (!entry.isIntersecting) return;
        entry.target.classList.add("is-visible");
        if (entry.target.hasAttribute("data-count")) countUp(entry.target);
        observer.unobserve(entry.target);
      });
    }, { threshold: 0.15 });
    watched.forEach((el) => observer.observe(el));
  } else {
    watched.forEach((el) => el.classList.add("is-visible"));
  }

  // Forms: say precisely what is missing, next to the form; nothing is ever sent anywhere.
  const labelOf = (field) => field.labels?.[0]?.textContent.trim() || field.name || "This field";
  const checkForm = (form) => {
    let firstBad = null;
    const problems = [];
    form.querySelectorAll("input, textarea, select").forEach((field) => {
      const ok = field.checkValidity();
      field.setAttribute("aria-invalid", String(!ok));
      if (!ok) {
        problems.push(`${labelOf(field)}: ${field.validationMessage}`);
        firstBad = firstBad || field;
      }
    });
    return { firstBad, problems };
  };
  document.querySelectorAll("form[data-validate]").forEach((form) => {
    const status = form.querySelector(".form-status");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      form.dispatchEvent(new CustomEvent("vibe:check", { bubbles: false }));
      const { firstBad, problems } = checkForm(form);
      if (status) {
        status.classList.toggle("is-error", problems.length > 0);
        status.textContent = problems.length ? problems.join(" · ") : form.dataset.success || "Thank you!";
      }
      if (firstBad) { firstBad.focus(); return; }
      form.reset();
      form.dispatchEvent(new CustomEvent("vibe:sent"));
    });
  });
"""

_END = "})();\n"


def script(site_script: str) -> str:
    """app.js: the shared behaviour, then the template's own, in one closure."""
    return _COMMON + site_script + _END
