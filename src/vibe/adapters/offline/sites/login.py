"""The sign-in and sign-up page: a welcome panel beside a tabbed card with two validated forms, a
password strength meter and show-password toggles, then account help. Nothing leaves the page.
"""

from __future__ import annotations

from vibe.adapters.offline import sections
from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.copydeck import FLAVOURS
from vibe.adapters.offline.icons import icon
from vibe.adapters.offline.pages import Site, esc

__all__ = ["LOGIN"]

_HELP = (
    (
        "I forgot my password. What now?",
        "Choose “Forgot password?” on the sign-in form and follow the emailed link.",
    ),
    (
        "Is my data safe?",
        "Passwords are never stored in plain text and you can delete your account at any time.",
    ),
    ("Can I sign in on several devices?", "Yes. Sign in wherever you like; your account follows you."),
)


def _password(fid: str, label: str, autocomplete: str, extra: str = "") -> str:
    return f"""            <div class="field">
              <label for="{fid}">{label}</label>
              <div class="password">
                <input id="{fid}" name="{fid}" type="password" autocomplete="{autocomplete}" minlength="8"
                  required{extra}>
                <button class="icon-button" type="button" data-reveal="{fid}" aria-label="Show password"
                  aria-pressed="false">{icon("eye")}</button>
              </div>
            </div>
"""


def _signin() -> str:
    return f"""          <form id="signin" class="auth-form" role="tabpanel" aria-labelledby="tab-signin"
            data-validate
            data-success="Signed in. (This preview keeps everything on your device.)" novalidate>
            <div class="field">
              <label for="signin-email">Email</label>
              <input id="signin-email" name="email" type="email" autocomplete="email" required>
            </div>
{_password("signin-password", "Password", "current-password")}            <div class="row">
              <label class="check"><input type="checkbox" name="remember"> Remember me</label>
              <a href="#help">Forgot password?</a>
            </div>
            <button class="button button-block" type="submit">{icon("lock")} Sign in</button>
            <p class="form-status" role="status" aria-live="polite"></p>
          </form>
"""


def _signup() -> str:
    return f"""          <form id="signup" class="auth-form" role="tabpanel" aria-labelledby="tab-signup"
            data-validate
            data-success="Account created. Welcome aboard!" novalidate hidden>
            <div class="field">
              <label for="signup-name">Full name</label>
              <input id="signup-name" name="name" autocomplete="name" required>
            </div>
            <div class="field">
              <label for="signup-email">Email</label>
              <input id="signup-email" name="email" type="email" autocomplete="email" required>
            </div>
{_password("signup-password", "Password", "new-password", ' aria-describedby="strength-text"')}\
            <div class="strength" aria-hidden="true"><span id="strength-bar"></span></div>
            <p class="hint" id="strength-text">Use at least 8 characters; mix in numbers and symbols.</p>
{_password("signup-confirm", "Confirm password", "new-password")}\
            <label class="check"><input type="checkbox" name="terms" required> I agree to the terms</label>
            <button class="button button-block" type="submit">Create account</button>
            <p class="form-status" role="status" aria-live="polite"></p>
          </form>
"""


def _body(brief: Brief) -> str:
    flavour = FLAVOURS[brief.flavour]
    perks = "".join(f"<li>{icon('check')}{esc(heading)}</li>" for _, heading, _ in flavour.features)
    quote, name, role = flavour.quotes[0]
    panel = f"""    <section class="auth" aria-labelledby="page-title">
      <div class="container auth-grid">
        <div class="auth-intro">
          <p class="eyebrow">Your account</p>
          <h1 id="page-title">{brief.h_title}</h1>
          <p class="lead">Sign in to pick up where you left off, or create an account in under a minute.</p>
          <p class="brief">From your brief: <q>{brief.h_quote}</q></p>
          <ul class="checks">{perks}</ul>
          <figure class="quote mini-quote"><blockquote><p>{esc(quote)}</p></blockquote>
            <figcaption><strong>{esc(name)}</strong>, {esc(role)}</figcaption></figure>
        </div>
        <div class="auth-card card">
          <div class="tabs" role="tablist" aria-label="Account">
            <button id="tab-signin" type="button" role="tab" aria-selected="true"
              aria-controls="signin">Sign in</button>
            <button id="tab-signup" type="button" role="tab" aria-selected="false" aria-controls="signup"
              tabindex="-1">Create account</button>
          </div>
{_signin()}{_signup()}        </div>
      </div>
    </section>
"""
    return panel + sections.faq(brief, "help", _HELP)


_CSS = """
/* Sign in / sign up */
.auth {
  padding: clamp(2.5rem, 6vw, 5rem) 0;
  background: radial-gradient(50rem 30rem at 10% 0%, var(--accent-soft), transparent 70%);
}
.auth-grid { display: grid; gap: 2.5rem; align-items: start; }
.auth-intro .checks { margin: 1.5rem 0; }
.mini-quote { max-width: 30rem; }
.mini-quote figcaption { display: block; }
.auth-card { max-width: 30rem; width: 100%; justify-self: center; padding: 2rem; }
.tabs {
  display: grid; grid-template-columns: 1fr 1fr; gap: 0.25rem; padding: 0.25rem; border-radius: 999px;
  background: var(--surface-2); margin-bottom: 1.5rem;
}
.tabs button {
  border: 0; border-radius: 999px; padding: 0.6rem; font: inherit; font-weight: 600; cursor: pointer;
  background: transparent; color: var(--muted);
}
.tabs button[aria-selected="true"] {
  background: var(--surface); color: var(--text); box-shadow: 0 1px 4px rgb(var(--shadow-rgb) / 15%);
}
.auth-form { display: grid; gap: 1rem; }
.password { position: relative; }
.password input { padding-right: 3.25rem; }
.password .icon-button {
  position: absolute; right: 0.3rem; top: 50%; transform: translateY(-50%); width: 2.3rem; height: 2.3rem;
  border: 0; background: transparent;
}
.password .icon-button[aria-pressed="true"] { color: var(--accent); }
.row { display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; }
.check { display: inline-flex; align-items: center; gap: 0.5rem; font-weight: 500; }
.check input { width: 1.1rem; height: 1.1rem; accent-color: var(--accent); }
.strength {
  height: 0.4rem; border-radius: 999px; background: var(--surface-2); overflow: hidden; margin-top: -0.4rem;
}
.strength span {
  display: block; height: 100%; width: 0; background: var(--accent); transition: width 0.25s ease;
}
.hint { margin: -0.5rem 0 0; font-size: 0.88rem; color: var(--muted); }
@media (min-width: 900px) { .auth-grid { grid-template-columns: 1fr 1fr; } }
"""

_SCRIPT = """
  // Sign in / sign up: accessible tabs, show-password toggles, a strength meter and matching passwords.
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  const select = (tab) => {
    tabs.forEach((t) => {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute("aria-controls")).hidden = !on;
    });
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
      const next = tabs[(i + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
      select(next);
      next.focus();
    });
  });
  const fromHash = () => {
    const tab = tabs.find((t) => `#${t.getAttribute("aria-controls")}` === location.hash);
    if (tab) select(tab);
  };
  window.addEventListener("hashchange", fromHash);
  fromHash();

  document.querySelectorAll("[data-reveal]").forEach((button) => {
    button.addEventListener("click", () => {
      const input = document.getElementById(button.dataset.reveal);
      const show = input.type === "password";
      input.type = show ? "text" : "password";
      button.setAttribute("aria-pressed", String(show));
      button.setAttribute("aria-label", show ? "Hide password" : "Show password");
    });
  });

  const password = document.getElementById("signup-password");
  const confirm = document.getElementById("signup-confirm");
  const bar = document.getElementById("strength-bar");
  const words = ["Too short", "Weak", "Fair", "Good", "Strong"];
  password?.addEventListener("input", () => {
    const v = password.value;
    const score = v.length < 8 ? 0 : [/[a-z]/, /[A-Z]/, /\\d/, /[^\\w]/].filter((r) => r.test(v)).length;
    if (bar) bar.style.width = `${(score / 4) * 100}%`;
    const text = document.getElementById("strength-text");
    const advice = "Use at least 8 characters; mix in numbers and symbols.";
    if (text) text.textContent = v ? `Strength: ${words[score]}` : advice;
  });
  document.getElementById("signup")?.addEventListener("vibe:check", () => {
    const differ = confirm && confirm.value && confirm.value !== password?.value;
    confirm?.setCustomValidity(differ ? "The passwords do not match." : "");
  });
"""

LOGIN = Site(
    name="login",
    label="sign-in page",
    nav=(("signin", "Sign in"), ("signup", "Create account"), ("help", "Help")),
    body=_body,
    css=_CSS,
    script=_SCRIPT,
    offers="tabbed sign-in and sign-up forms with validation, a password strength meter and account help",
)
