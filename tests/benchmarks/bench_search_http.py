"""Knowledge-base search latency through the HTTP API of a served site, over 10,000 generated
German articles, beside the core's own latency and the index build, in one run::

	TS_BENCH=~/ts-bench .venv/bin/python tests/benchmarks/bench_search_http.py \\
		--site ts-test.localhost [--articles 10000] [--queries 300] [--workers 1]

Targets: p95 under 200 ms through HTTP (``helpdesk.api.article.search``, which hooks.py
overrides, and ``techsolutions_support.api.kb.suggest_articles``) and under 50 ms in the core.

What it does, in order:

1. In the bench's Python (a child process): writes the articles of ``bench_search.py``'s
   generator (same seed) as HD Articles named ``TSBENCH-KB-nnnnn`` with their search entries
   (``kb/index.py``), and a portal customer; commits. Measures, in that process, the index load
   from the stored entries (what each web worker does once) and p50/p95 of the core's
   ``query`` and ``suggest`` on it.
2. Serves the site with gunicorn on a free port of 127.0.0.1 (``tstools.server``, the same
   server as the e2e tests: gthread, 4 threads per worker), logs in as the customer, warms the
   worker up (its first search loads the index), then times one request at a time:
   ``/api/method/ping`` (the baseline: Frappe's request cost alone), the search and the
   suggestions, as the customer (deflection logged, as in the portal). Prints p50/p95/p99 and
   the ratio of each p95 to the ping's p95.
3. Stops the server and deletes everything it wrote (articles, entries, customer, its log rows).

The load average of the machine is printed with the numbers: they mean little without it.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PREFIX = "TSBENCH-"
CUSTOMER = "kb-bench-kunde@bench.example"
PASSWORD = "Bench-Passwort-2026!"
# Rows per INSERT statement (kb_store's measured choice).
CHUNK = 500


# --- inside the bench (Frappe) ---


def inside(site: str, action: str, articles: int, queries: int, seed: int) -> int:
	import frappe

	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		if action == "prepare":
			clean_up()
			result = prepare(articles, queries, seed)
		else:
			clean_up()
			result = {}
		frappe.db.commit()
	finally:
		frappe.destroy()
	print(json.dumps(result))
	return 0


def prepare(count: int, queries: int, seed: int) -> dict:
	import frappe

	from techsolutions_support.core.search import FIELDS, SearchFilter, index_document
	from techsolutions_support.core.search import query as core_query
	from techsolutions_support.core.search import suggest as core_suggest
	from techsolutions_support.kb import index

	sys.path.insert(0, str(HERE))
	from bench_search import NOW, make_article, make_query, make_ticket

	rng = random.Random(seed)
	generated = [make_article(number, rng) for number in range(count)]
	texts = [make_query(rng) for _ in range(queries)]
	tickets = [make_ticket(rng) for _ in range(max(1, queries // 3))]

	now = frappe.utils.now()
	base = ["name", "creation", "modified", "owner", "modified_by", "docstatus", "idx"]
	article_rows = []
	entry_rows = []
	for document in generated:
		name = PREFIX + document.id
		content = "".join(f"<h2>{heading}</h2>" for heading in document.headings) + "".join(
			f"<p>{paragraph}</p>" for paragraph in document.body.split("\n")
		)
		status = "Published" if document.published else "Draft"
		article = {
			"name": name,
			"title": document.title,
			"content": content,
			"status": status,
			"ts_internal": int(document.internal),
			"ts_language": "de",
			"category": None,
			"modified": document.updated_at.replace(tzinfo=None),
		}
		article_rows.append(
			(
				name,
				now,
				now,
				"Administrator",
				"Administrator",
				0,
				0,
				*(article[field] for field in ARTICLE_FIELDS),
			)
		)
		stored = index.article_document(article)
		postings = [[FIELDS.index(row.field), row.term, row.stem, row.tf] for row in index_document(stored)]
		entry_rows.append(
			(
				*(name, now, now, "Administrator", "Administrator", 0, 0),
				name,
				stored.title,
				stored.language,
				None,
				None,
				int(stored.published),
				int(stored.internal),
				json.dumps(stored.headings, ensure_ascii=False),
				stored.body,
				json.dumps(postings, ensure_ascii=False, separators=(",", ":")),
				stored.updated_at,
			)
		)
	frappe.db.bulk_insert("HD Article", base + list(ARTICLE_FIELDS), article_rows, chunk_size=CHUNK)
	frappe.db.bulk_insert(index.ENTRY, base + list(ENTRY_FIELDS), entry_rows, chunk_size=CHUNK)
	make_customer()
	frappe.db.commit()
	index.announce_change(None)
	frappe.db.commit()

	started = time.perf_counter()
	loaded = index.load_index()
	load_s = time.perf_counter() - started
	synonyms = index.load_synonyms()["de"]
	core_query(loaded, "Kühlkettenstörung", synonyms=synonyms, now=NOW)
	customer = SearchFilter(audience="customer")
	query_ms = [
		timed(
			lambda text=text: core_query(loaded, text, filters=customer, synonyms=synonyms, limit=5, now=NOW)
		)
		for text in texts
	]
	suggest_ms = [
		timed(
			lambda ticket=ticket: core_suggest(loaded, *ticket, filters=customer, synonyms=synonyms, now=NOW)
		)
		for ticket in tickets
	]
	return {
		"articles": len(loaded),
		"load_s": load_s,
		"core_query_ms": query_ms,
		"core_suggest_ms": suggest_ms,
		"queries": texts,
		"tickets": tickets,
	}


ARTICLE_FIELDS = ("title", "content", "status", "ts_internal", "ts_language", "category")
ENTRY_FIELDS = (
	"article",
	"title",
	"language",
	"category",
	"category_name",
	"is_published",
	"is_internal",
	"headings",
	"body",
	"postings",
	"updated_at",
)


def make_customer() -> None:
	import frappe

	frappe.get_doc(
		{
			"doctype": "User",
			"email": CUSTOMER,
			"first_name": "Bench",
			"last_name": "Kunde",
			"user_type": "Website User",
			"send_welcome_email": 0,
			"new_password": PASSWORD,
			"roles": [{"role": "HD Customer"}],
		}
	).insert(ignore_permissions=True)


def clean_up() -> None:
	import frappe

	from techsolutions_support.kb import index

	names = frappe.get_all("HD Article", filters={"name": ("like", f"{PREFIX}%")}, pluck="name")
	if names:
		frappe.db.delete("HD Article", {"name": ("like", f"{PREFIX}%")})
		frappe.db.delete(index.ENTRY, {"name": ("like", f"{PREFIX}%")})
		index.announce_change(None)
	frappe.db.delete("TS KB Event", {"user": CUSTOMER})
	if frappe.db.exists("User", CUSTOMER):
		frappe.delete_doc("User", CUSTOMER, ignore_permissions=True, force=True)
	frappe.db.commit()


def timed(run) -> float:
	started = time.perf_counter()
	run()
	return (time.perf_counter() - started) * 1000


# --- outside (the workspace's Python): serve and request ---


def percentiles(samples: list[float]) -> tuple[float, float, float]:
	cuts = statistics.quantiles(sorted(samples), n=100, method="inclusive")
	return cuts[49], cuts[94], cuts[98]


def line(label: str, samples: list[float], baseline_p95: float | None = None) -> str:
	p50, p95, p99 = percentiles(samples)
	ratio = f"   {p95 / baseline_p95:5.1f} x ping" if baseline_p95 else ""
	return f"  {label:<34} x{len(samples):>4}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms{ratio}"


def run_inside(python: Path, bench: Path, site: str, action: str, options) -> dict:
	command = [str(python), str(Path(__file__).resolve()), "--inside", action, "--site", site]
	command += [
		"--articles",
		str(options.articles),
		"--queries",
		str(options.queries),
		"--seed",
		str(options.seed),
	]
	done = subprocess.run(command, cwd=bench / "sites", capture_output=True, text=True, check=False)
	if done.returncode != 0:
		sys.stderr.write(done.stderr[-4000:])
		raise RuntimeError(f"the {action} step failed in the bench's Python")
	return json.loads(done.stdout.strip().splitlines()[-1])


def measure_http(url: str, site: str, prepared: dict, workers: int) -> list[str]:
	import requests

	session = requests.Session()
	session.headers["Host"] = site
	answer = session.post(f"{url}/api/method/login", data={"usr": CUSTOMER, "pwd": PASSWORD}, timeout=30)
	answer.raise_for_status()

	def get(method: str, **params) -> float:
		started = time.perf_counter()
		response = session.get(f"{url}/api/method/{method}", params=params, timeout=60)
		elapsed = (time.perf_counter() - started) * 1000
		response.raise_for_status()
		return elapsed

	# Every worker loads the index on its first search; requests are spread over the workers.
	warm_up = [get("helpdesk.api.article.search", query=text) for text in prepared["queries"][: 10 * workers]]
	queries, tickets = prepared["queries"], prepared["tickets"]
	ping = [get("ping") for _ in range(len(queries))]
	search = [get("helpdesk.api.article.search", query=text) for text in queries]
	suggest = [
		get("techsolutions_support.api.kb.suggest_articles", subject=subject, description=description)
		for subject, description in tickets
	]
	found = sum(
		bool(
			session.get(f"{url}/api/method/helpdesk.api.article.search", params={"query": text}, timeout=60)
			.json()
			.get("message")
		)
		for text in queries[:50]
	)
	baseline = percentiles(ping)[1]
	return [
		f"  first searches (index load in the worker): max {max(warm_up) / 1000:.2f} s",
		line("GET ping (baseline)", ping),
		line("GET helpdesk.api.article.search", search, baseline),
		line("GET ...api.kb.suggest_articles", suggest, baseline),
		f"  searches with results: {found} of 50",
	]


def outside(options) -> int:
	sys.path.insert(0, str(ROOT / "tools"))
	from tstools.bench import Bench
	from tstools.server import SiteServer, free_port

	bench_path = Path(os.environ.get("TS_BENCH") or "~/ts-bench").expanduser()
	python = bench_path / "env" / "bin" / "python"
	if not python.exists():
		print(f"no bench at {bench_path}: build one with ./dev setup")
		return 1
	bench = Bench(bench_path)

	print(f"Knowledge-base search over HTTP: {options.articles:,} generated articles, site {options.site}")
	started = time.perf_counter()
	prepared = run_inside(python, bench_path, options.site, "prepare", options)
	print(f"  articles and entries written in {time.perf_counter() - started:.1f} s (generation included)")
	print(f"  index load from {prepared['articles']:,} stored entries: {prepared['load_s']:.2f} s")
	print(line("core query (customer, 5 hits)", prepared["core_query_ms"]))
	print(line("core suggest (subject + text)", prepared["core_suggest_ms"]))
	server = SiteServer(bench, options.site, free_port(), workers=options.workers, log=Path(os.devnull))
	try:
		server.start(with_worker=False)
		server.wait_until_up()
		for text in measure_http(server.url, options.site, prepared, options.workers):
			print(text)
	finally:
		server.stop()
		run_inside(python, bench_path, options.site, "clean", options)
	load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
	print(f"  load average after the run (1, 5, 15 min): {load} on {os.cpu_count()} cores")
	return 0


def main() -> int:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", default="ts-test.localhost")
	parser.add_argument("--articles", type=int, default=10_000)
	parser.add_argument("--queries", type=int, default=300)
	parser.add_argument("--seed", type=int, default=5)
	parser.add_argument("--workers", type=int, default=1)
	parser.add_argument("--inside", choices=("prepare", "clean"), help=argparse.SUPPRESS)
	options = parser.parse_args()
	if options.inside:
		return inside(options.site, options.inside, options.articles, options.queries, options.seed)
	return outside(options)


if __name__ == "__main__":
	sys.exit(main())
