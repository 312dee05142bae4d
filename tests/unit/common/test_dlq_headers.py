"""The DLQ keeps a rejected message's headers so that the original can be rebuilt (contract §3)."""

from __future__ import annotations

import asyncio
import base64
import json

from hypothesis import given
from hypothesis import strategies as st

from schemas import MessageRejected
from services.common.consumer import RAW_LIMIT, kept_headers, reject


def _rebuilt(kept) -> list[tuple[str, bytes]]:
    return [(h.name, base64.b64decode(h.value) if h.encoding == "base64" else h.value.encode()) for h in kept]


@given(st.lists(st.tuples(st.text(max_size=20), st.binary(max_size=40)), max_size=8))
def test_any_headers_survive_the_dlq_event_in_order(headers):
    data = MessageRejected(topic="t", partition=0, offset=1, reason="r", raw="", headers=kept_headers(headers))
    again = MessageRejected.model_validate(json.loads(data.model_dump_json()))
    assert _rebuilt(again.headers) == headers


def test_text_stays_readable_and_only_what_is_not_text_is_base64():
    kept = kept_headers([("ce_type", b"recommendation.agreed"), ("ce_type", "x".encode()),
                         ("x-bin", b"\xff"), ("x-nul", b"a\x00b"), ("x-none", None)])
    assert [(h.name, h.value, h.encoding) for h in kept] == [
        ("ce_type", "recommendation.agreed", "utf-8"), ("ce_type", "x", "utf-8"),
        ("x-bin", "/w==", "base64"), ("x-nul", "YQBi", "base64"), ("x-none", "", "utf-8")]


def test_a_mapping_of_headers_and_no_headers_are_read():
    assert [(h.name, h.value) for h in kept_headers({"ce_id": b"1"})] == [("ce_id", "1")]
    assert kept_headers(None) == [] and kept_headers([]) == []
    assert [(h.name, h.value) for h in kept_headers([("x-str", "as text")])] == [("x-str", "as text")]


def test_a_dlq_event_from_before_headers_is_read_with_none():
    old = {"topic": "t", "partition": 0, "offset": 1, "reason": "r", "raw": ""}
    assert MessageRejected.model_validate(old).headers == []


class _Message:
    topic, partition, offset, value = "followthrough.recommendations", 0, 7, b"x" * 100

    def __init__(self, headers):
        self.headers = headers


class _FirstWriteFails:
    """A DLQ topic that refuses the first write (too large, say) and takes the next."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def send(self, key, value, headers):
        if not self.sent and not getattr(self, "refused", False):
            self.refused = True
            raise RuntimeError("MessageSizeTooLargeError")
        self.sent.append(json.loads(value))
        fut = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


def test_a_retried_dlq_write_keeps_the_headers_unless_they_alone_are_too_large():
    small, dlq = [("ce_type", b"recommendation.agreed")], _FirstWriteFails()
    asyncio.run(reject(dlq, "tracker", _Message(small), "bad"))
    assert [h["name"] for h in dlq.sent[0]["data"]["headers"]] == ["ce_type"]
    huge, dlq = [("x-big", b"y" * (RAW_LIMIT + 1))], _FirstWriteFails()
    asyncio.run(reject(dlq, "tracker", _Message(huge), "bad"))
    assert dlq.sent[0]["data"]["headers"] == [] and "its headers dropped: too large" in dlq.sent[0]["data"]["reason"]
