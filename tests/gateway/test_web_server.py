"""The HTTP server under idle, slow and careless clients: connections are bounded and timed
out, threads do not grow with clients, an early disconnect leaves no trace, and a taken port
is said plainly before anything starts."""
import logging
import os
import socket
import threading

import pytest

from gateway.web import PortTaken, StatusServer
from tests.gateway.conftest import wait_until
from tests.gateway.test_status_page import DAY, FakeGateway, get, hall_with_queue


@pytest.fixture
def server():
    hall, state = hall_with_queue()
    srv = StatusServer(FakeGateway(hall, state), "127.0.0.1", 0, idle_timeout_s=1.0, max_connections=20).start()
    yield srv
    srv.stop()


def page_url(srv):
    return "http://127.0.0.1:%d/t/%s/%s/A002" % (srv.port, srv.gateway.hall.id, DAY)


def closed_by_server(sock):
    sock.settimeout(30)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def make_server(**limits):
    hall, state = hall_with_queue()
    return StatusServer(FakeGateway(hall, state), "127.0.0.1", 0, **limits).start()


def test_connections_past_the_limit_are_closed_at_once_and_threads_do_not_grow():
    srv = make_server(idle_timeout_s=120.0, max_connections=20)     # nobody times out here
    threads_before = threading.active_count()
    clients = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(50)]
    try:
        wait_until(lambda: srv.refused_connections == 30, what="the 30 connections past the limit refused")
        assert srv.open_connections() == 20
        assert threading.active_count() == threads_before         # no thread per client
        assert sum(closed_by_server(sock) for sock in clients[20:]) == 30
    finally:
        for sock in clients:
            sock.close()
        srv.stop()


def test_idle_and_half_sent_requests_are_timed_out(server):
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(10)]
    half = []
    for _ in range(5):       # a request that never ends: the headers stop halfway
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        half.append(sock)
    try:
        for sock in idle + half:
            assert closed_by_server(sock)
        wait_until(lambda: server.open_connections() == 0, what="no connection left open")
        assert server.refused_connections == 0          # timed out, not refused for the limit
        assert get(page_url(server))[0] == 200
    finally:
        for sock in idle + half:
            sock.close()


def test_a_client_that_goes_away_early_leaves_no_trace(server, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    for request in (b"GET /t/testhall/%s/A002 HTTP/1.1\r\nHost: x\r\n\r\n" % DAY.encode(),
                    b"GET /t/testhall/%s/A0" % DAY.encode()):
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(request)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()                      # a reset, not a goodbye
    code, body = get(page_url(server))
    assert code == 200 and "A002" in body
    wait_until(lambda: server.open_connections() == 0, what="the early leavers' connections gone")
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert noisy == []
    assert "Traceback" not in capfd.readouterr().err


def test_descriptors_come_back_when_clients_go(server):
    before = len(os.listdir("/proc/self/fd"))
    clients = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(15)]
    wait_until(lambda: server.open_connections() == 15, what="15 open connections")
    for sock in clients:
        sock.close()
    wait_until(lambda: server.open_connections() == 0, what="the server to let them go")
    assert len(os.listdir("/proc/self/fd")) <= before


def test_a_taken_port_is_refused_with_its_address():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        hall, state = hall_with_queue()
        with pytest.raises(PortTaken, match="cannot serve HTTP on 127.0.0.1:%d" % port):
            StatusServer(FakeGateway(hall, state), "127.0.0.1", port)


def test_the_connection_limit_always_leaves_descriptors_for_the_gateway(monkeypatch):
    import resource
    from gateway import web
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, 4096))
    assert web.connection_limit() == 1024 - web.RESERVED_FDS
    monkeypatch.setattr(resource, "getrlimit", lambda which: (100000, 100000))
    assert web.connection_limit() == web.MAX_CONNECTIONS
