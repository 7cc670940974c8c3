"""dlcourse: deep learning from the linear unit to the full training loop, in numpy.

    import dlcourse as dl
    x = dl.Tensor([[1.0, 2.0]]); W = dl.Tensor([[0.5], [-1.0]], requires_grad=True)
    loss = dl.mse([[0.0]], x @ W); loss.backward(); W.grad
"""

from dlcourse import datasets
from dlcourse import tensor as _tensor_module
from dlcourse.gradcheck import gradcheck
from dlcourse.layers import Dense, Layer, LinearUnit, ReLU, Sequential, Sigmoid, Softmax
from dlcourse.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    mae,
    mse,
    sparse_categorical_crossentropy,
)
from dlcourse.module import Module
from dlcourse.ops import abs as abs  # noqa: A004 (dl.abs, like np.abs)
from dlcourse.ops import dot, exp, linear, log, log_softmax, relu, sigmoid, softmax, sqrt, tanh
from dlcourse.optim import SGD
from dlcourse.seeding import manual_seed
from dlcourse.tensor import Tensor, is_grad_enabled, no_grad
from dlcourse.training import (
    History,
    TrainingDiverged,
    accuracy,
    evaluate,
    fit,
    predict,
    train_step,
)

__version__ = "0.1.0"


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """A new Tensor holding ``data`` (a copy), as ``torch.tensor``: ``dl.tensor([1.0, 2.0])``."""
    return Tensor(_tensor_module.as_array(data, "tensor data", dtype).copy(),
                  requires_grad=requires_grad)


__all__ = [
    "Dense", "History", "Layer", "LinearUnit", "Module", "ReLU", "SGD", "Sequential", "Sigmoid",
    "Softmax", "Tensor", "TrainingDiverged", "abs", "accuracy", "binary_crossentropy",
    "categorical_crossentropy", "datasets", "dot", "evaluate", "exp", "fit", "gradcheck",
    "is_grad_enabled", "linear", "log", "log_softmax", "mae", "manual_seed", "mse", "no_grad",
    "predict", "relu", "sigmoid", "softmax", "sparse_categorical_crossentropy", "sqrt", "tanh",
    "tensor", "train_step",
]
