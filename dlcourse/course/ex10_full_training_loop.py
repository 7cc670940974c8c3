"""Checks for exercises/10_full_training_loop.ipynb: accuracy, a training step, a digit classifier.

The digit classifier (q3) is graded on the held-out test split. The check calls the learner's
``train(x, y, seed)`` twice: once on the real training set, and once with the ten classes renamed
(a permutation of the labels drawn by the check), so that only a function that really trains on
the data it is given can pass; a model trained elsewhere and returned as is predicts the old names.
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
    unwrap,
)
from dlcourse.grading.mistakes import on_error

REQUIRED_ACCURACY = 0.95
RENAMED_ACCURACY = 0.90  # the second run only shows the function trains on what it is given
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


# -- q3: a digit classifier, graded on the test set ---------------------------------------------
def train(x, y, seed):
    model = dl.Sequential([
        dl.Dense(64, 64, activation="relu", seed=seed),
        dl.Dense(64, 10, activation="softmax", seed=seed + 1),
    ])
    optimizer = dl.SGD(model.parameters(), learning_rate=0.05, momentum=0.9)
    dl.fit(model, x, y, loss=dl.sparse_categorical_crossentropy, optimizer=optimizer,
           epochs=20, batch_size=32, seed=seed, verbose=0)
    return model


def _digit_cases(rng):
    """Two runs; the second renames the classes with a permutation drawn from ``rng`` (no digit
    keeps its own name), which a grader draws from a seed the learner cannot know."""
    classes = np.arange(10)
    while np.any(classes == np.arange(10)):
        classes = rng.permutation(10)
    return {"runs": [{"seed": 0, "classes": None}, {"seed": 1, "classes": classes}],
            "stop_below": REQUIRED_ACCURACY}


def _digit_verdict(inputs, observed) -> str:
    """Accuracy on the held-out test split, for the real labels and for renamed ones."""
    _, (_, y_test) = dl.datasets.load_digits()
    (first, plain_run), *rest = list(case_results(inputs["runs"][: len(observed)], observed))
    score = _accuracy(plain_run, y_test)
    if score < REQUIRED_ACCURACY:
        raise Incorrect(_too_low(score))
    if not rest:
        raise ValueError("the second training run is missing")
    (renamed, renamed_run), = rest
    classes = np.asarray(renamed["classes"])
    renamed_score = _accuracy(renamed_run, classes[y_test])
    if renamed_score < RENAMED_ACCURACY:
        if np.mean(renamed_run["predicted"] == y_test) > 0.5:
            raise Incorrect(
                "The check trained your function a second time with the classes renamed "
                "(each digit given another label), and your model still predicted the "
                "original digits. `train` must learn from the `x` and `y` it is given, not "
                "from data it loads itself or a model trained beforehand.")
        raise Incorrect(
            f"Trained a second time (seed={renamed['seed']}, with the ten classes renamed), "
            f"your model reached only {renamed_score:.1%} test accuracy. Does `train` use its "
            "`x`, `y` and `seed` arguments?")
    return (f"Test accuracy {score:.1%} on the {len(y_test)} held-out digits (needed: "
            f"{REQUIRED_ACCURACY:.0%}).")


def _accuracy(run: dict, truth: np.ndarray) -> float:
    shape = tuple(run["shape"])
    if shape != (len(truth), 10):
        raise Incorrect(f"on the {len(truth)} test images your model should give shape "
                        f"({len(truth)}, 10), one score per digit, but gave shape {shape}")
    return float(np.mean(np.asarray(run["predicted"]) == truth))


def _too_low(score: float) -> str:
    head = (f"Your model reached {score:.1%} test accuracy on the 360 held-out digits; "
            f"at least {REQUIRED_ACCURACY:.0%} is needed.")
    if score < 0.2:
        return (f"{head} That is about what guessing gives (10%): did the model train? "
                "Check that `train` calls `dl.fit` (or runs your own loop) on its `x` and `y` "
                "before returning the model.")
    return (f"{head} Train longer (e.g. 20 epochs), or try momentum=0.9 with "
            "learning_rate=0.05 and batches of 32.")


q3 = ProbeQuestion(
    "q3", observe=probes.digit_predictions, cases=_digit_cases, verdict=_digit_verdict,
    points=2, timeout=TRAIN_TIMEOUT, time_limit=3 * TRAIN_TIMEOUT,
    solution=(
        "def train(x, y, seed):\n"
        "    model = dl.Sequential([\n"
        "        dl.Dense(64, 64, activation=\"relu\", seed=seed),\n"
        "        dl.Dense(64, 10, activation=\"softmax\", seed=seed + 1),\n"
        "    ])\n"
        "    optimizer = dl.SGD(model.parameters(), learning_rate=0.05, momentum=0.9)\n"
        "    dl.fit(model, x, y, loss=dl.sparse_categorical_crossentropy, optimizer=optimizer,\n"
        "           epochs=20, batch_size=32, seed=seed, verbose=0)\n"
        "    return model"),
    hints=["Build a model with 64 inputs and 10 softmax outputs (lesson 10's two Dense layers "
           "work), a `dl.SGD` optimizer, then train with `dl.fit` on `x` and `y`.",
           "Lesson 10's recipe reaches about 97%: learning_rate=0.05, momentum=0.9, 20 epochs, "
           "batch_size=32. Pass `seed` to the layers and to `dl.fit`, and `verbose=0`."],
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
