# Protocol tests in the Python subset MicroPython runs: pytest runs them under CPython and
# tests/protocol/test_under_micropython.py runs the same functions under MicroPython.
from protocol import ProtocolError, codec, events, messages, topics
from tests.support.expect import raises, raises_naming


def test_device_topics_follow_the_layout():
    assert topics.device("riverside", "pad-3", "evt") == "hm/riverside/dev/pad-3/evt"
    assert topics.device("riverside", "pad-3", "view") == "hm/riverside/dev/pad-3/view"
    assert topics.gateway_state("riverside") == "hm/riverside/gw/state"
    assert topics.all_devices("riverside", "evt") == "hm/riverside/dev/+/evt"
    assert topics.device_filter("riverside", "pad-3") == "hm/riverside/dev/pad-3/+"


def test_parse_device_topic_round_trips_and_accepts_bytes():
    assert topics.parse_device("hm/riverside/dev/pad-3/evt") == ("riverside", "pad-3", "evt")
    assert topics.parse_device(b"hm/h1/dev/p_1/ack") == ("h1", "p_1", "ack")


def test_bad_topics_name_the_fault():
    raises_naming(ProtocolError, "not a device topic", topics.parse_device, "hm/riverside/gw/state")
    raises_naming(ProtocolError, "unknown device channel", topics.parse_device, "hm/h/dev/d/nope")
    raises_naming(ProtocolError, "may use only", topics.device, "River Side", "d", "evt")
    raises_naming(ProtocolError, "may use only", topics.device, "h", "pad+", "evt")
    raises_naming(ProtocolError, "1-32 characters", topics.device, "h", "", "evt")
    raises_naming(ProtocolError, "1-32 characters", topics.gateway_state, "x" * 33)
    raises_naming(ProtocolError, "unknown device channel", topics.device, "h", "d", "secret")


def test_event_round_trips_through_the_codec():
    msg = messages.event("printer-1-3-17", messages.KEY, 1795420800123, key="k1")
    back = codec.decode(codec.encode(msg))
    assert back["id"] == "printer-1-3-17"
    assert back["t"] == "key" and back["key"] == "k1" and back["at"] == 1795420800123
    assert back["v"] == 1
    assert events.check_event(back) is back


def test_chinese_text_survives_the_codec():
    msg = messages.command(messages.CMD_PRINT, ticket={"no": "A001", "name": "户籍办理"})
    assert codec.decode(codec.encode(msg))["ticket"]["name"] == "户籍办理"


def test_codec_rejects_what_is_not_a_message():
    raises_naming(ProtocolError, "empty", codec.decode, b"")
    raises_naming(ProtocolError, "not UTF-8 JSON", codec.decode, b"{nope")
    raises_naming(ProtocolError, "not UTF-8 JSON", codec.decode, b"\xff\xfe")
    raises_naming(ProtocolError, "JSON object", codec.decode, b"[1, 2]")
    raises_naming(ProtocolError, "version", codec.decode, b'{"id": "x"}')
    raises_naming(ProtocolError, "version", codec.decode, b'{"v": 2}')
    raises_naming(ProtocolError, "exceeds", codec.decode, b"{" + b" " * 3000 + b"}")


def test_codec_refuses_to_encode_an_oversized_message():
    raises_naming(ProtocolError, "exceeds", codec.encode, {"blob": "x" * 3000})


def test_events_are_validated_field_by_field():
    ok = messages.event("d-1-1", messages.RATE, 5, level=5, ticket="A001")
    assert events.check_event(ok) is ok
    raises_naming(ProtocolError, "'id'", events.check_event, {"t": "key", "key": "k1"})
    raises_naming(ProtocolError, "event type", events.check_event, {"id": "a", "t": "explode"})
    raises_naming(ProtocolError, "'key'", events.check_event, {"id": "a", "t": "key"})
    raises_naming(ProtocolError, "'level'", events.check_event, {"id": "a", "t": "rate", "level": 0, "ticket": ""})
    raises_naming(ProtocolError, "'level'", events.check_event, {"id": "a", "t": "rate", "level": "5", "ticket": ""})
    raises_naming(ProtocolError, "bool", events.check_event, {"id": "a", "t": "rate", "level": True, "ticket": ""})
    raises_naming(ProtocolError, "'at'", events.check_event, {"id": "a", "t": "key", "key": "k", "at": -1})
    raises_naming(ProtocolError, "'id'", events.check_event, {"id": "x" * 49, "t": "key", "key": "k"})
    raises_naming(ProtocolError, "'ok'", events.check_event, {"id": "a", "t": "printed", "ticket": "A001"})
    raises_naming(ProtocolError, "'state'", events.check_event, {"id": "a", "t": "status", "part": "paper"})


def test_presence_ack_command_and_view_checks():
    birth = messages.birth(3, "pad", "0.1.0", "hm-pad-v1", 61000, -58, "power")
    assert events.check_presence(birth)["on"] is True
    assert events.check_presence(messages.will(3))["ses"] == 3
    raises_naming(ProtocolError, "'ses'", messages.check_presence, {"on": True})
    ack = messages.ack("d-1-1", ok=False, error="no window open for service A")
    assert messages.check_ack(ack)["err"] == "no window open for service A"
    assert "res" not in ack
    raises_naming(ProtocolError, "'ok'", messages.check_ack, {"ack": "d-1-1"})
    assert messages.check_command(messages.command(messages.CMD_TIME, now=1795420800))["now"] == 1795420800
    raises_naming(ProtocolError, "command", messages.check_command, {"c": "selfdestruct"})
    raises_naming(ProtocolError, "'now'", messages.check_command, {"c": "time"})
    raises_naming(ProtocolError, "view kind", messages.check_view, {"kind": "toaster", "seq": 1})
    assert messages.check_view({"kind": "window", "seq": 1})["seq"] == 1


def test_a_config_command_must_say_what_to_set():
    assert messages.check_command(messages.command("config", set={"keepalive": 20}))["set"] == {"keepalive": 20}
    raises_naming(ProtocolError, "'set'", messages.check_command, {"c": "config"})
    raises_naming(ProtocolError, "must be dict", messages.check_command, {"c": "config", "set": [1]})


def _key_event(**fields):
    msg = {"id": "printer-1-1-1", "t": "key", "at": 0, "key": "k1"}
    for name in fields:
        msg[name] = fields[name]
    return msg


def test_numbers_are_ascii_digits_within_their_ranges():
    raises_naming(ProtocolError, "'at' must be 0-", events.check_event, _key_event(at=10 ** 400))
    raises_naming(ProtocolError, "'at' must be 0-", events.check_event, _key_event(at=events.MAX_AT_MS + 1))
    assert events.check_event(_key_event(at=events.MAX_AT_MS))["at"] == events.MAX_AT_MS
    raises_naming(ProtocolError, "'at' must be int, got float", events.check_event, _key_event(at=1.5))
    raises_naming(ProtocolError, "'level' must be 1-9", events.check_event,
                  {"id": "a", "t": "rate", "level": 10 ** 300, "ticket": ""})
    raises_naming(ProtocolError, "'ses' must be 0-", events.check_presence, {"on": True, "ses": 2 ** 64})
    raises_naming(ProtocolError, "'rssi'", events.check_presence, {"on": True, "ses": 1, "rssi": -10 ** 30})
    raises_naming(ProtocolError, "'heap'", events.check_presence, {"on": True, "ses": 1, "heap": "lots"})


def test_ticket_numbers_and_keys_take_only_ascii_digits():
    assert events.ascii_digits("017") and not events.ascii_digits("")
    for digits in ("\u00b2", "\u0663", "\uff11", "\u2460"):     # superscript 2, Arabic-Indic 3, fullwidth 1, circled 1
        assert not events.ascii_digits("01" + digits)
        raises_naming(ProtocolError, "'offline' must be a ticket number", events.check_event,
                      _key_event(offline="A01" + digits, at=5))
        raises_naming(ProtocolError, "'key' must be a name", events.check_event, _key_event(key="r" + digits))
        raises_naming(ProtocolError, "'to'", events.check_event, _key_event(key="transfer", to="w" + digits))
        raises_naming(ProtocolError, "'ticket'", events.check_event,
                      {"id": "a", "t": "rate", "level": 5, "ticket": "A00" + digits})
    assert events.check_event(_key_event(offline="BC1234", at=5))
    assert events.check_event(_key_event(key="transfer", to="w12"))
    assert events.check_event(_key_event(key="transfer", to="B"))
    raises_naming(ProtocolError, "ticket number", events.check_event, _key_event(offline="a017", at=5))


def test_no_control_character_or_lone_surrogate_in_any_text():
    for bad in ("\n", "\r", "\x00", "\x1b[2J", "\u0085", "\u2028", "\u202e", "\ud800", "\udfff"):
        raises_naming(ProtocolError, "control character", events.check_event,
                      {"id": "a", "t": "status", "part": "paper", "state": "ok" + bad + "x"})
        raises_naming(ProtocolError, "'id'", events.check_event, _key_event(id="p-1" + bad))
        raises_naming(ProtocolError, "'fw'", events.check_presence, {"on": True, "ses": 1, "fw": "1" + bad})
        raises_naming(ProtocolError, "'why'", events.check_event,
                      {"id": "a", "t": "printed", "ticket": "A001", "ok": False, "why": bad})
    chinese = {"id": "a", "t": "status", "part": "paper", "state": "缺纸"}
    assert events.check_event(chinese) is chinese


def test_true_is_not_version_one():
    exc = raises_naming(ProtocolError, "version", codec.decode, b'{"v": true, "id": "x"}')
    assert exc.reason == "bad_version"
    assert codec.decode(b'{"v": 1.0, "id": "x"}')["v"] == 1    # JSON has one kind of number


def test_nesting_is_measured_before_it_is_parsed():
    deep = b'{"v": 1, "id": "p-1-1-9", "x": ' + b"[" * 900 + b"]" * 900 + b"}"
    exc = raises_naming(ProtocolError, "nested deeper", codec.decode, deep)
    assert exc.reason == "too_deep"
    ok = b'{"v": 1, "id": "a", "x": ' + b"[" * (codec.MAX_DEPTH - 1) + b"]" * (codec.MAX_DEPTH - 1) + b"}"
    assert codec.decode(ok)["id"] == "a"
    brackets_in_text = b'{"v": 1, "id": "a", "x": "' + b"[{" * 40 + b'"}'
    assert codec.decode(brackets_in_text)["id"] == "a"


def test_the_id_of_a_refused_payload_can_still_be_read():
    assert events.readable_id(b'{"x": ' + b"[" * 900 + b"]" * 900 + b', "id": "p-1-1-9"}') == "p-1-1-9"
    assert events.readable_id(b'{"v": 2, "id": "p-1-1-8", "t": "key"}') == "p-1-1-8"
    assert events.readable_id(b'{"id": "p-1-1-7", "t": "key", "key": ') == "p-1-1-7"    # cut short
    assert events.readable_id(b'{"x": {"id": "inner"}, "y": "id", "z": ["id", "q"]}') is None
    assert events.readable_id(b'{"id": 7}') is None
    assert events.readable_id(b"\xff\xfe") is None
    assert events.event_id({"id": "x" * messages.MAX_ID}) == "x" * messages.MAX_ID
    assert events.event_id({"id": "x" * (messages.MAX_ID + 1)}) is None
    assert events.event_id([1]) is None


def test_refusals_say_why_in_a_reason_name():
    assert raises(ProtocolError, codec.decode, b"{nope").reason == "malformed"
    assert raises(ProtocolError, codec.decode, b"{" + b" " * 3000 + b"}").reason == "too_large"
    assert raises(ProtocolError, events.check_event, {"id": "a", "t": "key"}).reason == "bad_field"


def test_fields_the_contract_does_not_name_must_be_plain():
    assert events.check_event(_key_event(extra=1, flag=True, note="fine", none=None))
    for bad in ([1], {"a": 1}, "\ud800", "a\nb", 2 ** 60, "x" * 65):
        raises_naming(ProtocolError, "field 'extra'", events.check_event, _key_event(extra=bad))
        raises_naming(ProtocolError, "field 'extra'", events.check_presence, {"on": True, "ses": 1, "extra": bad})
    raises_naming(ProtocolError, "field name", events.check_event, _key_event(**{"x" * 17: 1}))
