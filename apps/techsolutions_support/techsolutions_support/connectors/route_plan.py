"""Route plans in the VROOM solution format: one solution per run, read whole.

A solution has no date: its arrival times count seconds from a moment the connector names (the
plan start time on the plan date in the source's zone, or the Unix epoch). Each route becomes a
`TS Route` coded by the connector's pattern, so that the code matches what the delivery source
calls the route. The log counts routes and unassigned jobs; deliveries created from the plan's
stops are not counted separately.
"""

from techsolutions_support.connectors import store
from techsolutions_support.connectors.config import plan_start, source_today
from techsolutions_support.connectors.run import RunState
from techsolutions_support.core.vroom import parse_solution


def sync_route_plan(run: RunState) -> None:
	config = run.config
	plan_date = config.plan_date or source_today(config)
	start = plan_start(config, plan_date)

	run.begin_page()
	plan = run.fetch(config.base_url, None, lambda content: parse_solution(content, plan_start=start))
	run.fetched += len(plan.routes) + len(plan.errors) + len(plan.unassigned) + len(plan.unassigned_errors)
	run.record_errors("routes", plan.errors)
	run.record_errors("unassigned", plan.unassigned_errors)
	store.upsert_route_plan(run, plan, plan_date)
	run.page_done()
