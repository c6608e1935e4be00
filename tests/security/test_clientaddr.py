"""Which address a request comes from, believing X-Forwarded-For only from trusted proxies."""

from __future__ import annotations

from starlette.requests import Request

from app.security.clientaddr import client_address


def _request(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "client": (peer, 1234), "headers": headers})


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert client_address(_request("198.51.100.4", "203.0.113.9"), "") == "198.51.100.4"


def test_an_untrusted_peer_cannot_claim_another_address() -> None:
    trusted = "10.0.0.0/8"
    assert client_address(_request("198.51.100.4", "203.0.113.9"), trusted) == "198.51.100.4"


def test_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    trusted = "10.0.0.0/8, 2001:db8::/32"
    # The client put a fake first hop in front; the proxies appended the real one.
    request = _request("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.7")
    assert client_address(request, trusted) == "203.0.113.9"
    assert client_address(_request("2001:db8::1", "2001:db8::5, 203.0.113.10"), trusted) == (
        "203.0.113.10"
    )
    # Only proxies in the header: the farthest one is the best we know.
    assert client_address(_request("10.0.0.2", "10.0.0.3"), trusted) == "10.0.0.3"
    # A trusted peer without the header is itself the client.
    assert client_address(_request("10.0.0.2"), trusted) == "10.0.0.2"


def test_address_group_is_the_slash_24_or_48() -> None:
    from app.security.clientaddr import address_group

    assert address_group("192.0.2.77") == "192.0.2.0/24"
    assert address_group("2001:db8:1:2::5") == "2001:db8:1::/48"
    assert address_group("testclient") == "testclient"
