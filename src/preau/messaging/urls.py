from django.urls import path

from preau.messaging import views
from preau.messaging.models import Folder

app_name = "messaging"
urlpatterns = [
    path("", views.folder, {"folder": Folder.INBOX.value}, name="inbox"),
    path("sent/", views.folder, {"folder": Folder.SENT.value}, name="sent"),
    path("drafts/", views.folder, {"folder": Folder.DRAFTS.value}, name="drafts"),
    path("trash/", views.folder, {"folder": Folder.TRASH.value}, name="trash"),
    path("new/", views.compose, name="compose"),
    path("search/", views.search, name="search"),
    path("c/<uuid:public_id>/", views.conversation, name="conversation"),
    path("m/<uuid:public_id>/reply/", views.reply, name="reply"),
    path("m/<uuid:public_id>/reply-all/", views.reply_all, name="reply_all"),
    path("m/<uuid:public_id>/forward/", views.forward, name="forward"),
    path("m/<uuid:public_id>/trash/", views.trash, name="move_to_trash"),
    path("m/<uuid:public_id>/restore/", views.restore, name="restore"),
    path("m/<uuid:public_id>/delete/", views.delete, name="delete"),
    path("m/<uuid:public_id>/unread/", views.unread, name="mark_unread"),
    path("drafts/<uuid:public_id>/", views.draft, name="draft"),
    path("files/<uuid:public_id>/", views.attachment, name="attachment"),
    path("establishments/<uuid:public_id>/rules/", views.rules, name="rules"),
    path("m/<uuid:public_id>/report/", views.report, name="report"),
    path("establishments/<uuid:public_id>/reports/", views.reports, name="reports"),
    path("reports/<uuid:public_id>/close/", views.close_report, name="close_report"),
    path("reports/<uuid:public_id>/suspend-sender/", views.suspend_sender, name="suspend_sender"),
    path("establishments/<uuid:public_id>/suspensions/", views.suspensions, name="suspensions"),
    path("academies/<uuid:public_id>/suspend/", views.academy_suspend, name="academy_suspend"),
]
