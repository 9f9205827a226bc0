from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DriveConfig(AppConfig):
    name = "preau.drive"
    verbose_name = _("Espace de stockage")

    def ready(self) -> None:
        from preau.drive.selectors import panel_context, workspace_section
        from preau.groups.sections import Section
        from preau.groups.sections import register as register_section
        from preau.portal.registry import Service, register

        # A workspace's shared folder, on its page (the drive attaches to the workspaces).
        register_section(
            Section("drive", "drive/workspace_section.html", workspace_section, position=10)
        )

        register(
            Service(
                code="drive",
                name=_("Espace de stockage"),
                description=_("Vos fichiers et ceux que l'on partage avec vous"),
                icon="folder",
                url_name="drive:index",
                namespace="drive",
                national_code="Stockage_Partage",
                position=45,
                panel_template="drive/panel.html",
                panel_context=panel_context,
                panel_scope="drive",
                settings_page=(_("Espace de stockage"), "drive:settings"),
            )
        )
