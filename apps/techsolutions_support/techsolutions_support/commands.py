"""Bench commands of this app: `bench --site <site> ts-load-pilot --path fixtures/pilot`."""

import click

from frappe.commands import get_site, pass_context


@click.command("ts-load-pilot")
@click.option(
	"--path",
	required=True,
	type=click.Path(exists=True, file_okay=False),
	help="Folder of the pilot JSON files",
)
@click.option(
	"--password", envvar="TS_DEMO_PASSWORD", required=True, help="Password of the demo users created"
)
@pass_context
def load_pilot(context, path: str, password: str) -> None:
	"""Load the pilot data set into the site; safe to run again."""
	import frappe

	from techsolutions_support.setup.pilot import load

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		counts = load(path, password)
	finally:
		frappe.destroy()
	created = ", ".join(f"{doctype}: {n}" for doctype, n in sorted(counts.items())) or "nothing new"
	click.echo(f"Pilot data loaded into {site} ({created}).")


@click.command("ts-configure-site")
@click.option("--time-zone", default="Europe/Berlin", show_default=True)
@click.option("--language", default="de", show_default=True)
@pass_context
def configure_site(context, time_zone: str, language: str) -> None:
	"""Time zone and language of the site; marks the setup wizard done (safe to run again)."""
	import frappe

	from techsolutions_support.setup.install import configure_site as configure

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		configure(time_zone=time_zone, language=language)
		frappe.db.commit()
	finally:
		frappe.destroy()
	click.echo(f"{site}: time zone {time_zone}, language {language}.")


@click.command("ts-rebuild-search-index")
@pass_context
def rebuild_search_index(context) -> None:
	"""Write the knowledge-base search index of every article again (safe to run at any time)."""
	import frappe

	from techsolutions_support.kb.index import rebuild

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		count = rebuild()
		frappe.db.commit()
	finally:
		frappe.destroy()
	click.echo(f"{site}: search index rebuilt for {count} articles.")


commands = [load_pilot, configure_site, rebuild_search_index]
