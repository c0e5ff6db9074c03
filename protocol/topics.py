# Topic layout. Every device has its own subtree, so a broker ACL can let a device
# publish and read only its own topics:
#   hm/<hall>/dev/<device>/evt    device -> gateway  events (QoS 1, never retained)
#   hm/<hall>/dev/<device>/state  device presence    birth / last-will (retained)
#   hm/<hall>/dev/<device>/ack    gateway -> device  acknowledgements (never retained)
#   hm/<hall>/dev/<device>/cmd    gateway -> device  commands (never retained)
#   hm/<hall>/dev/<device>/view   gateway -> device  what the device shows (retained)
#   hm/<hall>/dev/<device>/lease/<service>  gateway -> printer  one lease per service (retained):
#                                 apart from the view so that no message grows with the services
#   hm/<hall>/gw/state            gateway presence   birth / last-will (retained)
from protocol import ProtocolError

ROOT = "hm"
EVENTS = "evt"
STATE = "state"
ACK = "ack"
COMMAND = "cmd"
VIEW = "view"
LEASE = "lease"
DEVICE_CHANNELS = (EVENTS, STATE, ACK, COMMAND, VIEW)
MAX_NAME = 32


def check_name(what, name):
    """Hall and device names: 1-32 of [a-z0-9_-], so they never contain MQTT wildcards."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        raise ProtocolError(what + " must be a name of 1-32 characters, got " + repr(name))
    for ch in name:
        if not (("a" <= ch <= "z") or ("0" <= ch <= "9") or ch in "-_"):
            raise ProtocolError(what + " " + repr(name) + " may use only a-z, 0-9, '-' and '_'")
    return name


def device(hall, device_id, channel):
    if channel not in DEVICE_CHANNELS:
        raise ProtocolError("unknown device channel " + repr(channel))
    return ROOT + "/" + check_name("hall", hall) + "/dev/" + check_name("device", device_id) + "/" + channel


def lease(hall, device_id, svc):
    """The retained topic of one service's lease to one printer (a service code is 1-2 of A-Z)."""
    if not isinstance(svc, str) or not 1 <= len(svc) <= 2 or not svc.isalpha() or not svc.isupper():
        raise ProtocolError("a lease's service must be 1-2 capital letters, got " + repr(svc))
    return ROOT + "/" + check_name("hall", hall) + "/dev/" + check_name("device", device_id) + "/" + LEASE + "/" + svc


def gateway_state(hall):
    return ROOT + "/" + check_name("hall", hall) + "/gw/state"


def all_devices(hall, channel):
    """Subscription filter the gateway uses for one channel of every device."""
    return ROOT + "/" + check_name("hall", hall) + "/dev/+/" + channel


def device_filter(hall, device_id):
    """Subscription filter a device uses for everything addressed to it."""
    return ROOT + "/" + check_name("hall", hall) + "/dev/" + check_name("device", device_id) + "/+"


def parse_device(topic):
    """'hm/h/dev/d/evt' -> (hall, device, channel); ProtocolError naming the fault otherwise."""
    if isinstance(topic, bytes):
        topic = topic.decode()
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != ROOT or parts[2] != "dev":
        raise ProtocolError("not a device topic: " + repr(topic))
    if parts[4] not in DEVICE_CHANNELS:
        raise ProtocolError("unknown device channel in topic " + repr(topic))
    check_name("hall", parts[1])
    check_name("device", parts[3])
    return parts[1], parts[3], parts[4]
