"""The demo's mail sink (tools/tstools/mailsink.py) keeps what smtplib sends, byte for byte."""

import smtplib
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from tstools.mailsink import MailSink
from tstools.server import free_port


@pytest.fixture
def sink(tmp_path):
	server = MailSink(free_port(), tmp_path / "mail")
	server.start()
	yield server
	server.shutdown()
	server.server_close()


def send(sink: MailSink, message: EmailMessage) -> None:
	with smtplib.SMTP("127.0.0.1", sink.server_address[1], timeout=10) as smtp:
		smtp.send_message(message)


def test_a_message_is_kept_with_its_envelope_and_body(sink):
	message = EmailMessage()
	message["From"] = "support@techsolutions.example"
	message["To"] = "h.tamsen@spedition-nordlicht.example"
	message["Subject"] = "Ihre Anfrage #0042: neuer Status"
	# A line that starts with a dot is dot-stuffed on the wire and must come back as it was.
	message.set_content("Grüße aus Berlin\n.eine Zeile mit Punkt\n..\nEnde\n")

	send(sink, message)

	[file] = sorted(sink.folder.glob("*.eml"))
	kept = BytesParser(policy=policy.default).parsebytes(file.read_bytes())
	assert kept["X-Sink-To"] == "h.tamsen@spedition-nordlicht.example"
	assert kept["Subject"] == "Ihre Anfrage #0042: neuer Status"
	assert kept.get_content().replace("\r\n", "\n") == "Grüße aus Berlin\n.eine Zeile mit Punkt\n..\nEnde\n"


def test_several_messages_in_one_session_are_kept_apart(sink):
	with smtplib.SMTP("127.0.0.1", sink.server_address[1], timeout=10) as smtp:
		for number in range(3):
			message = EmailMessage()
			message["From"] = "support@techsolutions.example"
			message["To"] = f"kunde{number}@example.org"
			message["Subject"] = f"Nachricht {number}"
			message.set_content("x")
			smtp.send_message(message)

	subjects = sorted(
		BytesParser(policy=policy.default).parsebytes(file.read_bytes())["Subject"]
		for file in sink.folder.glob("*.eml")
	)
	assert subjects == ["Nachricht 0", "Nachricht 1", "Nachricht 2"]


def test_data_before_a_recipient_is_refused(sink):
	with smtplib.SMTP("127.0.0.1", sink.server_address[1], timeout=10) as smtp:
		smtp.ehlo()
		code, _ = smtp.docmd("DATA")
	assert code == 503
	assert not list(sink.folder.glob("*.eml"))
