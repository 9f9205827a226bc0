"""The WsgiDAV application behind ``/dav/``, built once per process.

WsgiDAV speaks the protocol (RFC 4918: PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK,
conditional headers, multistatus answers); Préau gives it the drive (resources.py), locks and
dead properties kept in the database (locks.py, properties.py), and the person (views.py
authenticates before the request reaches it, so WsgiDAV's own authentication is left out).
"""

from __future__ import annotations

from functools import cache

from wsgidav.error_printer import ErrorPrinter
from wsgidav.request_resolver import RequestResolver
from wsgidav.wsgidav_app import WsgiDAVApp

from preau.dav.locks import DatabaseLockManager, DatabaseLockStorage
from preau.dav.properties import DatabasePropertyManager
from preau.dav.resources import DriveProvider

MOUNT = "/dav"


@cache
def dav_application() -> WsgiDAVApp:
    storage = DatabaseLockStorage()
    app = WsgiDAVApp(
        {
            "mount_path": MOUNT,
            "provider_mapping": {"/": DriveProvider()},
            "lock_storage": storage,
            "property_manager": DatabasePropertyManager(),
            "middleware_stack": [ErrorPrinter, RequestResolver],
            # Préau authenticates (views.py); WsgiDAV's authenticator is not in the stack.
            "http_authenticator": {"accept_basic": False, "accept_digest": False},
            "dir_browser": {"enable": False},
            "suppress_version_info": True,
            "verbose": 1,
            "logging": {"enable": False},
        }
    )
    manager = DatabaseLockManager(storage)
    app.lock_manager = manager
    for provider in app.provider_map.values():
        provider.set_lock_manager(manager)
    return app
