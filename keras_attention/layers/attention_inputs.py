"""The inputs and masks of `AttentionLayer`: `[query, values(, coverage)]`, checked with errors that say
what was received."""


def input_names(use_coverage):
    """The names of the inputs: `("query", "values")`, and `"coverage"` with coverage."""
    names = ("query", "values")
    return names + ("coverage",) if use_coverage else names


def check_input_shapes(input_shape, use_coverage=False):
    """Returns the shapes of `[query, values(, coverage)]`; raises `ValueError` saying what was received."""
    names = input_names(use_coverage)
    if not (
        isinstance(input_shape, (list, tuple))
        and len(input_shape) == len(names)
        and all(isinstance(shape, (list, tuple)) for shape in input_shape)
    ):
        expected = ", ".join(names)
        raise ValueError(
            f"AttentionLayer expects `inputs=[{expected}]`, a list of "
            f"{len(names)} tensors. Received: inputs with shape(s) "
            f"{input_shape}"
        )
    for name, shape in zip(names, input_shape):
        if len(shape) != 3:
            raise ValueError(
                f"AttentionLayer expects `{name}` of rank 3 "
                f"(batch, time, features). Received: {name}.shape={shape}"
            )
    if use_coverage:
        query_shape, values_shape, coverage_shape = input_shape
        expected = (query_shape[1], values_shape[1])
        if any(
            size is not None and wanted is not None and size != wanted
            for size, wanted in zip(coverage_shape[1:], expected)
        ):
            raise ValueError(
                "AttentionLayer expects `coverage` of shape "
                f"(batch, T_dec, T_enc) = (batch, {expected[0]}, "
                f"{expected[1]}). Received: coverage.shape={coverage_shape}"
            )
    return tuple(tuple(shape) for shape in input_shape)


def split_mask(mask, count=2):
    """Returns `(query_mask, values_mask)`, either possibly None, of a mask list of `count` masks."""
    if mask is None:
        return None, None
    if not isinstance(mask, (list, tuple)) or len(mask) != count:
        names = ", ".join(f"{name}_mask" for name in input_names(count == 3))
        raise ValueError(
            f"AttentionLayer expects `mask=[{names}]` or `mask=None`. "
            f"Received: mask={mask!r}"
        )
    return mask[0], mask[1]
