"""The briefs the offline model is held to, in English and Chinese: every kind of site, every named
section, every style word and the games, each with what its site must show. Shared by the static
tests (tests/unit/test_offline_briefs.py) and the browser tests (tests/browser/test_offline_sites.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vibe.adapters.offline.plans import new_site_plan


@dataclass(frozen=True)
class Case:
    prompt: str
    kind: str
    sections: tuple[str, ...] = ()  # section ids the page must have (named or expected of the kind)
    lang: str = "en"
    title: str | None = None
    style: dict[str, str] = field(default_factory=dict)  # token name -> value
    game: str | None = None
    fallback: str | None = None  # a game asked for that the model does not have

    @property
    def id(self) -> str:
        return self.prompt[:40]


CASES = (
    Case(
        "A landing page for a bakery in Paris with a menu and opening hours",
        "restaurant",
        ("menu", "hours", "location", "contact"),
        title="Bakery in Paris",
    ),
    Case(
        "A landing page for a surf school in Biarritz with lessons and online booking",
        "service",
        ("services", "booking"),
    ),
    Case("A Kyoto ceramics shop", "shop", ("products",), title="Kyoto Ceramics Shop"),
    Case(
        "A wedding RSVP page for Anna and Ben",
        "event",
        ("rsvp", "schedule", "location"),
        title="Anna and Ben",
    ),
    Case("a playable tetris game", "game", game="snake", fallback="tetris"),
    Case("A snake game", "game", game="snake"),
    Case("A tic-tac-toe game", "game", game="tictactoe"),
    Case("A memory game with cards", "game", game="memory"),
    Case("a 2048 game", "game", game="memory", fallback="2048"),
    Case(
        "An online shop for handmade candles with a FAQ and testimonials",
        "shop",
        ("products", "faq", "testimonials"),
    ),
    Case(
        "A portfolio for Jane Doe, illustrator, with a gallery and a contact form",
        "portfolio",
        ("gallery", "contact"),
        title="Jane Doe",
    ),
    Case(
        "A site for a developer conference called DevDays with a schedule, speakers and tickets",
        "conference",
        ("schedule", "team", "pricing"),
        title="DevDays",
    ),
    Case(
        "A dental clinic with appointment booking and our team, in blue",
        "service",
        ("booking", "team"),
        style={"accent": "blue"},
    ),
    Case("A landing page for a note-taking app with pricing and features", "saas", ("pricing", "features")),
    Case(
        "A blog about hiking in the Alps with a newsletter, in orange",
        "blog",
        ("posts", "newsletter"),
        style={"accent": "orange"},
    ),
    Case("A non-profit animal shelter site with a donation form and volunteers", "nonprofit", ("donate",)),
    Case("Documentation and FAQ for the Quill editor", "docs", ("docs", "faq")),
    Case("An analytics dashboard for Orbit Logistics", "dashboard", ("dashboard",), title="Orbit Logistics"),
    Case("A personal homepage for Sam Lee with an about me section", "personal", ("about",), title="Sam Lee"),
    Case("A login form for a team chat app", "signin", ("signin",)),
    Case(
        "A pizzeria in Naples with a menu, location and reviews",
        "restaurant",
        ("menu", "location", "testimonials"),
    ),
    Case(
        "A dark, minimal portfolio for a photographer",
        "portfolio",
        ("gallery",),
        style={"scheme": "dark", "mood": "minimal"},
    ),
    Case(
        "A playful yoga studio site with a class schedule and booking, in green",
        "service",
        ("schedule", "booking"),
        style={"mood": "playful", "accent": "green"},
    ),
    Case(
        "A café called Blue Moon with a serif font and pink buttons",
        "restaurant",
        ("menu",),
        title="Blue Moon",
        style={"font": "serif", "buttons": "pink", "accent": "brown"},
    ),
    Case(
        "A light, airy florist shop with a gallery, in purple",
        "shop",
        ("products", "gallery"),
        style={"scheme": "light", "accent": "purple"},
    ),
    Case("A birthday party invitation with RSVP and location", "event", ("rsvp", "location")),
    Case(
        "A hair salon with services, a price list, opening hours and a map",
        "service",
        ("services", "pricing", "hours", "location"),
    ),
    Case(
        "A startup landing page with features, pricing, FAQ and newsletter, dark with a teal accent",
        "saas",
        ("features", "pricing", "faq", "newsletter"),
        style={"scheme": "dark", "accent": "teal"},
    ),
    Case("A bookshop in London with a newsletter and our team", "shop", ("newsletter", "team")),
    Case(
        "A sushi restaurant with a menu, gallery and contact form in red",
        "restaurant",
        ("menu", "gallery", "contact"),
        style={"accent": "red"},
    ),
    Case(
        "A design studio portfolio with an about section, team, services and testimonials",
        "portfolio",
        ("about", "team", "services", "testimonials"),
    ),
    Case("A charity fundraiser with a schedule and a donation form", "nonprofit", ("schedule", "donate")),
    Case(
        "A clothing store with products, an FAQ and a yellow accent",
        "shop",
        ("products", "faq"),
        style={"accent": "yellow"},
    ),
    Case(
        "A consulting firm website with services, our story and a contact form, brown and serif",
        "business",
        ("services", "about", "contact"),
        style={"accent": "brown", "font": "serif"},
    ),
    Case("A gray monochrome photography portfolio", "portfolio", ("gallery",), style={"accent": "gray"}),
    Case(
        "A cooking blog with recipes as blog posts, about me and features",
        "blog",
        ("posts", "about", "features"),
    ),
    Case("为巴黎的面包店做一个落地页，有菜单和营业时间", "restaurant", ("menu", "hours"), "zh", "巴黎面包店"),
    Case("我们婚礼的请柬页面，带日程安排和出席回复表单", "event", ("schedule", "rsvp"), "zh", "婚礼请柬"),
    Case(
        "京都陶瓷网店，展示商品和常见问题，深色", "shop", ("products", "faq"), "zh", style={"scheme": "dark"}
    ),
    Case("一个贪吃蛇游戏", "game", lang="zh", game="snake"),
    Case("井字棋游戏", "game", lang="zh", game="tictactoe"),
    Case("记忆翻牌游戏", "game", lang="zh", game="memory"),
    Case("做一个俄罗斯方块游戏", "game", lang="zh", game="snake", fallback="tetris"),
    Case(
        "瑜伽馆网站，可以在线预约，有团队介绍和价格，绿色，衬线字体",
        "service",
        ("booking", "team", "pricing"),
        "zh",
        style={"accent": "green", "font": "serif"},
    ),
    Case("技术大会网站，包含议程、讲者和门票", "conference", ("schedule", "team", "pricing"), "zh"),
    Case("动物救助站的公益网站，有捐款表单和订阅", "nonprofit", ("donate", "newsletter"), "zh"),
    Case(
        "关于阿尔卑斯山徒步的博客，极简风格",
        "blog",
        ("posts",),
        "zh",
        "阿尔卑斯山徒步",
        style={"mood": "minimal"},
    ),
    Case(
        "咖啡馆网站，有菜单、图库、地址和联系表单，活泼风格，粉色",
        "restaurant",
        ("menu", "gallery", "location", "contact"),
        "zh",
        style={"mood": "playful", "accent": "pink"},
    ),
    Case("销售数据仪表盘", "dashboard", ("dashboard",), "zh"),
    Case(
        "个人主页，介绍我的故事和服务，浅色",
        "personal",
        ("about", "services"),
        "zh",
        style={"scheme": "light"},
    ),
    Case(
        "笔记应用的产品网站，有功能介绍和定价，蓝色按钮",
        "saas",
        ("features", "pricing"),
        "zh",
        style={"buttons": "blue"},
    ),
    Case(
        "牙科诊所网站，提供服务和预约，营业时间和评价",
        "service",
        ("services", "booking", "hours", "testimonials"),
        "zh",
    ),
    Case("帮助中心文档，带常见问题和联系方式", "docs", ("docs", "faq", "contact"), "zh"),
    Case("登录页面，给团队协作应用", "signin", ("signin",), "zh"),
)

_BUILT: dict[str, tuple[str, dict[str, str]]] = {}


def built(case: Case) -> tuple[str, dict[str, str]]:
    """The reply's first sentence and the files of the site the brief gets (made once per run)."""
    if case.prompt not in _BUILT:
        plan = new_site_plan(case.prompt)
        _BUILT[case.prompt] = (plan.intro, {c.input["path"]: c.input["content"] for c in plan.calls})
    return _BUILT[case.prompt]


def as_params(cases: tuple[Case, ...] = CASES) -> list[Any]:
    import pytest

    return [pytest.param(case, id=case.id) for case in cases]
