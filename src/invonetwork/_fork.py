"""Fork awareness: what the SDK holds across calls belongs to the process that made it.

A pooled keep-alive socket, a database connection and a lock are all copied into a child by
``os.fork`` (gunicorn ``--preload``, Celery's prefork pool, ``multiprocessing`` with the
``fork`` start method). Two processes writing requests on one inherited socket read each
other's answers: player A's token handed to player B's request. So every such resource is
held in a :class:`ProcessLocal`, which compares the process id on each use (one ``getpid``
call, see ``docs/performance.md``) and builds a fresh value in a process that did not make
it. ``os.register_at_fork`` additionally replaces the locks in the child, because a lock held
by another thread of the parent at the moment of the fork would stay held forever there.

What the child inherited is neither closed nor used: it is parked in a module-level list for
the life of the process. Closing an inherited TLS socket can send a ``close_notify`` on the
parent's live connection, and shutting a TCP socket down ends it for both processes; leaving
the descriptors alone costs the child a few file descriptors, once.

This module is standard library only, so ``invonetwork.webhooks`` can use it.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import Callable, Generic, Optional, TypeVar

__all__ = ["ProcessLocal", "call_in_child_after_fork"]

_T = TypeVar("_T")
_O = TypeVar("_O")

# Values a forked child inherited from its parent: kept referenced so that no finaliser ever
# closes them (closing could disturb the parent's connection), and never used again.
_INHERITED: list[object] = []

_LOCALS: weakref.WeakSet[ProcessLocal[object]] = weakref.WeakSet()
_CHILD_CALLBACKS: weakref.WeakKeyDictionary[object, list[Callable[[object], None]]] = (
    weakref.WeakKeyDictionary()
)


class ProcessLocal(Generic[_T]):
    """A value built by ``factory`` for the current process, rebuilt after a fork.

    ``get()`` returns this process's value; the first call in a forked child parks the
    inherited value (see the module docstring) and builds a new one. ``close(closer)`` closes
    the value only if this process built it.
    """

    def __init__(self, factory: Callable[[], _T]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._value: Optional[_T] = factory()
        self._pid = os.getpid()
        _LOCALS.add(self)  # type: ignore[arg-type]

    @property
    def owner_pid(self) -> int:
        """The id of the process that built the current value."""
        return self._pid

    def get(self) -> _T:
        """This process's value (built on first use in a forked child)."""
        value = self._value
        if self._pid == os.getpid() and value is not None:
            return value
        return self._renew()

    def _renew(self) -> _T:
        with self._lock:
            pid = os.getpid()
            if self._pid != pid:
                if self._value is not None:
                    _INHERITED.append(self._value)
                self._value = None
                self._pid = pid
            if self._value is None:
                self._value = self._factory()
            return self._value

    def close(self, closer: Callable[[_T], None]) -> None:
        """Close the value with ``closer`` if this process built it; otherwise just drop it.

        A later ``get()`` builds a new value.
        """
        with self._lock:
            value, self._value = self._value, None
            if value is None:
                return
            if self._pid == os.getpid():
                closer(value)
            else:
                _INHERITED.append(value)

    def _reset_lock(self) -> None:
        self._lock = threading.Lock()


def call_in_child_after_fork(owner: _O, callback: Callable[[_O], None]) -> None:
    """Run ``callback(owner)`` in every forked child while ``owner`` is alive.

    For state that must be replaced before the child's first use (typically a lock another
    thread of the parent may have held at the moment of the fork). ``owner`` is held weakly
    (and must be hashable by identity).
    """
    _CHILD_CALLBACKS.setdefault(owner, []).append(callback)  # type: ignore[arg-type]


def _after_fork_in_child() -> None:
    for local in list(_LOCALS):
        local._reset_lock()
    for owner, callbacks in list(_CHILD_CALLBACKS.items()):
        for callback in callbacks:
            try:
                callback(owner)
            except Exception:  # noqa: S112 - one broken owner must not stop the others
                continue


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_after_fork_in_child)
