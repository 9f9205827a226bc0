"""The « Import et export » page of the administration console: a CSV file of people (upload,
column mapping, validation report, import) and the OneRoster 1.2 archive (export, import).
Views find the establishment through the directory policies (404 otherwise), then call the
rosters actions."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from preau.administration.views import _establishment, _page
from preau.rosters import actions, csvimport, oneroster, policies
from preau.rosters.forms import MappingForm, OneRosterImportForm, UploadForm


@login_required
@require_http_methods(["GET", "POST"])
def rosters(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = actions.read_upload(upload)
        except actions.FileRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            batch = actions.do_start_import(
                actor=request.actor, establishment=school, filename=upload.name, text=text
            )
            return redirect("administration:roster_import", school.public_id, batch.public_id)
    return _page(
        request,
        "rosters/console.html",
        school,
        "rosters",
        {"form": form, "oneroster_form": OneRosterImportForm()},
    )


def _report_context(report: csvimport.Report) -> dict:
    return {
        "report": report,
        "errors": report.errors[: csvimport.MAX_SHOWN],
        "more": max(0, len(report.errors) - csvimport.MAX_SHOWN),
        "notices": report.notices[: csvimport.MAX_SHOWN],
    }


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request: HttpRequest, public_id: UUID, import_id: UUID) -> HttpResponse:
    """The column mapping, and below it the validation report of the file as mapped."""
    school = _establishment(request, public_id)
    batch = policies.access_import(school, import_id)
    batch.establishment = school
    header = csvimport.header_of(batch.text)
    form = MappingForm(
        request.POST or None,
        header=header,
        mapping=batch.mapping,
        initial={"default_profile": batch.default_profile},
    )
    if request.method == "POST" and form.is_valid():
        actions.do_set_mapping(
            actor=request.actor,
            batch=batch,
            mapping=form.cleaned_data["mapping"],
            default_profile=form.cleaned_data["default_profile"],
        )
        return redirect("administration:roster_import", school.public_id, batch.public_id)
    return _page(
        request,
        "rosters/import.html",
        school,
        "rosters",
        {"batch": batch, "form": form, **_report_context(actions.check(batch))},
    )


@login_required
@require_POST
def roster_import_run(request: HttpRequest, public_id: UUID, import_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    batch = policies.access_import(school, import_id)
    batch.establishment = school
    imported = actions.do_import(actor=request.actor, batch=batch)
    if imported.outcome is None:
        form = MappingForm(
            header=csvimport.header_of(batch.text),
            mapping=batch.mapping,
            initial={"default_profile": batch.default_profile},
        )
        return _page(
            request,
            "rosters/import.html",
            school,
            "rosters",
            {"batch": batch, "form": form, **_report_context(imported.report)},
            status=409,
        )
    # The activation codes are shown this once (only their hash is kept), like a new member's.
    return _page(request, "rosters/imported.html", school, "rosters", {"outcome": imported.outcome})


@login_required
def oneroster_export(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    archive = oneroster.export_zip(school)
    response = HttpResponse(archive, content_type="application/zip")
    name = f"oneroster-{school.uai}-{timezone.localdate():%Y%m%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def oneroster_import(request: HttpRequest, public_id: UUID) -> HttpResponse:
    school = _establishment(request, public_id)
    form = OneRosterImportForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        result = oneroster.do_import_zip(
            actor=request.actor,
            establishment=school,
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
    return _page(
        request,
        "rosters/oneroster_result.html",
        school,
        "rosters",
        {"oneroster_form": form, "result": result, "title": _("Import OneRoster 1.2")},
        status=200 if result is not None and not result.problems else 400,
    )
