# Runs first on every reset. Kept empty of logic on purpose: a bug here would lock the board
# out of the REPL that flashing needs. The firmware starts in main.py.
import gc

gc.collect()
