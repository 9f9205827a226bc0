from django.urls import path

from preau.drive import views

app_name = "drive"
urlpatterns = [
    path("", views.index, name="index"),
    path("trash/", views.trash_list, name="trash"),
    path("trash/empty/", views.empty_trash, name="empty_trash"),
    path("shared/", views.shared, name="shared"),
    path("groups/", views.groups, name="groups"),
    path("groups/<uuid:public_id>/", views.group_folder, name="group"),
    path("groups/<uuid:public_id>/trash/", views.group_trash, name="group_trash"),
    path("folders/<uuid:public_id>/", views.folder, name="folder"),
    path("folders/<uuid:public_id>/upload/", views.upload, name="upload"),
    path("folders/<uuid:public_id>/new/", views.new_folder, name="new_folder"),
    path("items/<uuid:public_id>/", views.item, name="item"),
    path("items/<uuid:public_id>/download/", views.download, name="download"),
    path("items/<uuid:public_id>/view/", views.view, name="view"),
    path("items/<uuid:public_id>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("items/<uuid:public_id>/rename/", views.rename, name="rename"),
    path("items/<uuid:public_id>/move/", views.move, name="move"),
    path("items/<uuid:public_id>/copy/", views.copy, name="copy"),
    path("items/<uuid:public_id>/trash/", views.trash, name="trash_item"),
    path("items/<uuid:public_id>/share/", views.share, name="share"),
    path("trash/<uuid:public_id>/restore/", views.restore, name="restore"),
    path("trash/<uuid:public_id>/delete/", views.delete_forever, name="delete"),
    path("shares/<uuid:public_id>/revoke/", views.revoke, name="revoke"),
    path("establishments/<uuid:public_id>/", views.settings_page, name="settings"),
]
