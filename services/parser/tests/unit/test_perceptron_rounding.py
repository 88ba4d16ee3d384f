"""The shipped weights are rounded, and the weights that round to zero are left out."""

from hirestream.parser.bench.perceptron import rounded


def test_weights_are_rounded_and_zeros_dropped():
    assert rounded({"a": 0.123456, "b": -0.00004, "c": 0.0, "d": -2.5}) == {
        "a": 0.1235,
        "d": -2.5,
    }
    assert rounded({"a": 0.126}, places=2) == {"a": 0.13}
