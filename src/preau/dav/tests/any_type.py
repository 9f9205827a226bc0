"""``python -m preau.dav.tests.any_type gunicorn|<preau command> …``: the portal with a drive
that takes files of any name and content.

litmus, the WebDAV conformance suite, writes files named « res », « lockme », « copysrc »,
without extension and with arbitrary bytes: the drive's type checks would refuse them all, and
the suite would test nothing but that refusal. This server lets it test the protocol; the
type checks through WebDAV are tested in test_dav.py against the real drive.
"""

import os
import sys

import django

from preau.cli import main


def _any_type() -> None:
    from preau.drive import filetypes

    anything = filetypes.DriveType("application/octet-stream", "Fichier", lambda h, f: True)
    filetypes.accepted_extension = lambda name: True
    filetypes.detect = lambda name, file: anything


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "preau.settings")
    django.setup()
    _any_type()
    if sys.argv[1] == "gunicorn":
        from gunicorn.app.wsgiapp import run

        sys.argv = sys.argv[1:]
        run()
    else:
        main()
