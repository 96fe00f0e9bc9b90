from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from homeward.chronology.selectors import SOURCES, chronology_for
from homeward.identity.models import User
from homeward.people.selectors import person_for


@login_required
def person_chronology(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything every agency recorded about a person that the viewer may see, newest first."""
    actor = request.user
    assert isinstance(actor, User)
    person = person_for(actor=actor, pk=pk)
    chosen = {key for key in request.GET.getlist("source") if key in {k for k, _, _ in SOURCES}}
    lines = chronology_for(actor=actor, person=person, sources=chosen or None)
    return render(
        request,
        "chronology/person.html",
        {
            "person": person,
            "lines": lines,
            "sources": [(key, label, not chosen or key in chosen) for key, label, _ in SOURCES],
        },
    )
