"""Deep recurrent networks and their architectures (article 002), reproduced.

Sections, in the article's order: (1) the article's snippet run verbatim, and
its two equations computed by hand against ``ElmanCell(units, output_units)``;
(2) the four architectures; (3) depth: two stacked layers against one; (4) a
time series standing for the article's listed uses; (5, 6) its limitations:
vanishing gradients and long-term dependencies (training time is in 3);
(7) every item of the article and where it is covered. Each section judges
its own claims with a criterion fixed in its module before the run.
"""

from tfdl.reproductions.rnn.architectures import Architectures, Depth
from tfdl.reproductions.rnn.items import ArticleItems
from tfdl.reproductions.rnn.limitations import LongTerm, Vanishing
from tfdl.reproductions.rnn.series import Series
from tfdl.reproductions.rnn.snippet import Snippet

TITLE = "Deep recurrent networks and their architectures (article 002)"
INTRO = (
    "Each claim quotes the article, names what was measured and the baseline it faced, and is judged "
    "by a criterion fixed in `tfdl/reproductions/rnn/` before the run: a margin and, across seeds, a "
    "difference of means larger than 2 standard errors with at least 3 seeds per side. `inconclusive` "
    "means within the margin or the noise at this budget, not false. Implementation checks (properties "
    "that hold by construction) are listed apart and not counted as claims. ± is a standard error of "
    "the mean over seeds."
)
SECTIONS = [Snippet(), Architectures(), Depth(), Series(), Vanishing(), LongTerm(), ArticleItems()]
