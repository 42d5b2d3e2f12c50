"""A rehearsal's memo (`steady_files`) of what is computed from an object: once for that
very object, never handed to another that is equal to it, nothing kept outside a
rehearsal."""

from __future__ import annotations

from gonogo.night.steady import steady_files, steady_for


class _Plan:
    """Every plan equal to every other: only identity tells them apart."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Plan)

    def __hash__(self) -> int:
        return 0


def test_computed_once_per_object_inside_a_rehearsal_and_each_time_outside() -> None:
    calls: list[object] = []

    def compute(owner: object) -> object:
        calls.append(owner)
        return object()

    first, second = _Plan(), _Plan()
    outside = [steady_for(first, "k", lambda: compute(first)) for _ in range(2)]
    assert outside[0] is not outside[1]
    assert len(calls) == 2
    calls.clear()
    with steady_files():
        kept = steady_for(first, "k", lambda: compute(first))
        assert steady_for(first, "k", lambda: compute(first)) is kept
        assert steady_for(first, "other", lambda: compute(first)) is not kept  # by key too
        assert steady_for(second, "k", lambda: compute(second)) is not kept
    assert calls == [first, first, second]
