"""An activation attribute that always holds a callable."""

import keras


class ActivationAttribute:
    """Class attribute storing ``keras.activations.get(value)`` on every assignment.

    ``layer.activation = None`` then means linear, as ``None`` does for
    ``keras.layers.Dense``, and ``call`` and ``get_config`` need no ``None`` case.

    Example:

    >>> class Layer(keras.layers.Layer):
    ...     activation = ActivationAttribute()
    >>> layer = Layer()
    >>> layer.activation = None
    >>> layer.activation.__name__
    'linear'
    """

    def __set_name__(self, owner, name):
        self.attribute = f"_{name}"

    def __get__(self, layer, owner=None):
        return self if layer is None else getattr(layer, self.attribute)

    def __set__(self, layer, value):
        setattr(layer, self.attribute, keras.activations.get(value))
