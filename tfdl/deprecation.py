"""Renamed arguments: the old spelling keeps working, with a ``DeprecationWarning``.

tfdl spells one concept one way across its public API (``hidden_units`` for
hidden sizes, ``likelihood`` for the distribution of the data given the
model's outputs). ``renamed`` accepts the spelling of an earlier tfdl in a
constructor's ``**kwargs``; the ``RenamedNames`` mixin reads a ``.keras``
file saved with it, without a warning (the user did not write that
spelling), and answers the old attribute names with a warning.
"""

import warnings


def renamed(kwargs, old, new, value, default, owner):
    """The value of argument ``new``, or of its deprecated spelling ``old``.

    Args:
        kwargs: the constructor's ``**kwargs``; ``old`` is removed from it.
        old: the deprecated name, e.g. ``"n_hidden"``.
        new: the name to use, e.g. ``"hidden_units"``.
        value: the value ``new`` received.
        default: ``new``'s default: ``old`` given with ``new`` at another
            value is a ValueError.
        owner: the class or function, for the messages.

    Returns:
        ``kwargs[old]`` when given (with a ``DeprecationWarning``), else ``value``.
    """
    if old not in kwargs:
        return value
    old_value = kwargs.pop(old)
    if value is not default and value != default:
        raise ValueError(
            f"{owner} takes {new}= (or its deprecated spelling {old}=), not both. "
            f"Received: {new}={value!r}, {old}={old_value!r}"
        )
    warnings.warn(f"{owner}: {old}= is deprecated; use {new}= instead", DeprecationWarning, stacklevel=3)
    return old_value


class RenamedNames:
    """Mixin of a Keras model whose arguments and attributes were renamed.

    A subclass sets ``renamed_arguments`` and ``renamed_attributes``
    (``{old: new}``). ``from_config`` reads configs saved with the old
    argument names (``.keras`` files of an earlier tfdl) without a warning;
    reading an old attribute name warns and returns the new attribute. That
    goes through ``__getattr__``, not a property: Keras's saving reads every
    name ``dir(model)`` lists, and would trigger the warning on every save.
    """

    renamed_arguments = {}
    renamed_attributes = {}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for old, new in cls.renamed_arguments.items():
            if old in config:
                config.setdefault(new, config.pop(old))
        return super().from_config(config, custom_objects=custom_objects)

    def __getattr__(self, name):
        new = type(self).renamed_attributes.get(name)
        if new is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        warnings.warn(
            f"{type(self).__name__}.{name} is deprecated; use .{new} instead", DeprecationWarning, stacklevel=2
        )
        return getattr(self, new)
