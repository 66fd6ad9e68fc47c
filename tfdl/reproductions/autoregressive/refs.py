"""References from one section's text to another by name, numbered as the report numbers them
(sections can be added in between without renumbering any text by hand)."""


def number(name):
    """The report's number of the section called ``name``."""
    from tfdl.reproductions.autoregressive import SECTIONS

    names = [s.name for s in SECTIONS]
    if name not in names:
        raise ValueError(f"Expected a section name among {names}. Received: name={name!r}")
    return names.index(name) + 1


def sections(*names):
    """``"section 3"`` or ``"sections 2, 3"`` for the sections called ``names``."""
    numbers = ", ".join(str(number(name)) for name in names)
    return f"section{'s' if len(names) > 1 else ''} {numbers}"
