"""The tool's pages: OIDC login initiation, launch, answers, and the teacher's choice of set.

These are the tool's side of LTI, written against pylti1p3 as an outside tool would be: what
it knows of the person comes from the id_token it validated (kept in the session by pylti1p3
under a launch id), never from Préau's login.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException, OIDCException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem

from preau.lti import protocol
from preau.lti.demotool import config, exercises

TAG = "calcul-mental"
SET_PARAMETER = "set"


def _refused(request: HttpRequest, reason: str, status: int = 400) -> HttpResponse:
    return render(request, "lti/demotool/refused.html", {"reason": reason}, status=status)


def _answered_key(launch_id: str) -> str:
    return f"calcul-mental:answered:{launch_id}"


def _line_item_label(set_title: str) -> str:
    return _("Calcul mental — %(set)s") % {"set": set_title}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: back to Préau's authorization endpoint, with a state and a
    nonce kept by pylti1p3; the id_token must come back to the tool's own launch address."""
    try:
        return DjangoOIDCLogin(request, config.tool_conf()).redirect(
            config.address("lti_demo:launch")
        )
    except (LtiException, OIDCException):
        return _refused(request, _("Cette connexion ne vient pas d'une plateforme connue."))


def _restore(request: HttpRequest, launch_id: str) -> DjangoMessageLaunch:
    return DjangoMessageLaunch.from_cache(
        launch_id, request, config.tool_conf(), requests_session=config.http_session()
    )


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def launch(request: HttpRequest) -> HttpResponse:
    """The form post of the id_token: a resource link opens the exercise (and, for a teacher,
    the class roster); a deep linking request shows the sets to pick from."""
    try:
        message = DjangoMessageLaunch(
            request, config.tool_conf(), requests_session=config.http_session()
        )
        data = message.get_launch_data()
    except LtiException:
        return _refused(
            request, _("Ce lancement n'a pas pu être vérifié. Recommencez depuis Préau.")
        )
    launch_id = message.get_launch_id()
    if message.is_deep_link_launch():
        context = data.get(protocol.LTI + "context") or {}
        return render(
            request,
            "lti/demotool/pick.html",
            {"launch_id": launch_id, "sets": exercises.SETS.values(), "context": context},
        )
    chosen = exercises.exercise_set(
        (data.get(protocol.LTI + "custom") or {}).get(SET_PARAMETER, "")
    )
    teacher = message.check_teacher_access()
    roster: list[dict[str, Any]] = []
    roster_error = ""
    if teacher and message.has_nrps():
        try:
            roster = sorted(
                message.get_nrps().get_members(), key=lambda m: m.get("family_name") or ""
            )
        except (LtiException, LtiServiceException):
            roster_error = _("La liste de la classe n'a pas pu être lue.")
    return render(
        request,
        "lti/demotool/exercise.html",
        {
            "launch_id": launch_id,
            "given_name": data.get("given_name") or "",
            "teacher": teacher,
            "set": chosen,
            "questions": exercises.questions(chosen.key, launch_id),
            "context": data.get(protocol.LTI + "context") or {},
            "title": (data.get(protocol.LTI + "resource_link") or {}).get("title", ""),
            "roster": [
                {**m, "learner": protocol.ROLE_LEARNER in (m.get("roles") or [])} for m in roster
            ],
            "roster_error": roster_error,
            "graded": message.has_ags(),
        },
    )


def _send_score(message: DjangoMessageLaunch, data: dict[str, Any], right: int, title: str) -> None:
    """The score through AGS: on the placement's line item, or on one the tool makes (tagged)
    when the placement has none yet."""
    ags = message.get_ags()
    grade = (
        Grade()
        .set_score_given(right)
        .set_score_maximum(exercises.QUESTIONS)
        .set_timestamp(timezone.now().isoformat())
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(data["sub"])
    )
    if (data.get(protocol.AGS_CLAIM) or {}).get("lineitem"):
        ags.put_grade(grade)
        return
    line_item = (
        LineItem()
        .set_tag(TAG)
        .set_score_maximum(exercises.MARKED_OUT_OF)
        .set_label(_line_item_label(title))
    )
    ags.put_grade(grade, ags.find_or_create_lineitem(line_item))


@require_POST
@transaction.non_atomic_requests
def answer(request: HttpRequest) -> HttpResponse:
    """Correct the answers of a student's launch and send the score to Préau, once per launch.
    Not atomic: Préau records the score in another request while this one waits for it."""
    launch_id = request.POST.get("launch_id", "")
    try:
        message = _restore(request, launch_id)
    except LtiException:
        return _refused(request, _("Cet exercice a expiré. Rouvrez-le depuis Préau."))
    data = message.get_launch_data()
    if not message.is_resource_launch() or message.check_teacher_access():
        return _refused(request, _("Seuls les élèves envoient leurs réponses."), status=403)
    if request.session.get(_answered_key(launch_id)):
        return _refused(
            request, _("Ces réponses ont déjà été envoyées. Rouvrez l'exercice depuis Préau.")
        )
    chosen = exercises.exercise_set(
        (data.get(protocol.LTI + "custom") or {}).get(SET_PARAMETER, "")
    )
    asked = exercises.questions(chosen.key, launch_id)
    answers = [request.POST.get(f"q{i}", "") for i in range(len(asked))]
    right = exercises.correct_answers(asked, answers)
    sent = False
    # Marked answered before the score leaves, so that a second click cannot send it twice.
    request.session[_answered_key(launch_id)] = True
    request.session.save()
    if message.has_ags():
        title = (data.get(protocol.LTI + "resource_link") or {}).get("title") or str(chosen.title)
        try:
            _send_score(message, data, right, title)
        except (LtiException, LtiServiceException):
            del request.session[_answered_key(launch_id)]
            return _refused(
                request,
                _("Votre score (%(right)d sur %(total)d) n'a pas pu être envoyé à Préau.")
                % {"right": right, "total": len(asked)},
                status=502,
            )
        sent = True
    return render(
        request,
        "lti/demotool/result.html",
        {
            "right": right,
            "total": len(asked),
            "rows": [
                {"question": q, "answer": a, "right": exercises.correct_answers([q], [a]) == 1}
                for q, a in zip(asked, answers, strict=True)
            ],
            "sent": sent,
            "platform_url": data.get("iss", ""),
        },
    )


@require_POST
def pick(request: HttpRequest) -> HttpResponse:
    """The teacher's choice of set, sent back to Préau as a signed deep linking response: a
    resource link with its custom ``set`` and a line item marked out of 20."""
    try:
        message = _restore(request, request.POST.get("launch_id", ""))
    except LtiException:
        return _refused(request, _("Ce choix a expiré. Recommencez depuis Préau."))
    if not message.is_deep_link_launch():
        return _refused(request, _("Ce lancement ne demande pas de choisir un contenu."))
    key = request.POST.get(SET_PARAMETER, "")
    if key not in exercises.SETS:
        return _refused(request, _("Choisissez une série d'exercices."))
    chosen = exercises.SETS[key]
    label = _line_item_label(str(chosen.title))
    resource = (
        DeepLinkResource()
        .set_url(config.address("lti_demo:launch"))
        .set_title(label)
        .set_custom_params({SET_PARAMETER: chosen.key})
        .set_lineitem(
            LineItem().set_score_maximum(exercises.MARKED_OUT_OF).set_label(label).set_tag(TAG)
        )
    )
    deep_link = message.get_deep_link()
    settings = message.get_launch_data()[protocol.DL + "deep_linking_settings"]
    return render(
        request,
        "lti/demotool/return.html",
        {
            "action": settings["deep_link_return_url"],
            "jwt": deep_link.get_response_jwt([resource]),
            "set": chosen,
        },
    )
