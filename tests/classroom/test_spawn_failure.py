"""A learner whose server cannot start: the class reports them by name and stops cleanly."""

from __future__ import annotations

import pytest

from .hub import Learner, SpawnError, port_open

pytestmark = pytest.mark.classroom


def break_home(learner: Learner) -> None:
    """A home where Jupyter cannot make its runtime folder (a file stands in its way), as after
    a full disk or a bad copy: the learner's server exits at start."""
    blocker = learner.home / ".local" / "share" / "jupyter"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder")


def test_a_server_that_fails_to_spawn_is_named_and_the_rest_stop(make_hub):
    hub = make_hub(spawn_timeout=30)  # the hub notices a dead server only at this timeout
    names = ["fay", "gus", "hal"]
    for name in names:
        hub.api("POST", f"/users/{name}").raise_for_status()
    break_home(Learner(hub, "gus"))
    for name in names:
        hub.spawn(name)
    with pytest.raises(SpawnError) as caught:
        hub.wait_ready(names)
    assert list(caught.value.failed) == ["gus"]
    assert "gus" in str(caught.value)
    running = [n for n in names
               if (hub.api("GET", f"/users/{n}").json()["servers"].get("") or {}).get("ready")]
    assert running == ["fay", "hal"]
    servers = [pid for pid, name in hub.started.items() if name != "jupyterhub"]
    assert servers, "the hub's tree should hold the proxy and two learners' servers"

    ports = (hub.port, hub.hub_port, hub.api_port)
    assert hub.stop() == [], "processes left after the hub's own shutdown"
    assert hub.alive() == []
    assert not any(port_open(p) for p in ports)
