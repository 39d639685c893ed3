"""A mail sink for the demo: an SMTP server on 127.0.0.1 that keeps every message as a file.

The demo site sends its mails (agent replies, notices, tracking links) through an outgoing
Email Account that points here, so they can be read in `logs/ts-demo-mail/` of the bench
instead of leaving the machine. It speaks the part of SMTP that Python's smtplib (and so Frappe)
uses without TLS and without login: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
"""

import itertools
import socketserver
import threading
import time
from pathlib import Path

MAX_MESSAGE_BYTES = 50 * 1024 * 1024
NAME = "ts-demo-mail"


class SmtpSession(socketserver.StreamRequestHandler):
	timeout = 60
	server: "MailSink"

	def reply(self, line: str) -> None:
		self.wfile.write(f"{line}\r\n".encode("ascii"))
		self.wfile.flush()

	def handle(self) -> None:
		self.reply(f"220 {NAME} ready")
		sender, recipients = "", []
		while raw := self.rfile.readline(4096):
			command, _, argument = raw.decode("utf-8", "replace").strip().partition(" ")
			verb = command.upper()
			if verb == "EHLO":
				self.reply(f"250-{NAME}")
				self.reply(f"250-SIZE {MAX_MESSAGE_BYTES}")
				self.reply("250 8BITMIME")
			elif verb == "HELO":
				self.reply(f"250 {NAME}")
			elif verb == "MAIL":
				sender, recipients = address(argument), []
				self.reply("250 OK")
			elif verb == "RCPT":
				recipients.append(address(argument))
				self.reply("250 OK")
			elif verb == "DATA":
				if not recipients:
					self.reply("503 RCPT first")
					continue
				self.reply("354 End data with <CR><LF>.<CR><LF>")
				message = self.read_message()
				if message is None:
					self.reply("552 Message too large")
					return
				path = self.server.keep(sender, recipients, message)
				self.reply(f"250 OK kept as {path.name}")
				sender, recipients = "", []
			elif verb == "RSET":
				sender, recipients = "", []
				self.reply("250 OK")
			elif verb == "NOOP":
				self.reply("250 OK")
			elif verb == "QUIT":
				self.reply("221 Bye")
				return
			else:
				self.reply("502 Command not implemented")

	def read_message(self) -> bytes | None:
		lines, size = [], 0
		while raw := self.rfile.readline(MAX_MESSAGE_BYTES):
			if raw in (b".\r\n", b".\n"):
				return b"".join(lines)
			# Dot-stuffing: a line the client started with a dot was sent with two.
			line = raw[1:] if raw.startswith(b"..") else raw
			size += len(line)
			if size > MAX_MESSAGE_BYTES:
				return None
			lines.append(line)
		return None


def address(argument: str) -> str:
	"""The address of `FROM:<a@b> SIZE=123` or `TO:<a@b>`."""
	path = argument.partition(":")[2].strip()
	return path[1 : path.find(">")] if path.startswith("<") else path.split(" ")[0]


class MailSink(socketserver.ThreadingTCPServer):
	"""Keeps each message as <folder>/<time>-<n>.eml, with the envelope in X-Sink-* headers."""

	daemon_threads = True
	allow_reuse_address = True

	def __init__(self, port: int, folder: Path):
		self.folder = folder
		self.counter = itertools.count(1)
		self.lock = threading.Lock()
		folder.mkdir(parents=True, exist_ok=True)
		super().__init__(("127.0.0.1", port), SmtpSession)

	def keep(self, sender: str, recipients: list[str], message: bytes) -> Path:
		with self.lock:
			number = next(self.counter)
		path = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{number:04d}.eml"
		envelope = f"X-Sink-From: {sender}\r\nX-Sink-To: {', '.join(recipients)}\r\n".encode()
		path.write_bytes(envelope + message)
		return path

	def start(self) -> None:
		threading.Thread(target=self.serve_forever, name=NAME, daemon=True).start()
