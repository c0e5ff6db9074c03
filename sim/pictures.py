"""Pictures of what simulated devices produced: tickets from the printer's actual ESC/POS
bytes, and the frame a panel shows now (sim/render does the drawing)."""
import os

from sim.render import panel as panel_render
from sim.render import ticket as ticket_render


def ticket_pictures(dev, folder, limit=None):
    """Every ticket a printer cut (the newest `limit`), as PNG files; returns the paths."""
    os.makedirs(folder, exist_ok=True)
    tickets = dev.tickets()
    first = 0 if limit is None else max(0, len(tickets) - limit)
    paths = []
    for n in range(first, len(tickets)):
        biggest = tickets[n].largest()
        label = biggest.text if biggest is not None else str(n + 1)
        path = os.path.join(folder, "%s-%03d-%s.png" % (dev.id, n + 1, _safe(label)))
        ticket_render.render(tickets[n]).save(path)
        paths.append(path)
    return paths


def panel_picture(dev, path):
    model = dev.panel()
    cols = dev.spec["panel"].get("cols", 32)
    panel_render.render(list(zip(model.rows, model.blink)), cols).save(path)
    return path


def device_picture(dev, path):
    """A printer: its latest ticket; a display or pad: its panel now. False if nothing to show."""
    if dev.kind == "printer":
        tickets = dev.tickets()
        if not tickets:
            return False
        ticket_render.render(tickets[-1]).save(path)
        return True
    panel_picture(dev, path)
    return True


def _safe(text):
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text)[:20] or "ticket"
