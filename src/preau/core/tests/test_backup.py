"""`preau backup` and `preau restore`: a round trip through each engine, run as an operator
would (the commands in their own processes, on a portal of their own), and the refusals."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from preau.accounts.models import User
from preau.core import backup

MANAGE = [sys.executable, "-m", "preau"]

# Printed as JSON by the portal under test: what must survive a round trip.
INSPECT = """
import hashlib, json
from pathlib import Path
from django.conf import settings
from django.db import connection
from django.test import Client
from preau.demo.cast import DEMO_PASSWORD
with connection.cursor() as cursor:
    tables = connection.introspection.table_names(cursor)
    counts = {}
    for table in tables:
        cursor.execute("SELECT count(*) FROM " + connection.ops.quote_name(table))
        counts[table] = cursor.fetchone()[0]
root = Path(settings.MEDIA_ROOT)
files = {
    str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
    for p in sorted(root.rglob("*")) if p.is_file()
}
client = Client()
login = client.login(username="eleve.lea", password=DEMO_PASSWORD)
client.logout()  # its session row goes: the counts stay comparable
# and so does the record of that sign-in in « Mes sessions et appareils ».
from preau.accounts.models import AccountSession
AccountSession.objects.filter(person__username="eleve.lea").delete()
print(json.dumps({"counts": counts, "files": files, "login": login}))
"""

# A change after the backup, which a forced restore must undo: a new file, a message gone.
CHANGE = """
from pathlib import Path
from django.conf import settings
from preau.messaging.models import Message
(Path(settings.MEDIA_ROOT) / "drive" / "added-after-the-backup").write_bytes(b"later")
Message.objects.filter(pk=Message.objects.order_by("pk").values("pk")[:1]).delete()
"""


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [*MANAGE, *args], env=env, capture_output=True, text=True, check=False, timeout=600
    )


def ok(env: dict[str, str], *args: str) -> str:
    result = run(env, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def inspect(env: dict[str, str]) -> dict[str, Any]:
    return json.loads(ok(env, "shell", "-c", INSPECT).strip().splitlines()[-1])


def portal_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "1",
        "PREAU_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
    }
    for name in ("DJANGO_SETTINGS_MODULE", "MEDIA_ROOT"):
        env.pop(name, None)
    return env


def round_trip(env: dict[str, str], wipe: Any, tmp_path: Path) -> None:
    ok(env, "migrate", "--noinput", "-v0")
    ok(env, "demo", "--students", "30")
    before = inspect(env)
    # Demo-like data: accounts, messages, drive and drop box files.
    assert before["counts"]["accounts_user"] > 10
    assert before["counts"]["messaging_message"] > 0
    assert before["counts"]["drive_node"] > 0
    assert any(name.startswith("drive/") for name in before["files"])
    assert before["login"] is True

    archive = tmp_path / "portal.tar"
    ok(env, "backup", str(archive))
    assert archive.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only

    wipe()
    ok(env, "restore", str(archive))
    after = inspect(env)
    assert after["counts"] == before["counts"]
    assert after["files"] == before["files"]
    assert after["login"] is True

    # Restoring over a portal that changed since: refused without --force, undone with it.
    ok(env, "shell", "-c", CHANGE)
    refused = run(env, "restore", str(archive))
    assert refused.returncode != 0
    assert "--force" in refused.stderr
    ok(env, "restore", "--force", str(archive))
    again = inspect(env)
    assert again["counts"] == before["counts"]
    assert again["files"] == before["files"]
    assert again["login"] is True


def test_round_trip_sqlite(tmp_path: Path) -> None:
    data = tmp_path / "portal"
    data.mkdir()
    env = portal_env(data, f"sqlite:///{data / 'db.sqlite3'}")

    def wipe() -> None:
        for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
            (data / name).unlink(missing_ok=True)
        shutil.rmtree(data / "media", ignore_errors=True)

    round_trip(env, wipe, tmp_path)


def postgres_admin() -> dict[str, Any]:
    """Where to create a scratch database: the server of DATABASE_URL when it is PostgreSQL
    (CI), otherwise the local server with trust authentication."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    conf = dj_database_url.parse(url)
    return {
        "host": conf["HOST"] or "127.0.0.1",
        "port": int(conf["PORT"] or 5432),
        "user": conf["USER"] or "postgres",
        "password": conf["PASSWORD"] or "",
    }


@pytest.fixture
def scratch_postgres() -> Iterator[tuple[str, Any]]:
    import psycopg

    admin = postgres_admin()
    for tool in ("pg_dump", "pg_restore", "psql"):
        if not any((Path(p) / tool).exists() for p in os.environ["PATH"].split(os.pathsep)):
            pytest.skip(
                f"{tool} is not installed: the PostgreSQL round trip needs the client tools"
            )
    try:
        server = psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **admin)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server reachable at {admin['host']}:{admin['port']}: {exc}")
    name = f"preau_backup_{uuid.uuid4().hex[:10]}"
    url = "postgres://{user}:{password}@{host}:{port}/{name}".format(**admin, name=name)

    def recreate() -> None:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}"')

    recreate()
    try:
        yield url, recreate
    finally:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.close()


def test_round_trip_postgres(tmp_path: Path, scratch_postgres: tuple[str, Any]) -> None:
    url, recreate = scratch_postgres
    data = tmp_path / "portal"
    data.mkdir()
    env = portal_env(data, url)

    def wipe() -> None:
        recreate()
        shutil.rmtree(data / "media", ignore_errors=True)

    round_trip(env, wipe, tmp_path)


# Refusals: every one of them leaves the database and the files as they were. ------------------


def database_member() -> str:
    return backup.SQLITE_MEMBER if backup.engine() == "sqlite" else backup.POSTGRES_MEMBER


def sums(members: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}


MEMBERS = {"media/drive/ab/abcdef": b"a file"}


def make_archive(path: Path, *, members: dict[str, bytes] | None = None, **changes: Any) -> Path:
    """An archive this portal would accept, but for ``changes`` to its manifest."""
    member = database_member()
    members = {member: b"a database", **MEMBERS} | (members or {})
    manifest = {
        "format": backup.FORMAT,
        "application": "preau",
        "preau_version": backup.preau_version(),
        "created_at": "2026-11-28T12:00:00+00:00",
        "engine": backup.engine(),
        "migrations": backup.code_migrations(),
        "database": {"member": member, "server_version": "0", "tables": {"accounts_user": 1}},
        "media": {"files": 1, "bytes": 6},
        "checksums": sums(members),
    } | changes
    with tarfile.open(path, "w") as archive:
        for name, data in [*members.items(), ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def untouched(db: Any, settings: Any) -> Iterator[None]:
    """The portal before and after a refused restore: same accounts, same files, no leftovers."""
    media = Path(settings.MEDIA_ROOT)
    (media / "drive").mkdir(parents=True)
    (media / "drive" / "kept").write_bytes(b"kept")
    users = User.objects.count()
    yield
    assert User.objects.count() == users
    assert sorted(p.relative_to(media).as_posix() for p in media.rglob("*")) == [
        "drive",
        "drive/kept",
    ]


def refusal(path: Path, *, force: bool = True) -> str:
    with pytest.raises(CommandError) as error:
        call_command("restore", str(path), force=force)
    return str(error.value)


def test_another_version_is_refused(tmp_path: Path, untouched: None) -> None:
    message = refusal(make_archive(tmp_path / "b.tar", preau_version="0.0.1"))
    assert "Préau 0.0.1" in message
    assert f"Préau {backup.preau_version()}" in message


def test_another_migration_state_is_refused(tmp_path: Path, untouched: None) -> None:
    migrations = backup.code_migrations() | {"accounts": "0001_initial"}
    migrations.pop("drive")
    message = refusal(make_archive(tmp_path / "b.tar", migrations=migrations))
    assert "ne correspond pas aux migrations" in message
    assert "accounts (sauvegarde : 0001_initial, ici :" in message
    assert "drive (sauvegarde : —" in message


def test_another_engine_is_refused(tmp_path: Path, untouched: None) -> None:
    other = "postgresql" if backup.engine() == "sqlite" else "sqlite"
    message = refusal(make_archive(tmp_path / "b.tar", engine=other))
    assert f"base {other}" in message
    assert "même moteur" in message


def test_a_corrupted_member_is_refused(tmp_path: Path, untouched: None) -> None:
    path = make_archive(tmp_path / "b.tar")
    data = bytearray(path.read_bytes())
    offset = data.index(b"a file")
    data[offset] = ord("A")
    path.write_bytes(bytes(data))
    message = refusal(path)
    assert message == (
        "Archive corrompue : la somme de contrôle de media/drive/ab/abcdef ne correspond pas."
    )


def test_a_missing_member_is_refused(tmp_path: Path, untouched: None) -> None:
    checksums = sums({database_member(): b"a database", **MEMBERS, "media/drive/ab/gone": b""})
    message = refusal(make_archive(tmp_path / "b.tar", checksums=checksums))
    assert message == "Archive incomplète : 1 élément(s) manquant(s), dont media/drive/ab/gone."


def test_a_member_outside_the_media_folder_is_refused(tmp_path: Path, untouched: None) -> None:
    path = make_archive(tmp_path / "b.tar", members={"media/../../escaped": b"x"})
    assert refusal(path) == "L'archive contient un élément inattendu : media/../../escaped."
    assert not (tmp_path / "escaped").exists()
    assert not (Path(settings.MEDIA_ROOT).parent / "escaped").exists()
    # Nor in the working folders of a restore.
    path = make_archive(tmp_path / "c.tar", members={"media/.preau-old-1/x": b"x"})
    assert refusal(path) == "L'archive contient un élément inattendu : media/.preau-old-1/x."


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path, untouched: None) -> None:
    (tmp_path / "notes.tar").write_bytes(b"not an archive")
    assert refusal(tmp_path / "notes.tar") == "Impossible de lire l'archive notes.tar."
    with tarfile.open(tmp_path / "other.tar", "w") as archive:
        archive.addfile(tarfile.TarInfo("readme"), io.BytesIO(b""))
    assert refusal(tmp_path / "other.tar") == "Cette archive n'a pas de manifeste Préau lisible."


def test_a_portal_with_data_asks_for_force(tmp_path: Path, untouched: None) -> None:
    message = refusal(make_archive(tmp_path / "b.tar"), force=False)
    assert "n'est pas vide" in message
    assert "--force" in message


def test_a_manifest_with_strange_table_names_is_refused(tmp_path: Path, untouched: None) -> None:
    database = {"member": backup.SQLITE_MEMBER, "tables": {'x"; DROP TABLE y; --': 1}}
    message = refusal(make_archive(tmp_path / "b.tar", database=database))
    assert message == "Le manifeste de cette archive est illisible."
    message = refusal(make_archive(tmp_path / "c.tar", migrations=["accounts"]))
    assert message == "Le manifeste de cette archive est illisible."


def test_backup_refuses_to_overwrite(tmp_path: Path, db: Any) -> None:
    (tmp_path / "b.tar").write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="existe déjà"):
        call_command("backup", str(tmp_path / "b.tar"))
    assert (tmp_path / "b.tar").read_bytes() == b"an older backup"


def test_applied_migrations_are_the_code_s_in_a_migrated_database(db: Any) -> None:
    assert backup.applied_migrations() == backup.code_migrations()
