from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from preau.directory import policies, selectors


@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    classes = policies.visible_classes(request.actor).select_related("level", "head_teacher")
    return render(request, "directory/class_list.html", {"classes": classes})


@login_required
def class_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school_class = policies.access_class(request.actor, public_id)
    return render(
        request,
        "directory/class_detail.html",
        {
            "school_class": school_class,
            "students": selectors.class_roster(school_class),
            "assignments": selectors.class_teachers(school_class),
            "can_open_students": request.actor.is_teacher or request.actor.sees_whole_establishment,
        },
    )


@login_required
def student_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    student = policies.access_student(actor, public_id)
    enrolment = selectors.current_enrolment(student, actor.establishment, actor.school_year)
    return render(
        request,
        "directory/student_detail.html",
        {
            "student": student,
            "enrolment": enrolment,
            "assignments": selectors.teachers_of_enrolment(enrolment) if enrolment else [],
            "guardianships": selectors.guardians_of(student)
            if policies.can_see_guardians(actor)
            else None,
        },
    )
