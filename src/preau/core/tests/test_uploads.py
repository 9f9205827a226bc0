"""The shared checks of uploaded files (core/uploads.py), without any app around them."""

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from preau.core.uploads import (
    FILE_TYPES,
    CheckedFile,
    MultipleFileField,
    Refusal,
    check_attachment,
    check_image,
    clean_filename,
)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ODT = "application/vnd.oasis.opendocument.text"
REFUSED = "« %(name)s » refusé."
MAX = 1024


def zip_bytes(*entries: tuple[str | zipfile.ZipInfo, str], deflated: bool = False) -> bytes:
    output = io.BytesIO()
    compression = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
    with zipfile.ZipFile(output, "w", compression=compression) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return output.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<document/>"))


def png_bytes(size: tuple[int, int] = (40, 20), image_format: str = "PNG") -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, "#1d4e89").save(output, format=image_format)
    return output.getvalue()


def attachment(name: str, content: bytes, **options: Any) -> CheckedFile:
    options.setdefault("extensions", FILE_TYPES)
    return check_attachment(
        SimpleUploadedFile(name, content), max_bytes=MAX, refused_message=REFUSED, **options
    )


def refusal(call: Any, *args: Any, **kwargs: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught, translation.override("fr"):
        call(*args, **kwargs)
    return caught.value


# -- attachments ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type"),
    [
        ("devoir.pdf", PDF, "pdf", "application/pdf"),
        ("photo.PNG", png_bytes(), "png", "image/png"),
        ("photo.jpeg", png_bytes(image_format="JPEG"), "jpg", "image/jpeg"),
        ("liste.docx", docx_bytes(), "docx", FILE_TYPES["docx"].content_type),
        ("notes.odt", zip_bytes((zipfile.ZipInfo("mimetype"), ODT)), "odt", ODT),
    ],
)
def test_a_file_whose_extension_and_content_agree_is_kept_as_it_came(
    name: str, content: bytes, extension: str, content_type: str
) -> None:
    checked = attachment(name, content)
    assert checked == CheckedFile(content, name, extension, content_type)
    assert checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("devoir.pdf", b"MZ\x90\x00 not a pdf"),  # a good extension, bad first bytes
        ("photo.png", PDF),
        ("tableau.docx", PDF),
        ("zip.docx", b"PK\x03\x04 nothing inside"),
        ("archive.docx", zip_bytes(("notes.txt", "a zip, not an office document"))),
        ("archive.xlsx", docx_bytes()),  # a Word document named as a spreadsheet
        ("notes.odt", zip_bytes((zipfile.ZipInfo("mimetype"), "application/zip"))),
        ("script.exe", b"MZ\x90\x00"),
        ("page.html", b"<html><script>alert(1)</script>"),
        ("sans-extension", PDF),
    ],
)
def test_a_file_is_refused_unless_extension_and_content_agree(name: str, content: bytes) -> None:
    error = refusal(attachment, name, content)
    assert error.code == "attachment_type"
    assert error.messages == [f"« {name} » refusé."]


def test_only_the_allowed_extensions_pass() -> None:
    gif = b"GIF89a" + b"\x00" * 20
    assert attachment("anim.gif", gif).content_type == "image/gif"
    error = refusal(attachment, "anim.gif", gif, extensions=FILE_TYPES.keys() - {"gif"})
    assert error.code == "attachment_type"


def test_an_oversized_file_is_refused_before_being_read() -> None:
    upload = SimpleUploadedFile("gros.pdf", PDF + b"0" * (3 * 1024 * 1024))
    error = refusal(
        check_attachment,
        upload,
        extensions=FILE_TYPES,
        max_bytes=2 * 1024 * 1024,
        refused_message=REFUSED,
    )
    assert error.code == "attachment_size"
    assert error.messages == ["« gros.pdf » dépasse 2 Mo."]
    assert upload.tell() == 0


def test_opendocument_with_its_mimetype_first_or_anywhere() -> None:
    first = zip_bytes((zipfile.ZipInfo("mimetype"), ODT), ("content.xml", "<c/>"))
    later = zip_bytes(("content.xml", "<c/>"), ("mimetype", ODT), deflated=True)
    assert attachment("a.odt", first).extension == "odt"
    assert attachment("b.odt", later).extension == "odt"
    assert attachment("a.odt", first, mimetype_first=True).extension == "odt"
    assert refusal(attachment, "b.odt", later, mimetype_first=True).code == "attachment_type"


def test_the_name_kept_has_no_folder_nor_control_character() -> None:
    assert attachment("C:\\Users\\x\\de\x00voir.pdf", PDF).original_name == "devoir.pdf"
    assert clean_filename("../../") == "fichier"
    long = clean_filename("a" * 300 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")


# -- images --------------------------------------------------------------------------------------
REFUSALS = {
    "too_big": Refusal("Trop lourde : %(size)s.", code="size", params={"size": 1}),
    "refused": Refusal("Pas une image.", code="format"),
    "too_many_pixels": Refusal("Trop grande."),
}


def image(name: str, content: bytes, **options: Any) -> CheckedFile:
    options = {"max_bytes": 1024 * 1024, "max_pixels": 1000 * 1000, **REFUSALS, **options}
    return check_image(SimpleUploadedFile(name, content), **options)


def test_an_image_is_re_encoded_and_may_be_reduced() -> None:
    checked = image("photo.png", png_bytes((800, 400)), max_side=200)
    assert (checked.extension, checked.content_type) == ("png", "image/png")
    with Image.open(io.BytesIO(checked.content)) as reencoded:
        assert reencoded.size == (200, 100)
    kept = image("photo.jpg", png_bytes((800, 400), "JPEG"))
    assert (kept.extension, kept.content_type) == ("jpg", "image/jpeg")
    with Image.open(io.BytesIO(kept.content)) as reencoded:
        assert reencoded.size == (800, 400)


@pytest.mark.parametrize(
    ("content", "options", "code", "message"),
    [
        (png_bytes(), {"max_bytes": 10}, "size", "Trop lourde : 1."),
        (b"<svg onload=alert(1)></svg>", {}, "format", "Pas une image."),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 40, {}, "format", "Pas une image."),
        (png_bytes(image_format="GIF"), {}, "format", "Pas une image."),
        (png_bytes((200, 100)), {"max_pixels": 100 * 100}, None, "Trop grande."),
    ],
)
def test_an_image_is_refused_with_the_callers_message(
    content: bytes, options: dict[str, Any], code: str | None, message: str
) -> None:
    error = refusal(image, "photo.png", content, **options)
    assert (error.code, error.messages) == (code, [message])


# -- form field ----------------------------------------------------------------------------------
def test_the_multiple_file_field_returns_a_list() -> None:
    field = MultipleFileField(required=False)
    first, second = SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)
    assert field.clean([first, None, second]) == [first, second]
    assert field.clean(first) == [first]
    assert field.clean(None) == []
