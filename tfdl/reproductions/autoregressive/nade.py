"""Sections 1 and 2: NADE's equation (the article's and the one implemented), and NADE against an RBM."""

import itertools

import numpy as np

from tfdl import claims, tables
from tfdl.evaluate import nll
from tfdl.models import NADE
from tfdl.report import Section
from tfdl.reproductions.autoregressive import density
from tfdl.reproductions.autoregressive.density import NADE_, NLL_MARGIN, RBM_, SPEED_MARGIN

# sum_x p(x) over all 2^10 binary vectors, in float32: 1 within 1e-5.
NORMALISATION_TOLERANCE = 1e-5
DETERMINISTIC = "यह Restricted Boltzmann Machines (RBMs) का एक डिटर्मिनिस्टिक विकल्प है।"

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
        return [claims.claim(
            "exact_likelihood", "P(x) = Π P(xᵢ | x₁, x₂, ..., xᵢ₋₁) … ✅ सटीक लॉग-लाइकलीहुड गणना।",
            "NADE computes the exact log-likelihood: its p(x) is a normalised distribution",
            "|sum of NADE's p(x) over all 2^10 binary vectors of a 10-input NADE - 1|",
            claims.bound(abs(implemented - 1.0), NORMALISATION_TOLERANCE, "|sum p(x) - 1|"))]

    def write(self, run, s, m, figures):
        sums = m["normalisation_d10"]
        return EQUATIONS + "\n\n" + DIFFERENCES.format(seed=run.seed, implemented=sums["implemented"],
                                                       article=sums["article_formula"])


class NadeRbm(Section):
    """NADE against an RBM of the same hidden size: likelihood, determinism, sampling."""

    name = "nade_rbm"
    title = "NADE against an RBM: a deterministic alternative"

    def settings(self, run):
        return {**density.all_settings(run), "ais_seeds": run.at_most(run.by_size(2, 3, 3, 3))}

    def measure(self, run, s):
        trained = density.trained(run)
        x = density.images(run)
        nade, rbm = trained["models"][NADE_], trained["models"][RBM_]
        run.progress("determinism: NADE evaluated twice, RBM's AIS with other seeds")
        repeat = np.abs(np.asarray(nade.log_prob(x["test"])) - np.asarray(nade.log_prob(x["test"]))).max()
        ais_nats = [nll(rbm, x["test"], log_z=density.ais_log_z(run, s, rbm, x, seed=k))["nats"]
                    for k in range(s["ais_seeds"])]
        sampling = density.sampled(run)
        return {"data": {split: len(images) for split, images in x.items()},
                NADE_: trained["results"][NADE_], RBM_: trained["results"][RBM_],
                "weights": {name: density.weights(trained["models"][name]) for name in (NADE_, RBM_)},
                "determinism": {"nade_repeat_max_abs_diff": float(repeat), "rbm_nll_by_ais_seed": ais_nats},
                "sampling_seconds_per_image": {k: v for k, v in sampling["seconds_per_image"].items()
                                               if k.startswith((NADE_, RBM_))},
                "_rbm_name": sampling["rbm_name"], "_dim": x["train"].shape[1]}

    def judge(self, run, s, m):
        nade, rbm = [r["nats"] for r in m[NADE_]], [r["nats"] for r in m[RBM_]]
        times = m["sampling_seconds_per_image"]
        ais = m["determinism"]["rbm_nll_by_ais_seed"]
        return [
            claims.claim(
                "nll", DETERMINISTIC,
                "NADE is a deterministic alternative to RBMs (as good a density model, same data and size)",
                f"test NLL (nats), NADE (exact) vs RBM (CD-{s['rbm_k']}, AIS log Z), {s['hidden']} hidden units "
                f"each, {len(s['seeds'])} seeds",
                claims.compare(nade, rbm, names=(NADE_, RBM_), better="lower", margin=NLL_MARGIN)),
            claims.claim(
                "deterministic", DETERMINISTIC,
                "NADE is deterministic: its log-likelihood needs no sampling (the RBM's needs AIS)",
                f"largest change of NADE's test log p(x) between two evaluations; the RBM's test NLL moves by "
                f"{max(ais) - min(ais):.3g} nats over {len(ais)} AIS seeds",
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

    def write(self, run, s, m, figures):
        return "\n\n".join([data_text(run, s, m["data"], m["_dim"]), self._setup(s), self._table(s, m), (
            "NADE's hidden units are deterministic functions of the earlier pixels (a mean-field RBM unrolled "
            "in order, the paper's motivation), so its likelihood is one computation with one answer. The RBM's "
            "hidden units are stochastic; its likelihood is known only through an estimate whose value moves "
            "with the AIS seed, and its samples only through a Markov chain.")])

    def _setup(self, s):
        return (
            f"NADE with {s['hidden']} hidden units, and an RBM with {s['hidden']} hidden units (CD-{s['rbm_k']}, "
            f"SGD 0.05 with momentum 0.5, {s['epochs']} epochs; CD-25 in Salakhutdinov & Murray 2008) on the "
            f"same images, batch {s['batch']}, {len(s['seeds'])} seeds. NADE has two weight matrices (W in, V "
            "out), the RBM one (W both ways). NADE's test NLL is exact; the RBM's needs log Z, estimated by "
            f"annealed importance sampling ({s['ais_betas']} temperatures, {s['ais_runs']} runs; AIS tends to "
            "underestimate log Z, which makes the RBM look better). NADE trains with Adam, "
            + epochs_text(s) + ".")

    def _table(self, s, m):
        ms = {name: 1e3 * float(np.median(t)) for name, t in m["sampling_seconds_per_image"].items()}
        ais = m["determinism"]["rbm_nll_by_ais_seed"]
        nade, rbm = ({key: np.mean([r[key] for r in m[name]]) for key in ("nats", "train_seconds",
                                                                        "evaluation_seconds")}
                     for name in (NADE_, RBM_))
        rows = [
            ["test NLL (nats, mean of seeds)", f"{nade['nats']:.2f}", f"{rbm['nats']:.2f}"],
            ["training time (s, mean)", f"{nade['train_seconds']:.1f}", f"{rbm['train_seconds']:.1f}"],
            ["NLL evaluation time (s, mean; RBM: AIS included)", f"{nade['evaluation_seconds']:.2f}",
             f"{rbm['evaluation_seconds']:.2f}"],
            ["the same evaluation again",
             f"identical (max difference {m['determinism']['nade_repeat_max_abs_diff']:.1g} nats)",
             f"{', '.join(f'{v:.2f}' for v in ais)} nats with AIS seeds 0-{len(ais) - 1}"],
            ["sampling (ms per image)", f"{ms[NADE_]:.2f}, exact, {m['_dim']} steps",
             f"{ms[m['_rbm_name']]:.2f}, {s['gibbs_steps']} Gibbs sweeps, approximate"],
        ]
        return tables.markdown_table(["", NADE_, RBM_], rows)


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
        + ("; chosen so that the whole article runs in minutes on a 2-core CPU, which leaves these 28x28 "
           "models far from converged (see the training curves): the claims are judged at this budget"
           if run.profile == "default" and side > 8 else "") + "."
    )
