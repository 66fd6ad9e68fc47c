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


def test_not_judged_claims_keep_the_criterion_and_checks_stay_judged():
    held = claims.claim("a", "मूल", "gloss", "x", claims.compare(3.0, 1.0, ("a", "b")))
    assert held.not_judged("smoke profile").verdict == "not judged"
    assert "smoke profile" in held.not_judged("smoke profile").criterion
    unjudged = claims.claim("b", "मूल", "gloss", "x", None, reason="no GAN trained here")
    assert (unjudged.verdict, unjudged.criterion) == ("not judged", "no GAN trained here")
    check = claims.check("c", "sums to 1", "x", claims.bound(1e-9, 1e-6, "|sum - 1|"))
    assert check.not_judged("smoke profile").verdict == "pass"
    assert claims.check("d", "sums to 1", "x", claims.bound(0.1, 1e-6, "|sum - 1|")).verdict == "fail"


def test_unconverged_comparison_is_inconclusive_never_not_held():
    verdict = claims.compare([1, 2, 3], [5, 6, 7], ("x", "y"), better="higher")
    assert verdict.state == "not held"
    row = claims.claim("x", "मूल", "gloss", "m", verdict, converged=False)
    assert row.verdict == "inconclusive (not converged)" and row.converged is False


def test_rows_carry_ours_and_the_baseline():
    row = claims.claim("x", "मूल", "gloss", "m", claims.compare([1, 2, 3], [5, 6, 7], ("ours", "mean fill"),
                                                               better="lower"))
    assert (row.ours, row.baseline, row.baseline_value) == (2.0, "mean fill", 6.0)
    row = claims.claim("y", "मूल", "gloss", "m", claims.bound(0.3, 0.5, "ratio"))
    assert (row.ours, row.baseline, row.baseline_value) == (0.3, "limit", 0.5)
    assert set(row.as_dict()) >= {"id", "kind", "verdict", "criterion", "ours", "baseline", "baseline_value",
                                  "converged"}


def test_levelled():
    assert claims.levelled([10, 5, 4, 3.99, 3.99, 3.99, 3.99, 3.99, 3.99, 3.995], tolerance=0.01)
    assert not claims.levelled([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], tolerance=0.01)
    assert claims.levelled([0.1, 0.5, 0.8, 0.8], better="higher")
    assert not claims.levelled([5.0])


def test_verdict_must_be_computed():
    with pytest.raises(ValueError, match="verdict"):
        claims.claim("a", "q", "g", "m", "held")
    with pytest.raises(ValueError, match="reason"):
        claims.claim("a", "q", "g", "m", None)
    with pytest.raises(ValueError, match="state"):
        claims.Verdict("yes", "typed")
    with pytest.raises(ValueError, match="id"):
        claims.claim("two words", "q", "g", "m", None, reason="r")


@pytest.mark.parametrize(
    "kwargs, match",
    [({"a": [], "b": 1.0}, "a"), ({"a": 1.0, "b": float("nan")}, "b"),
     ({"a": 1.0, "b": 1.0, "better": "up"}, "better"), ({"a": 1.0, "b": 1.0, "margin": -1}, "margin")],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        claims.compare(names=("a", "b"), **kwargs)


def test_tables_list_claims_and_checks_apart_and_count_only_claims():
    rows = [claims.claim("a", "मूल", "gloss", "test NLL", claims.compare([1, 2, 3], [5, 6, 7], ("x", "y"),
                                                                       better="lower")),
            claims.check("b", "sums to 1", "sum", claims.bound(0.0, 1e-6, "|sum - 1|"))]
    assert "| मूल | gloss | test NLL |" in claims.claims_table(rows) and "sums to 1" not in claims.claims_table(rows)
    assert "**pass**" in claims.checks_table(rows)
    assert claims.totals(rows) == "Claims: 1 held. Implementation checks: 1 of 1 pass."
    assert claims.counts(rows)["held"] == 1


def test_noninferiority_moves_the_baseline_by_the_margin():
    a, b = [1.0, 1.1, 0.9], [0.8, 0.8, 0.8]  # a: mean 1.0, standard error 0.1 / sqrt(3) = 0.058
    held = claims.noninferior(a, b, ("VAE", "real"), better="lower", margin=0.5)  # 1.0 vs 1.3: 0.3 > 2 s.e.
    assert held.state == "held" and held.baseline == "real" and held.baseline_value == pytest.approx(0.8)
    assert held.criterion.startswith("non-inferiority: VAE") and "real + margin 0.5" in held.criterion
    assert claims.noninferior(a, b, ("VAE", "real"), margin=0.1).state == "inconclusive"  # 0.1 < 2 s.e. = 0.115
    assert claims.noninferior(a, b, ("VAE", "real"), margin=0.0).state == "not held"  # 0.2 worse, > 2 s.e.
    assert claims.noninferior(a, [1.2] * 3, ("VAE", "real"), better="higher", margin=0.5).state == "held"
    assert claims.noninferior(a, [1.2] * 3, ("VAE", "real"), better="higher", margin=0.1).state == "inconclusive"
    assert claims.noninferior(a, [1.2] * 3, ("VAE", "real"), better="higher").state == "not held"
    assert claims.noninferior(1.0, 0.8, ("VAE", "real"), margin=0.3).state == "held"
    assert claims.noninferior(1.0, 0.8, ("VAE", "real"), margin=0.1).state == "not held"
    with pytest.raises(ValueError, match="margin >= 0"):
        claims.noninferior(a, b, ("VAE", "real"), margin=-1)
