"""Keyed hashes and receipt codes.

Client tokens, receipts and idempotency keys are stored only as HMAC-SHA256
under the service's secret key: a database dump alone cannot link reports to
a device or be used to withdraw them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Crockford's base32: no I, L, O or U, so a receipt read aloud or typed is unambiguous.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def keyed_hash(key: bytes, purpose: str, value: str | bytes) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return hmac.new(key, purpose.encode() + b"\x00" + data, hashlib.sha256).digest()


def new_receipt() -> str:
    """A 60-bit code like 7KQ2-M9XD-3HNR, easy to write down."""
    # 60 random bits, five per character; one urandom call instead of twelve.
    bits = int.from_bytes(secrets.token_bytes(8), "big") >> 4
    chars = "".join(_ALPHABET[(bits >> (5 * i)) & 31] for i in range(12))
    return f"{chars[0:4]}-{chars[4:8]}-{chars[8:12]}"


def normalise_receipt(code: str) -> str:
    cleaned = code.strip().upper().replace("-", "").replace(" ", "").translate(_CONFUSABLE)
    return f"{cleaned[0:4]}-{cleaned[4:8]}-{cleaned[8:12]}" if len(cleaned) == 12 else cleaned


def receipt_hash(key: bytes, code: str) -> bytes:
    return keyed_hash(key, "receipt", normalise_receipt(code))


def reporter_hash(key: bytes, client_token: str) -> bytes:
    return keyed_hash(key, "reporter", client_token)


def same(a: bytes | None, b: bytes | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a, b)
