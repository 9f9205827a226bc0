"""Backup and restore of a whole portal: the database and the uploaded files in one archive.

An archive is an uncompressed tar (the database dump of PostgreSQL is compressed already, uploaded
files mostly are) holding:

- ``manifest.json``: Préau's version, the latest applied migration of every app, the database
  engine, the creation time, the row count of every table and the SHA-256 of every other member;
- ``database/preau.pgdump`` (pg_dump's custom format, PostgreSQL) or ``database/db.sqlite3``
  (SQLite's online backup API: a consistent copy while the portal runs);
- ``media/…``: every file of the media folder (drive, drop boxes, logos…).

A restore checks the manifest against the running code (same version, same migrations, same
engine), then unpacks every member to a staging place while checking its checksum, and only then
replaces the database (in one transaction) and the media folder (by renames). A refusal leaves
the portal as it was.

Moving a portal from SQLite to PostgreSQL is not a restore: the native formats are faithful to
one engine only, and a portable dump of a whole academy would be slow and memory-hungry. A backup
of another engine is refused (see docs/operations.md).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/db.sqlite3"
POSTGRES_MEMBER = "database/preau.pgdump"
MEDIA_PREFIX = "media/"
# Working folders of a restore inside the media folder (same file system, so moves are renames);
# never part of a backup.
WORK_PREFIX = ".preau-"
CHUNK = 1024 * 1024
# The manifest's table names end up in SQL: Django's names only.
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message is for the operator (French)."""


@dataclass
class Outcome:
    path: Path
    manifest: dict[str, Any]


def preau_version() -> str:
    return importlib.metadata.version("preau")


def engine(alias: str = "default") -> str:
    name = connections[alias].settings_dict["ENGINE"]
    if name not in ENGINES:
        raise BackupError(_("Moteur de base de données non pris en charge : %s.") % name)
    return ENGINES[name]


def code_migrations() -> dict[str, str]:
    """The latest migration of every app in the running code."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    apps = {app for app, _name in graph.nodes}
    return {app: ",".join(sorted(name for _a, name in graph.leaf_nodes(app))) for app in apps}


def applied_migrations(alias: str = "default") -> dict[str, str]:
    """The latest applied migration of every app in the database: the applied ones that no other
    applied migration of the same app depends on."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    # Migrations folded into a squashed one are recorded too; the squashed one stands for them.
    replaced = {old for squashed in loader.replacements.values() for old in squashed.replaces}
    applied = set(loader.applied_migrations) - replaced
    latest: dict[str, list[str]] = {}
    for app, name in applied:
        node = loader.graph.node_map.get((app, name))
        # A migration the code does not know (the database is ahead of the code) counts as latest.
        children = node.children if node else set()
        if not any(child[0] == app and child in applied for child in children):
            latest.setdefault(app, []).append(name)
    return {app: ",".join(sorted(names)) for app, names in latest.items()}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_root() -> Path:
    # Only a local folder can be archived and swapped; object storages have their own backups.
    if not isinstance(default_storage, FileSystemStorage):
        raise BackupError(
            _(
                "Les fichiers sont dans un stockage d'objets : sauvegardez-le avec les outils "
                "de son fournisseur ; cette commande ne sauvegarde qu'un dossier local."
            )
        )
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every regular file of the media folder with its name in the archive, in a stable order."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(WORK_PREFIX))
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, MEDIA_PREFIX + path.relative_to(root).as_posix()


# Backup ----------------------------------------------------------------------------------------


def _sqlite_dump(alias: str, target: Path) -> dict[str, int]:
    """A consistent copy through SQLite's online backup API (readers and writers carry on)."""
    connection = connections[alias]
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    return _sqlite_counts(target)


def _sqlite_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in sorted(tables)
        }


def _pg_env(alias: str) -> dict[str, str]:
    """libpq's variables for the client tools: the password stays out of the command line."""
    conf = connections[alias].settings_dict
    env = dict(os.environ)
    for key, value in {
        "PGHOST": conf.get("HOST"),
        "PGPORT": conf.get("PORT"),
        "PGUSER": conf.get("USER"),
        "PGPASSWORD": conf.get("PASSWORD"),
        "PGDATABASE": conf.get("NAME"),
    }.items():
        if value:
            env[key] = str(value)
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "L'outil %s de PostgreSQL est introuvable : installez les outils clients de "
                "PostgreSQL (paquet postgresql-client) de la même version que le serveur."
            )
            % name
        )
    return path


def _major(version: str) -> int:
    return int(version.split()[-1].split(".")[0]) if version else 0


def _run(command: list[str], env: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("%(what)s a échoué : %(error)s") % {"what": what, "error": result.stderr.strip()}
        )
    return result.stdout


def _postgres_dump(alias: str, target: Path) -> tuple[dict[str, int], str]:
    """pg_dump in its custom format, and the row counts read in the very snapshot it dumps."""
    pg_dump = _pg_tool("pg_dump")
    env = _pg_env(alias)
    client = _run([pg_dump, "--version"], env, "pg_dump --version").strip()
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        # pg_dump refuses a newer server; say it plainly before it does.
        if _major(client) < _major(server):
            raise BackupError(
                _(
                    "pg_dump (%(client)s) est plus ancien que le serveur PostgreSQL "
                    "(%(server)s) : installez les outils clients de la version du serveur."
                )
                % {"client": client, "server": server}
            )
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            env,
            "pg_dump",
        )
    return counts, server


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Members owned by nobody in particular and readable by their owner only once unpacked."""
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


class _Hashing:
    """A file read through while its SHA-256 is computed (so each file is read once)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.digest.update(data)
        return data


def backup(target: Path, alias: str = "default") -> Outcome:
    """Write the archive to ``target`` (through a temporary name: a failed backup leaves no
    archive that looks whole). The archive holds password hashes and personal data: 0600."""
    kind = engine(alias)
    root = media_root()
    target = Path(target)
    if not target.parent.is_dir():
        raise BackupError(_("Le dossier %s n'existe pas.") % target.parent)
    partial = target.with_name(f"{target.name}.partial-{uuid.uuid4().hex[:8]}")
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "application": "preau",
        "preau_version": preau_version(),
        "created_at": timezone.now().isoformat(),
        "engine": kind,
        "migrations": applied_migrations(alias),
    }
    checksums: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="preau-backup-") as work:
            if kind == "sqlite":
                member, dump = SQLITE_MEMBER, Path(work) / "db.sqlite3"
                counts = _sqlite_dump(alias, dump)
                server = sqlite3.sqlite_version
            else:
                member, dump = POSTGRES_MEMBER, Path(work) / "preau.pgdump"
                counts, server = _postgres_dump(alias, dump)
            manifest["database"] = {"member": member, "server_version": server, "tables": counts}
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
                checksums[member] = sha256_of(dump)
                archive.add(dump, arcname=member, recursive=False, filter=_private)
                files = size = 0
                for path, name in media_files(root):
                    try:
                        file = path.open("rb")
                    except FileNotFoundError:  # deleted since the walk (a drive trash purge)
                        continue
                    with file:
                        info = archive.gettarinfo(arcname=name, fileobj=file)
                        _private(info)
                        reader = _Hashing(file)
                        archive.addfile(info, reader)
                    checksums[name] = reader.digest.hexdigest()
                    files, size = files + 1, size + info.size
                manifest["media"] = {"files": files, "bytes": size}
                manifest["checksums"] = checksums
                data = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
                archive.addfile(info, io.BytesIO(data))
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Outcome(target, manifest)


# Restore ---------------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
        file = archive.extractfile(member)
        manifest = json.loads(file.read()) if file else None
    except (KeyError, ValueError, tarfile.TarError) as exc:
        raise BackupError(_("Cette archive n'a pas de manifeste Préau lisible.")) from exc
    if not isinstance(manifest, dict) or manifest.get("application") != "preau":
        raise BackupError(_("Cette archive n'est pas une sauvegarde de Préau."))
    return manifest


def check_manifest(manifest: dict[str, Any], alias: str = "default") -> None:
    """Refuse a backup this code cannot restore faithfully: another format, version, migration
    state or engine."""
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("Format de sauvegarde %(theirs)s inconnu de cette version (format %(ours)s).")
            % {"theirs": manifest.get("format"), "ours": FORMAT}
        )
    if manifest.get("preau_version") != preau_version():
        raise BackupError(
            _(
                "Cette sauvegarde a été faite par Préau %(theirs)s ; ce serveur exécute Préau "
                "%(ours)s. Restaurez-la avec Préau %(theirs)s, puis mettez à jour."
            )
            % {"theirs": manifest.get("preau_version"), "ours": preau_version()}
        )
    if not _well_formed(manifest):
        raise BackupError(_("Le manifeste de cette archive est illisible."))
    ours, theirs = code_migrations(), manifest["migrations"]
    differences = [
        _("%(app)s (sauvegarde : %(theirs)s, ici : %(ours)s)")
        % {"app": app, "theirs": theirs.get(app, "—"), "ours": ours.get(app, "—")}
        for app in sorted(set(ours) | set(theirs))
        if ours.get(app) != theirs.get(app)
    ]
    if differences:
        raise BackupError(
            _(
                "Cette sauvegarde ne correspond pas aux migrations de ce Préau : %s. "
                "Restaurez-la avec la version qui l'a faite, puis mettez à jour."
            )
            % "; ".join(differences)
        )
    kind = engine(alias)
    if manifest.get("engine") != kind:
        raise BackupError(
            _(
                "Cette sauvegarde vient d'une base %(theirs)s ; la base configurée est "
                "%(ours)s. Une sauvegarde se restaure dans le même moteur de base de données."
            )
            % {"theirs": manifest.get("engine"), "ours": kind}
        )


def _is_map(value: Any, check: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(key, str) and check(item) for key, item in value.items()
    )


def _well_formed(manifest: dict[str, Any]) -> bool:
    """The parts of the manifest a restore relies on have the expected shape."""
    database = manifest.get("database")
    return (
        _is_map(manifest.get("migrations"), lambda v: isinstance(v, str))
        and _is_map(manifest.get("checksums"), lambda v: isinstance(v, str))
        and isinstance(database, dict)
        and isinstance(database.get("member"), str)
        and _is_map(database.get("tables"), lambda v: isinstance(v, int))
        # The table names end up in SQL (the row count checks): Django's names only.
        and all(TABLE_NAME.fullmatch(name) for name in database["tables"])
    )


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and bool(path.parts)


def _media_name(name: str) -> bool:
    """A file of the media folder, not the folder itself nor a working folder of a restore."""
    parts = PurePosixPath(name).parts
    return (
        len(parts) > 1 and parts[0] + "/" == MEDIA_PREFIX and not parts[1].startswith(WORK_PREFIX)
    )


def _unpack(
    archive: tarfile.TarFile, manifest: dict[str, Any], database: Path, staging: Path
) -> None:
    """Every member to its staging place, each checked against the manifest's checksum."""
    expected = dict(manifest["checksums"])
    member_of_database = manifest["database"]["member"]
    if member_of_database not in expected:
        raise BackupError(_("Le manifeste ne décrit pas de base de données."))
    seen: set[str] = set()
    for member in archive:
        if member.name == MANIFEST:
            continue
        if not member.isfile() or not _safe_name(member.name) or member.name not in expected:
            raise BackupError(
                _("L'archive contient un élément inattendu : %s.") % member.name[:200]
            )
        if member.name in seen:
            raise BackupError(_("L'archive contient deux fois %s.") % member.name[:200])
        seen.add(member.name)
        if member.name == member_of_database:
            target = database
        elif _media_name(member.name):
            target = staging / member.name.removeprefix(MEDIA_PREFIX)
        else:
            raise BackupError(_("L'archive contient un élément inattendu : %s.") % member.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        source = archive.extractfile(member)
        digest = hashlib.sha256()
        with target.open("wb") as out:
            while source and (chunk := source.read(CHUNK)):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected[member.name]:
            raise BackupError(
                _("Archive corrompue : la somme de contrôle de %s ne correspond pas.")
                % member.name[:200]
            )
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            _("Archive incomplète : %(count)d élément(s) manquant(s), dont %(first)s.")
            % {"count": len(missing), "first": missing[0]}
        )


def database_tables(alias: str = "default") -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _restore_sqlite(alias: str, source: Path, manifest: dict[str, Any]) -> None:
    """Copy the backup into the configured database with the online backup API: one
    transaction on the destination, which other connections see all at once or not at all."""
    counts = _sqlite_counts(source)
    if counts != manifest["database"]["tables"]:
        raise BackupError(_("La base sauvegardée ne contient pas les lignes annoncées."))
    connection = connections[alias]
    connection.ensure_connection()
    with closing(sqlite3.connect(source)) as backup_db:
        backup_db.backup(connection.connection)
    connection.close()  # nothing cached from the database it replaced


def _restore_postgres(alias: str, source: Path, manifest: dict[str, Any], work: Path) -> None:
    """pg_restore's SQL, run by psql in one transaction that first empties the database and
    finally checks every table's row count: all of it happens, or none."""
    env = _pg_env(alias)
    script = work / "restore.sql"
    _run(
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(source)],
        env,
        "pg_restore",
    )
    connection = connections[alias]
    quote = connection.ops.quote_name
    prelude = work / "prelude.sql"
    # Another connection (a running portal) would hold locks: fail instead of waiting forever.
    lines = ["SET lock_timeout = '15s';"]
    lines += [f"DROP TABLE IF EXISTS {quote(t)} CASCADE;" for t in database_tables(alias)]
    prelude.write_text("\n".join(lines) + "\n")
    checks = work / "checks.sql"
    lines = ["RESET search_path;"]
    for table, count in manifest["database"]["tables"].items():
        lines.append(
            # Table names were checked against TABLE_NAME in check_manifest.
            f"DO $$ BEGIN IF (SELECT count(*) FROM {quote(table)}) <> {int(count)} THEN "  # noqa: S608
            f"RAISE EXCEPTION 'row count of % differs from the backup', {_sql_text(table)}; "
            "END IF; END $$;"
        )
    checks.write_text("\n".join(lines) + "\n")
    connection.close()  # our own idle connection must not hold anything either
    command = [_pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    for part in (prelude, script, checks):
        command += ["-f", str(part)]
    _run(command, env, "psql")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _swap_media(root: Path, staging: Path) -> None:
    """Put the staged files in place of the media folder's content, by renames."""
    old = root / f"{WORK_PREFIX}old-{uuid.uuid4().hex[:8]}"
    old.mkdir()
    for entry in list(root.iterdir()):
        if not entry.name.startswith(WORK_PREFIX):
            entry.rename(old / entry.name)
    for entry in list(staging.iterdir()):
        entry.rename(root / entry.name)
    shutil.rmtree(old)


def is_empty(alias: str = "default") -> bool:
    """No table in the database and no file in the media folder."""
    return not database_tables(alias) and next(media_files(media_root()), None) is None


def restore(source: Path, *, force: bool = False, alias: str = "default") -> Outcome:
    source = Path(source)
    root = media_root()
    try:
        archive = tarfile.open(source, mode="r:*")  # noqa: SIM115 - closed below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(_("Impossible de lire l'archive %s.") % source.name) from exc
    with archive:
        manifest = read_manifest(archive)
        check_manifest(manifest, alias)
        if not force and not is_empty(alias):
            raise BackupError(
                _(
                    "La base de données ou le dossier des fichiers n'est pas vide : la "
                    "restauration remplacerait tout leur contenu. Relancez avec --force pour "
                    "le confirmer."
                )
            )
        root.mkdir(parents=True, exist_ok=True)
        staging = root / f"{WORK_PREFIX}restore-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        try:
            with tempfile.TemporaryDirectory(prefix="preau-restore-") as work:
                database = Path(work) / "database"
                _unpack(archive, manifest, database, staging)
                if manifest["engine"] == "sqlite":
                    _restore_sqlite(alias, database, manifest)
                else:
                    _restore_postgres(alias, database, manifest, Path(work))
            _swap_media(root, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return Outcome(source, manifest)
