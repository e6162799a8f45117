"""What a user's locale says about how they write numeric dates, from the CLDR data Babel ships."""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError, localedata


@cache
def day_first(tag: str | None) -> bool | None:
    """True if people of this locale write "11/05" for 11 May, False for 5 November, None if it does not settle it.

    A language without a region ("en", as chat platforms often report it) settles the order only when every
    region that speaks it writes dates the same way: "de" does, "en" (US and UK) does not.
    """
    if not tag:
        return None
    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    if locale.territory:
        return _day_before_month(locale)
    regions = [
        Locale.parse(identifier)
        for identifier in localedata.locale_identifiers()
        if identifier == locale.language or identifier.startswith(locale.language + "_")
    ]
    orders = {_day_before_month(region) for region in regions}
    return orders.pop() if len(orders) == 1 else None


def _day_before_month(locale: Locale) -> bool:
    pattern = locale.date_formats["short"].pattern
    return pattern.find("d") < pattern.find("M")
