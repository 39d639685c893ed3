"""Storing the knowledge-base index in the site's database: one JSON row per article (what
kb/index.py does) against one row per posting, over 10,000 generated German articles.

Runs in a site of a bench, inside one transaction that is rolled back (nothing stays)::

	cd $TS_BENCH/sites && ../env/bin/python /path/to/tests/benchmarks/bench_kb_store.py \\
		--site ts-test.localhost [--articles 10000]

Prints the rows written, the time to write them, and the time a process needs to load the
index from them (the reload after another process changed an article).
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_search import make_article

import frappe

from techsolutions_support.core.search import FIELDS, Posting, SearchIndex, index_document
from techsolutions_support.kb.index import ENTRY, load_index

# Rows per INSERT statement: big enough to amortise the round trip, small enough for max_allowed_packet.
CHUNK = 500


def timed(run):
	start = time.perf_counter()
	result = run()
	return time.perf_counter() - start, result


def main() -> None:
	parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--articles", type=int, default=10_000)
	parser.add_argument("--seed", type=int, default=5)
	options = parser.parse_args()

	frappe.init(site=options.site)
	frappe.connect()
	try:
		run(options)
	finally:
		frappe.db.rollback()
		frappe.destroy()


def run(options) -> None:
	# First, while nothing is written: sql_ddl commits (a temporary table would not need it).
	frappe.db.sql_ddl(
		"""create temporary table `tabTS Bench Posting` (
			doc_id varchar(140), field tinyint, term varchar(64), stem varchar(64), tf int,
			key doc_id (doc_id)
		) character set utf8mb4 collate utf8mb4_unicode_ci"""
	)
	rng = random.Random(options.seed)
	documents = [make_article(number, rng) for number in range(options.articles)]
	rows_s, postings = timed(lambda: {document.id: index_document(document) for document in documents})
	total = sum(len(rows) for rows in postings.values())
	print(f"articles: {len(documents):,}, postings: {total:,} (index_document {rows_s:.2f} s)")

	now = frappe.utils.now()
	entry_fields = [
		"name", "article", "title", "language", "category", "category_name", "is_published",
		"is_internal", "headings", "body", "postings", "updated_at", "creation", "modified",
		"owner", "modified_by", "docstatus",
	]  # fmt: skip
	entries = [
		(
			document.id, document.id, document.title, document.language, document.category, None,
			int(document.published), int(document.internal), json.dumps(document.headings), document.body,
			json.dumps(
				[[FIELDS.index(row.field), row.term, row.stem, row.tf] for row in postings[document.id]],
				separators=(",", ":"),
			),
			document.updated_at.replace(tzinfo=None), now, now, "Administrator", "Administrator", 0,
		)
		for document in documents
	]  # fmt: skip
	write_s, _ = timed(lambda: frappe.db.bulk_insert(ENTRY, entry_fields, entries, chunk_size=CHUNK))
	load_s, index = timed(load_index)
	print(
		f"JSON row per article: {len(entries):,} rows, write {write_s:.2f} s, load {load_s:.2f} s ({len(index):,} documents)"
	)

	posting_rows = [
		(row.doc_id, FIELDS.index(row.field), row.term, row.stem, row.tf)
		for rows in postings.values()
		for row in rows
	]
	fields = ["doc_id", "field", "term", "stem", "tf"]
	write_s, _ = timed(
		lambda: frappe.db.bulk_insert("TS Bench Posting", fields, posting_rows, chunk_size=CHUNK)
	)

	def load_from_postings() -> SearchIndex:
		rows = frappe.db.sql("select doc_id, field, term, stem, tf from `tabTS Bench Posting`")
		return SearchIndex.from_rows(
			documents,
			(Posting(doc_id, FIELDS[field], term, stem, tf) for doc_id, field, term, stem, tf in rows),
		)

	load_s, index = timed(load_from_postings)
	print(
		f"row per posting:      {len(posting_rows):,} rows, write {write_s:.2f} s, "
		f"load {load_s:.2f} s (documents given, not read)"
	)


if __name__ == "__main__":
	main()
