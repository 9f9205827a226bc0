"""``python -m preau.core.tests.at_time <ISO moment> <command> …``: a ``preau`` command whose
clock starts at the given moment and then runs on. For journeys such as « written at 21:00,
read at 07:00 », which restart the server at the second moment on the same database."""

import sys

import time_machine

from preau.cli import main

if __name__ == "__main__":
    moment = sys.argv.pop(1)
    with time_machine.travel(moment, tick=True):
        main()
