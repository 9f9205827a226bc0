"""WebDAV on the drive, as a file manager uses it: who gets in, what each person sees under
``/dav/``, and what is refused (other people's files, read-only shares, a full quota, a file
type the drive does not take)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote, unquote

import pytest
from defusedxml import ElementTree
from django.test import Client, override_settings

from preau.api.actions import do_create_token
from preau.api.models import Scope
from preau.core.actor import Actor
from preau.core.testing import query_budget
from preau.dav.models import PendingFile
from preau.demo.cast import DEMO_PASSWORD
from preau.drive import actions, policies
from preau.drive.models import MIB, DriveSettings, Node
from preau.drive.tests.helpers import PDF, actor_for, root, stored_files, upload

pytestmark = pytest.mark.django_db

MOULIN = "/dav/" + quote("Collège Jean Moulin")
MINE = MOULIN + "/" + quote("Mes fichiers")
SHARED = MOULIN + "/" + quote("Partagés avec moi")


def auth(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def dav(method: str, path: str, username: str, body: bytes = b"", **headers: str) -> Any:
    return Client().generic(method, path, body, **auth(username), **headers)


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def names(response: Any) -> list[str]:
    """The last segments of the paths a PROPFIND answer (or its body) lists, the collection
    itself first."""
    tree = ElementTree.fromstring(response if isinstance(response, bytes) else body(response))
    hrefs = [h.text or "" for h in tree.iter("{DAV:}href")]
    return [unquote(h.rstrip("/").rsplit("/", 1)[-1]) for h in hrefs]


def lecture_shared_with_4b(cast: Any, permission: str = "read") -> tuple[Node, Node]:
    """Garcia's folder « Lectures » holding a PDF, shared with 4e B (Léa and Noah)."""
    garcia = actor_for(cast.garcia)
    folder = actions.do_create_folder(actor=garcia, parent=root(cast.garcia), name="Lectures")
    file = upload(cast.garcia, folder, "Le Horla.pdf", PDF)
    folder.grant = policies.grant_for(garcia, folder)
    actions.do_share(actor=garcia, node=folder, permission=permission, school_class=cast.class_4b)
    return folder, file


# -- getting in ---------------------------------------------------------------------------------
def test_without_credentials_the_client_is_asked_for_them(cast: Any) -> None:
    response = Client().generic("PROPFIND", "/dav/", HTTP_DEPTH="1")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="Préau"'
    wrong = Client().generic("PROPFIND", "/dav/", **auth("prof.bernard", "faux"))
    assert wrong.status_code == 401


def test_a_token_for_files_opens_the_drive_and_one_for_calendars_does_not(cast: Any) -> None:
    bernard = Actor(cast.bernard, {})
    _, files = do_create_token(actor=bernard, name="PC", scopes=[Scope.DAV_FILES])
    _, calendars = do_create_token(actor=bernard, name="Tél", scopes=[Scope.DAV_CALENDARS])
    ok = Client().generic("PROPFIND", "/dav/", **auth("prof.bernard", files), HTTP_DEPTH="1")
    assert ok.status_code == 207
    refused = Client().generic("PROPFIND", "/dav/", **auth("prof.bernard", calendars))
    assert refused.status_code == 401


def test_the_client_address_behind_a_proxy_is_the_one_the_throttle_counts(cast: Any) -> None:
    from preau.audit.models import LoginEvent

    with override_settings(TRUSTED_PROXIES=1):
        Client().generic(
            "PROPFIND",
            "/dav/",
            **auth("prof.bernard", "faux"),
            HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5",
        )
    event = LoginEvent.objects.filter(person=cast.bernard, succeeded=False).get()
    assert event.address == "203.0.113.5"


# -- the layout ---------------------------------------------------------------------------------
def test_each_establishment_is_a_folder_holding_my_files_and_what_is_shared(cast: Any) -> None:
    top = dav("PROPFIND", "/dav/", "parent.sophie", HTTP_DEPTH="1")
    assert top.status_code == 207
    assert sorted(names(top)[1:]) == ["Collège Jean Moulin", "Lycée Marie Curie"]
    inside = dav("PROPFIND", MOULIN + "/", "prof.bernard", HTTP_DEPTH="1")
    assert names(inside)[1:] == ["Mes fichiers", "Partagés avec moi"]


def test_a_file_put_through_webdav_is_in_the_drive_and_comes_back(cast: Any) -> None:
    put = dav("PUT", MINE + "/notes.txt", "prof.bernard", b"Bonjour\n", CONTENT_TYPE="text/plain")
    assert put.status_code == 201
    node = Node.objects.get(name="notes.txt", space__owner=cast.bernard)
    assert node.size == 8
    got = dav("GET", MINE + "/notes.txt", "prof.bernard")
    assert got.status_code == 200
    assert body(got) == b"Bonjour\n"
    assert got["Content-Disposition"] == "attachment"
    again = dav("PUT", MINE + "/notes.txt", "prof.bernard", b"Au revoir\n")
    assert again.status_code == 204
    node.refresh_from_db()
    assert node.size == 10


def test_folders_copy_move_and_delete_go_through_the_drive(cast: Any) -> None:
    assert dav("MKCOL", MINE + "/Cours", "prof.bernard").status_code == 201
    dav("PUT", MINE + "/Cours/plan.txt", "prof.bernard", b"1. Intro\n")
    host = "http://testserver"
    copied = dav(
        "COPY", MINE + "/Cours/", "prof.bernard", HTTP_DESTINATION=host + MINE + "/Archive/"
    )
    assert copied.status_code == 201
    moved = dav("MOVE", MINE + "/Archive/", "prof.bernard", HTTP_DESTINATION=host + MINE + "/2025/")
    assert moved.status_code == 201
    listing = dav("PROPFIND", MINE + "/2025/", "prof.bernard", HTTP_DEPTH="1")
    assert names(listing)[1:] == ["plan.txt"]
    assert dav("DELETE", MINE + "/Cours/", "prof.bernard").status_code == 204
    # Deleted from a file manager, the folder waits in the drive's trash.
    trashed = policies.trashed(actor_for(cast.bernard))
    assert [n.name for n in trashed] == ["Cours"]


# -- refusals -----------------------------------------------------------------------------------
def test_another_persons_files_do_not_exist_for_me(cast: Any) -> None:
    upload(cast.garcia, root(cast.garcia), "privé.pdf", PDF)
    folder = quote("Lycée Marie Curie")
    for path in (
        MINE + "/" + quote("privé.pdf"),
        SHARED + "/" + quote("privé.pdf"),
        "/dav/" + folder + "/",  # Bernard has no place at the lycée
        "/dav/" + quote("Garcia") + "/",
    ):
        assert dav("PROPFIND", path, "prof.bernard", HTTP_DEPTH="0").status_code == 404
        assert dav("GET", path, "prof.bernard").status_code == 404
    assert dav("DELETE", MINE + "/" + quote("privé.pdf"), "prof.bernard").status_code == 404
    assert Node.objects.filter(name="privé.pdf", trashed_at__isnull=True).exists()


def test_a_read_only_share_is_listed_and_read_but_refuses_writes(cast: Any) -> None:
    lecture_shared_with_4b(cast)
    listing = dav("PROPFIND", SHARED + "/", "eleve.noah", HTTP_DEPTH="1")
    assert names(listing)[1:] == ["Lectures"]
    # Its owner's usage is not told.
    folder = dav("PROPFIND", SHARED + "/Lectures/", "eleve.noah", HTTP_DEPTH="0")
    assert b"quota-used-bytes" not in body(folder)
    pdf = SHARED + "/Lectures/" + quote("Le Horla.pdf")
    got = dav("GET", pdf, "eleve.noah")
    assert got.status_code == 200
    assert body(got) == PDF
    put = dav("PUT", SHARED + "/Lectures/copie.pdf", "eleve.noah", PDF)
    assert put.status_code == 403
    assert dav("PUT", pdf, "eleve.noah", PDF).status_code == 403
    assert dav("DELETE", pdf, "eleve.noah").status_code == 403
    assert dav("MKCOL", SHARED + "/Lectures/Devoirs", "eleve.noah").status_code == 403
    assert dav("LOCK", pdf, "eleve.noah", LOCK_BODY).status_code == 403
    assert not Node.objects.filter(name__in=["copie.pdf", "Devoirs"]).exists()
    # Another class sees nothing of it.
    assert dav("GET", pdf, "eleve.jade").status_code == 404


def test_an_editable_share_takes_new_files_counted_for_its_owner(cast: Any) -> None:
    folder, _file = lecture_shared_with_4b(cast, permission="edit")
    put = dav("PUT", SHARED + "/Lectures/Noah.txt", "eleve.noah", b"Mon travail\n")
    assert put.status_code == 201
    added = Node.objects.get(name="Noah.txt")
    assert added.parent == folder
    assert added.space.owner == cast.garcia


def test_a_full_quota_answers_507_and_keeps_nothing(cast: Any) -> None:
    DriveSettings.objects.update_or_create(
        establishment=cast.moulin, defaults={"teacher_quota_mb": 1}
    )
    before = stored_files()
    big = b"a" * (MIB + 10)
    put = dav("PUT", MINE + "/gros.txt", "prof.bernard", big)
    assert put.status_code == 507
    assert not Node.objects.filter(name="gros.txt").exists()
    assert stored_files() == before


def test_a_file_the_drive_does_not_take_is_refused_and_nothing_is_stored(cast: Any) -> None:
    before = stored_files()
    put = dav("PUT", MINE + "/outil.exe", "prof.bernard", b"MZ\x90\x00")
    assert put.status_code == 415
    # A name that says PDF with a content that is not one.
    fake = dav("PUT", MINE + "/faux.pdf", "prof.bernard", b"MZ\x90\x00")
    assert fake.status_code == 415
    assert not Node.objects.filter(name__in=["outil.exe", "faux.pdf"]).exists()
    assert stored_files() == before


def test_the_layout_folders_take_nothing(cast: Any) -> None:
    assert dav("PUT", MOULIN + "/a.txt", "prof.bernard", b"x").status_code == 403
    assert dav("MKCOL", "/dav/Dossier", "prof.bernard").status_code == 403
    assert dav("DELETE", MINE + "/", "prof.bernard").status_code == 403


PROPPATCH_BODY = (
    b'<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" '
    b'xmlns:P="urn:example:preau"><D:set><D:prop><P:couleur>bleu</P:couleur></D:prop></D:set>'
    b"</D:propertyupdate>"
)
LOCK_BODY = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
    b"<D:locktype><D:write/></D:locktype><D:owner>test</D:owner></D:lockinfo>"
)


def test_a_lock_is_kept_in_the_database_and_binds_writes(cast: Any) -> None:
    from preau.dav.models import DavLock

    dav("PUT", MINE + "/a.txt", "prof.bernard", b"v1\n")
    locked = dav("LOCK", MINE + "/a.txt", "prof.bernard", LOCK_BODY, HTTP_TIMEOUT="Second-600")
    assert locked.status_code == 200
    token = locked["Lock-Token"].strip("<>")
    assert DavLock.objects.filter(token=token, person=cast.bernard).exists()
    assert dav("PUT", MINE + "/a.txt", "prof.bernard", b"v2\n").status_code == 423
    ok = dav("PUT", MINE + "/a.txt", "prof.bernard", b"v2\n", HTTP_IF=f"(<{token}>)")
    assert ok.status_code == 204
    unlock = dav("UNLOCK", MINE + "/a.txt", "prof.bernard", HTTP_LOCK_TOKEN=f"<{token}>")
    assert unlock.status_code == 204
    assert not DavLock.objects.exists()


@pytest.mark.parametrize("files", [2, 12])
def test_a_folder_listing_costs_the_same_whatever_its_size(cast: Any, files: int) -> None:
    for number in range(files):
        dav("PUT", MINE + f"/fichier-{number}.txt", "prof.bernard", b"x\n")
    dav("PROPPATCH", MINE + "/fichier-0.txt", "prof.bernard", PROPPATCH_BODY)
    dav("MKCOL", MINE + "/Dossier", "prof.bernard")
    # 1 the account (Basic), 2 its memberships, 3 the personal space, 4 its root, 5 the
    # folder's members, 6 the empty files waiting there, 7-8 the dead properties of the folder
    # and of its members (by parent), 9 the person's locks, 10-11 the establishment's drive
    # settings and the person's profiles there (the quota, shown once for all the folders).
    with query_budget(11):
        listing = body(dav("PROPFIND", MINE + "/", "prof.bernard", HTTP_DEPTH="1"))
    assert len(names(listing)) == files + 2
    assert b"quota-available-bytes" in listing


def test_a_shared_file_copied_into_my_files_is_mine_and_counts_in_my_quota(cast: Any) -> None:
    lecture_shared_with_4b(cast)
    copied = dav(
        "COPY",
        SHARED + "/Lectures/" + quote("Le Horla.pdf"),
        "eleve.noah",
        HTTP_DESTINATION="http://testserver" + MINE + "/Horla.pdf",
    )
    assert copied.status_code == 201
    mine = Node.objects.get(name="Horla.pdf")
    assert mine.space.owner == cast.noah
    assert mine.space.used_bytes == len(PDF)


def test_a_copy_that_does_not_fit_answers_507(cast: Any) -> None:
    DriveSettings.objects.update_or_create(
        establishment=cast.moulin, defaults={"teacher_quota_mb": 1}
    )
    dav("PUT", MINE + "/moitié.txt", "prof.bernard", b"a" * (MIB // 2 + 10))
    copied = dav(
        "COPY",
        MINE + "/" + quote("moitié.txt"),
        "prof.bernard",
        HTTP_DESTINATION="http://testserver" + MINE + "/copie.txt",
    )
    assert copied.status_code == 507
    assert not Node.objects.filter(name="copie.txt").exists()


def test_properties_follow_a_folder_moved_through_webdav(cast: Any) -> None:
    dav("MKCOL", MINE + "/A", "prof.bernard")
    dav("PUT", MINE + "/A/note.txt", "prof.bernard", b"x\n")
    assert dav("PROPPATCH", MINE + "/A/note.txt", "prof.bernard", PROPPATCH_BODY).status_code == 207
    moved = dav("MOVE", MINE + "/A/", "prof.bernard", HTTP_DESTINATION=MINE + "/B/")
    assert moved.status_code == 201
    found = dav("PROPFIND", MINE + "/B/note.txt", "prof.bernard", HTTP_DEPTH="0")
    assert b"bleu" in body(found)


def test_an_empty_file_created_before_its_content_waits_for_it(cast: Any) -> None:
    """Windows Explorer writes an empty file, locks it, then sends the content; Finder locks
    the free name first. An empty PDF is no PDF for the drive: the name waits, for its
    creator only, and the content makes it a file of the drive."""
    pdf = MINE + "/rapport.pdf"
    assert dav("PUT", pdf, "prof.bernard", b"").status_code == 201
    listing = dav("PROPFIND", MINE + "/", "prof.bernard", HTTP_DEPTH="1")
    assert "rapport.pdf" in names(listing)
    assert not Node.objects.filter(name="rapport.pdf").exists()
    locked = dav("LOCK", pdf, "prof.bernard", LOCK_BODY)
    assert locked.status_code == 200
    token = locked["Lock-Token"]
    assert dav("PUT", pdf, "prof.bernard", PDF, HTTP_IF=f"({token})").status_code == 204
    assert Node.objects.get(name="rapport.pdf").size == len(PDF)
    assert dav("UNLOCK", pdf, "prof.bernard", HTTP_LOCK_TOKEN=token).status_code == 204
    listing = dav("PROPFIND", MINE + "/", "prof.bernard", HTTP_DEPTH="1")
    assert names(listing).count("rapport.pdf") == 1
    # Finder: LOCK on a free name, then the content; given up, the name goes.
    image = MINE + "/photo.png"
    locked = dav("LOCK", image, "prof.bernard", LOCK_BODY)
    assert locked.status_code == 201
    token = locked["Lock-Token"]
    assert dav("DELETE", image, "prof.bernard", HTTP_IF=f"({token})").status_code == 204
    assert dav("GET", image, "prof.bernard").status_code == 404
    # A type the drive never takes does not wait.
    assert dav("PUT", MINE + "/outil.exe", "prof.bernard", b"").status_code == 415
    assert not PendingFile.objects.exists()


def test_a_waiting_empty_file_is_seen_by_its_creator_only(cast: Any) -> None:
    lecture_shared_with_4b(cast, permission="edit")
    folder = SHARED + "/Lectures/"
    assert dav("PUT", folder + "rendu.pdf", "eleve.noah", b"").status_code == 201
    assert "rendu.pdf" in names(dav("PROPFIND", folder, "eleve.noah", HTTP_DEPTH="1"))
    assert "rendu.pdf" not in names(dav("PROPFIND", folder, "eleve.lea", HTTP_DEPTH="1"))
    assert dav("GET", folder + "rendu.pdf", "eleve.lea").status_code == 404


def test_an_empty_text_file_is_a_file_of_the_drive_at_once(cast: Any) -> None:
    assert dav("PUT", MINE + "/vide.txt", "prof.bernard", b"").status_code == 201
    assert Node.objects.get(name="vide.txt").size == 0


def test_an_establishment_that_turned_the_drive_off_is_not_listed(cast: Any) -> None:
    from preau.portal.actions import do_update_services

    do_update_services(
        actor=Actor(cast.principal_curie, {}),
        establishment=cast.curie,
        choices={"drive": (False, 45)},
    )
    top = dav("PROPFIND", "/dav/", "parent.sophie", HTTP_DEPTH="1")
    assert names(top)[1:] == ["Collège Jean Moulin"]
    lycee = "/dav/" + quote("Lycée Marie Curie") + "/"
    assert dav("PROPFIND", lycee, "parent.sophie", HTTP_DEPTH="0").status_code == 404


def test_a_listing_of_the_whole_tree_at_once_is_refused(cast: Any) -> None:
    for depth in ({}, {"HTTP_DEPTH": "infinity"}):
        refused = dav("PROPFIND", MINE + "/", "prof.bernard", **depth)
        assert refused.status_code == 403
        assert b"propfind-finite-depth" in body(refused)
    dav("PUT", MINE + "/a.txt", "prof.bernard", b"x\n")
    assert dav("PROPFIND", MINE + "/a.txt", "prof.bernard").status_code == 207


def test_the_working_files_of_programs_stay_beside_the_drive(cast: Any) -> None:
    """Finder writes « ._name » beside each file it copies, Office a « ~$name » while a
    document is open: no documents, never in the drive, but there for the program."""
    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 40
    dot_underscore = MINE + "/._rapport.pdf"
    assert dav("PUT", dot_underscore, "prof.bernard", apple_double).status_code == 201
    assert body(dav("GET", dot_underscore, "prof.bernard")) == apple_double
    owner = MINE + "/" + quote("~$rapport.docx")
    assert dav("PUT", owner, "prof.bernard", b"\x0bMarc Bernard" + b"\x00" * 40).status_code == 201
    listing = names(dav("PROPFIND", MINE + "/", "prof.bernard", HTTP_DEPTH="1"))
    assert "._rapport.pdf" in listing
    assert "~$rapport.docx" in listing
    assert not Node.objects.filter(name__in=["._rapport.pdf", "~$rapport.docx"]).exists()
    assert dav("DELETE", owner, "prof.bernard").status_code == 204
    assert dav("GET", owner, "prof.bernard").status_code == 404
    # They stay small, and a read-only share takes none.
    too_big = dav("PUT", MINE + "/.DS_Store", "prof.bernard", b"\x00" * (300 * 1024))
    assert too_big.status_code == 413
    lecture_shared_with_4b(cast)
    refused = dav("PUT", SHARED + "/Lectures/._Horla.pdf", "eleve.noah", apple_double)
    assert refused.status_code == 403


def test_two_shared_folders_of_the_same_name_are_told_apart_by_their_owner(cast: Any) -> None:
    lecture_shared_with_4b(cast)
    bernard = actor_for(cast.bernard)
    folder = actions.do_create_folder(actor=bernard, parent=root(cast.bernard), name="Lectures")
    folder.grant = policies.grant_for(bernard, folder)
    actions.do_share(actor=bernard, node=folder, permission="read", school_class=cast.class_4b)
    listing = names(dav("PROPFIND", SHARED + "/", "eleve.lea", HTTP_DEPTH="1"))
    assert sorted(listing[1:]) == ["Lectures", "Lectures (Marc Bernard)"]
    garcias = names(dav("PROPFIND", SHARED + "/Lectures/", "eleve.lea", HTTP_DEPTH="1"))
    assert garcias[1:] == ["Le Horla.pdf"]
    bernards = SHARED + "/" + quote("Lectures (Marc Bernard)") + "/"
    assert names(dav("PROPFIND", bernards, "eleve.lea", HTTP_DEPTH="1"))[1:] == []


def test_each_establishment_keeps_its_own_files(cast: Any) -> None:
    lycee = "/dav/" + quote("Lycée Marie Curie") + "/" + quote("Mes fichiers")
    assert dav("PUT", lycee + "/bulletin.txt", "parent.sophie", b"Hugo\n").status_code == 201
    stored = Node.objects.get(name="bulletin.txt")
    assert stored.establishment == cast.curie
    assert dav("GET", MINE + "/bulletin.txt", "parent.sophie").status_code == 404
    # Nothing crosses from one establishment to the other through WebDAV.
    copied = dav(
        "COPY",
        lycee + "/bulletin.txt",
        "parent.sophie",
        HTTP_DESTINATION="http://testserver" + MINE + "/bulletin.txt",
    )
    assert copied.status_code == 403
    assert Node.objects.filter(name="bulletin.txt").count() == 1


def test_a_change_of_case_is_a_rename_not_a_deletion(cast: Any) -> None:
    dav("PUT", MINE + "/notes.txt", "prof.bernard", b"x\n")
    moved = dav("MOVE", MINE + "/notes.txt", "prof.bernard", HTTP_DESTINATION=MINE + "/Notes.txt")
    assert moved.status_code == 201
    node = Node.objects.get(name_key="notes.txt")
    assert node.name == "Notes.txt"
    assert node.trashed_at is None
    copied = dav("COPY", MINE + "/Notes.txt", "prof.bernard", HTTP_DESTINATION=MINE + "/NOTES.txt")
    assert copied.status_code == 403
    assert Node.objects.filter(trashed_at__isnull=True, name_key="notes.txt").count() == 1


def test_a_chunked_body_the_server_cannot_end_is_refused_not_saved_empty(cast: Any) -> None:
    refused = dav(
        "PUT", MINE + "/finder.txt", "prof.bernard", b"", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert refused.status_code == 411
    assert not Node.objects.filter(name="finder.txt").exists()


def test_the_daily_purge_forgets_expired_locks_and_old_waiting_files(cast: Any) -> None:
    import io
    from datetime import timedelta

    import time_machine
    from django.core.management import call_command

    from preau.dav.models import DavLock

    dav("PUT", MINE + "/vieux.pdf", "prof.bernard", b"")
    dav("PUT", MINE + "/a.txt", "prof.bernard", b"x\n")
    dav("LOCK", MINE + "/a.txt", "prof.bernard", LOCK_BODY, HTTP_TIMEOUT="Second-60")
    with time_machine.travel(timedelta(days=2)):
        out = io.StringIO()
        call_command("purge_dav", stdout=out)
    assert "1 expired lock(s), 1 waiting file(s)" in out.getvalue()
    assert not DavLock.objects.exists()
    assert not PendingFile.objects.exists()
