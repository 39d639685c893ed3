"""./dev COMMAND: the workspace's commands (see README.md).

demo    build or update the bench and the demo site, load the pilot data, serve it
setup   the same without serving
test    run every suite that can run here (unit; integration and e2e when a bench exists)
serve   serve an existing demo site
"""

import argparse
import signal
import sys
from pathlib import Path

from tstools import config, prereqs
from tstools.bench import Bench
from tstools.log import SetupError, fail, step


def main(argv: list[str]) -> int:
	parser = argparse.ArgumentParser(
		prog="./dev", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
	)
	commands = parser.add_subparsers(dest="command", required=True)
	demo = commands.add_parser("demo", help="set up and serve the demo site")
	demo.add_argument("--port", type=int, default=config.demo_port())
	commands.add_parser("setup", help="set up the bench and the demo site, do not serve")
	serve = commands.add_parser("serve", help="serve the demo site")
	serve.add_argument("--port", type=int, default=config.demo_port())
	test = commands.add_parser("test", help="run the tests")
	test.add_argument("suites", nargs="*", metavar="SUITE", help="unit, integration, e2e (default: all)")
	test.add_argument("-k", dest="keyword", help="only tests whose name matches (pytest -k)")
	args = parser.parse_args(argv)

	try:
		if args.command == "test":
			from tstools.testing import SUITES, run_all

			unknown = set(args.suites) - set(SUITES)
			if unknown:
				parser.error(f"unknown suite {', '.join(sorted(unknown))}; choose from {', '.join(SUITES)}")
			return run_all(args.suites or list(SUITES), keyword=args.keyword)
		if args.command in ("demo", "setup"):
			set_up()
		if args.command in ("demo", "serve"):
			serve_demo(args.port)
		return 0
	except SetupError as error:
		return int(error.code or 1)


def set_up() -> None:
	missing = prereqs.check()
	if missing:
		fail("Missing prerequisites:\n" + "\n".join(str(item) for item in missing))
	bench = Bench()
	bench.ensure()
	bench.ensure_site(config.SiteTemplate.load("demo"))


def serve_demo(port: int) -> None:
	from tstools.server import SiteServer

	template = config.SiteTemplate.load("demo")
	bench = Bench()
	if not bench.site_exists(template.name):
		fail(f"No demo site in {bench.path}: run ./dev demo first.")
	server = SiteServer(
		bench,
		template.name,
		port,
		log=bench.path / "logs" / "ts-demo.log",
		simulator_port=config.simulator_port(),
		with_scheduler=True,
	)
	bench.bench("--site", template.name, "enable-scheduler", quiet=True)
	mail = start_mail_sink(bench)
	step(f"Starting the web server on 127.0.0.1:{port}, a worker, the scheduler and the simulator")
	# The server runs in its own process group; a TERM or HUP to this process stops it too.
	for stop_signal in (signal.SIGTERM, signal.SIGHUP):
		signal.signal(stop_signal, stop_on_signal)
	try:
		server.start()
		print_welcome(template, port, Path(mail.folder))
		server.wait()
	except KeyboardInterrupt:
		pass
	finally:
		server.stop()
		mail.shutdown()
		mail.server_close()


def start_mail_sink(bench: Bench):
	"""The demo site mails through this sink (an Email Account the pilot data creates)."""
	from tstools.mailsink import MailSink
	from tstools.server import port_is_free

	port = config.mail_port()
	if not port_is_free(port):
		fail(f"Port {port} for the demo's mail sink is in use; set TS_MAIL_PORT to another one.")
	sink = MailSink(port, bench.path / "logs" / "ts-demo-mail")
	sink.start()
	return sink


def stop_on_signal(signum: int, frame: object) -> None:
	raise KeyboardInterrupt


def print_welcome(template: config.SiteTemplate, port: int, mail_folder: Path) -> None:
	base = f"http://{template.name}:{port}"
	print(
		f"""
TechSolutions Support demo is running (Ctrl-C stops it).

  Customer portal  {base}/support   (for phones; installable; guests: {base}/support/track)
  Helpdesk portal  {base}/helpdesk/my-tickets
  Agent UI         {base}/helpdesk/tickets
  Desk             {base}/app/hd-ticket

  Logins (password for all demo users: {template.demo_password})
    customer, Premium   {first_contact("Premium")}
    customer, Standard  {first_contact("Standard")}
    agent               agent@techsolutions.example
    support manager     leitung@techsolutions.example
    administrator       Administrator / {template.admin_password}

  The site answers to its name: browsers resolve *.localhost to 127.0.0.1; for curl add
  -H "Host: {template.name}" and use http://127.0.0.1:{port}.

  Fleet and route data come from the local simulator on {config.simulator_url()}; the connectors
  (desk: TS Connector) sync from it on their schedule, or at once with "Sync Now".
  Mail the site sends (replies, notices, tracking links) is kept as files, not sent:
  {mail_folder}
  Server, worker and scheduler output: {Bench().path / "logs" / "ts-demo.log"}
""",
		flush=True,
	)


def first_contact(tier: str) -> str:
	import json

	file = config.PILOT_DATA / "customers.json"
	if not file.exists():
		return "(no pilot customers)"
	for customer in json.loads(file.read_text(encoding="utf-8")):
		if customer.get("tier") == tier and customer.get("contacts"):
			return f"{customer['contacts'][0]['email']} ({customer['customer_name']})"
	return "(none in the pilot data)"


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
