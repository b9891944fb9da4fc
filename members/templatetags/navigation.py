"""The main menu's links, rendered once per process for each combination of
what they depend on.

The links of a person logged in depend only on their roles, whether they
are staff, the page they are on (``aria-current``), the language and the
URL prefix; rendering them (about twenty ``{% url %}`` and
``{% translate %}`` tags) cost more than half a millisecond on every page.
The template ``includes/nav_links.html`` gets exactly those values and
nothing else, so a remembered rendering can never carry one person's data to
another. With ``DEBUG`` on nothing is remembered (templates change while the
development server runs).
"""

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from members.roles import ANONYMOUS

register = template.Library()

MENU_TEMPLATE = "includes/nav_links.html"


def _render(roles, is_staff: bool, current: str | None) -> SafeString:
    return get_template(MENU_TEMPLATE).render({"roles": roles, "is_staff": is_staff, "current": current})


@lru_cache(maxsize=1024)
def _remembered(roles, is_staff: bool, current: str | None, language: str, prefix: str) -> SafeString:
    # ``language`` and ``prefix`` are part of the key only: the active ones
    # are what _render uses.
    return _render(roles, is_staff, current)


@register.simple_tag(takes_context=True)
def menu_links(context) -> SafeString:
    request = context.get("request")
    user = context.get("user")
    roles = context.get("roles") or ANONYMOUS
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    is_staff = bool(getattr(user, "is_staff", False))
    if settings.DEBUG:
        return _render(roles, is_staff, current)
    return _remembered(roles, is_staff, current, get_language() or "", get_script_prefix())


def forget_menus() -> None:
    """For tests that change translations or URLs under a running process."""
    _remembered.cache_clear()
