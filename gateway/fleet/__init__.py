"""The device fleet: who may join the hall's broker (enrolment), and putting firmware on boards.

    registry.py     the enrolment database (SQLite, run/fleet.db): ids, broker passwords,
                    place in the hall, presence as the gateway last saw it
    importing.py    batch enrolment from a CSV file or a hall config
    broker_auth.py  Mosquitto's password file, ACL and config snippet from the registry
    build.py        what goes on a board: mpy-cross output, config.json, board.json
    board.py        talking to a board over serial with the real `mpremote`
    birth.py        waiting for a device's birth on the broker
    flashing.py     flash.sh's steps, one device or a batch
    cli.py          `hallmesh devices ...`
"""


class FleetError(Exception):
    """Anything the fleet tools refuse; the text names what is wrong and how to fix it."""
