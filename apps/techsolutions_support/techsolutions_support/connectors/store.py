"""Writing what a sync read: vehicles, their positions and statuses, deliveries, routes.

Upserts on the external id (VIN, tracking number, route code), so that a run read twice writes
nothing new. What counts as a change is decided in `core.sync`; this module only reads the
stored state it needs, one query per page, and writes.

Vehicles are written without the document layer: a fleet of 10,000 must sync within a minute,
and a vehicle carries no logic beyond its plate key, which `core.sync.vehicle_values` computes.
Deliveries and routes go through their documents (versions, links checked): they are few.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

import frappe
from frappe.query_builder import DocType

from techsolutions_support.connectors.run import RunState
from techsolutions_support.core.identifiers import plate_key
from techsolutions_support.core.mapping import MappedRecord
from techsolutions_support.core.rfms import Position, Status, Vehicle
from techsolutions_support.core.sync import (
	Change,
	classify,
	delivery_values,
	fingerprint,
	is_newer,
	latest_per_vin,
	position_values,
	route_code,
	route_values,
	status_values,
	vehicle_values,
)
from techsolutions_support.core.vroom import RoutePlan

VEHICLE = "TS Vehicle"
NUMBER_FIELDS = frozenset({"latitude", "longitude", "speed_kmh", "heading", "odometer_km", "fuel_level_pct"})
DELIVERY = "TS Delivery"
ROUTE = "TS Route"
# Vehicles per UPDATE statement: large enough to save the round trips, small enough to stay far
# below MariaDB's max_allowed_packet (about 300 bytes a vehicle and column set).
UPDATE_CHUNK = 500
# The fields a position or status report writes (core.sync.position_values, status_values).
REPORT_COLUMNS = frozenset(
	{
		"latitude",
		"longitude",
		"speed_kmh",
		"heading",
		"position_at",
		"position_stamp",
		"state",
		"ignition",
		"red_tell_tales",
		"odometer_km",
		"fuel_level_pct",
		"status_at",
		"status_stamp",
		"last_synced_at",
	}
)


# --- vehicles ---


def upsert_vehicles(run: RunState, vehicles: Sequence[Vehicle]) -> None:
	incoming = {vehicle.vin: vehicle_values(vehicle) for vehicle in vehicles}
	if not incoming:
		return
	stored = {
		row.name: row.sync_hash
		for row in frappe.get_all(
			VEHICLE, filters={"name": ("in", list(incoming))}, fields=["name", "sync_hash"]
		)
	}
	new_rows: list[dict[str, Any]] = []
	unchanged: list[str] = []
	for vin, values in incoming.items():
		digest = fingerprint(values)
		change = classify(stored.get(vin), digest, exists=vin in stored)
		if change is Change.CREATED:
			new_rows.append({**values, "sync_hash": digest})
		elif change is Change.UPDATED:
			try:
				frappe.db.set_value(VEHICLE, vin, {**values, **_synced(run), "sync_hash": digest})
				run.count(Change.UPDATED)
			except Exception as exc:
				run.record_exception("vehicles", vin, exc)
		else:
			unchanged.append(vin)
	_insert_vehicles(run, new_rows)
	touch(run, VEHICLE, unchanged)
	run.count(Change.UNCHANGED, len(unchanged))


def _insert_vehicles(run: RunState, rows: list[dict[str, Any]]) -> None:
	if not rows:
		return
	now = frappe.utils.now_datetime()
	columns = ["name", "creation", "modified", "owner", "modified_by", "docstatus", "idx", "state"]
	fields = ["vin", "plate", "plate_key", "model", "sync_hash", "connector", "last_synced_at"]
	records = [
		(
			row["vin"],
			now,
			now,
			"Administrator",
			"Administrator",
			0,
			0,
			"unknown",
			*(row.get(name) for name in fields[:-2]),
			run.connector,
			run.synced_at,
		)
		for row in rows
	]
	plate_keys = {row["vin"]: row.get("plate_key") for row in rows}
	frappe.db.savepoint("ts_vehicle_insert")
	try:
		frappe.db.bulk_insert(VEHICLE, columns + fields, records)
		run.count(Change.CREATED, len(records))
		run.created_vehicles.update(plate_keys)
		return
	except Exception:
		# One bad row fails the whole statement: insert one by one, skipping only the bad ones.
		frappe.db.rollback(save_point="ts_vehicle_insert")
	for record in records:
		try:
			frappe.db.bulk_insert(VEHICLE, columns + fields, [record])
			run.count(Change.CREATED)
			run.created_vehicles[record[0]] = plate_keys[record[0]]
		except Exception as exc:
			run.record_exception("vehicles", record[0], exc)


def apply_positions(run: RunState, positions: Sequence[Position]) -> None:
	_apply_reports(run, "vehiclepositions", positions, "position_stamp", position_values)


def apply_statuses(run: RunState, statuses: Sequence[Status]) -> None:
	_apply_reports(run, "vehiclestatuses", statuses, "status_stamp", status_values)


def _apply_reports(
	run: RunState, resource: str, reports: Sequence[Any], stamp_field: str, values_of: Any
) -> None:
	"""The newest report per vehicle, where it is newer than the one stored; older ones count unchanged."""
	latest = latest_per_vin(reports)
	run.count(Change.UNCHANGED, len(reports) - len(latest))
	if not latest:
		return
	stored = {
		row.name: row
		for row in frappe.get_all(
			VEHICLE, filters={"name": ("in", list(latest))}, fields=["name", "state", stamp_field]
		)
	}
	updates: dict[str, dict[str, Any]] = {}
	for vin, report in latest.items():
		row = stored.get(vin)
		if row is None:
			run.fail(resource, vin, "no vehicle with this VIN in the vehicle list")
			continue
		if not is_newer(report.at, row.get(stamp_field)):
			run.count(Change.UNCHANGED)
			continue
		updates[vin] = {
			**without_unknown_numbers(values_of(report, run.zone)),
			"last_synced_at": run.synced_at,
		}

	for vin in update_vehicles(run, resource, updates):
		values = updates[vin]
		run.count(Change.UPDATED)
		run.touched_vehicles.add(vin)
		if "state" in values and values["state"] != stored[vin].state:
			run.changed_vehicles.add(vin)
			run.previous_states[vin] = stored[vin].state


def update_vehicles(run: RunState, resource: str, updates: dict[str, dict[str, Any]]) -> list[str]:
	"""Write each vehicle's values, without a new modified time; returns the VINs written.

	One UPDATE per chunk and set of columns (a page's reports carry the same fields, unless a
	number is unknown): a statement per vehicle (``frappe.db.set_value``, which also clears the
	document cache in Redis each time) made a first sync of 10,000 vehicles spend most of its
	time in round trips. A statement that fails is undone and its rows written one by
	one, so one bad record costs only itself.
	"""
	groups: dict[tuple[str, ...], list[str]] = {}
	for vin, values in updates.items():
		groups.setdefault(tuple(sorted(values)), []).append(vin)

	written: list[str] = []
	for columns, vins in groups.items():
		for start in range(0, len(vins), UPDATE_CHUNK):
			chunk = vins[start : start + UPDATE_CHUNK]
			frappe.db.savepoint("ts_vehicle_update")
			try:
				_update_chunk(columns, {vin: updates[vin] for vin in chunk})
				written.extend(chunk)
				continue
			except Exception:
				frappe.db.rollback(save_point="ts_vehicle_update")
			for vin in chunk:
				try:
					frappe.db.set_value(VEHICLE, vin, updates[vin], update_modified=False)
					written.append(vin)
				except Exception as exc:
					run.record_exception(resource, vin, exc)
	return written


def _update_chunk(columns: tuple[str, ...], rows: dict[str, dict[str, Any]]) -> None:
	"""One UPDATE joined to the rows' values on the primary key.

	Written as parameterised SQL: the query builder spent a third of a first sync formatting
	values, and a CASE per column grows with the square of the rows. Only the column names are
	part of the text, and they are checked against the fields a report may write.
	"""
	unknown = set(columns) - REPORT_COLUMNS
	if unknown:
		raise ValueError(f"not a vehicle report field: {sorted(unknown)}")
	first = ", ".join(["%s AS `name`", *(f"%s AS `{column}`" for column in columns)])
	following = ", ".join(["%s"] * (len(columns) + 1))
	selects = [f"SELECT {first}"] + [f"SELECT {following}"] * (len(rows) - 1)
	assignments = ", ".join(f"vehicle.`{column}` = incoming.`{column}`" for column in columns)
	values = [value for vin, row in rows.items() for value in (vin, *(row[column] for column in columns))]
	frappe.db.sql(
		f"UPDATE `tab{VEHICLE}` AS vehicle JOIN ({' UNION ALL '.join(selects)}) AS incoming"
		f" ON vehicle.`name` = incoming.`name` SET {assignments}",
		values,
	)


# --- deliveries ---


def upsert_deliveries(run: RunState, records: Sequence[MappedRecord]) -> None:
	for record in records:
		try:
			upsert_delivery(run, delivery_values(record, run.zone))
		except Exception as exc:
			run.record_exception("deliveries", record.external_id, exc)


def upsert_delivery(run: RunState, values: dict[str, Any]) -> None:
	values = dict(values)
	if "vehicle_ref" in values:
		values["vehicle"] = resolve_vehicle(values.pop("vehicle_ref"))
	if "route_ref" in values:
		reference = values.pop("route_ref")
		values["route"] = reference if reference and frappe.db.exists(ROUTE, reference) else None
	if "updated_at" in values:
		values["source_updated_at"] = values.pop("updated_at")
	name = values["tracking_number"]
	digest = fingerprint(values)
	stored = frappe.db.get_value(
		DELIVERY, name, ["sync_hash", "delay_minutes", "delay_known", "status"], as_dict=True
	)
	change = classify(stored.sync_hash if stored else None, digest, exists=stored is not None)
	if change is Change.UNCHANGED:
		touch(run, DELIVERY, [name])
	elif change is Change.CREATED:
		doc = frappe.new_doc(DELIVERY)
		doc.update({**values, **_synced(run), "sync_hash": digest})
		doc.insert(ignore_permissions=True)
		run.created_deliveries.add(name)
	else:
		doc = frappe.get_doc(DELIVERY, name)
		doc.update({**values, **_synced(run), "sync_hash": digest})
		doc.save(ignore_permissions=True)
		run.touched_deliveries.add(name)
		before = known_delay(stored)
		if known_delay(doc) != before or doc.status != stored.status:
			run.changed_deliveries.add(name)
			run.previous_delays[name] = before
	run.count(change)


def known_delay(delivery: Any) -> int | None:
	"""The delay of a stored delivery, None when the source never told it (stored as 0)."""
	return delivery.get("delay_minutes") if delivery.get("delay_known") else None


# --- routes (VROOM) ---


def upsert_route_plan(run: RunState, plan: RoutePlan, plan_date: date) -> None:
	"""Each route as a `TS Route` with its stops; the deliveries on it are created when missing and
	linked to route, vehicle and stop. ETAs and statuses of known deliveries belong to the delivery
	source and are left alone. Unassigned jobs become deliveries without a route."""
	for route in plan.routes:
		code = None
		try:
			code = route_code(run.config.route_code_pattern, plan_date, route.vehicle_id, route.description)
			upsert_route(run, code, route_values(route, run.zone), plan_date)
		except Exception as exc:
			run.record_exception("routes", code or str(route.vehicle_id), exc)
	for job in plan.unassigned:
		try:
			change = ensure_delivery(run, job.description, {"status": "Planned"})
			run.count(change)
		except Exception as exc:
			run.record_exception("unassigned", job.description or str(job.job_id), exc)


def upsert_route(run: RunState, code: str, values: dict[str, Any], plan_date: date) -> None:
	values = dict(values)
	vehicle = resolve_vehicle(values.pop("vehicle_ref"))
	stops = values.pop("stops")
	digest = fingerprint({**values, "vehicle": vehicle, "route_date": plan_date, "stops": stops})
	stored = frappe.db.get_value(ROUTE, code, "sync_hash")
	change = classify(stored, digest, exists=frappe.db.exists(ROUTE, code) is not None)
	if change is Change.UNCHANGED:
		touch(run, ROUTE, [code])
		run.count(change)
		return

	for stop in stops:
		if stop["tracking_number"]:
			ensure_delivery(
				run,
				stop["tracking_number"],
				{"planned_eta": stop["planned_arrival"], "status": "Planned", "vehicle": vehicle},
			)
	doc = frappe.get_doc(ROUTE, code) if change is Change.UPDATED else frappe.new_doc(ROUTE)
	doc.update({**values, "route_code": code, "vehicle": vehicle, "route_date": plan_date})
	doc.update({**_synced(run), "sync_hash": digest})
	doc.set("stops", [])
	for stop in stops:
		number = stop["tracking_number"]
		delivery = number if number and frappe.db.exists(DELIVERY, number) else None
		doc.append("stops", {**stop, "delivery": delivery})
	if change is Change.UPDATED:
		doc.save(ignore_permissions=True)
	else:
		doc.insert(ignore_permissions=True)
	run.count(change)

	for stop in doc.stops:
		if stop.delivery:
			link_delivery(run, stop.delivery, {"route": code, "vehicle": vehicle, "stop_sequence": stop.seq})


def ensure_delivery(run: RunState, tracking_number: str | None, values: dict[str, Any]) -> Change:
	"""A delivery known from a plan: created when missing, else left as the delivery source has it."""
	if not tracking_number:
		return Change.UNCHANGED
	if frappe.db.exists(DELIVERY, tracking_number):
		return Change.UNCHANGED
	doc = frappe.new_doc(DELIVERY)
	doc.update({**values, "tracking_number": tracking_number, **_synced(run)})
	doc.insert(ignore_permissions=True)
	run.created_deliveries.add(doc.name)
	return Change.CREATED


def link_delivery(run: RunState, name: str, links: dict[str, Any]) -> None:
	stored = frappe.db.get_value(DELIVERY, name, list(links), as_dict=True)
	changed = {field: value for field, value in links.items() if stored.get(field) != value}
	if changed:
		frappe.db.set_value(DELIVERY, name, changed)
		run.touched_deliveries.add(name)


# --- helpers ---


def resolve_vehicle(reference: str | None) -> str | None:
	"""The vehicle a source names by VIN or plate, if we know it."""
	if not reference:
		return None
	if frappe.db.exists(VEHICLE, reference.strip().upper()):
		return reference.strip().upper()
	key = plate_key(reference)
	return frappe.db.get_value(VEHICLE, {"plate_key": key}) if key else None


def touch(run: RunState, doctype: str, names: Sequence[str]) -> None:
	"""Record that a sync saw these records unchanged: one statement, no new modified time."""
	if not names:
		return
	table = DocType(doctype)
	(
		frappe.qb.update(table)
		.set(table.last_synced_at, run.synced_at)
		.where(table.name.isin(list(names)))
		.run()
	)


def without_unknown_numbers(values: dict[str, Any]) -> dict[str, Any]:
	"""Numbers a report does not carry keep their last known value: Frappe stores numbers as NOT
	NULL, and 0 would claim an empty tank or a stop on the equator."""
	return {
		field: value for field, value in values.items() if value is not None or field not in NUMBER_FIELDS
	}


def _synced(run: RunState) -> dict[str, Any]:
	return {"connector": run.connector, "last_synced_at": run.synced_at}
