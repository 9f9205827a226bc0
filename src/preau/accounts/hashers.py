"""Argon2id parameters (benchmarked in `make bench`)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PreauArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's first recommended setting: m=19 MiB, t=2, p=1."""

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1


class FastTestArgon2PasswordHasher(Argon2PasswordHasher):
    """Cheap Argon2id for the test suite only (selected by settings when testing)."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
