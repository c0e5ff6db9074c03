"""An embedded MQTT broker (amqtt) on a background thread, the fallback where Mosquitto cannot
be had (the demo prefers a real Mosquitto; a real hall runs one, see DESIGN.md).

It listens on 127.0.0.1:1883 unless that port is taken; then it takes a free port and says
which on stdout.

amqtt 0.12 iterates its subscription table across awaits (publishing retained messages to a
connecting client, broadcasting), so when a whole hall connects and subscribes at once another
client's SUBSCRIBE changes the table mid-loop: "RuntimeError: dictionary changed size during
iteration", the connecting client dropped. The table is swapped for a SnapshotDict, whose
iteration walks a copy. Any other exception the library leaves to the event loop is counted in
`errors` and logged as one line, never as a traceback.
"""
import asyncio
import logging
import socket
import threading

from amqtt.broker import Broker

log = logging.getLogger("hallmesh.broker")

DEFAULT_PORT = 1883


class BrokerStartError(RuntimeError):
    """The embedded broker could not listen anywhere."""


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _config(host, port):
    # only anonymous auth: the $SYS and packet-logging plugins would add chatter and load.
    # Nagle is off without a setting: asyncio sets TCP_NODELAY on every TCP connection it
    # accepts. amqtt has no packet size limit: the gateway's own size check is the guard.
    return {"listeners": {"default": {"type": "tcp", "bind": "%s:%d" % (host, port)}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}}}


class SnapshotDict(dict):
    """A dict whose iteration walks a snapshot of it, so a coroutine that awaits inside a loop
    over it survives other coroutines adding and removing entries meanwhile."""

    def __iter__(self):
        return iter(list(dict.keys(self)))

    def keys(self):
        return list(dict.keys(self))

    def values(self):
        return list(dict.values(self))

    def items(self):
        return list(dict.items(self))


def _snapshot_subscriptions(broker):
    broker._subscriptions = SnapshotDict(broker._subscriptions)
    return broker


class EmbeddedBroker:
    def __init__(self, host="127.0.0.1", port=DEFAULT_PORT, workaround=True):
        """`workaround`: the SnapshotDict fix (off only in the test that shows the failure)."""
        self.host = host
        self.port = port
        self.workaround = workaround
        self.errors = 0                # exceptions amqtt left to the event loop (a dropped client)
        self.amqtt = None              # the amqtt Broker, once started
        self._thread = None
        self._loop = None
        self._stopping = None
        self._started = threading.Event()
        self._error = None

    def start(self, timeout=15.0):
        """Start listening; returns self once it accepts connections."""
        self._thread = threading.Thread(target=self._main, name="hallmesh-broker", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise BrokerStartError("embedded broker did not start within %.0fs" % timeout)
        if self._error is not None:
            raise BrokerStartError("embedded broker could not start: %s" % self._error)
        return self

    def stop(self, timeout=10.0):
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def _main(self):
        try:
            asyncio.run(self._serve())
        except Exception as exc:  # noqa: BLE001 - reported to start() instead of lost in a thread
            self._error = exc
            self._started.set()

    def _on_loop_error(self, loop, context):
        self.errors += 1
        exc = context.get("exception")
        log.warning("embedded broker: %s%s", context.get("message", "error"),
                    ": %s: %s" % (type(exc).__name__, exc) if exc else "")

    def _broker(self, port):
        broker = Broker(_config(self.host, port))
        return _snapshot_subscriptions(broker) if self.workaround else broker

    async def _serve(self):
        self._loop = asyncio.get_running_loop()
        self._loop.set_exception_handler(self._on_loop_error)
        self._stopping = asyncio.Event()
        broker = self.amqtt = await self._listen()
        self._started.set()
        await self._stopping.wait()
        await broker.shutdown()

    async def _listen(self):
        """Start on the wanted port; if it is taken, on a free one (and say so)."""
        if _port_free(self.host, self.port):
            try:
                broker = self._broker(self.port)
                await broker.start()
                return broker
            except Exception:  # noqa: BLE001 - taken between the probe and the bind
                pass
        wanted, self.port = self.port, free_port(self.host)
        print("port %d is taken; the embedded MQTT broker listens on %s:%d instead"
              % (wanted, self.host, self.port), flush=True)
        broker = self._broker(self.port)
        await broker.start()
        return broker

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _port_free(host, port):
    """Can we listen there? Probed the way asyncio binds (SO_REUSEADDR), so a port left in
    TIME_WAIT by an earlier run counts as free."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True
