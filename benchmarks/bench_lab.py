"""How fast the lab trains and how often the page hears from it.

The issue's case: MLP(2, [16, 16, 1]) on 100 points (the whole batch each
step), the decision boundary on a 40 x 40 grid.  Measured here:

* steps a second of LabSession.train_step's training (the jit's compiled
  per-sample gradients, summed, then the optimizer's rule);
* the heat map's time (1,600 forward passes on floats);
* frames a second over a real WebSocket connection while playing (the
  server's play loop, each frame a few steps, the weights and the heat map).

Prints a table; asserts nothing about speed.  ``--quick`` runs briefly (CI).
"""

import argparse
import json
import time

from tinygrad_edu.lab import LabSession


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short run (CI)")
    args = parser.parse_args(argv)
    seconds = 1.0 if args.quick else 5.0

    session = LabSession(seed=0)
    session.handle({"type": "settings", "hidden": [16, 16], "dataset": "moons"})
    assert len(session.points) == 100
    first = session.train_step()["loss"]
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        session.train_step()
        steps += 1
    per_second = steps / (time.perf_counter() - start)
    assert session.history[-1][1] < first, "training must lower the loss"

    runs = 3 if args.quick else 10
    start = time.perf_counter()
    for _ in range(runs):
        session.heatmap()
    heatmap = (time.perf_counter() - start) / runs

    rows = [
        ("training steps a second (train_step, each with its frame)", f"{per_second:.1f}"),
        ("heat map, 40 x 40 grid", f"{heatmap * 1000:.0f} ms"),
    ]
    rate = _frames_over_websocket(seconds)
    if rate is not None:
        frames, steps_live = rate
        rows += [
            ("frames a second over the WebSocket while playing", f"{frames:.1f}"),
            ("training steps a second while playing", f"{steps_live:.1f}"),
        ]
    print("The lab: MLP(2, [16, 16, 1]) on 100 points, the whole batch each step")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value:>8}")


def _frames_over_websocket(seconds):
    """(frames a second, steps a second) seen by a client of the real app, or None
    without the lab extra."""
    try:
        from starlette.testclient import TestClient
    except ImportError:
        print("(no lab extra installed: the WebSocket measure is skipped)")
        return None
    from tinygrad_edu.labserver import create_app

    def factory():
        s = LabSession(seed=0)
        s.handle({"type": "settings", "hidden": [16, 16], "dataset": "moons"})
        return s

    client = TestClient(create_app("t", session_factory=factory))
    with client.websocket_connect("/ws?token=t", headers={"origin": "http://testserver"}) as ws:
        for _ in range(3):
            ws.receive_text()
        ws.send_text(json.dumps({"type": "play"}))
        frames, start, first_step, step = 0, time.perf_counter(), None, 0
        while time.perf_counter() - start < seconds:
            message = json.loads(ws.receive_text())
            if message["type"] == "frame":
                frames += 1
                step = message["step"]
                first_step = step if first_step is None else first_step
        elapsed = time.perf_counter() - start
        ws.send_text(json.dumps({"type": "pause"}))
    return frames / elapsed, (step - (first_step or 0)) / elapsed


if __name__ == "__main__":
    main()
