"""The full training loop: it learns the digits, it is deterministic, it stops when it diverges."""

import numpy as np
import pytest

import dlcourse as dl


def digit_model(seed=0):
    return dl.Sequential([dl.Dense(64, 64, activation="relu", seed=seed),
                          dl.Dense(64, 10, activation="softmax", seed=seed + 1)])


def train_digits(seed=0, epochs=20, **kwargs):
    (x, y), (x_test, y_test) = dl.datasets.load_digits()
    model = digit_model(seed)
    opt = dl.SGD(model.parameters(), learning_rate=0.05, momentum=0.9)
    history = dl.fit(model, x, y, loss=dl.sparse_categorical_crossentropy, optimizer=opt,
                     epochs=epochs, batch_size=32, seed=seed, verbose=0,
                     validation_data=(x_test, y_test), metrics=["accuracy"], **kwargs)
    return model, history, (x_test, y_test)


def test_a_seeded_mlp_reaches_97_percent_on_the_digits_test_set():
    model, history, (x_test, y_test) = train_digits()
    result = dl.evaluate(model, x_test, y_test)
    assert result["accuracy"] >= 0.97, result
    assert history["val_accuracy"][-1] == pytest.approx(result["accuracy"])
    assert history["loss"][-1] < history["loss"][0] / 5
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == list(range(20))


def test_same_seed_same_numbers():
    _, first, _ = train_digits(epochs=3)
    _, second, _ = train_digits(epochs=3)
    assert first.history == second.history
    _, other, _ = train_digits(seed=5, epochs=3)
    assert other.history["loss"] != first.history["loss"]


def test_callbacks_see_every_epoch():
    seen = []
    train_digits(epochs=2, callbacks=[lambda epoch, logs: seen.append((epoch, sorted(logs)))])
    assert [e for e, _ in seen] == [0, 1]
    assert seen[0][1] == ["accuracy", "loss", "val_accuracy", "val_loss"]


def test_divergence_stops_training_and_names_the_learning_rate():
    x, y = dl.datasets.noisy_line(n=50)
    unit = dl.LinearUnit(1)
    with pytest.raises(dl.TrainingDiverged, match=r"learning rate \(50\) is probably too large"):
        dl.fit(unit, x, y, loss=dl.mse, optimizer=dl.SGD(unit.parameters(), learning_rate=50),
               epochs=500, batch_size=50, verbose=0)


def test_verbosity(capsys):
    x, y = dl.datasets.noisy_line(n=20)
    unit = dl.LinearUnit(1)
    opt = dl.SGD(unit.parameters(), learning_rate=0.05)
    dl.fit(unit, x, y, loss=dl.mse, optimizer=opt, epochs=2, verbose=0)
    assert capsys.readouterr() == ("", "")
    dl.fit(unit, x, y, loss=dl.mse, optimizer=opt, epochs=2, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == ["epoch 1/2", "epoch 2/2"]
    dl.fit(unit, x, y, loss=dl.mse, optimizer=opt, epochs=2, verbose=1)
    assert "batch" in capsys.readouterr().err  # a progress bar on stderr


def test_linear_unit_learns_the_noisy_line():
    x, y = dl.datasets.noisy_line(n=200, slope=3.0, intercept=2.0, noise=0.5)
    unit = dl.LinearUnit(1)
    dl.fit(unit, x, y, loss=dl.mse, optimizer=dl.SGD(unit.parameters(), learning_rate=0.1),
           epochs=30, batch_size=16, seed=0, verbose=0)
    assert unit.w.data[0] == pytest.approx(3.0, abs=0.15)
    assert unit.b.item() == pytest.approx(2.0, abs=0.15)


def test_predict_does_not_record_the_graph_and_matches_the_model():
    model = digit_model()
    x = np.random.default_rng(0).random((5, 64))
    out = dl.predict(model, x)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, model(x).data)


def test_accuracy_reads_labels_one_hot_and_binary_predictions():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    assert dl.accuracy([0, 1, 1], probs) == pytest.approx(2 / 3)
    assert dl.accuracy(np.eye(2)[[0, 1, 1]], probs) == pytest.approx(2 / 3)
    assert dl.accuracy([1, 0, 1], np.array([[0.7], [0.2], [0.4]])) == pytest.approx(2 / 3)
