from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from preau.directory.policies import administered_establishments


@login_required
def home(request: HttpRequest) -> HttpResponse:
    establishments = administered_establishments(request.actor).select_related("academy")
    if not establishments.exists():
        raise Http404
    return render(request, "administration/home.html", {"establishments": establishments})
