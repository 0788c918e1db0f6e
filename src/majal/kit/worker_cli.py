"""The long-running services: `majal worker` sends the outbox (emails, SMS) and runs the domains' queued jobs
(`Domain.jobs`), `majal listen` stores sensor readings."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from types import FrameType
from typing import Annotated, Any

import typer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from majal.db import make_engine, make_sessionmaker
from majal.kit import i18n
from majal.kit.cli import cli_language, console, fail, settings
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.kit.mqtt import Broker, Intake, Topic
from majal.kit.notify import adapters_from_settings
from majal.kit.outbox import DeliveryReport, deliver_due

BATCH = 50
log = logging.getLogger("majal.worker")

# Queued work of the domains (e.g. collection plans): each runs what is queued and returns how many it ran.
Job = Callable[[sessionmaker[Session]], int]


def worker_command(declared: Callable[[], Sequence[Job]]) -> Callable[..., None]:
    """`majal worker` over the jobs the domains declare."""

    def worker(
        once: Annotated[bool, typer.Option("--once", help="Send what is due, then stop")] = False,
        interval: Annotated[float, typer.Option(help="Seconds to wait between two looks at the outbox",
                                                min=0.1)] = 30.0,
    ) -> None:
        """Send the queued notifications (email over MAJAL_SMTP_*, SMS to MAJAL_SMS_OUTBOX_FILE) and run the queued
        jobs; Ctrl-C stops it."""
        run_worker(declared(), once, interval)

    return worker


def run_worker(jobs: Sequence[Job], once: bool, interval: float, stop: threading.Event | None = None) -> None:
    """The worker's loop; `stop` ends it from another thread (the server it runs beside), else SIGTERM or Ctrl-C."""
    config = settings()
    engine = _migrated_engine()
    beside = stop is not None
    stop = stop or threading.Event()
    try:
        adapters = adapters_from_settings(config)
        with i18n.language(cli_language()):
            if not adapters:
                console.print(i18n.gettext("No channel is configured (MAJAL_SMTP_HOST, MAJAL_SMS_OUTBOX_FILE): "
                                           "messages stay queued."), style="yellow", highlight=False)
            sessions, secret = make_sessionmaker(engine), config.resolved_secret_key
            with _stop_on_sigterm(stop) if not beside else nullcontext():
                while not stop.is_set():
                    report = deliver_due(sessions, secret, adapters, batch=BATCH)
                    _run_jobs(jobs, sessions)
                    if report.total or once:
                        _print(report)
                    if report.total < BATCH:  # after a full batch more may be due: go on at once
                        if once:
                            break
                        stop.wait(interval)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()
    if not once:
        with i18n.language(cli_language()):
            console.print(i18n.gettext("Worker stopped."), highlight=False)


def _run_jobs(jobs: Sequence[Job], sessions: sessionmaker[Session]) -> None:
    for job in jobs:
        try:
            job(sessions)
        except Exception:  # one job's failure must not stop the others, nor the outbox, for good
            log.exception("the job %s failed", getattr(job, "__qualname__", job))


def listen_command(declared: Callable[[], Sequence[Topic[Any]]]) -> Callable[..., None]:
    """`majal listen` over the sensor topics the domains declare."""

    def listen(
        seconds: Annotated[float | None, typer.Option(help="Stop after this many seconds", min=0.1)] = None,
    ) -> None:
        """Store the readings sensors publish over MQTT (broker MAJAL_MQTT_HOST:MAJAL_MQTT_PORT); Ctrl-C stops it."""
        config = settings()
        broker = Broker(config.mqtt_host, config.mqtt_port, config.mqtt_username, config.mqtt_password,
                        config.mqtt_client_id)
        topics = declared()
        if not topics:
            raise fail(MajalError(N_("No sensor topic is declared: there is nothing to listen to.")))
        engine = _migrated_engine()
        intake = Intake(make_sessionmaker(engine), topics)
        stop = threading.Event()
        with i18n.language(cli_language()):
            console.print(i18n.gettext("Listening to %(broker)s:", broker=f"{broker.host}:{broker.port}"),
                          *(topic.pattern for topic in intake.topics), sep="\n  ", highlight=False)
        timer = threading.Timer(seconds, stop.set) if seconds else None
        try:
            if timer:
                timer.start()
            with _stop_on_sigterm(stop):
                intake.run(broker, stop)
        except KeyboardInterrupt:
            pass
        except OSError:
            raise fail(MajalError(N_("The MQTT broker %(broker)s does not answer."),
                                  broker=f"{broker.host}:{broker.port}")) from None
        finally:
            if timer:
                timer.cancel()
            engine.dispose()
        with i18n.language(cli_language()):
            console.print(i18n.gettext("%(accepted)s readings stored, %(refused)s refused",
                                       accepted=intake.accepted.total(), refused=intake.refused.total()),
                          highlight=False)

    return listen


def _migrated_engine() -> Engine:
    from majal.migrate import pending

    engine = make_engine(settings().resolved_database_url)
    if pending(engine):
        engine.dispose()
        raise fail(MajalError(N_("The database schema is not up to date: run `majal db upgrade` first.")))
    return engine


def _print(report: DeliveryReport) -> None:
    line = i18n.gettext("%(sent)s sent, %(retried)s to try again, %(failed)s failed",
                        sent=report.sent, retried=report.retried, failed=report.failed)
    console.print(line, style="red" if report.failed else "green" if report.sent else None, highlight=False)


@contextmanager
def _stop_on_sigterm(stop: threading.Event) -> Iterator[None]:
    """A service manager stops the worker with SIGTERM: finish the batch in hand, then leave."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: Ctrl-C still works
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
