"""SECURITY.md, "Per-visitor limits": a few requests per visitor, and visitors take turns.

Behind a share link, one visitor must not fill the queue or make everyone else wait behind a
hundred requests. Each visitor here is its own gradio_client over 127.0.0.1.
"""

import asyncio
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from workshop_lib import app
from workshop_lib.app.fairqueue import FairQueue
from workshop_lib.assets import bundled
from workshop_lib.errors import WorkshopError

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402
from ports import free_port  # noqa: E402

PER_VISITOR = 3


@pytest.fixture(scope="module")
def running():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKSHOP_OFFLINE", "1")
        limits = app.Limits(requests_per_visitor=PER_VISITOR)
        made = app.create_app(concurrency=1, limits=limits, queue_size=40)
        made.launch(port=free_port(), inline=False)
        yield made
        made.close()


def visitor(running, tmp_path) -> Client:
    return Client(
        running.url,
        verbose=False,
        download_files=str(tmp_path / "down"),
        analytics_enabled=False,
        httpx_kwargs={"timeout": 120},
    )


def photos(tmp_path: Path, stem: str, count: int, side: int = 512) -> list[Path]:
    """``count`` copies of a grey photo, named ``stem_01.png`` ... (the meter's labels)."""
    first = tmp_path / f"{stem}_01.png"
    Image.open(bundled("images/astronaut.jpg")).convert("L").resize((side, side)).save(first)
    return [first] + [
        Path(shutil.copy(first, tmp_path / f"{stem}_{n:02d}.png")) for n in range(2, count + 1)
    ]


def submit_all(client: Client, files: list[Path]) -> list:
    return [client.submit(handle_file(f), "[]", True, api_name="/colorize") for f in files]


def outcome(job, timeout: float = 600) -> str:
    try:
        job.result(timeout=timeout)
        return "served"
    except AppError as err:
        return err.message


def test_one_visitor_may_not_have_more_than_the_limit_in_the_queue(running, tmp_path):
    client = visitor(running, tmp_path)

    jobs = submit_all(client, photos(tmp_path, "many", 10))
    outcomes = [outcome(job) for job in jobs]

    served = outcomes.count("served")
    refusals = [o for o in outcomes if o != "served"]
    assert served + len(refusals) == 10
    assert PER_VISITOR <= served < 10 and len(refusals) >= 10 - 2 * PER_VISITOR
    assert all(f"up to {PER_VISITOR} from one visitor at a time" in message for message in refusals)
    assert all("Traceback" not in message for message in refusals)
    assert running.queue.waiting == 0 and running.queue.running == 0


@pytest.mark.slow
def test_a_second_visitor_is_not_starved_by_one_who_sends_twenty(running, tmp_path):
    joined: list[tuple[str, float]] = []  # (visitor, when their request reached the queue)
    admit = running.queue._admit

    def watched_admit(visitor, loop):
        joined.append((visitor, time.time()))
        return admit(visitor, loop)

    running.queue.per_visitor = 100  # the turns alone, without the limit's help
    running.queue._admit = watched_admit
    try:
        first, second = visitor(running, tmp_path), visitor(running, tmp_path)
        many = submit_all(first, photos(tmp_path, "flood", 20))
        time.sleep(1.0)  # the twenty have joined the queue
        one = second.submit(
            handle_file(photos(tmp_path, "second", 1)[0]), "[]", True, api_name="/colorize"
        )
        one.result(timeout=600)
        for job in many:
            job.result(timeout=600)
    finally:
        running.queue.per_visitor = PER_VISITOR
        del running.queue._admit

    flooder = Counter(v for v, _ in joined).most_common(1)[0][0]
    arrived = next(when for v, when in joined if v != flooder)
    records = [r for r in running.meter.records if r.label.startswith(("flood", "second"))]
    began = next(r.started for r in records if r.label == "second_01.png")
    overtook = [
        r.label for r in records if r.label.startswith("flood") and arrived < r.started < began
    ]
    later = [r.label for r in records if r.label.startswith("flood") and r.started > began]
    print(f"{len(overtook)} flood request(s) started between the second's arrival and its start")
    assert len(later) >= 5, "the second visitor arrived too late to test the turns"
    assert len(overtook) <= 2, (
        overtook
    )  # one given its turn as it arrived, then the next in the round


def test_the_queue_takes_turns_and_refuses_plainly():
    queue = FairQueue(workers=1, per_visitor=3, size=3)
    order: list[str] = []

    def work(name):
        def run():
            order.append(name)
            time.sleep(0.05)
            return name

        return run

    async def scenario():
        running = asyncio.create_task(queue.run("a", work("a1")))
        await asyncio.sleep(0)  # a1 has the model
        waiting = [
            asyncio.create_task(queue.run("a", work("a2"))),
            asyncio.create_task(queue.run("a", work("a3"))),
            asyncio.create_task(queue.run("b", work("b1"))),
        ]
        await asyncio.sleep(0)
        with pytest.raises(WorkshopError, match="up to 3 from one visitor"):
            await queue.run("a", work("a4"))
        with pytest.raises(WorkshopError, match="busy"):
            await queue.run("c", work("c1"))
        return await asyncio.gather(running, *waiting)

    answers = asyncio.run(scenario())

    assert answers == ["a1", "a2", "a3", "b1"]
    assert order == ["a1", "a2", "b1", "a3"]  # first come, first served would run a3 before b1
    assert queue.running == 0 and queue.waiting == 0 and queue.refused == 2


def test_the_queued_page_functions_still_get_gradios_event_data_and_progress():
    import gradio as gr
    from gradio.helpers import special_args

    from workshop_lib.app.pages import _queued

    seen = []

    def clicked(colorizer, color, size, event: gr.SelectData):
        seen.append((colorizer, color, size, event))
        return "done"

    def separated(song, stems, progress=gr.Progress()):  # noqa: B008 (Gradio's way)
        seen.append((song, stems, progress))
        return "split"

    request = gr.Request(username=None, session_hash="visitor-1")
    event = gr.SelectData(None, {"index": [3, 4], "value": None, "selected": True})
    queue = FairQueue(workers=1, per_visitor=3, size=10)

    wrapped = _queued(queue, clicked)
    inputs, _, event_index, _ = special_args(wrapped, ["state", "#ff0000", 5], request, event)
    answer = asyncio.run(wrapped(*inputs))
    wrapped = _queued(queue, separated)
    inputs, progress_index, _, _ = special_args(wrapped, ["song", 2], request, None)
    split = asyncio.run(wrapped(*inputs))

    assert answer == "done" and split == "split"
    assert event_index == 3 and seen[0][:3] == ("state", "#ff0000", 5)
    assert isinstance(seen[0][3], gr.SelectData) and seen[0][3].index == [3, 4]
    assert progress_index == 2 and seen[1][:2] == ("song", 2)
    assert isinstance(seen[1][2], gr.Progress)
    assert queue.running == 0 and queue.most_per_visitor == 1
