"""What a validated ticket tells its service: the person's attributes under the service's policy.

A constant number of queries: the memberships when profiles are released, the classes (own
enrolment and classes taught) when classes are released; the rest is on the ticket's rows.
"""

from __future__ import annotations

from preau.cas.models import Attribute, ServiceTicket
from preau.core.actor import current_school_year
from preau.directory.models import Enrolment, Membership, TeachingAssignment


def released_attributes(ticket: ServiceTicket) -> list[tuple[str, str]]:
    """(name, value) pairs, a name repeated for each value of a multi-valued attribute."""
    wanted = set(ticket.service.attributes)
    user, establishment = ticket.user, ticket.establishment
    values: list[tuple[str, str]] = []
    if Attribute.USERNAME in wanted:
        values.append((Attribute.USERNAME, user.username))
    if Attribute.FIRST_NAME in wanted and user.first_name:
        values.append((Attribute.FIRST_NAME, user.first_name))
    if Attribute.LAST_NAME in wanted and user.last_name:
        values.append((Attribute.LAST_NAME, user.last_name))
    if Attribute.EMAIL in wanted and user.email:
        values.append((Attribute.EMAIL, user.email))
    if Attribute.BIRTH_DATE in wanted and user.birth_date:
        # The directory's (and the SDET's) format: day/month/year.
        values.append((Attribute.BIRTH_DATE, user.birth_date.strftime("%d/%m/%Y")))
    if Attribute.DIRECTORY_ID in wanted and user.directory_id:
        values.append((Attribute.DIRECTORY_ID, user.directory_id))
    if Attribute.UAI in wanted:
        values.append((Attribute.UAI, establishment.uai))
    year = current_school_year() if wanted & {Attribute.PROFILES, Attribute.CLASSES} else None
    if Attribute.PROFILES in wanted:
        profiles = Membership.objects.filter(
            person=user, establishment=establishment, school_year=year, is_active=True
        ).values_list("profile", flat=True)
        values += [(Attribute.PROFILES, profile) for profile in sorted(set(profiles))]
    if Attribute.CLASSES in wanted:
        own = Enrolment.objects.filter(
            student=user, establishment=establishment, school_year=year
        ).values_list("school_class__name", flat=True)
        taught = TeachingAssignment.objects.filter(
            teacher=user,
            establishment=establishment,
            school_year=year,
            school_class__isnull=False,
        ).values_list("school_class__name", flat=True)
        values += [(Attribute.CLASSES, name) for name in sorted({*own, *taught})]
    return values
