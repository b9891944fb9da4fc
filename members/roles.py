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


def roles_of(user) -> Roles:
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, "_zpp_roles", None)
    if cached is not None:
        return cached
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
    roles = Roles(
        member_of=member_of,
        coordinator_of=frozenset(coordinator_of),
        hr_of=frozenset(hr_of),
        programme_manager=programme_manager,
        training_coordinator=training_coordinator,
        admin=bool(user.is_superuser),
        profile_id=profile_id,
    )
    user._zpp_roles = roles
    return roles


def forget_roles(user) -> None:
    if hasattr(user, "_zpp_roles"):
        del user._zpp_roles


def require(condition: bool) -> None:
    """Inside the user's scope but without the role: 403."""
    if not condition:
        raise PermissionDenied
