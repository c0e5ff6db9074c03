"""The console's cases pages (to be filled: see gateway/console/__init__.py)."""


def routes(console):
    """aiohttp route definitions relative to /console; none yet."""
    return []
