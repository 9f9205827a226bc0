"""Background work of the report cards: making and storing a published council's PDFs.

One task per council: it stores the PDF of each report card still without one (a task run again
after a failure resumes where it stopped), then tells the families. The council's page follows
its progress (stored PDFs / report cards).
"""

from __future__ import annotations

from django_tasks import task

from preau.reportcards.models import ClassCouncil

# PDFs made per round: each round renders them with the class's figures read once.
BATCH = 10


def enqueue_pdfs(council_id: int) -> None:
    make_council_pdfs.enqueue(council_id)


@task()
def make_council_pdfs(council_id: int) -> int:
    from preau.reportcards import actions
    from preau.reportcards.pdf import store_council_pdfs

    council = ClassCouncil.objects.select_related("period", "school_class", "establishment").get(
        pk=council_id
    )
    stored = store_council_pdfs(council, batch=BATCH)
    actions.do_notify_families(council)
    return stored
