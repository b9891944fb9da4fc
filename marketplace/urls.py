from django.urls import path

from marketplace.views import applications, assignments, engagements, network, offers

app_name = "marketplace"

urlpatterns = [
    # Assignments (views/assignments.py)
    path("opdrachten/", assignments.assignment_list, name="assignment_list"),
    path("opdrachten/nieuw/", assignments.assignment_create, name="assignment_create"),
    path("opdrachten/<int:pk>/", assignments.assignment_detail, name="assignment_detail"),
    path("opdrachten/<int:pk>/bewerken/", assignments.assignment_edit, name="assignment_edit"),
    path("opdrachten/<int:pk>/publiceren/", assignments.assignment_publish, name="assignment_publish"),
    path("opdrachten/<int:pk>/sluiten/", assignments.assignment_close, name="assignment_close"),
    path("opdrachten/<int:pk>/heropenen/", assignments.assignment_reopen, name="assignment_reopen"),
    path("opdrachten/<int:pk>/annuleren/", assignments.assignment_cancel, name="assignment_cancel"),
    path("mijn-opdrachten/", assignments.my_assignments, name="my_assignments"),
    # Applications and selection (views/applications.py)
    path("opdrachten/<int:pk>/reageren/", applications.application_create, name="application_create"),
    path("opdrachten/<int:pk>/vergelijken/", applications.applicants_compare, name="applicants_compare"),
    path("reacties/", applications.my_applications, name="my_applications"),
    path("reacties/inbox/", applications.inbox, name="inbox"),
    path("reacties/<int:pk>/", applications.application_detail, name="application_detail"),
    path("reacties/<int:pk>/intrekken/", applications.application_withdraw, name="application_withdraw"),
    path("reacties/<int:pk>/cv/", applications.application_cv, name="application_cv"),
    path("reacties/<int:pk>/shortlist/", applications.application_shortlist, name="application_shortlist"),
    path("reacties/<int:pk>/afwijzen/", applications.application_reject, name="application_reject"),
    path("reacties/<int:pk>/aannemen/", applications.application_accept, name="application_accept"),
    # Offers (views/offers.py)
    path("aanbod/", offers.offer_list, name="offer_list"),
    path("aanbod/nieuw/", offers.offer_create, name="offer_create"),
    path("aanbod/mijn/", offers.my_offers, name="my_offers"),
    path("aanbod/<int:pk>/", offers.offer_detail, name="offer_detail"),
    path("aanbod/<int:pk>/bewerken/", offers.offer_edit, name="offer_edit"),
    path("aanbod/<int:pk>/intrekken/", offers.offer_withdraw, name="offer_withdraw"),
    # The network: directory and invitations to apply (views/network.py)
    path("deelnemers/", network.member_directory, name="member_directory"),
    path("deelnemers/<int:pk>/uitnodigen/", network.member_invite, name="member_invite"),
    path("uitnodigingen/", network.my_invitations, name="my_invitations"),
    path("uitnodigingen/<int:pk>/afslaan/", network.invitation_decline, name="invitation_decline"),
    # Engagements (views/engagements.py)
    path("inzet/", engagements.engagement_list, name="engagement_list"),
    path("inzet/<int:pk>/", engagements.engagement_detail, name="engagement_detail"),
]
