# Fake umqtt.simple for the firmware's unit tests: an in-memory broker connection. Tests put
# messages in `inbox`, read what was published in `published`, and kill the link with
# `broker["dead"] = True` (OSError from then on, as a dead socket gives on a board).
broker = {"dead": False, "refuse": False, "clients": []}


class MQTTException(Exception):
    pass


class FakeSocket:
    def __init__(self, client):
        self.client = client
        self.closed = False

    def read(self, n):
        if broker["dead"] or self.closed:
            return None
        if self.client.pong or self.client.inbox:
            return b"\x30"
        return None

    def write(self, *args):
        return 0

    def setblocking(self, flag):
        pass

    def settimeout(self, value):
        pass

    def close(self):
        self.closed = True


class MQTTClient:
    def __init__(self, client_id, server, port=0, user=None, password=None, keepalive=0):
        self.client_id = client_id
        self.keepalive = keepalive
        self.cb = None
        self.will = None
        self.sock = None
        self.inbox = []
        self.published = []
        self.subscribed = []
        self.pong = False
        self.pid = 0                 # counts up for ever, as the real module's does
        broker["clients"].append(self)

    def set_callback(self, f):
        self.cb = f

    def set_last_will(self, topic, msg, retain=False, qos=0):
        self.will = (topic, msg, retain, qos)

    def connect(self, clean_session=True):
        if broker["dead"] or broker["refuse"]:
            raise OSError(113)
        self.conn = FakeSocket(self)
        self.sock = self.conn        # the firmware may wrap self.sock; conn stays ours
        return 0

    def _alive(self):
        if broker["dead"] or self.sock is None or self.conn.closed:
            raise OSError(104)

    def publish(self, topic, msg, retain=False, qos=0):
        self._alive()
        if qos:
            self.pid += 1
            if self.pid > 65535:
                raise OSError(104)   # id 0 went out: the broker dropped the connection
        self.published.append((topic, msg, retain, qos))

    def subscribe(self, topic, qos=0):
        self._alive()
        self.subscribed.append(topic)

    def ping(self):
        self._alive()
        self.pong = True

    def check_msg(self):
        self._alive()
        if self.sock.read(1) is None:
            return None
        if self.pong:
            self.pong = False
            return None
        topic, msg = self.inbox.pop(0)
        self.cb(topic, msg)
        return None


def last():
    return broker["clients"][-1]


def reset():
    broker["dead"] = False
    broker["refuse"] = False
    broker["clients"] = []
