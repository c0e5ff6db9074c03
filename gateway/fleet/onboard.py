"""Snippets that flashing runs ON the board (MicroPython code, sent with `mpremote exec`).

How a flash keeps the previous firmware working (the board side of it):

    hold     first undo any earlier flash that was cut short (RECOVER), then rename
             /main.py -> /main.hold and reset: the old firmware stops (and with it its
             watchdog, which would otherwise reset the board mid-copy), while its files stay.
    copy     everything new goes to /hm_new/ (mpremote cp); nothing in use is touched.
    swap     one exec: /main.hold and every old unit move into /hm_old/, each new unit moves
             from /hm_new/ into place, main.py last; then the single rename /hm_old ->
             /hm_trash is the commit point, and the trash is deleted.
    restore  (after any failure, and at the start of every flash) RECOVER: if /hm_old exists
             the swap did not commit: its entries move back; /main.hold goes back to /main.py.

Files the firmware writes itself (the event outbox, the boot counter) are never units, so
they survive every flash. Names in /hm_old are unit paths with '/' written as '~'.
"""

HELPERS = """
import os
def _hm_ex(p):
    try:
        os.stat(p)
        return True
    except OSError:
        return False
def _hm_rm(p):
    if not _hm_ex(p):
        return
    if os.stat(p)[0] & 0x4000:
        for e in list(os.ilistdir(p)):
            _hm_rm(p + '/' + e[0])
        os.rmdir(p)
    else:
        os.remove(p)
def _hm_recover():
    _hm_rm('/hm_new')
    _hm_rm('/hm_trash')
    if _hm_ex('/hm_old'):
        for e in list(os.ilistdir('/hm_old')):
            u = e[0].replace('~', '/')
            _hm_rm('/' + u)
            os.rename('/hm_old/' + e[0], '/' + u)
        os.rmdir('/hm_old')
    if _hm_ex('/main.hold'):
        _hm_rm('/main.py')
        os.rename('/main.hold', '/main.py')
"""

PROBE = """
import sys, os
def _hm_read(p):
    try:
        f = open(p)
        t = f.read()
        f.close()
        return t
    except OSError:
        return None
try:
    _hm_s = os.statvfs('/')
    _hm_free = _hm_s[0] * _hm_s[3]
except Exception:
    _hm_free = -1
# the root file system: vfs.mount() lists mounts from 1.23; before, LittleFS takes a ':' in a
# file name where FAT refuses it
try:
    import vfs
    _hm_fs = [type(_hm_m[0]).__name__ for _hm_m in vfs.mount() if _hm_m[1] == '/'][0]
except Exception:
    try:
        open('/hm:fs', 'w').close()
        os.remove('/hm:fs')
        _hm_fs = 'VfsLfs2'
    except OSError:
        _hm_fs = 'VfsFat'
_hm_i = sys.implementation
print('HMPROBE', repr((_hm_i.name, tuple(_hm_i.version[:3]), getattr(_hm_i, '_mpy', 0),
                       _hm_read('/board.json'), _hm_free, getattr(_hm_i, '_machine', ''), _hm_fs)))
"""

HOLD = HELPERS + """
_hm_recover()
if _hm_ex('/main.py'):
    os.rename('/main.py', '/main.hold')
print('HMHOLD', _hm_ex('/main.hold'))
"""

RESTORE = HELPERS + """
_hm_recover()
print('HMRESTORE', _hm_ex('/main.py'))
"""

SWAP = HELPERS + """
_hm_rm('/hm_old')
os.mkdir('/hm_old')
if _hm_ex('/main.hold'):
    os.rename('/main.hold', '/hm_old/main.py')
for _hm_u in %r:
    if '/' in _hm_u and not _hm_ex('/' + _hm_u.rsplit('/', 1)[0]):
        os.mkdir('/' + _hm_u.rsplit('/', 1)[0])
    if _hm_ex('/' + _hm_u):
        os.rename('/' + _hm_u, '/hm_old/' + _hm_u.replace('/', '~'))
    os.rename('/hm_new/' + _hm_u, '/' + _hm_u)
os.rename('/hm_old', '/hm_trash')
_hm_rm('/hm_trash')
_hm_rm('/hm_new')
print('HMSWAP', repr('ok'))
"""

LIST_STAGE = """
import os
def _hm_walk(p, rel, out):
    for e in os.ilistdir(p):
        if e[1] & 0x4000:
            _hm_walk(p + '/' + e[0], rel + e[0] + '/', out)
        else:
            out.append((rel + e[0], os.stat(p + '/' + e[0])[6]))
_hm_o = []
_hm_walk('/hm_new', '', _hm_o)
print('HMFILES', repr(_hm_o))
"""


def swap(units):
    """The swap snippet for these units (paths relative to the flash root, main.py last)."""
    return SWAP % (list(units),)
