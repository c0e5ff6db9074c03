# Entry point MicroPython runs after boot.py. Everything lives in runtime.device so that the
# simulator can start the very same code with a flash root of its own.
import runtime.device

runtime.device.run()
