"""Sections 1 and 2: NADE's equation (the article's and the one implemented), and NADE against an RBM."""

import itertools

import numpy as np

from tfdl import claims, plotting, tables
from tfdl.evaluate import nll
from tfdl.models import NADE
from tfdl.report import Section
from tfdl.reproductions.autoregressive import density
from tfdl.reproductions.autoregressive.density import AUTOREGRESSIVE, NADE_, NLL_MARGIN, RBM_, SPEED_MARGIN

# sum_x p(x) over all 2^10 binary vectors, in float32: 1 within 1e-5.
NORMALISATION_TOLERANCE = 1e-5
DETERMINISTIC = "यह Restricted Boltzmann Machines (RBMs) का एक डिटर्मिनिस्टिक विकल्प है।"
LEARNS = "NADE … ऑटो-रेग्रेसिव फैक्टराइज़ेशन का उपयोग करके डेटा वितरण को सीखता है।"

EQUATIONS = """The article writes

    P(x) = Πₙ σ(Wₙ·hₙ₋₁ + bₙ)

`tfdl.models.NADE` implements Larochelle & Murray (2011):

    h_i = σ(c + Σ_(j<i) W_j x_j)                 (W: D x H input weights, shared by all i)
    p̂_i = p(x_i = 1 | x_<i) = σ(b_i + V_i · h_i)  (V: D x H output weights)
    p(x) = Π_i p̂_i^(x_i) (1 − p̂_i)^(1 − x_i)"""

DIFFERENCES = (
    "They differ in two ways. (1) Each factor of the article's product is σ(·) = p(x_n = 1 | x_<n), "
    "whatever x_n is: the product Πₙ p(xₙ = 1 | x_<n) is p(x) only when every xₙ is 1. A factor must be "
    "p̂_n when x_n = 1 and 1 − p̂_n when x_n = 0, the Bernoulli likelihood. Summed over all 2^10 binary "
    "vectors of a 10-input NADE (random weights, seed {seed}), the implemented p(x) gives {implemented:.7f}; "
    "the article's product gives {article:.4f}, so it is not a distribution. (2) The article uses one weight "
    "Wₙ for the output and leaves hₙ₋₁ undefined: in NADE the hidden vector h_i is computed from the inputs "
    "before i with input weights W shared across positions (so all D hidden vectors cost O(DH) by a running "
    "sum, the paper's point), and the output has its own weights V. Reading hₙ₋₁ as \"the hidden vector "
    "computed from x₁ … xₙ₋₁\", the article's dependence structure is NADE's."
)


def normalisation(seed):
    """sum_x over all 2^10 binary vectors of a 10-input NADE: the model's p(x) and the article's product."""
    states = np.array(list(itertools.product([0, 1], repeat=10)), "float32")
    tiny = NADE(10, 16, seed=seed)
    implemented = float(np.exp(tiny.log_prob(states).numpy().astype(np.float64)).sum())
    logits = tiny(states).numpy().astype(np.float64)
    article = float(np.exp(-np.logaddexp(0.0, -logits).sum(axis=1)).sum())  # prod_n sigmoid(logit_n)
    return implemented, article


class Equation(Section):
    """The article's NADE equation next to the paper's, and the normalisation of each over all 2^10 vectors."""

    name = "equation"
    title = "NADE's equation: the article's and the one implemented"

    def measure(self, run, s):
        implemented, article = normalisation(run.seed)
        return {"normalisation_d10": {"implemented": implemented, "article_formula": article}}

    def judge(self, run, s, m):
        implemented = m["normalisation_d10"]["implemented"]
        return [claims.check(
            "exact_likelihood", "NADE's p(x) is a normalised distribution (its log-likelihood is exact)",
            "|sum of NADE's p(x) over all 2^10 binary vectors of a 10-input NADE - 1|",
            claims.bound(abs(implemented - 1.0), NORMALISATION_TOLERANCE, "|sum p(x) - 1|"))]

    def write(self, run, s, m, figures):
        sums = m["normalisation_d10"]
        return EQUATIONS + "\n\n" + DIFFERENCES.format(seed=run.seed, implemented=sums["implemented"],
                                                       article=sums["article_formula"])


class NadeRbm(Section):
    """NADE against independent pixels and against an RBM with at least its weights: likelihood, determinism,
    sampling."""

    name = "nade_rbm"
    title = "NADE against an RBM: a deterministic alternative"

    def settings(self, run):
        return {**density.all_settings(run), "ais_seeds": run.at_most(run.by_size(2, 2, 1, 2))}

    def measure(self, run, s):
        trained = density.trained(run)
        x = density.images(run)
        nade, rbm = trained["models"][NADE_], trained["models"][RBM_]
        run.progress("determinism: NADE evaluated twice, RBM's AIS with other seeds")
        repeat = np.abs(np.asarray(nade.log_prob(x["test"])) - np.asarray(nade.log_prob(x["test"]))).max()
        ais_nats = [nll(rbm, x["test"], log_z=density.ais_log_z(run, s, rbm, x, seed=k))["nats"]
                    for k in range(1, s["ais_seeds"] + 1)]
        sampling = density.sampled(run)
        baseline = density.independent_pixels(run)
        results = {name: trained["results"][name] for name in (*AUTOREGRESSIVE, RBM_)}
        return {"data": {split: len(images) for split, images in x.items()}, **results,
                "independent_pixels": baseline, "fitness": density.fitness(results, baseline["nats"]),
                "weights": {name: density.weights(trained["models"][name]) for name in (NADE_, RBM_)},
                "rbm_hidden": density.rbm_hidden(s["hidden"], x["train"].shape[1]),
                "determinism": {"nade_repeat_max_abs_diff": float(repeat), "rbm_nll_by_ais_seed": ais_nats},
                "sampling_seconds_per_image": {k: v for k, v in sampling["seconds_per_image"].items()
                                               if k.startswith((NADE_, RBM_))},
                "_rbm_name": sampling["rbm_name"], "_dim": x["train"].shape[1]}

    def judge(self, run, s, m):
        nats = {name: [r["nats"] for r in m[name]] for name in (*AUTOREGRESSIVE, RBM_)}
        fit, times, seeds = m["fitness"], m["sampling_seconds_per_image"], len(s["seeds"])
        learned = [name for name in AUTOREGRESSIVE if fit[name]["status"] == density.LEARNED]
        worst = max(learned or [NADE_], key=lambda name: np.mean(nats[name]))
        rbm = f"RBM ({m['rbm_hidden']} hidden, PCD-{s['rbm_k']}, AIS log Z)"
        return [
            claims.claim(
                "learns", LEARNS, "NADE learns the data distribution (beyond the pixels' own frequencies)",
                f"test NLL (nats), NADE vs the independent-pixel model (factorised Bernoulli of the training "
                f"images' pixel means), {seeds} seeds; criterion margin {density.LEARNED_FRACTION:.0%} of its NLL",
                **density.against_independent(nats[NADE_], m["independent_pixels"]["nats"], fit[NADE_]["converged"],
                                              NADE_)),
            claims.claim(
                "nll", DETERMINISTIC,
                "NADE is a deterministic alternative to RBMs (as good a density model, same data, at least as many "
                "weights for the RBM)",
                f"test NLL (nats), NADE {s['hidden']} hidden (exact) vs {rbm}, {seeds} seeds",
                **density.gated(claims.compare(nats[NADE_], nats[RBM_], names=(NADE_, RBM_), better="lower",
                                               margin=NLL_MARGIN), (NADE_, RBM_), fit)),
            claims.claim(
                "autoregressive_vs_rbm", DETERMINISTIC,
                "every autoregressive model here is an alternative to the RBM (the worst of them against it)",
                f"test NLL (nats), the autoregressive model with the highest mean NLL among those that learned "
                f"({worst}) vs {rbm}, {seeds} seeds",
                **density.gated(claims.compare(nats[worst], nats[RBM_], names=(worst, RBM_), better="lower",
                                               margin=NLL_MARGIN), (worst, RBM_), fit)),
            claims.check(
                "deterministic", "NADE's log-likelihood is deterministic: two evaluations give the same numbers",
                f"largest change of NADE's test log p(x) between two evaluations (the RBM's test NLL moves by "
                f"{np.ptp(m['determinism']['rbm_nll_by_ais_seed'] + [m[RBM_][0]['nats']]):.3g} nats over AIS seeds)",
                claims.bound(m["determinism"]["nade_repeat_max_abs_diff"], 0.0,
                             "max |log p(x) - log p(x) again| (nats)")),
            claims.claim(
                "sampling", "✅ सैंपल जनरेशन में आसान।",
                "NADE makes sample generation easy (exact samples in D steps, against an RBM's Gibbs chain)",
                f"log10 seconds per sampled image, NADE ({m['_dim']} sequential steps, exact) vs RBM "
                f"({s['gibbs_steps']} Gibbs sweeps, still approximate), {s['repeats']} timed repeats",
                claims.compare(density.log10(times[NADE_]), density.log10(times[m["_rbm_name"]]),
                               names=(NADE_, RBM_), better="lower", margin=SPEED_MARGIN)),
        ]

    def draw(self, run, s, m):
        return {"rbm_validation": (rbm_figure(s, m), "the RBM's validation NLL by AIS during training")}

    def write(self, run, s, m, figures):
        return "\n\n".join([data_text(run, s, m["data"], m["_dim"]), self._setup(s, m), self._table(s, m),
                             figures["rbm_validation"], (
            f"The RBM's validation NLL, estimated by a short AIS ({s['monitor_betas']} temperatures, "
            f"{s['monitor_runs']} runs, the same seed at every check) every {s['rbm_every']} epochs; it stops after "
            f"{s['rbm_patience']} checks without a better one and keeps the best weights. Dashed: the independent-"
            "pixel model on the test images. NADE's hidden units are deterministic functions of the earlier "
            "pixels (a mean-field RBM unrolled in order, the paper's motivation), so its likelihood is one "
            "computation with one answer. The RBM's hidden units are stochastic; its likelihood is known only "
            "through an estimate whose value moves with the AIS seed, and its samples only through a Markov chain.")])

    def _setup(self, s, m):
        return (
            f"NADE with {s['hidden']} hidden units ({m['weights'][NADE_]:,} weights: W in, V out, two biases) and "
            f"an RBM with {m['rbm_hidden']} hidden units ({m['weights'][RBM_]:,} weights: the fewest hidden units "
            f"that give it at least NADE's weights) on the same images, batch {s['batch']}, {len(s['seeds'])} "
            f"seeds. The RBM trains by persistent contrastive divergence (PCD-{s['rbm_k']}, {s['rbm_chains']} "
            f"persistent chains, SGD with momentum 0.5 at a rate falling linearly from {s['rbm_learning_rate']:g} to "
            f"1% of it over {s['rbm_epochs']} epochs, "
            "stopped on its validation NLL; the NADE paper's RBM used CD-25, Salakhutdinov & Murray 2008). NADE's "
            "test NLL is exact; the RBM's needs log Z, estimated by annealed importance sampling "
            f"({s['ais_betas']} temperatures, {s['ais_runs']} runs), with the interval of ±3 standard errors of "
            "the importance weights (an interval that is not finite leaves every claim on the RBM not judged); "
            "AIS tends to underestimate log Z, which makes the RBM look better. NADE trains with "
            f"{optimizer_text(s['nade_learning_rate'])}, " + epochs_text(s) + ". Every model first faces the "
            "independent-pixel model: one that does not beat "
            f"it by {density.LEARNED_FRACTION:.0%} of its NLL is reported as failed to learn and compared with "
            "nothing else.")

    def _table(self, s, m):
        ms = {name: 1e3 * float(np.median(t)) for name, t in m["sampling_seconds_per_image"].items()}
        ais, seeds = m["determinism"]["rbm_nll_by_ais_seed"], len(s["seeds"])
        nade, rbm = ({key: [r[key] for r in m[name]] for key in ("nats", "train_seconds", "evaluation_seconds",
                                                                "epochs")} for name in (NADE_, RBM_))
        intervals = "; ".join("-" if None in r["nats_interval"] else f"[{r['nats_interval'][0]:.2f}, "
                              f"{r['nats_interval'][1]:.2f}]" for r in m[RBM_])
        fit = m["fitness"]
        rows = [
            [tables.se_header("test NLL (nats)", seeds), tables.mean_se(nade["nats"]), tables.mean_se(rbm["nats"])],
            ["test NLL interval per seed (AIS ±3 s.e.)", "exact", intervals],
            [f"against independent pixels ({m['independent_pixels']['nats']:.2f} nats)", fit[NADE_]["status"],
             fit[RBM_]["status"]],
            ["converged on every seed", *("yes" if fit[name]["converged"] else "no" for name in (NADE_, RBM_))],
            ["epochs (mean)", np.mean(nade["epochs"]), np.mean(rbm["epochs"])],
            ["training time (s, mean)", np.mean(nade["train_seconds"]), np.mean(rbm["train_seconds"])],
            ["NLL evaluation time (s, mean; RBM: AIS included)", np.mean(nade["evaluation_seconds"]),
             np.mean(rbm["evaluation_seconds"])],
            ["the same evaluation again",
             f"identical (max difference {m['determinism']['nade_repeat_max_abs_diff']:.1g} nats)",
             f"{m[RBM_][0]['nats']:.2f}, then " + ", ".join(f"{v:.2f}" for v in ais)
             + f" nats with AIS seeds 0-{len(ais)} (seed {s['seeds'][0]}'s RBM)"],
            ["sampling (ms per image)", f"{ms[NADE_]:.2f}, exact, {m['_dim']} steps",
             f"{ms[m['_rbm_name']]:.2f}, {s['gibbs_steps']} Gibbs sweeps, approximate"],
        ]
        return tables.markdown_table(["", NADE_, f"{RBM_} ({m['rbm_hidden']} hidden)"], rows)


def rbm_figure(s, m):
    """The RBM's AIS validation NLL at each check, one line per seed, and independent pixels' test NLL."""
    figure, axis = plotting.figure(6.5, 3.6)
    for seed, result in zip(s["seeds"], m[RBM_]):
        curve = result["validation_by_check"]
        axis.plot(s["rbm_every"] * np.arange(1, len(curve) + 1), curve, "o-", ms=3, label=f"RBM, seed {seed}")
    axis.axhline(m["independent_pixels"]["nats"], color="gray", ls="--", label="independent pixels (test)")
    axis.set_xlabel("epoch"), axis.set_ylabel("validation NLL by AIS (nats per image)")
    axis.set_title(f"RBM ({m['rbm_hidden']} hidden, PCD-{s['rbm_k']}): validation NLL during training")
    axis.legend(fontsize=7)
    return figure


def optimizer_text(rate):
    """The optimiser of ``density.optimizer(rate)`` in words."""
    return "Adagrad 0.01 (the MADE paper's)" if rate is None else f"Adam {rate:g}"


def epochs_text(s):
    return (f"up to {s['epochs']} epochs, early stopping on the validation NLL (patience {s['patience']})")


def data_text(run, s, sizes, dim):
    """The images every density model of sections 2-4 and 8 is trained and scored on."""
    side = int(round(dim ** 0.5))
    return (
        f"Measured on `{run.dataset}`, binarised at 0.5: {sizes['train']} training, {sizes['valid']} validation "
        f"and {sizes['test']} test images of {side}x{side} = {dim} pixels. Test NLL is in nats per image "
        f"(lower is better), bits/dim beside it. Budget: {s['hidden']} hidden units, at most {s['epochs']} "
        f"epochs, {len(s['seeds'])} seed(s) per model"
        + ("; chosen so that the whole article runs in minutes on a 2-core CPU, so these 28x28 models are far "
           "smaller and see far fewer images than the papers' (whether each converged is reported beside it)"
           if run.profile == "default" and side > 8 else "") + "."
    )
