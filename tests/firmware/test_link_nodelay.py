"""The firmware turns Nagle off on its MQTT socket where the port's socket allows it, and
carries on where it does not."""
import importlib.util
import os
import socket
import sys
import types

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_link():
    fakes = {"network": types.ModuleType("network"), "umqtt": types.ModuleType("umqtt"),
             "umqtt.simple": types.ModuleType("umqtt.simple")}
    fakes["umqtt.simple"].MQTTClient = object
    saved = {name: sys.modules.get(name) for name in fakes}
    sys.modules.update(fakes)
    try:
        spec = importlib.util.spec_from_file_location("fw_link", os.path.join(REPO, "firmware", "runtime", "link.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


class Recorder:
    def __init__(self, fail=False):
        self.options, self.fail = [], fail

    def setsockopt(self, level, option, value):
        if self.fail:
            raise OSError(95, "EOPNOTSUPP")
        self.options.append((level, option, value))


def test_nagle_is_turned_off_on_a_socket_that_has_the_option():
    link = load_link()
    sock = Recorder()
    link.no_delay(sock)
    assert sock.options == [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


def test_a_socket_without_the_option_is_left_alone():
    link = load_link()
    link.no_delay(object())                      # no setsockopt at all (the simulator's socket)
    link.no_delay(Recorder(fail=True))           # a port that refuses it
    link.socket = None                           # a port with no socket module
    sock = Recorder()
    link.no_delay(sock)
    assert sock.options == []
