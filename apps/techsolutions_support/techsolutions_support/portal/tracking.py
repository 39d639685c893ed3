"""Following a ticket without an account: request a link by e-mail, open it once.

	request_link   a guest names a ticket number and an address; checked for form, counted
	               against the limits per IP and per address, then handed to a background job.
	               The request does the same work whatever the number and address are, so
	               neither its answer nor its time says whether they matched.
	deliver_link   (background job) when the address is the ticket's (raised by, or its
	               contact's), stores a new link (only the hash of its secret) and e-mails it,
	               in the contact's language, through Frappe's Email Queue.
	peek_link      what a presented link is: valid, used, expired or unknown; changes nothing.
	open_link      marks a valid link used (under a row lock: two tabs cannot both open it)
	               and returns the ticket it opens.

The pure parts (tokens, hashes, expiry, comparisons) are in core/tracking.py.
"""

from dataclasses import dataclass

import frappe
from frappe import _
from frappe.utils import get_datetime, get_url, now_datetime
from frappe.utils.password import get_encryption_key

from techsolutions_support.core.client_address import (
	DEFAULT_TRUSTED,
	client_address,
	limit_key,
	trusted_networks,
)
from techsolutions_support.core.tracking import (
	LinkState,
	RateLimit,
	StoredLink,
	check_link,
	expiry,
	hash_token,
	link_param,
	matching_address,
	new_token,
	normalise_email,
	normalise_ticket_number,
	split_link_param,
)
from techsolutions_support.languages import user_language
from techsolutions_support.portal.notify import can_send_mail
from techsolutions_support.portal.render import render
from techsolutions_support.portal.view import ticket_view

# One person tracking a few tickets stays far below these; a script guessing numbers does not.
LIMIT_PER_IP = RateLimit(limit=10, window_s=15 * 60)
# Each request may e-mail this address: a handful an hour, so nobody can flood a mailbox.
LIMIT_PER_ADDRESS = RateLimit(limit=3, window_s=60 * 60)
DEFAULT_MINUTES = 30
BAD_PROXY_CONFIG_LOGGED = "ts:tracking:bad-proxy-config-logged"
# Helpdesk names tickets ".####": four digits at least (0042).
TICKET_NAME_DIGITS = 4


class TrackingInputError(frappe.ValidationError):
	pass


class TrackingRateLimitError(frappe.RateLimitExceededError):
	pass


def request_link(ticket_number: str, email: str, ip: str | None) -> None:
	"""Check the form, count the request, and leave the rest to the background job."""
	number = normalise_ticket_number(ticket_number, TICKET_NAME_DIGITS)
	address = normalise_email(email)
	if number is None or address is None:
		frappe.throw(
			_("Enter the number of your request and the e-mail address you sent it from."),
			TrackingInputError,
			title=_("Check Your Entry"),
		)

	count_request("ip", limit_key(ip) if ip else "unknown", LIMIT_PER_IP)
	count_request("address", hash_token(address, hashing_key()), LIMIT_PER_ADDRESS)

	# In tests the job runs at once, so a test sees its effect; on a site it runs in a worker.
	frappe.enqueue(
		"techsolutions_support.portal.tracking.deliver_link",
		queue="short",
		ticket_number=number,
		email=address,
		now=frappe.flags.in_test,
	)


def count_request(scope: str, identity: str, limit: RateLimit) -> None:
	key = frappe.cache.make_key(f"ts:tracking:{scope}:{identity}:{limit.window(now_datetime())}")
	count = frappe.cache.incrby(key, 1)
	if count == 1:
		frappe.cache.expire(key, limit.window_s)
	if limit.is_exceeded(count):
		frappe.throw(
			_("Too many requests for a tracking link. Please try again later."),
			TrackingRateLimitError,
			title=_("Please Wait"),
		)


def deliver_link(ticket_number: str, email: str) -> None:
	"""Send a link when the address is the ticket's; otherwise do nothing, and say nothing."""
	ticket = frappe.db.get_value(
		"HD Ticket", ticket_number, ["name", "subject", "raised_by", "contact"], as_dict=True
	)
	known = known_addresses(ticket) if ticket else []
	address = matching_address(email, known)
	if not ticket or not address or not can_send_mail():
		return

	token = new_token()
	minutes = link_minutes()
	link = frappe.get_doc(
		{
			"doctype": "TS Tracking Link",
			"ticket": ticket.name,
			"email": address,
			"token_hash": hash_token(token, hashing_key()),
			"expires_at": expiry(now_datetime(), minutes),
		}
	).insert(ignore_permissions=True)

	send_link_mail(ticket, address, link_param(link.name, token), minutes)


def known_addresses(ticket: frappe._dict) -> list[str]:
	"""The addresses a ticket was filed with: raised by, its contact's addresses and user."""
	addresses = [ticket.raised_by]
	if ticket.contact:
		addresses += frappe.get_all(
			"Contact Email", filters={"parent": ticket.contact, "parenttype": "Contact"}, pluck="email_id"
		)
		addresses.append(frappe.db.get_value("Contact", ticket.contact, "user"))
	return [address for address in addresses if address]


def send_link_mail(ticket: frappe._dict, address: str, param: str, minutes: int) -> None:
	lang = language_of(ticket, address)
	url = get_url(f"/support/track?link={param}")
	message = "".join(
		(
			"<p>{}</p>".format(
				_("Here is your link to follow request #{0} ({1}).", lang=lang).format(
					ticket.name, frappe.utils.escape_html(ticket.subject or "")
				)
			),
			f'<p><a href="{url}">{_("Show my request", lang=lang)}</a></p>',
			"<p>{}</p>".format(
				_(
					"The link works once, within {0} minutes. If you did not ask for it, ignore this e-mail.",
					lang=lang,
				).format(minutes)
			),
		)
	)
	frappe.sendmail(
		recipients=[address],
		subject=_("Your link to request #{0}", lang=lang).format(ticket.name),
		message=message,
		reference_doctype="HD Ticket",
		reference_name=ticket.name,
		add_unsubscribe_link=0,
	)


def language_of(ticket: frappe._dict, address: str) -> str:
	"""The contact's language (its user's), else the site's."""
	user = (frappe.db.get_value("Contact", ticket.contact, "user") if ticket.contact else None) or address
	return user_language(user)


def request_address() -> str:
	"""The guest's address for the per-IP limit, read past the site's trusted proxies only.

	Frappe's own request_ip believes the first X-Forwarded-For entry, which any client can write:
	a new made-up address per request would never reach the limit. Trusted proxies are the
	site config's ``ts_trusted_proxies`` (addresses or networks), by default loopback, where
	bench's nginx runs.
	"""
	configured = frappe.conf.get("ts_trusted_proxies")
	try:
		trusted = trusted_networks(configured if configured is not None else DEFAULT_TRUSTED)
	except (TypeError, ValueError) as error:
		# Once an hour, not once per request: a guest could otherwise fill the Error Log.
		if not frappe.cache.get_value(BAD_PROXY_CONFIG_LOGGED):
			frappe.cache.set_value(BAD_PROXY_CONFIG_LOGGED, 1, expires_in_sec=3600)
			frappe.log_error(
				title=_("Site config ts_trusted_proxies is not a list of addresses"), message=str(error)
			)
		trusted = trusted_networks(DEFAULT_TRUSTED)
	request = frappe.request
	return client_address(request.remote_addr or "", request.headers.get("X-Forwarded-For"), trusted)


def link_minutes() -> int:
	minutes = frappe.db.get_single_value("TS Portal Settings", "tracking_link_minutes")
	return int(minutes) if minutes and int(minutes) >= 1 else DEFAULT_MINUTES


def hashing_key() -> str:
	# The site's own secret: a hash computed on one site means nothing on another.
	return "ts-tracking:" + get_encryption_key()


# Opening a link


@dataclass(frozen=True)
class OpenedLink:
	state: LinkState
	ticket: str | None = None


def peek_link(param: str | None) -> LinkState:
	"""What the link is, without using it up."""
	return look_up(param, for_update=False)[0]


def open_link(param: str | None) -> OpenedLink:
	"""Use the link once: the ticket when it is valid, else only its state."""
	state, name, ticket = look_up(param, for_update=True)
	if state is not LinkState.VALID:
		return OpenedLink(state)
	frappe.db.set_value("TS Tracking Link", name, "used_at", now_datetime(), update_modified=False)
	return OpenedLink(state, ticket)


def look_up(param: str | None, for_update: bool) -> tuple[LinkState, str | None, str | None]:
	parts = split_link_param(param)
	row = None
	if parts:
		row = frappe.db.get_value(
			"TS Tracking Link",
			parts[0],
			["name", "ticket", "token_hash", "expires_at", "used_at"],
			as_dict=True,
			for_update=for_update,
		)
	# The hash is computed even for a malformed or unknown link: the same work either way.
	token = parts[1] if parts else new_token()
	stored = (
		StoredLink(
			token_hash=row.token_hash,
			expires_at=get_datetime(row.expires_at),
			used_at=get_datetime(row.used_at) if row.used_at else None,
		)
		if row
		else None
	)
	state = check_link(stored, token, hashing_key(), now_datetime())
	return state, (row.name if row else None), (row.ticket if row else None)


def state_message(state: LinkState) -> str:
	"""Why a link does not open; the same words for a wrong link as for one that never existed."""
	if state is LinkState.USED:
		return _("This link was already used: each link opens your request once. Ask for a new one below.")
	if state is LinkState.EXPIRED:
		return _("This link has expired. Ask for a new one below.")
	return _("This link is not valid. Ask for a new one below.")


def render_ticket(ticket: str) -> str:
	"""The customer view of the ticket (portal/view.py), as the ticket page shows it.

	Called only after open_link accepted the link: the link is the guest's permission.
	"""
	# In the page's language (the guest's browser), like the words around it.
	view = ticket_view(ticket, lang=frappe.local.lang)
	return render("templates/ts_portal/ticket_view.html", {"view": view})
