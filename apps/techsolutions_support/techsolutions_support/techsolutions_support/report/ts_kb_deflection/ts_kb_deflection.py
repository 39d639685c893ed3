"""Self-help per article: how often suggested and opened, rated helpful, still followed by a
ticket of the same user within TS KB Settings' window, and how many tickets agents marked as
solved by it; overall figures in the summary."""

import frappe
from frappe import _

from techsolutions_support.kb.reports import gather


def execute(filters=None):
	filters = frappe._dict(filters or {})
	per_article, overall = gather(filters)
	return columns(), rows(per_article), None, None, summary(overall)


def columns() -> list[dict]:
	return [
		{
			"fieldname": "article",
			"label": _("Article"),
			"fieldtype": "Link",
			"options": "HD Article",
			"width": 110,
		},
		{"fieldname": "title", "label": _("Title"), "fieldtype": "Data", "width": 260},
		{"fieldname": "shown", "label": _("Suggested"), "fieldtype": "Int", "width": 95},
		{"fieldname": "shown_first", "label": _("Suggested First"), "fieldtype": "Int", "width": 115},
		{"fieldname": "opened", "label": _("Opened"), "fieldtype": "Int", "width": 80},
		{
			"fieldname": "opened_then_ticket",
			"label": _("Ticket After Opening"),
			"fieldtype": "Int",
			"width": 140,
		},
		{"fieldname": "deflection", "label": _("Deflected %"), "fieldtype": "Percent", "width": 100},
		{"fieldname": "helpful", "label": _("Helpful"), "fieldtype": "Int", "width": 80},
		{"fieldname": "not_helpful", "label": _("Not Helpful"), "fieldtype": "Int", "width": 95},
		{"fieldname": "solved", "label": _("Solved Tickets"), "fieldtype": "Int", "width": 110},
	]


def rows(per_article) -> list[dict]:
	titles = (
		dict(
			frappe.get_all(
				"HD Article",
				filters={"name": ("in", list(per_article))},
				fields=["name", "title"],
				as_list=True,
			)
		)
		if per_article
		else {}
	)
	data = [
		{
			"article": stats.article,
			"title": titles.get(stats.article, _("(deleted)")),
			"shown": stats.shown,
			"shown_first": stats.shown_first,
			"opened": stats.opened,
			"opened_then_ticket": stats.opened_then_ticket,
			"deflection": None if stats.deflection_rate is None else round(100 * stats.deflection_rate, 1),
			"helpful": stats.helpful,
			"not_helpful": stats.not_helpful,
			"solved": stats.solved,
		}
		for stats in per_article.values()
	]
	data.sort(key=lambda row: (-row["shown"], -row["opened"], -row["solved"], row["article"]))
	return data


def summary(overall) -> list[dict]:
	rate = overall.deflection_rate
	return [
		{"label": _("Searches"), "value": overall.searches, "datatype": "Int"},
		{"label": _("Without Results"), "value": overall.searches_without_results, "datatype": "Int"},
		{"label": _("Ticket After Suggestions"), "value": overall.searches_then_ticket, "datatype": "Int"},
		{
			"label": _("Deflected"),
			"value": None if rate is None else round(100 * rate, 1),
			"datatype": "Percent",
			"indicator": "Green",
		},
		{"label": _("Articles Opened"), "value": overall.opened, "datatype": "Int"},
		{
			"label": _("Helpful / Not Helpful"),
			"value": f"{overall.helpful} / {overall.not_helpful}",
			"datatype": "Data",
		},
		{"label": _("Tickets Solved by Articles"), "value": overall.solved, "datatype": "Int"},
	]
