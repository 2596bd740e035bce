"""The copy deck: per subject, the words, icons, products and default colours a site speaks with, so a
bakery sounds like a bakery and a gym like a gym. Plain data; ``flavours`` says which subject a prompt has.
"""

from __future__ import annotations

from vibe.adapters.offline.flavours import Flavour

__all__ = ["FLAVOURS"]

_FOOD = Flavour(
    name="food", icon="cup", scheme="warm", accent="orange",
    eyebrow="Fresh every morning",
    tagline="Good food, made by hand and shared with the neighbourhood.",
    cta="Plan your visit",
    features=(
        ("leaf", "Honest ingredients",
            "Local flour, seasonal fruit and real butter: nothing we would not serve our own family."),
        ("clock", "Made at dawn", "Everything is ready before we open the doors, so it is always fresh."),
        ("heart", "Made with care", "Small batches, patient recipes and a team that loves what it does."),
    ),
    stats=(("12", "years on the corner"), ("40+", "recipes in rotation"), ("4.9★", "average review")),
    quotes=(
        ("The best part of my morning walk. Everything is fresh and they remember my order.", "Camille R.",
            "Regular since 2019"),
        ("We ordered for a birthday and every single crumb disappeared.", "Marc D.", "Party host"),
        ("Warm, welcoming and consistently delicious. A little gem.", "Priya S.", "Food writer"),
    ),
    faq=(
        ("Do you take pre-orders?",
            "Yes. Tell us what you need a day ahead and it will be ready when you arrive."),
        ("Are there gluten-free or vegan options?",
            "Every day we make a few of each; ask at the counter and we will walk you through them."),
        ("Can you cater events?",
            "We cater birthdays, offices and weddings, from a dozen guests to a few hundred."),
    ),
    products=(
        ("Sourdough loaf", "Bread", 650), ("Butter croissant", "Pastry", 320),
        ("Seasonal fruit tart", "Pastry", 480), ("Rye & seed bread", "Bread", 720),
        ("House coffee beans", "Pantry", 1400), ("Gift box", "Gifts", 2900),
    ),
)  # fmt: skip

_GARDEN = Flavour(
    name="garden", icon="leaf", scheme="light", accent="green",
    eyebrow="Grown with care",
    tagline="Healthy plants, beautiful flowers and friendly advice to help them thrive.",
    cta="Visit the nursery",
    features=(
        ("leaf", "Healthy, happy plants",
            "Every plant is raised by us and checked before it goes home with you."),
        ("heart", "Advice that helps", "Tell us about your light and space; we will find what will thrive."),
        ("clock", "Delivered fresh", "Carefully packed and delivered within days, ready to settle in."),
    ),
    stats=(("300+", "varieties"), ("15", "years growing"), ("4.9★", "average review")),
    quotes=(
        ("My flat feels alive now. Every plant arrived healthy and beautifully packed.", "Lena H.",
            "Plant parent"),
        ("They helped me pick plants that actually survive my dark hallway.", "Omar F.", "Happy customer"),
        ("The wedding flowers were stunning. Guests still talk about them.", "Clara & Jo", "Newlyweds"),
    ),
    faq=(
        ("Do you deliver?", "Yes: within the city in two days, and nationwide within a week."),
        ("What if my plant struggles?",
            "Send us a photo; we will help, and replace it within 30 days if needed."),
        ("Do you do event flowers?", "Weddings, parties and offices: tell us the date and the mood."),
    ),
    products=(
        ("Monstera deliciosa", "Plants", 3900), ("Snake plant", "Plants", 2400),
        ("Fern in ceramic pot", "Plants", 2900), ("Seasonal bouquet", "Flowers", 3500),
        ("Brass watering can", "Tools", 2800), ("Organic plant food", "Care", 1200),
    ),
)  # fmt: skip

_TECH = Flavour(
    name="tech", icon="bolt", scheme="light", accent="indigo",
    eyebrow="Built for teams that move fast",
    tagline="Everything you need in one place: simple to start, powerful as you grow.",
    cta="Get started free",
    features=(
        ("bolt", "Fast by default", "Pages load in a blink and every action answers instantly."),
        ("shield", "Secure from day one",
            "Encryption, audit logs and sensible defaults, without extra setup."),
        ("spark", "Delightfully simple", "A clean interface your whole team understands in minutes."),
    ),
    stats=(("99.9%", "uptime"), ("10000+", "teams on board"), ("3\u00d7", "faster workflows")),
    quotes=(
        ("We replaced three tools with this one and our week got calmer.", "Dana K.", "Head of Operations"),
        ("Setup took an afternoon. The support team answered in minutes.", "Luis M.", "CTO, small startup"),
        ("Finally something my whole team actually enjoys using.", "Aiko T.", "Product lead"),
    ),
    faq=(
        ("Is there a free plan?", "Yes: the Starter plan is free forever for small teams."),
        ("Can I import my data?", "Import from CSV or connect your existing tools in a few clicks."),
        ("How does billing work?",
            "Pay monthly or yearly; upgrade, downgrade or cancel anytime in settings."),
    ),
    products=(
        ("Starter kit", "Software", 1900), ("Pro license", "Software", 4900),
        ("Sticker pack", "Merch", 600), ("Developer hoodie", "Merch", 5500),
        ("Mechanical keyboard", "Hardware", 12900), ("USB-C hub", "Hardware", 3900),
    ),
)  # fmt: skip

_FITNESS = Flavour(
    name="fitness", icon="heart", scheme="light", accent="red",
    eyebrow="Stronger every week",
    tagline="Coaching, classes and a community that keeps you showing up.",
    cta="Book a free class",
    features=(
        ("user", "Expert coaches", "Certified trainers who adapt every session to you."),
        ("clock", "Classes all day", "From 6 am to 9 pm there is always a session that fits."),
        ("heart", "A friendly crowd", "No judgement, just people cheering each other on."),
    ),
    stats=(("25", "classes a week"), ("8", "expert coaches"), ("1200+", "members")),
    quotes=(
        ("I have never stuck with a routine this long. The coaches make it fun.", "Sam O.",
            "Member for 2 years"),
        ("Beginner friendly without being boring. I feel stronger every month.", "Elena V.",
            "Morning regular"),
        ("The community is the secret. Everyone knows your name.", "Tom B.", "Evening classes"),
    ),
    faq=(
        ("I am a complete beginner. Is that okay?", "Absolutely. Every class has options for every level."),
        ("What should I bring?", "Comfortable clothes, water and a towel. We have mats and equipment."),
        ("Can I pause my membership?", "Yes, pause for up to three months a year at no cost."),
    ),
    products=(
        ("Yoga mat", "Gear", 3900), ("Water bottle", "Gear", 1800),
        ("Resistance bands", "Gear", 2400), ("10-class pass", "Passes", 12000),
        ("Monthly membership", "Passes", 5900), ("Protein snacks", "Nutrition", 1500),
    ),
)  # fmt: skip

_TRAVEL = Flavour(
    name="travel", icon="globe", scheme="light", accent="teal",
    eyebrow="Your next adventure",
    tagline="Hand-picked places, thoughtful itineraries and memories that last.",
    cta="Plan your trip",
    features=(
        ("map", "Hand-picked places", "Every stay and stop is visited by our team first."),
        ("shield", "Travel with confidence", "Flexible bookings and real people to help, day or night."),
        ("star", "Moments that matter", "Local guides, hidden spots and time to simply enjoy."),
    ),
    stats=(("60+", "destinations"), ("15", "years of trips"), ("98%", "happy travellers")),
    quotes=(
        ("Every detail was taken care of. We just had to enjoy ourselves.", "Nora & Ben", "Honeymoon, 2024"),
        ("The local guides made the trip. Places we would never have found.", "Kenji A.", "Solo traveller"),
        ("Easy to book, easy to change, and unforgettable.", "Maria L.", "Family of four"),
    ),
    faq=(
        ("Can I change my dates?",
            "Yes. Most trips can be moved free of charge up to 30 days before departure."),
        ("Are flights included?", "Some packages include them; each trip page says exactly what is covered."),
        ("Do you plan private trips?", "We love to. Tell us your dream and we will draft an itinerary."),
    ),
    products=(
        ("Weekend escape", "Trips", 39000), ("City guidebook", "Guides", 1900),
        ("Travel journal", "Gear", 2200), ("Packing cubes", "Gear", 2900),
        ("Guided day tour", "Trips", 8900), ("Gift voucher", "Gifts", 5000),
    ),
)  # fmt: skip

_MUSIC = Flavour(
    name="music", icon="music", scheme="dark", accent="purple",
    eyebrow="Live, loud and local",
    tagline="New sounds, live nights and the stories behind every song.",
    cta="Get tickets",
    features=(
        ("music", "Fresh releases", "New songs and sessions, straight from the studio."),
        ("star", "Unforgettable shows", "Intimate venues, big sound and a crowd that sings along."),
        ("heart", "Made for fans", "Early access, exclusive merch and backstage moments."),
    ),
    stats=(("120+", "shows played"), ("3", "albums"), ("50k", "monthly listeners")),
    quotes=(
        ("The best live show I have seen this year. Pure energy.", "Jules P.", "Fan since the first EP"),
        ("Every record sounds better than the last.", "Ana G.", "Music blogger"),
        ("We drove four hours for the gig and would do it again.", "Chris & Lee", "Road-trippers"),
    ),
    faq=(
        ("When is the next show?", "Dates are announced here first; subscribe and you will never miss one."),
        ("Do you ship merch abroad?", "Yes, worldwide, usually within a week."),
        ("Can we book you for an event?", "Send us the date and the place and we will get back to you."),
    ),
    products=(
        ("Vinyl LP", "Music", 2800), ("Tour T-shirt", "Merch", 2500),
        ("Poster", "Merch", 1500), ("Concert ticket", "Tickets", 3500),
        ("Digital album", "Music", 999), ("Tote bag", "Merch", 1800),
    ),
)  # fmt: skip

_CREATIVE = Flavour(
    name="creative", icon="camera", scheme="light", accent="pink",
    eyebrow="Made with intent",
    tagline="Thoughtful visual work: images, identities and stories with character.",
    cta="Start a project",
    features=(
        ("camera", "A keen eye", "Every frame and layout is composed with purpose."),
        ("spark", "Ideas that stand out", "Concepts that feel fresh and fit who you are."),
        ("check", "Smooth collaboration", "Clear timelines, honest feedback and no surprises."),
    ),
    stats=(("150+", "projects delivered"), ("12", "awards"), ("9", "years in practice")),
    quotes=(
        ("They understood what we wanted before we could put it into words.", "Olivia N.",
            "Founder, Studio North"),
        ("Beautiful work, delivered early, and a joy to collaborate with.", "Rafael C.",
            "Marketing director"),
        ("Our new identity gets compliments every single week.", "Hannah W.", "Café owner"),
    ),
    faq=(
        ("How does a project start?",
            "With a short call about your goals, then a clear proposal and timeline."),
        ("How long does it take?", "Most projects take two to six weeks, depending on scope."),
        ("Do you work remotely?", "Yes, with clients all over the world."),
    ),
    products=(
        ("Fine art print", "Prints", 6500), ("Postcard set", "Prints", 1800),
        ("Photo book", "Books", 4500), ("Sketchbook", "Stationery", 2200),
        ("Framed print", "Prints", 14500), ("Workshop seat", "Workshops", 9500),
    ),
)  # fmt: skip

_EDUCATION = Flavour(
    name="education", icon="book", scheme="light", accent="blue",
    eyebrow="Learn something new",
    tagline="Clear lessons, patient teachers and progress you can feel.",
    cta="Join a course",
    features=(
        ("book", "Structured lessons", "Short, focused lessons that build on each other."),
        ("user", "Real teachers", "Ask questions and get thoughtful answers from people who care."),
        ("check", "Learn at your pace", "Start anytime, pause anytime, and pick up where you left off."),
    ),
    stats=(("30+", "courses"), ("5000", "students"), ("4.8★", "average rating")),
    quotes=(
        ("I finally understand things I struggled with for years.", "Fatima Z.", "Evening student"),
        ("The teachers are patient and the lessons are beautifully clear.", "George H.", "Career changer"),
        ("My daughter looks forward to every class.", "Irene P.", "Parent"),
    ),
    faq=(
        ("Do I need any experience?", "No. Every course starts from the basics and says what it expects."),
        ("Is there a certificate?", "Yes, you receive one when you complete a course."),
        ("Can I get a refund?", "Within 14 days, no questions asked."),
    ),
    products=(
        ("Beginner course", "Courses", 4900), ("Advanced course", "Courses", 8900),
        ("Workbook", "Books", 2400), ("1:1 tutoring hour", "Tutoring", 6000),
        ("Certificate exam", "Exams", 3000), ("Study planner", "Books", 1500),
    ),
)  # fmt: skip

_GENERIC = Flavour(
    name="generic", icon="spark", scheme="light", accent="indigo",
    eyebrow="Welcome",
    tagline="Simple, thoughtful and made for people who care about the details.",
    cta="Get in touch",
    features=(
        ("spark", "Thoughtfully made", "Every detail is considered, so everything simply works."),
        ("clock", "Quick to start", "Up and running in minutes, with friendly help along the way."),
        ("heart", "People first", "Real humans who listen and answer like neighbours."),
    ),
    stats=(("10", "years of experience"), ("2000+", "happy customers"), ("24/7", "friendly support")),
    quotes=(
        ("Exactly what we were looking for, and lovely people to work with.", "Alex M.",
            "Customer since 2021"),
        ("Clear, quick and genuinely helpful from the first hello.", "Sofia R.", "Small business owner"),
        ("I recommend them to everyone who asks.", "Daniel K.", "Happy customer"),
    ),
    faq=(
        ("How do I get started?", "Send us a message through the form below and we will reply within a day."),
        ("What does it cost?", "Prices are simple and published; there are no hidden fees."),
        ("Can I change my mind later?", "Of course. Everything is flexible, and we are happy to help."),
    ),
    products=(
        ("Classic", "Essentials", 2400), ("Deluxe", "Essentials", 4800),
        ("Gift card", "Gifts", 2500), ("Starter set", "Sets", 3600),
        ("Travel size", "Essentials", 1200), ("Collector's edition", "Sets", 8900),
    ),
)  # fmt: skip

FLAVOURS: dict[str, Flavour] = {
    flavour.name: flavour
    for flavour in (_FOOD, _GARDEN, _TECH, _FITNESS, _TRAVEL, _MUSIC, _CREATIVE, _EDUCATION, _GENERIC)
}
