"""Keyword tables for reading briefs in English and Chinese: kinds of site, subjects, sections, games,
style words and colours. Each entry is (name, English pattern, Chinese words); ``earliest`` says which
entry a text mentions first, on whole English words, so "a shop for a bakery" is a shop.
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["ACCENTS", "GAMES", "KINDS", "SECTIONS", "SUBJECTS", "Table", "earliest", "latest", "mentions"]

Table = tuple[tuple[str, str, str], ...]

# Kinds named outright. A subject (below) implies a kind when none is named.
KINDS: Table = (
    (
        "game",
        r"games?|playable|snake|tic[- ]?tac[- ]?toe|noughts and crosses|memory game|tetris|2048|"
        r"pong|breakout|minesweeper|sudoku|chess|pac-?man|arcade",
        "游戏|贪吃蛇|井字棋|记忆游戏|翻牌游戏|俄罗斯方块|扫雷|数独|象棋|五子棋",
    ),
    ("dashboard", r"dashboards?|admin panel|analytics|kpis?", "仪表盘|仪表板|数据看板|后台|看板"),
    ("signin", r"log ?in|sign ?in|sign[ -]?up form|login form|registration form", "登录|注册表单"),
    (
        "docs",
        r"docs|documentation|help ?cent(?:er|re)|knowledge ?base|user guide|manual",
        "文档|帮助中心|知识库|手册",
    ),
    ("blog", r"blogs?|vlog|journal|magazine", "博客|日志|杂志"),
    ("portfolio", r"portfolio|résumé|showcase of my work", "作品集"),
    ("conference", r"conference|summit|meetup|symposium|convention", "大会|峰会|会议|研讨会"),
    (
        "event",
        r"wedding|rsvp|party|birthday|anniversary|festival|gala|reunion|invitation|event",
        "婚礼|请柬|派对|生日|聚会|活动|音乐节|庆典",
    ),
    (
        "nonprofit",
        r"non-?profit|charity|ngo|foundation|shelter|volunteers?|fundrais\w*|donations?",
        "公益|慈善|基金会|救助|志愿者|捐款|捐赠",
    ),
    (
        "shop",
        r"online (?:shop|store)|web ?shop|e-?commerce|storefront|shop|store|boutique",
        "网店|商店|商城|小店|店铺",
    ),
    ("saas", r"saas|software|app|startup|platform|api|pricing page|subscription", "应用|软件|平台|创业公司"),
    (
        "personal",
        r"personal (?:site|page|website|homepage)|about me|my homepage|my resume|cv",
        "个人主页|个人网站|个人简介|简历",
    ),
)

# Subjects: what the site is about; each implies a kind (see copy/subjects.toml for their words).
SUBJECTS: Table = (
    (
        "bakery",
        r"bakery|bakeries|bakers?|boulangerie|patisserie|pâtisserie|sourdough|bread|croissants?|cakes?",
        "面包店|面包|烘焙|蛋糕|甜品店",
    ),
    ("cafe", r"caf[eé]s?|coffee(?: ?shop)?|espresso|tea ?room|teahouse", "咖啡馆|咖啡店|咖啡|茶馆|茶室"),
    ("pizzeria", r"pizz(?:a|as|eria)", "披萨|比萨"),
    ("sushi", r"sushi|ramen|izakaya|japanese restaurant", "寿司|拉面|居酒屋|日料"),
    (
        "restaurant",
        r"restaurants?|bistro|brasserie|diner|kitchen|eatery|tavern|trattoria|bar|food truck",
        "餐厅|饭店|餐馆|小馆|酒吧|私房菜|火锅",
    ),
    ("ceramics", r"ceramics?|pottery|potter|porcelain|stoneware", "陶瓷|陶艺|瓷器|陶器"),
    ("candles", r"candles?", "蜡烛|香薰"),
    ("books", r"books?|bookshop|bookstore|library", "书店|图书|书籍"),
    (
        "fashion",
        r"clothing|clothes|fashion|apparel|t-?shirts?|sneakers|jewell?e?ry",
        "服装|服饰|衣服|时装|首饰|珠宝",
    ),
    ("plants", r"plants?|florists?|flowers?|garden(?:ing)?|nursery", "花店|鲜花|植物|绿植|园艺"),
    (
        "clinic",
        r"clinic|dentist|dental|doctor|medical|physio\w*|therap\w*|veterinar\w*|vet",
        "诊所|牙科|医院|医生|理疗|宠物医院",
    ),
    ("surf", r"surf(?:ing)?(?: school)?|kitesurf\w*|sailing|diving", "冲浪|潜水|帆船"),
    ("yoga", r"yoga|pilates|meditation|gym|fitness|personal trainer", "瑜伽|普拉提|冥想|健身"),
    ("salon", r"salon|hair(?:dresser)?|barber(?:shop)?|spa|nails|beauty", "理发|美发|发廊|美容|美甲|水疗"),
    ("photography", r"photograph\w*|photos?", "摄影"),
    ("design", r"designer|illustrat\w*|artist|architect\w*|studio", "设计师|插画|艺术家|建筑师|工作室"),
    ("wedding", r"wedding|bride|groom|marriage", "婚礼|结婚|新娘|新郎"),
    ("party", r"party|birthday|anniversary|celebration", "派对|生日|聚会|周年"),
    (
        "tech",
        r"conference|summit|developers?|ai|software|saas|app|startup|cloud|api|notes?|tasks?",
        "开发者|人工智能|软件|应用|云|笔记",
    ),
    (
        "hiking",
        r"hiking|trekking|travel|mountains?|alps|outdoors?|camping",
        "徒步|旅行|登山|户外|露营|阿尔卑斯",
    ),
    ("animals", r"animals?|dogs?|cats?|pets?|wildlife", "动物|宠物|猫|狗"),
)

SECTIONS: Table = (
    ("menu", r"menus?|dishes|food menu|drinks list", "菜单|菜品|饮品单"),
    ("hours", r"opening hours|opening times|business hours|hours", "营业时间|开放时间|营业"),
    ("contact", r"contact(?: form| us| page| details)?|get in touch|enquiry form", "联系|联络|留言"),
    ("gallery", r"gallery|galleries|photos?|pictures|images|lookbook", "图库|相册|画廊|作品展示|照片|图片"),
    ("pricing", r"pricing|price list|plans|tiers|packages|tickets", "价格|定价|套餐|价目|门票"),
    ("faq", r"faqs?|q ?& ?a|questions", "常见问题|问答|疑问"),
    (
        "testimonials",
        r"testimonials?|reviews?|what (?:people|customers|clients) say",
        "评价|推荐|口碑|好评|用户评价",
    ),
    (
        "team",
        r"team(?!\s+(?:chat|app|tool|collaboration|workspace|software|management|building))|staff|founders|"
        r"speakers|doctors",
        "团队|员工|成员|讲者|嘉宾",
    ),
    ("location", r"location|map|address|directions|how to find us|venue", "地址|位置|地图|交通|场地"),
    (
        "schedule",
        r"schedule|agenda|programme|program|timetable|itinerary|lineup",
        "日程|议程|流程|安排|时间表",
    ),
    ("rsvp", r"rsvp|reply card|guest response", "回复|出席|回执|报名"),
    ("posts", r"blog posts|posts|articles|stories|recipes", "文章|博文|食谱"),
    ("newsletter", r"newsletter|mailing list|subscribe|email sign-?up", "订阅|邮件列表|简报|新闻通讯"),
    ("services", r"services|treatments|lessons|classes|courses", "服务|课程|疗程"),
    (
        "about",
        r"about (?:us|me|section|page)|our story|my story|bio(?:graphy)?|history",
        "关于我们|关于我|我们的故事|简介|故事",
    ),
    ("features", r"features|benefits|highlights|how it works", "功能|特色|亮点|优势"),
    (
        "booking",
        r"bookings?|book (?:a|an|your|online)|appointments?|reservations?|reserve a table",
        "预约|预订|订位|挂号",
    ),
    ("products", r"products|catalog(?:ue)?|collection|items for sale", "商品|产品目录|产品列表"),
    ("donate", r"donate|donation form|donations", "捐款|捐赠|募捐"),
)

GAMES: Table = (
    ("snake", r"snake", "贪吃蛇"),
    ("tictactoe", r"tic[- ]?tac[- ]?toe|noughts and crosses|naughts and crosses", "井字棋|三连棋"),
    ("memory", r"memory|matching pairs|concentration|pairs game", "记忆|翻牌|配对"),
    # Games the model does not have, and the closest one it does.
    ("snake:tetris", r"tetris", "俄罗斯方块"),
    ("memory:2048", r"2048", "2048"),
    ("snake:pong", r"pong|breakout|pac-?man|arcade", "弹球|吃豆人"),
    (
        "tictactoe:connect four",
        r"connect four|gomoku|chess|checkers|draughts|othello",
        "五子棋|象棋|跳棋|围棋",
    ),
    ("memory:sudoku", r"sudoku|minesweeper|puzzle|quiz", "数独|扫雷|拼图|谜题"),
)

ACCENTS: Table = (
    ("red", r"red|crimson|ruby|scarlet|cherry", "红色|红|大红"),
    ("orange", r"orange|tangerine|terracotta|coral|peach|warm", "橙色|橘色|橙|暖色"),
    ("yellow", r"yellow|gold(?:en)?|amber|mustard|sunny|lemon", "黄色|金色|黄"),
    ("green", r"green|emerald|forest|mint|sage|olive|eco", "绿色|绿|翠绿|薄荷"),
    ("teal", r"teal|cyan|turquoise|aqua", "青色|蓝绿|青绿"),
    ("blue", r"blue|navy|ocean|sky|cobalt|azure", "蓝色|蓝|海蓝|天蓝"),
    ("purple", r"purple|violet|lavender|plum|lilac|indigo", "紫色|紫|薰衣草"),
    ("pink", r"pink|rose|magenta|fuchsia", "粉色|粉红|玫红|粉"),
    ("brown", r"brown|chocolate|coffee-colou?red|earthy|rustic", "棕色|咖啡色|褐色"),
    ("gray", r"gr[ae]y|monochrome|silver|slate|black and white", "灰色|黑白|银色"),
)

SCHEMES: Table = (
    ("dark", r"dark(?:er)?|night|midnight|black|noir|moody", "深色|暗色|黑色|夜间|暗黑"),
    ("light", r"light(?:er)?|white|bright|airy|pastel", "浅色|亮色|白色|明亮"),
)
FONTS: Table = (
    ("serif", r"serif|classic|elegant|editorial|old-?style", "衬线|宋体|典雅|优雅"),
    ("sans", r"sans(?:-?serif)?|geometric|grotesk", "无衬线|黑体"),
)
MOODS: Table = (
    ("minimal", r"minimal(?:ist)?|understated|calm", "极简|简约|简洁|安静"),
    ("playful", r"playful|fun|colou?rful|cheerful|whimsical|bubbly", "活泼|有趣|俏皮|可爱|多彩"),
)


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # Lookarounds rather than \b, so "2048" or "café" match as whole words too.
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])", re.IGNORECASE)


def _first(name_pattern: tuple[str, str, str], text: str) -> int | None:
    _, english, chinese = name_pattern
    match = _compiled(english).search(text)
    positions = [match.start()] if match else []
    positions += [found for word in chinese.split("|") if (found := text.find(word)) >= 0]
    return min(positions) if positions else None


def earliest(table: Table, text: str) -> str | None:
    """The name of the entry whose words occur first in ``text``; ties go to the earlier entry."""
    best: tuple[int, str] | None = None
    for entry in table:
        position = _first(entry, text)
        if position is not None and (best is None or position < best[0]):
            best = (position, entry[0])
    return None if best is None else best[1]


def latest(table: Table, text: str) -> str | None:
    """The name of the entry mentioned last: in Chinese the head noun ends the phrase (小网店的仪表盘)."""
    found = mentions(table, text)
    return found[-1] if found else None


def mentions(table: Table, text: str) -> list[str]:
    """Every entry ``text`` mentions, in the order of first mention."""
    found = [(position, entry[0]) for entry in table if (position := _first(entry, text)) is not None]
    return [name for _, name in sorted(found)]
