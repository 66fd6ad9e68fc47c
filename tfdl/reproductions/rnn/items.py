"""The last section: every item of the article and where it is covered; what is not measured."""

from tfdl import claims
from tfdl.report import Section

ITEMS = """| article item | covered |
|---|---|
| RNNs process sequential data (language, speech, video); CNNs suit images | sections 2-4 (sequence tasks); the CNN contrast is not judged (below) |
| hidden state as memory of past inputs; why feed-forward nets are not enough | section 4, Elman RNN vs an MLP on the current value (claim) |
| uses: language modelling, machine translation, speech recognition, stock-trend prediction | section 4 (next-value prediction, with a last-value baseline for stock-like series); translation: section 2 reversal; language and speech corpora: not reproduced (none offline) |
| equations h_t = f(W_hh h_{t-1} + W_xh x_t + b_h), y_t = f(W_hy h_t + b_y) | section 1, `ElmanCell(units, output_units)` against a hand computation (check); section 4 uses y_t to forecast |
| one-to-one (image classification) | section 2, MLP on flat images |
| one-to-many (image captioning) | section 2, image generated row by row from its class, figure and claim |
| many-to-one (sentiment analysis) | section 2, SimpleRNN reading images row by row (no text corpus offline) |
| many-to-many (translation) | section 2, reversal: encoder-decoder vs aligned (claim); section 4, aligned |
| deep RNN: stacked layers, hidden state to the next layer, complex patterns | section 1 (check) and section 3, two layers vs one (claim) |
| the Keras snippet | section 1, run verbatim, compared with `deep_rnn((100, 50))`, trained on a 100 x 50 task |
| advantage: sequential dependency | section 4 (claim) |
| advantage: language and speech tasks | not reproduced (below) |
| advantage: variable-length inputs | section 1, masking (check) |
| limitation: vanishing gradients | section 5, figure and claim |
| limitation: long-term dependencies | section 6, adding problem (claim) |
| limitation: training time | section 3, seconds per epoch (claim) |
| conclusion: LSTM and GRU improve on RNNs; RNNs still used for NLP and time series | section 6 (claims), section 4 (claim) |"""


class ArticleItems(Section):
    """Where each item of the article is covered, and the claims not measured here (with why)."""

    name = "items"
    title = "Article items and where they are covered"

    def judge(self, run, s, m):
        return [
            claims.claim(
                "cnn_vs_rnn",
                "जहाँ CNN इमेज डेटा के लिए उपयुक्त है, वहीं RNN उन कार्यों के लिए डिज़ाइन किया गया है जहाँ इनपुट डेटा समय पर आधारित होता है",
                "CNNs suit images; RNNs are designed for time-based input", "-", None,
                reason="no CNN is trained here; images are read as sequences only to give the RNN a sequence task"),
            claims.claim(
                "language_speech", "Language understanding और speech tasks में उपयोगी।",
                "useful for language understanding and speech", "-", None,
                reason="no text or audio corpus ships offline; section 4's next-value task is a language "
                       "model's objective on a real-valued series"),
        ]

    def write(self, run, s, m, figures):
        return ITEMS
