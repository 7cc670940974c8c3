"""The training-loop explorer: its model (lesson 10's loop, sliced) and its view (play, pause,
step, settings), including that playing trains in short turns of the event loop."""

import asyncio
import html
import math
import time

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.widgets.training_loop import (
    PLAY_EPOCHS_PER_SECOND,
    SLICE_SECONDS,
    TrainingRun,
    check_settings,
    describe,
    digits_split,
    show_training_loop,
)


@pytest.fixture(scope="module")
def split():
    return digits_split(0)


def test_validation_is_held_out_of_the_training_digits(split):
    (x_train, y_train), _ = dl.datasets.load_digits()
    order = np.random.default_rng(0).permutation(len(x_train))  # lesson 10's validation set
    np.testing.assert_array_equal(split.x_val, x_train[order[:300]])
    np.testing.assert_array_equal(split.y_train, y_train[order[300:]])

    def rows(x):
        return sorted(row.tobytes() for row in x)

    # together exactly the training digits (the test digits stay out of it)
    assert rows(np.concatenate([split.x_train, split.x_val])) == rows(x_train)
    np.testing.assert_array_equal(digits_split(0).y_val, split.y_val)
    assert not np.array_equal(digits_split(1).y_val, split.y_val)


def test_settings_are_checked_with_clear_errors():
    assert check_settings(32, 0.05, 32, 20) == (32, 0.05, 32, 20)
    with pytest.raises(ValueError, match="width \\(hidden units\\) must be an integer in "
                                         "1..128, got 500"):
        check_settings(500, 0.05, 32, 20)
    with pytest.raises(ValueError, match="must be an integer in 1..128, got 0"):
        check_settings(0, 0.05, 32, 20)
    with pytest.raises(ValueError, match="learning_rate must be between 0.001 and 1, got 5"):
        check_settings(32, 5.0, 32, 20)
    with pytest.raises(TypeError, match="learning_rate must be a positive number, got 'fast'"):
        check_settings(32, "fast", 32, 20)
    with pytest.raises(TypeError, match="batch_size must be an integer in 1..256 \\(an int\\), "
                                        "got float 2.5"):
        check_settings(32, 0.05, 2.5, 20)
    with pytest.raises(ValueError, match="epochs must be an integer in 1..50, got 51"):
        check_settings(32, 0.05, 32, 51)


def test_a_run_measures_before_training_and_after_every_epoch(split):
    run = TrainingRun(epochs=3, split=split)
    assert run.history["epoch"] == [0.0]
    assert run.history["loss"][0] == pytest.approx(math.log(10), rel=0.2)  # about a guess
    assert run.run_epoch() == run.batches_per_epoch == math.ceil(len(split.x_train) / 32)
    assert run.history["epoch"] == [0.0, 1.0] and run.progress == 1.0
    while not run.done:
        run.run_epoch()
    assert run.history["epoch"] == [0.0, 1.0, 2.0, 3.0]
    assert run.train_batches(5) == 0  # done: nothing more to train
    assert run.history["val_accuracy"][-1] > 0.85
    assert run.history["loss"][-1] < run.history["loss"][0] / 4
    # every batch's loss, placed at its fraction of an epoch
    assert len(run.batch_losses) == 3 * run.batches_per_epoch
    assert np.all(np.diff(run.batch_epochs) > 0) and run.batch_epochs[-1] == 3.0


def test_the_measurements_are_what_evaluate_says(split):
    run = TrainingRun(epochs=1, split=split)
    run.run_epoch()
    val = dl.evaluate(run.model, split.x_val, split.y_val)
    assert run.history["val_loss"][-1] == pytest.approx(val["loss"])
    assert run.history["val_accuracy"][-1] == pytest.approx(val["accuracy"])
    indices, predicted = run.mistakes(100)
    wrong = np.flatnonzero(dl.predict(run.model, split.x_val).argmax(1) != split.y_val)
    np.testing.assert_array_equal(indices, wrong[:100])
    assert np.all(predicted != split.y_val[indices]) and run.n_mistakes == len(wrong)
    assert len(run.mistakes(3)[0]) == min(3, len(wrong))


def test_slicing_does_not_change_the_run(split):
    whole = TrainingRun(epochs=2, batch_size=16, split=split)
    whole.train_batches(1000)
    sliced = TrainingRun(epochs=2, batch_size=16, split=split)
    while not sliced.done:
        sliced.train_batches(7)
    for a, b in zip(whole.model.parameters(), sliced.model.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)
    assert whole.history == sliced.history


def test_settings_change_the_training(split):
    base = TrainingRun(epochs=1, split=split)
    base.run_epoch()
    wide = TrainingRun(width=128, epochs=1, split=split)
    assert wide.model.layers[0].W.shape == (64, 128)
    slow = TrainingRun(learning_rate=0.001, epochs=1, split=split)
    slow.run_epoch()
    assert slow.history["loss"][-1] > base.history["loss"][-1] * 2
    big = TrainingRun(batch_size=256, epochs=1, split=split)
    assert big.batches_per_epoch == math.ceil(len(split.x_train) / 256)


def test_a_run_whose_loss_stops_being_a_number_stops_and_says_why(split):
    run = TrainingRun(epochs=2, split=split)
    run.train_batches(3)
    run.model.layers[0].W.data[0, 0] = np.inf  # what weights blown up by a huge step become
    assert run.train_batches(100) == 1
    assert run.diverged and run.done and not math.isfinite(run.batch_losses[-1])
    assert run.diverged_at == pytest.approx(4 / run.batches_per_epoch)
    assert "learning rate is too large" in describe(run)


def test_description_gives_settings_progress_and_measurements(split):
    run = TrainingRun(width=16, learning_rate=0.1, batch_size=64, epochs=5, split=split)
    assert "Not trained yet" in describe(run)
    run.run_epoch()
    text = describe(run)
    assert "16 hidden units, learning rate 0.1, batches of 64, for 5 epochs" in text
    assert "At epoch 1.0 of 5" in text and "validation loss" in text
    assert f"{run.n_mistakes} of {len(split.y_val)} validation digits" in text


# -- the view -------------------------------------------------------------------------------------

def test_step_and_restart_redraw_and_announce():
    explorer = show_training_loop(epochs=3, display=False)
    image, status = explorer.view.image.value, explorer.status.value
    explorer.step.click()
    assert explorer.run.progress == 1.0
    assert explorer.view.image.value != image and explorer.status.value != status
    assert "At epoch 1.0 of 3" in explorer.status.value
    assert "At epoch 1.0 of 3" in html.unescape(explorer.view.alt.value)  # its alt text
    first = explorer.run.history["loss"][1]
    explorer.restart.click()
    assert explorer.run.progress == 0.0
    explorer.step_epoch()
    assert explorer.run.history["loss"][1] == first  # the same start, the same epoch


def test_changing_a_setting_starts_a_new_run_but_epochs_only_extend_it():
    explorer = show_training_loop(epochs=2, display=False)
    explorer.step_epoch()
    run = explorer.run
    explorer.update(epochs=4)
    assert explorer.run is run and run.epochs == 4 and run.progress == 1.0
    assert explorer.loss_ax.get_xlim() == (0.0, 4.0)
    explorer.controls["width"].value = 16
    assert explorer.run is not run and explorer.run.width == 16 and explorer.run.progress == 0
    explorer.controls["learning_rate"].value = 0.2
    assert explorer.run.learning_rate == 0.2
    explorer.update(learning_rate=0.03)  # between two stops: the slider shows the nearer
    assert explorer.run.learning_rate == 0.03 and explorer.controls["learning_rate"].value == 0.02
    with pytest.raises(ValueError, match="batch_size must be an integer in 1..256"):
        explorer.update(batch_size=1000)
    with pytest.raises(TypeError, match="update\\(\\) takes width, learning_rate"):
        explorer.update(momentum=0.5)


def test_the_learning_rate_slider_has_round_stops_on_a_log_scale():
    explorer = show_training_loop(display=False)
    slider = explorer.controls["learning_rate"]
    assert slider.value == 0.05 and explorer.run.learning_rate == 0.05  # no drift to 0.0501
    labels = [label for label, _ in slider.options]
    assert labels[:3] == ["0.001", "0.002", "0.005"] and labels[-1] == "1"
    ratios = np.diff(np.log10([rate for _, rate in slider.options]))
    assert np.all((ratios > 0.2) & (ratios < 0.5))  # evenly spread on a log scale


def test_play_without_an_event_loop_trains_to_the_end():
    explorer = show_training_loop(epochs=2, display=False)
    explorer.play.click()
    assert explorer.run.done and not explorer.playing
    assert explorer.play.disabled and explorer.step.disabled and explorer.pause.disabled
    assert "Finished epoch 2.0 of 2" in explorer.status.value


def test_playing_takes_short_turns_and_pause_stops_it():
    explorer = show_training_loop(epochs=50, display=False)
    turns = []
    original = explorer.tick

    def timed_tick(*args):
        start = time.perf_counter()
        trained = original(*args)
        turns.append((time.perf_counter() - start, trained))
        return trained

    explorer.tick = timed_tick

    async def session():
        explorer.start()
        assert explorer.playing and explorer.pause.disabled is False
        await asyncio.sleep(0.6)  # the loop stays free: this sleep ends on time
        explorer.pause.click()
        paused_at = explorer.run.progress
        await asyncio.sleep(0.1)
        return paused_at

    paused_at = asyncio.run(session())
    assert not explorer.playing and explorer.run.progress == paused_at > 0
    trained = [seconds for seconds, n in turns if n]
    drawn = [seconds for seconds, n in turns if not n]
    assert trained and drawn  # it trained, and it redrew in turns of their own
    assert max(trained) < SLICE_SECONDS + 0.25  # one batch past the slice, even on a busy machine
    # at the pace of play: about 0.6 s x 2 epochs a second, not as fast as it can
    assert paused_at <= 0.7 * PLAY_EPOCHS_PER_SECOND + 0.1
    assert not explorer.run.done


def test_show_displays_without_a_notebook():
    assert show_training_loop(epochs=1).run.epochs == 1


def test_at_its_defaults_the_run_is_lesson_10s_fit(split):
    run = TrainingRun(epochs=2, split=split)
    model = dl.Sequential([dl.Dense(64, 64, activation="relu", seed=0),
                           dl.Dense(64, 10, activation="softmax", seed=1)])
    history = dl.fit(model, split.x_train, split.y_train, loss=dl.sparse_categorical_crossentropy,
                     optimizer=dl.SGD(model.parameters(), learning_rate=0.05, momentum=0.9),
                     epochs=2, batch_size=32, seed=0, verbose=0,
                     validation_data=(split.x_val, split.y_val), metrics=["accuracy"])
    run.train_batches(10_000)
    for ours, theirs in zip(run.model.parameters(), model.parameters(), strict=True):
        np.testing.assert_allclose(ours.data, theirs.data)
    np.testing.assert_allclose(run.history["val_loss"][1:], history["val_loss"])
    np.testing.assert_allclose(run.history["accuracy"][1:], history["accuracy"])
