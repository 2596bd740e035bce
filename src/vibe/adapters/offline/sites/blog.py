"""The blog: a featured post, a searchable and tag-filtered list of posts that expand in place, an
author card and a newsletter sign-up.
"""

from __future__ import annotations

from vibe.adapters.offline import sections
from vibe.adapters.offline.briefs import Brief
from vibe.adapters.offline.copydeck import FLAVOURS
from vibe.adapters.offline.icons import art, icon
from vibe.adapters.offline.pages import Site, esc, hero

__all__ = ["BLOG"]

_TAGS = ("Stories", "Guides", "Notes")
_POSTS = (
    ("Stories", "Why we started {title}", "It began with a simple question and a lot of stubbornness."),
    ("Guides", "A beginner's guide to getting started", "Everything we wish someone had told us on day one."),
    ("Notes", "Five small habits that changed everything", "Tiny, repeatable steps beat big resolutions."),
    (
        "Stories",
        "Behind the scenes: a week in the life",
        "Early mornings, happy accidents and a few lessons.",
    ),
    ("Guides", "The tools we use every day", "A short, honest list of what earns its place on our desk."),
    ("Notes", "What we learned in our first year", "Mistakes, surprises and what we would do again."),
)
_DATES = ("12 Mar", "28 Feb", "14 Feb", "30 Jan", "16 Jan", "2 Jan")


def _post(brief: Brief, index: int) -> str:
    tag, title, excerpt = _POSTS[index]
    heading = esc(title).replace("{title}", brief.h_title)
    flavour = FLAVOURS[brief.flavour]
    more = esc(flavour.features[index % 3][2]) + " " + esc(flavour.quotes[index % 3][0])
    cover = art(flavour.features[index % 3][0], f"Cover for {tag.lower()} post", index)
    meta = f'<span class="tag">{tag}</span> <time>{_DATES[index]}</time> · {4 + index % 4} min read'
    return f"""          <article class="post card reveal" data-tags="{tag.lower()}">
            <div class="post-cover">{cover}</div>
            <div class="post-body">
              <p class="post-meta">{meta}</p>
              <h3>{heading}</h3>
              <p>{esc(excerpt)}</p>
              <details><summary>Read more</summary><p>{more}</p></details>
            </div>
          </article>
"""


def _posts(brief: Brief) -> str:
    chips = "".join(
        f'<button type="button" data-tag="{tag.lower()}" aria-pressed="false">{tag}</button>' for tag in _TAGS
    )
    posts = "".join(_post(brief, index) for index in range(len(_POSTS)))
    return f"""    <section class="section" id="posts" aria-labelledby="posts-title">
      <div class="container">
        <div class="posts-head">
          <h2 id="posts-title">Latest posts</h2>
          <div class="chips" id="topics" role="group" aria-label="Filter by topic">
            <button type="button" data-tag="" aria-pressed="true">All</button>{chips}
          </div>
        </div>
        <div class="posts">
{posts}        </div>
        <p class="muted" id="posts-empty" hidden>No posts match yet. Try another word or topic.</p>
      </div>
    </section>
"""


def _about(brief: Brief) -> str:
    return f"""    <section class="section" id="about" aria-labelledby="about-title">
      <div class="container author card">
        <span class="avatar avatar-lg" aria-hidden="true">{icon("user")}</span>
        <div>
          <h2 id="about-title">About this blog</h2>
          <p>{brief.h_title} is a small, independent journal. {esc(FLAVOURS[brief.flavour].tagline)}</p>
          <p class="muted">New posts every other week. Say hello anytime.</p>
        </div>
      </div>
    </section>
"""


def _body(brief: Brief) -> str:
    search = """<form class="search" role="search">
            <label class="visually-hidden" for="post-search">Search posts</label>
            <input id="post-search" type="search" placeholder="Search posts">
          </form>"""
    lead = f"Stories, guides and notes from {brief.h_title}. {esc(FLAVOURS[brief.flavour].tagline)}"
    return (
        hero(brief, eyebrow="The blog", lead=lead, extra=search)
        + _posts(brief)
        + _about(brief)
        + sections.newsletter(brief)
    )


_CSS = """
/* Blog */
.search { max-width: 28rem; margin-top: 1.5rem; }
.posts { display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }
.post { display: flex; flex-direction: column; padding: 0; overflow: hidden; }
.post-cover .art-panel { stroke: none; }
.post-body { display: flex; flex-direction: column; flex: 1; padding: 0 1.4rem 1.25rem; }
.post-meta { margin-top: 1rem; font-size: 0.88rem; color: var(--muted); }
.post-meta .tag { display: inline; }
.post-body > p:not(.post-meta) { color: var(--muted); }
.post details { margin-top: auto; }
.post summary { cursor: pointer; color: var(--accent); font-weight: 600; }
.author { display: flex; gap: 1.5rem; align-items: center; max-width: 48rem; }
.author .icon { width: 2rem; height: 2rem; }
@media (min-width: 900px) {
  .post:first-child {
    grid-column: 1 / -1; display: grid; grid-template-columns: 1fr 1fr; align-items: center;
  }
  .post:first-child .post-body { padding: 1.5rem 2rem; }
  .post:first-child h3 { font-size: 1.8rem; }
}
"""

_SCRIPT = """
  // Blog: filter posts by topic and by the words typed in the search box.
  const chips = [...document.querySelectorAll("[data-tag]")];
  const search = document.getElementById("post-search");
  let tag = "";
  const filterPosts = () => {
    const term = (search?.value || "").trim().toLowerCase();
    let shown = 0;
    document.querySelectorAll(".post").forEach((post) => {
      const ok = (!tag || post.dataset.tags.includes(tag)) && post.textContent.toLowerCase().includes(term);
      post.hidden = !ok;
      shown += ok ? 1 : 0;
    });
    const empty = document.getElementById("posts-empty");
    if (empty) empty.hidden = shown > 0;
  };
  chips.forEach((chip) => chip.addEventListener("click", () => {
    tag = chip.dataset.tag;
    chips.forEach((c) => c.setAttribute("aria-pressed", String(c === chip)));
    filterPosts();
  }));
  search?.addEventListener("input", filterPosts);
  search?.form?.addEventListener("submit", (event) => event.preventDefault());
"""

BLOG = Site(
    name="blog",
    label="blog",
    nav=(("posts", "Posts"), ("topics", "Topics"), ("about", "About"), ("subscribe", "Subscribe")),
    body=_body,
    css=_CSS,
    script=_SCRIPT,
    offers="a featured post, six posts you can search and filter by topic, an author card and a newsletter",
)
