"""``{% load suggestions %}``: a suggestion's reasons as text."""

from django import template

from matching import reasons

register = template.Library()


@register.filter
def reason_line(value) -> str:
    """"3 of 4 required skills · 16 hours a week free · remote possible"."""
    return reasons.reason_line(value)


@register.filter
def reason_texts(value) -> list[str]:
    return reasons.reason_texts(value)


@register.filter
def hours_left(value):
    return reasons.hours_left(value)
