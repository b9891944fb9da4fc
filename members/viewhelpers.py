"""Small pieces every app's views share."""

from django.core.paginator import Paginator
from django.http import Http404
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

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


def paginate(request, queryset, size: int = 20):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def csv_cell(value) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def select_options(field) -> SafeString:
    """The <option>s of a bound choice field, escaped, the current value
    selected (for templates/includes/select_field.html)."""
    chosen = field.value()
    chosen = "" if chosen is None else str(chosen)
    return format_html_join(
        "", '<option value="{}"{}>{}</option>',
        ((value, mark_safe(" selected") if str(value) == chosen else "", label) for value, label in field.field.choices),
    )
