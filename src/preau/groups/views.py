"""Pages of the group workspaces: the list, a workspace, its members, its forum and its
moderation queue.

Every workspace is opened through groups/policies.py (``access_workspace``: members only,
404 for anyone else); every change goes through groups/actions.py. Every flow works without
JavaScript: forms post and redirect.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from preau.groups import actions, policies, sections
from preau.groups.actions import GroupsRefused
from preau.groups.forms import (
    AddClassesForm,
    AddPeopleForm,
    PostForm,
    ReportForm,
    TopicForm,
    WorkspaceForm,
)
from preau.groups.models import Role, Workspace
from preau.news.policies import workspace_posts

TOPICS_PER_PAGE = 20
POSTS_PER_PAGE = 20
MEMBERS_PER_PAGE = 50
SEARCH_RESULTS = 20
NEWS_SHOWN = 3


def _managed(request: HttpRequest, public_id: UUID) -> Workspace:
    """A workspace the actor animates; a 404 for anyone else, members included."""
    workspace = policies.access_workspace(request.actor, public_id)
    if not policies.can_manage(request.actor, workspace):
        raise Http404
    return workspace


def _moderated(request: HttpRequest, public_id: UUID) -> Workspace:
    workspace = _managed(request, public_id)
    if workspace.is_archived:
        raise Http404
    return workspace


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """« Mes espaces »: the open workspaces by activity, or (``?archived=1``) the archived ones,
    most recently archived first."""
    actor = request.actor
    archived = request.GET.get("archived") == "1"
    if archived:
        workspaces = (
            policies.visible_workspaces(actor)
            .filter(archived_at__isnull=False)
            .order_by("-archived_at", "id")
        )
    else:
        workspaces = policies.workspaces_with_activity(actor)
    return render(
        request,
        "groups/index.html",
        {
            "page": Paginator(workspaces, TOPICS_PER_PAGE).get_page(request.GET.get("page")),
            "archived": archived,
            "can_create": policies.can_create_workspace(actor),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if not policies.can_create_workspace(actor):
        raise Http404
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = actions.do_create_workspace(actor=actor, **form.cleaned_data)
        except GroupsRefused as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(request, _("L'espace est créé. Ajoutez-y des membres."))
            return redirect("groups:members", public_id=workspace.public_id)
    return render(request, "groups/workspace_form.html", {"form": form, "workspace": None})


@login_required
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A workspace: its description, its latest news and its forum.

    Queries beyond the actor's: the workspace with the actor's membership, the news, the
    topics' count and page, the members' count, the open reports' count (animators), and the
    messaging suspension behind the new-topic form."""
    actor = request.actor
    workspace = policies.access_workspace(actor, public_id)
    manages = policies.can_manage(actor, workspace)
    topics = Paginator(policies.topics_of(actor, workspace), TOPICS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    refusal = policies.posting_refusal(actor, workspace)
    return render(
        request,
        "groups/detail.html",
        {
            "workspace": workspace,
            "membership": workspace.membership,
            "manages": manages,
            "page": topics,
            "news": list(workspace_posts(workspace).select_related("author")[:NEWS_SHOWN]),
            "member_count": workspace.members.count(),
            "open_reports": policies.open_reports(workspace).count() if manages else 0,
            "refusal": refusal,
            "topic_form": TopicForm() if not refusal else None,
            "sections": sections.for_workspace(actor, workspace),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    workspace = _managed(request, public_id)
    initial = {"name": workspace.name, "kind": workspace.kind, "description": workspace.description}
    form = WorkspaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and not workspace.is_archived and form.is_valid():
        try:
            actions.do_update_workspace(
                actor=request.actor, workspace=workspace, **form.cleaned_data
            )
        except GroupsRefused as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(request, _("L'espace est modifié."))
            return redirect("groups:detail", public_id=workspace.public_id)
    return render(request, "groups/workspace_form.html", {"form": form, "workspace": workspace})


@login_required
@require_POST
def archive(request: HttpRequest, public_id: UUID) -> HttpResponse:
    workspace = _managed(request, public_id)
    try:
        if request.POST.get("restore"):
            actions.do_restore_workspace(actor=request.actor, workspace=workspace)
            messages.success(request, _("L'espace est restauré."))
        elif not workspace.is_archived:
            actions.do_archive_workspace(actor=request.actor, workspace=workspace)
            messages.success(request, _("L'espace est archivé : ses membres peuvent le lire."))
    except GroupsRefused as refused:
        messages.error(request, refused.message)
    return redirect("groups:detail", public_id=workspace.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, public_id: UUID) -> HttpResponse:
    workspace = policies.access_workspace(request.actor, public_id)
    if request.method == "POST":
        try:
            actions.do_leave_workspace(actor=request.actor, workspace=workspace)
        except GroupsRefused as refused:
            messages.error(request, refused.message)
            return redirect("groups:detail", public_id=workspace.public_id)
        messages.success(
            request, _("Vous avez quitté l'espace « %(name)s ».") % {"name": workspace.name}
        )
        return redirect("groups:index")
    return render(request, "groups/leave.html", {"workspace": workspace})


# -- members -----------------------------------------------------------------------------------


@login_required
def members(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The members; animators also find people to add (a name search) and add whole classes."""
    actor = request.actor
    workspace = policies.access_workspace(actor, public_id)
    manages = policies.can_change_members(actor, workspace)
    page = Paginator(policies.members_of(workspace), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {
        "workspace": workspace,
        "manages": manages,
        "page": page,
        "roles": Role.choices,
    }
    if manages:
        query = request.GET.get("q", "").strip()[:80]
        results = []
        if query:
            words = query.split()
            found = policies.addable_people(workspace)
            for word in words[:3]:
                found = found.filter(
                    Q(first_name__icontains=word)
                    | Q(last_name__icontains=word)
                    | Q(username__icontains=word)
                )
            results = list(found[:SEARCH_RESULTS])
        context.update(
            query=query,
            results=results,
            people_form=AddPeopleForm(workspace=workspace),
            classes_form=AddClassesForm(workspace=workspace),
        )
    return render(request, "groups/members.html", context)


@login_required
@require_POST
def add_people(request: HttpRequest, public_id: UUID) -> HttpResponse:
    workspace = _moderated(request, public_id)
    form = AddPeopleForm(request.POST, workspace=workspace)
    if form.is_valid():
        try:
            added = actions.do_add_members(
                actor=request.actor,
                workspace=workspace,
                people=form.cleaned_data["people"],
                role=form.cleaned_data["role"],
            )
        except GroupsRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Membres ajoutés : %(count)d.") % {"count": len(added)})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("groups:members", public_id=workspace.public_id)


@login_required
@require_POST
def add_classes(request: HttpRequest, public_id: UUID) -> HttpResponse:
    workspace = _moderated(request, public_id)
    form = AddClassesForm(request.POST, workspace=workspace)
    if form.is_valid():
        added = actions.do_add_classes(
            actor=request.actor,
            workspace=workspace,
            classes=form.cleaned_data.get("classes") or [],
            groups=form.cleaned_data.get("groups") or [],
        )
        messages.success(request, _("Élèves ajoutés : %(count)d.") % {"count": len(added)})
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("groups:members", public_id=workspace.public_id)


@login_required
@require_POST
def member(request: HttpRequest, public_id: UUID, person_id: UUID) -> HttpResponse:
    """One member's buttons: change the role, mute or unmute, remove."""
    actor = request.actor
    workspace = _moderated(request, public_id)
    target = policies.access_member(workspace, person_id)
    operation = request.POST.get("operation", "")
    try:
        if operation == "role":
            actions.do_change_role(
                actor=actor, workspace=workspace, member=target, role=request.POST.get("role", "")
            )
            messages.success(request, _("Le rôle est modifié."))
        elif operation in ("mute", "unmute"):
            actions.do_mute_member(
                actor=actor, workspace=workspace, member=target, muted=operation == "mute"
            )
            messages.success(
                request,
                _("La parole est retirée.") if operation == "mute" else _("La parole est rendue."),
            )
        elif operation == "remove":
            actions.do_remove_member(actor=actor, workspace=workspace, member=target)
            messages.success(request, _("Le membre est retiré de l'espace."))
    except GroupsRefused as refused:
        messages.error(request, refused.message)
    return redirect("groups:members", public_id=workspace.public_id)


# -- the forum ---------------------------------------------------------------------------------


@login_required
@require_POST
def new_topic(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = request.actor
    workspace = policies.access_workspace(actor, public_id)
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            topic = actions.do_start_topic(actor=actor, workspace=workspace, **form.cleaned_data)
        except GroupsRefused as refused:
            form.add_error(None, refused.message)
        else:
            return redirect("groups:topic", public_id=workspace.public_id, topic_id=topic.public_id)
    return render(
        request, "groups/topic_form.html", {"workspace": workspace, "form": form}, status=400
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic(request: HttpRequest, public_id: UUID, topic_id: UUID) -> HttpResponse:
    """A topic and its posts; a member replies at the bottom.

    Queries beyond the actor's: the workspace with the actor's membership, the topic, the
    posts' count and page, the messaging suspension, and the read mark."""
    actor = request.actor
    workspace = policies.access_workspace(actor, public_id)
    found = policies.access_topic(workspace, topic_id)
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            post = actions.do_reply(
                actor=actor, workspace=workspace, topic=found, body=form.cleaned_data["body"]
            )
        except GroupsRefused as refused:
            form.add_error("body", refused.message)
        else:
            url = reverse(
                "groups:topic",
                kwargs={"public_id": workspace.public_id, "topic_id": found.public_id},
            )
            return redirect(f"{url}?page=last#post-{post.public_id}")
    paginator = Paginator(policies.posts_of(found), POSTS_PER_PAGE)
    number = request.GET.get("page")
    posts = paginator.get_page(paginator.num_pages if number == "last" else number)
    refusal = policies.posting_refusal(actor, workspace, found)
    if request.method == "GET":
        actions.do_mark_read(actor=actor, topic=found)
    return render(
        request,
        "groups/topic.html",
        {
            "workspace": workspace,
            "topic": found,
            "page": posts,
            "moderates": policies.can_moderate(actor, workspace),
            "refusal": refusal,
            "form": form if not refusal else None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def moderate_topic(request: HttpRequest, public_id: UUID, topic_id: UUID) -> HttpResponse:
    """Pin, unpin, lock, unlock or delete a topic (animators)."""
    actor = request.actor
    workspace = _moderated(request, public_id)
    found = policies.access_topic(workspace, topic_id)
    operation = request.POST.get("operation", "")
    if operation == "delete":
        actions.do_delete_topic(actor=actor, workspace=workspace, topic=found)
        messages.success(request, _("Le sujet est supprimé."))
        return redirect("groups:detail", public_id=workspace.public_id)
    flags = {
        "pin": {"pinned": True},
        "unpin": {"pinned": False},
        "lock": {"locked": True},
        "unlock": {"locked": False},
    }.get(operation)
    if flags is not None:
        actions.do_set_topic_flags(actor=actor, workspace=workspace, topic=found, **flags)
        messages.success(request, _("Le sujet est modifié."))
    return redirect("groups:topic", public_id=workspace.public_id, topic_id=found.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request: HttpRequest, public_id: UUID, post_id: UUID) -> HttpResponse:
    actor = request.actor
    workspace = policies.access_workspace(actor, public_id)
    post = policies.access_post(workspace, post_id)
    if not policies.can_edit_post(actor, workspace, post):
        raise Http404
    form = PostForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_post(
                actor=actor, workspace=workspace, post=post, body=form.cleaned_data["body"]
            )
        except GroupsRefused as refused:
            form.add_error("body", refused.message)
        else:
            messages.success(request, _("Le message est modifié."))
            return redirect(
                "groups:topic", public_id=workspace.public_id, topic_id=post.topic.public_id
            )
    return render(
        request, "groups/post_form.html", {"workspace": workspace, "post": post, "form": form}
    )


@login_required
@require_POST
def moderate_post(request: HttpRequest, public_id: UUID, post_id: UUID) -> HttpResponse:
    """Hide, show again or delete a post (animators)."""
    actor = request.actor
    workspace = _moderated(request, public_id)
    post = policies.access_post(workspace, post_id)
    operation = request.POST.get("operation", "")
    if operation in ("hide", "unhide"):
        actions.do_hide_post(
            actor=actor, workspace=workspace, post=post, hidden=operation == "hide"
        )
        messages.success(
            request,
            _("Le message est masqué.") if operation == "hide" else _("Le message est rétabli."),
        )
    elif operation == "delete":
        if actions.do_delete_post(actor=actor, workspace=workspace, post=post):
            messages.success(request, _("Le sujet est supprimé avec son premier message."))
            return redirect("groups:detail", public_id=workspace.public_id)
        messages.success(request, _("Le message est supprimé."))
    if request.POST.get("next") == "reports":
        return redirect("groups:reports", public_id=workspace.public_id)
    return redirect("groups:topic", public_id=workspace.public_id, topic_id=post.topic.public_id)


@login_required
@require_POST
def report_post(request: HttpRequest, public_id: UUID, post_id: UUID) -> HttpResponse:
    """« Signaler »: any member sends a post to the animators' moderation queue."""
    actor = request.actor
    workspace = policies.access_workspace(actor, public_id)
    post = policies.access_post(workspace, post_id)
    form = ReportForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        report = actions.do_report_post(actor=actor, workspace=workspace, post=post, reason=reason)
    except GroupsRefused as refused:
        messages.error(request, refused.message)
    else:
        if report is None:
            messages.info(request, _("Vous avez déjà signalé ce message."))
        else:
            messages.success(request, _("Message signalé aux animateurs de l'espace."))
    return redirect("groups:topic", public_id=workspace.public_id, topic_id=post.topic.public_id)


@login_required
def reports(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The moderation queue of a workspace (animators): its open reports, oldest first."""
    workspace = _moderated(request, public_id)
    page = Paginator(policies.open_reports(workspace), POSTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "groups/reports.html", {"workspace": workspace, "page": page})


@login_required
@require_POST
def dismiss_report(request: HttpRequest, public_id: UUID, report_id: UUID) -> HttpResponse:
    workspace = _moderated(request, public_id)
    found = policies.access_report(workspace, report_id)
    actions.do_dismiss_report(actor=request.actor, workspace=workspace, report=found)
    messages.success(request, _("Signalement classé sans suite."))
    return redirect("groups:reports", public_id=workspace.public_id)
