"""Checks for exercises/10_full_training_loop.ipynb: accuracy, a training step, the epoch loop.

The epoch loop (q3) is specified exactly (one seeded generator, a fresh permutation per epoch,
batches in that order, an SGD step per batch), so the check can compare the learner's batch
losses and final weights with the reference loop run from the same start. ``dl.fit`` returns
per-epoch History, not every batch's loss, so pasting it does not pass. The loop then trains
the digit network, which must read 95% of the test digits.
"""

from __future__ import annotations

import numpy as np

import dlcourse as dl
from dlcourse.course import probes
from dlcourse.grading import (
    ChoiceQuestion,
    Exercise,
    FunctionQuestion,
    Incorrect,
    ProbeQuestion,
    case_results,
    compare,
    describe_type,
    fmt,
    unwrap,
)
from dlcourse.grading.mistakes import on_error

TRAIN_TIMEOUT = 25.0  # seconds per call; two calls stay within dlcourse grade's 60 s per cell


# -- q1: accuracy from probabilities ------------------------------------------------------------
def accuracy(y_true, probabilities):
    predicted = np.argmax(probabilities, axis=1)
    return np.mean(predicted == y_true)


def _accuracy_case(rng):
    n, k = int(rng.integers(6, 13)), int(rng.integers(3, 6))
    scores = rng.normal(0, 2, size=(n, k))
    probabilities = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    labels = np.where(rng.random(n) < 0.6, scores.argmax(axis=1), rng.integers(0, k, n))
    return {"y_true": labels, "probabilities": probabilities.round(3)}


def _accuracy_compare(expected, got) -> None:
    try:
        compare(expected, got)
    except Incorrect as exc:
        advice = ""
        try:
            ratio = float(unwrap(got)) / float(expected)
            if np.isclose(ratio, 100):
                advice = "Give the accuracy as a fraction between 0 and 1, not as a percentage."
            elif ratio >= 2 and np.isclose(ratio, round(ratio)):
                advice = ("That is the number of correct predictions; divide by the number of "
                          "samples (or use `np.mean`).")
        except (TypeError, ValueError, ZeroDivisionError):
            pass
        raise Incorrect(f"{exc}\n{advice}".rstrip()) from None


q1 = on_error(FunctionQuestion(
    "q1", accuracy, _accuracy_case,
    examples=[{"y_true": np.array([0, 2, 1, 1]),
               "probabilities": np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6],
                                          [0.2, 0.3, 0.5], [0.1, 0.8, 0.1]])}],
    compare=_accuracy_compare,
    hints=["The predicted class of a sample is the index of its largest probability: "
           "`np.argmax(..., axis=1)` (one per row).",
           "Compare the predictions with `y_true` and take the mean of the True/False array."],
), (r"could not be broadcast|shapes .* mismatch",
    "Your predictions and `y_true` have different lengths. `np.argmax(probabilities, axis=0)` "
    "picks one index per *column* (per class); a prediction is one index per *row* (per "
    "sample): use `axis=1`."))


# -- q2: one training step ----------------------------------------------------------------------
def train_step(model, optimizer, x_batch, y_batch):
    optimizer.zero_grad()                                            # forget old gradients
    loss = dl.sparse_categorical_crossentropy(y_batch, model(x_batch))  # forward pass and loss
    loss.backward()                                                  # backward pass
    optimizer.step()                                                 # update
    return loss.item()


def _train_step_cases(rng):
    batches = [(rng.normal(size=(6, 4)).round(2), rng.integers(0, 3, 6)) for _ in range(2)]
    return {"batches": batches, "learning_rate": 0.5}


def _train_step_verdict(inputs, observed) -> None:
    """Two steps of the learner's function against the reference, on identical models."""
    ours = probes.small_model()
    our_opt = dl.SGD(ours.parameters(), learning_rate=inputs["learning_rate"])
    before = [p.data.copy() for p in ours.parameters()]
    batches = list(enumerate(inputs["batches"], start=1))
    for (step, (x, y)), result in case_results(batches, observed):
        label = probes.batch_label(step, x, y)
        expected = train_step(ours, our_opt, x.copy(), y.copy())
        after = result["params"]
        _compare_parameters(after, ours, before, step)
        try:
            compare(expected, result["loss"], what="the loss you returned")
        except Incorrect as exc:
            raise Incorrect(f"At {label}:\n{exc}\nReturn the loss of the batch as a number "
                            "(`loss.item()`), computed before the update.") from None
        before = after


def _compare_parameters(after, ours, before, step) -> None:
    if len(after) != len(before) or all(
        np.array_equal(a, b) for a, b in zip(after, before, strict=True)
    ):
        raise Incorrect(
            f"After step {step} the model's parameters had not changed. A step must compute "
            "the loss, call `loss.backward()` to get the gradients, then `optimizer.step()` "
            "to apply them.")
    if all(np.allclose(a, p.data) for a, p in zip(after, ours.parameters(), strict=True)):
        return
    if step == 2:
        raise Incorrect(
            "The first step was right, but after the second the parameters differ from what "
            "they should be. Were the gradients of the first batch still there? `backward()` "
            "adds to `.grad`: call `optimizer.zero_grad()` before `loss.backward()`.")
    raise Incorrect(
        "After one step the parameters differ from what one SGD step gives. The order is: "
        "`optimizer.zero_grad()`, loss of `model(x_batch)` with "
        "`dl.sparse_categorical_crossentropy(y_batch, ...)`, `loss.backward()`, "
        "`optimizer.step()`.")


q2 = ProbeQuestion(
    "q2", observe=probes.train_step_results, cases=_train_step_cases,
    verdict=_train_step_verdict, seed=10,
    solution="def train_step(model, optimizer, x_batch, y_batch):\n"
             "    optimizer.zero_grad()\n"
             "    loss = dl.sparse_categorical_crossentropy(y_batch, model(x_batch))\n"
             "    loss.backward()\n"
             "    optimizer.step()\n"
             "    return loss.item()",
    hints=["Four lines and a return: reset the gradients, forward pass and loss, backward pass, "
           "update.",
           "`optimizer.zero_grad()`; `loss = dl.sparse_categorical_crossentropy(y_batch, "
           "model(x_batch))`; `loss.backward()`; `optimizer.step()`; `return loss.item()`."],
)


# -- q3: the shuffled epoch loop, written by hand ------------------------------------------------
def train_epochs(model, x, y, epochs, batch_size, learning_rate, seed):
    return _loop(model, x, y, epochs, batch_size, learning_rate, seed)


def _loop(model, x, y, epochs, batch_size, learning_rate, seed, *, shuffle="each epoch",
          reset=True, record="before", generator="default_rng"):
    """The loop q3 specifies; the keyword arguments plant the usual mistakes, for diagnosis."""
    if generator == "default_rng":
        rng = np.random.default_rng(seed)
        permutation = rng.permutation
    else:  # numpy's legacy global generator, seeded
        np.random.seed(seed)
        permutation = np.random.permutation
    params = model.parameters()
    order = permutation(len(x))
    losses = []
    for epoch in range(epochs):
        if shuffle == "each epoch" and epoch > 0:
            order = permutation(len(x))
        if shuffle == "never":
            order = np.arange(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]
            loss = dl.sparse_categorical_crossentropy(y[batch], model(x[batch]))
            if reset:
                for p in params:
                    p.grad = None
            loss.backward()
            for p in params:
                p.data -= learning_rate * p.grad
            if record == "after":
                with dl.no_grad():
                    loss = dl.sparse_categorical_crossentropy(y[batch], model(x[batch]))
            losses.append(loss.item())
    return np.array(losses)


LOOP_MISTAKES = [
    ({"shuffle": "never"}, "Your batches are taken in the data's own order: shuffle at the start "
     "of every epoch with `order = rng.permutation(len(x))` and take the batches in that order."),
    ({"shuffle": "once"}, "The first epoch is right, the second is not: draw a *fresh* "
     "`rng.permutation(len(x))` at the start of every epoch, from the same `rng`."),
    ({"generator": "legacy"}, "You shuffled with numpy's global generator (`np.random.seed`, "
     "`np.random.permutation`): make `rng = np.random.default_rng(seed)` once, before the "
     "first epoch, and draw every permutation from it."),
    ({"reset": False}, "The first batch is right, the next are not: `backward()` adds to `.grad`, "
     "so reset every parameter's gradient (`p.grad = None`, or `model.zero_grad()`) before each "
     "`loss.backward()`."),
    ({"record": "after"}, "Record each batch's loss as it was computed, *before* the update "
     "(`loss.item()`), not recomputed after it."),
]
REQUIRED_ACCURACY = 0.95


def _loop_cases(rng):
    n = 23  # batches of 5: the last batch of each epoch holds the 3 left over
    return {
        "small": {"x": rng.normal(size=(n, 4)).round(2), "y": rng.integers(0, 3, n),
                  "epochs": 2, "batch_size": 5, "learning_rate": 0.5,
                  "seed": int(rng.integers(1000))},
        "digits": {"epochs": 10, "batch_size": 32, "learning_rate": 0.1, "seed": 0},
    }


def _reference_run(run: dict, **mistake):
    model = probes.small_model()
    losses = _loop(model, np.asarray(run["x"]), np.asarray(run["y"]), run["epochs"],
                   run["batch_size"], run["learning_rate"], run["seed"], **mistake)
    return losses, [p.data for p in model.parameters()]


def _check_losses(run: dict, got, n_samples: int) -> np.ndarray:
    """The learner's returned value must be one number per batch: say what it was instead."""
    n_batches = run["epochs"] * -(-n_samples // run["batch_size"])
    if type(got).__name__ == "History":
        raise Incorrect("Your function returned the History of `dl.fit`. This question asks for "
                        "the loop `dl.fit` runs, written out by hand: shuffle, batches, forward, "
                        "loss, backward, update, and a list of every batch's loss.")
    if got is None:
        raise Incorrect("Your function returned None: return the batch losses, one number per "
                        "batch in the order they were computed (`return losses`).")
    if not isinstance(got, np.ndarray):
        raise Incorrect(f"expected the batch losses as numbers, one per batch, but got "
                        f"{describe_type(got)}: {fmt(got)}")
    if got.shape != (n_batches,):
        per_epoch = (" (one per epoch? one per *batch* is asked)"
                     if got.size == run["epochs"] else "")
        raise Incorrect(f"expected {n_batches} losses ({run['epochs']} epochs of "
                        f"{n_batches // run['epochs']} batches of up to {run['batch_size']} "
                        f"samples), but got {got.size}{per_epoch}")
    return got


def _loop_verdict(inputs, observed) -> str:
    (_, small), (_, digits) = list(case_results([0, 1], observed))
    run = inputs["small"]
    got = _check_losses(run, small["losses"], len(run["x"]))
    expected, expected_params = _reference_run(run)
    if not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
        first = int(np.argmax(~np.isclose(got, expected, rtol=1e-6, atol=1e-9)))
        advice = next((text for mistake, text in LOOP_MISTAKES
                       if np.allclose(got, _reference_run(run, **mistake)[0], rtol=1e-6)), "")
        per_epoch = -(-len(run["x"]) // run["batch_size"])
        raise Incorrect(
            f"On {len(run['x'])} samples, {run['epochs']} epochs of batches of "
            f"{run['batch_size']} (seed={run['seed']}): the loss of batch {first + 1} (epoch "
            f"{first // per_epoch + 1}) is {got[first]:.6g}, but the specified loop gives "
            f"{expected[first]:.6g}.\n" + (advice or
            "Follow the specification step by step: one `rng = np.random.default_rng(seed)`, "
            "a fresh `rng.permutation(len(x))` per epoch, batches in that order, gradients "
            "reset before each backward pass, `p.data -= learning_rate * p.grad`."))
    for i, (theirs, ours) in enumerate(zip(small["params"], expected_params, strict=True)):
        if not np.allclose(theirs, ours, rtol=1e-6, atol=1e-9):
            raise Incorrect(f"The losses are right, but parameter {i} of the model ends "
                            "elsewhere than the specified loop leaves it: was the last batch's "
                            "update applied, and only once?")
    (_, _), (_, y_test) = dl.datasets.load_digits()
    _check_losses(inputs["digits"], digits["losses"], 1437)
    score = float(np.mean(np.asarray(digits["predicted"]) == y_test))
    if score < REQUIRED_ACCURACY:
        raise Incorrect(f"Your loop matches the specification on the small case, but the digit "
                        f"network it trained reads only {score:.1%} of the test digits "
                        f"({REQUIRED_ACCURACY:.0%} needed).")
    return (f"Your loop reproduces the specified one batch for batch, and the digit network it "
            f"trained reads {score:.1%} of the {len(y_test)} test digits it never saw.")


q3 = ProbeQuestion(
    "q3", observe=probes.epoch_loop_results, cases=_loop_cases, verdict=_loop_verdict,
    points=3, timeout=TRAIN_TIMEOUT, time_limit=2 * TRAIN_TIMEOUT + 10,
    hints=["Start with `rng = np.random.default_rng(seed)`, `losses = []` and "
           "`params = model.parameters()`. Then `for epoch in range(epochs):` draw "
           "`order = rng.permutation(len(x))`.",
           "Batches: `for start in range(0, len(x), batch_size): batch = order[start:start + "
           "batch_size]`; then `x[batch]` and `y[batch]`.",
           "For each batch: `loss = dl.sparse_categorical_crossentropy(y[batch], "
           "model(x[batch]))`; `p.grad = None` for every parameter; `loss.backward()`; "
           "`p.data -= learning_rate * p.grad` for every parameter; `losses.append(loss.item())`. "
           "Return `np.array(losses)`."],
    solution=(
        "def train_epochs(model, x, y, epochs, batch_size, learning_rate, seed):\n"
        "    rng = np.random.default_rng(seed)\n"
        "    params = model.parameters()\n"
        "    losses = []\n"
        "    for epoch in range(epochs):\n"
        "        order = rng.permutation(len(x))\n"
        "        for start in range(0, len(x), batch_size):\n"
        "            batch = order[start : start + batch_size]\n"
        "            loss = dl.sparse_categorical_crossentropy(y[batch], model(x[batch]))\n"
        "            for p in params:\n"
        "                p.grad = None\n"
        "            loss.backward()\n"
        "            for p in params:\n"
        "                p.data -= learning_rate * p.grad\n"
        "            losses.append(loss.item())\n"
        "    return np.array(losses)"),
)


# -- q4: reading the curves ---------------------------------------------------------------------
q4 = ChoiceQuestion(
    "q4",
    {"a": "The model is too small to learn the digits (underfitting): add units or layers.",
     "b": "The model is learning the training images by heart (overfitting): keep the weights "
          "from around the epoch where the validation loss was lowest, or get more data.",
     "c": "The learning rate is too large: the training loss is about to diverge.",
     "d": "The loss function has a bug: a loss should never go up."},
    answer="b",
    explanations={
        "a": "An underfitting model does badly on the training data too; here the training loss "
             "is almost 0.",
        "b": "Falling training loss with rising validation loss is the signature of overfitting: "
             "what the model learns from now on are details of its training images that do not "
             "carry over to new ones.",
        "c": "A too-large learning rate makes the *training* loss bounce or explode; here it "
             "falls smoothly.",
        "d": "The validation loss measures data the model is not trained on; nothing forces it "
             "to fall.",
    },
    hints=["Which curve is measured on images the model learns from, and which on images it "
           "never sees?"],
)

exercise = Exercise("10_full_training_loop", [q1, q2, q3, q4])
