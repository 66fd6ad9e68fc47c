"""Section 11: style transfer, named and not reproduced here.

Issue 23 replaces this section with a class-conditional VAE; until then it
states the claim and why a plain VAE cannot be judged on it.
"""

from tfdl import claims
from tfdl.report import Section


class StyleTransfer(Section):
    """The article's style-transfer application: not defined for a plain VAE."""

    name = "style_transfer"
    title = "Style transfer"

    def judge(self, run, s, m):
        return [claims.claim(
            "style", "एक image से स्टाइल को निकालकर उसे दूसरी image पर apply करने में भी VAEs का उपयोग किया जाता है।",
            "VAEs transfer the style of one image to another", "not measured", None,
            reason="a plain VAE has one code for the whole image: nothing separates style from content, so "
                   "'the style of one image on another' is not defined for it")]

    def write(self, run, s, m, figures):
        return (
            "Not reproduced: a plain VAE encodes a whole image in one code, and nothing in its loss separates "
            "style from content, so \"the style of one image applied to another\" has no definition for it. It "
            "needs a model that splits the two, e.g. a conditional VAE with the label as content and z as style "
            "(Kingma et al. 2014, M2); the thickness direction of section 7 is the closest this model comes: one "
            "style attribute moved, the class kept or not as measured there."
        )
