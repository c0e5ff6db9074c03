import gc, json, time
from umqtt import simple
from tests.firmware import rig
exec(open("/lib/hv.py").read())
dev = rig.make("display", "hall-display")
rig.online(dev)
N = [0]
def advance():
    N[0] += 1
    if N[0] > 6: return False
    i = N[0]
    simple.last().inbox.append((("hm/riverside/dev/hall-display/view").encode(), hall_view(i)))
    gc.collect()
    a = gc.mem_alloc()
    dev.link.poll(dev.session); b = gc.mem_alloc()
    dev.handle_inbox(); c = gc.mem_alloc()
    for k in dev.app.keys.poll(): pass
    dev.resend(); d = gc.mem_alloc()
    dev.app.tick(); e = gc.mem_alloc()
    print("poll", b - a, "inbox", c - b, "resend", d - c, "tick", e - d, "live", a)
    return True
