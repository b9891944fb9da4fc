"""What a person may do, derived from their ``Membership`` rows.

Computed once per request (cached on the user object) so views and templates
can ask without extra queries.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Roles:
    member_of: int | None = None  # home organisation id
    coordinator_of: frozenset[int] = field(default_factory=frozenset)
    hr_of: frozenset[int] = field(default_factory=frozenset)
    programme_manager: bool = False
    training_coordinator: bool = False
    admin: bool = False
    profile_id: int | None = None  # the member profile, for links

    @property
    def organisation_ids(self) -> frozenset[int]:
        """Organisations in this person's scope."""
        ids = set(self.coordinator_of) | set(self.hr_of)
        if self.member_of:
            ids.add(self.member_of)
        return frozenset(ids)

    @property
    def is_member(self) -> bool:
        return self.member_of is not None

    @property
    def is_coordinator(self) -> bool:
        return bool(self.coordinator_of)

    @property
    def is_hr(self) -> bool:
        return bool(self.hr_of)

    @property
    def sees_everything(self) -> bool:
        return self.programme_manager or self.admin

    @property
    def in_network(self) -> bool:
        return bool(self.organisation_ids) or self.sees_everything or self.training_coordinator

    @property
    def manages_training(self) -> bool:
        """Runs the training programme: modules, sessions, attendance."""
        return self.training_coordinator or self.admin

    def is_hr_for(self, organisation_id: int) -> bool:
        return organisation_id in self.hr_of or self.admin

    def is_coordinator_for(self, organisation_id: int) -> bool:
        return organisation_id in self.coordinator_of or self.admin


ANONYMOUS = Roles()


# Membership-derived roles are kept in the cache between requests (one
# query less on every page). Every change to a membership or a profile
# forgets them at once (members/signals.py, also after the commit); the
# time limit bounds what a change made while Redis was down can leave behind.
ROLES_CACHE_SECONDS = 60


def _roles_cache_key(user_id) -> str:
    return f"roles:v1:{user_id}"


def _membership_roles(user) -> dict:
    from members.models import Membership

    member_of = None
    coordinator_of, hr_of = set(), set()
    programme_manager = False
    training_coordinator = False
    profile_id = None
    # One query: the profile id rides along on the member row.
    for organisation_id, role, profile in Membership.objects.filter(user=user).values_list(
        "organisation_id", "role", "user__profile__id"
    ):
        if role == Membership.Role.MEMBER:
            member_of = organisation_id
            profile_id = profile
        elif role == Membership.Role.COORDINATOR:
            coordinator_of.add(organisation_id)
        elif role == Membership.Role.HR:
            hr_of.add(organisation_id)
        elif role == Membership.Role.PROGRAMME_MANAGER:
            programme_manager = True
        elif role == Membership.Role.TRAINING_COORDINATOR:
            training_coordinator = True
    return {
        "member_of": member_of,
        "coordinator_of": frozenset(coordinator_of),
        "hr_of": frozenset(hr_of),
        "programme_manager": programme_manager,
        "training_coordinator": training_coordinator,
        "profile_id": profile_id,
    }


def roles_of(user) -> Roles:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_zpp_roles", None)
    if cached is not None:
        return cached
    from django.core.cache import cache

    key = _roles_cache_key(user.pk)
    stored = cache.get(key)
    if stored is None:
        stored = _membership_roles(user)
        cache.set(key, stored, ROLES_CACHE_SECONDS)
    roles = Roles(admin=bool(user.is_superuser), **stored)
    user._zpp_roles = roles
    return roles


def forget_cached_roles(user_id) -> None:
    """Drop the cached roles of a user now and again after the current
    transaction commits (a request in between may have cached the old ones)."""
    from django.core.cache import cache
    from django.db import transaction

    key = _roles_cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def forget_roles(user) -> None:
    if hasattr(user, "_zpp_roles"):
        del user._zpp_roles
    forget_cached_roles(user.pk)


def require(condition: bool) -> None:
    """Inside the user's scope but without the role: 403."""
    if not condition:
        raise PermissionDenied
