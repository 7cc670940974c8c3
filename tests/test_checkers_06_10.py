"""Checkers of exercises 06-08 and 10 (09 has its own file): each accepts its solution and
rejects the mistakes learners make.

Every question is tried with its reference answer (and, where it matters, an equivalent answer
written with dlcourse Tensors), with at least two planted wrong answers whose message must say
what went wrong, and, for function questions, with a learner function that raises and with the
stubs an exercise ships with.
"""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.course import ex06_loss_functions as ex06
from dlcourse.course import ex07_optimizer as ex07
from dlcourse.course import ex08_learning_rate as ex08
from dlcourse.course import ex10_full_training_loop as ex10
from dlcourse.course import probes
from dlcourse.grading import (
    CORRECT,
    ERROR,
    INCORRECT,
    NOT_ATTEMPTED,
    TIMEOUT,
    ChoiceQuestion,
    FunctionQuestion,
    ProbeQuestion,
)

EXERCISES = [ex06.exercise, ex07.exercise, ex08.exercise, ex10.exercise]
ALL_QUESTIONS = [q for exercise in EXERCISES for q in exercise]


def qid(q) -> str:
    return f"{q.exercise}.{q.id}"


def assert_correct(q, answer) -> None:
    outcome = q.evaluate(answer)
    assert outcome.status == CORRECT, outcome.message


def assert_incorrect(q, answer, *fragments: str) -> str:
    with np.errstate(all="ignore"):  # some planted mistakes take log(0) on purpose
        outcome = q.evaluate(answer)
    assert outcome.status == INCORRECT, (outcome.status, outcome.message)
    for fragment in fragments:
        assert fragment in outcome.message, outcome.message
    return outcome.message


# -- every question ------------------------------------------------------------------------------
def test_every_exercise_has_at_least_three_questions_of_several_kinds():
    for exercise in EXERCISES:
        questions = list(exercise)
        assert len(questions) >= 3
        assert any(not isinstance(q, ChoiceQuestion) for q in questions)


@pytest.mark.parametrize("q", ALL_QUESTIONS, ids=qid)
def test_placeholder_is_not_attempted(q):
    assert q.evaluate(...).status == NOT_ATTEMPTED


@pytest.mark.parametrize("q", ALL_QUESTIONS, ids=qid)
def test_every_question_has_hints_and_a_solution(q):
    assert q.hints
    assert q._solution().strip()


FUNCTION_QUESTIONS = [ex06.q1, ex06.q2, ex06.q3, ex06.q6, ex07.q1, ex07.q2, ex08.q1,
                      ex10.q1, ex10.q2, ex10.q3]


@pytest.mark.parametrize("q", FUNCTION_QUESTIONS, ids=qid)
def test_learner_function_that_raises_is_reported_not_raised(q):
    def broken(*args):
        return args[0] / "oops"

    outcome = q.evaluate(broken)
    assert outcome.status == ERROR
    assert "TypeError" in outcome.message


@pytest.mark.parametrize("q", FUNCTION_QUESTIONS, ids=qid)
def test_exercise_stub_is_not_attempted(q):
    def stub(*args):
        raise NotImplementedError("your answer here")

    assert q.evaluate(stub).status == NOT_ATTEMPTED


@pytest.mark.parametrize("q", FUNCTION_QUESTIONS, ids=qid)
def test_a_value_instead_of_a_function_is_incorrect(q):
    assert_incorrect(q, 0.5, "expected your function itself")


@pytest.mark.parametrize("q", [q for q in FUNCTION_QUESTIONS if isinstance(q, FunctionQuestion)],
                         ids=qid)
def test_hard_coded_answer_for_the_first_case_fails(q):
    first = q.inputs()[0]
    answer = q.reference(*first.values())
    assert_incorrect(q, lambda *args: answer)


@pytest.mark.parametrize("q", [q for q in ALL_QUESTIONS if isinstance(q, ChoiceQuestion)],
                         ids=qid)
def test_choices_accept_the_answer_and_explain_every_other_option(q):
    assert_correct(q, q.answer)
    assert_correct(q, q.answer.upper())
    for key in q.options:
        if key != q.answer:
            message = assert_incorrect(q, key, "not the best answer")
            assert q.explanations[key] in message
    assert_incorrect(q, "z", "expected one of")


# -- 06 loss functions ---------------------------------------------------------------------------
def test_06_mse():
    assert_correct(ex06.q1, ex06.mse)
    assert_correct(ex06.q1, lambda y_true, y_pred: dl.mse(y_true, y_pred).item())
    assert_incorrect(ex06.q1, lambda y_true, y_pred: dl.mse(y_true, y_pred), "got a Tensor",
                     ".item()")
    assert_incorrect(ex06.q1, lambda t, p: np.sum((t - p) ** 2), "add up",
                     "instead of taking their mean")
    assert_incorrect(ex06.q1, lambda t, p: np.sqrt(np.mean((t - p) ** 2)), "square root")
    assert_incorrect(ex06.q1, lambda t, p: np.mean(p - t), "expected 1.33333")


def test_06_mae():
    assert_correct(ex06.q2, ex06.mae)
    assert_correct(ex06.q2, lambda y_true, y_pred: dl.mae(y_true, y_pred).item())
    assert_incorrect(ex06.q2, lambda t, p: np.mean(p - t), "absolute value of every error")
    assert_incorrect(ex06.q2, lambda t, p: abs(np.mean(p - t)), "cancel out")
    assert_incorrect(ex06.q2, lambda t, p: np.sum(np.abs(t - p)), "instead of taking their mean")


def test_06_binary_crossentropy():
    assert_correct(ex06.q3, ex06.binary_crossentropy)
    assert_correct(ex06.q3, lambda y, p: dl.binary_crossentropy(y, p).item())

    def unclipped(y, p):
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    message = assert_incorrect(ex06.q3, unclipped, "got nan", "Clip the probabilities")
    assert "For inputs y_true=[1.0, 0.0, 1.0, 0.0, 1.0]" in message  # the small example first

    def no_minus(y, p):
        p = np.clip(p, 1e-7, 1 - 1e-7)
        return np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert_incorrect(ex06.q3, no_minus, "wrong sign")

    def clipped_too_little(y, p):
        p = np.clip(p, 1e-15, 1 - 1e-15)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert_incorrect(ex06.q3, clipped_too_little, "expected 6.5")


def test_06_categorical_crossentropy_value():
    labels, probabilities = ex06.Q4_LABELS, ex06.Q4_PROBABILITIES
    right = -np.mean(np.log(probabilities[np.arange(4), labels]))
    assert_correct(ex06.q4, right)
    assert_correct(ex06.q4, dl.sparse_categorical_crossentropy(labels, probabilities).item())
    assert_incorrect(ex06.q4, dl.sparse_categorical_crossentropy(labels, probabilities), ".item()")
    assert_incorrect(ex06.q4, -right, "wrong sign")
    assert_incorrect(ex06.q4, 4 * right, "instead of taking their mean")
    assert_incorrect(ex06.q4, -np.log(probabilities).mean(), "Only the probability of the true")
    assert_incorrect(ex06.q4, "0.5", "expected a number, but got a str")


def test_06_mae_gradient_is_checked_numerically():
    assert_correct(ex06.q6, lambda y, p: np.sign(p - y) / len(y))

    def by_backward(y_true, y_pred):
        p = dl.Tensor(y_pred, requires_grad=True)
        dl.mae(y_true, p).backward()
        return p.grad

    assert_correct(ex06.q6, by_backward)
    assert_incorrect(ex06.q6, lambda y, p: np.sign(y - p) / len(y), "wrong sign")
    assert_incorrect(ex06.q6, lambda y, p: 2 * (p - y) / len(y), "the MSE's gradient")
    assert_incorrect(ex06.q6, lambda y, p: np.abs(p - y) / len(y), "not its slope")
    assert_incorrect(ex06.q6, lambda y, p: np.sign(p - y), "divided by the number of samples")
    assert_incorrect(ex06.q6, lambda y, p: list(np.sign(p - y) / len(y)), "got a list")


# -- 07 optimizer --------------------------------------------------------------------------------
def gradient_by_backward(x, y, w, b):
    w, b = dl.Tensor(w, requires_grad=True), dl.Tensor(b, requires_grad=True)
    dl.binary_crossentropy(y, dl.sigmoid(dl.dot(x, w) + b)).backward()
    return w.grad, b.grad


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def bce_gradient(x, y, w, b):
    p = sigmoid(x @ w + b)
    return x.T @ (p - y) / len(y), np.mean(p - y)


def test_07_sigmoid_crossentropy_gradient_is_checked_numerically():
    assert_correct(ex07.q1, bce_gradient)
    assert_correct(ex07.q1, gradient_by_backward)
    assert "numerical gradient" in ex07.q1.evaluate(bce_gradient).message

    def scaled(factor, error_of):
        return lambda x, y, w, b: (factor * x.T @ error_of(x, y, w, b) / len(y),
                                   factor * np.mean(error_of(x, y, w, b)))

    def p_minus_y(x, y, w, b):
        return sigmoid(x @ w + b) - y

    assert_incorrect(ex07.q1, scaled(-1, p_minus_y), "wrong sign")
    assert_incorrect(ex07.q1, scaled(2, p_minus_y), "no square")
    assert_incorrect(ex07.q1, scaled(1, lambda x, y, w, b: x @ w + b - y), "raw output z")
    assert_incorrect(ex07.q1, scaled(1, lambda x, y, w, b: p_minus_y(x, y, w, b)
                                     * sigmoid(x @ w + b) * (1 - sigmoid(x @ w + b))),
                     "once too often")
    assert_incorrect(ex07.q1, lambda x, y, w, b: (x.T @ p_minus_y(x, y, w, b),
                                                  np.sum(p_minus_y(x, y, w, b))),
                     "divide by the number of samples")
    assert_incorrect(ex07.q1, lambda x, y, w, b: x.T @ p_minus_y(x, y, w, b) / len(y),
                     "expected two things")


def test_07_sgd_step():
    assert_correct(ex07.q2, ex07.sgd_step)

    def with_optimizer(parameters, learning_rate):
        dl.SGD(parameters, learning_rate=learning_rate).step()

    assert_correct(ex07.q2, with_optimizer)

    def rebinds(parameters, learning_rate):
        for p in parameters:
            p = p - learning_rate * p.grad  # noqa: PLW2901 (the planted mistake)

    def uphill(parameters, learning_rate):
        for p in parameters:
            p.data += learning_rate * p.grad

    def no_rate(parameters, learning_rate):
        for p in parameters:
            p.data -= p.grad

    def first_only(parameters, learning_rate):
        parameters[0].data -= learning_rate * parameters[0].grad

    assert_incorrect(ex07.q2, rebinds, "did not change", "p.data -=")
    assert_incorrect(ex07.q2, uphill, "uphill")
    assert_incorrect(ex07.q2, no_rate, "ignores the learning rate")
    assert_incorrect(ex07.q2, first_only, "parameter 1 after the step")


def test_07_number_of_updates():
    assert_correct(ex07.q3, 69)
    assert_incorrect(ex07.q3, 66, "Round up")
    assert_incorrect(ex07.q3, 3 * 1437 / 64, "whole number")
    assert_incorrect(ex07.q3, 23, "one epoch")
    assert_incorrect(ex07.q3, 3 * 1437, "counts samples")
    assert_incorrect(ex07.q3, 69.0, "expected an integer")


def test_07_one_step_by_hand():
    assert_correct(ex07.q4, (2.3, 0.8))
    assert_correct(ex07.q4, (np.array([2.3]), np.array(0.8)))  # from a LinearUnit's parameters
    assert_correct(ex07.q4, [dl.Tensor([2.3]), dl.Tensor(0.8)])
    assert_incorrect(ex07.q4, (0.5 - 1.8, 0.0 - 0.8), "uphill")
    assert_incorrect(ex07.q4, (-18.0, -8.0), "In w_new: expected 2.3, but got -18.0")
    assert_incorrect(ex07.q4, 2.3, "expected two numbers")


# -- 08 learning rate ----------------------------------------------------------------------------
def test_08_descend():
    assert_correct(ex08.q1, ex08.descend)

    def with_tensors(x, y, learning_rate, steps):
        unit = dl.LinearUnit(1, w=[0.0], b=0.0)
        optimizer = dl.SGD(unit.parameters(), learning_rate=learning_rate)
        losses = []
        for _ in range(steps):
            optimizer.zero_grad()
            loss = dl.mse(y, unit(x))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        return np.array(losses)

    assert_correct(ex08.q1, with_tensors)

    def late(x, y, learning_rate, steps):
        w = b = 0.0
        losses = []
        for _ in range(steps):
            error = w * x + b - y
            w -= learning_rate * 2 * np.mean(error * x)
            b -= learning_rate * 2 * np.mean(error)
            losses.append(np.mean((w * x + b - y) ** 2))
        return np.array(losses)

    def uphill(x, y, learning_rate, steps):
        w = b = 0.0
        losses = []
        for _ in range(steps):
            error = w * x + b - y
            losses.append(np.mean(error**2))
            w += learning_rate * 2 * np.mean(error * x)
            b += learning_rate * 2 * np.mean(error)
        return np.array(losses)

    def no_factor_two(x, y, learning_rate, steps):
        w = b = 0.0
        losses = []
        for _ in range(steps):
            error = w * x + b - y
            losses.append(np.mean(error**2))
            w -= learning_rate * np.mean(error * x)
            b -= learning_rate * np.mean(error)
        return np.array(losses)

    assert_incorrect(ex08.q1, late, "one step late")
    assert_incorrect(ex08.q1, uphill, "against")
    assert_incorrect(ex08.q1, no_factor_two, "values differ")


def test_08_the_edge_is_where_descent_starts_to_diverge():
    x, y = dl.datasets.noisy_line(n=50, seed=0)
    edge = ex08.stable_limit()
    assert 0.70 < edge < 0.73
    with np.errstate(all="ignore"):
        below, above = (ex08.descend(x, y, edge * f, 1000) for f in (0.99, 1.01))
    assert below[-1] < below[0] and not above[-1] < above[0]


def test_08_edge_found_by_experiment():
    assert_correct(ex08.q2, 0.7145)
    assert_correct(ex08.q2, 0.71)  # two significant digits are enough
    assert "0.7145" in ex08.q2.evaluate(0.714).message
    assert_incorrect(ex08.q2, 0.7, "still converges")
    assert_incorrect(ex08.q2, 0.75, "That rate diverges")
    assert_incorrect(ex08.q2, 0.3, "converges comfortably")
    assert_incorrect(ex08.q2, 2.0, "Far past the edge")
    assert_incorrect(ex08.q2, dl.Tensor(0.7145), ".item()")


def test_08_limit():
    assert_correct(ex08.q3, 0.2)
    assert_correct(ex08.q3, 2 / 10)
    assert_incorrect(ex08.q3, 0.1, "fastest rate")
    assert_incorrect(ex08.q3, 0.4, "10w")
    assert_incorrect(ex08.q3, "0.2", "expected a number")


# -- 10 full training loop -----------------------------------------------------------------------
def test_10_accuracy():
    assert_correct(ex10.q1, ex10.accuracy)
    assert_correct(ex10.q1, lambda y, p: dl.accuracy(y, p))
    assert_incorrect(ex10.q1, lambda y, p: np.sum(np.argmax(p, axis=1) == y), "divide by")
    assert_incorrect(ex10.q1, lambda y, p: 100 * np.mean(np.argmax(p, axis=1) == y),
                     "not as a percentage")
    assert_incorrect(ex10.q1, lambda y, p: np.mean(np.max(p, axis=1)), "expected 0.75")


def forgets_zero_grad(model, optimizer, x_batch, y_batch):
    loss = dl.sparse_categorical_crossentropy(y_batch, model(x_batch))
    loss.backward()
    optimizer.step()
    return loss.item()


def forgets_step(model, optimizer, x_batch, y_batch):
    optimizer.zero_grad()
    loss = dl.sparse_categorical_crossentropy(y_batch, model(x_batch))
    loss.backward()
    return loss.item()


def loss_after_update(model, optimizer, x_batch, y_batch):
    ex10.train_step(model, optimizer, x_batch, y_batch)
    return dl.sparse_categorical_crossentropy(y_batch, model(x_batch)).item()


def wrong_loss(model, optimizer, x_batch, y_batch):
    optimizer.zero_grad()
    loss = dl.mse(np.eye(3)[y_batch], model(x_batch))
    loss.backward()
    optimizer.step()
    return loss


def test_10_train_step():
    assert_correct(ex10.q2, ex10.train_step)
    assert_correct(ex10.q2, lambda m, o, x, y: dl.train_step(m, x, y,
                                                             dl.sparse_categorical_crossentropy, o))
    returns_tensor = ex10.train_step
    assert_incorrect(ex10.q2, lambda m, o, x, y: dl.Tensor(returns_tensor(m, o, x, y)), ".item()")
    assert_incorrect(ex10.q2, forgets_zero_grad, "The first step was right", "zero_grad")
    assert_incorrect(ex10.q2, forgets_step, "had not changed", "optimizer.step()")
    assert_incorrect(ex10.q2, loss_after_update, "In the loss you returned", "before the update")
    assert_incorrect(ex10.q2, wrong_loss, "After one step the parameters differ",
                     "sparse_categorical_crossentropy")


def loop_with(**mistake):
    def loop(model, x, y, epochs, batch_size, learning_rate, seed):
        return ex10._loop(model, x, y, epochs, batch_size, learning_rate, seed, **mistake)
    return loop


def pasted_fit(model, x, y, epochs, batch_size, learning_rate, seed):
    return dl.fit(model, x, y, loss=dl.sparse_categorical_crossentropy,
                  optimizer=dl.SGD(model.parameters(), learning_rate=learning_rate),
                  epochs=epochs, batch_size=batch_size, seed=seed, verbose=0)


def test_10_epoch_loop_accepts_the_specified_loop():
    outcome = ex10.q3.evaluate(ex10.train_epochs)
    assert outcome.status == CORRECT, outcome.message
    assert "batch for batch" in outcome.message and "96." in outcome.message

    def with_zero_grad_and_lists(model, x, y, epochs, batch_size, learning_rate, seed):
        rng = np.random.default_rng(seed)
        losses = []
        for _ in range(epochs):
            order = rng.permutation(len(x))
            for batch in np.array_split(order, range(batch_size, len(x), batch_size)):
                model.zero_grad()
                loss = dl.sparse_categorical_crossentropy(y[batch], model(x[batch]))
                loss.backward()
                for p in model.parameters():
                    p.data = p.data - learning_rate * p.grad
                losses.append(loss.item())
        return losses  # a list of numbers is read as the losses

    assert_correct(ex10.q3, with_zero_grad_and_lists)


def test_10_a_pasted_fit_does_not_pass():
    assert_incorrect(ex10.q3, pasted_fit, "History of `dl.fit`", "written out by hand")

    def fit_then_epoch_losses(*args):
        return np.array(pasted_fit(*args).history["loss"])

    assert_incorrect(ex10.q3, fit_then_epoch_losses, "one per epoch?")


@pytest.mark.parametrize(("mistake", "fragment"), [
    ({"shuffle": "never"}, "data's own order"),
    ({"shuffle": "once"}, "draw a *fresh*"),
    ({"generator": "legacy"}, "numpy's global generator"),
    ({"reset": False}, "adds to `.grad`"),
    ({"record": "after"}, "*before* the update"),
])
def test_10_epoch_loop_names_the_mistake(mistake, fragment):
    assert_incorrect(ex10.q3, loop_with(**mistake), "the loss of batch", fragment)


def test_10_epoch_loop_returns_and_errors():
    def returns_nothing(*args):
        ex10.train_epochs(*args)

    assert_incorrect(ex10.q3, returns_nothing, "returned None")

    def forever(*args):
        while True:
            pass

    quick = ProbeQuestion("t", observe=probes.epoch_loop_results, cases=ex10._loop_cases,
                          verdict=ex10._loop_verdict, timeout=0.2)
    assert quick.evaluate(forever).status == TIMEOUT

    def one_hot_loss(model, x, y, epochs, batch_size, learning_rate, seed):
        return dl.categorical_crossentropy(y, model(x))

    outcome = ex10.q3.evaluate(one_hot_loss)
    assert outcome.status == ERROR and "seed=" in outcome.message


def test_10_epoch_loop_that_trains_too_little_misses_the_bar():
    def no_update_after_the_first_epoch(model, x, y, epochs, batch_size, learning_rate, seed):
        rate = learning_rate if len(x) < 100 else learning_rate / 100
        return ex10.train_epochs(model, x, y, epochs, batch_size, rate, seed)

    assert_incorrect(ex10.q3, no_update_after_the_first_epoch, "95% needed")
