"""Which address a request came from, when proxies stand between the client and the server.

Every proxy appends the address it received the request from to ``X-Forwarded-For``; anything
further left was written by whoever sent the request, a client included, and proves nothing.
So the header is read from the right: past the proxies the site trusts (its own reverse proxy,
on the same host by default), the first address is the client's. A request that does not come
through a trusted proxy is answered by its own connection's address, whatever the header says.

For a limit per client, ``limit_key(address)`` names what one client controls: an IPv4
address, or the /64 network of an IPv6 address (a household or a server gets a whole /64 and
picks any address in it); an IPv4 address written as IPv6 (``::ffff:192.0.2.7``) is that IPv4.

Contract: pure. ``client_address(peer, forwarded_for, trusted)`` and ``limit_key`` never raise;
an unreadable entry in the header stops the walk there (that hop is not believable) and the
last trusted hop's address is kept. ``trusted_networks(entries)`` raises ``ValueError`` naming
a bad entry.
"""

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# A reverse proxy on the same host (bench's nginx set-up): loopback only.
DEFAULT_TRUSTED = ("127.0.0.0/8", "::1/128")


def trusted_networks(entries: Iterable[str] | str) -> tuple[Network, ...]:
	"""Addresses or networks ("10.0.0.5", "10.0.0.0/8", "::1"), a list or one comma-separated
	text, as networks."""
	if isinstance(entries, str):
		entries = [entry for entry in entries.split(",") if entry.strip()]
	networks = []
	for entry in entries:
		try:
			networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
		except ValueError:
			raise ValueError(f"not an IP address or network: {entry!r}") from None
	return tuple(networks)


def client_address(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...]) -> str:
	"""The client's address: `peer` (the connection's) unless it and the hops after it are trusted."""
	address = peer
	if not is_trusted(address, trusted):
		return address
	for hop in reversed((forwarded_for or "").split(",")):
		hop = normalised(hop)
		if hop is None:
			break
		address = hop
		if not is_trusted(hop, trusted):
			break
	return address


def normalised(hop: str) -> str | None:
	"""One header entry as a plain address, or None when it is not one."""
	text = hop.strip()
	# "[2001:db8::1]:4711" and "192.0.2.7:4711" are written by some proxies.
	if text.startswith("[") and "]" in text:
		text = text[1 : text.index("]")]
	elif text.count(":") == 1:
		text = text.split(":")[0]
	try:
		return str(ipaddress.ip_address(text))
	except ValueError:
		return None


def is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
	try:
		parsed = ipaddress.ip_address(address)
	except ValueError:
		return False
	return any(parsed.version == network.version and parsed in network for network in trusted)


def limit_key(address: str) -> str:
	"""What a per-client limit counts: the IPv4 address, or the IPv6 address's /64 network."""
	try:
		parsed = ipaddress.ip_address(address.strip())
	except ValueError:
		return address
	if parsed.version == 6 and parsed.ipv4_mapped:
		return str(parsed.ipv4_mapped)
	if parsed.version == 6:
		return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
	return str(parsed)
