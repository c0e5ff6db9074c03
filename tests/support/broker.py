"""A real Mosquitto for tests: started on a free loopback port, stopped afterwards (the class
is the simulator's own, sim/processes.py)."""
from sim.processes import Mosquitto, free_port, mosquitto_binary, wait_port

__all__ = ["Mosquitto", "free_port", "mosquitto_binary", "wait_port"]
