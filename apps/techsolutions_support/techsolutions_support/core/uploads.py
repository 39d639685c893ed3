"""Photos and documents customers attach in the portal: count, size, and type by content.

The caller reads the file; this module gets its name, its size and its first bytes
(``HEAD_BYTES`` are enough) and decides. The type is recognised from the content (magic
bytes), never from the name alone: a page of HTML called ``rechnung.pdf`` is refused, a PNG
called ``foto.jpg`` is taken and stored as ``foto.png``.

Rules, in this order:

1. an empty file is refused; a file larger than the policy's limit is refused;
2. the content must be one of the known kinds (``KINDS``) whose extensions the policy allows;
   otherwise the file is refused, saying either that its type is not allowed (its name has no
   allowed extension) or that its content does not match its name (it has one);
3. the stored name keeps the customer's name, cleaned (``clean_file_name``), with an extension
   of the kind found: the original one when it fits, else the kind's first allowed one.

Contract: pure, no I/O, no clock; the checks raise only the exceptions below, each carrying
what the caller needs for a message that names the file and the limit.

Exceptions::

	UploadRejected (ValueError)     a file the portal does not take; .file_name
	├── EmptyFile                   nothing in it
	├── FileTooLarge                .size, .limit_bytes
	├── FileTypeNotAllowed          .extension, .allowed (sorted extensions)
	├── ContentMismatch             .extension (of the name), .detected (kind found or None)
	└── TooManyFiles                .count, .limit (file_name is "")
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
	"DEFAULT_ALLOWED_TYPES",
	"DEFAULT_MAX_FILES",
	"DEFAULT_MAX_MB",
	"HEAD_BYTES",
	"KINDS",
	"AcceptedUpload",
	"ContentMismatch",
	"EmptyFile",
	"FileTooLarge",
	"FileTypeNotAllowed",
	"Kind",
	"TooManyFiles",
	"UploadPolicy",
	"UploadRejected",
	"accept_attr",
	"check_count",
	"check_upload",
	"clean_file_name",
	"parse_allowed_types",
	"sniff",
]

# Enough for every signature below (PDF may start after up to 1 KiB of junk, as readers allow).
HEAD_BYTES = 2048
DEFAULT_MAX_MB = 10
DEFAULT_MAX_FILES = 10
DEFAULT_ALLOWED_TYPES = "jpg, jpeg, png, webp, heic, pdf"
# Stems longer than this are cut: Frappe keeps names in a 140-character column with a suffix.
MAX_STEM_LENGTH = 80
MEGABYTE = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Kind:
	"""A file type recognised by content: its name, the extensions it goes by, its MIME type."""

	name: str
	extensions: tuple[str, ...]
	content_type: str


KINDS: dict[str, Kind] = {
	kind.name: kind
	for kind in (
		Kind("jpeg", ("jpg", "jpeg", "jpe"), "image/jpeg"),
		Kind("png", ("png",), "image/png"),
		Kind("gif", ("gif",), "image/gif"),
		Kind("webp", ("webp",), "image/webp"),
		Kind("heic", ("heic", "heif"), "image/heic"),
		Kind("avif", ("avif",), "image/avif"),
		Kind("tiff", ("tif", "tiff"), "image/tiff"),
		Kind("pdf", ("pdf",), "application/pdf"),
		Kind("mp4", ("mp4", "m4v"), "video/mp4"),
		Kind("mov", ("mov",), "video/quicktime"),
		# Office documents are ZIP containers; the name says which one.
		Kind("zip", ("zip", "docx", "xlsx", "pptx", "odt", "ods"), "application/zip"),
		Kind("text", ("txt", "csv"), "text/plain"),
	)
}

# ISO base media files (HEIC, AVIF, MP4, MOV): box "ftyp" at offset 4, then brands.
_FTYP_BRANDS = {
	"heic": ("heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "heif"),
	"avif": ("avif", "avis"),
	"mp4": ("isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash", "m4v ", "f4v "),
	"mov": ("qt  ",),
}
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,10})$")
_UNSAFE = re.compile(r"[^\w .()+,-]+")
_SPACES = re.compile(r"\s+")


class UploadRejected(ValueError):
	"""A file the portal does not take."""

	def __init__(self, file_name: str, detail: str = "") -> None:
		super().__init__(f"{file_name}: {detail}" if detail else file_name)
		self.file_name = file_name


class EmptyFile(UploadRejected):
	def __init__(self, file_name: str) -> None:
		super().__init__(file_name, "empty")


class FileTooLarge(UploadRejected):
	def __init__(self, file_name: str, size: int, limit_bytes: int) -> None:
		super().__init__(file_name, f"{size} bytes, limit {limit_bytes}")
		self.size = size
		self.limit_bytes = limit_bytes


class FileTypeNotAllowed(UploadRejected):
	def __init__(self, file_name: str, extension: str, allowed: tuple[str, ...]) -> None:
		super().__init__(file_name, f"type {extension or '(none)'} not in {', '.join(allowed)}")
		self.extension = extension
		self.allowed = allowed


class ContentMismatch(UploadRejected):
	def __init__(self, file_name: str, extension: str, detected: str | None) -> None:
		super().__init__(file_name, f"named {extension}, content {detected or 'unknown'}")
		self.extension = extension
		self.detected = detected


class TooManyFiles(UploadRejected):
	def __init__(self, count: int, limit: int) -> None:
		super().__init__("", f"{count} files, limit {limit}")
		self.count = count
		self.limit = limit


@dataclass(frozen=True, slots=True)
class UploadPolicy:
	"""What the portal takes: the largest file in bytes, the allowed extensions, files per request."""

	max_bytes: int
	allowed: frozenset[str]
	max_files: int = DEFAULT_MAX_FILES

	@classmethod
	def from_settings(
		cls, max_mb: int | None, allowed_types: str | None, max_files: int = DEFAULT_MAX_FILES
	) -> "UploadPolicy":
		"""From the portal settings; a limit of 0 or none and an empty list mean the defaults."""
		megabytes = max_mb if max_mb and max_mb > 0 else DEFAULT_MAX_MB
		allowed = parse_allowed_types(allowed_types or "") or parse_allowed_types(DEFAULT_ALLOWED_TYPES)
		return cls(max_bytes=megabytes * MEGABYTE, allowed=allowed, max_files=max_files)

	@property
	def max_mb(self) -> float:
		return self.max_bytes / MEGABYTE

	def allowed_sorted(self) -> tuple[str, ...]:
		return tuple(sorted(self.allowed))


@dataclass(frozen=True, slots=True)
class AcceptedUpload:
	"""A file the portal takes: the name to store it under and what it contains."""

	file_name: str
	kind: str
	content_type: str


def parse_allowed_types(text: str) -> frozenset[str]:
	"""``"jpg, .PNG; pdf"`` -> {"jpg", "png", "pdf"}: commas, semicolons or spaces between."""
	return frozenset(part.lstrip(".").lower() for part in re.split(r"[\s,;]+", text) if part.strip(". "))


def accept_attr(allowed: Iterable[str]) -> str:
	"""The ``accept`` attribute of a file input for these extensions, e.g. ".jpg,.pdf,image/jpeg"."""
	extensions = sorted(set(allowed))
	types = sorted({kind.content_type for kind in KINDS.values() if set(kind.extensions) & set(extensions)})
	return ",".join([*(f".{extension}" for extension in extensions), *types])


def sniff(head: bytes) -> str | None:
	"""The kind of a file from its first bytes, or None when it is none of ``KINDS``."""
	if head.startswith(b"\xff\xd8\xff"):
		return "jpeg"
	if head.startswith(b"\x89PNG\r\n\x1a\n"):
		return "png"
	if head.startswith((b"GIF87a", b"GIF89a")):
		return "gif"
	if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
		return "webp"
	if head.startswith((b"II*\x00", b"MM\x00*")):
		return "tiff"
	if b"%PDF-" in head[:1024]:
		return "pdf"
	if head[4:8] == b"ftyp":
		return _ftyp_kind(head)
	if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
		return "zip"
	if _is_text(head):
		return "text"
	return None


def check_count(count: int, policy: UploadPolicy) -> None:
	if count > policy.max_files:
		raise TooManyFiles(count, policy.max_files)


def check_upload(file_name: str, size: int, head: bytes, policy: UploadPolicy) -> AcceptedUpload:
	"""Accept one file or raise an ``UploadRejected``; ``head`` is its first ``HEAD_BYTES`` bytes."""
	name = clean_file_name(file_name)
	if size <= 0 or not head:
		raise EmptyFile(name)
	if size > policy.max_bytes:
		raise FileTooLarge(name, size, policy.max_bytes)

	stem, extension = _split_extension(name)
	detected = sniff(head)
	kind = KINDS.get(detected or "")
	usable = [ext for ext in kind.extensions if ext in policy.allowed] if kind else []
	if kind is None or not usable:
		if extension not in policy.allowed:
			raise FileTypeNotAllowed(name, extension, policy.allowed_sorted())
		raise ContentMismatch(name, extension, detected)

	stored_extension = extension if extension in usable else usable[0]
	return AcceptedUpload(
		file_name=f"{stem}.{stored_extension}", kind=kind.name, content_type=kind.content_type
	)


def clean_file_name(file_name: str) -> str:
	"""A name safe to store and show: no folders, no control or markup characters, not too long."""
	base = re.split(r"[\\/]", file_name or "")[-1]
	base = unicodedata.normalize("NFC", base)
	base = "".join(char for char in base if unicodedata.category(char)[0] != "C")
	base = _SPACES.sub(" ", _UNSAFE.sub("_", base)).strip(" .")
	stem, extension = _split_extension(base)
	stem = stem[:MAX_STEM_LENGTH].strip(" .") or "file"
	return f"{stem}.{extension}" if extension else stem


def _split_extension(name: str) -> tuple[str, str]:
	match = _EXTENSION.search(name)
	if not match or match.start() == 0:
		return name, ""
	return name[: match.start()], match.group(1).lower()


def _ftyp_kind(head: bytes) -> str | None:
	"""The kind of an ISO media file from its brands: the major one, then the compatible ones."""
	box_size = int.from_bytes(head[:4], "big")
	end = min(len(head), max(box_size, 16))
	brands = [head[8:12].decode("latin-1")]
	brands += [head[i : i + 4].decode("latin-1") for i in range(16, end - 3, 4)]
	# AVIF files often name the generic "mif1" (also HEIF's) first and "avif" only later.
	if any(brand in _FTYP_BRANDS["avif"] for brand in brands):
		return "avif"
	for brand in brands:
		for kind, known in _FTYP_BRANDS.items():
			if brand in known:
				return kind
	return None


def _is_text(head: bytes) -> bool:
	"""UTF-8 without NUL or other control bytes than tab and line ends (a cut last character is fine)."""
	if b"\x00" in head:
		return False
	try:
		text = head.decode("utf-8")
	except UnicodeDecodeError as error:
		if error.start < len(head) - 3:
			return False
		text = head[: error.start].decode("utf-8")
	return all(char in "\t\r\n\f" or unicodedata.category(char) != "Cc" for char in text)
