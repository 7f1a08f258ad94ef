"""Rule A: each of the 73 properties is true exactly when ``code`` equals its upper-cased name.

Rule A reads ``code`` only: the same code in the body, in ``raw_code`` or in ``public_code``
does not count, nor does another case or padding.
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invonetwork._classifiers import ErrorClassifiers

from .support import _E, RULE_A_NAMES, err


def code_of(name: str) -> str:
    return name[len("is_"):].upper()


def test_the_list_has_73_names() -> None:
    assert len(RULE_A_NAMES) == len(set(RULE_A_NAMES)) == 73


@pytest.mark.parametrize("name", RULE_A_NAMES)
def test_rule_a(name: str) -> None:
    code = code_of(name)
    # true exactly when code equals the name, whatever the status and body
    for status in (0, 400, 403, 409, 503):
        assert getattr(err(code=code, status=status), name) is True
    assert getattr(err(code=code, body="not an object"), name) is True
    # only err.code counts
    assert getattr(err(), name) is False
    assert getattr(err(code=code.lower()), name) is False
    assert getattr(err(code=f" {code}"), name) is False
    assert getattr(err(code=code + "_"), name) is False
    assert getattr(err(body={"code": code, "error_code": code}), name) is False
    assert getattr(err(raw_code=code, public_code=code), name) is False
    assert getattr(err(message=code, status=400), name) is False


@pytest.mark.parametrize("name", RULE_A_NAMES)
def test_each_code_fires_only_its_own_rule_a_property(name: str) -> None:
    error = err(code=code_of(name), status=409)
    assert [other for other in RULE_A_NAMES if getattr(error, other)] == [name]


@given(name=st.sampled_from(RULE_A_NAMES), code=st.text(max_size=40))
def test_rule_a_is_false_for_any_other_code(name: str, code: str) -> None:
    assert getattr(err(code=code, status=400), name) is (code == code_of(name))


@pytest.mark.parametrize("name", RULE_A_NAMES)
def test_rule_a_works_on_an_error_built_without_the_newer_attributes(name: str) -> None:
    bare = _E("m", code=code_of(name), status=409)
    assert getattr(bare, name) is True
    assert getattr(_E("m"), name) is False


def test_rule_a_survives_pickling() -> None:
    clone = pickle.loads(pickle.dumps(err(code="PHONE_SAME", status=409)))
    assert clone.is_phone_same is True and clone.is_phone_not_set is False


@pytest.mark.parametrize("name", RULE_A_NAMES)
def test_rule_a_is_documented_on_the_class(name: str) -> None:
    doc = getattr(ErrorClassifiers, name).__doc__
    assert doc and code_of(name) in doc
