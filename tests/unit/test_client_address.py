"""core/client_address.py: the client's address behind trusted proxies, never a forged one."""

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techsolutions_support.core.client_address import (
	DEFAULT_TRUSTED,
	client_address,
	limit_key,
	trusted_networks,
)

LOCAL = trusted_networks(DEFAULT_TRUSTED)


def test_a_direct_client_is_its_connection_whatever_it_claims():
	assert client_address("203.0.113.9", "10.1.2.3", LOCAL) == "203.0.113.9"
	assert client_address("203.0.113.9", None, LOCAL) == "203.0.113.9"


def test_behind_the_local_proxy_the_proxys_entry_counts_not_the_clients():
	# nginx appends the address it saw; the client wrote the first entry itself.
	assert client_address("127.0.0.1", "198.51.100.1, 203.0.113.9", LOCAL) == "203.0.113.9"
	assert client_address("127.0.0.1", "203.0.113.9", LOCAL) == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
	trusted = trusted_networks([*DEFAULT_TRUSTED, "10.0.0.0/8"])
	header = "198.51.100.1, 203.0.113.9, 10.0.0.7"
	assert client_address("127.0.0.1", header, trusted) == "203.0.113.9"


def test_without_a_header_the_proxy_itself_is_the_client():
	assert client_address("127.0.0.1", None, LOCAL) == "127.0.0.1"
	assert client_address("127.0.0.1", "", LOCAL) == "127.0.0.1"


def test_an_unreadable_hop_stops_the_walk_at_the_last_believable_address():
	assert client_address("127.0.0.1", "203.0.113.9, nonsense", LOCAL) == "127.0.0.1"
	trusted = trusted_networks([*DEFAULT_TRUSTED, "10.0.0.0/8"])
	assert client_address("127.0.0.1", "garbage, 10.0.0.7", trusted) == "10.0.0.7"


def test_ports_and_brackets_written_by_some_proxies_are_read():
	assert client_address("127.0.0.1", "203.0.113.9:4711", LOCAL) == "203.0.113.9"
	assert client_address("::1", "[2001:db8::7]:4711", LOCAL) == "2001:db8::7"
	assert client_address("::1", "2001:db8::7", LOCAL) == "2001:db8::7"


def test_nothing_is_trusted_when_the_site_trusts_no_proxy():
	assert client_address("127.0.0.1", "203.0.113.9", ()) == "127.0.0.1"


def test_trusted_proxies_may_be_one_text():
	assert trusted_networks("10.0.0.0/8, 192.0.2.1") == trusted_networks(["10.0.0.0/8", "192.0.2.1"])


def test_bad_trusted_entries_are_named():
	with pytest.raises(ValueError, match="'my-proxy'"):
		trusted_networks(["10.0.0.0/8", "my-proxy"])


addresses = st.ip_addresses(v=4).map(str)


@given(peer=addresses, hops=st.lists(addresses, max_size=5))
def test_the_answer_is_the_peer_or_an_entry_of_the_header(peer, hops):
	header = ", ".join(hops)
	assert client_address(peer, header, LOCAL) in {peer, *hops}


@given(
	real=addresses.filter(lambda a: not ipaddress.ip_address(a).is_loopback),
	forged=st.lists(addresses, max_size=5),
)
def test_whatever_a_client_writes_first_the_proxys_entry_wins(real, forged):
	header = ", ".join([*forged, real])
	assert client_address("127.0.0.1", header, LOCAL) == real


def test_a_limit_counts_an_ipv6_clients_whole_network():
	assert limit_key("2001:db8:1:2::7") == limit_key("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
	assert limit_key("2001:db8:1:3::7") != limit_key("2001:db8:1:2::7")


def test_a_limit_counts_ipv4_alike_however_it_is_written():
	assert limit_key("::ffff:192.0.2.7") == limit_key("192.0.2.7") == "192.0.2.7"
	assert limit_key("not an address") == "not an address"


@given(ip=st.ip_addresses(v=6))
def test_every_address_of_a_64_shares_its_key(ip):
	network = ipaddress.ip_network(f"{ip}/64", strict=False)
	if ip.ipv4_mapped is None:
		assert limit_key(str(ip)) == limit_key(str(network.network_address + 1))
