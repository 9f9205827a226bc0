"""The caller's conversations, metadata only: subject, participants, last message, unread.

Bodies, attachments and the names of the people are never given here: a token with
``read:messages`` tells what is in the mailbox, not what was written.
"""

from datetime import datetime
from uuid import UUID

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from preau.api.auth import api_auth
from preau.api.errors import ErrorOut
from preau.api.models import Scope
from preau.api.pagination import PageNumberPagination
from preau.api.schemas import ConversationOut
from preau.core.actor import Actor
from preau.messaging import policies
from preau.messaging.models import Conversation, Folder, MessageRecipient

router = Router(auth=api_auth(Scope.READ_MESSAGES), tags=["messagerie"])
SCOPE = {"x-required-scope": Scope.READ_MESSAGES.value}
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Drafts are the writer's own business: neither listed nor counted.
LISTED_FOLDERS = (Folder.INBOX, Folder.SENT, Folder.TRASH)


class ConversationFilter(Schema):
    folder: str | None = Field(
        None,
        pattern="^(inbox|sent|trash)$",
        description="Les conversations ayant un message dans ce dossier : inbox, sent ou trash.",
    )
    unread: bool | None = Field(None, description="true : celles qui ont un message non lu.")
    since: datetime | None = Field(None, description="Dernier message à partir de cet instant.")


def _conversations(actor: Actor, folder: str | None = None) -> QuerySet[Conversation]:
    """The conversations of the actor's sent messages, each with its metadata computed from
    the actor's own entries (one query, subqueries included)."""
    mine = policies.entries(actor).filter(message__sent_at__isnull=False, folder__in=LISTED_FOLDERS)
    listed = mine.filter(folder=folder) if folder else mine
    per_conversation = mine.filter(conversation=OuterRef("pk"))
    count = Count("pk")
    return (
        Conversation.objects.filter(pk__in=listed.values("conversation_id"))
        .select_related("establishment")
        .annotate(
            last_message_at=Subquery(
                per_conversation.order_by("-message__sent_at").values("message__sent_at")[:1]
            ),
            unread_count=Coalesce(
                Subquery(
                    per_conversation.filter(folder=Folder.INBOX, read_at__isnull=True)
                    .values("conversation_id")
                    .annotate(n=count)
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            participants_count=Coalesce(
                Subquery(
                    MessageRecipient.objects.filter(
                        conversation=OuterRef("pk"),
                        message_id__in=mine.filter(conversation=OuterRef(OuterRef("pk"))).values(
                            "message_id"
                        ),
                    )
                    .values("conversation_id")
                    .annotate(n=Count("person_id", distinct=True))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
        )
    )


@router.get(
    "/conversations",
    response={200: list[ConversationOut], **ERRORS},
    url_name="conversation_list",
    summary="Mes conversations",
    openapi_extra=SCOPE,
)
@paginate(PageNumberPagination)
def conversation_list(
    request: HttpRequest, filters: Query[ConversationFilter]
) -> QuerySet[Conversation]:
    """The caller's conversations in every establishment they work in, latest message first.

    Queries: the count and the page.
    """
    found = _conversations(request.actor, filters.folder)
    if filters.unread is not None:
        found = found.filter(unread_count__gt=0) if filters.unread else found.filter(unread_count=0)
    if filters.since is not None:
        found = found.filter(last_message_at__gte=filters.since)
    return found.order_by("-last_message_at", "-id")


@router.get(
    "/conversations/{uuid:public_id}",
    response={200: ConversationOut, **ERRORS},
    url_name="conversation_detail",
    summary="Une conversation (sans ses messages)",
    openapi_extra=SCOPE,
)
def conversation_detail(request: HttpRequest, public_id: UUID) -> Conversation:
    """Queries: the conversation (through the messaging policy), its metadata."""
    actor = request.actor
    conversation = policies.access_conversation(actor, public_id)
    found = _conversations(actor).filter(pk=conversation.pk).first()
    if found is None:  # only a draft of the caller's own: nothing sent to list
        raise Http404
    return found
