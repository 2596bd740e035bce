"""Inline SVG icons and artwork, drawn here so a site needs no image file and no external request.
Colours come from CSS variables (``currentColor`` and classes), so a palette change recolours them too.
"""

from __future__ import annotations

import html

__all__ = ["ICONS", "art", "icon", "monogram"]

ICONS: dict[str, str] = {
    "check": '<path d="M20 6 9 17l-5-5"/>',
    "star": '<path d="m12 3 2.9 5.9 6.5.9-4.7 4.6 1.1 6.5L12 17.8l-5.8 3.1 1.1-6.5-4.7-4.6 6.5-.9Z"/>',
    "clock": '<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>',
    "heart": '<path d="M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10Z"/>',
    "bolt": '<path d="M13 2 4 14h7l-1 8 9-12h-7l1-8Z"/>',
    "leaf": '<path d="M5 19c0-8 5-14 15-14 0 10-6 15-14 15"/><path d="m5 19 8-8"/>',
    "shield": '<path d="M12 3 5 6v6c0 4.5 3 7.5 7 9 4-1.5 7-4.5 7-9V6l-7-3Z"/>',
    "map": '<path d="M12 21s-7-6.2-7-12a7 7 0 0 1 14 0c0 5.8-7 12-7 12Z"/><circle cx="12" cy="9" r="2.5"/>',
    "chart": '<path d="M4 20V10M10 20V4M16 20v-7M21 20H3"/>',
    "cup": '<path d="M4 8h13v5a6 6 0 0 1-6 6h-1a6 6 0 0 1-6-6V8Z"/>'
    '<path d="M17 10h1.5a2.5 2.5 0 0 1 0 5H17"/>'
    '<path d="M8 2v3M12 2v3"/>',
    "music": '<path d="M9 18V5l11-2v13"/><circle cx="6" cy="18" r="3"/><circle cx="17" cy="16" r="3"/>',
    "camera": '<path d="M4 7h3l2-3h6l2 3h3a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1Z"/>'
    '<circle cx="12" cy="13" r="4"/>',
    "book": '<path d="M4 5a2 2 0 0 1 2-2h14v16H6a2 2 0 0 0-2 2V5Z"/><path d="M4 19a2 2 0 0 1 2-2h14"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>',
    "cart": '<circle cx="9" cy="20" r="1.5"/><circle cx="18" cy="20" r="1.5"/>'
    '<path d="M2 3h3l2.7 12.4a1 1 0 0 0 1 .8h9.6a1 1 0 0 0 1-.8L21 7H6"/>',
    "sun": '<circle cx="12" cy="12" r="4"/><path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4'
    'M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4"/>',
    "moon": '<path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8Z"/>',
    "globe": '<circle cx="12" cy="12" r="9"/>'
    '<path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>',
    "spark": '<path d="M12 3v4M12 17v4M3 12h4M17 12h4M6 6l2.5 2.5'
    'M15.5 15.5 18 18M6 18l2.5-2.5M15.5 8.5 18 6"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="m20 20-3.5-3.5"/>',
    "mail": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>',
    "lock": '<rect x="4" y="10" width="16" height="11" rx="2"/><path d="M8 10V7a4 4 0 0 1 8 0v3"/>',
    "code": '<path d="m8 8-4 4 4 4M16 8l4 4-4 4M14 4l-4 16"/>',
    "eye": '<path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12Z"/><circle cx="12" cy="12" r="3"/>',
    "arrow": '<path d="M5 12h14M13 6l6 6-6 6"/>',
}


def icon(name: str, css_class: str = "icon") -> str:
    """A decorative 24px stroke icon (hidden from assistive technology: the text beside it speaks)."""
    return (
        f'<svg class="{css_class}" viewBox="0 0 24 24" width="24" height="24" fill="none" '
        'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        f'aria-hidden="true" focusable="false">{ICONS[name]}</svg>'
    )


def monogram(title: str) -> str:
    initial = next((ch for ch in title if ch.isalnum()), "V").upper()[:1]
    return (
        '<svg class="logo" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">'
        '<rect width="32" height="32" rx="9"/>'
        f'<text x="16" y="21.5" text-anchor="middle">{html.escape(initial)}</text></svg>'
    )


_LAYOUTS = (
    (250, 100, 228),
    (150, 300, 226),
    (280, 96, 120),
    (200, 330, 226),
    (130, 300, 226),
    (300, 100, 226),
)


def art(name: str, label: str, variant: int = 0) -> str:
    """An abstract illustration around a large icon; ``variant`` (any int) picks one of six layouts."""
    glow_x, ring_x, ring_y = _LAYOUTS[variant % len(_LAYOUTS)]
    bar = 96 + (variant % 4) * 22
    name_attr = html.escape(label, quote=True)
    return f"""<svg class="art" viewBox="0 0 400 300" role="img" aria-label="{name_attr}">
        <rect class="art-panel" x="12" y="12" width="376" height="276" rx="28"/>
        <rect class="art-bar" x="40" y="36" width="{bar}" height="12" rx="6"/>
        <rect class="art-bar art-bar-soft" x="40" y="58" width="{bar - 36}" height="12" rx="6"/>
        <circle class="art-ring" cx="{ring_x}" cy="{ring_y}" r="32"/>
        <circle class="art-glow" cx="{glow_x}" cy="164" r="80"/>
        <g class="art-icon" transform="translate({glow_x - 48} 116) scale(4)" fill="none" stroke-width="1.5"
          stroke-linecap="round" stroke-linejoin="round">{ICONS[name]}</g>
        <circle class="art-dot" cx="332" cy="46" r="6"/><circle class="art-dot" cx="352" cy="46" r="6"/>
      </svg>"""
