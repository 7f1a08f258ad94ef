"""Fault rules and the request log as plain objects."""

from __future__ import annotations

import threading

import pytest

from invonetwork.sandbox._faults import FaultRule, Faults, RequestRecord


def test_rules_match_exact_paths_globs_and_methods() -> None:
    exact = FaultRule(path="/api/checkout/sessions/")
    assert exact.matches("POST", "/api/checkout/sessions")
    assert not exact.matches("POST", "/api/checkout/sessions/x")
    glob = FaultRule(path="/api/transfers/*", method="get")
    assert glob.matches("GET", "/api/transfers/txn_1/status")
    assert not glob.matches("POST", "/api/transfers/txn_1/status")
    assert FaultRule(path=None).matches("DELETE", "/anything")


def test_the_first_matching_rule_is_used_up_in_order() -> None:
    faults = Faults()
    first = faults.add(FaultRule(count=2, status=502, path="/a"))
    second = faults.add(FaultRule(count=None, status=503))
    assert faults.take("GET", "/a") is first and faults.take("GET", "/a") is first
    assert faults.rules == [second] and first.hits == 2
    for _ in range(3):
        assert faults.take("GET", "/a") is second  # None = until cleared
    assert second.hits == 3 and second.count is None
    faults.clear()
    assert faults.take("GET", "/a") is None


def test_counts_by_glob_and_method_and_the_record() -> None:
    faults = Faults()
    for method, path in [("GET", "/api/a/1"), ("GET", "/api/a/2"), ("POST", "/api/a/1"),
                         ("GET", "/api/b")]:
        faults.arrive(method, path)
        faults.record(RequestRecord(method, path, 200))
    assert faults.count() == 4 and faults.count("/api/a/*") == 3
    assert faults.count("/api/a/*", "post") == 1 and faults.count("/api/b") == 1
    assert faults.counts()["GET /api/a/1"] == 1
    assert [r.path for r in faults.records][:2] == ["/api/a/1", "/api/a/2"]
    faults.reset_counts()
    assert faults.count() == 0 and faults.records == []


def test_default_bodies_and_the_dict_form() -> None:
    throttled = FaultRule(status=429, retry_after=2)
    assert throttled.response_body()["code"] == "RATE_LIMITED"
    assert throttled.response_body()["retry_after"] == 2
    assert FaultRule(status=503).response_body()["code"] == "SANDBOX_FAULT"
    assert "HTTP 418" in FaultRule(status=418).response_body()["error"]
    described = FaultRule(kind="stall", seconds=1.5, path="/x").to_dict()
    assert described["kind"] == "stall" and described["seconds"] == 1.5
    assert FaultRule.from_dict({"kind": "disconnect", "count": 3}).count == 3


def test_apply_answers_for_each_kind() -> None:
    stop = threading.Event()
    assert FaultRule(kind="disconnect").apply(stop).disconnect  # type: ignore[union-attr]
    assert FaultRule(kind="stall", seconds=0).apply(stop) is None
    answer = FaultRule(status=429, retry_after=0.2).apply(stop)
    assert answer is not None and answer.status == 429 and answer.headers["Retry-After"] == "1"
    plain = FaultRule(status=500, body={"error": "flow_paused"}).apply(stop)
    assert plain is not None and plain.body == b'{"error": "flow_paused"}'
    stop.set()
    assert FaultRule(kind="stall", seconds=60).apply(stop).disconnect  # type: ignore[union-attr]


@pytest.mark.parametrize("bad", [
    {"kind": "teleport"}, {"count": 0}, {"count": True}, {"status": 99}, {"status": 600},
    {"kind": "stall", "seconds": -0.1},
])
def test_bad_rules_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FaultRule(**bad)  # type: ignore[arg-type]


def test_taking_rules_from_many_threads_never_overspends_a_count() -> None:
    faults = Faults()
    faults.add(FaultRule(count=100, status=503))
    taken: list[object] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            rule = faults.take("GET", "/x")
            if rule is not None:
                with lock:
                    taken.append(rule)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(taken) == 100 and faults.rules == []
