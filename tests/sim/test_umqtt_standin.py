"""The simulator's umqtt.simple stand-in keeps the real module's behaviours that the firmware
must cope with (micropython-lib umqtt.simple 1.7.0/1.8.0), and the firmware copes with them:
the packet id is never wrapped, a user without a password raises TypeError at connect."""
import socket
import struct

import pytest

from sim import board as boards
from sim import firmware_path

firmware_path.install()   # firmware/ and the stand-ins first on sys.path, as the simulator has them
from umqtt import simple  # noqa: E402  (the stand-in, as the firmware imports it)


class Wire:
    """A socket that records what the client writes and answers each QoS 1 publish."""

    def __init__(self):
        self.out = bytearray()
        self.replies = bytearray()

    def write(self, data):
        self.out.extend(data)
        if data[0] & 0xF6 == 0x32:                       # PUBLISH, QoS 1: PUBACK with its id
            tlen = struct.unpack("!H", data[2:4])[0]
            self.replies.extend(b"\x40\x02" + data[4 + tlen:6 + tlen])
        return len(data)

    def read(self, n):
        data, self.replies[:n] = bytes(self.replies[:n]), b""
        return data

    def setblocking(self, flag):
        pass

    def settimeout(self, seconds):
        pass


def published_ids(wire):
    ids, data = [], bytes(wire.out)
    while data:
        size, used = data[1], 2                         # these test packets stay under 128 bytes
        tlen = struct.unpack("!H", data[used:used + 2])[0]
        ids.append(struct.unpack("!H", data[used + 2 + tlen:used + 4 + tlen])[0])
        data = data[used + size:]
    return ids


def client_on(wire, pid):
    client = simple.MQTTClient("printer-1", "broker")
    client.sock, client.pid = wire, pid
    return client


def test_the_standin_never_wraps_the_packet_id_the_65536th_publish_goes_out_as_id_0():
    wire = Wire()
    client = client_on(wire, 65534)
    for _ in range(3):
        client.publish("hm/h/dev/printer-1/evt", b"{}", False, 1)
    assert published_ids(wire) == [65535, 0, 1], "the real module packs the low 16 bits of an id it never wraps"


def test_the_firmware_keeps_the_packet_id_in_range():
    from runtime.link import Link, Watched
    wire = Wire()
    link = Link.__new__(Link)           # only its publish path: no Wi-Fi, no broker
    link.client = client_on(wire, 65534)
    link.client.sock = Watched(wire)    # as Link.connect wraps the broker's socket
    link.stall_ms = 5000
    for _ in range(3):
        assert link.publish("hm/h/dev/printer-1/evt", b"{}")
    assert published_ids(wire) == [65535, 1, 2]


@pytest.fixture
def listener():
    """A TCP port that takes connections (the backlog answers them) and says nothing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def sim_board(tmp_path):
    board = boards.SimBoard("printer-1", str(tmp_path))
    boards.bind(board)
    board.power_on()
    return board


def test_a_user_without_a_password_makes_connect_raise_type_error_as_the_real_module_does(listener, sim_board):
    with pytest.raises(TypeError):
        simple.MQTTClient("printer-1", "127.0.0.1", listener, user="printer-1", password=None).connect()


def test_the_firmware_never_hands_umqtt_a_none_password(monkeypatch, listener, sim_board):
    from runtime import link as linkmod

    class Recorder(simple.MQTTClient):
        made = []

        def connect(self, clean_session=True, timeout=None):
            Recorder.made.append((self.user, self.pswd))
            try:
                return simple.MQTTClient.connect(self, clean_session, timeout=0.5)   # no CONNACK comes
            except TypeError:
                raise
            except OSError:
                raise OSError("no CONNACK from the silent listener")

    monkeypatch.setattr(linkmod, "MQTTClient", Recorder)
    cfg = {"id": "printer-1", "hall": "h", "keepalive": 30,
           "broker": {"host": "127.0.0.1", "port": listener, "user": "printer-1"}}
    link = linkmod.Link(cfg, lambda: {}, lambda *a: None)
    link.wlan.active(True)
    link.wlan.connect("s", "k")
    link._connect(1)
    assert Recorder.made == [("printer-1", "")], Recorder.made
    assert "TypeError" not in link.last_error and "CONNACK" in link.last_error, link.last_error
