import pytest

from tfdl import claims


def test_single_numbers_each_state():
    assert claims.compare(3.0, 1.0, ("a", "b"), margin=1.0).state == "held"
    assert claims.compare(1.0, 3.0, ("a", "b"), margin=1.0).state == "not held"
    assert claims.compare(1.5, 1.0, ("a", "b"), margin=1.0).state == "inconclusive"
    lower = claims.compare(1.0, 3.0, ("a", "b"), better="lower", margin=1.0)
    assert lower.state == "held" and "a lower by more than 1" in lower.criterion


def test_seeds_difference_of_means_against_two_standard_errors():
    # a: mean 10, sd 1 (n=3); b: mean 8, sd 1 -> stderr sqrt(2/3) = 0.816, 2 SE = 1.63 < 2.
    assert claims.compare([9, 10, 11], [7, 8, 9], ("a", "b")).state == "held"
    # b: mean 8.5 -> difference 1.5 < 1.63: within noise.
    verdict = claims.compare([9, 10, 11], [7.5, 8.5, 9.5], ("a", "b"))
    assert verdict.state == "inconclusive" and "noise" in verdict.criterion
    assert claims.compare([7, 8, 9], [9, 10, 11], ("a", "b")).state == "not held"


def test_too_few_seeds_is_inconclusive():
    verdict = claims.compare([9.0, 10.0], [1.0, 2.0], ("a", "b"))
    assert verdict.state == "inconclusive" and "too few seeds" in verdict.criterion


def test_bound_each_state():
    assert claims.bound(0.9, 1.0, "ratio").state == "held"
    assert claims.bound(1.1, 1.0, "ratio").state == "not held"
    assert claims.bound(1.02, 1.0, "ratio", tolerance=0.05).state == "inconclusive"
    assert claims.bound(0.8, 0.5, "accuracy", below=False).state == "held"


def test_not_judged_run_and_unjudged_claim():
    table = claims.Claims(judged="smoke profile")
    table.add("मूल", "gloss", "x", claims.compare(3.0, 1.0, ("a", "b")))
    table.add("मूल", "gloss", "x", None, reason="no GAN trained here")
    assert [row["verdict"] for row in table.rows] == ["not judged", "not judged"]
    assert "smoke profile" in table.rows[0]["criterion"] and "held" not in table.table().replace("not held", "")


def test_verdict_must_be_computed():
    table = claims.Claims()
    with pytest.raises(ValueError, match="verdict"):
        table.add("q", "g", "m", "held")
    with pytest.raises(ValueError, match="reason"):
        table.add("q", "g", "m", None)
    with pytest.raises(ValueError, match="state"):
        claims.Verdict("yes", "typed")


@pytest.mark.parametrize(
    "kwargs, match",
    [({"a": [], "b": 1.0}, "a"), ({"a": 1.0, "b": float("nan")}, "b"),
     ({"a": 1.0, "b": 1.0, "better": "up"}, "better"), ({"a": 1.0, "b": 1.0, "margin": -1}, "margin")],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        claims.compare(names=("a", "b"), **kwargs)


def test_table_lists_criterion_and_counts():
    table = claims.Claims()
    table.add("मूल", "gloss", "test NLL", claims.compare([1, 2, 3], [5, 6, 7], ("x", "y"), better="lower"))
    text = table.table()
    assert "| मूल | gloss | test NLL |" in text and "**held**" in text and "Verdicts: 1 held." in text
