"""tfdl.timeseries: the series load offline, the AR fit matches statsmodels' AutoReg, and the simple forecasts
are what they say, computed by hand."""

import numpy as np
import pytest

from tfdl import timeseries


def ar2(length, seed=0):
    rng = np.random.default_rng(seed)
    x = np.zeros(length)
    for t in range(2, length):
        x[t] = 0.5 + 1.6 * x[t - 1] - 0.8 * x[t - 2] + rng.standard_normal()
    return x


def test_least_squares_ar_recovers_the_generating_coefficients():
    # oldest lag first, intercept last; the process mean is 0.5 / (1 - 1.6 + 0.8) = 2.5
    np.testing.assert_allclose(timeseries.fit_ar(ar2(20_000), 2), [-0.8, 1.6, 0.5], atol=0.03)


def test_ar_fit_and_forecast_match_statsmodels_autoreg():
    from statsmodels.tsa.ar_model import AutoReg

    x = ar2(500, seed=3)
    ours = timeseries.fit_ar(x, 5)
    fitted = AutoReg(x, lags=5, trend="c").fit()
    np.testing.assert_allclose(ours, np.concatenate([fitted.params[1:][::-1], fitted.params[:1]]), atol=1e-10)
    np.testing.assert_allclose(timeseries.rollout(ours, x, 7), fitted.forecast(7), atol=1e-8)


def test_rollout_feeds_its_forecasts_back():
    # x_t = x_(t-1) + 1 (a_2 = 0, a_1 = 1, a_0 = 1) from ..., 4, 5: 6, 7, 8 by hand.
    np.testing.assert_allclose(timeseries.rollout(np.array([0.0, 1.0, 1.0]), np.array([4.0, 5.0]), 3), [6, 7, 8])


def test_ar_forecasts_from_each_origin_use_only_the_past():
    x = np.array([1.0, 2.0, 3.0, 4.0, 100.0, 200.0])
    # AR(1) x_t = x_(t-1) + 1 from origins 2 and 3, two steps: (3, 4) and (4, 5) whatever comes later.
    np.testing.assert_allclose(timeseries.ar_forecasts(np.array([1.0, 1.0]), x, [2, 3], 2), [[3, 4], [4, 5]])


def test_last_value_and_seasonal_naive_by_hand():
    x = np.array([10.0, 20.0, 30.0, 11.0, 21.0, 31.0, 12.0, 22.0])
    np.testing.assert_array_equal(timeseries.last_value(x, [4, 6], 2), [[11, 11], [31, 31]])
    # period 3 from origin 4: x_4 <- x_1, x_5 <- x_2, x_6 <- x_3, then the last season again: x_7 <- x_4 - 3 = x_1
    np.testing.assert_array_equal(timeseries.seasonal_naive(x, [4], 4, period=3), [[20, 30, 11, 20]])
    np.testing.assert_array_equal(timeseries.seasonal_naive(x, [3, 5], 1, period=3), [[10], [30]])


def test_squared_errors_by_hand():
    x = np.array([0.0, 1.0, 2.0, 4.0])
    np.testing.assert_array_equal(timeseries.squared_errors([[1.0, 1.0]], x, [2]), [[1.0, 9.0]])


@pytest.mark.parametrize("call, match", [
    (lambda: timeseries.fit_ar(np.arange(4.0), 2), "more than 2 \\* lags"),
    (lambda: timeseries.fit_ar(np.arange(10.0), 0), "lags=0"),
    (lambda: timeseries.lagged(np.array([1.0, np.nan, 2.0]), 1), "finite"),
    (lambda: timeseries.seasonal_naive(np.arange(10.0), [2], 1, period=3), "origins"),
    (lambda: timeseries.last_value(np.arange(10.0), [9], 2), "origins"),
    (lambda: timeseries.rollout(np.ones(4), np.ones(2), 1), "history of at least 3"),
    (lambda: timeseries.load_series("nile"), "name"),
])
def test_bad_arguments_raise_value_errors_naming_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_bundled_series_load_offline_complete():
    sunspots, years = timeseries.load_series("sunspots")
    assert (len(sunspots), years[0], years[-1]) == (309, "1700", "2008")
    co2, weeks = timeseries.load_series("co2")
    assert len(co2) == len(weeks) == 2284 and weeks[0] == "1958-03-29"
    assert np.all(np.isfinite(co2)) and 310 < co2.min() < co2.max() < 380
