"""The four articles, reproduced: one module per article (``autoregressive``, ``vae``,
``rnn``, ``pretraining``), each a title, an introduction and a list of
``tfdl.report.Section``s in the order the article tells its story.

Run one with ``python -m tfdl reproduce <article>`` (``--only SECTION`` for one
experiment) or ``tfdl.runner.reproduce("<article>")``.
"""
