import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.uploads import (
	DEFAULT_ALLOWED_TYPES,
	HEAD_BYTES,
	ContentMismatch,
	EmptyFile,
	FileTooLarge,
	FileTypeNotAllowed,
	TooManyFiles,
	UploadPolicy,
	UploadRejected,
	accept_attr,
	check_count,
	check_upload,
	clean_file_name,
	parse_allowed_types,
	sniff,
)

MB = 1024 * 1024
DEFAULT = UploadPolicy.from_settings(10, DEFAULT_ALLOWED_TYPES)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
GIF = b"GIF89a\x01\x00\x01\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"
TIFF = b"II*\x00\x08\x00\x00\x00"
ZIP = b"PK\x03\x04\x14\x00\x06\x00"
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"


def ftyp(major: bytes, *compatible: bytes) -> bytes:
	body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
	return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body


HEIC = ftyp(b"heic", b"mif1", b"heic")
HEIF_GENERIC = ftyp(b"mif1", b"heic", b"miaf")
AVIF = ftyp(b"avif", b"avif", b"mif1", b"miaf")
AVIF_BEHIND_MIF1 = ftyp(b"mif1", b"avif", b"miaf")
MP4 = ftyp(b"isom", b"isom", b"iso2", b"avc1", b"mp41")
MOV = ftyp(b"qt  ", b"qt  ")


# First bytes -> kind.
SNIFFED = [
	(JPEG, "jpeg"),
	(PNG, "png"),
	(GIF, "gif"),
	(WEBP, "webp"),
	(PDF, "pdf"),
	(b"\xef\xbb\xbf garbage before the header %PDF-1.4", "pdf"),
	(TIFF, "tiff"),
	(b"MM\x00*\x00\x00\x00\x08", "tiff"),
	(HEIC, "heic"),
	(HEIF_GENERIC, "heic"),
	(AVIF, "avif"),
	(AVIF_BEHIND_MIF1, "avif"),
	(MP4, "mp4"),
	(MOV, "mov"),
	(ZIP, "zip"),
	(b"Lieferschein Nr. 4711;Menge 3\n", "text"),
	("Kühlkette unterbrochen ü".encode()[:-1], "text"),
	(HTML, "text"),
	(EXE, None),
	(b"\x00\x01\x02\x03", None),
	(b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
	(ftyp(b"xxxx", b"yyyy"), None),
	(b"", "text"),
]


@pytest.mark.parametrize(("head", "kind"), SNIFFED)
def test_sniff_recognises_the_kind_from_the_content(head, kind):
	assert sniff(head) == kind


# (name, first bytes) -> name stored, kind, content type; with the default policy.
ACCEPTED = [
	("foto.jpg", JPEG, "foto.jpg", "jpeg", "image/jpeg"),
	("IMG_0001.JPEG", JPEG, "IMG_0001.jpeg", "jpeg", "image/jpeg"),
	("Schaden.png", PNG, "Schaden.png", "png", "image/png"),
	("scan.webp", WEBP, "scan.webp", "webp", "image/webp"),
	("IMG_4711.HEIC", HEIC, "IMG_4711.heic", "heic", "image/heic"),
	("Lieferschein.pdf", PDF, "Lieferschein.pdf", "pdf", "application/pdf"),
	# The content decides: a PNG called .jpg is stored as .png, a nameless camera blob gets one.
	("foto.jpg", PNG, "foto.png", "png", "image/png"),
	("blob", JPEG, "blob.jpg", "jpeg", "image/jpeg"),
	# .heif is not in the default list, .heic is: the same kind, stored under the allowed name.
	("Schaden am Auflieger.heif", HEIC, "Schaden am Auflieger.heic", "heic", "image/heic"),
	# Folders and markup characters never reach the stored name.
	("C:\\Users\\m\\Bilder\\foto.jpg", JPEG, "foto.jpg", "jpeg", "image/jpeg"),
	("../../etc/passwd.png", PNG, "passwd.png", "png", "image/png"),
	('<img src=x onerror="x">.png', PNG, "_img src_x onerror_x_.png", "png", "image/png"),
	("Prüfbericht Kühlung.pdf", PDF, "Prüfbericht Kühlung.pdf", "pdf", "application/pdf"),
]


@pytest.mark.parametrize(("name", "head", "stored", "kind", "content_type"), ACCEPTED)
def test_accepted_files_and_the_name_they_are_stored_under(name, head, stored, kind, content_type):
	accepted = check_upload(name, 5000, head, DEFAULT)

	assert (accepted.file_name, accepted.kind, accepted.content_type) == (stored, kind, content_type)


# (name, first bytes) -> exception, with the default policy.
REJECTED = [
	# Not an allowed type by name, and not by content either.
	("setup.exe", EXE, FileTypeNotAllowed),
	("notiz.txt", b"nur Text", FileTypeNotAllowed),
	("animation.gif", GIF, FileTypeNotAllowed),
	("video.mp4", MP4, FileTypeNotAllowed),
	("bericht.docx", ZIP, FileTypeNotAllowed),
	("ohne Endung", EXE, FileTypeNotAllowed),
	# Allowed by name, but the content is something else (or nothing known).
	("rechnung.pdf", HTML, ContentMismatch),
	("foto.jpg", EXE, ContentMismatch),
	("foto.png", GIF, ContentMismatch),
	("scan.pdf", ZIP, ContentMismatch),
]


@pytest.mark.parametrize(("name", "head", "error"), REJECTED)
def test_rejected_types_by_content_not_only_by_name(name, head, error):
	with pytest.raises(error) as raised:
		check_upload(name, 5000, head, DEFAULT)

	assert raised.value.file_name == clean_file_name(name)


def test_type_not_allowed_lists_what_is_allowed():
	with pytest.raises(FileTypeNotAllowed) as raised:
		check_upload("setup.exe", 100, EXE, DEFAULT)

	assert raised.value.extension == "exe"
	assert raised.value.allowed == ("heic", "jpeg", "jpg", "pdf", "png", "webp")


def test_content_mismatch_says_what_was_found():
	with pytest.raises(ContentMismatch) as raised:
		check_upload("rechnung.pdf", 100, HTML, DEFAULT)

	assert (raised.value.extension, raised.value.detected) == ("pdf", "text")


# Size in bytes -> accepted? The limit itself is allowed.
SIZES = [
	(1, True),
	(10 * MB - 1, True),
	(10 * MB, True),
	(10 * MB + 1, False),
	(25 * MB, False),
]


@pytest.mark.parametrize(("size", "accepted"), SIZES)
def test_the_size_limit_is_inclusive(size, accepted):
	if accepted:
		check_upload("foto.jpg", size, JPEG, DEFAULT)
		return
	with pytest.raises(FileTooLarge) as raised:
		check_upload("foto.jpg", size, JPEG, DEFAULT)
	assert (raised.value.size, raised.value.limit_bytes, raised.value.file_name) == (
		size,
		10 * MB,
		"foto.jpg",
	)


def test_size_is_checked_before_the_type():
	with pytest.raises(FileTooLarge):
		check_upload("setup.exe", 11 * MB, EXE, DEFAULT)


@pytest.mark.parametrize(("size", "head"), [(0, JPEG), (0, b""), (10, b"")])
def test_an_empty_file_is_refused(size, head):
	with pytest.raises(EmptyFile):
		check_upload("leer.jpg", size, head, DEFAULT)


# Settings -> limit in bytes and extensions.
POLICIES = [
	((10, "jpg, jpeg, png, webp, heic, pdf"), 10 * MB, {"jpg", "jpeg", "png", "webp", "heic", "pdf"}),
	((2, ".JPG;.Pdf"), 2 * MB, {"jpg", "pdf"}),
	((25, "jpg png\npdf"), 25 * MB, {"jpg", "png", "pdf"}),
	((0, ""), 10 * MB, {"jpg", "jpeg", "png", "webp", "heic", "pdf"}),
	((None, None), 10 * MB, {"jpg", "jpeg", "png", "webp", "heic", "pdf"}),
	((-3, " , ; "), 10 * MB, {"jpg", "jpeg", "png", "webp", "heic", "pdf"}),
]


@pytest.mark.parametrize(("settings", "max_bytes", "allowed"), POLICIES)
def test_policy_from_settings(settings, max_bytes, allowed):
	policy = UploadPolicy.from_settings(*settings)

	assert (policy.max_bytes, set(policy.allowed)) == (max_bytes, allowed)


def test_a_narrower_policy_refuses_what_the_default_takes():
	pdf_only = UploadPolicy.from_settings(1, "pdf")

	with pytest.raises(FileTypeNotAllowed):
		check_upload("foto.jpg", 100, JPEG, pdf_only)
	with pytest.raises(FileTooLarge):
		check_upload("scan.pdf", MB + 1, PDF, pdf_only)
	assert check_upload("scan.pdf", MB, PDF, pdf_only).kind == "pdf"


def test_a_wider_policy_takes_documents_and_videos_by_their_content():
	wide = UploadPolicy.from_settings(50, "jpg, pdf, mp4, mov, docx, xlsx, txt, csv")

	assert check_upload("Tour.mp4", 100, MP4, wide).file_name == "Tour.mp4"
	assert check_upload("Tour.mov", 100, MOV, wide).file_name == "Tour.mov"
	assert check_upload("Liste.xlsx", 100, ZIP, wide).file_name == "Liste.xlsx"
	# A ZIP container called .csv is not a CSV; a CSV file is text.
	assert check_upload("Liste.csv", 100, ZIP, wide).file_name == "Liste.docx"
	assert check_upload("Liste.csv", 100, b"a;b\n1;2\n", wide).file_name == "Liste.csv"


def test_the_number_of_files_is_limited():
	check_count(10, DEFAULT)

	with pytest.raises(TooManyFiles) as raised:
		check_count(11, DEFAULT)

	assert (raised.value.count, raised.value.limit) == (11, 10)


# Names -> cleaned names.
NAMES = [
	("foto.jpg", "foto.jpg"),
	("  foto .jpg  ", "foto.jpg"),
	("a/b/c.pdf", "c.pdf"),
	("..\\..\\x.png", "x.png"),
	("Bild\x00\x1f.png", "Bild.png"),
	("...", "file"),
	("", "file"),
	(".htaccess", "htaccess"),
	("Straße & Co. (Kopie).pdf", "Straße _ Co. (Kopie).pdf"),
	("x" * 200 + ".jpg", "x" * 80 + ".jpg"),
]


@pytest.mark.parametrize(("name", "cleaned"), NAMES)
def test_clean_file_name(name, cleaned):
	assert clean_file_name(name) == cleaned


def test_parse_allowed_types():
	assert parse_allowed_types(" jpg, .PNG ;pdf,, ") == frozenset({"jpg", "png", "pdf"})
	assert parse_allowed_types("") == frozenset()


def test_accept_attribute_names_extensions_and_mime_types():
	assert accept_attr({"jpg", "pdf"}) == ".jpg,.pdf,application/pdf,image/jpeg"


@given(
	name=st.text(max_size=300), size=st.integers(min_value=-5, max_value=30 * MB), head=st.binary(max_size=64)
)
def test_any_input_is_accepted_or_rejected_never_crashes(name, size, head):
	try:
		accepted = check_upload(name, size, head, DEFAULT)
	except UploadRejected as error:
		assert "/" not in error.file_name and "\\" not in error.file_name
		return
	stem, _, extension = accepted.file_name.rpartition(".")
	assert stem and extension in DEFAULT.allowed
	assert "/" not in accepted.file_name and "\\" not in accepted.file_name
	assert 0 < size <= DEFAULT.max_bytes


@given(st.text(max_size=300))
def test_cleaning_a_clean_name_changes_nothing(name):
	once = clean_file_name(name)

	assert clean_file_name(once) == once
	assert once and len(once) <= 80 + 11


@given(st.binary(min_size=1, max_size=HEAD_BYTES))
def test_every_known_magic_prefix_wins_over_what_follows(tail):
	assert sniff(JPEG + tail) == "jpeg"
	assert sniff(PNG + tail) == "png"
