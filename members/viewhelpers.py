"""Small pieces every app's views share."""

from html import escape

from django.core.paginator import Paginator
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from members import versions
from members.errors import DomainError
from members.roles import roles_of


def form_error(form, error: DomainError) -> None:
    """Show a refused state change at the field it concerns (or on top)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def network_only(request) -> None:
    """People without any role in the network see nothing of it."""
    if not roles_of(request.user).in_network:
        raise Http404


class CachedCountPaginator(Paginator):
    """A paginator whose total comes from the cache when ``count_key`` is
    given. The key must hold a version of the data that every write bumps
    (members/versions.py); the time limit bounds
    what a change while the cache was down leaves behind. Only the total
    (and so the number of pages) can be late; the rows are always read."""

    def __init__(self, *args, count_key: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    @cached_property
    def count(self) -> int:
        if not self.count_key:
            return super().count
        from django.core.cache import cache

        value = cache.get(self.count_key)
        if value is None:
            value = super().count
            cache.set(self.count_key, value, versions.CACHE_SECONDS)
        return value


def paginate(request, queryset, size: int = 20, count_key: str | None = None):
    return CachedCountPaginator(queryset, size, count_key=count_key).get_page(request.GET.get("page"))


def csv_cell(value) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def select_options(field) -> SafeString:
    """The <option>s of a bound choice field, escaped, the current value
    selected (for templates/includes/select_field.html). Written with the
    standard library's escape: ``format_html`` per option cost 10 µs, and an
    inbox lists 200 assignments."""
    chosen = field.value()
    chosen = "" if chosen is None else str(chosen)
    parts = []
    for value, label in field.field.choices:
        value = str(value)
        selected = " selected" if value == chosen else ""
        parts.append(f'<option value="{escape(value)}"{selected}>{escape(str(label))}</option>')
    return mark_safe("".join(parts))
