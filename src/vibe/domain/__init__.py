"""The pure core of vibe: entities, values, rules, events, errors and ports. Stdlib and msgspec only."""
