"""tfdl.timing's timer: properties of the clock readings, never a duration."""

import pytest

from tfdl import timing


def test_a_running_timer_counts_on_and_a_with_block_stops_it():
    timer = timing.Timer.running()
    first = timer.seconds
    assert 0 <= first <= timer.seconds and timer.end is None
    with timing.Timer() as block:
        pass
    assert block.seconds == block.seconds >= 0  # frozen once the block ends


def test_reading_a_timer_that_never_started_is_an_error():
    with pytest.raises(ValueError, match="before the timer was started"):
        timing.Timer().seconds
